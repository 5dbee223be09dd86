package store

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/personapal/personapal/internal/persona"
)

// runConformance runs the store suite against databases made by open, each
// fresh and migrated.
func runConformance(t *testing.T, open func(t *testing.T) *DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *DB)
	}{
		{"MigrateTwice", testMigrateTwice},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"Orgs", testOrgs},
		{"CreateOrgAtomic", testCreateOrgAtomic},
		{"OrgSlugs", testOrgSlugs},
		{"OrgDeleteRestorePurge", testOrgDeleteRestorePurge},
		{"GroupOrderAndMoves", testGroupOrderAndMoves},
		{"Members", testMembers},
		{"Invitations", testInvitations},
		{"InvitationsCrossOrg", testInvitationsCrossOrg},
		{"Groups", testGroups},
		{"Templates", testTemplates},
		{"Personas", testPersonas},
		{"ListPersonasFilters", testListPersonasFilters},
		{"Pagination", testPagination},
		{"Trash", testTrash},
		{"Revisions", testRevisions},
		{"StaleUpdate", testStaleUpdate},
		{"ConcurrentUpdate", testConcurrentUpdate},
		{"CrossOrgIsolation", testCrossOrgIsolation},
		{"CrossOrgReferences", testCrossOrgReferences},
		{"Search", testSearch},
		{"SearchFolding", testSearchFolding},
		{"Names", testNames},
		{"TokenUserOrg", testTokenUserOrg},
		{"SearchHostileInput", testSearchHostileInput},
		{"Timestamps", testTimestamps},
		{"JSONValues", testJSONValues},
		{"Sessions", testSessions},
		{"LoginThrottle", testLoginThrottle},
		{"SecurityEvents", testSecurityEvents},
		{"SSO", testSSO},
		{"Variants", testVariants},
		{"VariantsFollowTheirPersona", testVariantsFollowTheirPersona},
		{"Notes", testNotes},
		{"NotesPages", testNotesPages},
		{"SearchEntries", testSearchEntries},
		{"Alignment", testAlignment},
		{"Audit", testAudit},
		{"LaunchpadCatalogue", testLaunchpadCatalogue},
		{"Launchpads", testLaunchpads},
		{"Evidence", testEvidence},
		{"EvidenceLinks", testEvidenceLinks},
		{"EvidenceCrossOrg", testEvidenceCrossOrg},
		{"Links", testLinks},
		{"LinksConcurrentConsume", testLinksConcurrentConsume},
		{"Outbox", testOutbox},
		{"Operators", testOperators},
		{"ObjectNames", testObjectNames},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
	t.Run("ConcurrentMigrate", func(t *testing.T) {
		t.Parallel()
		testConcurrentMigrate(t, open)
	})
}

// ---- fixtures ----

// t0 is a timestamp with nanoseconds and a non-UTC zone: the store must
// return it in UTC truncated to microseconds.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CET", 3600))

func want(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func fptr(f float64) *float64 { return &f }

// uxDefinition is a realistic UX persona template.
var uxDefinition = persona.Definition{
	Sections: []persona.Section{
		{Key: "background", Label: "Background", Labels: map[persona.ProfileType]string{persona.ProfileUX: "Who they are"},
			Fields: []persona.Field{
				{Key: "role", Label: "Role", Kind: persona.KindText, Required: true, MaxLength: 120},
				{Key: "bio", Label: "Bio", Help: "A few sentences in their voice.", Kind: persona.KindMarkdown, MaxLength: 4000},
				{Key: "age", Label: "Age", Kind: persona.KindNumber, Min: fptr(16), Max: fptr(100)},
			}},
		{Key: "jobs", Label: "Goals & challenges", Labels: map[persona.ProfileType]string{persona.ProfileUX: "Jobs to be done"},
			Fields: []persona.Field{
				{Key: "goals", Label: "Goals", Kind: persona.KindList, MaxLength: 200},
				{Key: "frustrations", Label: "Frustrations", Kind: persona.KindList, MaxLength: 200},
				{Key: "channels", Label: "Preferred channels", Kind: persona.KindMultiChoice, Options: []string{"email", "chat", "phone", "in person"}},
				{Key: "confidence", Label: "Confidence", Kind: persona.KindScale, Min: fptr(1), Max: fptr(5), LowLabel: "Unsure", HighLabel: "Confident"},
			}},
	},
	Dimensions: []persona.Dimension{
		{Key: "technical_comfort", Label: "Technical comfort", Kind: persona.DimensionScale, Min: 1, Max: 5, LowLabel: "Avoids technology", HighLabel: "Power user"},
		{Key: "buying_role", Label: "Buying role", Kind: persona.DimensionChoice, Options: []string{"user", "influencer", "decision maker"}},
	},
}

// agentDefinition is a realistic AI agent template.
var agentDefinition = persona.Definition{
	Sections: []persona.Section{
		{Key: "mandate", Label: "Mandate", Fields: []persona.Field{
			{Key: "purpose", Label: "Purpose", Kind: persona.KindText, Required: true},
			{Key: "guardrails", Label: "Guardrails", Kind: persona.KindList},
			{Key: "tone", Label: "Tone", Kind: persona.KindChoice, Options: []string{"formal", "friendly", "terse"}},
		}},
	},
	Dimensions: []persona.Dimension{
		{Key: "autonomy", Label: "Autonomy", Kind: persona.DimensionScale, Min: 1, Max: 5},
	},
}

type orgFixture struct {
	Org   persona.Org
	Owner persona.User
	UX    persona.Template // version 1 published
	Agent persona.Template // version 1 published
}

func mustUser(t *testing.T, db *DB, email string) persona.User {
	t.Helper()
	u := persona.User{ID: newID(), Email: email, Name: strings.Split(email, "@")[0], PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", CreatedAt: t0}
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	u.CreatedAt = want(u.CreatedAt)
	return u
}

func mustOrg(t *testing.T, db *DB, slug string) orgFixture {
	t.Helper()
	f := orgFixture{Owner: mustUser(t, db, "owner@"+slug+".example")}
	f.Org = persona.Org{ID: newID(), Slug: slug, Name: "Org " + slug, CreatedAt: t0}
	f.UX = persona.Template{ID: newID(), OrgID: f.Org.ID, Name: "UX persona", ProfileType: persona.ProfileUX,
		Description: "Research-based user persona", LatestVersion: 1, Draft: uxDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	f.Agent = persona.Template{ID: newID(), OrgID: f.Org.ID, Name: "AI agent", ProfileType: persona.ProfileAgent,
		Description: "An assistant's brief", LatestVersion: 1, Draft: agentDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	versions := []persona.TemplateVersion{
		{TemplateID: f.UX.ID, Version: 1, Definition: uxDefinition, PublishedAt: t0, PublishedBy: f.Owner.ID},
		{TemplateID: f.Agent.ID, Version: 1, Definition: agentDefinition, PublishedAt: t0, PublishedBy: f.Owner.ID},
	}
	owner := persona.Member{UserID: f.Owner.ID, Role: persona.RoleOwner, CreatedAt: t0}
	if err := db.CreateOrg(t.Context(), f.Org, owner, []persona.Template{f.UX, f.Agent}, versions); err != nil {
		t.Fatal(err)
	}
	f.Org.CreatedAt = want(t0)
	for _, tp := range []*persona.Template{&f.UX, &f.Agent} {
		tp.DraftUpdatedAt, tp.CreatedAt, tp.UpdatedAt = want(t0), want(t0), want(t0)
	}
	return f
}

func mustGroup(t *testing.T, db *DB, orgID, name string) persona.Group {
	t.Helper()
	g := persona.Group{ID: newID(), OrgID: orgID, Name: name, Description: "Personas for " + name, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateGroup(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	g.CreatedAt, g.UpdatedAt = want(t0), want(t0)
	return g
}

// nurseContent is a realistic UX persona.
func nurseContent(groupID, ownerID string) persona.Content {
	return persona.Content{
		Name:    "Nadia the night-shift nurse",
		Summary: "Experienced ward nurse who documents care on a shared tablet between rounds.",
		GroupID: groupID, Status: persona.StatusPublished, OwnerID: ownerID, TemplateVersion: 1,
		Values: persona.Values{
			"role":         "Senior ward nurse",
			"bio":          "I have twelve years on the **cardiology** ward. Nights are quiet until they aren't.",
			"age":          41.0,
			"goals":        []string{"Finish handover notes before 7am", "Spot deteriorating patients early"},
			"frustrations": []string{"Logging in three times per shift", "Tablets that die mid-round"},
			"channels":     []string{"chat", "in person"},
			"confidence":   4.0,
		},
		Dimensions:         persona.Values{"technical_comfort": 2.0, "buying_role": "user"},
		LastReviewedOn:     "2025-02-28",
		ReviewIntervalDays: 90,
	}
}

// searchTextOf is a stand-in for persona.SearchText.
func searchTextOf(c persona.Content) string {
	var parts []string
	for _, k := range []string{"role", "bio", "goals", "frustrations", "purpose", "guardrails"} {
		switch v := c.Values[k].(type) {
		case string:
			parts = append(parts, v)
		case []string:
			parts = append(parts, v...)
		}
	}
	return strings.Join(parts, "\n")
}

type personaOpt func(*persona.Persona)

func mustPersona(t *testing.T, db *DB, f orgFixture, groupID string, opts ...personaOpt) persona.Persona {
	t.Helper()
	p := persona.Persona{ID: newID(), OrgID: f.Org.ID, TemplateID: f.UX.ID, ProfileType: persona.ProfileUX,
		Content: nurseContent(groupID, f.Owner.ID), Revision: 1,
		CreatedAt: t0, CreatedBy: f.Owner.ID, UpdatedAt: t0, UpdatedBy: f.Owner.ID}
	for _, o := range opts {
		o(&p)
	}
	rev := persona.Revision{PersonaID: p.ID, OrgID: p.OrgID, Number: 1, AuthorID: p.CreatedBy, CreatedAt: p.CreatedAt, Message: "Created", Content: p.Content}
	if err := db.CreatePersona(t.Context(), p, rev, searchTextOf(p.Content)); err != nil {
		t.Fatal(err)
	}
	p.CreatedAt, p.UpdatedAt = want(p.CreatedAt), want(p.UpdatedAt)
	return p
}

func named(name string) personaOpt { return func(p *persona.Persona) { p.Name = name } }

func asAgent(f orgFixture) personaOpt {
	return func(p *persona.Persona) {
		p.TemplateID, p.ProfileType = f.Agent.ID, persona.ProfileAgent
		p.Values = persona.Values{"purpose": "Answer billing questions for small clinics", "guardrails": []string{"Never promise refunds"}, "tone": "friendly"}
		p.Dimensions = persona.Values{"autonomy": 2.0}
	}
}

func withStatus(s persona.Status) personaOpt { return func(p *persona.Persona) { p.Status = s } }

// updated returns p as its next revision with a changed summary.
func updated(p persona.Persona, summary string) (persona.Persona, persona.Revision) {
	p.Summary = summary
	p.Revision++
	p.UpdatedAt = p.UpdatedAt.Add(time.Minute)
	return p, persona.Revision{PersonaID: p.ID, OrgID: p.OrgID, Number: p.Revision, AuthorID: p.UpdatedBy,
		CreatedAt: p.UpdatedAt, Message: "Edited summary", Content: p.Content}
}

// ---- assertions ----

func wantCode(t *testing.T, err error, code persona.Code, what string) {
	t.Helper()
	if got := persona.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func wantNoErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantEqual[T any](t *testing.T, got, want T, what string, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, append(opts, cmpopts.EquateEmpty())...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func ids(ps []persona.Persona) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// ---- tests ----

func testMigrateTwice(t *testing.T, db *DB) {
	ctx := t.Context()
	u := mustUser(t, db, "keep@example.com")
	wantNoErr(t, db.Migrate(ctx), "second Migrate")
	wantNoErr(t, db.Migrate(ctx), "third Migrate")
	got, err := db.UserByID(ctx, u.ID)
	wantNoErr(t, err, "UserByID after re-migrating")
	wantEqual(t, got, u, "user")
	if d := db.Dialect(); d != DialectSQLite && d != DialectPostgres {
		t.Errorf("Dialect() = %q", d)
	}
	wantNoErr(t, db.Ping(ctx), "Ping")
}

func testConcurrentMigrate(t *testing.T, open func(t *testing.T) *DB) {
	db := open(t) // already migrated once: exercises the no-op path concurrently
	if db.Dialect() != DialectPostgres {
		t.Skip("concurrent instances share one database only on PostgreSQL")
	}
	// Two fresh "instances" on one fresh schema migrating at once.
	dsn := postgresSchemaDSN(t)
	var dbs [3]*DB
	for i := range dbs {
		d, err := Open(t.Context(), dsn)
		wantNoErr(t, err, "Open")
		t.Cleanup(func() { d.Close() })
		dbs[i] = d
	}
	var wg sync.WaitGroup
	errs := make([]error, len(dbs))
	for i, d := range dbs {
		wg.Go(func() { errs[i] = d.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		wantNoErr(t, err, fmt.Sprintf("concurrent Migrate %d", i))
	}
	mustUser(t, dbs[0], "after@example.com")
	if _, err := dbs[1].UserByEmail(t.Context(), "after@example.com"); err != nil {
		t.Errorf("second instance does not see the first's user: %v", err)
	}
}

func testUsers(t *testing.T, db *DB) {
	ctx := t.Context()
	u := mustUser(t, db, "ada@example.com")
	got, err := db.UserByEmail(ctx, "ada@example.com")
	wantNoErr(t, err, "UserByEmail")
	wantEqual(t, got, u, "UserByEmail")
	got, err = db.UserByEmail(ctx, "ADA@Example.com")
	wantNoErr(t, err, "UserByEmail upper-case")
	wantEqual(t, got.ID, u.ID, "UserByEmail upper-case")
	got, err = db.UserByID(ctx, u.ID)
	wantNoErr(t, err, "UserByID")
	wantEqual(t, got, u, "UserByID")

	dup := persona.User{ID: newID(), Email: "ada@example.com", Name: "Other Ada", CreatedAt: t0}
	wantCode(t, db.CreateUser(ctx, dup), persona.CodeConflict, "CreateUser duplicate email")
	wantCode(t, db.CreateUser(ctx, persona.User{ID: u.ID, Email: "x@example.com", CreatedAt: t0}), persona.CodeConflict, "CreateUser duplicate ID")

	wantNoErr(t, db.SetPassword(ctx, u.ID, "new-hash"), "SetPassword")
	got, _ = db.UserByID(ctx, u.ID)
	wantEqual(t, got.PasswordHash, "new-hash", "password hash")
	wantCode(t, db.SetPassword(ctx, newID(), "x"), persona.CodeNotFound, "SetPassword unknown user")

	_, err = db.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, persona.CodeNotFound, "UserByEmail unknown")
	_, err = db.UserByID(ctx, newID())
	wantCode(t, err, persona.CodeNotFound, "UserByID unknown")
}

func testTokens(t *testing.T, db *DB) {
	ctx := t.Context()
	u := mustUser(t, db, "tok@example.com")
	other := mustUser(t, db, "other@example.com")
	tok := persona.Token{ID: newID(), UserID: u.ID, Name: "CI", Hash: "hash-1", Prefix: "pp_abc", CreatedAt: t0, Scope: persona.ScopeWrite}
	expires := t0.Add(90 * 24 * time.Hour)
	tok2 := persona.Token{ID: newID(), UserID: u.ID, Name: "laptop", Hash: "hash-2", Prefix: "pp_def", CreatedAt: t0.Add(time.Hour),
		Scope: persona.ScopeRead, ExpiresAt: &expires}
	wantNoErr(t, db.CreateToken(ctx, tok), "CreateToken")
	wantNoErr(t, db.CreateToken(ctx, tok2), "CreateToken 2")
	wantCode(t, db.CreateToken(ctx, persona.Token{ID: newID(), UserID: u.ID, Hash: "hash-1", CreatedAt: t0}), persona.CodeConflict, "CreateToken duplicate hash")
	tok.CreatedAt, tok2.CreatedAt = want(tok.CreatedAt), want(tok2.CreatedAt)

	got, err := db.TokenByHash(ctx, "hash-1")
	wantNoErr(t, err, "TokenByHash")
	wantEqual(t, got, tok, "TokenByHash")
	gotTok, gotUser, err := db.TokenUserByHash(ctx, "hash-1")
	wantNoErr(t, err, "TokenUserByHash")
	wantEqual(t, gotTok, tok, "TokenUserByHash token")
	wantEqual(t, gotUser.ID, u.ID, "TokenUserByHash user")
	wantEqual(t, gotUser.Email, u.Email, "TokenUserByHash email")
	// A read-only token with an expiry keeps both.
	got2, err := db.TokenByHash(ctx, "hash-2")
	wantNoErr(t, err, "TokenByHash read-only")
	if got2.Scope != persona.ScopeRead || got2.ExpiresAt == nil || !got2.ExpiresAt.Equal(want(expires)) {
		t.Errorf("read-only token read back as %+v", got2)
	}
	auth, err := db.TokenAuth(ctx, "hash-2", "no-such-org")
	wantNoErr(t, err, "TokenAuth")
	if auth.Scope != persona.ScopeRead || auth.ExpiresAt == nil || auth.LastUsedAt != nil {
		t.Errorf("TokenAuth = %+v", auth)
	}

	// The last use is written once per interval: a second touch whose
	// threshold is before the recorded use writes nothing.
	used := t0.Add(2 * time.Hour)
	wrote, err := db.TouchToken(ctx, tok.ID, used, used.Add(-time.Minute))
	wantNoErr(t, err, "TouchToken")
	wantEqual(t, wrote, true, "first touch writes")
	wrote, err = db.TouchToken(ctx, tok.ID, used.Add(30*time.Second), used.Add(-30*time.Second))
	wantNoErr(t, err, "TouchToken again")
	wantEqual(t, wrote, false, "a touch within the interval writes")
	got, _ = db.TokenByHash(ctx, "hash-1")
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(want(used)) || got.LastUsedAt.Location() != time.UTC {
		t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, want(used))
	}
	wrote, err = db.TouchToken(ctx, newID(), used, used)
	wantNoErr(t, err, "TouchToken unknown")
	wantEqual(t, wrote, false, "TouchToken unknown writes")

	list, err := db.ListTokens(ctx, u.ID)
	wantNoErr(t, err, "ListTokens")
	wantEqual(t, len(list), 2, "token count")
	wantEqual(t, list[0].ID, tok2.ID, "newest token first")

	wantCode(t, db.RevokeToken(ctx, other.ID, tok.ID, used), persona.CodeNotFound, "RevokeToken of another user's token")
	wantNoErr(t, db.RevokeToken(ctx, u.ID, tok.ID, used), "RevokeToken")
	_, err = db.TokenByHash(ctx, "hash-1")
	wantCode(t, err, persona.CodeNotFound, "TokenByHash revoked")
	_, _, err = db.TokenUserByHash(ctx, "hash-1")
	wantCode(t, err, persona.CodeNotFound, "TokenUserByHash revoked")
	wantCode(t, db.RevokeToken(ctx, u.ID, tok.ID, used), persona.CodeNotFound, "RevokeToken twice")
	list, _ = db.ListTokens(ctx, u.ID)
	for _, l := range list {
		if l.ID == tok.ID && (l.RevokedAt == nil || !l.RevokedAt.Equal(want(used))) {
			t.Errorf("revoked token lists RevokedAt = %v", l.RevokedAt)
		}
	}
	list, err = db.ListTokens(ctx, other.ID)
	wantNoErr(t, err, "ListTokens other")
	wantEqual(t, len(list), 0, "other user's tokens")
}

func testOrgs(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "acme")
	g := mustOrg(t, db, "globex")

	org, role, err := db.OrgForMember(ctx, "acme", f.Owner.ID)
	wantNoErr(t, err, "OrgForMember")
	wantEqual(t, org, f.Org, "OrgForMember org")
	wantEqual(t, role, persona.RoleOwner, "OrgForMember role")
	_, _, err = db.OrgForMember(ctx, "acme", g.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "OrgForMember non-member")
	_, _, err = db.OrgForMember(ctx, "nope", f.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "OrgForMember unknown slug")

	org, err = db.OrgBySlug(ctx, "globex")
	wantNoErr(t, err, "OrgBySlug")
	wantEqual(t, org, g.Org, "OrgBySlug")
	_, err = db.OrgBySlug(ctx, "nope")
	wantCode(t, err, persona.CodeNotFound, "OrgBySlug unknown")

	n, err := db.CountOrgs(ctx)
	wantNoErr(t, err, "CountOrgs")
	wantEqual(t, n, 2, "CountOrgs")

	// The owner of acme also joins globex as an editor.
	wantNoErr(t, db.AddMember(ctx, persona.Member{OrgID: g.Org.ID, UserID: f.Owner.ID, Role: persona.RoleEditor, CreatedAt: t0}), "AddMember")
	ms, err := db.OrgsForUser(ctx, f.Owner.ID)
	wantNoErr(t, err, "OrgsForUser")
	wantEqual(t, ms, []persona.OrgMembership{{Org: f.Org, Role: persona.RoleOwner}, {Org: g.Org, Role: persona.RoleEditor}}, "OrgsForUser")

	dup := persona.Org{ID: newID(), Slug: "acme", Name: "Another Acme", CreatedAt: t0}
	wantCode(t, db.CreateOrg(ctx, dup, persona.Member{UserID: g.Owner.ID, Role: persona.RoleOwner, CreatedAt: t0}, nil, nil),
		persona.CodeConflict, "CreateOrg duplicate slug")

	f.Org.Name = "Acme Corporation"
	wantNoErr(t, db.UpdateOrg(ctx, f.Org), "UpdateOrg")
	org, err = db.OrgBySlug(ctx, "acme")
	wantNoErr(t, err, "OrgBySlug after rename")
	wantEqual(t, org, f.Org, "renamed org")
	wantNoErr(t, db.UpdateOrg(ctx, persona.Org{ID: f.Org.ID, Slug: "ignored", Name: f.Org.Name}), "UpdateOrg with another slug")
	org, err = db.OrgBySlug(ctx, "acme")
	wantNoErr(t, err, "UpdateOrg leaves the slug to ChangeOrgSlug")
	wantEqual(t, org, f.Org, "org after UpdateOrg with another slug")
	wantCode(t, db.UpdateOrg(ctx, persona.Org{ID: newID(), Slug: "x", Name: "x"}), persona.CodeNotFound, "UpdateOrg unknown")
}

func testCreateOrgAtomic(t *testing.T, db *DB) {
	ctx := t.Context()
	u := mustUser(t, db, "atomic@example.com")
	org := persona.Org{ID: newID(), Slug: "atomic", Name: "Atomic", CreatedAt: t0}
	tmpl := persona.Template{ID: newID(), Name: "UX", ProfileType: persona.ProfileUX, Draft: uxDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	// The second version refers to a template that was not written: the
	// whole organisation must be rolled back.
	versions := []persona.TemplateVersion{
		{TemplateID: tmpl.ID, Version: 1, Definition: uxDefinition, PublishedAt: t0},
		{TemplateID: newID(), Version: 1, Definition: uxDefinition, PublishedAt: t0},
	}
	err := db.CreateOrg(ctx, org, persona.Member{UserID: u.ID, Role: persona.RoleOwner, CreatedAt: t0}, []persona.Template{tmpl}, versions)
	if err == nil {
		t.Fatal("CreateOrg with a version of an unknown template succeeded")
	}
	n, _ := db.CountOrgs(ctx)
	wantEqual(t, n, 0, "organisations after failed CreateOrg")
	_, err = db.GetTemplate(ctx, org.ID, tmpl.ID)
	wantCode(t, err, persona.CodeNotFound, "template after failed CreateOrg")
	ms, _ := db.OrgsForUser(ctx, u.ID)
	wantEqual(t, len(ms), 0, "memberships after failed CreateOrg")

	// An owner who does not exist fails too.
	err = db.CreateOrg(ctx, org, persona.Member{UserID: newID(), Role: persona.RoleOwner, CreatedAt: t0}, nil, nil)
	if err == nil {
		t.Fatal("CreateOrg with an unknown owner succeeded")
	}
	n, _ = db.CountOrgs(ctx)
	wantEqual(t, n, 0, "organisations after failed CreateOrg")
}

func testMembers(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "members")
	zed := mustUser(t, db, "zed@example.com")
	amy := mustUser(t, db, "amy@example.com")
	wantNoErr(t, db.AddMember(ctx, persona.Member{OrgID: f.Org.ID, UserID: zed.ID, Role: persona.RoleViewer, CreatedAt: t0}), "AddMember zed")
	wantNoErr(t, db.AddMember(ctx, persona.Member{OrgID: f.Org.ID, UserID: amy.ID, Role: persona.RoleEditor, CreatedAt: t0}), "AddMember amy")
	wantCode(t, db.AddMember(ctx, persona.Member{OrgID: f.Org.ID, UserID: amy.ID, Role: persona.RoleAdmin, CreatedAt: t0}), persona.CodeConflict, "AddMember twice")
	wantCode(t, db.AddMember(ctx, persona.Member{OrgID: f.Org.ID, UserID: newID(), Role: persona.RoleAdmin, CreatedAt: t0}), persona.CodeNotFound, "AddMember unknown user")

	ms, err := db.ListMembers(ctx, f.Org.ID)
	wantNoErr(t, err, "ListMembers")
	wantEqual(t, ms, []persona.Member{
		{OrgID: f.Org.ID, UserID: amy.ID, Email: amy.Email, Name: amy.Name, Role: persona.RoleEditor, CreatedAt: want(t0)},
		{OrgID: f.Org.ID, UserID: f.Owner.ID, Email: f.Owner.Email, Name: f.Owner.Name, Role: persona.RoleOwner, CreatedAt: want(t0)},
		{OrgID: f.Org.ID, UserID: zed.ID, Email: zed.Email, Name: zed.Name, Role: persona.RoleViewer, CreatedAt: want(t0)},
	}, "ListMembers (by email)")

	wantNoErr(t, db.SetMemberRole(ctx, f.Org.ID, zed.ID, persona.RoleAdmin), "SetMemberRole")
	m, err := db.GetMember(ctx, f.Org.ID, zed.ID)
	wantNoErr(t, err, "GetMember")
	wantEqual(t, m.Role, persona.RoleAdmin, "role after SetMemberRole")
	wantEqual(t, m.Email, zed.Email, "GetMember email")
	wantCode(t, db.SetMemberRole(ctx, f.Org.ID, newID(), persona.RoleAdmin), persona.CodeNotFound, "SetMemberRole non-member")

	wantNoErr(t, db.RemoveMember(ctx, f.Org.ID, zed.ID), "RemoveMember")
	_, err = db.GetMember(ctx, f.Org.ID, zed.ID)
	wantCode(t, err, persona.CodeNotFound, "GetMember removed")
	wantCode(t, db.RemoveMember(ctx, f.Org.ID, zed.ID), persona.CodeNotFound, "RemoveMember twice")
}

func testGroups(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "groups")
	clinics := mustGroup(t, db, f.Org.ID, "Clinics")
	agencies := mustGroup(t, db, f.Org.ID, "Agencies")

	mustPersona(t, db, f, clinics.ID)
	trashed := mustPersona(t, db, f, clinics.ID, named("Tom the trashed"))
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, trashed.ID, f.Owner.ID, t0), "TrashPersona")

	gs, err := db.ListGroups(ctx, f.Org.ID)
	wantNoErr(t, err, "ListGroups")
	clinics.PersonaCount = 1 // live personas only
	wantEqual(t, gs, []persona.Group{agencies, clinics}, "ListGroups (by name, live counts)")
	g, err := db.GetGroup(ctx, f.Org.ID, clinics.ID)
	wantNoErr(t, err, "GetGroup")
	wantEqual(t, g, clinics, "GetGroup")

	clinics.Name, clinics.Description, clinics.UpdatedAt = "Rural clinics", "Small clinics outside cities", t0.Add(time.Hour)
	wantNoErr(t, db.UpdateGroup(ctx, clinics), "UpdateGroup")
	g, _ = db.GetGroup(ctx, f.Org.ID, clinics.ID)
	clinics.UpdatedAt = want(clinics.UpdatedAt)
	wantEqual(t, g, clinics, "group after UpdateGroup")
	wantCode(t, db.UpdateGroup(ctx, persona.Group{ID: newID(), OrgID: f.Org.ID, Name: "x", UpdatedAt: t0}), persona.CodeNotFound, "UpdateGroup unknown")

	wantCode(t, db.DeleteGroup(ctx, f.Org.ID, clinics.ID), persona.CodeConflict, "DeleteGroup with personas")
	// Only the trashed one left: still refused.
	live, _ := db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{GroupID: clinics.ID})
	for _, p := range live {
		wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, t0), "TrashPersona")
		wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, p.ID), "PurgePersona")
	}
	wantCode(t, db.DeleteGroup(ctx, f.Org.ID, clinics.ID), persona.CodeConflict, "DeleteGroup with a trashed persona")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, trashed.ID), "PurgePersona")
	wantNoErr(t, db.DeleteGroup(ctx, f.Org.ID, clinics.ID), "DeleteGroup empty")
	_, err = db.GetGroup(ctx, f.Org.ID, clinics.ID)
	wantCode(t, err, persona.CodeNotFound, "GetGroup deleted")
	wantCode(t, db.DeleteGroup(ctx, f.Org.ID, clinics.ID), persona.CodeNotFound, "DeleteGroup twice")
	wantCode(t, db.CreateGroup(ctx, agencies), persona.CodeConflict, "CreateGroup duplicate ID")
}

func testTemplates(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "templates")
	mkt := persona.Template{ID: newID(), OrgID: f.Org.ID, Name: "Buyer persona", ProfileType: persona.ProfileMarketing,
		Draft: uxDefinition, DraftUpdatedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	wantNoErr(t, db.CreateTemplate(ctx, mkt), "CreateTemplate")
	wantCode(t, db.CreateTemplate(ctx, mkt), persona.CodeConflict, "CreateTemplate duplicate")
	mkt.DraftUpdatedAt, mkt.CreatedAt, mkt.UpdatedAt = want(t0), want(t0), want(t0)

	ts, err := db.ListTemplates(ctx, f.Org.ID)
	wantNoErr(t, err, "ListTemplates")
	wantEqual(t, ts, []persona.Template{f.UX, mkt, f.Agent}, "ListTemplates (profile type order)")
	got, err := db.GetTemplate(ctx, f.Org.ID, f.UX.ID)
	wantNoErr(t, err, "GetTemplate")
	wantEqual(t, got, f.UX, "GetTemplate")

	// Edit the draft: add a field, then publish it as version 2.
	draft := uxDefinition
	draft.Sections = append([]persona.Section{}, uxDefinition.Sections...)
	draft.Sections = append(draft.Sections, persona.Section{Key: "context", Label: "Context", Fields: []persona.Field{
		{Key: "devices", Label: "Devices", Kind: persona.KindTags}}})
	f.UX.Draft, f.UX.Name, f.UX.Description = draft, "UX persona (2025)", "Now with devices"
	f.UX.DraftUpdatedAt, f.UX.UpdatedAt = want(t0.Add(time.Hour)), want(t0.Add(time.Hour))
	wantNoErr(t, db.UpdateTemplate(ctx, f.UX), "UpdateTemplate")
	got, _ = db.GetTemplate(ctx, f.Org.ID, f.UX.ID)
	wantEqual(t, got, f.UX, "template after UpdateTemplate")
	wantCode(t, db.UpdateTemplate(ctx, persona.Template{ID: newID(), OrgID: f.Org.ID, Name: "x"}), persona.CodeNotFound, "UpdateTemplate unknown")

	// Two personas on version 1 (one trashed: not counted).
	p := mustPersona(t, db, f, "")
	trashed := mustPersona(t, db, f, "")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, trashed.ID, f.Owner.ID, t0), "TrashPersona")

	v2 := persona.TemplateVersion{TemplateID: f.UX.ID, OrgID: f.Org.ID, Version: 2, Definition: draft, PublishedAt: t0.Add(2 * time.Hour), PublishedBy: f.Owner.ID}
	wantNoErr(t, db.PublishVersion(ctx, v2), "PublishVersion 2")
	wantCode(t, db.PublishVersion(ctx, v2), persona.CodeConflict, "PublishVersion 2 again")
	wantCode(t, db.PublishVersion(ctx, persona.TemplateVersion{TemplateID: newID(), OrgID: f.Org.ID, Version: 1, Definition: draft, PublishedAt: t0}),
		persona.CodeNotFound, "PublishVersion of unknown template")
	got, _ = db.GetTemplate(ctx, f.Org.ID, f.UX.ID)
	wantEqual(t, got.LatestVersion, 2, "LatestVersion after publish")

	// Move the live persona to version 2.
	p2, rev := updated(p, p.Summary)
	p2.TemplateVersion = 2
	wantNoErr(t, db.UpdatePersona(ctx, p2, rev, ""), "UpdatePersona to version 2")

	vs, err := db.ListVersions(ctx, f.Org.ID, f.UX.ID)
	wantNoErr(t, err, "ListVersions")
	v1 := persona.TemplateVersion{TemplateID: f.UX.ID, OrgID: f.Org.ID, Version: 1, Definition: uxDefinition, PublishedAt: want(t0), PublishedBy: f.Owner.ID}
	v2.PublishedAt, v2.PersonaCount = want(v2.PublishedAt), 1
	wantEqual(t, vs, []persona.TemplateVersion{v2, v1}, "ListVersions (newest first, live counts)")
	v, err := db.GetVersion(ctx, f.Org.ID, f.UX.ID, 2)
	wantNoErr(t, err, "GetVersion")
	wantEqual(t, v, v2, "GetVersion")
	_, err = db.GetVersion(ctx, f.Org.ID, f.UX.ID, 3)
	wantCode(t, err, persona.CodeNotFound, "GetVersion unknown")
	_, err = db.ListVersions(ctx, f.Org.ID, newID())
	wantCode(t, err, persona.CodeNotFound, "ListVersions unknown template")
	vs, err = db.ListVersions(ctx, f.Org.ID, mkt.ID)
	wantNoErr(t, err, "ListVersions unpublished")
	wantEqual(t, len(vs), 0, "versions of an unpublished template")
}

func testPersonas(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "personas")
	g := mustGroup(t, db, f.Org.ID, "Hospitals")
	p := mustPersona(t, db, f, g.ID)
	got, err := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "GetPersona")
	wantEqual(t, got, p, "GetPersona")

	wantCode(t, db.CreatePersona(ctx, p, persona.Revision{Number: 1, Content: p.Content, CreatedAt: t0}, ""), persona.CodeConflict, "CreatePersona duplicate ID")

	// Ungrouped persona; unknown group or template version refused.
	q := mustPersona(t, db, f, "", asAgent(f), named("Billing bot"))
	got, _ = db.GetPersona(ctx, f.Org.ID, q.ID)
	wantEqual(t, got, q, "ungrouped agent persona")
	bad := p
	bad.ID = newID()
	bad.GroupID = newID()
	wantCode(t, db.CreatePersona(ctx, bad, persona.Revision{Number: 1, CreatedAt: t0}, ""), persona.CodeInvalid, "CreatePersona unknown group")
	bad.GroupID, bad.TemplateVersion = g.ID, 7
	wantCode(t, db.CreatePersona(ctx, bad, persona.Revision{Number: 1, CreatedAt: t0}, ""), persona.CodeInvalid, "CreatePersona unknown template version")
	_, err = db.GetPersona(ctx, f.Org.ID, bad.ID)
	wantCode(t, err, persona.CodeNotFound, "GetPersona of refused persona")

	// GetPersonas: requested order, unknown and trashed IDs skipped.
	r := mustPersona(t, db, f, g.ID, named("Rita the radiographer"))
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, r.ID, f.Owner.ID, t0), "TrashPersona")
	ps, err := db.GetPersonas(ctx, f.Org.ID, []string{q.ID, newID(), r.ID, p.ID})
	wantNoErr(t, err, "GetPersonas")
	wantEqual(t, ids(ps), []string{q.ID, p.ID}, "GetPersonas IDs")
	wantEqual(t, ps[1], p, "GetPersonas persona")
	ps, err = db.GetPersonas(ctx, f.Org.ID, nil)
	wantNoErr(t, err, "GetPersonas none")
	wantEqual(t, len(ps), 0, "GetPersonas none")

	// Update writes every content field.
	p2, rev := updated(p, "Now leads the night team and trains new starters.")
	p2.Name, p2.Status, p2.GroupID, p2.OwnerID = "Nadia, night-shift lead", persona.StatusDraft, "", ""
	p2.Values = persona.Values{"role": "Night-shift lead", "goals": []string{"Train two new starters"}}
	p2.Dimensions = persona.Values{"technical_comfort": 3.0}
	p2.Retired = persona.Values{"pager": "always on"}
	p2.LastReviewedOn, p2.ReviewIntervalDays = "", 0
	p2.UpdatedBy = newID()
	wantNoErr(t, db.UpdatePersona(ctx, p2, rev, "night lead"), "UpdatePersona")
	p2.UpdatedAt = want(p2.UpdatedAt)
	got, _ = db.GetPersona(ctx, f.Org.ID, p.ID)
	wantEqual(t, got, p2, "persona after UpdatePersona")

	p3, rev := updated(p2, "x")
	p3.GroupID = newID()
	wantCode(t, db.UpdatePersona(ctx, p3, rev, ""), persona.CodeInvalid, "UpdatePersona unknown group")
	missing, rev := updated(p2, "x")
	missing.ID = newID()
	wantCode(t, db.UpdatePersona(ctx, missing, rev, ""), persona.CodeNotFound, "UpdatePersona unknown persona")
	got, _ = db.GetPersona(ctx, f.Org.ID, p.ID)
	wantEqual(t, got, p2, "persona after refused updates")
}

func testListPersonasFilters(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "filters")
	a := mustGroup(t, db, f.Org.ID, "A")
	b := mustGroup(t, db, f.Org.ID, "B")
	p1 := mustPersona(t, db, f, a.ID)
	p2 := mustPersona(t, db, f, b.ID, withStatus(persona.StatusDraft))
	p3 := mustPersona(t, db, f, a.ID, asAgent(f))
	p4 := mustPersona(t, db, f, "", withStatus(persona.StatusArchived))
	p5 := mustPersona(t, db, f, a.ID)
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p5.ID, f.Owner.ID, t0), "TrashPersona")
	other := mustOrg(t, db, "filters-other")
	mustPersona(t, db, other, "")

	sorted := func(ps ...persona.Persona) []string {
		out := ids(ps)
		sort.Strings(out)
		return out
	}
	for _, tc := range []struct {
		name string
		f    persona.PersonaFilter
		want []string
	}{
		{"none", persona.PersonaFilter{}, sorted(p1, p2, p3, p4)},
		{"group", persona.PersonaFilter{GroupID: a.ID}, sorted(p1, p3)},
		{"profile type", persona.PersonaFilter{ProfileType: persona.ProfileAgent}, sorted(p3)},
		{"template", persona.PersonaFilter{TemplateID: f.UX.ID}, sorted(p1, p2, p4)},
		{"status", persona.PersonaFilter{Status: persona.StatusDraft}, sorted(p2)},
		{"group and type", persona.PersonaFilter{GroupID: a.ID, ProfileType: persona.ProfileUX}, sorted(p1)},
		{"status archived", persona.PersonaFilter{Status: persona.StatusArchived}, sorted(p4)},
		{"no match", persona.PersonaFilter{GroupID: b.ID, Status: persona.StatusPublished}, nil},
		{"unknown group", persona.PersonaFilter{GroupID: newID()}, nil},
	} {
		ps, err := db.ListPersonas(ctx, f.Org.ID, tc.f)
		wantNoErr(t, err, "ListPersonas "+tc.name)
		wantEqual(t, ids(ps), tc.want, "ListPersonas "+tc.name)
		// The heads are the same personas without their content.
		heads, err := db.ListPersonaHeads(ctx, f.Org.ID, tc.f)
		wantNoErr(t, err, "ListPersonaHeads "+tc.name)
		for i := range ps {
			ps[i].Values, ps[i].Dimensions, ps[i].Retired = persona.Values{}, persona.Values{}, nil
		}
		wantEqual(t, heads, ps, "ListPersonaHeads "+tc.name)
	}
}

func testPagination(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "pages")
	var all []string
	for i := range 7 {
		all = append(all, mustPersona(t, db, f, "", named(fmt.Sprintf("Persona %d", i))).ID)
	}
	sort.Strings(all)
	var got []string
	after := ""
	for range 10 {
		ps, err := db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{After: after, Limit: 3})
		wantNoErr(t, err, "ListPersonas page")
		if len(ps) > 3 {
			t.Fatalf("page of %d with Limit 3", len(ps))
		}
		got = append(got, ids(ps)...)
		if len(ps) < 3 {
			break
		}
		after = ps[len(ps)-1].ID
	}
	wantEqual(t, got, all, "paged IDs")
	ps, err := db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{})
	wantNoErr(t, err, "ListPersonas default limit")
	wantEqual(t, len(ps), 7, "default limit")
	ps, err = db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{Limit: 100000})
	wantNoErr(t, err, "ListPersonas huge limit")
	wantEqual(t, len(ps), 7, "huge limit")
}

func testTrash(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "trash")
	p := mustPersona(t, db, f, "")
	q := mustPersona(t, db, f, "", named("Quentin"))
	at := t0.Add(time.Hour)

	wantCode(t, db.PurgePersona(ctx, f.Org.ID, p.ID), persona.CodeConflict, "PurgePersona of a live persona")
	wantCode(t, db.RestorePersona(ctx, f.Org.ID, p.ID), persona.CodeNotFound, "RestorePersona of a live persona")
	_, err := db.GetTrashedPersona(ctx, f.Org.ID, p.ID)
	wantCode(t, err, persona.CodeNotFound, "GetTrashedPersona of a live persona")

	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, at), "TrashPersona p")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, q.ID, f.Owner.ID, at.Add(time.Minute)), "TrashPersona q")
	wantCode(t, db.TrashPersona(ctx, f.Org.ID, p.ID, f.Owner.ID, at), persona.CodeNotFound, "TrashPersona twice")
	_, err = db.GetPersona(ctx, f.Org.ID, p.ID)
	wantCode(t, err, persona.CodeNotFound, "GetPersona trashed")
	ps, _ := db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{})
	wantEqual(t, len(ps), 0, "live personas after trashing")
	next, rev := updated(p, "edit in the trash")
	wantCode(t, db.UpdatePersona(ctx, next, rev, ""), persona.CodeNotFound, "UpdatePersona trashed")

	tp, err := db.GetTrashedPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "GetTrashedPersona")
	wantTrashed := p
	wantTrashed.DeletedAt, wantTrashed.DeletedBy = new(want(at)), f.Owner.ID
	wantEqual(t, tp, wantTrashed, "trashed persona")

	trash, err := db.ListTrash(ctx, f.Org.ID)
	wantNoErr(t, err, "ListTrash")
	wantEqual(t, ids(trash), []string{q.ID, p.ID}, "ListTrash (most recent first)")

	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, p.ID), "RestorePersona")
	got, err := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "GetPersona restored")
	wantEqual(t, got, p, "restored persona")

	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, q.ID), "PurgePersona")
	_, err = db.GetTrashedPersona(ctx, f.Org.ID, q.ID)
	wantCode(t, err, persona.CodeNotFound, "GetTrashedPersona purged")
	_, err = db.ListRevisions(ctx, f.Org.ID, q.ID)
	wantCode(t, err, persona.CodeNotFound, "ListRevisions purged")
	_, err = db.GetRevision(ctx, f.Org.ID, q.ID, 1)
	wantCode(t, err, persona.CodeNotFound, "GetRevision purged")
	wantCode(t, db.PurgePersona(ctx, f.Org.ID, q.ID), persona.CodeNotFound, "PurgePersona twice")
	trash, _ = db.ListTrash(ctx, f.Org.ID)
	wantEqual(t, len(trash), 0, "trash after restore and purge")
}

func testRevisions(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "revisions")
	p := mustPersona(t, db, f, "")
	p2, rev2 := updated(p, "Second summary")
	wantNoErr(t, db.UpdatePersona(ctx, p2, rev2, ""), "UpdatePersona 2")
	p3, rev3 := updated(p2, "Third summary")
	rev3.Message = ""
	wantNoErr(t, db.UpdatePersona(ctx, p3, rev3, ""), "UpdatePersona 3")

	revs, err := db.ListRevisions(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "ListRevisions")
	wantEqual(t, len(revs), 3, "revision count")
	for i, n := range []int{3, 2, 1} {
		wantEqual(t, revs[i].Number, n, "revision order (newest first)")
	}
	rev2.OrgID, rev2.CreatedAt = f.Org.ID, want(rev2.CreatedAt)
	got, err := db.GetRevision(ctx, f.Org.ID, p.ID, 2)
	wantNoErr(t, err, "GetRevision")
	wantEqual(t, got, rev2, "GetRevision 2")
	wantEqual(t, revs[1], rev2, "ListRevisions item")
	wantEqual(t, revs[2].Content, p.Content, "revision 1 content")
	wantEqual(t, revs[2].Message, "Created", "revision 1 message")
	_, err = db.GetRevision(ctx, f.Org.ID, p.ID, 4)
	wantCode(t, err, persona.CodeNotFound, "GetRevision unknown number")
	_, err = db.ListRevisions(ctx, f.Org.ID, newID())
	wantCode(t, err, persona.CodeNotFound, "ListRevisions unknown persona")
}

func testStaleUpdate(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "stale")
	p := mustPersona(t, db, f, "")
	a, revA := updated(p, "Alice's edit")
	wantNoErr(t, db.UpdatePersona(ctx, a, revA, ""), "first update")
	b, revB := updated(p, "Bob's edit, based on revision 1")
	err := db.UpdatePersona(ctx, b, revB, "")
	wantCode(t, err, persona.CodePreconditionFailed, "stale update")
	if e, ok := persona.AsError(err); ok {
		wantEqual(t, e.Current, 2, "Current in precondition error")
		wantEqual(t, e.Message, "persona was changed meanwhile; current revision is 2", "message")
	}
	got, _ := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantEqual(t, got.Summary, "Alice's edit", "summary after stale update")
	wantEqual(t, got.Revision, 2, "revision after stale update")
	revs, _ := db.ListRevisions(ctx, f.Org.ID, p.ID)
	wantEqual(t, len(revs), 2, "revisions after stale update")
	// Skipping ahead is stale too.
	c, revC := updated(a, "skip")
	c.Revision, revC.Number = 5, 5
	wantCode(t, db.UpdatePersona(ctx, c, revC, ""), persona.CodePreconditionFailed, "update skipping revisions")
}

func testConcurrentUpdate(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "race")
	p := mustPersona(t, db, f, "")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			next, rev := updated(p, fmt.Sprintf("edit by writer %d", i))
			<-start
			errs[i] = db.UpdatePersona(ctx, next, rev, "")
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case persona.ErrorCode(err) == persona.CodePreconditionFailed:
			if e, _ := persona.AsError(err); e.Current != 2 {
				t.Errorf("writer %d: Current = %d, want 2", i, e.Current)
			}
		default:
			t.Errorf("writer %d: unexpected error %v", i, err)
		}
	}
	wantEqual(t, wins, 1, "successful concurrent writers")
	revs, err := db.ListRevisions(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "ListRevisions")
	wantEqual(t, len(revs), 2, "revisions after the race")
	got, _ := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantEqual(t, got.Summary, revs[0].Content.Summary, "persona matches the winning revision")
}

func testCrossOrgIsolation(t *testing.T, db *DB) {
	ctx := t.Context()
	a := mustOrg(t, db, "alpha")
	b := mustOrg(t, db, "beta")
	g := mustGroup(t, db, a.Org.ID, "Alpha group")
	p := mustPersona(t, db, a, g.ID)
	trashed := mustPersona(t, db, a, g.ID, named("Trashed"))
	wantNoErr(t, db.TrashPersona(ctx, a.Org.ID, trashed.ID, a.Owner.ID, t0), "TrashPersona")
	other := b.Org.ID

	// Getters with the other organisation's ID.
	_, err := db.GetGroup(ctx, other, g.ID)
	wantCode(t, err, persona.CodeNotFound, "GetGroup")
	_, err = db.GetTemplate(ctx, other, a.UX.ID)
	wantCode(t, err, persona.CodeNotFound, "GetTemplate")
	_, err = db.GetVersion(ctx, other, a.UX.ID, 1)
	wantCode(t, err, persona.CodeNotFound, "GetVersion")
	_, err = db.ListVersions(ctx, other, a.UX.ID)
	wantCode(t, err, persona.CodeNotFound, "ListVersions")
	_, err = db.GetPersona(ctx, other, p.ID)
	wantCode(t, err, persona.CodeNotFound, "GetPersona")
	_, err = db.GetTrashedPersona(ctx, other, trashed.ID)
	wantCode(t, err, persona.CodeNotFound, "GetTrashedPersona")
	_, err = db.ListRevisions(ctx, other, p.ID)
	wantCode(t, err, persona.CodeNotFound, "ListRevisions")
	_, err = db.GetRevision(ctx, other, p.ID, 1)
	wantCode(t, err, persona.CodeNotFound, "GetRevision")
	_, err = db.GetMember(ctx, other, a.Owner.ID)
	wantCode(t, err, persona.CodeNotFound, "GetMember")
	ps, err := db.GetPersonas(ctx, other, []string{p.ID})
	wantNoErr(t, err, "GetPersonas")
	wantEqual(t, len(ps), 0, "GetPersonas other org")
	for name, list := range map[string]func() (int, error){
		"ListPersonas": func() (int, error) {
			ps, err := db.ListPersonas(ctx, other, persona.PersonaFilter{})
			return len(ps), err
		},
		"ListPersonaHeads": func() (int, error) {
			ps, err := db.ListPersonaHeads(ctx, other, persona.PersonaFilter{})
			return len(ps), err
		},
		"ListPersonas by group": func() (int, error) {
			ps, err := db.ListPersonas(ctx, other, persona.PersonaFilter{GroupID: g.ID})
			return len(ps), err
		},
		"ListTrash":  func() (int, error) { ps, err := db.ListTrash(ctx, other); return len(ps), err },
		"ListGroups": func() (int, error) { gs, err := db.ListGroups(ctx, other); return len(gs), err },
	} {
		n, err := list()
		wantNoErr(t, err, name)
		wantEqual(t, n, 0, name+" of the other organisation")
	}
	ts, _ := db.ListTemplates(ctx, other)
	for _, tmpl := range ts {
		if tmpl.ID == a.UX.ID || tmpl.ID == a.Agent.ID {
			t.Errorf("ListTemplates of beta includes alpha's template %s", tmpl.ID)
		}
	}
	ms, _ := db.ListMembers(ctx, other)
	wantEqual(t, len(ms), 1, "beta's members")

	// Updaters with the other organisation's ID write nothing.
	g2 := g
	g2.OrgID, g2.Name = other, "hijacked"
	wantCode(t, db.UpdateGroup(ctx, g2), persona.CodeNotFound, "UpdateGroup")
	wantCode(t, db.DeleteGroup(ctx, other, g.ID), persona.CodeNotFound, "DeleteGroup")
	t2 := a.UX
	t2.OrgID, t2.Name = other, "hijacked"
	wantCode(t, db.UpdateTemplate(ctx, t2), persona.CodeNotFound, "UpdateTemplate")
	wantCode(t, db.PublishVersion(ctx, persona.TemplateVersion{OrgID: other, TemplateID: a.UX.ID, Version: 2, Definition: uxDefinition, PublishedAt: t0}),
		persona.CodeNotFound, "PublishVersion")
	p2, rev := updated(p, "hijacked")
	p2.OrgID = other
	p2.GroupID = ""
	p2.TemplateID = b.UX.ID // even with a template the other org has
	wantCode(t, db.UpdatePersona(ctx, p2, rev, ""), persona.CodeNotFound, "UpdatePersona")
	wantCode(t, db.TrashPersona(ctx, other, p.ID, b.Owner.ID, t0), persona.CodeNotFound, "TrashPersona")
	wantCode(t, db.RestorePersona(ctx, other, trashed.ID), persona.CodeNotFound, "RestorePersona")
	wantCode(t, db.PurgePersona(ctx, other, trashed.ID), persona.CodeNotFound, "PurgePersona")
	wantCode(t, db.SetMemberRole(ctx, other, a.Owner.ID, persona.RoleViewer), persona.CodeNotFound, "SetMemberRole")
	wantCode(t, db.RemoveMember(ctx, other, a.Owner.ID), persona.CodeNotFound, "RemoveMember")

	// Nothing changed in alpha.
	got, _ := db.GetGroup(ctx, a.Org.ID, g.ID)
	wantEqual(t, got.Name, g.Name, "alpha's group name")
	gt, _ := db.GetTemplate(ctx, a.Org.ID, a.UX.ID)
	wantEqual(t, gt, a.UX, "alpha's template")
	gp, _ := db.GetPersona(ctx, a.Org.ID, p.ID)
	wantEqual(t, gp, p, "alpha's persona")
	_, err = db.GetTrashedPersona(ctx, a.Org.ID, trashed.ID)
	wantNoErr(t, err, "alpha's trashed persona still trashed")
	m, _ := db.GetMember(ctx, a.Org.ID, a.Owner.ID)
	wantEqual(t, m.Role, persona.RoleOwner, "alpha's owner role")
}

func testCrossOrgReferences(t *testing.T, db *DB) {
	ctx := t.Context()
	a := mustOrg(t, db, "ref-a")
	b := mustOrg(t, db, "ref-b")
	gb := mustGroup(t, db, b.Org.ID, "Beta's group")
	ga := mustGroup(t, db, a.Org.ID, "Alpha's group")

	// A persona in alpha pointing at beta's group.
	p := persona.Persona{ID: newID(), OrgID: a.Org.ID, TemplateID: a.UX.ID, ProfileType: persona.ProfileUX,
		Content: nurseContent(gb.ID, a.Owner.ID), Revision: 1, CreatedAt: t0, UpdatedAt: t0}
	rev := persona.Revision{Number: 1, CreatedAt: t0, Content: p.Content}
	wantCode(t, db.CreatePersona(ctx, p, rev, ""), persona.CodeInvalid, "persona with another org's group")
	// ... or at beta's template version.
	p.GroupID, p.TemplateID = ga.ID, b.UX.ID
	wantCode(t, db.CreatePersona(ctx, p, rev, ""), persona.CodeInvalid, "persona with another org's template version")
	ps, _ := db.ListPersonas(ctx, a.Org.ID, persona.PersonaFilter{})
	wantEqual(t, len(ps), 0, "personas after refused creates")

	// Moving an existing persona into beta's group is refused too.
	ok := mustPersona(t, db, a, ga.ID)
	next, rev2 := updated(ok, "moved")
	next.GroupID = gb.ID
	wantCode(t, db.UpdatePersona(ctx, next, rev2, ""), persona.CodeInvalid, "update into another org's group")
	next.GroupID, next.TemplateID = ga.ID, b.UX.ID
	wantCode(t, db.UpdatePersona(ctx, next, rev2, ""), persona.CodeInvalid, "update onto another org's template")
	got, _ := db.GetPersona(ctx, a.Org.ID, ok.ID)
	wantEqual(t, got, ok, "persona after refused updates")

	// A version in alpha for beta's template.
	wantCode(t, db.PublishVersion(ctx, persona.TemplateVersion{OrgID: a.Org.ID, TemplateID: b.UX.ID, Version: 2, Definition: uxDefinition, PublishedAt: t0}),
		persona.CodeNotFound, "version for another org's template")
}

func testSearch(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "search")
	g := mustGroup(t, db, f.Org.ID, "Hospitals")
	nadia := mustPersona(t, db, f, g.ID) // "cardiology" only in the bio (search text)
	cardio := mustPersona(t, db, f, "", named("Cardiology department head"), func(p *persona.Persona) {
		p.Summary = "Runs a busy department."
		p.Values = persona.Values{"role": "Head of department"}
	})
	bot := mustPersona(t, db, f, "", asAgent(f), named("Billing bot"))
	gone := mustPersona(t, db, f, g.ID, named("Cardiology ghost"))
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, gone.ID, f.Owner.ID, t0), "TrashPersona")
	other := mustOrg(t, db, "search-other")
	mustPersona(t, db, other, "", named("Cardiology spy"))

	search := func(q persona.SearchQuery) []persona.SearchHit {
		t.Helper()
		hits, err := db.SearchPersonas(ctx, f.Org.ID, q)
		wantNoErr(t, err, fmt.Sprintf("SearchPersonas(%q)", q.Text))
		return hits
	}
	hitIDs := func(hits []persona.SearchHit) []string {
		out := make([]string, len(hits))
		for i, h := range hits {
			out[i] = h.PersonaID
		}
		return out
	}

	// A word in a value, and a prefix; name matches rank first; never the
	// trashed persona or another organisation's.
	hits := search(persona.SearchQuery{Text: "cardio"})
	wantEqual(t, hitIDs(hits), []string{cardio.ID, nadia.ID}, "hits for 'cardio' (name match first)")
	if len(hits) == 2 {
		if hits[0].Rank <= hits[1].Rank {
			t.Errorf("ranks %v, %v: want the first higher", hits[0].Rank, hits[1].Rank)
		}
		h := hits[1]
		wantEqual(t, h.Name, nadia.Name, "hit name")
		wantEqual(t, h.ProfileType, persona.ProfileUX, "hit profile type")
		wantEqual(t, h.GroupID, g.ID, "hit group")
		wantEqual(t, h.Status, persona.StatusPublished, "hit status")
		if !strings.Contains(strings.ToLower(h.Snippet), persona.SnippetOpen+"cardiology"+persona.SnippetClose) {
			t.Errorf("snippet %q does not mark 'cardiology'", h.Snippet)
		}
		if !strings.Contains(strings.ToLower(hits[0].Snippet), persona.SnippetOpen+"cardiology"+persona.SnippetClose) {
			t.Errorf("snippet %q does not mark 'cardiology' in the name", hits[0].Snippet)
		}
	}
	// Several terms: all must match (as prefixes), in any field.
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "Night NURSE cardiology"})), []string{nadia.ID}, "hits for three terms")
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "handover"})), []string{nadia.ID}, "hits for a list value")
	wantEqual(t, len(search(persona.SearchQuery{Text: "cardiology billing"})), 0, "terms matching different personas")
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "refunds"})), []string{bot.ID}, "hits in an agent's guardrails")
	// Filters and limit.
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "cardiology", GroupID: g.ID})), []string{nadia.ID}, "group filter")
	wantEqual(t, len(search(persona.SearchQuery{Text: "cardiology", ProfileType: persona.ProfileAgent})), 0, "profile type filter")
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "bot", ProfileType: persona.ProfileAgent})), []string{bot.ID}, "profile type filter match")
	wantEqual(t, len(search(persona.SearchQuery{Text: "cardiology", Limit: 1})), 1, "limit")
	// No terms: nothing, no error.
	wantEqual(t, len(search(persona.SearchQuery{Text: "  -- !! "})), 0, "no terms")
	wantEqual(t, len(search(persona.SearchQuery{Text: ""})), 0, "empty query")

	// Edits are indexed; trashing hides, restoring shows.
	next, rev := updated(nadia, "Moved to oncology.")
	next.Values = persona.Values{"role": "Oncology nurse"}
	wantNoErr(t, db.UpdatePersona(ctx, next, rev, "Oncology nurse"), "UpdatePersona")
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "oncology"})), []string{nadia.ID}, "hits after update")
	wantEqual(t, hitIDs(search(persona.SearchQuery{Text: "cardiology"})), []string{cardio.ID}, "old text gone after update")
	wantNoErr(t, db.RestorePersona(ctx, f.Org.ID, gone.ID), "RestorePersona")
	wantEqual(t, len(search(persona.SearchQuery{Text: "ghost"})), 1, "restored persona searchable")
	wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, gone.ID, f.Owner.ID, t0), "TrashPersona")
	wantNoErr(t, db.PurgePersona(ctx, f.Org.ID, gone.ID), "PurgePersona")
	wantEqual(t, len(search(persona.SearchQuery{Text: "ghost"})), 0, "purged persona not searchable")
}

func testSearchHostileInput(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "hostile")
	mustPersona(t, db, f, "", named(`Dana "Quotes" O'Neil`))
	for _, q := range []string{
		`"`, `*`, `AND(`, `'; DROP TABLE personas;--`, `NEAR/3`, `NEAR(a b)`, `name:dana`, `-dana`, `^dana`,
		`dana OR 1=1`, `a & b | !c`, `dana:*`, `(`, `)`, `{name summary}: x`, `\`, `%_`, "\x00", "dana\x02\x03",
		`"dana`, `o'neil`, `''`, strings.Repeat("dana ", 100), "日本語 テキスト", "😀",
	} {
		if _, err := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: q}); err != nil {
			t.Errorf("SearchPersonas(%q): %v", q, err)
		}
	}
	hits, err := db.SearchPersonas(ctx, f.Org.ID, persona.SearchQuery{Text: `"o'neil"`})
	wantNoErr(t, err, "SearchPersonas o'neil")
	wantEqual(t, len(hits), 1, "hits for o'neil")
	if _, err := db.GetPersonas(ctx, f.Org.ID, []string{`'; DROP TABLE personas;--`}); err != nil {
		t.Errorf("GetPersonas with a hostile ID: %v", err)
	}
	ps, _ := db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{})
	wantEqual(t, len(ps), 1, "personas still there")
}

func testTimestamps(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "times")
	zone := time.FixedZone("NPT", 5*3600+45*60)
	created := time.Date(2024, 2, 29, 23, 59, 59, 999999999, zone)
	p := mustPersona(t, db, f, "", func(p *persona.Persona) { p.CreatedAt, p.UpdatedAt = created, created.Add(time.Nanosecond) })
	got, err := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "GetPersona")
	for name, pair := range map[string][2]time.Time{
		"created_at": {got.CreatedAt, created},
		"updated_at": {got.UpdatedAt, created.Add(time.Nanosecond)},
	} {
		g, w := pair[0], pair[1].UTC().Truncate(time.Microsecond)
		if !g.Equal(w) || g.Location() != time.UTC || g != w {
			t.Errorf("%s = %v (%v), want %v UTC", name, g, g.Location(), w)
		}
	}
	wantEqual(t, got.LastReviewedOn, "2025-02-28", "date text")
	// Sub-second ordering survives storage.
	for i := range 3 {
		at := t0.Add(time.Duration(i) * 1500 * time.Microsecond)
		q := mustPersona(t, db, f, "", named(fmt.Sprintf("T%d", i)))
		wantNoErr(t, db.TrashPersona(ctx, f.Org.ID, q.ID, f.Owner.ID, at), "TrashPersona")
	}
	trash, _ := db.ListTrash(ctx, f.Org.ID)
	var names []string
	for _, p := range trash {
		names = append(names, p.Name)
	}
	wantEqual(t, names, []string{"T2", "T1", "T0"}, "trash order by sub-second deleted_at")
	tok := persona.Token{ID: newID(), UserID: f.Owner.ID, Name: "t", Hash: "h", CreatedAt: created}
	wantNoErr(t, db.CreateToken(ctx, tok), "CreateToken")
	gt, _ := db.TokenByHash(ctx, "h")
	if gt.CreatedAt != created.UTC().Truncate(time.Microsecond) || gt.LastUsedAt != nil || gt.RevokedAt != nil {
		t.Errorf("token times: %v %v %v", gt.CreatedAt, gt.LastUsedAt, gt.RevokedAt)
	}
}

func testJSONValues(t *testing.T, db *DB) {
	ctx := t.Context()
	f := mustOrg(t, db, "json")
	vals := persona.Values{
		"role":       `Nurse "Nadia" <b>&</b> — ünïcødé ✓`,
		"bio":        "line one\nline two\ttabbed",
		"age":        41.5,
		"confidence": 3.0,
		"big":        1e15,
		"negative":   -0.125,
		"goals":      []string{"one", "two, with comma", ""},
		"empty_list": []string{},
		"channels":   []string{"chat"},
		"url":        "https://example.com/?a=1&b=2",
	}
	p := mustPersona(t, db, f, "", func(p *persona.Persona) {
		p.Values = vals
		p.Dimensions = persona.Values{"technical_comfort": 5.0, "buying_role": "decision maker"}
		p.Retired = persona.Values{"old_tags": []string{"legacy"}, "old_score": 7.0}
	})
	got, err := db.GetPersona(ctx, f.Org.ID, p.ID)
	wantNoErr(t, err, "GetPersona")
	if d := cmp.Diff(vals, got.Values); d != "" { // strict: []string stays []string, numbers float64
		t.Errorf("values (-want +got):\n%s", d)
	}
	wantEqual(t, got.Dimensions, p.Dimensions, "dimensions")
	wantEqual(t, got.Retired, p.Retired, "retired")
	rev, err := db.GetRevision(ctx, f.Org.ID, p.ID, 1)
	wantNoErr(t, err, "GetRevision")
	if d := cmp.Diff(vals, rev.Content.Values); d != "" {
		t.Errorf("revision values (-want +got):\n%s", d)
	}
	// Values and dimensions that are empty (or were nil) read back as empty
	// maps, never nil: they are objects in every answer ("dimensions":
	// null broke generated API clients). Retired values, which are left
	// out when there are none, read back as nil.
	q := mustPersona(t, db, f, "", func(p *persona.Persona) { p.Values, p.Dimensions, p.Retired = nil, nil, nil })
	got, _ = db.GetPersona(ctx, f.Org.ID, q.ID)
	if got.Values == nil || len(got.Values) != 0 || got.Dimensions == nil || len(got.Dimensions) != 0 || got.Retired != nil {
		t.Errorf("nil values read back as %#v %#v %#v", got.Values, got.Dimensions, got.Retired)
	}
	list, _ := db.ListPersonas(ctx, f.Org.ID, persona.PersonaFilter{Limit: 200})
	for _, lp := range list {
		if lp.Values == nil || lp.Dimensions == nil {
			t.Errorf("listed persona %s has nil values or dimensions", lp.Name)
		}
	}
	rev, _ = db.GetRevision(ctx, f.Org.ID, q.ID, 1)
	if rev.Content.Values == nil || rev.Content.Dimensions == nil || rev.Content.Retired != nil {
		t.Errorf("revision of nil values reads back as %#v %#v %#v", rev.Content.Values, rev.Content.Dimensions, rev.Content.Retired)
	}
	// Template definitions round-trip exactly (pointers, maps, options).
	tmpl, _ := db.GetTemplate(ctx, f.Org.ID, f.UX.ID)
	if d := cmp.Diff(uxDefinition, tmpl.Draft); d != "" {
		t.Errorf("definition (-want +got):\n%s", d)
	}
}
