package e2e_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/personapal/personapal/internal/mailtest"
)

// digestSubject is in every review digest's subject ("… need your review
// in …").
const digestSubject = "your review in"

// runDigest runs `personapal reviews digest --again` on the server's
// database, as an operator would; the running server sends what it queues.
func (m *mailServer) runDigest(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, env.bin, "reviews", "digest", "--again", "--db", m.db, "--base-url", m.base).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "queued ") {
		t.Fatalf("personapal reviews digest: %v\n%s", err, out)
	}
}

// digests are the review digests to addr the SMTP server accepted, in the
// order they came.
func (m *mailServer) digests(addr string) []mailtest.Message {
	var out []mailtest.Message
	for _, msg := range m.smtp.Messages() {
		for _, to := range msg.To {
			if strings.EqualFold(to, addr) && strings.Contains(msg.Subject, digestSubject) {
				out = append(out, msg)
			}
		}
	}
	return out
}

// nextDigest runs the digest and waits for the new message to addr.
func (m *mailServer) nextDigest(t *testing.T, addr string) mailtest.Message {
	t.Helper()
	n := len(m.digests(addr))
	m.runDigest(t)
	m.mail(t, addr, digestSubject, n+1)
	got := m.digests(addr)
	return got[len(got)-1] // the newest: the server's own weekly run may have come first
}

// TestMarkReviewedClearsOverdueAndTheDigest (issue 17 acceptance): the
// demo owner's Regional Savings Bank is overdue (its last review is long
// past its interval in the demo data the real binary loads): the flag
// shows on its page and it is in the home page's "Overdue" filter, and
// the weekly digest to its owner lists it. The owner marks it reviewed
// with a note: the flag is gone, it leaves the Overdue filter, its
// history shows the review, and the next digest no longer lists it.
func TestMarkReviewedClearsOverdueAndTheDigest(t *testing.T) {
	const name = "Regional Savings Bank"
	m := startMailServer(t, true)
	b := m.signIn(t, m.email, m.password)
	home := "/o/" + m.org

	// The Overdue filter, chosen on the home page: in the address, and the
	// persona among the cards.
	b.step("choose the Overdue review filter",
		m.open(home), present("#filter-review", 1),
		click(`label.review-chip:has(#filter-review-overdue)`),
		atPath(`^`+home+`\?review=overdue$`),
		present(card(name), 1),
		until("only overdue cards", `() => {
			const cards = [...document.querySelectorAll("a.persona-card")];
			const late = cards.filter(c => c.querySelector(".review-due"));
			return cards.length > 0 && late.length === cards.length ? "" : late.length + " of " + cards.length + " cards are overdue";
		}`))
	overdueCount := run(b, "read the Overdue count", chromedp.Evaluate[string](`document.querySelector("label.review-chip:has(#filter-review-overdue) .chip-n").textContent.trim()`))
	b.step("open "+name+" from the filter: the overdue flag",
		follow(card(name)),
		see("h1", name),
		see("dd.overdue", "overdue"),
		present("details#review-mark[open]", 1),
		see("#review-mark summary", "overdue for review"))
	personaPath := run(b, "read the persona's address", chromedp.Evaluate[string](`location.pathname`))

	// Before the review, the digest lists it.
	before := m.nextDigest(t, m.email)
	if !strings.Contains(before.Text, name) || !strings.Contains(before.Text, m.base+personaPath) {
		t.Fatalf("the digest before the review does not list %s at %s:\n%s", name, personaPath, before.Text)
	}

	// Mark it reviewed, with a note.
	note := "Checked against the Q4 branch interviews"
	b.step("mark it reviewed with a note",
		typeInto("#review-note", note),
		follow("#mark-reviewed"),
		atPath(`^`+personaPath+`$`),
		see("body", "marked reviewed today"),
		count("dd.overdue", 0),
		count("details#review-mark[open]", 0))
	b.step("it left the Overdue filter",
		m.open(home+"?review=overdue"),
		present("#filter-review-overdue:checked", 1),
		count(card(name), 0),
		until("the Overdue count went down", `(was) => {
			const n = document.querySelector("label.review-chip:has(#filter-review-overdue) .chip-n").textContent.trim();
			return Number(n) === Number(was) - 1 ? "" : "the Overdue chip counts " + n + ", was " + was;
		}`, overdueCount))
	b.step("the history shows the review",
		m.open(personaPath+"/history"),
		see("#reviews", note),
		see("#reviews", "Reviewed by"))

	// The next digest no longer lists it (and still lists the others).
	after := m.nextDigest(t, m.email)
	if strings.Contains(after.Text, name) || strings.Contains(after.HTML, name) {
		t.Errorf("the digest after the review still lists %s:\n%s", name, after.Text)
	}
	if !strings.Contains(after.Text, "overdue since") {
		t.Errorf("the digest after the review lists no other overdue persona:\n%s", after.Text)
	}
}
