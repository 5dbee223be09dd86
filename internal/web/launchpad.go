package web

// launchpadRoutes registers the Solution Designer pages (not built yet).
func (h *Handler) launchpadRoutes() {}
