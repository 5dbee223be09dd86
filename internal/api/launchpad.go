package api

import "github.com/danielgtaylor/huma/v2"

// registerLaunchpads registers the catalogue and Launchpad routes (not built yet).
func (s *Server) registerLaunchpads(api huma.API) {}
