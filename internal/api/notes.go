package api

import "github.com/danielgtaylor/huma/v2"

// registerNotes registers the note routes (not built yet).
func (s *Server) registerNotes(api huma.API) {}
