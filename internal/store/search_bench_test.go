package store

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

// benchWords is the harness's vocabulary (internal/bench): each word is in
// most personas' text. The rare word "zeppelin" is in 1 persona in 100.
var benchWords = strings.Fields(`audit reconciliation spreadsheet approval onboarding mainframe dashboard ledger
	breaks matching rules exceptions queue month close regulator evidence workflow team branch payments
	cards treasury controls risk review export import cloud migration analyst operations lead automation`)

func benchSentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = benchWords[r.IntN(len(benchWords))]
	}
	return strings.Join(ws, " ")
}

// seedSearchBench makes an organisation of n personas shaped like the
// harness's (a name, a summary, with the rare word in 1 in 100, about 1 KB
// of field text), every tenth with a note, each written in its own
// transaction as the server writes them (so the full-text index has the
// segments a live database has), and a second organisation of the same
// size sharing the words. It returns the first organisation's ID.
func seedSearchBench(tb testing.TB, db *DB, n int) string {
	tb.Helper()
	ctx := tb.Context()
	r := rand.New(rand.NewPCG(1, 2))
	var first string
	for o := range 2 {
		slug := "bench-" + strconv.Itoa(o)
		owner := persona.User{ID: newID(), Email: "owner@" + slug + ".example", Name: "Owner", PasswordHash: "x", CreatedAt: t0}
		if err := db.CreateUser(ctx, owner); err != nil {
			tb.Fatal(err)
		}
		org := persona.Org{ID: newID(), Slug: slug, Name: slug, CreatedAt: t0}
		if o == 0 {
			first = org.ID
		}
		tpl := persona.Template{ID: newID(), OrgID: org.ID, Name: "UX", ProfileType: persona.ProfileUX, LatestVersion: 1,
			Draft: uxDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateOrg(ctx, org, persona.Member{UserID: owner.ID, Role: persona.RoleOwner, CreatedAt: t0}, []persona.Template{tpl},
			[]persona.TemplateVersion{{TemplateID: tpl.ID, Version: 1, Definition: uxDefinition, PublishedAt: t0, PublishedBy: owner.ID}}); err != nil {
			tb.Fatal(err)
		}
		for i := range n {
			c := nurseContent("", owner.ID)
			c.Name = strings.ToUpper(benchSentence(r, 1)[:1]) + benchSentence(r, 2)[1:]
			c.Summary = benchSentence(r, 12)
			if i%100 == 7 {
				c.Summary += " zeppelin"
			}
			p := persona.Persona{ID: newID(), OrgID: org.ID, TemplateID: tpl.ID, ProfileType: persona.ProfileUX, Content: c, Revision: 1,
				CreatedAt: t0, CreatedBy: owner.ID, UpdatedAt: t0, UpdatedBy: owner.ID}
			rev := persona.Revision{PersonaID: p.ID, OrgID: org.ID, Number: 1, AuthorID: owner.ID, CreatedAt: t0, Content: c}
			if err := db.CreatePersona(ctx, p, rev, benchSentence(r, benchTextWords)); err != nil {
				tb.Fatal(err)
			}
			if i%10 == 0 {
				note := persona.Note{ID: newID(), OrgID: org.ID, Target: persona.NoteOnPersona, TargetID: p.ID, PersonaID: p.ID,
					Body: benchSentence(r, 25), AuthorID: owner.ID, CreatedAt: t0, UpdatedAt: t0}
				if err := db.CreateNote(ctx, note, persona.SearchEntry{OrgID: org.ID, Kind: persona.EntryNote, RefID: note.ID,
					PersonaID: p.ID, Title: "Note", Body: note.Body}); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	return first
}

// BenchmarkSearch measures the store's side of a search request (the
// persona search; the search over notes, variants and evidence), for
// a word in most of an organisation's personas and a word in about 1 in
// 100, in organisations of 100 and 1,000 personas (the default and the
// large harness size) on SQLite.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{100, 1000} {
		db, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
		org := seedSearchBench(b, db, n)
		for _, word := range []struct{ name, q string }{{"common", "audit"}, {"rare", "zeppelin"}} {
			for _, part := range []string{"personas", "entries"} {
				b.Run(word.name+"/"+part+"/personas="+strconv.Itoa(n), func(b *testing.B) {
					ctx := b.Context()
					hits := 0
					cpu := processCPU()
					for b.Loop() {
						if part == "personas" {
							ps, err := db.SearchPersonas(ctx, org, persona.SearchQuery{Text: word.q, Limit: 20})
							if err != nil {
								b.Fatal(err)
							}
							hits = len(ps)
						} else {
							es, err := db.SearchEntries(ctx, org, word.q, 20)
							if err != nil {
								b.Fatal(err)
							}
							hits = len(es)
						}
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e3, "cpu-µs/op")
					b.ReportMetric(float64(hits), "hits")
				})
			}
		}
		db.Close()
	}
}

// processCPU is the process's CPU time (user and system) in nanoseconds:
// on a shared machine it varies less than the wall time.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchTextWords is the length of each persona's field text in words
// (150 words is about the harness's 1.1 KB; PERSONAPAL_BENCH_TEXT_WORDS
// sets another, e.g. 600 for rows past a page that spill onto overflow
// pages).
var benchTextWords = func() int {
	if n, err := strconv.Atoi(os.Getenv("PERSONAPAL_BENCH_TEXT_WORDS")); err == nil && n > 0 {
		return n
	}
	return 150
}()
