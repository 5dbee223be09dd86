package api

import "github.com/danielgtaylor/huma/v2"

// registerEvidence registers the evidence routes (not built yet).
func (s *Server) registerEvidence(api huma.API) {}
