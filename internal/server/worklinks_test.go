package server_test

import (
	"strings"
	"testing"
)

// TestAPIWorkLinks: an editor links work to a persona (the kind guessed,
// the title defaulted), a bad address is a problem+json naming the url,
// the organisation's list filters by persona and kind (an unknown kind
// is refused), a viewer reads but cannot add or remove, and a removal
// answers 204 once.
func TestAPIWorkLinks(t *testing.T) {
	e := newEnv(t)
	ids := e.ids() // links one GitHub issue to ids.persona
	base := e.api("/personas/" + ids.persona + "/work")
	type workJSON struct {
		ID        string `json:"id"`
		PersonaID string `json:"persona_id"`
		URL       string `json:"url"`
		Title     string `json:"title"`
		Kind      string `json:"kind"`
	}
	var l workJSON
	e.must(201, "POST", base, e.owner, map[string]any{"url": "https://www.figma.com/file/abc/Checkout"}).json(t, &l)
	if l.Kind != "figma" || l.Title != "www.figma.com/file/abc/Checkout" || l.PersonaID != ids.persona {
		t.Fatalf("created %+v", l)
	}
	p := e.must(422, "POST", base, e.owner, map[string]any{"url": "https://me:pw@example.com/x"}).problem(t)
	if locs := strings.Join(p.locations(), " "); !strings.Contains(locs, "url") {
		t.Errorf("a credentialed address: %+v", p)
	}
	e.must(403, "POST", base, e.viewer, map[string]any{"url": "https://github.com/a/b/issues/2"}).problem(t)

	var list struct {
		Items []workJSON `json:"items"`
	}
	e.must(200, "GET", base, e.viewer, nil).json(t, &list)
	if len(list.Items) != 2 || list.Items[1].ID != l.ID {
		t.Fatalf("the persona's work: %+v", list.Items)
	}
	e.must(200, "GET", e.api("/work?kind=figma"), e.viewer, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != l.ID {
		t.Errorf("figma work: %+v", list.Items)
	}
	e.must(200, "GET", e.api("/work?persona="+ids.persona+"&kind=github"), e.viewer, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Kind != "github" {
		t.Errorf("the persona's GitHub work: %+v", list.Items)
	}
	e.must(422, "GET", e.api("/work?kind=trello"), e.viewer, nil).problem(t)

	e.must(403, "DELETE", base+"/"+l.ID, e.viewer, nil).problem(t)
	e.must(204, "DELETE", base+"/"+l.ID, e.owner, nil)
	e.must(404, "DELETE", base+"/"+l.ID, e.owner, nil).problem(t)
}
