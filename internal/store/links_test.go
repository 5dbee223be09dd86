package store

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// One-time links on both engines: only the hash is stored; peek reads
// without using; consume works once, before the expiry, for the purpose it
// was made for; revoke and prune.
func testLinks(t *testing.T, db *DB) {
	ctx := context.Background()
	u := mustUser(t, db, "links@example.com")
	o := mustOrg(t, db, "links-org")
	secret, hash := persona.NewLinkSecret()
	l := persona.Link{Hash: hash, Purpose: persona.LinkPasswordReset, UserID: u.ID, Email: u.Email, OrgID: o.Org.ID, RefID: "ref-1",
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	wantNoErr(t, db.CreateLink(ctx, l), "CreateLink")

	var stored int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT count(*) FROM links WHERE token_hash = $1`, secret).Scan(&stored), "count by secret")
	if stored != 0 {
		t.Fatal("the secret itself is stored")
	}

	now := t0.Add(time.Minute)
	got, err := db.PeekLink(ctx, persona.LinkPasswordReset, hash, now)
	wantNoErr(t, err, "PeekLink")
	if got.UserID != u.ID || got.Email != u.Email || got.OrgID != o.Org.ID || got.RefID != "ref-1" || got.UsedAt != nil ||
		!got.CreatedAt.Equal(want(t0)) || !got.ExpiresAt.Equal(want(t0.Add(time.Hour))) {
		t.Fatalf("peeked %+v", got)
	}
	for name, try := range map[string]func() error{
		"other purpose": func() error { _, err := db.ConsumeLink(ctx, persona.LinkVerifyEmail, hash, now); return err },
		"expired": func() error {
			_, err := db.ConsumeLink(ctx, persona.LinkPasswordReset, hash, t0.Add(time.Hour))
			return err
		},
		"tampered": func() error {
			_, err := db.ConsumeLink(ctx, persona.LinkPasswordReset, persona.HashLinkSecret(tamper(secret)), now)
			return err
		},
		"peek expired": func() error {
			_, err := db.PeekLink(ctx, persona.LinkPasswordReset, hash, t0.Add(2*time.Hour))
			return err
		},
	} {
		if err := try(); persona.ErrorCode(err) != persona.CodeNotFound {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	// None of those used it.
	used, err := db.ConsumeLink(ctx, persona.LinkPasswordReset, hash, now)
	wantNoErr(t, err, "ConsumeLink")
	if used.UsedAt == nil || !used.UsedAt.Equal(want(now)) || used.UserID != u.ID {
		t.Fatalf("consumed %+v", used)
	}
	if _, err := db.ConsumeLink(ctx, persona.LinkPasswordReset, hash, now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("second use: %v, want not found", err)
	}
	if _, err := db.PeekLink(ctx, persona.LinkPasswordReset, hash, now); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("peek after use: %v, want not found", err)
	}

	// Revoke: by user, by reference; others are left alone.
	var hashes []string
	for i, ref := range []string{"inv-1", "inv-2", "inv-1"} {
		_, h := persona.NewLinkSecret()
		user := u.ID
		if i == 2 {
			user = ""
		}
		wantNoErr(t, db.CreateLink(ctx, persona.Link{Hash: h, Purpose: persona.LinkInvitation, UserID: user, RefID: ref, CreatedAt: t0, ExpiresAt: t0.Add(48 * time.Hour)}), "CreateLink")
		hashes = append(hashes, h)
	}
	n, err := db.RevokeLinks(ctx, persona.LinkInvitation, "", "inv-1", now)
	wantNoErr(t, err, "RevokeLinks by ref")
	if n != 2 {
		t.Errorf("revoked %d by reference, want 2", n)
	}
	if _, err := db.PeekLink(ctx, persona.LinkInvitation, hashes[1], now); err != nil {
		t.Errorf("a link of another reference was revoked: %v", err)
	}
	if n, _ := db.RevokeLinks(ctx, persona.LinkPasswordReset, u.ID, "", now); n != 0 {
		t.Errorf("revoking another purpose took %d", n)
	}
	if n, _ := db.RevokeLinks(ctx, persona.LinkInvitation, u.ID, "", now); n != 1 {
		t.Errorf("revoked %d by user, want 1", n)
	}
	if _, err := db.RevokeLinks(ctx, persona.LinkInvitation, "", "", now); persona.ErrorCode(err) != persona.CodeInvalid {
		t.Errorf("revoke everything: %v, want invalid", err)
	}

	// A link of a user that does not exist cannot be stored.
	_, h := persona.NewLinkSecret()
	if err := db.CreateLink(ctx, persona.Link{Hash: h, Purpose: persona.LinkVerifyEmail, UserID: "nobody", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err == nil {
		t.Error("a link for a user that does not exist was stored")
	}

	n, err = db.DeleteLinksBefore(ctx, t0.Add(2*time.Hour))
	wantNoErr(t, err, "DeleteLinksBefore")
	if n != 1 {
		t.Errorf("pruned %d links, want 1 (the reset link)", n)
	}
}

// Twenty consumers of one link at once: exactly one gets it.
func testLinksConcurrentConsume(t *testing.T, db *DB) {
	ctx := context.Background()
	u := mustUser(t, db, "race@example.com")
	_, hash := persona.NewLinkSecret()
	wantNoErr(t, db.CreateLink(ctx, persona.Link{Hash: hash, Purpose: persona.LinkVerifyEmail, UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}), "CreateLink")
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		wins, loses int
		others      []error
	)
	start := make(chan struct{})
	for range 20 {
		wg.Go(func() {
			<-start
			_, err := db.ConsumeLink(ctx, persona.LinkVerifyEmail, hash, t0.Add(time.Minute))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case persona.ErrorCode(err) == persona.CodeNotFound:
				loses++
			default:
				others = append(others, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 || loses != 19 || len(others) > 0 {
		t.Fatalf("%d won, %d not found, errors %v; want exactly one winner", wins, loses, others)
	}
}

// The outbox: a message and its job are stored together, inside the
// caller's transaction (rolled back: neither); delivered once; failures
// recorded; listed newest first; pruned.
func testOutbox(t *testing.T, db *DB) {
	ctx := context.Background()
	o := mustOrg(t, db, "outbox-org")
	msg := func(i int) persona.OutboxMessage {
		id := newID()
		return persona.OutboxMessage{ID: id, Kind: persona.MessageTest, OrgID: o.Org.ID, To: "someone@example.com",
			MessageID: "<" + id + "@pp.example.com>", Subject: "Subject", Text: "text https://pp.example.com/x", HTML: "<p>html</p>",
			Links: []string{"https://pp.example.com/x", "https://pp.example.com/y"}, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
	}
	jobs := func() int {
		var n int
		wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_message'`).Scan(&n), "count jobs")
		return n
	}
	a := msg(0)
	wantNoErr(t, db.QueueMessage(ctx, a), "QueueMessage")
	if jobs() != 1 {
		t.Fatalf("%d jobs after queueing one message", jobs())
	}
	// Inside a transaction that rolls back: no message and no job.
	b := msg(1)
	boom := persona.Errorf(persona.CodeConflict, "boom")
	if err := db.InTx(ctx, func(tx app.Store) error {
		if err := tx.QueueMessage(ctx, b); err != nil {
			return err
		}
		return boom
	}); err != boom {
		t.Fatalf("InTx: %v", err)
	}
	if _, err := db.OutboxMessage(ctx, b.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("a rolled-back message is there: %v", err)
	}
	if jobs() != 1 {
		t.Errorf("%d jobs after a rolled-back message, want 1", jobs())
	}
	wantNoErr(t, db.InTx(ctx, func(tx app.Store) error { return tx.QueueMessage(ctx, b) }), "QueueMessage in a transaction")
	if jobs() != 2 {
		t.Errorf("%d jobs, want 2", jobs())
	}

	got, err := db.OutboxMessage(ctx, a.ID)
	wantNoErr(t, err, "OutboxMessage")
	if got.Status != persona.MessageQueued || got.Text != a.Text || got.HTML != a.HTML || !slices.Equal(got.Links, a.Links) ||
		got.MessageID != a.MessageID || got.OrgID != o.Org.ID || !got.CreatedAt.Equal(want(t0)) || got.SentAt != nil {
		t.Fatalf("stored %+v", got)
	}

	wantNoErr(t, db.RecordMessageFailure(ctx, a.ID, 1, "451 try later", false, t0.Add(time.Minute)), "RecordMessageFailure")
	got, _ = db.OutboxMessage(ctx, a.ID)
	if got.Status != persona.MessageRetrying || got.Attempts != 1 || got.LastError != "451 try later" {
		t.Errorf("after a failure: %+v", got)
	}
	ok, err := db.MarkMessageSent(ctx, a.ID, persona.MessageSent, 2, t0.Add(2*time.Minute), true)
	wantNoErr(t, err, "MarkMessageSent")
	if !ok {
		t.Fatal("MarkMessageSent did not mark")
	}
	got, _ = db.OutboxMessage(ctx, a.ID)
	if got.Status != persona.MessageSent || got.Attempts != 2 || got.Text != "" || got.HTML != "" || len(got.Links) != 0 ||
		got.SentAt == nil || got.LastError != "" || got.Subject != "Subject" {
		t.Errorf("after sending: %+v", got)
	}
	if ok, _ := db.MarkMessageSent(ctx, a.ID, persona.MessageSent, 3, t0.Add(3*time.Minute), true); ok {
		t.Error("a sent message was marked sent again")
	}
	wantNoErr(t, db.RecordMessageFailure(ctx, a.ID, 3, "late failure", true, t0.Add(4*time.Minute)), "RecordMessageFailure after sending")
	if got, _ = db.OutboxMessage(ctx, a.ID); got.Status != persona.MessageSent {
		t.Errorf("a failure after sending changed the status to %s", got.Status)
	}
	// Logged keeps the bodies.
	ok, err = db.MarkMessageSent(ctx, b.ID, persona.MessageLogged, 1, t0.Add(time.Minute), false)
	wantNoErr(t, err, "MarkMessageSent logged")
	if got, _ = db.OutboxMessage(ctx, b.ID); !ok || got.Status != persona.MessageLogged || got.Text != b.Text {
		t.Errorf("logged: %+v", got)
	}
	c := msg(2)
	wantNoErr(t, db.QueueMessage(ctx, c), "QueueMessage")
	wantNoErr(t, db.RecordMessageFailure(ctx, c.ID, 12, "550 no such user", true, t0.Add(time.Minute)), "final failure")

	list, err := db.ListOutbox(ctx, persona.OutboxFilter{})
	wantNoErr(t, err, "ListOutbox")
	var ids []string
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{c.ID, b.ID, a.ID}) {
		t.Errorf("listed %v, want newest first", ids)
	}
	failed, _ := db.ListOutbox(ctx, persona.OutboxFilter{Status: persona.MessageFailed})
	if len(failed) != 1 || failed[0].ID != c.ID || failed[0].LastError != "550 no such user" {
		t.Errorf("failed: %+v", failed)
	}
	counts, err := db.CountOutbox(ctx)
	wantNoErr(t, err, "CountOutbox")
	if counts[persona.MessageSent] != 1 || counts[persona.MessageLogged] != 1 || counts[persona.MessageFailed] != 1 {
		t.Errorf("counts %v", counts)
	}
	n, err := db.DeleteOutboxBefore(ctx, t0.Add(1500*time.Millisecond))
	wantNoErr(t, err, "DeleteOutboxBefore")
	if n != 2 {
		t.Errorf("pruned %d, want 2", n)
	}
}

// The operator flag.
func testOperators(t *testing.T, db *DB) {
	ctx := context.Background()
	u := mustUser(t, db, "op@example.com")
	is := func() bool {
		t.Helper()
		on, err := db.IsOperator(ctx, u.ID)
		wantNoErr(t, err, "IsOperator")
		return on
	}
	if is() {
		t.Error("an operator before being made one")
	}
	wantNoErr(t, db.SetOperator(ctx, u.ID, true), "SetOperator")
	if !is() {
		t.Error("not an operator after being made one")
	}
	wantNoErr(t, db.SetOperator(ctx, u.ID, false), "SetOperator off")
	if is() {
		t.Error("still an operator")
	}
	if got, err := db.IsOperator(ctx, "nobody"); got || err != nil {
		t.Errorf("IsOperator(nobody) = %v, %v", got, err)
	}
	if err := db.SetOperator(ctx, "nobody", true); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Errorf("SetOperator(nobody): %v", err)
	}
}

// tamper changes the secret's last character.
func tamper(secret string) string {
	last := secret[len(secret)-1]
	c := byte('A')
	if last == 'A' {
		c = 'B'
	}
	return secret[:len(secret)-1] + string(c)
}
