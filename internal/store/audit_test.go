package store

import (
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

func testAudit(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "audit")
	g := mustOrg(t, db, "audit-other")
	for i := range 5 {
		wantNoErr(t, db.AppendAudit(ctx, persona.AuditEvent{OrgID: f.Org.ID, At: t0.Add(time.Duration(i) * time.Second),
			ActorID: f.Owner.ID, ActorEmail: f.Owner.Email, Action: "update", ObjectKind: "persona", ObjectID: "p", Summary: "n"}), "AppendAudit")
	}
	wantNoErr(t, db.AppendAudit(ctx, persona.AuditEvent{OrgID: g.Org.ID, At: t0, Action: "create", ObjectKind: "persona"}), "AppendAudit other")
	page, err := db.ListAudit(ctx, f.Org.ID, 0, 3)
	wantNoErr(t, err, "ListAudit")
	if len(page) != 3 || !(page[0].Seq > page[1].Seq && page[1].Seq > page[2].Seq) || !page[0].At.Equal(want(t0.Add(4*time.Second))) {
		t.Fatalf("first page %+v", page)
	}
	rest, _ := db.ListAudit(ctx, f.Org.ID, page[2].Seq, 10)
	wantEqual(t, len(rest), 2, "second page")
	other, _ := db.ListAudit(ctx, g.Org.ID, 0, 10)
	wantEqual(t, len(other), 1, "the other organisation's log")
}
