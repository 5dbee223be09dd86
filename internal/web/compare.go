package web

// compareRoutes registers this file's pages (not built yet).
func (h *Handler) compareRoutes() {}
