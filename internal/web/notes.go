package web

// noteRoutes registers the note actions (not built yet).
func (h *Handler) noteRoutes() {}
