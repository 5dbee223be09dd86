package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"iter"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func TestAuditLogRecordsChangesForAdmins(t *testing.T) {
	e := newEnv(t)
	p := e.createUX("Audited Persona")
	p.Summary = "Changed for the audit"
	e.must(200, "PUT", e.api("/personas/"+p.ID), e.owner, p, "If-Match", `"1"`)
	e.must(204, "DELETE", e.api("/personas/"+p.ID), e.owner, nil)
	e.must(200, "POST", e.api("/personas/"+p.ID+"/restore"), e.owner, nil)
	e.must(200, "GET", e.api("/export"), e.owner, nil)

	var log struct {
		Items []struct {
			Seq        int64  `json:"seq"`
			Action     string `json:"action"`
			ObjectKind string `json:"object_kind"`
			ObjectID   string `json:"object_id"`
			ActorEmail string `json:"actor_email"`
		} `json:"items"`
		NextBefore *int64 `json:"next_before"`
	}
	e.must(200, "GET", e.api("/audit?limit=5"), e.owner, nil).json(t, &log)
	var got []string
	for _, it := range log.Items {
		got = append(got, it.Action+" "+it.ObjectKind)
	}
	want := []string{"export organisation", "restore persona", "trash persona", "update persona", "create persona"}
	if len(got) != len(want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit %v, want %v", got, want)
		}
	}
	if log.Items[1].ObjectID != p.ID || log.Items[1].ActorEmail != "demo@example.com" || log.NextBefore == nil {
		t.Fatalf("entry %+v, next %v", log.Items[1], log.NextBefore)
	}
	// The next page continues below.
	var older struct {
		Items []struct {
			Seq int64 `json:"seq"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/audit?limit=5&before="+strconv.FormatInt(*log.NextBefore, 10)), e.owner, nil).json(t, &older)
	if len(older.Items) == 0 || older.Items[0].Seq >= *log.NextBefore {
		t.Fatalf("next page %+v", older.Items)
	}
	// Filters.
	var trashed listJSON[persona.AuditEvent]
	e.must(200, "GET", e.api("/audit?action=trash&object_kind=persona&actor=DEMO@example.com"), e.owner, nil).json(t, &trashed)
	if len(trashed.Items) != 1 || trashed.Items[0].ObjectID != p.ID {
		t.Fatalf("filtered %+v", trashed.Items)
	}
	pr := e.must(422, "GET", e.api("/audit?since=yesterday"), e.owner, nil).problem(t)
	if !slices.Contains(pr.locations(), "query.since") {
		t.Fatalf("bad since: %+v", pr)
	}
	e.must(403, "GET", e.api("/audit"), e.viewer, nil)
	e.must(404, "GET", e.api("/audit"), e.other, nil)
}

// auditTail returns the entries of org's log after seq, oldest first.
func (e *env) auditTail(org string, after int64) []persona.AuditEvent {
	e.t.Helper()
	items, err := e.svc.ListAudit(context.Background(), app.System, org, app.AuditQuery{}, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []persona.AuditEvent
	for _, it := range slices.Backward(items) {
		if it.Seq > after {
			out = append(out, it)
		}
	}
	return out
}

// auditHead is the newest seq of org's log.
func (e *env) auditHead(org string) int64 {
	e.t.Helper()
	items, err := e.svc.ListAudit(context.Background(), app.System, org, app.AuditQuery{}, 0, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(items) == 0 {
		return 0
	}
	return items[0].Seq
}

func (e *env) actorOf(token string) app.Actor {
	e.t.Helper()
	a, err := e.svc.Authenticate(context.Background(), token)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// Every kind of write leaves exactly one entry naming who did it, what and
// to which object.
func TestAuditRecordsEveryKindOfWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.actorOf(e.owner)
	org := e.org
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// State the steps share, filled as they go.
	var (
		groupID, emptyGroupID, tmplID, personaID, variantID, noteID, evidenceID, docID, linkID string
		alignID, claimID, launchpadID                                                          string
		personaRev, variantRev, launchpadRev, catRev                                           int
	)
	def := persona.Definition{Sections: []persona.Section{{Key: "profile", Label: "Profile",
		Fields: []persona.Field{{Key: "bio", Label: "Bio", Kind: persona.KindText}}}}, Dimensions: []persona.Dimension{}}
	def2 := def
	def2.Sections = []persona.Section{{Key: "profile", Label: "Profile", Fields: []persona.Field{
		{Key: "bio", Label: "Bio", Kind: persona.KindText}, {Key: "motto", Label: "Motto", Kind: persona.KindText}}}}
	buyers, err := e.svc.ListPersonas(ctx, owner, org, persona.PersonaFilter{ProfileType: persona.ProfileMarketing, Limit: 1}, "")
	must(err)
	buyer := buyers.Items[0]

	steps := []struct {
		action, kind string
		run          func() string // returns the object's ID ("": not checked)
	}{
		{"create", "group", func() string {
			g, err := e.svc.CreateGroup(ctx, owner, org, app.GroupInput{Name: "Audited group"})
			must(err)
			groupID = g.ID
			return g.ID
		}},
		{"update", "group", func() string {
			_, err := e.svc.UpdateGroup(ctx, owner, org, groupID, app.GroupInput{Name: "Audited group, renamed"})
			must(err)
			return groupID
		}},
		{"create", "group", func() string {
			g, err := e.svc.CreateGroup(ctx, owner, org, app.GroupInput{Name: "Short-lived"})
			must(err)
			emptyGroupID = g.ID
			return g.ID
		}},
		{"delete", "group", func() string {
			must(e.svc.DeleteGroup(ctx, owner, org, emptyGroupID))
			return emptyGroupID
		}},
		{"create", "template", func() string {
			tm, err := e.svc.CreateTemplate(ctx, owner, org, app.TemplateInput{Name: "Audited template", ProfileType: persona.ProfileUX, Definition: &def})
			must(err)
			tmplID = tm.ID
			return tm.ID
		}},
		{"update", "template", func() string {
			_, err := e.svc.UpdateTemplate(ctx, owner, org, tmplID, app.TemplateInput{Name: "Audited template v"})
			must(err)
			return tmplID
		}},
		{"publish", "template", func() string {
			_, err := e.svc.Publish(ctx, owner, org, tmplID)
			must(err)
			return tmplID
		}},
		{"create", "persona", func() string {
			p, err := e.svc.CreatePersona(ctx, owner, org, app.PersonaInput{Name: "Audrey Audit", GroupID: groupID, TemplateID: tmplID,
				Status: persona.StatusDraft, Values: persona.Values{"bio": "First bio"}})
			must(err)
			personaID, personaRev = p.ID, p.Revision
			return p.ID
		}},
		{"save draft", "template", func() string {
			_, err := e.svc.SaveDraft(ctx, owner, org, tmplID, def2)
			must(err)
			return tmplID
		}},
		{"publish", "template", func() string {
			_, err := e.svc.Publish(ctx, owner, org, tmplID)
			must(err)
			return tmplID
		}},
		{"upgrade", "persona", func() string {
			_, p, err := e.svc.UpgradePersona(ctx, owner, org, personaID, personaRev, app.UpgradeRequest{})
			must(err)
			personaRev = p.Revision
			return personaID
		}},
		{"restore revision", "persona", func() string {
			p, err := e.svc.RestoreRevision(ctx, owner, org, personaID, 1, personaRev)
			must(err)
			personaRev = p.Revision
			return personaID
		}},
		{"create", "variant", func() string {
			v, err := e.svc.CreateVariant(ctx, owner, org, personaID, app.VariantInput{CustomerLabel: "Credit Union",
				Values: persona.Values{"bio": "Credit union bio"}, Note: "Smaller"})
			must(err)
			variantID, variantRev = v.ID, v.Revision
			return v.ID
		}},
		{"update", "variant", func() string {
			v, err := e.svc.UpdateVariant(ctx, owner, org, variantID, variantRev, app.VariantInput{CustomerLabel: "Credit Union",
				Values: persona.Values{"bio": "Credit union bio", "motto": "Small is beautiful"}, Note: "Smaller still"})
			must(err)
			variantRev = v.Revision
			return variantID
		}},
		{"update", "persona", func() string { // the base changes under the override
			p, err := e.svc.UpdatePersona(ctx, owner, org, personaID, personaRev, app.PersonaInput{Name: "Audrey Audit",
				Status: persona.StatusDraft, Values: persona.Values{"bio": "Second bio"}})
			must(err)
			personaRev = p.Revision
			return personaID
		}},
		{"keep override", "variant", func() string {
			d, err := e.svc.GetVariant(ctx, owner, org, variantID)
			must(err)
			if !slices.Contains(d.BaseChanged, "values.bio") {
				t.Fatalf("base change not seen: %v", d.BaseChanged)
			}
			v := d.Variant
			v2, err := e.svc.UpdateVariant(ctx, owner, org, variantID, variantRev, app.VariantInput{CustomerLabel: v.CustomerLabel,
				Values: v.Values, Dimensions: v.Dimensions, FieldNotes: v.FieldNotes, Note: v.Note, Confirm: []string{"values.bio"}})
			must(err)
			variantRev = v2.Revision
			return variantID
		}},
		{"drop override", "variant", func() string {
			v, err := e.svc.UpdateVariant(ctx, owner, org, variantID, variantRev, app.VariantInput{CustomerLabel: "Credit Union",
				Values: persona.Values{"motto": "Small is beautiful"}, Note: "Smaller still"})
			must(err)
			variantRev = v.Revision
			return variantID
		}},
		{"restore revision", "variant", func() string {
			v, err := e.svc.RestoreVariantRevision(ctx, owner, org, variantID, 1, variantRev)
			must(err)
			variantRev = v.Revision
			return variantID
		}},
		{"create", "note", func() string {
			n, err := e.svc.AddNote(ctx, owner, org, persona.NoteOnPersona, personaID, "Checked with **sales**")
			must(err)
			noteID = n.ID
			return n.ID
		}},
		{"update", "note", func() string {
			_, err := e.svc.UpdateNote(ctx, owner, org, noteID, "Checked with sales and support")
			must(err)
			return noteID
		}},
		{"delete", "note", func() string {
			_, err := e.svc.DeleteNote(ctx, owner, org, noteID)
			must(err)
			return noteID
		}},
		{"create", "evidence", func() string {
			ev, err := e.svc.AddEvidence(ctx, owner, org, app.EvidenceInput{Kind: persona.EvidenceWebLink, Title: "Audit study", URL: "https://example.com/study"})
			must(err)
			evidenceID = ev.ID
			return ev.ID
		}},
		{"update", "evidence", func() string {
			_, err := e.svc.UpdateEvidence(ctx, owner, org, evidenceID, app.EvidenceInput{Kind: persona.EvidenceWebLink, Title: "Audit study (2026)", URL: "https://example.com/study"})
			must(err)
			return evidenceID
		}},
		{"upload", "evidence", func() string {
			ev, err := e.svc.UploadEvidence(ctx, owner, org, app.EvidenceInput{Title: "Interview notes"},
				app.Upload{Name: "notes.txt", Content: strings.NewReader("What they said.\n")})
			must(err)
			docID = ev.ID
			return ev.ID
		}},
		{"link", "evidence", func() string {
			l, err := e.svc.LinkEvidence(ctx, owner, org, evidenceID, app.EvidenceLinkInput{PersonaID: personaID, Field: "values.bio", Stance: persona.StanceSupports})
			must(err)
			linkID = l.ID
			return evidenceID
		}},
		{"unlink", "evidence", func() string {
			_, err := e.svc.UnlinkEvidence(ctx, owner, org, evidenceID, linkID)
			must(err)
			return evidenceID
		}},
		{"delete", "evidence", func() string {
			_, err := e.svc.DeleteEvidence(ctx, owner, org, docID)
			must(err)
			return docID
		}},
		{"link", "alignment link", func() string {
			l, err := e.svc.LinkPersonas(ctx, owner, org, buyer.ID, personaID)
			must(err)
			alignID = l.ID
			return l.ID
		}},
		{"create", "claim verdict", func() string {
			a, err := e.svc.AlignmentOf(ctx, owner, org, buyer.ID, "")
			must(err)
			if len(a.Claims) == 0 {
				t.Fatal("the demo buyer makes no claims")
			}
			m, err := e.svc.MapClaim(ctx, owner, org, buyer.ID, app.ClaimMappingInput{ClaimField: a.Claims[0].Field, Claim: a.Claims[0].Text,
				UserID: personaID, UserField: "bio", Verdict: persona.VerdictSupported})
			must(err)
			claimID = m.ID
			return m.ID
		}},
		{"delete", "claim verdict", func() string {
			_, err := e.svc.UnmapClaim(ctx, owner, org, claimID)
			must(err)
			return claimID
		}},
		{"unlink", "alignment link", func() string {
			_, err := e.svc.UnlinkPersonas(ctx, owner, org, alignID)
			must(err)
			return alignID
		}},
		{"update", "organisation", func() string {
			must(e.svc.SetDivergenceThreshold(ctx, owner, org, 1.5))
			return ""
		}},
		{"update", "organisation", func() string {
			_, err := e.svc.RenameOrg(ctx, owner, org, "Renamed for the audit")
			must(err)
			return ""
		}},
		{"update", "catalogue", func() string {
			c, err := e.svc.Catalogue(ctx, owner, org)
			must(err)
			m := c.Modules[0]
			m.Description = "Edited for the audit"
			c2, err := e.svc.SaveModule(ctx, owner, org, m.Key, m, c.Revision)
			must(err)
			catRev = c2.Revision
			return ""
		}},
		{"import", "catalogue", func() string {
			doc, _, err := e.svc.ExportCatalogue(ctx, owner, org, app.FormatJSON)
			must(err)
			_, err = e.svc.ImportCatalogue(ctx, owner, org, doc, app.FormatJSON, catRev)
			must(err)
			return ""
		}},
		{"create", "launchpad", func() string {
			arch, err := e.svc.ListPersonas(ctx, owner, org, persona.PersonaFilter{ProfileType: persona.ProfileArchetype, Limit: 1}, "")
			must(err)
			l, err := e.svc.CreateLaunchpad(ctx, owner, org, app.LaunchpadRequest{ArchetypeID: arch.Items[0].ID, Defaults: true}, "Audited setup", "")
			must(err)
			if len(l.Recommendation.Modules) < 2 {
				t.Fatalf("too few modules to decide on: %+v", l.Recommendation.Modules)
			}
			launchpadID, launchpadRev = l.ID, l.Revision
			return l.ID
		}},
		{"update", "launchpad", func() string {
			l, err := e.svc.UpdateLaunchpad(ctx, owner, org, launchpadID, launchpadRev, app.LaunchpadUpdate{Name: "Audited setup, renamed"})
			must(err)
			launchpadRev = l.Revision
			return launchpadID
		}},
		{"accept", "launchpad", func() string {
			d, err := e.svc.GetLaunchpad(ctx, owner, org, launchpadID)
			must(err)
			l := d.Launchpad
			l2, err := e.svc.UpdateLaunchpad(ctx, owner, org, launchpadID, launchpadRev, app.LaunchpadUpdate{Name: l.Name,
				Decisions: map[string]persona.Decision{l.Recommendation.Modules[0].Ref(): persona.DecisionAccepted}})
			must(err)
			launchpadRev = l2.Revision
			return launchpadID
		}},
		{"reject", "launchpad", func() string {
			d, err := e.svc.GetLaunchpad(ctx, owner, org, launchpadID)
			must(err)
			l := d.Launchpad
			dec := map[string]persona.Decision{l.Recommendation.Modules[1].Ref(): persona.DecisionRejected}
			for k, v := range l.Decisions {
				dec[k] = v
			}
			l2, err := e.svc.UpdateLaunchpad(ctx, owner, org, launchpadID, launchpadRev, app.LaunchpadUpdate{Name: l.Name, Decisions: dec})
			must(err)
			launchpadRev = l2.Revision
			return launchpadID
		}},
		{"regenerate", "launchpad", func() string {
			l, _, err := e.svc.RegenerateLaunchpad(ctx, owner, org, launchpadID, launchpadRev)
			must(err)
			launchpadRev = l.Revision
			return launchpadID
		}},
		{"delete", "launchpad", func() string {
			must(e.svc.DeleteLaunchpad(ctx, owner, org, launchpadID))
			return launchpadID
		}},
		{"trash", "variant", func() string {
			must(e.svc.TrashVariant(ctx, owner, org, variantID))
			return variantID
		}},
		{"restore", "variant", func() string {
			_, err := e.svc.RestoreVariant(ctx, owner, org, variantID)
			must(err)
			return variantID
		}},
		{"trash", "variant", func() string {
			must(e.svc.TrashVariant(ctx, owner, org, variantID))
			return variantID
		}},
		{"purge", "variant", func() string {
			must(e.svc.PurgeVariant(ctx, owner, org, variantID))
			return variantID
		}},
		{"import", "persona", func() string {
			inputs := func(yield func(app.PersonaInput, error) bool) {
				for _, name := range []string{"Imported One", "Imported Two"} {
					if !yield(app.PersonaInput{Name: name, GroupID: groupID, TemplateID: tmplID, Status: persona.StatusDraft}, nil) {
						return
					}
				}
			}
			n, err := e.svc.CreatePersonas(ctx, owner, org, iter.Seq2[app.PersonaInput, error](inputs))
			must(err)
			if n != 2 {
				t.Fatalf("imported %d", n)
			}
			return ""
		}},
	}
	for i, st := range steps {
		head := e.auditHead(org)
		id := st.run()
		got := e.auditTail(org, head)
		if len(got) != 1 {
			var desc []string
			for _, g := range got {
				desc = append(desc, g.Action+" "+g.ObjectKind)
			}
			t.Fatalf("step %d (%s %s): %d entries %v, want exactly one", i, st.action, st.kind, len(got), desc)
		}
		g := got[0]
		if g.Action != st.action || g.ObjectKind != st.kind || (id != "" && g.ObjectID != id) ||
			g.ActorID != owner.UserID || g.ActorEmail != owner.Email {
			t.Errorf("step %d: got %+v, want %s %s %s by %s", i, g, st.action, st.kind, id, owner.Email)
		}
		if !slices.Contains(persona.AuditActions, g.Action) || !slices.Contains(persona.AuditKinds, g.ObjectKind) {
			t.Errorf("step %d: %q %q is not in the audit page's filter choices", i, g.Action, g.ObjectKind)
		}
	}
	// The summaries say what happened.
	log, err := e.svc.ListAudit(ctx, owner, org, app.AuditQuery{ObjectKind: "catalogue"}, 0, 2)
	must(err)
	if len(log) != 2 || !strings.Contains(log[1].Summary, "changed module") {
		t.Errorf("catalogue entries %+v", log)
	}

	// A refused or failed write records nothing.
	head := e.auditHead(org)
	refused := map[string]error{}
	_, refused["invalid group"] = e.svc.CreateGroup(ctx, owner, org, app.GroupInput{Name: " "})
	_, refused["stale persona"] = e.svc.UpdatePersona(ctx, owner, org, personaID, personaRev-1, app.PersonaInput{Name: "Stale", Status: persona.StatusDraft})
	_, refused["invalid persona"] = e.svc.UpdatePersona(ctx, owner, org, personaID, personaRev, app.PersonaInput{Name: ""})
	_, refused["stale catalogue"] = e.svc.ReplaceCatalogue(ctx, owner, org, 1, persona.Catalogue{})
	_, refused["invalid evidence"] = e.svc.AddEvidence(ctx, owner, org, app.EvidenceInput{Kind: persona.EvidenceWebLink})
	_, refused["missing note"] = e.svc.DeleteNote(ctx, owner, org, noteID)
	refused["group in use"] = e.svc.DeleteGroup(ctx, owner, org, groupID)
	refused["bad threshold"] = e.svc.SetDivergenceThreshold(ctx, owner, org, 9)
	refused["unknown token"] = e.svc.RevokeToken(ctx, owner, "no-such-token")
	refused["viewer"] = e.svc.DeleteGroup(ctx, e.actorOf(e.viewer), org, groupID)
	_, refused["empty draft"] = e.svc.SaveDraft(ctx, owner, org, tmplID, persona.Definition{})
	for name, err := range refused {
		if err == nil {
			t.Errorf("%s: not refused", name)
		}
	}
	if got := e.auditTail(org, head); len(got) != 0 {
		t.Fatalf("refused writes recorded %+v", got)
	}
}

// Events about a user's own account (API tokens, signing out everywhere,
// password changes) belong to that user: they go to the user's own
// security log and to no organisation's audit log, not even those the user
// belongs to. (They once went to all of those, so that any organisation
// that added someone learnt the names of their tokens.)
func TestUserEventsGoToTheSecurityLogNotTheAuditLog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.actorOf(e.owner)
	// The demo owner also joins a third organisation; the outsider's stays apart.
	third, err := e.svc.CreateOrg(ctx, owner, "Third Org", "third-org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(ctx, owner, third.Slug, "outsider@example.com", persona.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	orgs := []string{e.org, third.Slug, e.otherOr}
	heads := map[string]int64{}
	for _, org := range orgs {
		heads[org] = e.auditHead(org)
	}
	if _, err := e.svc.SetPassword(ctx, owner.Email, "the owner's first password", false); err != nil {
		t.Fatal(err)
	}

	var tok struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", "/api/v1/me/tokens", e.owner, map[string]any{"name": "Secret merger sync"}).json(t, &tok)
	if tok.ID == "" {
		t.Fatal("no token ID")
	}
	e.must(204, "DELETE", "/api/v1/me/tokens/"+tok.ID, e.owner, nil)
	e.must(404, "DELETE", "/api/v1/me/tokens/"+tok.ID, e.owner, nil) // already revoked: nothing more
	e.must(200, "POST", "/api/v1/me/sign-out-everywhere", e.owner, map[string]any{})
	e.must(200, "PUT", "/api/v1/me/password", e.owner, map[string]any{"current_password": "the owner's first password",
		"new_password": "the owner's second password"})

	for _, org := range orgs {
		if got := e.auditTail(org, heads[org]); len(got) != 0 {
			t.Errorf("%s's audit log got the user's events: %+v", org, got)
		}
	}
	var log struct {
		Items []persona.SecurityEvent `json:"items"`
	}
	e.must(200, "GET", "/api/v1/me/security-events", e.owner, nil).json(t, &log)
	var got []string
	for _, ev := range log.Items {
		got = append(got, ev.Kind+": "+ev.Summary)
	}
	want := []string{
		"password_changed: Password changed; signed out everywhere",
		"sign_out_everywhere: Signed out everywhere",
		"token_revoked: API token “Secret merger sync” revoked",
		"token_created: API token “Secret merger sync” created",
		"password_reset: Password reset by an administrator; signed out everywhere",
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the owner's security log:\n%q\nwant it to start with\n%q", got, want)
	}
	// The outsider, an admin of an organisation the owner belongs to, sees
	// nothing of it, in their own log or anywhere they can read.
	for _, path := range []string{"/api/v1/me/security-events", "/api/v1/orgs/" + third.Slug + "/audit",
		"/api/v1/orgs/" + third.Slug + "/audit/export?format=jsonl"} {
		body := string(e.must(200, "GET", path, e.other, nil).Body)
		if strings.Contains(body, "Secret merger sync") || strings.Contains(body, tok.ID) || strings.Contains(body, "sign out everywhere") {
			t.Errorf("%s shows the outsider the owner's events: %s", path, body)
		}
	}
}

func TestAuditExport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.actorOf(e.owner)
	// Cells a spreadsheet would run as formulas.
	for _, name := range []string{"=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "Plain, \"quoted\"\nname"} {
		if _, err := e.svc.CreateGroup(ctx, owner, e.org, app.GroupInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := e.svc.ListAudit(ctx, owner, e.org, app.AuditQuery{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 || len(all) == 1000 {
		t.Fatalf("%d entries to export", len(all))
	}
	slices.Reverse(all) // oldest first, as exported

	// JSON Lines: every entry, oldest first, as the listing has it.
	res := e.must(200, "GET", e.api("/audit/export?format=jsonl"), e.owner, nil)
	if ct := res.Header.Get("Content-Type"); ct != "application/jsonl" {
		t.Fatalf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="audit-`+e.org+`.jsonl"` {
		t.Fatalf("disposition %q", cd)
	}
	var lines []persona.AuditEvent
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		var ev persona.AuditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, ev)
	}
	if len(lines) != len(all) {
		t.Fatalf("%d lines, want %d", len(lines), len(all))
	}
	for i := range all {
		a, b := all[i], lines[i]
		if a.Seq != b.Seq || !a.At.Equal(b.At) || a.Action != b.Action || a.ObjectKind != b.ObjectKind || a.ObjectID != b.ObjectID ||
			a.Summary != b.Summary || a.ActorEmail != b.ActorEmail || a.ActorID != b.ActorID {
			t.Fatalf("line %d: %+v, want %+v", i, b, a)
		}
	}

	// CSV: a header, then the same entries; formula cells neutralised.
	res = e.must(200, "GET", e.api("/audit/export?format=csv"), e.owner, nil)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"seq", "at", "actor_id", "actor_email", "action", "object_kind", "object_id", "summary"}) {
		t.Fatalf("header %q", rows[0])
	}
	rows = rows[1:]
	if len(rows) != len(all)+1 { // the JSONL download is now in the log
		t.Fatalf("%d rows, want %d", len(rows), len(all)+1)
	}
	if last := rows[len(rows)-1]; last[4] != "export" || last[5] != "audit log" || last[7] != "JSONL, "+strconv.Itoa(len(all))+" entries" {
		t.Fatalf("the JSONL download was recorded as %q", last)
	}
	var summaries []string
	for i, r := range rows[:len(all)] {
		if r[0] != strconv.FormatInt(all[i].Seq, 10) || r[4] != all[i].Action {
			t.Fatalf("row %d %q, want %+v", i, r, all[i])
		}
		if all[i].ObjectKind == "group" {
			summaries = append(summaries, r[7])
		}
	}
	wantSummaries := []string{`'=HYPERLINK("http://evil")`, "'+1", "'-2", "'@SUM(A1)", "Plain, \"quoted\"\nname"}
	if !slices.Equal(summaries[len(summaries)-5:], wantSummaries) {
		t.Fatalf("summaries %q, want %q", summaries, wantSummaries)
	}

	// Filters: one day, one kind.
	today := all[len(all)-1].At.UTC().Format("2006-01-02")
	res = e.must(200, "GET", e.api("/audit/export?format=jsonl&object_kind=group&since="+today+"&until="+today), e.owner, nil)
	groups := 0
	for _, ev := range all {
		if ev.ObjectKind == "group" && ev.At.UTC().Format("2006-01-02") == today {
			groups++
		}
	}
	if n := bytes.Count(res.Body, []byte("\n")); n != groups || groups < 5 {
		t.Fatalf("%d group entries today:\n%s", n, res.Body)
	}
	res = e.must(200, "GET", e.api("/audit/export?format=csv&until=2000-01-01"), e.owner, nil)
	if string(res.Body) != "seq,at,actor_id,actor_email,action,object_kind,object_id,summary\n" {
		t.Fatalf("empty export %q", res.Body)
	}
	pr := e.must(422, "GET", e.api("/audit/export?since=2026-02-01&until=2026-01-01"), e.owner, nil).problem(t)
	if !slices.Contains(pr.locations(), "query.until") {
		t.Fatalf("until before since: %+v", pr)
	}
	e.must(422, "GET", e.api("/audit/export?format=xlsx"), e.owner, nil)

	// Admins only, members only.
	editor, err := e.svc.CreateUser(ctx, "editor@example.com", "Eddie Editor", "editor-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddMember(ctx, app.System, e.org, editor.Email, persona.RoleEditor); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{e.viewer, e.tokenFor(editor)} {
		e.must(403, "GET", e.api("/audit/export"), tok, nil).problem(t)
		e.must(403, "GET", e.api("/audit"), tok, nil).problem(t)
	}
	e.must(404, "GET", e.api("/audit/export?format=csv"), e.other, nil).problem(t)
}
