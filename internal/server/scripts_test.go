package server_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// scriptNames are people named in the scripts the product must handle.
var scriptNames = []string{
	"王芳", "李娜", // Chinese: different people, one script
	"山田太郎",                            // Japanese
	"Мария Иванова", "Ольга Смирнова", // Cyrillic
	"ольга петрова",      // lower case on purpose
	"Μαρία Παπαδοπούλου", // Greek
	"محمد عبد الله",      // Arabic
	"דוד כהן",            // Hebrew
	"Nguyễn Thị Minh",    // Vietnamese
	"Łódź Wiśniewska",    // Polish
}

// TestNamesInEveryScript creates personas named in Chinese, Japanese,
// Cyrillic, Greek, Arabic, Hebrew, Vietnamese and Polish through the API:
// each keeps its name, is found by it, and the folded searches find the
// accented names ("lodz" → Łódź, "nguyen" → Nguyễn, "Ольга" → ольга). New
// organisations named in those scripts get ASCII slugs that never collide.
func TestNamesInEveryScript(t *testing.T) {
	e := newEnv(t)
	tmpl := e.templateFor(e.owner, persona.ProfileUX)
	group := e.firstGroup(e.owner)
	values, _ := validValues(tmpl.Draft)
	ids := map[string]string{}
	for _, n := range scriptNames {
		var p personaJSON
		e.must(201, "POST", e.api("/personas"), e.owner, map[string]any{"name": n, "template_id": tmpl.ID, "group_id": group, "values": values}).json(t, &p)
		if p.Name != n {
			t.Errorf("created %q as %q", n, p.Name)
		}
		ids[n] = p.ID
	}
	search := func(q string) []string {
		t.Helper()
		var hits struct {
			Items []struct {
				PersonaID string `json:"persona_id"`
				Name      string `json:"name"`
			} `json:"items"`
		}
		e.must(200, "GET", e.api("/search?limit=50&q="+url.QueryEscape(q)), e.owner, nil).json(t, &hits)
		var names []string
		for _, h := range hits.Items {
			if slices.Contains(scriptNames, h.Name) {
				names = append(names, h.Name)
			}
		}
		slices.Sort(names)
		return names
	}
	for _, n := range scriptNames {
		if got := search(n); !slices.Contains(got, n) || (n == "王芳" && slices.Contains(got, "李娜")) {
			t.Errorf("search %q found %q", n, got)
		}
	}
	for q, want := range map[string][]string{
		"lodz": {"Łódź Wiśniewska"}, "wisniewska": {"Łódź Wiśniewska"}, "ŁÓDŹ": {"Łódź Wiśniewska"},
		"nguyen": {"Nguyễn Thị Minh"}, "nguyen thi minh": {"Nguyễn Thị Minh"},
		"Ольга": {"Ольга Смирнова", "ольга петрова"}, "мария": {"Мария Иванова"},
		"μαρια": {"Μαρία Παπαδοπούλου"}, "王芳": {"王芳"}, "山田": {"山田太郎"},
	} {
		if got := search(q); !slices.Equal(got, want) {
			t.Errorf("search %q found %q, want %q", q, got, want)
		}
	}

	// Organisation slugs stay ASCII and never collide.
	slugs := map[string]bool{}
	for _, name := range []string{"王芳工作室", "李娜工作室", "Ольга и партнёры", "Αθήνα Labs", "شركة النور", "Łódź Works", "Nguyễn & Co"} {
		var org struct {
			Slug string `json:"slug"`
			Name string `json:"name"`
		}
		e.must(201, "POST", "/api/v1/orgs", e.other, map[string]any{"name": name}).json(t, &org)
		if !persona.ValidSlug(org.Slug) || slugs[org.Slug] || org.Name != name {
			t.Errorf("organisation %q: slug %q (taken before: %v), name %q", name, org.Slug, slugs[org.Slug], org.Name)
		}
		slugs[org.Slug] = true
		e.must(200, "GET", "/api/v1/orgs/"+org.Slug, e.other, nil)
	}
	for _, want := range []string{"olga-i-partnery", "athina-labs", "lodz-works", "nguyen-co"} {
		if !slugs[want] {
			t.Errorf("no organisation slug %q among %v", want, slugs)
		}
	}
	n := 0
	for s := range slugs {
		if strings.HasPrefix(s, "org-") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d slugs of names without Latin letters, want 3 unique org-… slugs: %v", n, slugs)
	}
}
