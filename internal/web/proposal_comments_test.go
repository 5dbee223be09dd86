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

// TestProposalCommentThread: the proposal page shows its thread with the
// mention autocomplete; a viewer's comment posted from the page lands back
// on it; an empty one is refused naming the comment and keeping the text;
// the comment's own address leads to the proposal; an outsider gets 404.
func TestProposalCommentThread(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	p := e.demoPersona("System Lead")
	in := app.PersonaInput{Name: p.Name, Summary: "Proposed summary", GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID,
		Values: p.Values, Dimensions: p.Dimensions, LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays}
	pr, err := e.svc.CreateProposal(ctx, e.actor(e.owner), e.org, p.ID, app.ProposalInput{Persona: in, Message: "Sharper"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/o/" + e.org + "/proposals/" + pr.ID
	v := e.signedIn(e.viewer)
	before := v.get(path).must(t, http.StatusOK)
	for _, want := range []string{`id="comments"`, `name="subject" value="proposal"`, `name="subject_id" value="` + pr.ID + `"`, `data-mentions="/o/` + e.org + `/mentions"`} {
		if !strings.Contains(before.Body, want) {
			t.Errorf("the proposal page lacks %s", want)
		}
	}

	after := v.post("/o/"+e.org+"/comments", url.Values{"subject": {"proposal"}, "subject_id": {pr.ID}, "body": {"Why **now**?"}}).must(t, http.StatusOK)
	if !strings.HasPrefix(after.URL, path) || !strings.Contains(after.Body, "<strong>now</strong>") {
		t.Fatalf("after posting: at %s, comment shown %v", after.URL, strings.Contains(after.Body, "<strong>now</strong>"))
	}
	ts, err := e.svc.ListComments(ctx, e.actor(e.owner), e.org, persona.CommentOnProposal, pr.ID, "")
	if err != nil || len(ts) != 1 {
		t.Fatalf("threads %v %v", ts, err)
	}
	if cp := v.get("/o/"+e.org+"/comments/"+ts[0].Root.ID).must(t, http.StatusOK); !strings.HasPrefix(cp.URL, path) {
		t.Errorf("/comments/{id} led to %s", cp.URL)
	}

	bad := v.post("/o/"+e.org+"/comments", url.Values{"subject": {"proposal"}, "subject_id": {pr.ID}, "body": {"   "}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, "The comment is required") {
		t.Error("the refusal does not name the comment")
	}
	tooLong := strings.Repeat("y", persona.MaxCommentLength+1)
	if r := v.post("/o/"+e.org+"/comments", url.Values{"subject": {"proposal"}, "subject_id": {pr.ID}, "body": {tooLong}}).must(t, http.StatusUnprocessableEntity); !strings.Contains(r.Body, tooLong) {
		t.Error("the refused comment's text is dropped")
	}

	o := e.signedIn(e.outsider)
	o.get(path).must(t, http.StatusNotFound)
	o.post("/o/"+e.org+"/comments", url.Values{"subject": {"proposal"}, "subject_id": {pr.ID}, "body": {"x"}}).must(t, http.StatusNotFound)
}
