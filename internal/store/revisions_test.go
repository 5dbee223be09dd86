package store

import (
	"bytes"
	stdflate "compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func TestCompactHistorySQLite(t *testing.T) { testCompactHistory(t, openSQLite(t)) }

func TestCompactHistoryPostgres(t *testing.T) { testCompactHistory(t, openPostgresOrSkip(t)) }

// fullReading is what the store read for a revision before compact
// history: the content encoded whole and decoded.
func fullReading(t *testing.T, c persona.Content) persona.Content {
	t.Helper()
	raw, err := jsonText(c)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeContent([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// randomEdit changes c as editors do: one or a few fields, values removed
// and retired, dimensions cleared, the whole content replaced now and then.
func randomEdit(r *rand.Rand, c persona.Content, i int) persona.Content {
	c.Values, c.Dimensions, c.Retired = copyValues(c.Values), copyValues(c.Dimensions), copyValues(c.Retired)
	switch r.IntN(10) {
	case 0:
		c.Summary = fmt.Sprintf("Summary %d", i)
	case 1:
		delete(c.Values, "bio")
	case 2:
		if c.Retired == nil {
			c.Retired = persona.Values{}
		}
		c.Retired[fmt.Sprint("old_", r.IntN(3))] = []string{"kept", fmt.Sprint(i)}
	case 3:
		c.Retired = nil
	case 4:
		c.Dimensions = persona.Values{}
	case 5:
		c.Dimensions = persona.Values{"technical_comfort": float64(r.IntN(5) + 1), "buying_role": "user"}
	case 6: // everything new: stored as a snapshot
		c.Values = persona.Values{}
		for k := range 12 {
			c.Values[fmt.Sprint("field_", k)] = fmt.Sprintf("A new paragraph %d for field %d, long enough to matter in a delta against the snapshot.", i, k)
		}
	case 7:
		c.Values = nil
	case 8:
		c.LastReviewedOn, c.ReviewIntervalDays, c.Status = "2026-12-03", 90, persona.StatusDraft
	default:
		if c.Values == nil {
			c.Values = persona.Values{}
		}
		c.Values["goals"] = []any{"Finish handover", fmt.Sprint("goal ", i)} // []any, as JSON decodes
		c.Values["age"] = r.IntN(50) + 20                                    // an int: read back as float64
	}
	return c
}

func copyValues(v persona.Values) persona.Values {
	if v == nil {
		return nil
	}
	out := make(persona.Values, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

func testCompactHistory(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "compact")
	p := mustPersona(t, db, f, "")
	wants := []persona.Content{{}, fullReading(t, p.Content)}
	r := rand.New(rand.NewPCG(20, 41))
	cur := p
	update := func(db *DB, i int) {
		next, rev := updated(cur, cur.Summary)
		next.Content = randomEdit(r, cur.Content, i)
		rev.Content = next.Content
		wantNoErr(t, db.UpdatePersona(ctx, next, rev, ""), fmt.Sprintf("update to revision %d", next.Revision))
		cur = next
		wants = append(wants, fullReading(t, next.Content))
	}
	for i := range 40 {
		update(db, i)
	}
	// Several updates in one transaction see the revisions written before
	// them in it.
	wantNoErr(t, db.InTx(ctx, func(tx app.Store) error {
		for i := range 3 {
			update(tx.(*DB), 100+i)
		}
		return nil
	}), "updates in one transaction")
	last := cur.Revision
	wantEqual(t, last, 44, "revisions written")

	check := func(label string) {
		t.Helper()
		revs, err := db.ListRevisions(ctx, f.Org.ID, p.ID)
		wantNoErr(t, err, "ListRevisions")
		wantEqual(t, len(revs), last, label+": revision count")
		for i, rev := range revs {
			n := last - i
			wantEqual(t, rev.Number, n, label+": order")
			wantEqual(t, rev.Content, wants[n], fmt.Sprintf("%s: ListRevisions content of %d", label, n))
			got, err := db.GetRevision(ctx, f.Org.ID, p.ID, n)
			wantNoErr(t, err, "GetRevision")
			wantEqual(t, got, rev, fmt.Sprintf("%s: GetRevision %d", label, n))
		}
		_, err = db.GetRevision(ctx, f.Org.ID, p.ID, last+1)
		wantCode(t, err, persona.CodeNotFound, label+": revision after the last")
		_, err = db.GetRevision(ctx, f.Org.ID, p.ID, 0)
		wantCode(t, err, persona.CodeNotFound, label+": revision 0")
	}
	check("compact")

	// The stored forms: 1, 17 and 33 are snapshots, most others deltas,
	// snapshots are packed.
	type form struct {
		kind   string
		packed bool
		size   int
	}
	forms := map[int]form{}
	rows, err := db.q().QueryContext(ctx, `SELECT number, content_kind, content_packed IS NOT NULL, length(CAST(content AS TEXT))
		FROM persona_revisions WHERE org_id = $1 AND persona_id = $2`, f.Org.ID, p.ID)
	wantNoErr(t, err, "read the forms")
	deltas := 0
	for rows.Next() {
		var (
			n  int
			fm form
		)
		wantNoErr(t, rows.Scan(&n, &fm.kind, &fm.packed, &fm.size), "scan a form")
		forms[n] = fm
		if fm.kind == revisionDelta {
			deltas++
		}
	}
	wantNoErr(t, rows.Err(), "forms")
	for _, n := range []int{1, 17, 33} {
		wantEqual(t, forms[n].kind, revisionFull, fmt.Sprintf("revision %d is a snapshot", n))
	}
	if !forms[1].packed {
		t.Errorf("revision 1 (%d bytes of JSON) is not packed", forms[1].size)
	}
	if deltas < 25 {
		t.Errorf("only %d of %d revisions are deltas: %v", deltas, last, forms)
	}

	// Older rows (before migration 00041) are unpacked snapshots: a history
	// of those reads the same, and the next update is a delta on it.
	_, err = db.db.ExecContext(ctx, `DELETE FROM persona_revisions WHERE org_id = $1 AND persona_id = $2`, f.Org.ID, p.ID)
	wantNoErr(t, err, "clear the history")
	for n := 1; n <= last; n++ {
		raw, err := jsonText(wants[n])
		wantNoErr(t, err, "encode")
		_, err = db.db.ExecContext(ctx, `INSERT INTO persona_revisions (org_id, persona_id, number, author_id, message, created_at, content)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.Org.ID, p.ID, n, f.Owner.ID, "", ts(t0), raw)
		wantNoErr(t, err, "insert an old-style revision")
	}
	update(db, 200)
	last++
	var kind string
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT content_kind FROM persona_revisions WHERE org_id = $1 AND persona_id = $2 AND number = $3`,
		f.Org.ID, p.ID, last).Scan(&kind), "form of the update after old rows")
	if kind != revisionDelta && (last-1)%snapshotEvery != 0 {
		// A big edit is a snapshot anyway: only say so when the delta was small.
		d := persona.DiffContent(wants[last-1], wants[last])
		if raw, _ := jsonText(d); len(raw) < 200 {
			t.Errorf("revision %d after old-style rows is %s, its delta %s", last, kind, raw)
		}
	}
	// Messages and timestamps are not compared above for the old rows.
	revs, err := db.ListRevisions(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "ListRevisions after old rows")
	for i, rev := range revs {
		wantEqual(t, rev.Content, wants[last-i], fmt.Sprintf("content of %d after old rows", last-i))
	}
	got, err := db.GetRevision(ctx, f.Org.ID, p.ID, last)
	wantNoErr(t, err, "GetRevision after old rows")
	wantEqual(t, got.Content, wants[last], "GetRevision after old rows")
}

func TestCompactHistoryDownMigrationSQLite(t *testing.T) { testCompactHistoryDown(t, openSQLite(t)) }

func TestCompactHistoryDownMigrationPostgres(t *testing.T) {
	testCompactHistoryDown(t, openPostgresOrSkip(t))
}

// testCompactHistoryDown: migration 00041 cannot be undone while a revision
// is stored compactly (older code would misread it), and can be once none
// is.
func testCompactHistoryDown(t *testing.T, db *DB) {
	ctx := t.Context()
	gd := goose.DialectSQLite3
	if db.d.name == DialectPostgres {
		gd = goose.DialectPostgres
	}
	fsys, err := fs.Sub(migrationFS, "migrations/"+db.d.name)
	wantNoErr(t, err, "migrations")
	p, err := goose.NewProvider(gd, db.db.DB, fsys, goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
	wantNoErr(t, err, "provider")

	f := mustOrg(t, db, "down")
	pe := mustPersona(t, db, f, "")
	next, rev := updated(pe, "A delta")
	wantNoErr(t, db.UpdatePersona(ctx, next, rev, ""), "update")
	if _, err := p.ApplyVersion(ctx, 41, false); err == nil {
		t.Fatal("migration 00041 went down with compact revisions stored")
	}
	var kinds int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT count(*) FROM persona_revisions WHERE content_kind = 'delta'`).Scan(&kinds), "revisions kept")
	wantEqual(t, kinds, 1, "delta revisions after the refused down migration")

	// Without compact rows (the persona's history replaced by plain
	// snapshots) it goes down, and up again.
	for _, n := range []int{1, 2} {
		raw, err := jsonText(next.Content)
		wantNoErr(t, err, "encode")
		_, err = db.db.ExecContext(ctx, `UPDATE persona_revisions SET content = $1, content_kind = 'full', content_packed = NULL
			WHERE org_id = $2 AND persona_id = $3 AND number = $4`, raw, f.Org.ID, pe.ID, n)
		wantNoErr(t, err, "plain snapshot")
	}
	_, err = p.ApplyVersion(ctx, 41, false)
	wantNoErr(t, err, "down migration without compact rows")
	_, err = p.ApplyVersion(ctx, 41, true)
	wantNoErr(t, err, "up again")
	got, err := db.GetRevision(ctx, f.Org.ID, pe.ID, 2)
	wantNoErr(t, err, "GetRevision after down and up")
	wantEqual(t, got.Content, fullReading(t, next.Content), "revision 2 after down and up")
}

// TestInflateReadsStandardLibrarySnapshots: databases written before the
// switch to klauspost/compress hold snapshots deflated by the standard
// library's compress/flate; they read back byte for byte, and what the
// store writes now reads with the standard library too.
func TestInflateReadsStandardLibrarySnapshots(t *testing.T) {
	raw, err := json.Marshal(nurseContent("", "u1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []int{stdflate.BestSpeed, stdflate.DefaultCompression} {
		var b bytes.Buffer
		w, _ := stdflate.NewWriter(&b, level)
		_, _ = w.Write(raw)
		_ = w.Close()
		got, err := inflate(b.Bytes())
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("level %d: inflate = %q, %v; want the original %d bytes", level, got, err, len(raw))
		}
	}
	back, err := io.ReadAll(stdflate.NewReader(bytes.NewReader(deflate(raw))))
	if err != nil || !bytes.Equal(back, raw) {
		t.Fatalf("the standard library reads %q, %v", back, err)
	}
}
