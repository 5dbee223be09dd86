package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// BenchmarkPages measures the server time of each main page on the demo
// data (handler only: no network, real SQLite file, signed-in session).
// Run: go test ./internal/web -run '^$' -bench Pages -benchtime 200x
func BenchmarkPages(b *testing.B) {
	svc, _, h, creds := seeded(b)
	ctx := context.Background()
	secret, _, err := svc.SignIn(ctx, creds.Email, creds.Password, "bench")
	if err != nil {
		b.Fatal(err)
	}
	u, _ := svc.UserByEmail(ctx, creds.Email)
	actor, _ := svc.ActorFor(ctx, u.ID)
	page, err := svc.ListPersonas(ctx, actor, creds.OrgSlug, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		b.Fatal(err)
	}
	byName := map[string]string{}
	for _, p := range page.Items {
		byName[p.Name] = p.ID
	}
	org := "/o/" + creds.OrgSlug
	lead := org + "/personas/" + byName["System Lead"]
	templates, _ := svc.ListTemplates(ctx, actor, creds.OrgSlug)
	pages := []struct{ name, path string }{
		{"home", org},
		{"home_filtered", org + "?type=ux&status=published"},
		{"persona", lead},
		{"persona_edit", lead + "/edit"},
		{"history", lead + "/history"},
		{"new_persona_form", org + "/personas/new?template=" + templates[0].ID},
		{"search", org + "/search?q=audit"},
		{"compare_3", org + "/compare?ids=" + strings.Join([]string{byName["System Lead"], byName["Big Bank"], byName["Reconciliation Assistant"]}, ",")},
		{"templates", org + "/templates"},
		{"template_builder", org + "/templates/" + templates[0].ID},
		{"members", org + "/members"},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, pg.path, nil)
				req.AddCookie(&http.Cookie{Name: "pp_session", Value: secret})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", pg.path, rec.Code)
				}
			}
		})
	}
}
