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
	none := persona.AuditFilter{}
	for i := range 5 {
		wantNoErr(t, db.AppendAudit(ctx, persona.AuditEvent{OrgID: f.Org.ID, At: t0.Add(time.Duration(i) * time.Second),
			ActorID: f.Owner.ID, ActorEmail: f.Owner.Email, Action: "update", ObjectKind: "persona", ObjectID: "p", Summary: "n"}), "AppendAudit")
	}
	wantNoErr(t, db.AppendAudit(ctx, persona.AuditEvent{OrgID: g.Org.ID, At: t0, Action: "create", ObjectKind: "persona"}), "AppendAudit other")
	page, err := db.ListAudit(ctx, f.Org.ID, none, 0, 3)
	wantNoErr(t, err, "ListAudit")
	if len(page) != 3 || !(page[0].Seq > page[1].Seq && page[1].Seq > page[2].Seq) || !page[0].At.Equal(want(t0.Add(4*time.Second))) {
		t.Fatalf("first page %+v", page)
	}
	rest, _ := db.ListAudit(ctx, f.Org.ID, none, page[2].Seq, 10)
	wantEqual(t, len(rest), 2, "second page")
	other, _ := db.ListAudit(ctx, g.Org.ID, none, 0, 10)
	wantEqual(t, len(other), 1, "the other organisation's log")

	// Oldest first, in pages, for exports.
	first, err := db.ListAuditAfter(ctx, f.Org.ID, none, 0, 2)
	wantNoErr(t, err, "ListAuditAfter")
	if len(first) != 2 || first[0].Seq >= first[1].Seq || !first[0].At.Equal(want(t0)) {
		t.Fatalf("oldest first %+v", first)
	}
	next, _ := db.ListAuditAfter(ctx, f.Org.ID, none, first[1].Seq, 10)
	if len(next) != 3 || next[0].Seq <= first[1].Seq || next[2].Seq != page[0].Seq {
		t.Fatalf("after %d: %+v", first[1].Seq, next)
	}
	if x, _ := db.ListAuditAfter(ctx, g.Org.ID, none, 0, 10); len(x) != 1 {
		t.Fatalf("the other organisation's log, oldest first: %+v", x)
	}
	t.Run("Filters", func(t *testing.T) { testAuditFilters(t, db) })
}

// Filters by action, object kind, actor and time, in both orders. Times
// are compared as instants, down to the microsecond, on both engines.
func testAuditFilters(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "audit-filters")
	g := mustOrg(t, db, "audit-filters-other")
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	events := []persona.AuditEvent{
		{At: day.Add(-time.Microsecond), ActorEmail: "ann@example.com", Action: "create", ObjectKind: "persona"},                // the day before
		{At: day, ActorEmail: "ann@example.com", Action: "update", ObjectKind: "persona"},                                       // midnight sharp
		{At: day.Add(time.Second + 500*time.Millisecond), ActorEmail: "bob@example.com", Action: "update", ObjectKind: "group"}, // fractional second
		{At: day.Add(time.Second), ActorEmail: "bob@example.com", Action: "delete", ObjectKind: "persona"},                      // earlier, written later
		{At: day.Add(24*time.Hour - time.Microsecond), ActorEmail: "ann@example.com", Action: "update", ObjectKind: "persona"},
		{At: day.Add(24 * time.Hour), ActorEmail: "ann@example.com", Action: "create", ObjectKind: "group"}, // the next day
	}
	for _, e := range events {
		e.OrgID = f.Org.ID
		wantNoErr(t, db.AppendAudit(ctx, e), "AppendAudit")
		e.OrgID = g.Org.ID
		wantNoErr(t, db.AppendAudit(ctx, e), "AppendAudit other")
	}
	at := func(es []persona.AuditEvent) []time.Time {
		var out []time.Time
		for _, e := range es {
			out = append(out, e.At)
		}
		return out
	}
	ev := func(i ...int) []time.Time {
		var out []time.Time
		for _, j := range i {
			out = append(out, want(events[j].At))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    persona.AuditFilter
		want []time.Time // oldest first
	}{
		{"action", persona.AuditFilter{Action: "update"}, ev(1, 2, 4)},
		{"kind", persona.AuditFilter{ObjectKind: "group"}, ev(2, 5)},
		{"actor", persona.AuditFilter{ActorEmail: "bob@example.com"}, ev(2, 3)},
		{"action and kind", persona.AuditFilter{Action: "update", ObjectKind: "persona"}, ev(1, 4)},
		{"one day", persona.AuditFilter{Since: day, Until: day.Add(24 * time.Hour)}, ev(1, 2, 3, 4)},
		{"since a fractional second", persona.AuditFilter{Since: day.Add(time.Second + 500*time.Millisecond)}, ev(2, 4, 5)},
		{"until a fractional second", persona.AuditFilter{Until: day.Add(time.Second + 500*time.Millisecond)}, ev(0, 1, 3)},
		{"nothing", persona.AuditFilter{Action: "publish"}, nil},
	} {
		asc, err := db.ListAuditAfter(ctx, f.Org.ID, tc.f, 0, 100)
		wantNoErr(t, err, tc.name)
		wantEqual(t, at(asc), tc.want, tc.name+", oldest first")
		desc, err := db.ListAudit(ctx, f.Org.ID, tc.f, 0, 100)
		wantNoErr(t, err, tc.name)
		var rev []time.Time
		for i := len(desc) - 1; i >= 0; i-- {
			rev = append(rev, desc[i].At)
			if desc[i].OrgID != f.Org.ID {
				t.Fatalf("%s: another organisation's entry %+v", tc.name, desc[i])
			}
		}
		wantEqual(t, rev, tc.want, tc.name+", newest first")
	}
	// Paging with a filter continues from the last seq seen.
	p1, _ := db.ListAuditAfter(ctx, f.Org.ID, persona.AuditFilter{Action: "update"}, 0, 2)
	p2, _ := db.ListAuditAfter(ctx, f.Org.ID, persona.AuditFilter{Action: "update"}, p1[len(p1)-1].Seq, 2)
	wantEqual(t, append(at(p1), at(p2)...), ev(1, 2, 4), "filtered pages")
}
