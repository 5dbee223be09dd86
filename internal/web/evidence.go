package web

// evidenceRoutes registers the evidence pages (not built yet).
func (h *Handler) evidenceRoutes() {}
