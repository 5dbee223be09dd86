package server_test

import (
	"strings"
	"testing"
)

// An AI-agent profile as an A2A AgentCard and a system prompt over the
// API; any other profile type is 422; another organisation's member 404.
func TestAgentCardAndSystemPromptAPI(t *testing.T) {
	e := newEnv(t)
	var agents, ux listJSON[personaJSON]
	e.must(200, "GET", e.api("/personas?profile_type=agent&limit=1"), e.viewer, nil).json(t, &agents)
	e.must(200, "GET", e.api("/personas?profile_type=ux&limit=1"), e.viewer, nil).json(t, &ux)
	agent := agents.Items[0]

	var card struct {
		ProtocolVersion    string   `json:"protocolVersion"`
		Name               string   `json:"name"`
		Description        string   `json:"description"`
		URL                string   `json:"url"`
		Version            string   `json:"version"`
		DefaultInputModes  []string `json:"defaultInputModes"`
		DefaultOutputModes []string `json:"defaultOutputModes"`
		Provider           struct {
			Organization string `json:"organization"`
		} `json:"provider"`
		Skills []struct {
			ID   string   `json:"id"`
			Name string   `json:"name"`
			Tags []string `json:"tags"`
		} `json:"skills"`
	}
	e.must(200, "GET", e.api("/personas/"+agent.ID+"/agent-card"), e.viewer, nil).json(t, &card)
	if card.Name != agent.Name || card.ProtocolVersion != "0.3.0" || card.Description == "" || len(card.Skills) == 0 ||
		!strings.HasSuffix(card.URL, "/o/"+e.org+"/personas/"+agent.ID) || card.Provider.Organization != "Ledgerline (demo)" ||
		len(card.DefaultInputModes) == 0 || len(card.DefaultOutputModes) == 0 || card.Version == "" {
		t.Fatalf("card: %+v", card)
	}

	r := e.must(200, "GET", e.api("/personas/"+agent.ID+"/system-prompt.md"), e.viewer, nil)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
		t.Errorf("content type %q", ct)
	}
	for _, want := range []string{"# " + agent.Name, "## Permissions", "## Escalation", "**Forbidden**"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("system prompt lacks %q:\n%s", want, r.Body)
		}
	}

	for _, path := range []string{"/agent-card", "/system-prompt.md"} {
		p := e.must(422, "GET", e.api("/personas/"+ux.Items[0].ID+path), e.viewer, nil).problem(t)
		if !strings.Contains(p.Detail, "AI-agent") {
			t.Errorf("%s of a UX persona: %+v", path, p)
		}
		res := e.must(404, "GET", e.api("/personas/"+agent.ID+path), e.other, nil)
		if strings.Contains(string(res.Body), agent.Name) {
			t.Errorf("outsider %s: %s", path, res.Body)
		}
		e.must(404, "GET", "/api/v1/orgs/"+e.otherOr+"/personas/"+agent.ID+path, e.other, nil)
	}
}
