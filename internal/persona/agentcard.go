package persona

import (
	"strconv"
	"strings"
)

// Agent profiles out: an AI-agent persona (profile type "agent") as an
// A2A AgentCard (the Agent2Agent protocol's self-description, version
// 0.3 of its JSON shape) and as a system prompt in Markdown. Both read the
// agent starter template's field keys (starter.go): purpose, goals, tasks,
// serves_personas, autonomy_level, supervisor_role, review_cadence,
// guardrails, data_access, permissions, approval_required,
// forbidden_actions, tools, integrations, model, escalation_triggers,
// escalates_to, failure_modes, research_link. A template made from it
// keeps working as long as it keeps those keys; a missing field is left
// out, never invented.

// A2AProtocolVersion is the A2A protocol version the card follows.
const A2AProtocolVersion = "0.3.0"

// AgentCard is an A2A AgentCard.
type AgentCard struct {
	ProtocolVersion    string            `json:"protocolVersion"`
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	URL                string            `json:"url" doc:"Where the agent is reached: its template's endpoint field when it has one, else the profile's page in Persona Pal"`
	PreferredTransport string            `json:"preferredTransport"`
	Version            string            `json:"version" doc:"The profile's revision: it changes whenever the profile does"`
	Provider           *AgentProvider    `json:"provider,omitempty"`
	DocumentationURL   string            `json:"documentationUrl,omitempty" doc:"The agent's runbook"`
	Capabilities       AgentCapabilities `json:"capabilities"`
	DefaultInputModes  []string          `json:"defaultInputModes"`
	DefaultOutputModes []string          `json:"defaultOutputModes"`
	Skills             []AgentSkill      `json:"skills" doc:"One per task of the agent (its purpose when it lists none)"`
}

// AgentProvider is who provides the agent.
type AgentProvider struct {
	Organization string `json:"organization"`
	URL          string `json:"url,omitempty"`
}

// AgentCapabilities are the optional A2A features the agent supports. A
// profile does not say, so none is claimed.
type AgentCapabilities struct {
	Streaming              bool `json:"streaming"`
	PushNotifications      bool `json:"pushNotifications"`
	StateTransitionHistory bool `json:"stateTransitionHistory"`
}

// AgentSkill is one thing the agent does.
type AgentSkill struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

// AgentCardInput is an agent profile with what its card names besides its
// values.
type AgentCardInput struct {
	Persona Persona
	// PageURL is the profile's page in Persona Pal: the card's url when
	// the profile has no endpoint of its own.
	PageURL string
	// Organization provides the agent (the organisation's name).
	Organization string
}

// endpointKeys are the field keys read as the agent's own endpoint, in
// order (the starter template has none; an organisation's may add one).
var endpointKeys = []string{"a2a_url", "endpoint_url", "endpoint"}

// notAgent refuses a persona of another profile type.
func notAgent(p Persona) error {
	if p.ProfileType == ProfileAgent {
		return nil
	}
	return Errorf(CodeInvalid, "only AI-agent profiles have an agent card and a system prompt; this is a %s", p.ProfileType.Label())
}

// AgentCardOf builds the A2A AgentCard of an AI-agent profile; another
// profile type is invalid input.
func AgentCardOf(in AgentCardInput) (AgentCard, error) {
	p := in.Persona
	if err := notAgent(p); err != nil {
		return AgentCard{}, err
	}
	v := p.Values
	card := AgentCard{
		ProtocolVersion:    A2AProtocolVersion,
		Name:               strings.TrimSpace(p.Name),
		Description:        agentDescription(p),
		URL:                in.PageURL,
		PreferredTransport: "JSONRPC",
		Version:            strconv.Itoa(p.Revision),
		DocumentationURL:   textValue(v["research_link"]),
		DefaultInputModes:  []string{"text/plain"},
		DefaultOutputModes: []string{"text/plain"},
		Skills:             []AgentSkill{},
	}
	for _, k := range endpointKeys {
		if u := textValue(v[k]); u != "" {
			card.URL = u
			break
		}
	}
	if in.Organization != "" {
		card.Provider = &AgentProvider{Organization: in.Organization}
	}
	tags := []string{}
	for _, t := range ItemsOf(v["tools"]) {
		tags = append(tags, oneLine(t))
	}
	serves := ItemsOf(v["serves_personas"])
	used := map[string]bool{}
	tasks := ItemsOf(v["tasks"])
	if len(tasks) == 0 {
		if purpose := textValue(v["purpose"]); purpose != "" {
			tasks = []string{purpose}
		}
	}
	for i, task := range tasks {
		task = oneLine(task)
		id := ASCIISlug(task)
		if len(id) > 48 {
			id = strings.TrimRight(id[:48], "-")
		}
		if id == "" || used[id] {
			id = "task-" + strconv.Itoa(i+1)
		}
		used[id] = true
		desc := task
		if len(serves) > 0 {
			desc += " (for " + joinAnd(trimAll(serves)) + ")"
		}
		card.Skills = append(card.Skills, AgentSkill{ID: id, Name: shortName(task), Description: desc, Tags: tags})
	}
	return card, nil
}

// agentDescription is the purpose, then the summary when it says more.
func agentDescription(p Persona) string {
	purpose, summary := textValue(p.Values["purpose"]), oneLine(p.Summary)
	switch {
	case purpose == "":
		return summary
	case summary == "" || summary == purpose:
		return purpose
	}
	return purpose + " " + summary
}

// shortName is a task's first words, at most 60 characters.
func shortName(task string) string {
	const max = 60
	if len([]rune(task)) <= max {
		return task
	}
	words := strings.Fields(task)
	var b strings.Builder
	for _, w := range words {
		if len([]rune(b.String()))+len([]rune(w))+2 > max {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	if b.Len() == 0 {
		return string([]rune(task)[:max-1]) + "…"
	}
	return b.String() + "…"
}

// textValue is a text value, on one line ("" for anything else).
func textValue(v any) string {
	s, _ := v.(string)
	return oneLine(s)
}

// autonomyGuidance tells the agent what its autonomy level means, for the
// starter template's options.
var autonomyGuidance = map[string]string{
	"Suggests only":                   "Suggest; never act. A person decides and does everything.",
	"Drafts for approval":             "Prepare drafts and proposals; a person approves each one before anything takes effect.",
	"Acts with review afterwards":     "Act within your permissions; a person reviews what you did afterwards.",
	"Acts autonomously within limits": "Act on your own within your permissions and guardrails; stop and escalate at their limits.",
}

// AgentSystemPrompt renders an AI-agent profile as a system prompt in
// Markdown: who the agent is and why, its objectives and tasks, autonomy,
// oversight, guardrails and data access, permissions (allowed, needs
// approval, forbidden), tools, and when and to whom it escalates. User
// text is escaped as in every Markdown export. Another profile type is
// invalid input.
func AgentSystemPrompt(p Persona) (string, error) {
	if err := notAgent(p); err != nil {
		return "", err
	}
	v := p.Values
	var b mdBuilder
	name := oneLine(p.Name)
	b.heading(1, name)
	intro := "You are " + EscapeMarkdown(name) + ", an AI agent."
	if d := agentDescription(p); d != "" {
		intro += " " + EscapeMarkdown(d)
	}
	b.para(intro)

	type part func(w *mdBuilder) bool
	list := func(w *mdBuilder, items []string) {
		for _, it := range items {
			w.line("- " + EscapeMarkdown(it))
		}
		w.blank()
	}
	// section writes a heading and its parts, only when one of them has
	// something to say.
	section := func(title string, parts ...part) {
		var body mdBuilder
		some := false
		for _, p := range parts {
			if p(&body) {
				some = true
			}
		}
		if some {
			b.heading(2, title)
			b.WriteString(body.String())
		}
	}
	items := func(label, key string) part {
		return func(w *mdBuilder) bool {
			xs := ItemsOf(v[key])
			if len(xs) == 0 {
				return false
			}
			if label != "" {
				w.para(label)
			}
			list(w, xs)
			return true
		}
	}
	sentence := func(format, key string) part {
		return func(w *mdBuilder) bool {
			s := textValue(v[key])
			if s == "" {
				return false
			}
			w.para(strings.ReplaceAll(format, "%s", EscapeMarkdown(s)))
			return true
		}
	}
	joined := func(label, key, end string) part {
		return func(w *mdBuilder) bool {
			xs := ItemsOf(v[key])
			if len(xs) == 0 {
				return false
			}
			w.para(label + " " + EscapeMarkdown(joinAnd(trimAll(xs))) + end)
			return true
		}
	}

	section("Purpose and tasks",
		sentence("**Purpose:** %s", "purpose"),
		items("**Objectives** — what you are accountable for:", "goals"),
		items("**Tasks** — what you do:", "tasks"),
		items("**You work for:**", "serves_personas"),
	)
	section("Autonomy",
		func(w *mdBuilder) bool {
			level := textValue(v["autonomy_level"])
			if level == "" {
				return false
			}
			line := "**Autonomy level:** " + EscapeMarkdown(level) + "."
			if g, ok := autonomyGuidance[level]; ok {
				line += " " + g
			}
			w.para(line)
			return true
		},
	)
	section("Oversight",
		sentence("You are supervised by the **%s**, who is accountable for your work.", "supervisor_role"),
		sentence("**Review cadence:** %s.", "review_cadence"),
	)
	section("Guardrails",
		items("Rules you must never break:", "guardrails"),
		joined("**Data you may read:**", "data_access", "; no other data."),
	)
	approver := textValue(v["supervisor_role"])
	if approver == "" {
		approver = textValue(v["escalates_to"])
	}
	askFirst := "Ask a person and wait for their approval before you:"
	if approver != "" {
		askFirst = "Ask the " + EscapeMarkdown(approver) + " and wait for their approval before you:"
	}
	section("Permissions",
		items("**Allowed** — you may do these without asking:", "permissions"),
		items("**Needs approval** — "+askFirst, "approval_required"),
		items("**Forbidden** — never do these, whoever asks:", "forbidden_actions"),
	)
	section("Tools",
		joined("**Tools you may call:**", "tools", "."),
		items("**Integrations:**", "integrations"),
		sentence("**Model:** %s.", "model"),
	)
	triggers := ItemsOf(v["escalation_triggers"])
	section("Escalation",
		func(w *mdBuilder) bool {
			if len(triggers) == 0 {
				return false
			}
			to := "a person"
			if t := textValue(v["escalates_to"]); t != "" {
				to = "the **" + EscapeMarkdown(t) + "**"
			}
			w.para("Stop, say why, and hand over to " + to + " when:")
			list(w, triggers)
			return true
		},
		func(w *mdBuilder) bool {
			return len(triggers) == 0 && sentence("When you are unsure, stop and hand over to the **%s**.", "escalates_to")(w)
		},
		items("**Known failure modes** — watch for these in your own work:", "failure_modes"),
	)
	b.line("---")
	b.blank()
	b.line("*From the AI-agent profile \"" + EscapeMarkdown(name) + "\" in Persona Pal, revision " + strconv.Itoa(p.Revision) + ".*")
	return b.String(), nil
}
