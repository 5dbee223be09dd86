package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/web"
)

// Every organisation page (GET and POST) answers 404 to the owner of
// another organisation addressed with the first organisation's slug and its
// objects' real IDs; with the outsider's own slug and those IDs nothing
// fails on the server. No response carries the first organisation's data.
// Evidence downloads included.
func TestEveryOrganisationPageIsClosedToOutsiders(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	h, err := web.New(e.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	lead := e.demoPersona("System Lead")
	bank := e.demoPersona("Big Bank")
	variants, _ := e.svc.ListVariants(ctx, owner, e.org, lead.ID)
	tmpls, _ := e.svc.ListTemplates(ctx, owner, e.org)
	evidence, _ := e.svc.ListEvidence(ctx, owner, e.org, persona.EvidenceFilter{Kind: persona.EvidenceDocument, Limit: 1}, "")
	launchpads, _ := e.svc.ListLaunchpads(ctx, owner, e.org, "")
	note, err := e.svc.AddNote(ctx, owner, e.org, persona.NoteOnPersona, lead.ID, "Private to Ledgerline")
	if err != nil || len(variants) == 0 || len(evidence.Items) == 0 || len(launchpads) == 0 {
		t.Fatalf("fixtures: %v %d %d %d", err, len(variants), len(evidence.Items), len(launchpads))
	}
	comment, err := e.svc.AddComment(ctx, owner, e.org, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: lead.ID, FieldKey: "goals", Body: "Private comment of Ledgerline"})
	if err != nil {
		t.Fatal(err)
	}
	invitation, err := e.svc.InviteMember(ctx, owner, e.org, "invitee@example.com", persona.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	hook, delivery := webhookFixture(t, e)
	proposal := e.proposalOn(lead) // proposals_test.go
	share, _, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{lead.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// A photo (issue 18): its address is walked with the rest.
	if err := e.svc.SetPersonaPhoto(ctx, owner, e.org, lead.ID, photoJPEG(t)); err != nil {
		t.Fatal(err)
	}
	idFor := map[string]string{
		"/templates/{id}": tmpls[0].ID, "/evidence/{id}": evidence.Items[0].ID, "/launchpads/{id}": launchpads[0].ID,
		"/groups/{id}": e.demoGroups()[0], "/notes/{id}": note.ID, "/customers/{id}": bank.ID,
		"/invitations/{id}": invitation.ID, "/webhooks/{id}": hook, "/proposals/{id}": proposal.ID, "/comments/{id}": comment.ID,
		"/shares/{id}": share.ID,
	}
	fill := func(pattern, org string) string {
		id := lead.ID
		for seg, v := range idFor {
			if strings.Contains(pattern, seg) {
				id = v
			}
		}
		return strings.NewReplacer("{org}", org, "{id}", id, "{vid}", variants[0].Variant.ID, "{n}", "1",
			"{kind}", "modules", "{key}", "approval-workflows", "{link}", "x", "{user}", owner.UserID, "{delivery}", delivery, "{size}", "96", "{imageID}", persona.ImageID([]byte("x"))).Replace(pattern)
	}
	outsider := e.signedIn(e.outsider)
	// The walk covers the field attach page (issue 16) with the rest.
	// … and the presence stream (issue 17): an outsider gets 404, never a stream.
	// … and the reviews (issue 17): mark reviewed and the review page.
	for _, want := range []string{"GET /o/{org}/personas/{id}/evidence/attach", "POST /o/{org}/personas/{id}/evidence/attach", "GET /o/{org}/personas/{id}/presence",
		"GET /o/{org}/notifications", "POST /o/{org}/notifications/read", "POST /o/{org}/notifications/{id}/open",
		"GET /o/{org}/webhooks/{id}", "POST /o/{org}/webhooks/{id}/deliveries/{delivery}/redeliver",
		"POST /o/{org}/personas/{id}/reviews", "GET /o/{org}/reviews",
		"GET /o/{org}/proposals/{id}", "POST /o/{org}/proposals/{id}/accept", "POST /o/{org}/personas/{id}/proposals", "GET /o/{org}/personas/{id}/propose",
		"GET /o/{org}/usage", "GET /o/{org}/shares", "GET /o/{org}/shares/new", "POST /o/{org}/shares", "POST /o/{org}/shares/{id}/revoke",
		"GET /o/{org}/personas/{id}/export.png", "GET /o/{org}/compare/export.png",
		"GET /o/{org}/deck", "GET /o/{org}/deck.pdf",
		"GET /o/{org}/personas/{id}/agent-card.json", "GET /o/{org}/personas/{id}/system-prompt.md",
		"GET /o/{org}/personas/{id}/photo/{size}", "POST /o/{org}/personas/{id}/photo", "POST /o/{org}/personas/{id}/photo/delete",
		"GET /o/{org}/personas/{id}/images/{key}", "POST /o/{org}/personas/{id}/images/{key}", "POST /o/{org}/personas/{id}/images/{key}/remove",
		"GET /o/{org}/personas/{id}/images/{imageID}/{size}",
		"POST /o/{org}/personas/{id}/work", "POST /o/{org}/personas/{id}/work/{link}/remove",
		"GET /o/{org}/duplicates", "GET /o/{org}/personas/{id}/merge", "POST /o/{org}/personas/{id}/merge",
		"GET /o/{org}/import", "POST /o/{org}/import/upload", "POST /o/{org}/import/map", "POST /o/{org}/import/preview", "POST /o/{org}/import/run",
		"GET /o/{org}/settings/transfer", "GET /o/{org}/settings/export.json", "GET /o/{org}/settings/export.yaml",
		"POST /o/{org}/settings/import/check", "POST /o/{org}/settings/import",
		"GET /o/{org}/relations"} {
		if !slices.Contains(h.OrgRoutes(), want) {
			t.Errorf("the walk misses %s", want)
		}
	}
	secrets := []string{"System Lead", share.ID, "Ledgerline", "Private to Ledgerline", lead.ID, invitation.ID, "invitee@example.com", "93.184.215.14", delivery, proposal.ID, "A proposed summary", comment.ID, "demo@example.com"}
	walked := 0
	for _, pattern := range h.OrgRoutes() {
		method, path, _ := strings.Cut(pattern, " ")
		for _, org := range []string{e.org, e.otherOrg} {
			if org == e.otherOrg && (path == "/o/{org}" || !strings.Contains(path, "{")) {
				continue
			}
			target := fill(path, org)
			if org == e.otherOrg && !strings.Contains(strings.TrimPrefix(path, "/o/{org}"), "{") {
				continue // the outsider's own page with no foreign ID in it
			}
			var p page
			if method == http.MethodGet {
				p = outsider.get(target)
			} else {
				p = outsider.post(target, url.Values{"body": {"x"}, "name": {"x"}, "target_id": {lead.ID}})
			}
			// In the first organisation: 404 whatever the page. In the
			// outsider's own organisation the page exists, so the foreign
			// IDs must simply lead nowhere: no server error, no data.
			if org == e.org && p.Status != http.StatusNotFound || p.Status >= 500 {
				t.Errorf("%s %s as an outsider: %d", method, target, p.Status)
				continue
			}
			for _, s := range secrets {
				if strings.Contains(p.Body, s) {
					t.Errorf("%s %s leaks %q", method, target, s)
				}
			}
			walked++
		}
	}
	if walked < 100 {
		t.Fatalf("only %d requests walked", walked)
	}
	if got, _ := e.svc.GetPersona(ctx, owner, e.org, lead.ID); got.Revision != lead.Revision {
		t.Fatal("an outsider changed a persona")
	}
	if _, err := e.svc.PersonaPhoto(ctx, owner, e.org, lead.ID, 96); err != nil {
		t.Fatalf("an outsider removed a photo: %v", err)
	}
	if list, _ := e.svc.ListInvitations(ctx, owner, e.org); len(list) != 1 || list[0].ID != invitation.ID || list[0].RevokedAt != nil {
		t.Fatalf("an outsider changed the invitations: %+v", list)
	}
}

// viewerForms are the organisation forms a viewer may post (proposals.go).
var viewerForms = map[string]bool{"POST /o/{org}/personas/{id}/proposals": true, "POST /o/{org}/proposals/{id}/withdraw": true}

// Every organisation form a viewer posts to is refused with 403 before
// anything is read or checked: a viewer learns nothing from validation
// messages and changes nothing.
func TestViewersAreRefusedOnEveryOrganisationForm(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	h, err := web.New(e.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	lead := e.demoPersona("System Lead")
	bank := e.demoPersona("Big Bank")
	variants, _ := e.svc.ListVariants(ctx, owner, e.org, lead.ID)
	tmpls, _ := e.svc.ListTemplates(ctx, owner, e.org)
	evidence, _ := e.svc.ListEvidence(ctx, owner, e.org, persona.EvidenceFilter{Kind: persona.EvidenceDocument, Limit: 1}, "")
	launchpads, _ := e.svc.ListLaunchpads(ctx, owner, e.org, "")
	note, err := e.svc.AddNote(ctx, owner, e.org, persona.NoteOnPersona, lead.ID, "A note")
	if err != nil || len(variants) == 0 || len(evidence.Items) == 0 || len(launchpads) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	// The owner's comment: a viewer may comment, but not edit, delete or
	// resolve another's (403 from the app layer).
	comment, err := e.svc.AddComment(ctx, owner, e.org, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: lead.ID, Body: "The owner's comment"})
	if err != nil {
		t.Fatal(err)
	}
	invitation, err := e.svc.InviteMember(ctx, owner, e.org, "invitee@example.com", persona.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	hook, delivery := webhookFixture(t, e)
	proposal := e.proposalOn(lead) // proposals_test.go
	share, _, err := e.svc.CreateShareLink(ctx, owner, e.org, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{lead.ID}})
	if err != nil {
		t.Fatal(err)
	}
	idFor := map[string]string{
		"/templates/{id}": tmpls[0].ID, "/evidence/{id}": evidence.Items[0].ID, "/launchpads/{id}": launchpads[0].ID,
		"/groups/{id}": e.demoGroups()[0], "/notes/{id}": note.ID, "/customers/{id}": bank.ID,
		"/invitations/{id}": invitation.ID, "/webhooks/{id}": hook, "/proposals/{id}": proposal.ID, "/comments/{id}": comment.ID,
		"/shares/{id}": share.ID,
	}
	fill := func(pattern string) string {
		id := lead.ID
		for seg, v := range idFor {
			if strings.Contains(pattern, seg) {
				id = v
			}
		}
		return strings.NewReplacer("{org}", e.org, "{id}", id, "{vid}", variants[0].Variant.ID, "{n}", "1",
			"{kind}", "modules", "{key}", "approval-workflows", "{link}", "x", "{user}", owner.UserID, "{delivery}", delivery).Replace(pattern)
	}
	viewer := e.signedIn(e.viewer)
	before, err := e.svc.ExportOrg(ctx, owner, e.org)
	if err != nil {
		t.Fatal(err)
	}
	// Forms every member posts for themselves (their own notifications)
	// or as a reader (a comment: TestCommentsOnAPersonaField): a viewer
	// may, and nothing here changes the organisation.
	viewerMay := map[string]bool{
		"POST /o/{org}/comments":                true,
		"POST /o/{org}/notifications/read":      true,
		"POST /o/{org}/notifications/{id}/open": true,
	}
	walked := 0
	for _, pattern := range h.OrgRoutes() {
		method, path, _ := strings.Cut(pattern, " ")
		if method != http.MethodPost || viewerMay[pattern] {
			continue
		}
		walked++
		p := viewer.post(fill(path), url.Values{"body": {"x"}, "name": {"x"}, "target_id": {lead.ID}, "title": {"x"}})
		if viewerForms[pattern] {
			// A viewer may propose (refused here: "x" is no persona) and
			// withdraw their own proposal (this one is the owner's).
			if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusForbidden {
				t.Errorf("viewer POST %s → %d, want 422 or 403", path, p.Status)
			}
			continue
		}
		if p.Status != http.StatusForbidden {
			t.Errorf("viewer POST %s → %d, want 403", path, p.Status)
		}
	}
	after, err := e.svc.ExportOrg(ctx, owner, e.org)
	if err != nil {
		t.Fatal(err)
	}
	before.ExportedAt = after.ExportedAt
	if !reflect.DeepEqual(before, after) {
		t.Error("a viewer's posts changed the organisation")
	}
	if walked < 30 {
		t.Fatalf("walked only %d forms", walked)
	}
	t.Logf("%d forms refused to a viewer", walked)
}

// webhookFixture registers a webhook endpoint of the demo organisation
// with one delivery (its test event) and returns both IDs.
func webhookFixture(t *testing.T, e *webEnv) (string, string) {
	t.Helper()
	ctx := context.Background()
	owner := e.actor(e.owner)
	ep, err := e.svc.CreateWebhook(ctx, owner, e.org, app.WebhookInput{URL: "https://93.184.215.14/ledgerline-hooks", EventTypes: []string{"persona.updated"}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.TestWebhook(ctx, owner, e.org, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ep.ID, d
}
