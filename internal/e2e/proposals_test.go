package e2e_test

import (
	"context"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// Change proposals in the browser (docs/proposals.md). The demo has one
// user, its owner; each test adds the people it needs with the CLI, as an
// operator would.

// cliMember adds an existing user to the demo organisation with a role
// (personapal member add).
func cliAddMember(t *testing.T, email, role string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, env.bin, "member", "add", "--db", env.db, "--org", env.org, "--email", email, "--role", role).CombinedOutput()
	if err != nil {
		t.Fatalf("personapal member add: %v\n%s", err, out)
	}
}

// member creates a user with role in the demo organisation and signs them
// in in a browser of their own.
func member(t *testing.T, name, role string) *browser {
	t.Helper()
	email, password := unique(role)+"@example.com", "a-long-password-for-"+role
	cliUser(t, email, name, password)
	cliAddMember(t, email, role)
	b := newBrowser(t)
	b.step("sign in as "+name+" ("+role+")",
		open("/login"), present("#email", 1),
		typeInto("#email", email), typeInto("#password", password),
		follow(`form[action="/login"] button[type="submit"]`),
		until("signed in", `() => location.pathname.startsWith("/login") ? "still on the sign-in page: " + document.body.innerText.slice(0, 300) : ""`))
	return b
}

// propose fills the persona's "Propose a change" form: the summary and a
// message, and sends it; it lands on the proposal page.
func propose(b *browser, personaPath, summary, message string) {
	b.step("open the persona and choose 'Propose a change'",
		open(personaPath), follow("#propose-change"),
		see("main h1", "Propose a change to"), present(`#proposal_message`, 1))
	b.step("change the summary, say why and send",
		typeInto("#summary", summary), typeInto("#proposal_message", message),
		follow("#save-persona"))
	b.step("the proposal page shows the change as a diff",
		atPath(`^/o/[^/]+/proposals/[^/]+$`),
		see("#proposal-diff", "Summary", summary),
		see("#proposal-message", message),
		present("#withdraw-button", 1), count("#accept-button", 0))
}

// (a) A viewer proposes a change to a demo persona; the owner opens it from
// the persona page, sees the diff and accepts: the persona shows the new
// value and its history a new revision by the viewer.
func TestViewerProposesOwnerAccepts(t *testing.T) {
	id := personaID(t, "Audit Evidence Collector")
	path := orgPath("/personas/" + id)
	summary := "Collects audit evidence " + unique("p") + " before each quarter closes"
	viewer := member(t, "Vic Viewer", "viewer")
	viewer.step("a viewer sees no Edit button", open(path), count("#edit-persona", 0), present("#propose-change", 1))
	propose(viewer, path, summary, "From the October interviews")
	viewer.shot("proposal-sent")

	owner := signIn(t, path)
	owner.step("the persona page counts the open proposal", see("#open-proposals", "open proposal"))
	owner.step("open the persona's proposals", follow("#open-proposals"), see("main h1", "Proposals for Audit Evidence Collector"))
	owner.step("open the viewer's proposal", clickText(".proposal-link", "From the October interviews", true))
	owner.step("the owner sees the diff and the decision forms",
		see("#proposal-meta", "Vic Viewer"), see("#proposal-diff", summary),
		present("#accept-button", 1), present("#decline-button", 1), count("#proposal-conflict", 0))
	owner.looks("proposal", "#proposal-diff")
	owner.step("accept", follow("#accept-button"))
	owner.step("the persona shows the new value",
		atPath("^"+regexp.QuoteMeta(path)+"$"),
		see(".flash", "Proposal accepted", "Vic Viewer"),
		see("#persona-summary", summary), count("#open-proposals", 0))
	owner.step("its history has a new revision by the viewer",
		open(path+"/history"), see("#revisions", "Proposal by Vic Viewer", "From the October interviews"))
}

// (b) A conflicting proposal: after a viewer's proposal, an editor saves
// the same field; the owner's accept shows the conflict field by field,
// the owner takes the proposed value, and that is the new revision.
func TestConflictingProposalIsResolvedFieldByField(t *testing.T) {
	id := personaID(t, "Branch Manager")
	path := orgPath("/personas/" + id)
	proposed := "Runs the branch " + unique("p") + " and signs off the cash count"
	theirs := "Runs the branch " + unique("e") + " (editor's version)"

	viewer := member(t, "Val Viewer", "viewer")
	propose(viewer, path, proposed, "The cash count is hers")

	editor := member(t, "Ed Editor", "editor")
	editor.step("the editor changes the same field directly",
		open(path+"/edit"), typeInto("#summary", theirs), follow("#save-persona"),
		atPath("^"+regexp.QuoteMeta(path)+"$"), see("#persona-summary", theirs))

	owner := signIn(t, orgPath("/proposals"))
	owner.step("open the proposal from the organisation's list", clickText(".proposal-link", "Branch Manager — The cash count is hers", true))
	owner.step("the conflict is shown field by field",
		see("#proposal-conflict", "The persona changed since this proposal was made", "Summary", "Keep theirs", theirs, proposed),
		present(`fieldset.conflict-field[data-path="summary"]`, 1))
	owner.looks("conflict", "#proposal-conflict")
	owner.step("accepting without a choice names the field", follow("#accept-button"),
		see("#proposal-refused", "choose"), see(`fieldset[data-path="summary"] .field-error`, "Choose a value for Summary"))
	owner.step("take the proposed value and accept",
		click(`label[for="resolve-summary-proposed"]`), follow("#accept-button"))
	owner.step("the result is the new revision",
		atPath("^"+regexp.QuoteMeta(path)+"$"),
		see(".flash", "Proposal accepted"), see("#persona-summary", proposed),
		open(path+"/history"), see("#revisions", "Proposal by Val Viewer"))
}
