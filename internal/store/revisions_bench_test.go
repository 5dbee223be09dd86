package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// BenchmarkUpdatePersonaHistory is an update of one field (the summary) of
// a persona of the default dataset's size (about 2 KB of JSON) on SQLite:
// the persona row, its search entry and the revision (with compact history,
// reading the revisions back to the last snapshot, diffing and writing the
// delta). BenchmarkGetRevision reads the newest revision of a history of
// 40 (rebuilt from revision 33, a snapshot, and 7 deltas).
func BenchmarkUpdatePersonaHistory(b *testing.B) {
	db, f, p := benchHistoryDB(b)
	b.ReportAllocs()
	for b.Loop() {
		next, rev := updated(p, fmt.Sprint("Summary ", p.Revision))
		if err := db.UpdatePersona(b.Context(), next, rev, ""); err != nil {
			b.Fatal(err)
		}
		p = next
	}
	_ = f
}

func BenchmarkGetRevision(b *testing.B) {
	db, f, p := benchHistoryDB(b)
	for range 39 {
		next, rev := updated(p, fmt.Sprint("Summary ", p.Revision))
		if err := db.UpdatePersona(b.Context(), next, rev, ""); err != nil {
			b.Fatal(err)
		}
		p = next
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.GetRevision(b.Context(), f.Org.ID, p.ID, p.Revision); err != nil {
			b.Fatal(err)
		}
	}
}

func benchHistoryDB(b *testing.B) (*DB, orgFixture, persona.Persona) {
	b.Helper()
	ctx := b.Context()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	// mustOrg and mustPersona take a *testing.T; the same fixture here.
	f := orgFixture{Owner: persona.User{ID: newID(), Email: "owner@bench.example", Name: "owner", PasswordHash: "x", CreatedAt: t0}}
	if err := db.CreateUser(ctx, f.Owner); err != nil {
		b.Fatal(err)
	}
	f.Org = persona.Org{ID: newID(), Slug: "bench", Name: "Bench", CreatedAt: t0}
	f.UX = persona.Template{ID: newID(), OrgID: f.Org.ID, Name: "UX persona", ProfileType: persona.ProfileUX,
		LatestVersion: 1, Draft: uxDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	err = db.CreateOrg(ctx, f.Org, persona.Member{UserID: f.Owner.ID, Role: persona.RoleOwner, CreatedAt: t0}, []persona.Template{f.UX},
		[]persona.TemplateVersion{{TemplateID: f.UX.ID, Version: 1, Definition: uxDefinition, PublishedAt: t0, PublishedBy: f.Owner.ID}})
	if err != nil {
		b.Fatal(err)
	}
	p := persona.Persona{ID: newID(), OrgID: f.Org.ID, TemplateID: f.UX.ID, ProfileType: persona.ProfileUX,
		Content: nurseContent("", f.Owner.ID), Revision: 1, CreatedAt: t0, CreatedBy: f.Owner.ID, UpdatedAt: t0, UpdatedBy: f.Owner.ID}
	for i := range 12 {
		p.Values[fmt.Sprint("field_", i)] = fmt.Sprintf("A paragraph of about a hundred and twenty characters on topic %d: audit, ledger, approvals and the monthly close.", i)
	}
	rev := persona.Revision{PersonaID: p.ID, OrgID: p.OrgID, Number: 1, AuthorID: p.CreatedBy, CreatedAt: t0, Message: "Created", Content: p.Content}
	if err := db.CreatePersona(ctx, p, rev, ""); err != nil {
		b.Fatal(err)
	}
	return db, f, p
}

// BenchmarkRevisionCodec compresses and inflates a snapshot of the
// persona BenchmarkUpdatePersonaHistory edits (about 2 KB of JSON): the
// work of every snapshot written and of every revision rebuilt.
func BenchmarkRevisionCodec(b *testing.B) {
	_, _, p := benchHistoryDB(b)
	raw, err := json.Marshal(p.Content)
	if err != nil {
		b.Fatal(err)
	}
	z := deflate(raw)
	b.Run("deflate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			deflate(raw)
		}
		b.ReportMetric(float64(len(z))/float64(len(raw)), "size/raw")
	})
	b.Run("inflate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inflate(z); err != nil {
				b.Fatal(err)
			}
		}
	})
}
