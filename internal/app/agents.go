package app

import (
	"context"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// AgentCard is an AI-agent profile's A2A AgentCard (viewers): the
// organisation provides the agent, and the card's url is the agent's own
// endpoint when its template has one, else the profile's page on this
// server (the base URL). A persona of another profile type is invalid
// input (422 over the API).
func (s *Service) AgentCard(ctx context.Context, actor Actor, slug, id string) (persona.AgentCard, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.AgentCard{}, err
	}
	p, err := s.store.GetPersona(ctx, org.ID, id)
	if err != nil {
		return persona.AgentCard{}, err
	}
	page := strings.TrimRight(s.BaseURL(), "/") + "/o/" + url.PathEscape(org.Slug) + "/personas/" + url.PathEscape(p.ID)
	return persona.AgentCardOf(persona.AgentCardInput{Persona: p, PageURL: page, Organization: org.Name})
}

// AgentSystemPrompt is an AI-agent profile as a system prompt in Markdown
// (viewers); a persona of another profile type is invalid input.
func (s *Service) AgentSystemPrompt(ctx context.Context, actor Actor, slug, id string) (string, persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return "", persona.Persona{}, err
	}
	p, err := s.store.GetPersona(ctx, org.ID, id)
	if err != nil {
		return "", persona.Persona{}, err
	}
	md, err := persona.AgentSystemPrompt(p)
	return md, p, err
}
