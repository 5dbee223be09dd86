package store

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// lpCatalogue is a small catalogue with every kind of item and rule value.
func lpCatalogue(revision int, by string) persona.Catalogue {
	return persona.Catalogue{
		Revision: revision, UpdatedAt: t0.Add(time.Duration(revision) * time.Minute), UpdatedBy: by,
		Modules: []persona.Module{
			{Key: "core-matching", Name: "Core matching", EffortDays: 10, Phase: persona.PhaseFoundation, Owner: "System Lead", DoneWhen: "runs are green"},
			{Key: "approval-workflows", Name: "Approval workflows", Description: "Four-eyes approvals", DependsOn: []string{"core-matching"}, EffortDays: 7.5,
				Rules: []persona.Rule{{Match: persona.MatchAll, Weight: 2, Note: "four eyes", Conditions: []persona.Condition{
					{Field: "dimensions.risk_tolerance", Op: persona.OpLTE, Value: 2.0},
					{Field: "values.regulated", Op: persona.OpOneOf, Value: []string{"Yes", "Partly"}},
				}}}},
		},
		Packs: []persona.ContentPack{{Key: "audit-pack", Name: "Audit pack", Modules: []string{"approval-workflows"}, Serves: []string{"Compliance Analyst"},
			Rules: []persona.Rule{{Match: persona.MatchAny, Weight: 1, Conditions: []persona.Condition{{Field: "values.compliance_frameworks", Op: persona.OpPresent}}}}}},
		Dashboards: []persona.DashboardTemplate{{Key: "controls-cockpit", Name: "Controls cockpit", Widgets: []string{"Approvals waiting", "Overrides"},
			Roles: []string{"System Lead"}, Modules: []string{"approval-workflows"}, MinScore: 1,
			Rules: []persona.Rule{{Match: persona.MatchAll, Weight: 1, Conditions: []persona.Condition{{Field: "values.role_title", Op: persona.OpEquals, Value: "Lead"}}}}}},
	}
}

func mustLaunchpad(t *testing.T, db *DB, f orgFixture, archetypeID, name string) persona.Launchpad {
	t.Helper()
	c := persona.LaunchpadContent{Name: name, ArchetypeID: archetypeID, VariantIDs: []string{newID()},
		Recommendation: persona.Recommendation{
			Archetype:         persona.RoleRef{PersonaID: archetypeID, Name: "Big Bank", ProfileType: persona.ProfileArchetype},
			Roles:             []persona.RoleRef{{PersonaID: newID(), VariantID: newID(), Name: "System Lead", ProfileType: persona.ProfileUX, Customer: "Big Bank"}},
			CatalogueRevision: 1,
			Modules: []persona.ModulePick{{Key: "approval-workflows", Name: "Approval workflows", EffortDays: 7.5, Phase: persona.PhasePilot,
				Origin: persona.OriginRule, Score: 2, Reasons: []string{"because risk tolerance is 1, ≤ 2"}}},
			Packs:      []persona.PackPick{},
			Dashboards: []persona.DashboardPick{},
			Gaps:       []string{"No dashboard template fits Onboarding Guide."},
		},
		Decisions: map[string]persona.Decision{"module:approval-workflows": persona.DecisionAccepted},
		Plan:      persona.PlanEdits{Phases: map[persona.Phase]persona.PhaseEdit{persona.PhasePilot: {ExitCriteria: []string{"Signed off"}, Notes: "n"}}},
	}
	l := persona.Launchpad{ID: newID(), OrgID: f.Org.ID, LaunchpadContent: c, Revision: 1, CreatedAt: t0, CreatedBy: f.Owner.ID, UpdatedAt: t0, UpdatedBy: f.Owner.ID}
	rev := persona.LaunchpadRevision{LaunchpadID: l.ID, OrgID: f.Org.ID, Number: 1, AuthorID: f.Owner.ID, CreatedAt: t0, Message: "Generated", Content: c}
	wantNoErr(t, db.CreateLaunchpad(t.Context(), l, rev), "CreateLaunchpad")
	l.CreatedAt, l.UpdatedAt = want(t0), want(t0)
	return l
}

func testLaunchpadCatalogue(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "catalogue")
	other := mustOrg(t, db, "catalogue-other")

	// Never saved: empty at revision 0.
	c, err := db.GetCatalogue(ctx, f.Org.ID)
	wantNoErr(t, err, "GetCatalogue empty")
	wantEqual(t, c.Revision, 0, "revision of a new catalogue")
	if !c.Empty() {
		t.Errorf("new catalogue has items: %+v", c)
	}

	// First save expects 0; the round trip is exact (rules, lists, numbers).
	c1 := lpCatalogue(1, f.Owner.ID)
	wantNoErr(t, db.SaveCatalogue(ctx, f.Org.ID, c1, 0), "SaveCatalogue 1")
	got, err := db.GetCatalogue(ctx, f.Org.ID)
	wantNoErr(t, err, "GetCatalogue")
	c1.UpdatedAt = want(c1.UpdatedAt)
	wantEqual(t, got, c1, "catalogue round trip")

	// A save based on a stale revision writes nothing.
	stale := lpCatalogue(1, f.Owner.ID)
	stale.Modules = stale.Modules[:1]
	err = db.SaveCatalogue(ctx, f.Org.ID, stale, 0)
	wantCode(t, err, persona.CodePreconditionFailed, "SaveCatalogue expecting none")
	if e, ok := persona.AsError(err); !ok || e.Current != 1 {
		t.Errorf("stale save: Current = %v, want 1", err)
	}
	got, _ = db.GetCatalogue(ctx, f.Org.ID)
	wantEqual(t, len(got.Modules), 2, "modules after a refused save")

	// Replacing removes items and reorders them.
	c2 := lpCatalogue(2, f.Owner.ID)
	c2.Modules = []persona.Module{c2.Modules[1], c2.Modules[0]}
	c2.Packs = nil
	wantNoErr(t, db.SaveCatalogue(ctx, f.Org.ID, c2, 1), "SaveCatalogue 2")
	got, _ = db.GetCatalogue(ctx, f.Org.ID)
	wantEqual(t, got.Revision, 2, "revision after the second save")
	wantEqual(t, []string{got.Modules[0].Key, got.Modules[1].Key}, []string{"approval-workflows", "core-matching"}, "module order")
	wantEqual(t, len(got.Packs), 0, "packs after removing them")
	wantCode(t, db.SaveCatalogue(ctx, f.Org.ID, lpCatalogue(3, ""), 1), persona.CodePreconditionFailed, "SaveCatalogue with an old revision")

	// Another organisation sees none of it and can use the same keys.
	oc, err := db.GetCatalogue(ctx, other.Org.ID)
	wantNoErr(t, err, "GetCatalogue other")
	if oc.Revision != 0 || !oc.Empty() {
		t.Errorf("other organisation sees a catalogue: %+v", oc)
	}
	wantNoErr(t, db.SaveCatalogue(ctx, other.Org.ID, lpCatalogue(1, other.Owner.ID), 0), "SaveCatalogue other with the same keys")
	got, _ = db.GetCatalogue(ctx, f.Org.ID)
	wantEqual(t, got.Revision, 2, "first organisation untouched")
	wantCode(t, db.SaveCatalogue(ctx, newID(), lpCatalogue(1, ""), 0), persona.CodeNotFound, "SaveCatalogue for an unknown organisation")

	// Concurrent first saves: exactly one wins.
	race := mustOrg(t, db, "catalogue-race")
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			c := lpCatalogue(1, fmt.Sprintf("writer-%d", i))
			<-start
			errs[i] = db.SaveCatalogue(ctx, race.Org.ID, c, 0)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case persona.ErrorCode(err) != persona.CodePreconditionFailed:
			t.Errorf("writer %d: %v", i, err)
		}
	}
	wantEqual(t, wins, 1, "concurrent first saves that won")
}

func testLaunchpads(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "launchpads")
	other := mustOrg(t, db, "launchpads-other")
	bank := mustPersona(t, db, f, "", named("Big Bank"))
	l := mustLaunchpad(t, db, f, bank.ID, "Big Bank setup")
	l2 := mustLaunchpad(t, db, f, newID(), "FinTech setup")

	got, err := db.GetLaunchpad(ctx, f.Org.ID, l.ID)
	wantNoErr(t, err, "GetLaunchpad")
	wantEqual(t, got, l, "Launchpad round trip")

	all, err := db.ListLaunchpads(ctx, f.Org.ID, "")
	wantNoErr(t, err, "ListLaunchpads")
	wantEqual(t, len(all), 2, "all Launchpads")
	forBank, _ := db.ListLaunchpads(ctx, f.Org.ID, bank.ID)
	if len(forBank) != 1 || forBank[0].ID != l.ID {
		t.Errorf("Launchpads for the bank: %+v", forBank)
	}

	// Update with optimistic concurrency, then a stale one.
	next := l
	next.Revision, next.Name, next.UpdatedAt = 2, "Big Bank — phase one", t0.Add(time.Hour)
	next.Decisions = map[string]persona.Decision{"module:approval-workflows": persona.DecisionRejected}
	rev := persona.LaunchpadRevision{AuthorID: f.Owner.ID, CreatedAt: next.UpdatedAt, Message: "Rejected approvals", Content: next.LaunchpadContent}
	wantNoErr(t, db.UpdateLaunchpad(ctx, next, rev), "UpdateLaunchpad")
	staleNext := l
	staleNext.Revision, staleNext.Name = 2, "Lost update"
	err = db.UpdateLaunchpad(ctx, staleNext, persona.LaunchpadRevision{Content: staleNext.LaunchpadContent})
	wantCode(t, err, persona.CodePreconditionFailed, "stale UpdateLaunchpad")
	if e, ok := persona.AsError(err); !ok || e.Current != 2 {
		t.Errorf("stale update: Current = %v, want 2", err)
	}
	got, _ = db.GetLaunchpad(ctx, f.Org.ID, l.ID)
	next.UpdatedAt = want(next.UpdatedAt)
	wantEqual(t, got, next, "Launchpad after update")

	revs, err := db.ListLaunchpadRevisions(ctx, f.Org.ID, l.ID)
	wantNoErr(t, err, "ListLaunchpadRevisions")
	if len(revs) != 2 || revs[0].Number != 2 || revs[1].Number != 1 || revs[0].Message != "Rejected approvals" {
		t.Fatalf("revisions: %+v", revs)
	}
	r1, err := db.GetLaunchpadRevision(ctx, f.Org.ID, l.ID, 1)
	wantNoErr(t, err, "GetLaunchpadRevision")
	wantEqual(t, r1.Content, l.LaunchpadContent, "first revision content")
	wantEqual(t, r1.CreatedAt, want(t0), "first revision time")
	_, err = db.GetLaunchpadRevision(ctx, f.Org.ID, l.ID, 9)
	wantCode(t, err, persona.CodeNotFound, "unknown revision")

	// Another organisation: nothing visible, nothing writable.
	_, err = db.GetLaunchpad(ctx, other.Org.ID, l.ID)
	wantCode(t, err, persona.CodeNotFound, "GetLaunchpad across organisations")
	list, _ := db.ListLaunchpads(ctx, other.Org.ID, "")
	wantEqual(t, len(list), 0, "other organisation's Launchpads")
	revs, _ = db.ListLaunchpadRevisions(ctx, other.Org.ID, l.ID)
	wantEqual(t, len(revs), 0, "revisions across organisations")
	_, err = db.GetLaunchpadRevision(ctx, other.Org.ID, l.ID, 1)
	wantCode(t, err, persona.CodeNotFound, "GetLaunchpadRevision across organisations")
	hijack := next
	hijack.OrgID, hijack.Revision, hijack.Name = other.Org.ID, 3, "hijacked"
	wantCode(t, db.UpdateLaunchpad(ctx, hijack, persona.LaunchpadRevision{Content: hijack.LaunchpadContent}), persona.CodeNotFound, "UpdateLaunchpad across organisations")
	wantCode(t, db.DeleteLaunchpad(ctx, other.Org.ID, l.ID), persona.CodeNotFound, "DeleteLaunchpad across organisations")
	dup := l2
	dup.OrgID = f.Org.ID
	wantCode(t, db.CreateLaunchpad(ctx, dup, persona.LaunchpadRevision{Content: dup.LaunchpadContent}), persona.CodeConflict, "CreateLaunchpad with a taken ID")
	// The same ID in another organisation is another Launchpad.
	same := l2
	same.OrgID = other.Org.ID
	wantNoErr(t, db.CreateLaunchpad(ctx, same, persona.LaunchpadRevision{Content: same.LaunchpadContent}), "CreateLaunchpad same ID, other organisation")
	got, _ = db.GetLaunchpad(ctx, f.Org.ID, l.ID)
	wantEqual(t, got.Name, "Big Bank — phase one", "name after refused writes")

	// Deleting takes the revisions with it; the archetype's purge does not
	// touch the Launchpad.
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, bank.ID, "", t0), "TrashPersona bank")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, bank.ID), "PurgePersona bank")
	_, err = db.GetLaunchpad(ctx, f.Org.ID, l.ID)
	wantNoErr(t, err, "Launchpad after purging its archetype")
	wantNoErr(t, db.DeleteLaunchpad(ctx, f.Org.ID, l.ID), "DeleteLaunchpad")
	_, err = db.GetLaunchpad(ctx, f.Org.ID, l.ID)
	wantCode(t, err, persona.CodeNotFound, "deleted Launchpad")
	var n int
	wantNoErr(t, db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM launchpad_revisions WHERE org_id = $1 AND launchpad_id = $2`, f.Org.ID, l.ID).Scan(&n), "count")
	wantEqual(t, n, 0, "revisions of the deleted Launchpad")
	wantCode(t, db.DeleteLaunchpad(ctx, f.Org.ID, l.ID), persona.CodeNotFound, "DeleteLaunchpad twice")
}
