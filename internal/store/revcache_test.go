package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func TestRevisionCacheSQLite(t *testing.T) { testRevisionCache(t, openSQLite(t)) }

func TestRevisionCachePostgres(t *testing.T) { testRevisionCache(t, openPostgresOrSkip(t)) }

// testRevisionCache checks that updates diff against the revision this
// process wrote last (revcache.go) and that every stored revision still
// reads as the content written, when the cached revision is right, when
// its write was rolled back, and when the history was purged or rewritten
// underneath it.
func testRevisionCache(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "revcache")
	r := rand.New(rand.NewPCG(3, 12))
	type history struct {
		cur   persona.Persona
		wants map[int]persona.Content
	}
	start := func(p persona.Persona) *history {
		return &history{cur: p, wants: map[int]persona.Content{1: fullReading(t, p.Content)}}
	}
	// edit writes the next revision through q; it becomes the persona's
	// current one only when keep says so (its transaction committed).
	edit := func(q *DB, h *history, i int) (persona.Persona, error) {
		next, rev := updated(h.cur, h.cur.Summary)
		next.Content = randomEdit(r, h.cur.Content, i)
		rev.Content = next.Content
		return next, q.UpdatePersona(ctx, next, rev, "")
	}
	keep := func(h *history, next persona.Persona) {
		h.cur = next
		h.wants[next.Revision] = fullReading(t, next.Content)
	}
	check := func(h *history, label string) {
		t.Helper()
		for n := 1; n <= h.cur.Revision; n++ {
			got, err := db.GetRevision(ctx, f.Org.ID, h.cur.ID, n)
			wantNoErr(t, err, label+": GetRevision")
			wantEqual(t, got.Content, h.wants[n], fmt.Sprintf("%s: revision %d", label, n))
		}
	}

	// Plain updates: every one after the first diffs against the cache.
	h := start(mustPersona(t, db, f, ""))
	used := db.revs.used.Load()
	for i := range 20 {
		next, err := edit(db, h, i)
		wantNoErr(t, err, "update")
		keep(h, next)
	}
	// Revision 17 is a snapshot (nothing read before it); the other 19
	// updates read revision n-1, each from the cache.
	wantEqual(t, db.revs.used.Load()-used, int64(19), "updates that used the cached revision")
	check(h, "plain updates")

	// An update whose transaction rolls back leaves no entry: the next
	// update of the same revision number diffs against what is stored.
	boom := errors.New("boom")
	for i := range 3 {
		err := db.InTx(ctx, func(tx app.Store) error {
			if _, err := edit(tx.(*DB), h, 100+i); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("rolled-back update: %v", err)
		}
		next, err := edit(db, h, 200+i)
		wantNoErr(t, err, "update after a rollback")
		keep(h, next)
	}
	check(h, "after rollbacks")

	// Nor when another process then writes that revision with the same
	// time, author, message and form (a delta) but other content.
	small := func(summary string) (persona.Persona, persona.Revision) {
		next, rev := updated(h.cur, summary)
		next.Content.Values = copyValues(h.cur.Content.Values)
		rev.Content = next.Content
		return next, rev
	}
	err := db.InTx(ctx, func(tx app.Store) error {
		next, rev := small("Rolled back")
		if err := tx.(*DB).UpdatePersona(ctx, next, rev, ""); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rolled-back update: %v", err)
	}
	theirs, rev := small("Written by another process meanwhile")
	raw, err := jsonText(persona.DiffContent(h.wants[h.cur.Revision], fullReading(t, theirs.Content)))
	wantNoErr(t, err, "encode their delta")
	_, err = db.db.ExecContext(ctx, `INSERT INTO persona_revisions (org_id, persona_id, number, author_id, message, created_at, content, content_kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'delta')`, f.Org.ID, theirs.ID, theirs.Revision, rev.AuthorID, rev.Message, ts(rev.CreatedAt), raw)
	wantNoErr(t, err, "their revision")
	_, err = db.db.ExecContext(ctx, `UPDATE personas SET revision = $3 WHERE org_id = $1 AND id = $2`, f.Org.ID, theirs.ID, theirs.Revision)
	wantNoErr(t, err, "their persona row")
	keep(h, theirs)
	// The next update goes back to the rolled-back summary: diffed against
	// the rolled-back content it would leave the summary out.
	next, rev := small("Rolled back")
	wantNoErr(t, db.UpdatePersona(ctx, next, rev, ""), "update after theirs")
	keep(h, next)
	check(h, "after a rolled-back update and another process's")

	// Another process rewrites the last revision underneath the cache (a
	// purge and a new persona with the same ID, say): the entry no longer
	// matches what is stored and is not used.
	other := fullReading(t, randomEdit(r, h.cur.Content, 300))
	other.Summary = "Written by another process"
	raw, err = jsonText(other)
	wantNoErr(t, err, "encode")
	_, err = db.db.ExecContext(ctx, `UPDATE persona_revisions SET content = $4, content_kind = 'full', content_packed = NULL, created_at = $5
		WHERE org_id = $1 AND persona_id = $2 AND number = $3`, f.Org.ID, h.cur.ID, h.cur.Revision, raw, ts(t0.Add(-time.Hour)))
	wantNoErr(t, err, "rewrite the last revision")
	h.wants[h.cur.Revision] = other
	h.cur.Content = other
	used = db.revs.used.Load()
	next, err = edit(db, h, 301)
	wantNoErr(t, err, "update after the rewrite")
	keep(h, next)
	wantEqual(t, db.revs.used.Load()-used, int64(0), "updates that used a rewritten revision")
	check(h, "after a rewrite by another process")

	// A persona purged and created again with the same ID, in this
	// process, at the same times: the new history stands on its own.
	id := h.cur.ID
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, id, f.Owner.ID, t0), "trash")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, id), "purge")
	again := mustPersona(t, db, f, "", func(p *persona.Persona) { p.ID = id; p.Summary = "Born again" })
	h2 := start(again)
	for i := range 5 {
		next, err := edit(db, h2, 400+i)
		wantNoErr(t, err, "update after a purge")
		keep(h2, next)
	}
	check(h2, "after a purge")

	// Concurrent updates of several personas (batched together on SQLite),
	// one of them failing each round, in transactions of their own.
	hs := []*history{start(mustPersona(t, db, f, "")), start(mustPersona(t, db, f, "")), start(mustPersona(t, db, f, ""))}
	var mu sync.Mutex // randomEdit's source
	for round := range 6 {
		var wg sync.WaitGroup
		for k, h := range hs {
			wg.Go(func() {
				err := db.InTx(ctx, func(tx app.Store) error {
					mu.Lock()
					next, rev := updated(h.cur, h.cur.Summary)
					next.Content = randomEdit(r, h.cur.Content, 500+round)
					rev.Content = next.Content
					mu.Unlock()
					if err := tx.(*DB).UpdatePersona(ctx, next, rev, ""); err != nil {
						return err
					}
					if k == round%len(hs) {
						return boom
					}
					mu.Lock()
					keep(h, next)
					mu.Unlock()
					return nil
				})
				if err != nil && !errors.Is(err, boom) {
					t.Errorf("concurrent update: %v", err)
				}
			})
		}
		wg.Wait()
	}
	for i, h := range hs {
		check(h, fmt.Sprint("concurrent updates, persona ", i))
	}
}
