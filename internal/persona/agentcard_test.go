package persona_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
)

// demoAgent is the demo's Reconciliation Assistant as a persona.
func demoAgent(t *testing.T) persona.Persona {
	t.Helper()
	for _, s := range demo.Data().Personas {
		if s.Name == "Reconciliation Assistant" {
			return persona.Persona{ID: "a1", ProfileType: s.ProfileType, Revision: 4,
				Content: persona.Content{Name: s.Name, Summary: s.Summary, Values: s.Values, Dimensions: s.Dimensions}}
		}
	}
	t.Fatal("no Reconciliation Assistant in the demo")
	return persona.Persona{}
}

func TestAgentCardOf(t *testing.T) {
	p := demoAgent(t)
	card, err := persona.AgentCardOf(persona.AgentCardInput{Persona: p, PageURL: "https://pp.example.com/o/acme/personas/a1", Organization: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if card.Name != "Reconciliation Assistant" || card.Version != "4" || card.ProtocolVersion != "0.3.0" ||
		card.URL != "https://pp.example.com/o/acme/personas/a1" || card.PreferredTransport != "JSONRPC" ||
		card.DocumentationURL != "https://docs.example.com/agents/reconciliation-assistant/runbook" ||
		card.Provider == nil || card.Provider.Organization != "Acme" {
		t.Errorf("card: %+v", card)
	}
	if !strings.HasPrefix(card.Description, "Shrink the exception queue") || !strings.Contains(card.Description, "Never matches on its own") {
		t.Errorf("description: %q", card.Description)
	}
	if len(card.Skills) != 3 {
		t.Fatalf("skills: %+v", card.Skills)
	}
	ids := map[string]bool{}
	for _, s := range card.Skills {
		if s.ID == "" || ids[s.ID] || len(s.ID) > 48 || s.Name == "" || len([]rune(s.Name)) > 60 || !strings.Contains(s.Description, "Payments Operations Specialist and System Lead") {
			t.Errorf("skill: %+v", s)
		}
		ids[s.ID] = true
		if !slices.Equal(s.Tags, []string{"ledgerline api", "rules engine", "vector search"}) {
			t.Errorf("tags: %v", s.Tags)
		}
	}
	if card.Skills[0].Description != "Suggest the three most likely counterparts for an unmatched item, with reasons (for Payments Operations Specialist and System Lead)" {
		t.Errorf("first skill: %+v", card.Skills[0])
	}

	// The JSON has the A2A AgentCard's property names.
	b, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"capabilities", "defaultInputModes", "defaultOutputModes", "description", "documentationUrl", "name",
		"preferredTransport", "protocolVersion", "provider", "skills", "url", "version"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if !strings.Contains(string(b), `"capabilities":{"streaming":false,"pushNotifications":false,"stateTransitionHistory":false}`) ||
		!strings.Contains(string(b), `"defaultInputModes":["text/plain"]`) {
		t.Errorf("json: %s", b)
	}
}

func TestAgentCardEdges(t *testing.T) {
	// An endpoint field is the url; no tasks: the purpose is the one skill;
	// duplicate and unspellable tasks get numbered IDs.
	p := persona.Persona{ProfileType: persona.ProfileAgent, Revision: 1, Content: persona.Content{Name: "Bot",
		Values: persona.Values{"purpose": "Answer questions.", "endpoint": "https://bot.example.com/a2a"}}}
	card, err := persona.AgentCardOf(persona.AgentCardInput{Persona: p, PageURL: "https://pp.example.com/x"})
	if err != nil {
		t.Fatal(err)
	}
	if card.URL != "https://bot.example.com/a2a" || len(card.Skills) != 1 || card.Skills[0].Name != "Answer questions." ||
		card.Provider != nil || card.Skills[0].Tags == nil || card.DocumentationURL != "" {
		t.Errorf("card: %+v", card)
	}
	p.Values["tasks"] = []string{"Sort mail", "Sort mail", "王芳", strings.Repeat("very long task words ", 10)}
	card, _ = persona.AgentCardOf(persona.AgentCardInput{Persona: p})
	var got []string
	for _, s := range card.Skills {
		got = append(got, s.ID)
	}
	if !slices.Equal(got[:3], []string{"sort-mail", "task-2", "task-3"}) || len(got[3]) > 48 || strings.HasSuffix(got[3], "-") ||
		!strings.HasSuffix(card.Skills[3].Name, "…") {
		t.Errorf("skill IDs %v, names %+v", got, card.Skills)
	}
	// Nothing at all: no skills, an empty description, still valid JSON arrays.
	empty, err := persona.AgentCardOf(persona.AgentCardInput{Persona: persona.Persona{ProfileType: persona.ProfileAgent, Content: persona.Content{Name: "Empty"}}})
	if err != nil || empty.Skills == nil || len(empty.Skills) != 0 {
		t.Errorf("empty: %v %+v", err, empty)
	}
	// Another profile type is invalid input.
	for _, pt := range []persona.ProfileType{persona.ProfileUX, persona.ProfileMarketing, persona.ProfileArchetype} {
		x := persona.Persona{ProfileType: pt, Content: persona.Content{Name: "X"}}
		if _, err := persona.AgentCardOf(persona.AgentCardInput{Persona: x}); persona.ErrorCode(err) != persona.CodeInvalid {
			t.Errorf("%s card: %v", pt, err)
		}
		if _, err := persona.AgentSystemPrompt(x); persona.ErrorCode(err) != persona.CodeInvalid || !strings.Contains(err.Error(), "AI-agent") {
			t.Errorf("%s prompt: %v", pt, err)
		}
	}
}

func TestAgentSystemPrompt(t *testing.T) {
	md, err := persona.AgentSystemPrompt(demoAgent(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Reconciliation Assistant\n\nYou are Reconciliation Assistant, an AI agent. Shrink the exception queue",
		"## Purpose and tasks\n",
		"**Tasks** — what you do:\n\n- Suggest the three most likely counterparts",
		"**You work for:**\n\n- Payments Operations Specialist\n- System Lead\n",
		"## Autonomy\n\n**Autonomy level:** Drafts for approval. Prepare drafts and proposals; a person approves each one",
		"## Oversight\n\nYou are supervised by the **Reconciliation System Lead**",
		"**Review cadence:** Every action.",
		"## Guardrails\n\nRules you must never break:\n\n- Never match items above EUR 10,000 without a human\n",
		"**Data you may read:** Internal documents and Financial records; no other data.",
		"## Permissions\n\n**Allowed** — you may do these without asking:\n\n- Read unmatched items and statements\n",
		"**Needs approval** — Ask the Reconciliation System Lead and wait for their approval before you:\n\n- Accepting a match\n- Promoting a rule\n",
		"**Forbidden** — never do these, whoever asks:\n\n- Writing off breaks\n- Changing production rules\n- Contacting counterparties\n",
		"## Tools\n\n**Tools you may call:** ledgerline api, rules engine and vector search.",
		"## Escalation\n\nStop, say why, and hand over to the **Reconciliation System Lead** when:\n\n- Confidence below 0.7\n",
		"**Known failure modes** — watch for these in your own work:\n\n- Overconfident on round-amount payments\n",
		"revision 4.*\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("missing %q in:\n%s", want, md)
		}
	}
	// The sections come in order.
	last := -1
	for _, h := range []string{"## Purpose and tasks", "## Autonomy", "## Oversight", "## Guardrails", "## Permissions", "## Tools", "## Escalation"} {
		i := strings.Index(md, h)
		if i < last {
			t.Errorf("%s out of order", h)
		}
		last = i
	}

	// Missing fields leave their sections out; user text is escaped.
	p := persona.Persona{ProfileType: persona.ProfileAgent, Revision: 1, Content: persona.Content{Name: "Bot *bold*",
		Values: persona.Values{"guardrails": []string{"Never <script> or [link](x)"}, "escalates_to": "On-call"}}}
	md, err = persona.AgentSystemPrompt(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"## Purpose and tasks", "## Autonomy", "## Oversight", "## Permissions", "## Tools", "<script>", "[link](x)"} {
		if strings.Contains(md, absent) {
			t.Errorf("%q in:\n%s", absent, md)
		}
	}
	if !strings.Contains(md, "## Escalation\n\nWhen you are unsure, stop and hand over to the **On-call**.") ||
		!strings.Contains(md, `Bot \*bold\*`) {
		t.Errorf("prompt:\n%s", md)
	}
}
