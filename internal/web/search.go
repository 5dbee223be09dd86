package web

// searchRoutes registers this file's pages (not built yet).
func (h *Handler) searchRoutes() {}
