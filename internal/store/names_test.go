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

func testTokenUserOrg(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "tokorg")
	other := mustOrg(t, db, "tokorg-other")
	tok := persona.Token{ID: newID(), UserID: f.Owner.ID, Name: "ci", Hash: "tokorg-hash", Prefix: "pp_x", CreatedAt: t0}
	wantNoErr(t, db.CreateToken(ctx, tok), "CreateToken")

	a, err := db.TokenAuth(ctx, "tokorg-hash", "tokorg")
	wantNoErr(t, err, "TokenAuth member")
	wantEqual(t, a.TokenID, tok.ID, "token")
	wantEqual(t, a.User, persona.User{ID: f.Owner.ID, Email: f.Owner.Email, Name: f.Owner.Name}, "user")
	wantEqual(t, a.Org, f.Org, "organisation")
	wantEqual(t, a.Role, persona.RoleOwner, "role")

	for _, slug := range []string{other.Org.Slug, "no-such-org"} {
		a, err = db.TokenAuth(ctx, "tokorg-hash", slug)
		wantNoErr(t, err, "TokenAuth "+slug)
		wantEqual(t, a.User.ID, f.Owner.ID, "user ("+slug+")")
		wantEqual(t, a.Org, persona.Org{}, "no organisation ("+slug+")")
		wantEqual(t, a.Role, persona.Role(""), "no role ("+slug+")")
	}
	_, err = db.TokenAuth(ctx, "unknown-hash", "tokorg")
	wantCode(t, err, persona.CodeNotFound, "unknown token")
	wantNoErr(t, db.RevokeToken(ctx, f.Owner.ID, tok.ID, t0), "RevokeToken")
	_, err = db.TokenAuth(ctx, "tokorg-hash", "tokorg")
	wantCode(t, err, persona.CodeNotFound, "revoked token")
}
