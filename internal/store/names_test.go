package store

import (
	"testing"

	"github.com/personapal/personapal/internal/persona"
)

func testNames(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "names")
	g := mustGroup(t, db, f.Org.ID, "Hospitals")
	other := mustOrg(t, db, "names-other")
	mustGroup(t, db, other.Org.ID, "Not ours")

	groups, err := db.GroupNames(ctx, f.Org.ID)
	wantNoErr(t, err, "GroupNames")
	wantEqual(t, groups, map[string]string{g.ID: "Hospitals"}, "group names")
	for _, c := range []struct {
		org, id string
		want    bool
	}{{f.Org.ID, g.ID, true}, {other.Org.ID, g.ID, false}, {f.Org.ID, "no-such-group", false}} {
		got, err := db.GroupExists(ctx, c.org, c.id)
		wantNoErr(t, err, "GroupExists")
		wantEqual(t, got, c.want, "GroupExists("+c.id+")")
	}
	head, err := db.TemplateHead(ctx, f.Org.ID, f.UX.ID)
	wantNoErr(t, err, "TemplateHead")
	full := f.UX
	full.Draft = persona.Definition{}
	wantEqual(t, head, full, "TemplateHead (the template without its draft)")
	_, err = db.TemplateHead(ctx, other.Org.ID, f.UX.ID)
	wantCode(t, err, persona.CodeNotFound, "TemplateHead of another organisation's template")
	templates, err := db.TemplateNames(ctx, f.Org.ID)
	wantNoErr(t, err, "TemplateNames")
	wantEqual(t, templates, map[string]string{f.UX.ID: f.UX.Name, f.Agent.ID: f.Agent.Name}, "template names")
}
