package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// builderForm is the builder's form for a definition, as a browser would
// post it (the inverse of the page's inputs).
func builderForm(name, description string, def persona.Definition) url.Values {
	v := url.Values{"name": {name}, "description": {description}}
	for i, s := range def.Sections {
		p := "s." + strconv.Itoa(i) + "."
		v.Set(p+"key", s.Key)
		v.Set(p+"label", s.Label)
		v.Set(p+"help", s.Help)
		for t, l := range s.Labels {
			v.Set(p+"labels."+string(t), l)
		}
		for j, f := range s.Fields {
			fp := p + "f." + strconv.Itoa(j) + "."
			v.Set(fp+"key", f.Key)
			v.Set(fp+"label", f.Label)
			v.Set(fp+"help", f.Help)
			v.Set(fp+"kind", string(f.Kind))
			if f.Required {
				v.Set(fp+"required", "1")
			}
			if f.Sensitive {
				v.Set(fp+"sensitive", "1")
			}
			if f.MaxLength != 0 {
				v.Set(fp+"max_length", strconv.Itoa(f.MaxLength))
			}
			if f.Min != nil {
				v.Set(fp+"min", strconv.FormatFloat(*f.Min, 'f', -1, 64))
			}
			if f.Max != nil {
				v.Set(fp+"max", strconv.FormatFloat(*f.Max, 'f', -1, 64))
			}
			v.Set(fp+"low_label", f.LowLabel)
			v.Set(fp+"high_label", f.HighLabel)
			v.Set(fp+"options", strings.Join(f.Options, "\n"))
			if f.Multiple {
				v.Set(fp+"multiple", "1")
			}
			for _, t := range f.ProfileTypes {
				v.Add(fp+"types", string(t))
			}
		}
	}
	for i, d := range def.Dimensions {
		p := "d." + strconv.Itoa(i) + "."
		v.Set(p+"key", d.Key)
		v.Set(p+"label", d.Label)
		v.Set(p+"help", d.Help)
		v.Set(p+"kind", string(d.Kind))
		if d.Kind == persona.DimensionScale {
			v.Set(p+"min", strconv.Itoa(d.Min))
			v.Set(p+"max", strconv.Itoa(d.Max))
		}
		v.Set(p+"low_label", d.LowLabel)
		v.Set(p+"high_label", d.HighLabel)
		v.Set(p+"options", strings.Join(d.Options, "\n"))
	}
	return v
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func (e *webEnv) template(id string) persona.Template {
	e.t.Helper()
	t, err := e.svc.GetTemplate(context.Background(), e.actor(e.owner), e.org, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

// builderEditor adds an editor to the demo organisation.
func (e *webEnv) builderEditor() account {
	e.t.Helper()
	a := account{"builder-editor@example.com", "editor-password-1"}
	if _, err := e.svc.CreateUser(context.Background(), a.Email, "Eddie Editor", a.Password); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.AddMember(context.Background(), app.System, e.org, a.Email, persona.RoleEditor); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// elementText returns the text of the element with the given id (first
// match, no nesting of the same tag).
func elementText(body, id string) string {
	re := regexp.MustCompile(`(?s)<(\w+)[^>]* id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</(\w+)>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[2]
}

func TestBuilderCreatesEditsAndPublishesATemplate(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org

	list := b.get(org+"/templates").must(t, http.StatusOK)
	if !strings.Contains(list.Body, `id="new-template-form"`) || !strings.Contains(list.Body, `data-template="UX persona"`) {
		t.Fatalf("template list lacks the create form or the starter templates:\n%s", list.Body)
	}

	created := b.post(org+"/templates", url.Values{"name": {"Churn risk"}, "profile_type": {"archetype"}, "description": {"Why accounts leave"}}).must(t, http.StatusOK)
	if !regexp.MustCompile(`^`+org+`/templates/[^/?]+$`).MatchString(created.URL) || !strings.Contains(created.Body, `id="builder-form"`) {
		t.Fatalf("after create: at %s\n%s", created.URL, created.Body)
	}
	if !strings.Contains(created.Body, "Template created.") {
		t.Error("no flash after creating the template")
	}
	base := created.URL
	id := base[strings.LastIndex(base, "/")+1:]

	// Add a field to the starting section: a placeholder field appears,
	// focused, and is saved at once.
	form := builderForm("Churn risk", "Why accounts leave", e.template(id).Draft)
	p := b.post(base, with(form, "op", "add-field:0")).must(t, http.StatusOK)
	if !strings.Contains(p.URL, "focus=s0-f0-label") || !regexp.MustCompile(`id="s0-f0-label" name="s.0.f.0.label" value="New field"[^>]*autofocus`).MatchString(p.Body) {
		t.Fatalf("added field not shown focused at %s\n%s", p.URL, p.Body)
	}
	if got := e.template(id).Draft.Sections[0].Fields; len(got) != 1 || got[0].Key != "new_field" {
		t.Fatalf("draft after add-field: %+v", got)
	}

	// Name the field (its placeholder key follows the label), make it a
	// required, sensitive choice, and add a dimension in the same post.
	form = with(builderForm("Churn risk", "Why accounts leave", e.template(id).Draft),
		"s.0.label", "Signals", "s.0.labels.archetype", "Churn signals",
		"s.0.f.0.label", "Main reason", "s.0.f.0.kind", "choice", "s.0.f.0.required", "1", "s.0.f.0.sensitive", "1",
		"s.0.f.0.options", "Price\n\n Support \nMissing features", "s.0.f.0.help", "As the customer put it",
		"s.0.f.0.min", "3", // not a setting of choices: dropped
		"op", "add-dimension")
	b.post(base, form).must(t, http.StatusOK)
	form = with(builderForm("Churn risk", "Why accounts leave", e.template(id).Draft),
		"d.0.label", "Risk of leaving", "d.0.key", "churn_risk", "d.0.low_label", "Safe", "d.0.high_label", "Leaving",
		"d.0.min", "1", "d.0.max", "10", "op", "save")
	b.post(base, form).must(t, http.StatusOK)

	pub := b.post(base+"/publish", url.Values{}).must(t, http.StatusOK)
	if pub.URL != base || !strings.Contains(pub.Body, "Published version 1.") {
		t.Fatalf("after publish at %s:\n%s", pub.URL, pub.Body)
	}
	v1, err := e.svc.GetVersion(context.Background(), e.actor(e.owner), e.org, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := persona.Definition{
		Sections: []persona.Section{{Key: "profile", Label: "Signals", Labels: map[persona.ProfileType]string{persona.ProfileArchetype: "Churn signals"},
			Fields: []persona.Field{{Key: "main_reason", Label: "Main reason", Help: "As the customer put it", Kind: persona.KindChoice,
				Required: true, Sensitive: true, Options: []string{"Price", "Support", "Missing features"}}}}},
		Dimensions: []persona.Dimension{{Key: "churn_risk", Label: "Risk of leaving", Kind: persona.DimensionScale, Min: 1, Max: 10,
			LowLabel: "Safe", HighLabel: "Leaving"}},
	}
	if diff := cmp.Diff(want, v1.Definition); diff != "" {
		t.Fatalf("version 1 (-want +got):\n%s", diff)
	}

	// Publishing again without changes is refused, politely, on the builder.
	again := b.post(base+"/publish", url.Values{}).must(t, http.StatusConflict)
	if msg := elementText(again.Body, "publish-refused"); !strings.Contains(msg, "no changes since version 1") || !strings.Contains(again.Body, `id="builder-form"`) {
		t.Fatalf("409 message %q\n%s", msg, again.Body)
	}
	// The list shows it published, up to date; the preview shows the inputs.
	list = b.get(org+"/templates").must(t, http.StatusOK)
	card := regexp.MustCompile(`(?s)<li class="tpl-card[^"]*" data-template="Churn risk">.*?</li>\s*(?:<li|</ul>)`).FindString(list.Body)
	if !strings.Contains(card, ">v1<") || !strings.Contains(card, "Up to date") || !strings.Contains(card, "Customer archetype") {
		t.Fatalf("list card: %s", card)
	}
	pv := b.get(base+"/preview?version=1").must(t, http.StatusOK)
	if !strings.Contains(pv.Body, "<legend>Churn signals</legend>") || !regexp.MustCompile(`<select id="v-main_reason"`).MatchString(pv.Body) ||
		!strings.Contains(pv.Body, "<fieldset disabled") || !strings.Contains(pv.Body, `id="d-churn_risk"`) {
		t.Fatalf("preview lacks the inputs:\n%s", pv.Body)
	}
}

func TestBuilderRefusesAnInvalidDraftAndKeepsTheInput(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	ts, err := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org)
	if err != nil || len(ts) == 0 {
		t.Fatal(ts, err)
	}
	tm := ts[0]
	base := "/o/" + e.org + "/templates/" + tm.ID
	def := tm.Draft
	if len(def.Sections) < 2 || len(def.Sections[0].Fields) < 2 {
		t.Fatalf("starter template too small: %+v", def)
	}
	dup := def.Sections[0].Fields[0].Key
	form := with(builderForm(tm.Name, tm.Description, def),
		"s.0.f.1.key", dup, "s.1.label", "  ", "s.0.f.1.help", "typed by the user", "op", "add-section")
	p := b.post(base, form).must(t, http.StatusUnprocessableEntity)

	if msg := elementText(p.Body, "s0-f1-key-error"); !strings.Contains(msg, "already uses the key") || !strings.Contains(msg, dup) {
		t.Errorf("duplicate key message next to the input = %q", msg)
	}
	if !regexp.MustCompile(`id="s0-f1-key"[^>]*aria-describedby="b-keys-note s0-f1-key-error"[^>]*aria-invalid="true"`).MatchString(p.Body) {
		t.Error("the duplicate key input is not marked invalid")
	}
	// The rows with problems are open, and say so when closed; the others are closed.
	for _, id := range []string{"s0-f1-edit", "s1-edit"} {
		if !strings.Contains(p.Body, `id="`+id+`" open>`) {
			t.Errorf("the row %s with a problem is not open", id)
		}
	}
	if strings.Contains(p.Body, `id="s0-f0-edit" open>`) {
		t.Error("a row without problems is open")
	}
	if !regexp.MustCompile(`(?s)id="s0-f1-edit".*?<span class="b-pill b-bad">1 problem</span>.*?</summary>`).MatchString(p.Body) {
		t.Error("the field's row does not count its problem")
	}
	if msg := elementText(p.Body, "s1-label-error"); msg != "Label is required." {
		t.Errorf("empty label message = %q", msg)
	}
	if !strings.Contains(elementText(p.Body, "builder-errors"), "Nothing was saved") {
		t.Error("no summary of the problems")
	}
	// What the user typed is still there, and the added section too.
	if !strings.Contains(p.Body, `value="typed by the user"`) || !strings.Contains(p.Body, `name="s.`+strconv.Itoa(len(def.Sections))+`.label" value="New section"`) {
		t.Error("the form lost the user's input")
	}
	after := e.template(tm.ID)
	if !after.DraftUpdatedAt.Equal(tm.DraftUpdatedAt) || !cmp.Equal(after.Draft, tm.Draft) {
		t.Fatal("an invalid draft was saved")
	}

	// A number the form cannot read and a scale without a range.
	form = with(builderForm(tm.Name, tm.Description, def), "s.0.f.0.kind", "number", "s.0.f.0.min", "lots", "op", "save")
	p = b.post(base, form).must(t, http.StatusUnprocessableEntity)
	if msg := elementText(p.Body, "s0-f0-min-error"); msg != "Minimum must be a number." {
		t.Errorf("bad number message = %q", msg)
	}
	// Publishing with an invalid form publishes nothing.
	form = with(builderForm(tm.Name, tm.Description, def), "name", "", "op", "publish")
	p = b.post(base+"/publish", form).must(t, http.StatusUnprocessableEntity)
	if elementText(p.Body, "t-name-error") != "Name is required." || !strings.Contains(p.Body, `id="publish-refused"`) {
		t.Errorf("publish with an invalid form:\n%s", p.Body)
	}
	if e.template(tm.ID).LatestVersion != tm.LatestVersion {
		t.Fatal("an invalid form was published")
	}
}

func TestBuilderRolesAndOutsiders(t *testing.T) {
	e := newWebEnv(t)
	ts, err := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		t.Fatal(err)
	}
	tm := ts[0]
	org := "/o/" + e.org
	base := org + "/templates/" + tm.ID
	editor := e.builderEditor()

	for _, who := range []account{e.viewer, editor} {
		b := e.signedIn(who)
		list := b.get(org+"/templates").must(t, http.StatusOK)
		if strings.Contains(list.Body, `id="new-template-form"`) {
			t.Errorf("%s sees the create form", who.Email)
		}
		page := b.get(base).must(t, http.StatusOK)
		if !strings.Contains(page.Body, `id="read-only"`) || strings.Contains(page.Body, `id="save-draft"`) {
			t.Errorf("%s gets an editable builder", who.Email)
		}
		b.post(org+"/templates", url.Values{"name": {"Mine"}, "profile_type": {"ux"}}).must(t, http.StatusForbidden)
		b.post(base+"/publish", url.Values{}).must(t, http.StatusForbidden)
		b.post(base, with(builderForm("Renamed", "", tm.Draft), "op", "save")).must(t, http.StatusForbidden)
		b.get(base+"/versions").must(t, http.StatusOK)
	}
	after := e.template(tm.ID)
	if after.Name != tm.Name || after.LatestVersion != tm.LatestVersion {
		t.Fatalf("a non-admin changed the template: %+v", after)
	}
	n := len(ts)
	if ts2, _ := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org); len(ts2) != n {
		t.Fatal("a non-admin created a template")
	}

	out := e.signedIn(e.outsider)
	for _, path := range []string{org + "/templates", base, base + "/versions", base + "/preview"} {
		out.get(path).must(t, http.StatusNotFound)
	}
	out.post(base+"/publish", url.Values{}).must(t, http.StatusNotFound)
	// Someone else's template looks missing from the outsider's own
	// organisation too.
	out.get("/o/"+e.otherOrg+"/templates/"+tm.ID).must(t, http.StatusNotFound)
}

func TestBuilderUpgradePreviewAndConfirm(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	b := e.signedIn(e.owner)

	def := persona.Definition{
		Sections: []persona.Section{{Key: "basics", Label: "Basics", Fields: []persona.Field{
			{Key: "goal", Label: "Goal", Kind: persona.KindText},
			{Key: "budget", Label: "Yearly budget", Kind: persona.KindNumber},
		}}},
		Dimensions: []persona.Dimension{{Key: "maturity", Label: "Maturity", Kind: persona.DimensionScale, Min: 1, Max: 5}},
	}
	tm, err := e.svc.CreateTemplate(ctx, owner, e.org, app.TemplateInput{Name: "Buyer", ProfileType: persona.ProfileMarketing, Definition: &def})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(ctx, owner, e.org, tm.ID); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.CreatePersona(ctx, owner, e.org, app.PersonaInput{Name: "Budget Betty", GroupID: e.demoGroups()[0], TemplateID: tm.ID,
		Values: persona.Values{"goal": "Cut costs", "budget": 4200.0}})
	if err != nil {
		t.Fatal(err)
	}

	// Version 2 drops the budget field, through the builder.
	base := "/o/" + e.org + "/templates/" + tm.ID
	form := builderForm("Buyer", "", e.template(tm.ID).Draft)
	page := b.post(base, with(form, "op", "remove:s.0.f.1")).must(t, http.StatusOK)
	if !strings.Contains(elementText(page.Body, "draft-changes-h"), "Changes since version 1") || !regexp.MustCompile(`(?s)Removed</span>\s*Yearly budget <code>budget</code>`).MatchString(page.Body) {
		t.Fatalf("builder does not warn about the removed published field:\n%s", page.Body)
	}
	b.post(base+"/publish", url.Values{}).must(t, http.StatusOK)

	versions := b.get(base+"/versions").must(t, http.StatusOK)
	upgradeLink := base + "/upgrade?persona=" + p.ID
	if !strings.Contains(versions.Body, `data-persona="Budget Betty"`) || !strings.Contains(versions.Body, upgradeLink) {
		t.Fatalf("versions page lacks the persona behind:\n%s", versions.Body)
	}
	if !strings.Contains(versions.Body, `data-version="2"`) || !strings.Contains(versions.Body, `data-personas="1"`) {
		t.Error("versions page lacks version 2 or the persona count of version 1")
	}

	preview := b.get(upgradeLink).must(t, http.StatusOK)
	retired := regexp.MustCompile(`(?s)<div class="field" data-retired="budget">.*?</div>`).FindString(preview.Body)
	if !strings.Contains(retired, "Yearly budget") || !strings.Contains(retired, "4200") {
		t.Fatalf("preview does not show the retired value: %q\n%s", retired, preview.Body)
	}
	if !strings.Contains(preview.Body, `name="revision" value="1"`) || !strings.Contains(preview.Body, `id="confirm-upgrade"`) {
		t.Fatal("preview lacks the confirmation form")
	}
	if got, _ := e.svc.GetPersona(ctx, owner, e.org, p.ID); got.TemplateVersion != 1 || got.Revision != 1 {
		t.Fatal("the preview changed the persona")
	}

	// Someone edits the persona after the preview: the stale confirmation
	// is refused with a fresh preview.
	cur, _ := e.svc.GetPersona(ctx, owner, e.org, p.ID)
	if _, err := e.svc.UpdatePersona(ctx, owner, e.org, p.ID, cur.Revision, app.PersonaInput{Name: cur.Name, GroupID: cur.GroupID,
		Status: cur.Status, Values: persona.Values{"goal": "Cut costs fast", "budget": 4200.0}}); err != nil {
		t.Fatal(err)
	}
	confirm := url.Values{"persona": {p.ID}, "revision": {"1"}, "to_version": {"2"}, "op": {"confirm"}}
	stale := b.post(base+"/upgrade", confirm).must(t, http.StatusPreconditionFailed)
	if msg := elementText(stale.Body, "upgrade-conflict"); !strings.Contains(msg, "changed meanwhile") || !strings.Contains(stale.Body, `name="revision" value="2"`) {
		t.Fatalf("stale confirmation: %q\n%s", msg, stale.Body)
	}

	done := b.post(base+"/upgrade", with(confirm, "revision", "2")).must(t, http.StatusOK)
	if done.URL != "/o/"+e.org+"/personas/"+p.ID || !strings.Contains(done.Body, "Upgraded to template version 2") {
		t.Fatalf("after the upgrade at %s", done.URL)
	}
	up, err := e.svc.GetPersona(ctx, owner, e.org, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if up.Revision != 3 || up.TemplateVersion != 2 || up.Retired["budget"] != 4200.0 || up.Values["goal"] != "Cut costs fast" {
		t.Fatalf("upgraded persona: revision %d, version %d, values %v, retired %v", up.Revision, up.TemplateVersion, up.Values, up.Retired)
	}
	if _, has := up.Values["budget"]; has {
		t.Fatal("the dropped field kept its value")
	}
	again := b.get(upgradeLink).must(t, http.StatusOK)
	if !strings.Contains(again.Body, `id="upgrade-current"`) {
		t.Error("an up-to-date persona is offered an upgrade")
	}
}

func TestBuilderUpgradeTakesCorrectionsForRefusedValues(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	owner := e.actor(e.owner)
	b := e.signedIn(e.owner)
	def := persona.Definition{Sections: []persona.Section{{Key: "basics", Label: "Basics", Fields: []persona.Field{{Key: "goal", Label: "Goal", Kind: persona.KindText}}}}}
	tm, err := e.svc.CreateTemplate(ctx, owner, e.org, app.TemplateInput{Name: "Agent brief", ProfileType: persona.ProfileAgent, Definition: &def})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(ctx, owner, e.org, tm.ID); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.CreatePersona(ctx, owner, e.org, app.PersonaInput{Name: "Ticket Triage", GroupID: e.demoGroups()[0], TemplateID: tm.ID,
		Values: persona.Values{"goal": "Route tickets"}})
	if err != nil {
		t.Fatal(err)
	}
	// Version 2 adds a required choice, through the builder: a new field
	// gets a placeholder key, which follows its label once it is named.
	base := "/o/" + e.org + "/templates/" + tm.ID
	b.post(base, with(builderForm("Agent brief", "", def), "op", "add-field:0")).must(t, http.StatusOK)
	form := with(builderForm("Agent brief", "", e.template(tm.ID).Draft), "s.0.f.1.label", "Owning team", "s.0.f.1.kind", "choice",
		"s.0.f.1.options", "Finance\nSupport", "s.0.f.1.required", "1", "op", "publish")
	b.post(base+"/publish", form).must(t, http.StatusOK)
	v2, err := e.svc.GetVersion(ctx, owner, e.org, tm.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := v2.Definition.Field("owning_team"); !ok || !f.Required || f.Kind != persona.KindChoice {
		t.Fatalf("version 2: %+v", v2.Definition)
	}

	link := base + "/upgrade?persona=" + p.ID
	preview := b.get(link).must(t, http.StatusOK)
	if !strings.Contains(elementText(preview.Body, "problems-h"), "Values version 2 refuses") || !strings.Contains(preview.Body, `<select id="v-owning_team" name="v.owning_team"`) {
		t.Fatalf("preview does not offer to correct the refused value:\n%s", preview.Body)
	}
	confirm := url.Values{"persona": {p.ID}, "revision": {"1"}, "to_version": {"2"}, "fix": {"owning_team"}, "op": {"confirm"}}
	refused := b.post(base+"/upgrade", confirm).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(refused.Body, `id="v-owning_team-error"`) {
		t.Fatalf("refused upgrade lacks the message next to the input:\n%s", refused.Body)
	}
	if got, _ := e.svc.GetPersona(ctx, owner, e.org, p.ID); got.Revision != 1 {
		t.Fatal("a refused upgrade was saved")
	}
	b.post(base+"/upgrade", with(confirm, "v.owning_team", "Support")).must(t, http.StatusOK)
	up, err := e.svc.GetPersona(ctx, owner, e.org, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if up.TemplateVersion != 2 || up.Revision != 2 || up.Values["owning_team"] != "Support" || up.Values["goal"] != "Route tickets" {
		t.Fatalf("upgraded persona: version %d revision %d values %v", up.TemplateVersion, up.Revision, up.Values)
	}
}

func TestBuilderReordersRemovesAndDerivesKeys(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	ts, err := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org)
	if err != nil {
		t.Fatal(err)
	}
	tm := ts[0]
	base := "/o/" + e.org + "/templates/" + tm.ID
	post := func(kv ...string) page {
		t.Helper()
		cur := e.template(tm.ID)
		return b.post(base, with(builderForm(cur.Name, cur.Description, cur.Draft), kv...)).must(t, http.StatusOK)
	}
	before := tm.Draft
	if len(before.Sections) < 2 || len(before.Dimensions) < 2 {
		t.Fatalf("starter template too small: %+v", before)
	}
	firstOfSecond := before.Sections[1].Fields[0].Key

	// Moving the first field of a section up puts it at the end of the
	// section before; the moved field keeps the focus.
	p := post("op", "move-up:s.1.f.0")
	d := e.template(tm.ID).Draft
	last := d.Sections[0].Fields[len(d.Sections[0].Fields)-1]
	if last.Key != firstOfSecond || len(d.Sections[0].Fields) != len(before.Sections[0].Fields)+1 {
		t.Fatalf("field not moved across sections: %+v", d.Sections[0].Fields)
	}
	if want := "focus=s0-f" + strconv.Itoa(len(d.Sections[0].Fields)-1) + "-move-up"; !strings.Contains(p.URL, want) {
		t.Errorf("focus after the move: %s, want %s", p.URL, want)
	}

	post("op", "move-down:s.0")
	d = e.template(tm.ID).Draft
	if d.Sections[0].Key != before.Sections[1].Key || d.Sections[1].Key != before.Sections[0].Key {
		t.Fatalf("sections not swapped: %s, %s", d.Sections[0].Key, d.Sections[1].Key)
	}

	gone := before.Dimensions[0]
	p = post("op", "remove:d.0")
	d = e.template(tm.ID).Draft
	if len(d.Dimensions) != len(before.Dimensions)-1 || d.Dimensions[0].Key == gone.Key {
		t.Fatalf("dimension not removed: %+v", d.Dimensions)
	}
	if !regexp.MustCompile(`(?s)Removed dimension</span>\s*` + regexp.QuoteMeta(gone.Label)).MatchString(p.Body) {
		t.Error("the builder does not list the removed dimension among the changes")
	}

	// An emptied key comes from the label, made unique.
	post("op", "add-field:0")
	d = e.template(tm.ID).Draft
	n := len(d.Sections[0].Fields) - 1
	taken := d.Sections[0].Fields[0].Key
	post("s.0.f."+strconv.Itoa(n)+".label", "Çà et là: "+taken, "s.0.f."+strconv.Itoa(n)+".key", "", "op", "save")
	d = e.template(tm.ID).Draft
	if got := d.Sections[0].Fields[n].Key; got != "ca_et_la_"+taken {
		t.Errorf("derived key = %q", got)
	}
	post("s.0.f."+strconv.Itoa(n)+".label", taken, "s.0.f."+strconv.Itoa(n)+".key", "", "op", "save")
	d = e.template(tm.ID).Draft
	if got := d.Sections[0].Fields[n].Key; got != taken+"_2" {
		t.Errorf("derived key for a label whose key is taken = %q, want %s_2", got, taken)
	}
}

// htmxPost posts form as htmx does (HX-Request), same-origin.
func (b *browser) htmxPost(path string, form url.Values) page {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// publishedTemplate returns a template of the organisation with a published
// version.
func (e *webEnv) publishedTemplate() persona.Template {
	e.t.Helper()
	ts, err := e.svc.ListTemplates(context.Background(), e.actor(e.owner), e.org)
	if err != nil || len(ts) == 0 {
		e.t.Fatal(ts, err)
	}
	tm := ts[0]
	if tm.LatestVersion == 0 {
		if _, err := e.svc.Publish(context.Background(), e.actor(e.owner), e.org, tm.ID); err != nil {
			e.t.Fatal(err)
		}
		tm = e.template(tm.ID)
	}
	return tm
}

var (
	openRowPattern = regexp.MustCompile(`<details class="b-edit" id="([a-z0-9-]+)-edit" open>`)
	rowPattern     = regexp.MustCompile(`<details class="b-edit" id="[a-z0-9-]+-edit"`)
	tagPattern     = regexp.MustCompile(`(?s)<[^>]*>`)
)

func openRowIDs(body string) []string {
	var ids []string
	for _, m := range openRowPattern.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// The builder is an outline: a row per section, field and dimension, all
// closed; the warning about renaming published keys is said once, and only
// a renamed key adds its own.
func TestBuilderOutlineIsCollapsedAndWarnsOnce(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	tm := e.publishedTemplate()
	base := "/o/" + e.org + "/templates/" + tm.ID
	p := b.get(base).must(t, http.StatusOK)

	want := len(tm.Draft.Sections) + len(tm.Draft.FieldKeys()) + len(tm.Draft.Dimensions)
	if got := len(rowPattern.FindAllString(p.Body, -1)); got != want {
		t.Errorf("the outline has %d rows, want one per section, field and dimension: %d", got, want)
	}
	if open := openRowIDs(p.Body); len(open) != 0 {
		t.Errorf("rows open on arrival: %v", open)
	}
	// Said once: in the text of the page (not in the confirm dialogs'
	// attributes), and every key input points to that one note.
	text := tagPattern.ReplaceAllString(p.Body, " ")
	if n := strings.Count(text, "retired values"); n != 1 {
		t.Errorf("the page text says 'retired values' %d times, want once", n)
	}
	if n := strings.Count(text, "a–z, 0–9 and _"); n != 1 {
		t.Errorf("the key rules are said %d times, want once", n)
	}
	f0 := tm.Draft.Sections[0].Fields[0]
	if !regexp.MustCompile(`id="s0-f0-key"[^>]*data-published-key="` + f0.Key + `"\s+aria-describedby="b-keys-note"`).MatchString(p.Body) {
		t.Error("the key input of a published field does not point to the note on keys")
	}
	// The row says what the field is without opening it.
	row := regexp.MustCompile(`(?s)<summary class="b-row">.*?</summary>`).FindString(p.Body[strings.Index(p.Body, `id="s0-f0-edit"`):])
	for _, w := range []string{f0.Label, f0.Key, kindName(f0.Kind)} {
		if !strings.Contains(row, w) {
			t.Errorf("the first field's row lacks %q: %s", w, row)
		}
	}

	// Renaming a published key: a save keeps the row open (the form says
	// which), and only that key warns.
	form := with(builderForm(tm.Name, tm.Description, tm.Draft), "s.0.f.0.was", f0.Key, "s.0.f.0.key", f0.Key+"_renamed", "open", "s.0.f.0", "op", "save")
	p = b.htmxPost(base, form).must(t, http.StatusOK)
	if open := openRowIDs(p.Body); !cmp.Equal(open, []string{"s0-f0"}) {
		t.Errorf("after saving with the first field open, open rows: %v", open)
	}
	if n := strings.Count(p.Body, "data-rename-warning"); n != 1 || !strings.Contains(elementText(p.Body, "s0-f0-key-warn"), "Renamed from “"+f0.Key+"”") {
		t.Errorf("%d rename warnings; the renamed key's: %q", n, elementText(p.Body, "s0-f0-key-warn"))
	}
	if !regexp.MustCompile(`(?s)id="s0-f0-edit" open>.*?<span class="b-pill b-warn">renamed</span>.*?</summary>`).MatchString(p.Body) {
		t.Error("the renamed field's row does not say so")
	}
	// Without JS, the redirect after a save carries the open row too.
	p = b.post(base, form).must(t, http.StatusOK)
	if !strings.HasSuffix(p.URL, "?open=s.0.f.0") || !cmp.Equal(openRowIDs(p.Body), []string{"s0-f0"}) {
		t.Errorf("no-JS save: at %s open rows %v", p.URL, openRowIDs(p.Body))
	}
	// A move opens the moved row (its button has the focus), not the
	// row the form said was open.
	cur := e.template(tm.ID)
	p = b.htmxPost(base, with(builderForm(cur.Name, cur.Description, cur.Draft), "open", "s.0.f.0", "op", "move-down:s.0.f.1")).must(t, http.StatusOK)
	if open := openRowIDs(p.Body); !cmp.Equal(open, []string{"s0-f2"}) {
		t.Errorf("after moving the second field down, open rows: %v", open)
	}
}

func kindName(k persona.FieldKind) string {
	switch k {
	case persona.KindText:
		return "Short text"
	case persona.KindList:
		return "List"
	case persona.KindMarkdown:
		return "Long text (Markdown)"
	}
	return ""
}

// Dragging rows renames their inputs to their new places (builder.js);
// Save draft then stores that order: fields across sections, sections,
// dimensions.
func TestBuilderSavesTheOrderTheFormPosts(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	tm := e.publishedTemplate()
	base := "/o/" + e.org + "/templates/" + tm.ID
	d := tm.Draft
	if len(d.Sections) < 2 || len(d.Sections[0].Fields) < 2 || len(d.Dimensions) < 2 {
		t.Fatalf("starter template too small: %+v", d)
	}
	// What the page posts after dragging: the first field of section 1
	// to the end of section 2, then section 2 above section 1, and the
	// last dimension to the top.
	moved := d.Sections[0].Fields[0]
	s0, s1 := d.Sections[0], d.Sections[1]
	s0.Fields = append([]persona.Field(nil), s0.Fields[1:]...)
	s1.Fields = append(append([]persona.Field(nil), s1.Fields...), moved)
	want := persona.Definition{Sections: append([]persona.Section{s1, s0}, d.Sections[2:]...)}
	n := len(d.Dimensions)
	want.Dimensions = append([]persona.Dimension{d.Dimensions[n-1]}, d.Dimensions[:n-1]...)
	form := builderForm(tm.Name, tm.Description, want)
	// Published keys travel with their fields.
	for i, s := range want.Sections {
		for j, f := range s.Fields {
			form.Set("s."+strconv.Itoa(i)+".f."+strconv.Itoa(j)+".was", f.Key)
		}
	}
	p := b.htmxPost(base, with(form, "op", "save")).must(t, http.StatusOK)
	if !strings.Contains(elementText(p.Body, "builder-notice"), "Draft saved.") {
		t.Errorf("no notice after saving the dragged order:\n%s", p.Body)
	}
	got := e.template(tm.ID).Draft
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("saved draft (-want +got):\n%s", diff)
	}
	// The outline shows the new order, numbered afresh.
	if !regexp.MustCompile(`(?s)<li class="b-section" id="s0" data-name="s.0" data-drag="section">.*?<code class="b-item-key">` + s1.Key + `</code>`).MatchString(p.Body) {
		t.Error("the first section of the outline is not the one dragged to the top")
	}
	last := "s0-f" + strconv.Itoa(len(s1.Fields)-1)
	if !regexp.MustCompile(`<li class="b-item b-field" id="` + last + `" data-key="` + moved.Key + `" data-name="s.0.f.` + strconv.Itoa(len(s1.Fields)-1) + `"`).MatchString(p.Body) {
		t.Errorf("the dragged field is not %s in the outline", last)
	}
	if !strings.Contains(p.Body, `Layout</span> Sections, their labels or the order of fields changed.`) {
		t.Error("the changes since the published version do not mention the new order")
	}
}

// The live preview renders the form the posted draft gives, without saving
// it; only admins may ask.
func TestBuilderLivePreview(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	tm := e.publishedTemplate()
	base := "/o/" + e.org + "/templates/" + tm.ID
	page := b.get(base).must(t, http.StatusOK)
	if !regexp.MustCompile(`id="b-preview"[^>]*hx-post="` + regexp.QuoteMeta(base) + `" hx-include="#builder-form" hx-vals='\{"op": "preview"\}' hx-trigger="change from:#builder-form`).MatchString(page.Body) {
		t.Error("the preview pane does not ask for updates as the draft changes")
	}
	if !strings.Contains(page.Body, `id="v-`+tm.Draft.Sections[0].Fields[0].Key+`"`) {
		t.Error("the preview pane does not show the draft's inputs on arrival")
	}
	form := with(builderForm(tm.Name, tm.Description, tm.Draft), "s.0.f.0.label", "Seen only in the preview", "s.0.label", "Preview section", "op", "preview")
	p := b.htmxPost(base, form).must(t, http.StatusOK)
	if strings.Contains(p.Body, "<html") || strings.Contains(p.Body, `id="builder-form"`) {
		t.Fatalf("the preview answers more than the preview:\n%.400s", p.Body)
	}
	if !strings.Contains(p.Body, "Seen only in the preview") || !strings.Contains(p.Body, "<legend>Preview section</legend>") || !strings.Contains(p.Body, "<fieldset disabled") {
		t.Errorf("the preview does not show the posted draft:\n%s", p.Body)
	}
	if after := e.template(tm.ID); !cmp.Equal(after.Draft, tm.Draft) || !after.DraftUpdatedAt.Equal(tm.DraftUpdatedAt) {
		t.Error("the preview saved the draft")
	}
	// An invalid draft still previews (the builder reports problems on save).
	bad := with(form, "s.0.f.0.kind", "choice", "s.0.f.0.options", "")
	b.htmxPost(base, bad).must(t, http.StatusOK)
	viewer := e.signedIn(e.viewer)
	viewer.htmxPost(base, form).must(t, http.StatusForbidden)
	if strings.Contains(viewer.get(base).must(t, http.StatusOK).Body, `hx-vals='{"op": "preview"}'`) {
		t.Error("a viewer's preview asks for live updates it may not have")
	}
}
