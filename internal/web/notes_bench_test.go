package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/web"
)

// hostileNotes are 20 notes of 20,000 characters each in the shapes that
// cost goldmark the most (issue 14 measured 7.9 s and 11 MB a view).
func hostileNotes() []string {
	shapes := []string{">", "[a](b", "*a_", "_a*", "[a](", "- > ", "> 1. ", "1. ", "[", "[a](<"}
	var out []string
	for i := range 20 {
		u := shapes[i%len(shapes)]
		out = append(out, strings.Repeat(u, persona.MaxNoteLength/len(u)))
	}
	return out
}

// BenchmarkHostileNotesPage serves the organisation's notes page holding
// 20 hostile notes: "first-view" with an empty cache of rendered Markdown
// (what every view cost before), "repeat-view" as it is served after.
// Run: go test ./internal/web -run '^$' -bench HostileNotesPage -benchtime 10x
func BenchmarkHostileNotesPage(b *testing.B) {
	svc, _, h, creds := seeded(b)
	ctx := context.Background()
	secret, _, err := svc.SignIn(ctx, creds.Email, creds.Password, "bench")
	if err != nil {
		b.Fatal(err)
	}
	u, _ := svc.UserByEmail(ctx, creds.Email)
	actor, _ := svc.ActorFor(ctx, u.ID)
	for _, md := range hostileNotes() {
		if _, err := svc.AddNote(ctx, actor, creds.OrgSlug, persona.NoteOnOrg, "", md); err != nil {
			b.Fatal(err)
		}
	}
	view := func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/o/"+creds.OrgSlug+"/notes", nil)
		req.AddCookie(&http.Cookie{Name: "pp_session", Value: secret})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d", rec.Code)
		}
	}
	b.Run("first-view", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			web.ResetMarkdownCache()
			b.StartTimer()
			view(b)
		}
	})
	b.Run("repeat-view", func(b *testing.B) {
		view(b)
		b.ReportAllocs()
		for b.Loop() {
			view(b)
		}
	})
}
