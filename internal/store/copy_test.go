package store_test

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store"
	"github.com/personapal/personapal/internal/store/storetest"
)

// copyFixture is a SQLite database holding the demo organisation and the
// objects the demo lacks, with what the checks need to know about it.
type copyFixture struct {
	db      *store.DB
	creds   seed.Credentials
	owner   app.Actor // the demo owner
	other   app.Actor // owner of the second organisation
	org2    string    // its slug
	revoked string    // a revoked API token
	trashed string    // a persona in the trash
	findMe  string    // a persona whose field value holds "quokkaverse"
	fileID  string    // an evidence document with binary bytes
	file    []byte
}

func fillSource(t *testing.T) copyFixture {
	t.Helper()
	ctx := t.Context()
	f := copyFixture{db: storetest.OpenSQLite(t)}
	const issuer = "https://idp.example.com/"
	svc := app.New(f.db, app.WithSSO(issuer, "Example IdP"))
	var err error
	if f.creds, err = seed.Demo(ctx, svc, demo.Data()); err != nil {
		t.Fatal(err)
	}
	if f.owner, err = svc.Authenticate(ctx, f.creds.Token); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	slug := f.creds.OrgSlug

	// A second organisation with a second user, the demo owner an editor.
	u2, err := svc.CreateUser(ctx, "second@example.com", "Second Owner", "correct horse battery staple")
	must(err)
	f.other = app.Actor{UserID: u2.ID, Email: u2.Email, Name: u2.Name}
	org2, err := svc.CreateOrg(ctx, f.other, "Second Org", "second-org")
	must(err)
	f.org2 = org2.Slug
	// The demo owner joins it by invitation; another invitation is pending.
	inv, err := svc.InviteMember(ctx, f.other, f.org2, f.owner.Email, persona.RoleEditor)
	must(err)
	_, err = svc.AcceptInvitation(ctx, f.owner, inv.ID)
	must(err)
	_, err = svc.InviteMember(ctx, f.other, f.org2, "pending@example.com", persona.RoleViewer)
	must(err)
	// A pending one-time link (its hash) for the second owner, who is an
	// operator.
	_, linkHash := persona.NewLinkSecret()
	must(f.db.CreateLink(ctx, persona.Link{Hash: linkHash, Purpose: persona.LinkPasswordReset, UserID: u2.ID, Email: u2.Email,
		CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}))
	must(f.db.SetOperator(ctx, u2.ID, true))
	tpls2, err := svc.ListTemplates(ctx, f.other, f.org2)
	must(err)
	var uxTpl2 string
	for _, tp := range tpls2 {
		if tp.ProfileType == persona.ProfileUX && uxTpl2 == "" {
			uxTpl2 = tp.ID
		}
	}
	g2, err := svc.CreateGroup(ctx, f.other, f.org2, app.GroupInput{Name: "Night shift"})
	must(err)
	p2, err := svc.CreatePersona(ctx, f.other, f.org2, app.PersonaInput{Name: "Second org persona", TemplateID: uxTpl2, GroupID: g2.ID,
		Status: persona.StatusDraft, Values: persona.Values{"role_title": "Night auditor"}})
	must(err)
	_, err = svc.AddNote(ctx, f.other, f.org2, persona.NoteOnPersona, p2.ID, "A note in the second organisation")
	must(err)
	must(svc.SetDivergenceThreshold(ctx, f.other, f.org2, 1.25))

	// A revoked token next to the live demo token.
	_, tok, err := svc.CreateToken(ctx, f.owner, "Old laptop")
	must(err)
	f.revoked, _, err = svc.CreateToken(ctx, f.owner, "Revoked")
	must(err)
	revokedActor, err := svc.Authenticate(ctx, f.revoked)
	must(err)
	must(svc.RevokeToken(ctx, f.owner, revokedActor.TokenID))
	_ = tok
	// A read-only token with an expiry, and an invited address that
	// signed up and has not verified it yet (its link is pending).
	_, _, err = svc.CreateScopedToken(ctx, f.owner, app.TokenOptions{Name: "Dashboard", Scope: persona.ScopeRead, ExpiresIn: 30 * 24 * time.Hour})
	must(err)
	must(svc.SignUp(ctx, app.SignupInput{Email: "pending@example.com", Name: "Pending Person", Password: "correct horse battery staple"}))

	// Demo organisation: settings, notes everywhere, a template with a
	// published second version and an unpublished draft, trash.
	must(svc.SetDivergenceThreshold(ctx, f.owner, slug, 2.5))
	groups, err := svc.ListGroups(ctx, f.owner, slug)
	must(err)
	page, err := svc.ListPersonas(ctx, f.owner, slug, persona.PersonaFilter{Limit: 100}, "")
	must(err)
	var withVariant, base persona.Persona
	var variant app.VariantDetail
	for _, p := range page.Items {
		vs, err := svc.ListVariants(ctx, f.owner, slug, p.ID)
		must(err)
		if len(vs) > 0 && withVariant.ID == "" {
			withVariant, variant = p, vs[0]
		}
		if p.ProfileType == persona.ProfileUX && base.ID == "" && len(vs) == 0 {
			base = p
		}
	}
	if withVariant.ID == "" || base.ID == "" {
		t.Fatal("the demo data has no persona with a variant, or no UX persona without one")
	}
	_, err = svc.AddNote(ctx, f.owner, slug, persona.NoteOnOrg, "", "Organisation-wide note")
	must(err)
	_, err = svc.AddNote(ctx, f.owner, slug, persona.NoteOnGroup, groups[0].ID, "Group note")
	must(err)
	_, err = svc.AddNote(ctx, f.owner, slug, persona.NoteOnPersona, withVariant.ID, "Persona note about tapirs")
	must(err)
	_, err = svc.AddNote(ctx, f.owner, slug, persona.NoteOnVariant, variant.Variant.ID, "Variant note")
	must(err)

	tpl, err := svc.GetTemplate(ctx, f.owner, slug, base.TemplateID)
	must(err)
	def := tpl.Draft
	def.Sections[0].Fields[0].Help = "Published in version two"
	_, err = svc.SaveDraft(ctx, f.owner, slug, tpl.ID, def)
	must(err)
	_, err = svc.Publish(ctx, f.owner, slug, tpl.ID)
	must(err)
	def.Sections[0].Fields[0].Help = "Still a draft"
	_, err = svc.SaveDraft(ctx, f.owner, slug, tpl.ID, def)
	must(err)

	// A persona found by a field value, and one in the trash.
	in := app.PersonaInput{Name: "Field value finder", TemplateID: base.TemplateID, GroupID: base.GroupID, Status: persona.StatusPublished,
		OwnerID: f.owner.UserID, Values: persona.Values{"role_title": "Quokkaverse cartographer"}, Message: "first"}
	found, err := svc.CreatePersona(ctx, f.owner, slug, in)
	must(err)
	f.findMe = found.ID
	gone, err := svc.CreatePersona(ctx, f.owner, slug, app.PersonaInput{Name: "Quokkaverse ghost", TemplateID: base.TemplateID, GroupID: base.GroupID,
		Status: persona.StatusDraft, Values: persona.Values{"role_title": "Quokkaverse ghost"}})
	must(err)
	must(svc.TrashPersona(ctx, f.owner, slug, gone.ID))
	f.trashed = gone.ID

	// A second variant, trashed.
	extra, err := svc.CreateVariant(ctx, f.owner, slug, withVariant.ID, app.VariantInput{CustomerLabel: "Credit unions",
		Values: persona.Values{"role_title": "Credit union lead"}, Message: "trial"})
	must(err)
	must(svc.TrashVariant(ctx, f.owner, slug, extra.ID))

	// A document whose bytes are every byte value (NUL and invalid UTF-8
	// included), tagged and linked.
	f.file = []byte("\x89PNG\r\n\x1a\n")
	for b := range 256 {
		f.file = append(f.file, byte(b))
	}
	ev, err := svc.UploadEvidence(ctx, f.owner, slug, app.EvidenceInput{Kind: persona.EvidenceDocument, Title: "Binary scan",
		Tags: []string{"scan", "binary"}, CollectedOn: "2024-02-29"}, app.Upload{Name: "scan.png", Content: bytes.NewReader(f.file)})
	must(err)
	f.fileID = ev.ID

	// Enough audit entries that the copy writes them in several batches.
	org1, _, err := svc.GetOrg(ctx, f.owner, slug)
	must(err)
	for i := range 1100 {
		must(f.db.AppendAudit(ctx, persona.AuditEvent{OrgID: org1.ID, At: time.Now().UTC().Truncate(time.Microsecond),
			ActorID: f.owner.UserID, ActorEmail: f.owner.Email, Action: "view", ObjectKind: "persona", ObjectID: found.ID,
			Summary: fmt.Sprintf("bulk entry %d", i)}))
	}
	_, err = svc.LinkEvidence(ctx, f.owner, slug, ev.ID, app.EvidenceLinkInput{PersonaID: found.ID, Stance: persona.StanceSupports, Excerpt: "p. 1"})
	must(err)

	// The living-persona tables: a review, the digest's week and an
	// opt-out, a thread with a reply, a proposal and the sign-off
	// setting, and a recorded view.
	_, err = svc.MarkReviewed(ctx, f.owner, slug, found.ID, "Checked with the research team")
	must(err)
	_, err = svc.SendReviewDigests(ctx, time.Now())
	must(err)
	must(svc.SetReviewDigest(ctx, f.owner, false))
	top, err := svc.AddComment(ctx, f.owner, slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: found.ID, Body: "Is this still **true**?"})
	must(err)
	_, err = svc.AddComment(ctx, f.owner, slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: found.ID, ParentID: top.ID, Body: "Yes"})
	must(err)
	proposed := in
	proposed.Values = persona.Values{"role_title": "Quokkaverse chief cartographer"}
	pr, err := svc.CreateProposal(ctx, f.owner, slug, found.ID, app.ProposalInput{Persona: proposed, Message: "A promotion"})
	must(err)
	_, err = svc.AddComment(ctx, f.owner, slug, app.CommentInput{Subject: persona.CommentOnProposal, SubjectID: pr.ID, Body: "Why now?"}) // fills proposal_id
	must(err)
	must(svc.SetRequiresProposals(ctx, f.owner, slug, true))
	browser := f.owner // a page view (views through API tokens are not counted)
	browser.TokenID = ""
	svc.RecordView(browser, org1.ID, found.ID, app.ViewPersona)
	svc.FlushUsage(ctx)
	_, err = svc.CreateWebhook(ctx, f.owner, slug, app.WebhookInput{URL: "https://hooks.example.com/persona-pal", EventTypes: []string{"persona.updated"}, Enabled: true, Description: "CRM sync"})
	must(err)
	// A share link with a lens, a password, an expiry and an embedding site.
	expires := time.Now().AddDate(1, 0, 0)
	_, _, err = svc.CreateShareLink(ctx, f.owner, slug, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{found.ID},
		Lens: persona.ShareLens{HiddenFields: []string{"goals"}, HideMembers: true}, Password: "a share password",
		ExpiresAt: &expires, FrameAncestors: []string{"https://intranet.example.com"}})
	must(err)
	// A work link.
	_, err = svc.AddWorkLink(ctx, f.owner, slug, found.ID, app.WorkLinkInput{URL: "https://acme.atlassian.net/browse/PP-1", Title: "Checkout research"})
	must(err)
	// An external ID recorded by an import (internal/interchange).
	must(f.db.SetPersonaExternalID(ctx, org1.ID, found.ID, "crm-1"))
	// A persona photo (every size).
	var pic bytes.Buffer
	must(png.Encode(&pic, image.NewGray(image.Rect(0, 0, 40, 30))))
	must(svc.SetPersonaPhoto(ctx, f.owner, slug, found.ID, pic.Bytes()))
	// Notifications: a preference, a review falling due (years ahead) and
	// its notice, read, and a digest day claimed.
	_, err = svc.SetNotificationPrefs(ctx, f.owner, map[string]string{"comment": "app"})
	must(err)
	_, err = svc.NotifyReviewsDue(ctx, time.Now().AddDate(3, 0, 0))
	must(err)
	_, err = svc.MarkNotificationsRead(ctx, f.owner, slug, nil)
	must(err)
	_, err = svc.SendNotificationDigests(ctx, time.Now())
	must(err)

	// Single sign-on, in an organisation of its own (it requires single
	// sign-on, which the exports below could not pass): a domain mapping,
	// a person it added with their linked identity, the requirement and a
	// token made in a single sign-on session.
	ssoOther := f.other
	ssoOther.SSO = true
	_, err = svc.CreateOrg(ctx, f.other, "Single sign-on org", "sso-org")
	must(err)
	_, err = svc.AddSSODomain(ctx, f.other, "sso-org", "example.com", persona.RoleEditor)
	must(err)
	_, err = svc.SignInWithSSO(ctx, app.SSOClaims{Issuer: issuer, Subject: "sub-1", Email: "sso-person@example.com", EmailVerified: true, Name: "Sso Person"})
	must(err)
	_, err = svc.SetSSORequired(ctx, ssoOther, "sso-org", true)
	must(err)
	_, _, err = svc.CreateToken(ctx, ssoOther, "Made with single sign-on")
	must(err)
	return f
}

// copyTo migrates a fresh PostgreSQL schema and copies src into it.
func copyTo(t *testing.T, src *store.DB, dsn string) (*store.DB, []store.CopyTable, error) {
	t.Helper()
	ctx := t.Context()
	dst, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	if err := store.CheckCopySource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckCopyTarget(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := dst.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tables, err := store.Copy(ctx, src, dst, nil)
	return dst, tables, err
}

func TestCopySQLiteToPostgres(t *testing.T) {
	ctx := t.Context()
	f := fillSource(t)
	dst, tables, err := copyTo(t, f.db, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}

	// Every table, row by row, holds the same values (timestamps to the
	// microsecond, file bytes, hashes, trash state, audit sequence).
	srcRows, dstRows := dumpTables(t, f.db), dumpTables(t, dst)
	for table, rows := range srcRows {
		if len(rows) == 0 {
			t.Errorf("the fixture leaves %s empty; the comparison would prove nothing for it", table)
		}
	}
	if diff := cmp.Diff(srcRows, dstRows); diff != "" {
		t.Errorf("tables differ after the copy (-sqlite +postgres):\n%s", diff)
	}
	var copied int64
	for _, ct := range tables {
		copied += ct.Rows
		if want := int64(len(srcRows[ct.Table])); ct.Rows != want {
			t.Errorf("Copy reported %d rows for %s, the source holds %d", ct.Rows, ct.Table, want)
		}
	}
	if len(tables) != len(srcRows) {
		t.Errorf("Copy reported %d tables, the source holds %d copied ones", len(tables), len(srcRows))
	}

	// Each organisation exports identically from both.
	at := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	srcSvc, dstSvc := app.New(f.db, app.WithClock(at)), app.New(dst, app.WithClock(at))
	for _, c := range []struct {
		actor app.Actor
		slug  string
	}{{f.owner, f.creds.OrgSlug}, {f.other, f.org2}} {
		a, b := exportBytes(t, srcSvc, c.actor, c.slug), exportBytes(t, dstSvc, c.actor, c.slug)
		if !bytes.Equal(a, b) {
			t.Errorf("export of %s differs (-sqlite +postgres):\n%s", c.slug, cmp.Diff(string(a), string(b)))
		}
	}

	dstSvc = app.New(dst) // real clock from here on
	// Sign-in and API tokens work; the revoked token stays revoked.
	if _, err := dstSvc.CheckPassword(ctx, f.creds.Email, f.creds.Password); err != nil {
		t.Errorf("sign-in with the demo password on the target: %v", err)
	}
	if _, err := dstSvc.CheckPassword(ctx, f.creds.Email, f.creds.Password+"x"); err == nil {
		t.Error("a wrong password signs in on the target")
	}
	actor, err := dstSvc.Authenticate(ctx, f.creds.Token)
	if err != nil {
		t.Fatalf("the demo token on the target: %v", err)
	}
	if actor.UserID != f.owner.UserID {
		t.Errorf("the token authenticates %s, want %s", actor.UserID, f.owner.UserID)
	}
	if _, err := dstSvc.Authenticate(ctx, f.revoked); err == nil {
		t.Error("a revoked token authenticates on the target")
	}

	// PostgreSQL's search finds personas by field values and the other
	// entries, and leaves the trash out.
	hits, err := dstSvc.Search(ctx, actor, f.creds.OrgSlug, persona.SearchQuery{Text: "quokkaverse"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].PersonaID != f.findMe {
		t.Errorf("search for a field value on the target: got %+v, want only %s", hits, f.findMe)
	}
	entries, err := dstSvc.SearchEntries(ctx, actor, f.creds.OrgSlug, "tapirs", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Kind != persona.EntryNote {
		t.Errorf("entry search for a note on the target: got %+v", entries)
	}
	trash, err := dstSvc.ListTrash(ctx, actor, f.creds.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	if len(trash) != 1 || trash[0].ID != f.trashed {
		t.Errorf("trash on the target: %+v, want %s", trash, f.trashed)
	}
	_, file, err := dstSvc.EvidenceFile(ctx, actor, f.creds.OrgSlug, f.fileID)
	if err != nil || !bytes.Equal(file, f.file) {
		t.Errorf("the uploaded file on the target: %v, %x", err, file)
	}

	// New rows on the target do not collide with copied ones: the audit
	// log's sequence continues after the copied numbers.
	orgs, err := dst.OrgsForUser(ctx, actor.UserID)
	if err != nil {
		t.Fatal(err)
	}
	orgID := ""
	for _, m := range orgs {
		if m.Org.Slug == f.creds.OrgSlug {
			orgID = m.Org.ID
		}
	}
	before, err := dst.ListAudit(ctx, orgID, persona.AuditFilter{}, 0, 1)
	if err != nil || len(before) != 1 {
		t.Fatalf("audit log on the target: %v %v", before, err)
	}
	if err := dst.AppendAudit(ctx, persona.AuditEvent{OrgID: orgID, At: time.Now(), Action: "test", ObjectKind: "copy"}); err != nil {
		t.Fatalf("append to the copied audit log: %v", err)
	}
	model, err := dstSvc.GetPersona(ctx, actor, f.creds.OrgSlug, f.findMe)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dstSvc.CreatePersona(ctx, actor, f.creds.OrgSlug, app.PersonaInput{Name: "Made after the move", TemplateID: model.TemplateID,
		GroupID: model.GroupID, Status: persona.StatusDraft, Values: persona.Values{"role_title": "Newcomer"}})
	if err != nil {
		t.Fatalf("create a persona on the target: %v", err)
	}
	if slices.ContainsFunc(srcRows["personas"], func(r string) bool { return strings.Contains(r, strconv.Quote(p.ID)) }) {
		t.Errorf("the new persona got a copied ID %s", p.ID)
	}
	after, err := dst.ListAudit(ctx, orgID, persona.AuditFilter{}, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 2 || after[0].ObjectID != p.ID || after[1].Action != "test" || after[1].Seq <= before[0].Seq {
		t.Errorf("audit after the copy: %+v (last copied %+v)", after, before[0])
	}
	if hits, err := dstSvc.Search(ctx, actor, f.creds.OrgSlug, persona.SearchQuery{Text: "after the move"}); err != nil || len(hits) != 1 {
		t.Errorf("search for a persona made after the move: %+v %v", hits, err)
	}
	t.Logf("copied %d rows in %d tables", copied, len(tables))
}

func exportBytes(t *testing.T, svc *app.Service, actor app.Actor, slug string) []byte {
	t.Helper()
	e, err := svc.ExportOrg(t.Context(), actor, slug)
	if err != nil {
		t.Fatal(err)
	}
	persona.SortExport(&e)
	var b bytes.Buffer
	if err := persona.EncodeExport(&b, e, "json"); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The copy refuses a target that holds data and leaves it as it was.
func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	ctx := t.Context()
	src := storetest.OpenSQLite(t)
	if _, err := seed.Demo(ctx, app.New(src), demo.Data()); err != nil {
		t.Fatal(err)
	}
	dst := storetest.OpenPostgres(t)
	if _, err := app.New(dst).CreateUser(ctx, "already@example.com", "Already Here", "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	before := dumpTables(t, dst)
	_, err := store.Copy(ctx, src, dst, func(store.CopyTable) { t.Error("progress reported for a refused copy") })
	if persona.ErrorCode(err) != persona.CodeConflict || !strings.Contains(err.Error(), "users") {
		t.Fatalf("copy into a target with a user: %v, want a conflict naming users", err)
	}
	if diff := cmp.Diff(before, dumpTables(t, dst)); diff != "" {
		t.Errorf("the refused copy changed the target:\n%s", diff)
	}

	// A second copy into a target already copied to is refused too.
	dst2, _, err := copyTo(t, src, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Copy(ctx, src, dst2, nil); persona.ErrorCode(err) != persona.CodeConflict {
		t.Errorf("second copy into the same target: %v, want a conflict", err)
	}
}

// The copy refuses what it cannot copy completely, writing nothing.
func TestCopyRefusesUnknownSchemas(t *testing.T) {
	ctx := t.Context()

	// A SQLite file that is not Persona Pal's.
	foreign, err := store.Open(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	if _, err := foreign.SQL().ExecContext(ctx, `CREATE TABLE things (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckCopySource(ctx, foreign); persona.ErrorCode(err) != persona.CodeInvalid {
		t.Errorf("a foreign SQLite file as the source: %v, want invalid", err)
	}

	// A Persona Pal database from a newer version.
	newer := storetest.OpenSQLite(t)
	if _, err := newer.SQL().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckCopySource(ctx, newer); persona.ErrorCode(err) != persona.CodeInvalid || !strings.Contains(err.Error(), "99999") {
		t.Errorf("a source from a newer version: %v, want invalid naming 99999", err)
	}

	// A source with a table the copy does not know: refused, nothing written.
	src := storetest.OpenSQLite(t)
	if _, err := seed.Demo(ctx, app.New(src), demo.Data()); err != nil {
		t.Fatal(err)
	}
	if _, err := src.SQL().ExecContext(ctx, `CREATE TABLE plugin_data (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	dst := storetest.OpenPostgres(t)
	before := dumpTables(t, dst)
	if _, err := store.Copy(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "plugin_data") {
		t.Errorf("a source with an unknown table: %v, want a refusal naming it", err)
	}
	if diff := cmp.Diff(before, dumpTables(t, dst)); diff != "" {
		t.Errorf("the refused copy changed the target:\n%s", diff)
	}

	// A target schema holding another application's tables.
	other, err := store.Open(ctx, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.SQL().ExecContext(ctx, `CREATE TABLE invoices (id int)`); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckCopyTarget(ctx, other); persona.ErrorCode(err) != persona.CodeConflict || !strings.Contains(err.Error(), "invoices") {
		t.Errorf("a target with foreign tables: %v, want a conflict naming them", err)
	}

	// Engines the wrong way round.
	if _, err := store.Copy(ctx, dst, src, nil); persona.ErrorCode(err) != persona.CodeInvalid {
		t.Errorf("copy from PostgreSQL: %v, want invalid", err)
	}
}

// notCopied are the tables a copy may leave behind. It is spelt out here
// rather than taken from store.CopySkipped, so that skipping another table
// fails these tests until someone decides it here too.
var notCopied = []string{"goose_db_version", "health_probe", "login_attempts", "outbox_messages", "presence", "river_client", "river_client_queue",
	"river_job", "river_leader", "river_migration", "river_notification", "river_queue", "sessions", "setup_codes", "sso_flows", "store_tasks", "webhook_attempts", "webhook_deliveries"}

func TestCopySkipsOnlyEphemeralTables(t *testing.T) {
	got := slices.Sorted(maps.Keys(store.CopySkipped))
	if !slices.Equal(got, notCopied) {
		t.Errorf("store.CopySkipped = %v, want %v", got, notCopied)
	}
}

// dumpTables reads every table found in the database's own catalogue,
// except notCopied, as sorted canonical rows. Columns
// only one engine has (SQLite's FTS rowid aliases and organisation key,
// PostgreSQL's generated tsvectors) are left out.
func dumpTables(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := t.Context()
	listQuery := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	if db.Dialect() == store.DialectSQLite {
		listQuery = `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	}
	names := queryStrings(t, db.SQL(), listQuery)
	skipCols := map[string]bool{"personas.seq": true, "search_entries.seq": true, "personas.org_key": true,
		"personas.search": true, "search_entries.search": true}
	out := map[string][]string{}
	for _, table := range names {
		if slices.Contains(notCopied, table) {
			continue
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		list := []string{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, c := range cols {
				if !skipCols[table+"."+c] {
					parts = append(parts, c+"="+canonical(t, vals[i]))
				}
			}
			slices.Sort(parts)
			list = append(list, strings.Join(parts, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(list)
		out[table] = list
	}
	return out
}

// canonical renders a value the same way whichever engine returned it:
// times in UTC to the nanosecond, JSON re-encoded (jsonb reorders keys),
// bytes in hex.
func canonical(t *testing.T, v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case int64, int32, float64:
		return fmt.Sprint(v)
	case bool: // SQLite keeps booleans as 0 and 1
		if v {
			return "1"
		}
		return "0"
	case string:
		if j, ok := jsonCanonical([]byte(v)); ok {
			return j
		}
		return strconv.Quote(v)
	case []byte:
		if j, ok := jsonCanonical(v); ok {
			return j
		}
		return "0x" + hex.EncodeToString(v)
	case map[string]any, []any:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := jsonCanonical(b)
		return j
	}
	t.Fatalf("unexpected column value %T %v", v, v)
	return ""
}

func jsonCanonical(b []byte) (string, bool) {
	s := bytes.TrimSpace(b)
	if len(s) == 0 || (s[0] != '{' && s[0] != '[') {
		return "", false
	}
	d := json.NewDecoder(bytes.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return "", false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return "json:" + string(out), true
}

func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
