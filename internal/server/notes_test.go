package server_test

import (
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func TestNotesOnEveryTargetWithAuthorRules(t *testing.T) {
	e := newEnv(t)
	lead := e.demoByName("System Lead")
	group := e.firstGroup(e.owner)
	var variants listJSON[variantJSON]
	e.must(200, "GET", e.api("/personas/"+lead.ID+"/variants"), e.owner, nil).json(t, &variants)

	type noteJSON struct {
		ID       string `json:"id"`
		Target   string `json:"target"`
		TargetID string `json:"target_id"`
		Body     string `json:"body"`
		AuthorID string `json:"author_id"`
	}
	payload := "Seen in **three** interviews. <script>alert(1)</script>"
	for _, path := range []string{"/notes", "/groups/" + group + "/notes", "/personas/" + lead.ID + "/notes", "/variants/" + variants.Items[0].ID + "/notes"} {
		var n noteJSON
		e.must(201, "POST", e.api(path), e.owner, map[string]any{"body": payload}).json(t, &n)
		var list listJSON[noteJSON]
		e.must(200, "GET", e.api(path), e.viewer, nil).json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != n.ID || list.Items[0].Body != payload {
			t.Fatalf("%s: %+v", path, list.Items)
		}
	}
	e.must(422, "POST", e.api("/notes"), e.owner, map[string]any{"body": "   "}).problem(t)
	e.must(403, "POST", e.api("/notes"), e.viewer, map[string]any{"body": "hi"})
	e.must(404, "GET", e.api("/personas/no-such-persona/notes"), e.owner, nil)

	// Another editor may not change the owner's note; the owner (an admin) may change anyone's.
	var list listJSON[noteJSON]
	e.must(200, "GET", e.api("/personas/"+lead.ID+"/notes"), e.owner, nil).json(t, &list)
	id := list.Items[0].ID
	editor := e.editorToken()
	e.must(403, "PUT", e.api("/notes/"+id), editor, map[string]any{"body": "mine now"})
	e.must(403, "DELETE", e.api("/notes/"+id), editor, nil)
	var mine noteJSON
	e.must(201, "POST", e.api("/personas/"+lead.ID+"/notes"), editor, map[string]any{"body": "editor's note"}).json(t, &mine)
	e.must(200, "PUT", e.api("/notes/"+mine.ID), editor, map[string]any{"body": "editor's note, edited"})
	e.must(204, "DELETE", e.api("/notes/"+mine.ID), e.owner, nil)

	// Trashing the persona hides its notes; restoring brings them back.
	e.must(204, "DELETE", e.api("/personas/"+lead.ID), e.owner, nil)
	e.must(404, "PUT", e.api("/notes/"+id), e.owner, map[string]any{"body": "x"})
	e.must(200, "POST", e.api("/personas/"+lead.ID+"/restore"), e.owner, nil)
	e.must(200, "GET", e.api("/personas/"+lead.ID+"/notes"), e.owner, nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("notes after restore: %d", len(list.Items))
	}
	e.must(404, "GET", e.api("/notes"), e.other, nil)
}

// editorToken makes a new editor of the demo organisation.
func (e *env) editorToken() string {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.t.Context(), "editor@example.com", "Eddie Editor", "editor-password-1")
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.AddMember(e.t.Context(), app.System, e.org, u.Email, persona.RoleEditor); err != nil {
		e.t.Fatal(err)
	}
	return e.tokenFor(u)
}

func TestSearchFindsVariantsAndNotesInTheOrganisationOnly(t *testing.T) {
	e := newEnv(t)
	lead := e.demoByName("System Lead")
	e.must(201, "POST", e.api("/personas/"+lead.ID+"/notes"), e.owner, map[string]any{"body": "Mentioned the quokka dashboard twice"})
	e.must(201, "POST", "/api/v1/orgs/"+e.otherOr+"/notes", e.other, map[string]any{"body": "Our own quokka plans"})
	type out struct {
		Items      []map[string]any `json:"items"`
		OtherItems []struct {
			Kind      string `json:"kind"`
			ID        string `json:"id"`
			PersonaID string `json:"persona_id"`
			Title     string `json:"title"`
			Snippet   string `json:"snippet"`
		} `json:"other_items"`
	}
	var res out
	e.must(200, "GET", e.api("/search?q=quokka"), e.viewer, nil).json(t, &res)
	if len(res.OtherItems) != 1 || res.OtherItems[0].Kind != "note" || res.OtherItems[0].PersonaID != lead.ID {
		t.Fatalf("quokka: %+v", res.OtherItems)
	}
	// The demo's Big Bank variant is found by a word of its note.
	e.must(200, "GET", e.api("/search?q=advisory+board"), e.viewer, nil).json(t, &res)
	found := false
	for _, o := range res.OtherItems {
		if o.Kind == "variant" && o.Title == "System Lead at Big Bank" {
			found = true
		}
	}
	if !found {
		t.Fatalf("variant not found: %+v", res.OtherItems)
	}
	// A trashed persona's notes and variants are not found.
	e.must(204, "DELETE", e.api("/personas/"+lead.ID), e.owner, nil)
	e.must(200, "GET", e.api("/search?q=quokka"), e.viewer, nil).json(t, &res)
	if len(res.OtherItems) != 0 {
		t.Fatalf("trashed persona's note found: %+v", res.OtherItems)
	}
}
