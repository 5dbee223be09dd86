package store

import (
	"os"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// Work links on both engines: a persona's links in order, the
// organisation's with a kind and persona filter and a limit, another
// organisation's IDs reach nothing, and purging the persona takes its
// links with it.
func TestWorkLinksSQLite(t *testing.T) { testWorkLinks(t, openSQLite(t)) }

func TestWorkLinksPostgres(t *testing.T) {
	if os.Getenv("PERSONAPAL_TEST_POSTGRES") == "" {
		t.Skip("PERSONAPAL_TEST_POSTGRES is not set")
	}
	testWorkLinks(t, openPostgres(t))
}

func testWorkLinks(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "work")
	other := mustOrg(t, db, "work-other")
	p := mustPersona(t, db, f, "")
	q := mustPersona(t, db, f, "")
	mk := func(pid, url string, kind persona.WorkKind, at time.Duration) persona.WorkLink {
		l := persona.WorkLink{ID: newID(), OrgID: f.Org.ID, PersonaID: pid, URL: url, Title: "T " + url, Kind: kind,
			CreatedAt: t0.Add(at), CreatedBy: f.Owner.ID}
		wantNoErr(t, db.CreateWorkLink(ctx, l), "CreateWorkLink")
		return l
	}
	a := mk(p.ID, "https://github.com/a/b/issues/1", persona.WorkGitHub, 0)
	mk(p.ID, "https://linear.app/a/issue/X-1", persona.WorkLinear, time.Hour)
	mk(q.ID, "https://github.com/a/b/issues/2", persona.WorkGitHub, 2*time.Hour)
	// Another organisation's persona cannot take a link.
	bad := persona.WorkLink{ID: newID(), OrgID: other.Org.ID, PersonaID: p.ID, URL: "https://x.example", Title: "x",
		Kind: persona.WorkOther, CreatedAt: t0, CreatedBy: other.Owner.ID}
	if err := db.CreateWorkLink(ctx, bad); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("a link on another organisation's persona: %v", err)
	}
	got, err := db.GetWorkLink(ctx, f.Org.ID, a.ID)
	wantNoErr(t, err, "GetWorkLink")
	wantEqual(t, got.URL, a.URL, "url")
	wantEqual(t, got.Kind, persona.WorkGitHub, "kind")
	wantEqual(t, got.CreatedByName, f.Owner.Name, "maker's name")
	wantEqual(t, got.CreatedAt.Equal(t0.Truncate(time.Microsecond)), true, "created at")
	if _, err := db.GetWorkLink(ctx, other.Org.ID, a.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("another organisation reads the link: %v", err)
	}
	ls, err := db.ListWorkLinks(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "ListWorkLinks")
	wantEqual(t, len(ls), 2, "persona's links")
	wantEqual(t, ls[0].ID, a.ID, "oldest first")
	n, err := db.CountWorkLinks(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "CountWorkLinks")
	wantEqual(t, n, 2, "count")
	ls, _ = db.ListWorkLinks(ctx, other.Org.ID, p.ID)
	wantEqual(t, len(ls), 0, "another organisation's view of the persona's links")

	ls, err = db.ListOrgWorkLinks(ctx, f.Org.ID, persona.WorkLinkFilter{})
	wantNoErr(t, err, "ListOrgWorkLinks")
	wantEqual(t, len(ls), 3, "all links")
	wantEqual(t, ls[0].PersonaID, q.ID, "newest first")
	ls, _ = db.ListOrgWorkLinks(ctx, f.Org.ID, persona.WorkLinkFilter{Kind: persona.WorkGitHub})
	wantEqual(t, len(ls), 2, "GitHub links")
	ls, _ = db.ListOrgWorkLinks(ctx, f.Org.ID, persona.WorkLinkFilter{Kind: persona.WorkGitHub, PersonaID: p.ID})
	wantEqual(t, len(ls), 1, "the persona's GitHub links")
	ls, _ = db.ListOrgWorkLinks(ctx, f.Org.ID, persona.WorkLinkFilter{Limit: 1})
	wantEqual(t, len(ls), 1, "limited")
	ls, _ = db.ListOrgWorkLinks(ctx, other.Org.ID, persona.WorkLinkFilter{})
	wantEqual(t, len(ls), 0, "the other organisation's links")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, q.ID, f.Owner.ID, t0), "TrashPersona")
	ls, _ = db.ListOrgWorkLinks(ctx, f.Org.ID, persona.WorkLinkFilter{})
	wantEqual(t, len(ls), 2, "links of live personas")

	if err := db.DeleteWorkLink(ctx, other.Org.ID, a.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("another organisation deletes the link: %v", err)
	}
	wantNoErr(t, db.DeleteWorkLink(ctx, f.Org.ID, a.ID), "DeleteWorkLink")
	if err := db.DeleteWorkLink(ctx, f.Org.ID, a.ID); persona.ErrorCode(err) != persona.CodeNotFound {
		t.Fatalf("deleting twice: %v", err)
	}
	ls, _ = db.ListWorkLinks(ctx, f.Org.ID, p.ID)
	wantEqual(t, len(ls), 1, "after the delete")
}
