package web

// templateRoutes registers this file's pages (not built yet).
func (h *Handler) templateRoutes() {}
