package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// A viewer proposes a change from the persona page's form; the owner sees
// the diff on the proposal page and accepts it: a new revision by the
// viewer; the persona page counts open proposals.
func TestViewerProposesOwnerAccepts(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	viewer, owner := e.signedIn(e.viewer), e.signedIn(e.owner)
	p := e.demoPersona("System Lead")
	base := "/o/" + e.org + "/personas/" + p.ID

	pp := viewer.get(base).must(t, http.StatusOK)
	if !strings.Contains(pp.Body, `id="propose-change"`) || strings.Contains(pp.Body, `id="edit-persona"`) {
		t.Fatal("a viewer's persona page lacks 'Propose a change' (or offers Edit)")
	}
	form := viewer.get(base+"/propose").must(t, http.StatusOK)
	for _, want := range []string{"Propose a change to System Lead", `action="` + base + `/proposals"`, `name="proposal_message"`, "Send proposal"} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("propose form lacks %q", want)
		}
	}
	if strings.Contains(form.Body, "/preview/markdown") {
		t.Error("a viewer's form offers the Markdown preview, which only editors may use")
	}

	// Nothing changed: refused, the message kept.
	f := e.editForm(p)
	f.Set("proposal_message", "Kept as typed")
	refused := viewer.post(base+"/proposals", f).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(refused.Body, "changes nothing") || !strings.Contains(refused.Body, "Kept as typed") {
		t.Errorf("an empty proposal: %s", refused.Body[:min(len(refused.Body), 400)])
	}

	f.Set("summary", "Keeps the ledger running through month end")
	f.Set("proposal_message", "From the October interviews")
	sent := viewer.post(base+"/proposals", f).must(t, http.StatusOK)
	if !strings.Contains(sent.URL, "/o/"+e.org+"/proposals/") || !strings.Contains(sent.Body, "Withdraw my proposal") || strings.Contains(sent.Body, `id="accept-proposal"`) {
		t.Fatalf("after proposing at %s", sent.URL)
	}
	if !strings.Contains(viewer.get(base).Body, "1 open proposal") {
		t.Error("the persona page does not count the open proposal")
	}
	if l := viewer.get("/o/"+e.org+"/proposals").must(t, http.StatusOK); !strings.Contains(l.Body, "From the October interviews") {
		t.Error("the organisation's list lacks the proposal")
	}

	page := owner.get(strings.TrimPrefix(sent.URL, e.srv.URL)).must(t, http.StatusOK)
	for _, want := range []string{"From the October interviews", `data-path="summary"`, "Keeps the ledger running through month end", `id="accept-proposal"`, `id="decline-proposal"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("owner's proposal page lacks %q", want)
		}
	}
	id := sent.URL[strings.LastIndex(sent.URL, "/")+1:]
	done := owner.post("/o/"+e.org+"/proposals/"+id+"/accept", url.Values{}).must(t, http.StatusOK)
	if !strings.HasSuffix(done.URL, base) || !strings.Contains(done.Body, "Keeps the ledger running through month end") {
		t.Fatalf("after accept at %s", done.URL)
	}
	got, _ := e.svc.GetPersona(ctx, e.actor(e.owner), e.org, p.ID)
	revs, _ := e.svc.ListRevisions(ctx, e.actor(e.owner), e.org, p.ID)
	var author string
	for _, r := range revs {
		if r.Number == got.Revision {
			author = r.AuthorID
		}
	}
	if got.Revision != p.Revision+1 || author != e.actor(e.viewer).UserID {
		t.Errorf("revision %d by %s, want %d by the viewer", got.Revision, author, p.Revision+1)
	}
}

// A conflicting proposal: the accept page shows the field both changed
// with a choice; accepting without one comes back 409 naming it; with one
// it applies.
func TestProposalConflictIsChosenFieldByField(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.signedIn(e.owner)
	p := e.demoPersona("System Lead")
	in := app.PersonaInput{Name: p.Name, Summary: "Proposed summary", GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID,
		Values: p.Values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
	pr, err := e.svc.CreateProposal(ctx, e.actor(e.viewer), e.org, p.ID, app.ProposalInput{Persona: in, Message: "Sharper"})
	if err != nil {
		t.Fatal(err)
	}
	in.Summary = "Their summary"
	if _, err := e.svc.UpdatePersona(ctx, e.actor(e.owner), e.org, p.ID, p.Revision, in); err != nil {
		t.Fatal(err)
	}
	at := "/o/" + e.org + "/proposals/" + pr.ID
	page := owner.get(at).must(t, http.StatusOK)
	for _, want := range []string{`id="proposal-conflict"`, `name="resolve.summary"`, "Their summary", "Proposed summary", "Keep theirs"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("conflict view lacks %q", want)
		}
	}
	again := owner.post(at+"/accept", url.Values{}).must(t, http.StatusConflict)
	if !strings.Contains(again.Body, "Choose a value for Summary") {
		t.Error("the refused accept does not name the field")
	}
	done := owner.post(at+"/accept", url.Values{"resolve.summary": {"proposed"}}).must(t, http.StatusOK)
	if !strings.Contains(done.Body, "Proposed summary") {
		t.Errorf("after the resolved accept at %s", done.URL)
	}
}

// Decline keeps a too-long reason as typed; withdraw is the proposer's;
// the sign-off setting turns the edit form into a proposal form, and a
// save refused by it offers "Propose instead" with what was typed.
func TestProposalDeclineWithdrawAndSignOff(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner, viewer := e.signedIn(e.owner), e.signedIn(e.viewer)
	p := e.demoPersona("System Lead")
	in := app.PersonaInput{Name: p.Name, Summary: "Other", GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID,
		Values: p.Values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
	pr, err := e.svc.CreateProposal(ctx, e.actor(e.viewer), e.org, p.ID, app.ProposalInput{Persona: in})
	if err != nil {
		t.Fatal(err)
	}
	at := "/o/" + e.org + "/proposals/" + pr.ID
	long := strings.Repeat("too long ", 300)
	refused := owner.post(at+"/decline", url.Values{"reason": {long}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(refused.Body, `id="decline-reason-error"`) || !strings.Contains(refused.Body, strings.TrimSpace(long[:90])) {
		t.Error("a refused decline drops the reason or does not name it")
	}
	viewer.post(at+"/decline", url.Values{"reason": {"no"}}).must(t, http.StatusForbidden)
	owner.post(at+"/withdraw", url.Values{}).must(t, http.StatusForbidden)
	w := viewer.post(at+"/withdraw", url.Values{}).must(t, http.StatusOK)
	if !strings.Contains(w.Body, "Withdrawn by the proposer") {
		t.Error("withdrawn proposal page")
	}

	viewer.post("/o/"+e.org+"/settings/proposals", url.Values{"require_proposals": {"on"}}).must(t, http.StatusForbidden)
	set := owner.post("/o/"+e.org+"/settings/proposals", url.Values{"require_proposals": {"on"}}).must(t, http.StatusOK)
	if !strings.Contains(set.Body, `id="require-proposals" name="require_proposals" value="on" checked`) {
		t.Error("the settings page does not show the setting on")
	}
	base := "/o/" + e.org + "/personas/" + p.ID
	edit := owner.get(base+"/edit").must(t, http.StatusOK)
	if !strings.Contains(edit.Body, "Propose this change") || !strings.Contains(edit.Body, `action="`+base+`/proposals"`) {
		t.Error("the edit form of a published persona under sign-off does not propose")
	}
	// A form opened before the setting, saved directly: offered as a proposal.
	f := e.editForm(p)
	f.Set("summary", "Typed before sign-off")
	f.Set("message", "My note")
	back := owner.post(base, f).must(t, http.StatusForbidden)
	for _, want := range []string{"Typed before sign-off", "Propose this change", `action="` + base + `/proposals"`, "My note"} {
		if !strings.Contains(back.Body, want) {
			t.Errorf("the refused save lacks %q", want)
		}
	}
	f.Set("proposal_message", "My note")
	sent := owner.post(base+"/proposals", f).must(t, http.StatusOK)
	if !strings.Contains(sent.URL, "/proposals/") || !strings.Contains(sent.Body, "Typed before sign-off") {
		t.Errorf("propose instead: %s", sent.URL)
	}
	if got, _ := e.svc.GetPersona(ctx, e.actor(e.owner), e.org, p.ID); got.Revision != p.Revision {
		t.Error("sign-off let a direct save through")
	}
}

// proposalOn is an open proposal by the owner on p (for the walks).
func (e *webEnv) proposalOn(p persona.Persona) persona.Proposal {
	e.t.Helper()
	in := app.PersonaInput{Name: p.Name, Summary: "A proposed summary", GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID,
		Values: p.Values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
	pr, err := e.svc.CreateProposal(context.Background(), e.actor(e.owner), e.org, p.ID, app.ProposalInput{Persona: in, Message: "Walk"})
	if err != nil {
		e.t.Fatal(err)
	}
	return pr
}

// A variant proposal's page names the variant and shows the override
// diff; the owner's accept saves the variant's next revision.
func TestVariantProposalPage(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.signedIn(e.owner)
	lead := e.demoPersona("System Lead")
	vs, err := e.svc.ListVariants(ctx, e.actor(e.owner), e.org, lead.ID)
	if err != nil || len(vs) == 0 {
		t.Fatalf("variants: %v", err)
	}
	v := vs[0].Variant
	pr, err := e.svc.CreateVariantProposal(ctx, e.actor(e.viewer), e.org, v.ID, app.VariantProposalInput{Message: "Say why",
		Variant: app.VariantInput{Note: "A proposed note for this customer", Values: v.Values, Dimensions: v.Dimensions, FieldNotes: v.FieldNotes}})
	if err != nil {
		t.Fatal(err)
	}
	at := "/o/" + e.org + "/proposals/" + pr.ID
	page := owner.get(at).must(t, http.StatusOK)
	for _, want := range []string{`id="proposal-target"`, `data-path="note"`, "A proposed note for this customer", "Accept as variant revision"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("variant proposal page lacks %q", want)
		}
	}
	done := owner.post(at+"/accept", url.Values{}).must(t, http.StatusOK)
	if !strings.Contains(done.URL, "/variants/"+v.ID) || !strings.Contains(done.Body, "A proposed note for this customer") {
		t.Errorf("after the accept at %s", done.URL)
	}
}
