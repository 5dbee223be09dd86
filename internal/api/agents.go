package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/persona"
)

// AI-agent profiles out: the A2A AgentCard and the system prompt of a
// persona of profile type "agent" (persona/agentcard.go); 422 for any
// other profile type.

type agentCardOutput struct{ Body persona.AgentCard }

func (s *Server) registerAgents(api huma.API) {
	huma.Register(api, op("get-agent-card", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/agent-card",
		"An AI-agent profile as an A2A AgentCard (422 for other profile types)", tagPersonas, 0),
		func(ctx context.Context, in *PersonaPath) (*agentCardOutput, error) {
			card, err := s.svc.AgentCard(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &agentCardOutput{Body: card}, nil
		})

	type markdownOutput struct {
		ContentType string `header:"Content-Type"`
		Body        []byte
	}
	huma.Register(api, op("get-agent-system-prompt", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/system-prompt.md",
		"An AI-agent profile as a system prompt in Markdown (422 for other profile types)", tagPersonas, 0),
		func(ctx context.Context, in *PersonaPath) (*markdownOutput, error) {
			md, _, err := s.svc.AgentSystemPrompt(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &markdownOutput{ContentType: "text/markdown; charset=utf-8", Body: []byte(md)}, nil
		})
}
