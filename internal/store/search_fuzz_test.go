package store

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/persona"
)

// searchSeeds are hostile queries: SQL, FTS5 and tsquery syntax, odd
// scripts and bytes, and sizes far past the term limits. More seeds live
// in testdata/fuzz/FuzzSearch.
var searchSeeds = []string{
	"cardio", "Night NURSE cardiology", "o'neil", `"o'neil"`, "école", "ecole", "日本語", "straße",
	`'; DROP TABLE personas; --`, `" OR 1=1 --`, `%_`, `\`, "\x00", "\xff\xfe", "nurse\x02\x03",
	`"NEAR(" * ^ -`, `NEAR(a b, 3)`, `name:nadia`, `{name summary}: x`, `-nadia`, `^nadia`, `nadia*`, `"nadia`,
	`AND OR NOT`, `a AND (b OR`, `'a':* & !b | c <-> d`, `a & b | !c`, `nadia:*`, `(`, `)`, `<->`, `!!`,
	"and or not near", strings.Repeat("nadia ", 100), strings.Repeat("x", 300), strings.Repeat("ü", 70),
	strings.Repeat("a ", 1<<19), "e\u0301cole \u0301", "😀 nurse",
}

// FuzzSearch runs fuzzed queries through the search of a real SQLite
// database seeded with personas and notes in two organisations. No query
// makes it fail (an SQL or FTS syntax error would surface as an error
// here), and hits are only the organisation's own, within the limit, with
// balanced, valid snippets.
func FuzzSearch(f *testing.F) {
	for _, q := range searchSeeds {
		f.Add(q)
	}
	db, err := Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if err := db.Migrate(f.Context()); err != nil {
		f.Fatal(err)
	}
	fx := seedSearch(f, db)
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 256 && fuzzing() {
			// Seeds run at any size; fuzzer-made inputs stay small so
			// that minimising one does not stall fuzzing.
			return
		}
		if msg := fx.check(t.Context(), db, q); msg != "" {
			t.Fatal(msg)
		}
	})
}

// TestSearchSeedsPostgres runs FuzzSearch's seed corpus against
// PostgreSQL (tsquery instead of FTS5).
func TestSearchSeedsPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PERSONAPAL_TEST_POSTGRES is not set; CI must run the store suite on PostgreSQL")
		}
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	db := openPostgres(t)
	fx := seedSearch(t, db)
	seeds := append(append([]string{}, searchSeeds...), corpusStrings(t, "FuzzSearch")...)
	if len(seeds) == len(searchSeeds) {
		t.Fatal("no seed files in testdata/fuzz/FuzzSearch")
	}
	for _, q := range seeds {
		if msg := fx.check(t.Context(), db, q); msg != "" {
			t.Error(msg)
		}
	}
	// The seeds do find things: the check is not passing on empty results.
	for q, want := range map[string]int{"cardio": 4, "nadia": 1, "o'neil": 1} {
		hits, err := db.SearchPersonas(t.Context(), fx.org, persona.SearchQuery{Text: q})
		if err != nil || len(hits) != want {
			t.Errorf("%s: %d hits, %v; want %d", q, len(hits), err, want)
		}
	}
}

type searchFixture struct {
	org   string
	own   map[string]bool // persona, note IDs of org
	other map[string]bool // of the other organisation
}

// seedSearch writes two organisations with the same words in their
// personas and notes.
func seedSearch(tb testing.TB, db *DB) searchFixture {
	tb.Helper()
	ctx := tb.Context()
	fx := searchFixture{own: map[string]bool{}, other: map[string]bool{}}
	for i, slug := range []string{"fuzz-search", "fuzz-search-other"} {
		ids := fx.own
		if i == 1 {
			ids = fx.other
		}
		owner := persona.User{ID: newID(), Email: "owner@" + slug + ".example", Name: "Owner", PasswordHash: "x", CreatedAt: t0}
		if err := db.CreateUser(ctx, owner); err != nil {
			tb.Fatal(err)
		}
		org := persona.Org{ID: newID(), Slug: slug, Name: slug, CreatedAt: t0}
		if i == 0 {
			fx.org = org.ID
		}
		tpl := persona.Template{ID: newID(), OrgID: org.ID, Name: "UX", ProfileType: persona.ProfileUX, LatestVersion: 1,
			Draft: uxDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateOrg(ctx, org, persona.Member{UserID: owner.ID, Role: persona.RoleOwner, CreatedAt: t0}, []persona.Template{tpl},
			[]persona.TemplateVersion{{TemplateID: tpl.ID, Version: 1, Definition: uxDefinition, PublishedAt: t0, PublishedBy: owner.ID}}); err != nil {
			tb.Fatal(err)
		}
		for j, name := range []string{"Nadia the night-shift nurse", `Dana "Quotes" O'Neil`, "Élodie, école straße 日本語テキスト 😀",
			"'; DROP TABLE personas; -- NEAR(a b) * ^ - & | ! :*"} {
			c := nurseContent("", owner.ID)
			c.Name = name
			c.Summary = strings.Repeat(name+" ", j+1)
			p := persona.Persona{ID: newID(), OrgID: org.ID, TemplateID: tpl.ID, ProfileType: persona.ProfileUX, Content: c, Revision: 1,
				CreatedAt: t0, CreatedBy: owner.ID, UpdatedAt: t0, UpdatedBy: owner.ID}
			rev := persona.Revision{PersonaID: p.ID, OrgID: org.ID, Number: 1, AuthorID: owner.ID, CreatedAt: t0, Content: c}
			if err := db.CreatePersona(ctx, p, rev, persona.SearchText(c)); err != nil {
				tb.Fatal(err)
			}
			ids[p.ID] = true
			n := persona.Note{ID: newID(), OrgID: org.ID, Target: persona.NoteOnPersona, TargetID: p.ID, PersonaID: p.ID,
				Body: "Pager fatigue; " + name, AuthorID: owner.ID, CreatedAt: t0, UpdatedAt: t0}
			if err := db.CreateNote(ctx, n, persona.SearchEntry{OrgID: org.ID, Kind: persona.EntryNote, RefID: n.ID, PersonaID: p.ID,
				Title: "Note", Body: n.Body}); err != nil {
				tb.Fatal(err)
			}
			ids[n.ID] = true
		}
	}
	return fx
}

// check searches personas (with and without filters) and entries for q,
// and says what is wrong, or returns "".
func (fx searchFixture) check(ctx context.Context, db *DB, q string) string {
	limit := len(q) % 7 // 0 is the default limit
	want := limit
	if want == 0 {
		want = defaultSearchLimit
	}
	noTerms := len(persona.SearchTerms(q)) == 0
	queries := []persona.SearchQuery{{Text: q, Limit: limit}}
	if len(q)%2 == 1 { // with filters too, for half the queries
		queries = append(queries, persona.SearchQuery{Text: q, Limit: limit, ProfileType: persona.ProfileUX, GroupID: "'; DROP TABLE groups; --"})
	}
	for _, sq := range queries {
		hits, err := db.SearchPersonas(ctx, fx.org, sq)
		if msg := searchErr(err); msg != "" {
			return "SearchPersonas(" + strconv.Quote(q) + "): " + msg
		}
		if len(hits) > want || (noTerms && len(hits) > 0) {
			return "SearchPersonas(" + strconv.Quote(q) + "): " + strconv.Itoa(len(hits)) + " hits"
		}
		for _, h := range hits {
			if !fx.own[h.PersonaID] {
				return "SearchPersonas(" + strconv.Quote(q) + ") found " + h.PersonaID + ", not the organisation's"
			}
			if msg := snippetProblem(h.Snippet); msg != "" {
				return "SearchPersonas(" + strconv.Quote(q) + "): " + msg
			}
		}
	}
	hits, err := db.SearchEntries(ctx, fx.org, q, limit)
	if msg := searchErr(err); msg != "" {
		return "SearchEntries(" + strconv.Quote(q) + "): " + msg
	}
	if len(hits) > want || (noTerms && len(hits) > 0) {
		return "SearchEntries(" + strconv.Quote(q) + "): " + strconv.Itoa(len(hits)) + " hits"
	}
	for _, h := range hits {
		if !fx.own[h.ID] {
			return "SearchEntries(" + strconv.Quote(q) + ") found " + h.ID + ", not the organisation's"
		}
		if msg := snippetProblem(h.Snippet); msg != "" {
			return "SearchEntries(" + strconv.Quote(q) + "): " + msg
		}
	}
	return ""
}

// searchErr allows no error but a clean invalid-input one.
func searchErr(err error) string {
	if err == nil || persona.ErrorCode(err) == persona.CodeInvalid {
		return ""
	}
	return "error reaches the caller: " + err.Error()
}

func snippetProblem(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8 snippet " + strconv.Quote(s)
	}
	depth := 0
	for _, b := range []byte(s) {
		switch string(b) {
		case persona.SnippetOpen:
			depth++
		case persona.SnippetClose:
			depth--
		}
		if depth < 0 || depth > 1 {
			return "unbalanced snippet " + strconv.Quote(s)
		}
	}
	if depth != 0 {
		return "unbalanced snippet " + strconv.Quote(s)
	}
	return ""
}

// fuzzing reports whether the test binary is fuzzing (-test.fuzz set)
// rather than running the seed corpus.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// corpusStrings reads the string values of the seed files in
// testdata/fuzz/<target> (go test's corpus format).
func corpusStrings(t *testing.T, target string) []string {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		sc.Buffer(nil, len(b)+1)
		if !sc.Scan() || sc.Text() != "go test fuzz v1" {
			t.Fatalf("%s: not a corpus file", e.Name())
		}
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if inner, ok := strings.CutPrefix(line, "string("); ok && strings.HasSuffix(inner, ")") {
				s, err := strconv.Unquote(strings.TrimSuffix(inner, ")"))
				if err != nil {
					t.Fatalf("%s: %v", e.Name(), err)
				}
				out = append(out, s)
			}
		}
	}
	return out
}
