package web

// accountRoutes registers this file's pages (not built yet).
func (h *Handler) accountRoutes() {}
