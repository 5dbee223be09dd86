package store

import "testing"

func testNames(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "names")
	g := mustGroup(t, db, f.Org.ID, "Hospitals")
	other := mustOrg(t, db, "names-other")
	mustGroup(t, db, other.Org.ID, "Not ours")

	groups, err := db.GroupNames(ctx, f.Org.ID)
	wantNoErr(t, err, "GroupNames")
	wantEqual(t, groups, map[string]string{g.ID: "Hospitals"}, "group names")
	templates, err := db.TemplateNames(ctx, f.Org.ID)
	wantNoErr(t, err, "TemplateNames")
	wantEqual(t, templates, map[string]string{f.UX.ID: f.UX.Name, f.Agent.ID: f.Agent.Name}, "template names")
}
