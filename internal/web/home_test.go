package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/store"
)

// cardText is the text of the home page card of the persona named name
// ("" when there is none), tags stripped and spaces squeezed.
func cardText(body, name string) string {
	i := strings.Index(body, `data-persona="`+html.EscapeString(name)+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<a ")
	end := strings.Index(body[i:], "</a>")
	return textOf(body[start : i+end])
}

var tags = regexp.MustCompile(`<[^>]*>`)

func textOf(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(s, " "))), " ")
}

// section returns the HTML of the element with the id, up to its closing
// tag of the same name.
func section(body, id, tag string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(body[i:], "</"+tag+">")
	return body[i : i+end]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Every card says what the persona's own pages say: its evidence coverage
// (the evidence page's numbers), its customer variants (the persona page's
// list) and its alignment (the alignment page's divergences and
// contradicted claims, summed over the pairs it is in).
func TestHomeCardsAgreeWithThePersonaAndAlignmentPages(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	actor := e.actor(e.owner)
	page, err := e.svc.ListPersonas(ctx, actor, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ variants, divergences, contradicted, pairs int }
	wants := map[string]*want{}
	for _, p := range page.Items {
		wants[p.ID] = &want{}
	}
	for _, p := range page.Items {
		if p.ProfileType != persona.ProfileMarketing {
			continue
		}
		a, err := e.svc.AlignmentOf(ctx, actor, e.org, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range a.Users {
			for _, id := range []string{p.ID, u.User.ID} {
				wants[id].pairs++
				wants[id].divergences += u.Tally.Divergences
				wants[id].contradicted += u.Tally.Contradicted
			}
		}
	}
	body := e.signedIn(e.viewer).get("/o/"+e.org).must(t, 200).Body
	sawBacked, sawVariants, sawDivergence, sawAligned := false, false, false, false
	for _, p := range page.Items {
		w := wants[p.ID]
		text := cardText(body, p.Name)
		if text == "" {
			t.Fatalf("no card for %s", p.Name)
		}
		ev, err := e.svc.PersonaEvidence(ctx, actor, e.org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		cov := fmt.Sprintf("%d of %s backed", ev.Coverage.Backed, plural(ev.Coverage.Filled, "field", "fields"))
		if !strings.Contains(text, cov) {
			t.Errorf("%s: card %q lacks %q", p.Name, text, cov)
		}
		sawBacked = sawBacked || ev.Coverage.Backed > 0
		var variants string
		if p.ProfileType == persona.ProfileArchetype {
			cv, err := e.svc.CustomerVariants(ctx, actor, e.org, p.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			variants = plural(len(cv), "persona variant", "persona variants")
			sawVariants = sawVariants || len(cv) > 0
		} else {
			vs, err := e.svc.ListVariants(ctx, actor, e.org, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			variants = plural(len(vs), "variant", "variants")
			sawVariants = sawVariants || len(vs) > 0
		}
		if !strings.Contains(text, variants) {
			t.Errorf("%s: card %q lacks %q", p.Name, text, variants)
		}
		switch {
		case w.pairs == 0:
			if strings.Contains(text, "Aligned") || strings.Contains(text, "divergence") {
				t.Errorf("%s is linked to nobody, yet its card reads %q", p.Name, text)
			}
		case w.divergences == 0 && w.contradicted == 0:
			sawAligned = true
			if !strings.Contains(text, "Aligned") {
				t.Errorf("%s: card %q does not say Aligned", p.Name, text)
			}
		default:
			sawDivergence = true
			var parts []string
			if w.divergences > 0 {
				parts = append(parts, plural(w.divergences, "divergence", "divergences"))
			}
			if w.contradicted > 0 {
				parts = append(parts, plural(w.contradicted, "claim contradicted", "claims contradicted"))
			}
			if s := strings.Join(parts, " · "); !strings.Contains(text, s) {
				t.Errorf("%s: card %q lacks %q", p.Name, text, s)
			}
		}
	}
	if !sawBacked || !sawVariants || !sawDivergence {
		t.Errorf("the demo should show backed fields (%v), variants (%v) and divergences (%v) somewhere", sawBacked, sawVariants, sawDivergence)
	}
	// The demo's System Lead, as the one-pager shows it.
	if text := cardText(body, "System Lead"); !strings.Contains(text, "Reconciliation System") || !strings.Contains(text, "2 variants") {
		t.Errorf("System Lead's card: %q", text)
	}
	if strings.Contains(body, "1 divergences") || strings.Contains(body, "1 variants") || strings.Contains(body, " 1 fields") {
		t.Error("a wrong plural on the home page")
	}
	_ = sawAligned
}

// "Recently changed" lists the latest edits with who and what, newest
// first; "Review overdue" the personas whose review is overdue, longest
// overdue first, with their owner; each entry is a link.
func TestHomeListsRecentChangesAndOverdueReviews(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	actor := e.actor(e.owner)
	page, err := e.svc.ListPersonas(ctx, actor, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	var edited persona.Persona
	var overdue []persona.Persona
	now := time.Now()
	for _, p := range page.Items {
		if p.Name == "Branch Manager" {
			edited = p
		}
		if p.ReviewOverdue(now) {
			overdue = append(overdue, p)
		}
	}
	if len(overdue) < 6 {
		t.Fatalf("the demo has %d overdue reviews; the test wants more than the list shows", len(overdue))
	}
	// Branch Manager is overdue; editing its summary does not review it.
	time.Sleep(10 * time.Millisecond)
	in := app.PersonaInput{Name: edited.Name, Summary: edited.Summary + " Two branches merged.", GroupID: edited.GroupID,
		Status: edited.Status, Values: edited.Values, Dimensions: edited.Dimensions, LastReviewedOn: edited.LastReviewedOn,
		ReviewIntervalDays: edited.ReviewIntervalDays, Message: "Noted the branch merger"}
	if _, err := e.svc.UpdatePersona(ctx, actor, e.org, edited.ID, edited.Revision, in); err != nil {
		t.Fatal(err)
	}

	body := e.signedIn(e.viewer).get("/o/"+e.org).must(t, 200).Body
	recent := section(body, "recently-changed", "section")
	items := regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(recent, -1)
	if len(items) != 5 {
		t.Fatalf("Recently changed holds %d entries, want 5:\n%s", len(items), recent)
	}
	first := textOf(items[0])
	for _, w := range []string{"Branch Manager", "Noted the branch merger", "Dana Demo", "just now"} {
		if !strings.Contains(first, w) {
			t.Errorf("the newest change reads %q, want %q in it", first, w)
		}
	}
	if !strings.Contains(items[0], `href="/o/`+e.org+`/personas/`+edited.ID+`/history"`) {
		t.Errorf("the newest change does not link to the persona's history: %s", items[0])
	}

	od := section(body, "review-overdue", "section")
	entries := regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(od, -1)
	if len(entries) != 5 {
		t.Fatalf("Review overdue holds %d entries, want 5:\n%s", len(entries), od)
	}
	var longest persona.Persona
	for _, p := range overdue {
		if longest.ID == "" || p.ReviewDue().Before(longest.ReviewDue()) {
			longest = p
		}
	}
	text := textOf(entries[0])
	for _, w := range []string{longest.Name, "Owner: Dana Demo", "Due " + longest.ReviewDue().Format("2 Jan 2006")} {
		if !strings.Contains(text, w) {
			t.Errorf("the longest overdue entry reads %q, want %q in it", text, w)
		}
	}
	if !strings.Contains(entries[0], `href="/o/`+e.org+`/personas/`+longest.ID+`"`) {
		t.Errorf("the entry does not link to the persona: %s", entries[0])
	}
	if want := fmt.Sprintf(`All %d overdue`, len(overdue)); !strings.Contains(od, want) || !strings.Contains(od, `href="/o/`+e.org+`?review=overdue"`) {
		t.Errorf("Review overdue lacks the link %q to all of them:\n%s", want, od)
	}
}

// The filters are a plain GET form: its values are in the address (so a
// view can be shared) and the page shows only what matches; the Apply
// button stays for browsers without the script.
func TestHomeFiltersByAddress(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	all := b.get("/o/"+e.org).must(t, 200).Body
	if !strings.Contains(all, `id="apply-filters"`) || !strings.Contains(all, `method="get"`) {
		t.Error("the filter form has no Apply button for browsers without the script")
	}
	cards := regexp.MustCompile(`class="card persona-card hub-card t-([a-z]+)"`)
	if n := len(cards.FindAllString(all, -1)); n != 15 {
		t.Fatalf("the demo home shows %d cards, want 15", n)
	}

	arch := b.get("/o/"+e.org+"?type=archetype").must(t, 200).Body
	got := cards.FindAllStringSubmatch(arch, -1)
	if len(got) != 3 {
		t.Errorf("?type=archetype shows %d cards, want 3", len(got))
	}
	for _, m := range got {
		if m[1] != "archetype" {
			t.Errorf("?type=archetype shows a %s card", m[1])
		}
	}
	if !strings.Contains(arch, `<option value="archetype" selected>`) || !strings.Contains(arch, "match the filters") {
		t.Error("the filtered page does not show its filter as chosen")
	}

	od := b.get("/o/"+e.org+"?overdue=1").must(t, 200).Body
	n := len(cards.FindAllString(od, -1))
	if n != 6 || strings.Count(od, `class="review-due"`) != n {
		t.Errorf("?overdue=1 shows %d cards, %d of them overdue; want the 6 overdue", n, strings.Count(od, `class="review-due"`))
	}
	if !strings.Contains(od, `name="review" value="overdue" id="filter-review-overdue" checked`) {
		t.Error("the Overdue review filter is not chosen on ?overdue=1 (the earlier box's address)")
	}

	both := b.get("/o/"+e.org+"?type=archetype&overdue=1").must(t, 200).Body
	if got := cards.FindAllString(both, -1); len(got) != 1 || cardText(both, "Regional Savings Bank") == "" {
		t.Errorf("archetypes overdue: %d cards, want Regional Savings Bank alone", len(got))
	}

	found := b.get("/o/"+e.org+"?q=SAVINGS+bank").must(t, 200).Body
	if got := cards.FindAllString(found, -1); len(got) != 1 || cardText(found, "Regional Savings Bank") == "" {
		t.Errorf("?q=SAVINGS bank: %d cards, want Regional Savings Bank alone", len(got))
	}
	if !strings.Contains(found, `value="SAVINGS bank"`) {
		t.Error("the Find box does not keep its text")
	}
	role := b.get("/o/"+e.org+"?q=batch+operator").must(t, 200).Body
	if cardText(role, "Mainframe Batch Operator") == "" || cardText(role, "System Lead") != "" {
		t.Error("?q=batch operator does not find the Mainframe Batch Operator alone")
	}
	if p := b.get("/o/" + e.org + "?q=" + strings.Repeat("x", 201)); p.Status != 422 && p.Status != 400 {
		t.Errorf("a 201-character Find answers %d", p.Status)
	}

	groups := e.demoGroups()
	one := b.get("/o/"+e.org+"?group="+groups[0]).must(t, 200).Body
	if strings.Count(one, `<section class="group"`) != 1 {
		t.Errorf("?group= shows %d groups", strings.Count(one, `<section class="group"`))
	}
	if p := b.get("/o/" + e.org + "?type=robot"); p.Status < 400 || p.Status >= 500 {
		t.Errorf("an unknown type answers %d", p.Status)
	}
}

// countingStore counts the store reads that could be made once per
// persona.
type countingStore struct {
	app.Store
	mu sync.Mutex
	n  map[string]int
}

func (c *countingStore) count(name string) {
	c.mu.Lock()
	c.n[name]++
	c.mu.Unlock()
}

func (c *countingStore) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

func (c *countingStore) GetPersona(ctx context.Context, orgID, id string) (persona.Persona, error) {
	c.count("GetPersona")
	return c.Store.GetPersona(ctx, orgID, id)
}
func (c *countingStore) GetPersonas(ctx context.Context, orgID string, ids []string) ([]persona.Persona, error) {
	c.count("GetPersonas")
	return c.Store.GetPersonas(ctx, orgID, ids)
}
func (c *countingStore) ListPersonas(ctx context.Context, orgID string, f persona.PersonaFilter) ([]persona.Persona, error) {
	c.count("ListPersonas")
	return c.Store.ListPersonas(ctx, orgID, f)
}
func (c *countingStore) GetVersion(ctx context.Context, orgID, templateID string, version int) (persona.TemplateVersion, error) {
	c.count("GetVersion")
	return c.Store.GetVersion(ctx, orgID, templateID, version)
}
func (c *countingStore) ListVariants(ctx context.Context, orgID, personaID string) ([]persona.Variant, error) {
	c.count("ListVariants")
	return c.Store.ListVariants(ctx, orgID, personaID)
}
func (c *countingStore) ListVariantsForCustomer(ctx context.Context, orgID, customerID string) ([]persona.Variant, error) {
	c.count("ListVariantsForCustomer")
	return c.Store.ListVariantsForCustomer(ctx, orgID, customerID)
}
func (c *countingStore) GetVariant(ctx context.Context, orgID, id string) (persona.Variant, error) {
	c.count("GetVariant")
	return c.Store.GetVariant(ctx, orgID, id)
}
func (c *countingStore) ListEvidenceLinks(ctx context.Context, orgID string, f persona.EvidenceLinkFilter) ([]persona.EvidenceLink, error) {
	c.count("ListEvidenceLinks")
	return c.Store.ListEvidenceLinks(ctx, orgID, f)
}
func (c *countingStore) ListAlignmentLinks(ctx context.Context, orgID, personaID string) ([]persona.AlignmentLink, error) {
	c.count("ListAlignmentLinks")
	return c.Store.ListAlignmentLinks(ctx, orgID, personaID)
}
func (c *countingStore) ListClaimMappings(ctx context.Context, orgID, buyerID string) ([]persona.ClaimMapping, error) {
	c.count("ListClaimMappings")
	return c.Store.ListClaimMappings(ctx, orgID, buyerID)
}
func (c *countingStore) ListRevisions(ctx context.Context, orgID, personaID string) ([]persona.Revision, error) {
	c.count("ListRevisions")
	return c.Store.ListRevisions(ctx, orgID, personaID)
}
func (c *countingStore) GetRevision(ctx context.Context, orgID, personaID string, number int) (persona.Revision, error) {
	c.count("GetRevision")
	return c.Store.GetRevision(ctx, orgID, personaID, number)
}
func (c *countingStore) ListMembers(ctx context.Context, orgID string) ([]persona.Member, error) {
	c.count("ListMembers")
	return c.Store.ListMembers(ctx, orgID)
}
func (c *countingStore) UserByID(ctx context.Context, id string) (persona.User, error) {
	c.count("UserByID")
	return c.Store.UserByID(ctx, id)
}
func (c *countingStore) GetMember(ctx context.Context, orgID, userID string) (persona.Member, error) {
	c.count("GetMember")
	return c.Store.GetMember(ctx, orgID, userID)
}
func (c *countingStore) VariantCounts(ctx context.Context, orgID string) (map[string]int, map[string]int, error) {
	c.count("VariantCounts")
	return c.Store.VariantCounts(ctx, orgID)
}
func (c *countingStore) PersonaEvidenceLinks(ctx context.Context, orgID string) ([]persona.EvidenceLink, error) {
	c.count("PersonaEvidenceLinks")
	return c.Store.PersonaEvidenceLinks(ctx, orgID)
}
func (c *countingStore) LatestRevisions(ctx context.Context, orgID string, ids []string) (map[string]persona.Revision, error) {
	c.count("LatestRevisions")
	return c.Store.LatestRevisions(ctx, orgID, ids)
}

func total(n map[string]int) int {
	t := 0
	for _, v := range n {
		t += v
	}
	return t
}

// The home page reads the same number of times for the demo's 15 personas
// as for 75: its cards' glances are worked out in a few batch queries, not
// one (or several) per persona.
func TestHomeReadsDoNotGrowWithThePersonas(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cs := &countingStore{Store: db, n: map[string]int{}}
	svc := app.New(cs, app.WithLogger(log), app.WithPasswordHasher(cheapHasher))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(svc, db, log)
	if err != nil {
		t.Fatal(err)
	}
	e := &webEnv{t: t, svc: svc, org: creds.OrgSlug, owner: account{creds.Email, creds.Password}}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	b := e.signedIn(e.owner)
	home := "/o/" + e.org

	b.get(home).must(t, 200) // warm the template version cache
	cs.reset()
	b.get(home).must(t, 200)
	small := cs.reset()

	// 60 more UX personas, each with a variant for Big Bank and an
	// evidence link, and linked to the buyer.
	actor := e.actor(e.owner)
	page, err := svc.ListPersonas(ctx, actor, e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	var lead, bank, buyer persona.Persona
	for _, p := range page.Items {
		switch p.Name {
		case "System Lead":
			lead = p
		case "Big Bank":
			bank = p
		case "Head of Operations (buyer)":
			buyer = p
		}
	}
	ev, err := svc.ListEvidence(ctx, actor, e.org, persona.EvidenceFilter{}, "")
	if err != nil || len(ev.Items) == 0 {
		t.Fatalf("demo evidence: %v (%d)", err, len(ev.Items))
	}
	for i := range 60 {
		p, err := svc.CreatePersona(ctx, actor, e.org, app.PersonaInput{Name: fmt.Sprintf("Clone %02d", i), TemplateID: lead.TemplateID,
			GroupID: lead.GroupID, Status: persona.StatusDraft, Values: lead.Values, Dimensions: lead.Dimensions})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateVariant(ctx, actor, e.org, p.ID, app.VariantInput{CustomerID: bank.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.LinkEvidence(ctx, actor, e.org, ev.Items[0].ID, app.EvidenceLinkInput{PersonaID: p.ID, Field: "values.role_title", Stance: persona.StanceSupports}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.LinkPersonas(ctx, actor, e.org, buyer.ID, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	b.get(home).must(t, 200)
	cs.reset()
	body := b.get(home).must(t, 200).Body
	large := cs.reset()
	if !strings.Contains(cardText(body, "Clone 07"), "1 variant") || !strings.Contains(cardText(body, "Clone 07"), "1 of ") {
		t.Errorf("a clone's card: %q", cardText(body, "Clone 07"))
	}
	t.Logf("store reads for the home page: 15 personas %v (%d), 75 personas %v (%d)", small, total(small), large, total(large))
	if total(large) != total(small) {
		t.Errorf("the home page reads %d times for 15 personas and %d times for 75", total(small), total(large))
	}
	if total(large) > 15 {
		t.Errorf("the home page reads %d times", total(large))
	}
}

// A group's page shows the same cards as the home page, glances and all,
// and the groups page each group's description and faces.
func TestGroupPagesShowTheHubCards(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.viewer)
	home := b.get("/o/"+e.org).must(t, 200).Body
	groups, err := e.svc.ListGroups(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		t.Fatal(err)
	}
	var users persona.Group
	for _, g := range groups {
		if g.Name == "Product users" {
			users = g
		}
	}
	page := b.get("/o/"+e.org+"/groups/"+users.ID).must(t, 200).Body
	for _, name := range []string{"System Lead", "Compliance Analyst", "Branch Manager"} {
		if got, want := cardText(page, name), cardText(home, name); got == "" || got != want {
			t.Errorf("%s on the group page: %q; on the home page: %q", name, got, want)
		}
	}
	list := b.get("/o/"+e.org+"/groups").must(t, 200).Body
	row := textOf(section(list, "group-"+users.ID, "li"))
	if !strings.Contains(row, users.Description) || !strings.Contains(row, "6 personas") {
		t.Errorf("the Product users row reads %q", row)
	}
	if !strings.Contains(section(list, "group-"+users.ID, "li"), `<span class="visually-hidden">Open Product users: System Lead`) {
		t.Error("the Product users row has no avatar stack naming its personas")
	}
}
