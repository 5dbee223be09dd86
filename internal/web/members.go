package web

// memberRoutes registers this file's pages (not built yet).
func (h *Handler) memberRoutes() {}
