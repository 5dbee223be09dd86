package store

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// A backup taken while writes go on is consistent and holds every write
// acknowledged before it began.
func TestBackupUnderWriteLoad(t *testing.T) {
	db := openSQLite(t)
	f := mustOrg(t, db, "backup")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var (
		mu    sync.Mutex
		acked []string // note IDs whose insert returned nil
		n     atomic.Int64
		wg    sync.WaitGroup
	)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				id := newID()
				note := persona.Note{ID: id, OrgID: f.Org.ID, Target: persona.NoteOnOrg, Body: "load " + id, CreatedAt: t0, UpdatedAt: t0}
				if err := db.CreateNote(context.Background(), note, persona.SearchEntry{}); err != nil {
					if ctx.Err() == nil {
						t.Errorf("write under load: %v", err)
					}
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
				n.Add(1)
			}
		}()
	}
	for n.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()
	if err := db.Backup(context.Background(), out); persona.ErrorCode(err) != persona.CodeConflict {
		t.Fatalf("a backup over an existing file: %v", err)
	}

	copyDB, err := Open(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if err := copyDB.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range before {
		if _, err := copyDB.GetNote(context.Background(), f.Org.ID, id); err != nil {
			t.Fatalf("a write acknowledged before the backup is missing (%s): %v", id, err)
		}
	}
	t.Logf("%d writes acknowledged before the backup, %d in all", len(before), n.Load())
}
