package mcpserver

import (
	"context"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/personapal/personapal/internal/persona"
)

// AI-agent profiles out (persona/agentcard.go): the A2A AgentCard and the
// system prompt of a persona of profile type "agent".

type agentIn struct {
	Org string `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	ID  string `json:"id" jsonschema:"an AI-agent profile's ID (profile type agent)"`
}

type systemPromptOut struct {
	Persona personaRef `json:"persona"`
	Prompt  string     `json:"prompt" jsonschema:"the system prompt, Markdown"`
}

// addAgentTools adds agent_card and agent_system_prompt.
func (s *session) addAgentTools(srv *mcp.Server) {
	ro := &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)}
	mcp.AddTool(srv, &mcp.Tool{Name: "agent_card", Title: "Agent card", Annotations: ro,
		Description: "An AI-agent profile as an A2A AgentCard (JSON): name, description, url, version, capabilities, skills from its tasks, input and output modes. Only for profiles of type agent."}, s.agentCard)
	mcp.AddTool(srv, &mcp.Tool{Name: "agent_system_prompt", Title: "Agent system prompt", Annotations: ro,
		Description: "An AI-agent profile as a system prompt in Markdown: purpose and tasks, autonomy, oversight, guardrails, permissions (allowed, needs approval, forbidden), tools and escalation. Only for profiles of type agent."}, s.agentSystemPrompt)
}

func (s *session) agentCard(ctx context.Context, _ *mcp.CallToolRequest, in agentIn) (*mcp.CallToolResult, persona.AgentCard, error) {
	fail := func(err error) (*mcp.CallToolResult, persona.AgentCard, error) {
		return nil, persona.AgentCard{}, s.toolError(ctx, err)
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(in.ID) == "" {
		return fail(invalid("id", "is required"))
	}
	card, err := s.svc.AgentCard(ctx, s.actor, org, strings.TrimSpace(in.ID))
	if err != nil {
		return fail(err)
	}
	return nil, card, nil
}

func (s *session) agentSystemPrompt(ctx context.Context, _ *mcp.CallToolRequest, in agentIn) (*mcp.CallToolResult, systemPromptOut, error) {
	fail := func(err error) (*mcp.CallToolResult, systemPromptOut, error) {
		return nil, systemPromptOut{}, s.toolError(ctx, err)
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(in.ID) == "" {
		return fail(invalid("id", "is required"))
	}
	md, p, err := s.svc.AgentSystemPrompt(ctx, s.actor, org, strings.TrimSpace(in.ID))
	if err != nil {
		return fail(err)
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return fail(err)
	}
	return textResult(md), systemPromptOut{Persona: ref(org, p, groups), Prompt: md}, nil
}
