package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// TestAPIPersonaReferences: a persona reference is set through the API as
// a persona ID in the values; a persona of the second organisation is
// refused with a problem naming the value, worded as for a missing one;
// the target's backlinks and the organisation's relations list it; the
// other organisation's owner reaches neither (404).
func TestAPIPersonaReferences(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ids()
	def := persona.Definition{Sections: []persona.Section{{Key: "oversight", Label: "Oversight", Fields: []persona.Field{
		{Key: "role_title", Label: "Role", Kind: persona.KindText},
		{Key: "supervised_by", Label: "Supervised by", Kind: persona.KindPersona, ProfileTypes: []persona.ProfileType{persona.ProfileUX}},
	}}}}
	tm, err := e.svc.CreateTemplate(ctx, app.System, e.org, app.TemplateInput{Name: "Supervised agents", ProfileType: persona.ProfileAgent, Definition: &def})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(ctx, app.System, e.org, tm.ID); err != nil {
		t.Fatal(err)
	}
	var ux struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/personas?profile_type=ux&limit=1"), e.owner, nil).json(t, &ux)
	var foreign struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.must(200, "GET", "/api/v1/orgs/"+e.otherOr+"/personas?limit=1", e.other, nil).json(t, &foreign)
	var groups struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/groups"), e.owner, nil).json(t, &groups)
	body := func(target string) map[string]any {
		return map[string]any{"name": "Sam Supervised", "template_id": tm.ID, "group_id": groups.Items[0].ID,
			"values": map[string]any{"role_title": "Agent", "supervised_by": target}}
	}
	if len(foreign.Items) == 0 { // the second organisation's own UX persona
		ts, _ := e.svc.ListTemplates(ctx, app.System, e.otherOr)
		g, err := e.svc.CreateGroup(ctx, app.System, e.otherOr, app.GroupInput{Name: "Theirs"})
		if err != nil {
			t.Fatal(err)
		}
		for _, ot := range ts {
			if ot.ProfileType == persona.ProfileUX {
				p, err := e.svc.CreatePersona(ctx, app.System, e.otherOr, app.PersonaInput{Name: "Their Lead", TemplateID: ot.ID, GroupID: g.ID,
					OwnerID: "", Values: persona.Values{"role_title": "Lead"}})
				if err != nil {
					t.Fatal(err)
				}
				foreign.Items = append(foreign.Items, struct {
					ID string `json:"id"`
				}{p.ID})
			}
		}
	}
	{
		p := e.must(422, "POST", e.api("/personas"), e.owner, body(foreign.Items[0].ID)).problem(t)
		if locs := strings.Join(p.locations(), " "); !strings.Contains(locs, "supervised_by") || !strings.Contains(p.Errors[len(p.Errors)-1].Message, "no such persona in this organisation") {
			t.Errorf("a foreign target: %+v", p)
		}
	}
	var created struct {
		ID     string         `json:"id"`
		Values map[string]any `json:"values"`
	}
	e.must(201, "POST", e.api("/personas"), e.owner, body(ux.Items[0].ID)).json(t, &created)
	if created.Values["supervised_by"] != ux.Items[0].ID {
		t.Fatalf("created %+v", created)
	}
	var bl struct {
		Items []app.Backlink `json:"items"`
	}
	e.must(200, "GET", e.api("/personas/"+ux.Items[0].ID+"/backlinks"), e.viewer, nil).json(t, &bl)
	if !slices.ContainsFunc(bl.Items, func(b app.Backlink) bool { return b.PersonaID == created.ID && b.FieldLabel == "Supervised by" }) {
		t.Fatalf("backlinks %+v", bl.Items)
	}
	var rels struct {
		Items []struct {
			FromID  string `json:"from_id"`
			ToID    string `json:"to_id"`
			ToName  string `json:"to_name"`
			ToState string `json:"to_state"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/relations"), e.viewer, nil).json(t, &rels)
	found := false
	for _, r := range rels.Items {
		found = found || r.FromID == created.ID && r.ToID == ux.Items[0].ID && r.ToName == ux.Items[0].Name && r.ToState == "live"
	}
	if !found {
		t.Errorf("relations %+v", rels.Items)
	}
	e.must(404, "GET", e.api("/personas/"+ux.Items[0].ID+"/backlinks"), e.other, nil).problem(t)
	e.must(404, "GET", e.api("/relations"), e.other, nil).problem(t)
}
