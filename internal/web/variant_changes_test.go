package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var (
	inputTag    = regexp.MustCompile(`<input\b[^>]*>`)
	textareaTag = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
	selectTag   = regexp.MustCompile(`(?s)<select\b([^>]*)>(.*?)</select>`)
	optionTag   = regexp.MustCompile(`(?s)<option\b([^>]*)>(.*?)</option>`)
	attrPattern = regexp.MustCompile(`([a-z][a-z0-9.-]*)(?:="([^"]*)")?`)
)

// tagAttrs reads the attributes of one start tag ("<input a="b" c>").
func tagAttrs(tag string) map[string]string {
	tag = strings.TrimSuffix(strings.TrimPrefix(tag, "<"), ">")
	out := map[string]string{}
	for i, a := range attrPattern.FindAllStringSubmatch(tag, -1) {
		if i > 0 { // the first is the tag's name
			out[a[1]] = html.UnescapeString(a[2])
		}
	}
	return out
}

// submitForm is what a browser submits from the form with id on a page when
// nobody touches it: inputs (ticked boxes only, single-line values without
// line breaks), textareas (the leading line break dropped, lines ending in
// CRLF) and selects (the selected option, or the first).
func submitForm(t *testing.T, body, id string) url.Values {
	t.Helper()
	start := strings.Index(body, `<form id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no form %s in the page:\n%.3000s", id, body)
	}
	form := body[start:]
	form = form[:strings.Index(form, "</form>")]
	vals := url.Values{}
	for _, tag := range inputTag.FindAllString(form, -1) {
		a := tagAttrs(tag)
		name, typ := a["name"], a["type"]
		if _, off := a["disabled"]; name == "" || off || typ == "submit" || typ == "button" {
			continue
		}
		switch typ {
		case "checkbox", "radio":
			if _, on := a["checked"]; on {
				v, ok := a["value"]
				if !ok {
					v = "on"
				}
				vals.Add(name, v)
			}
		case "hidden":
			vals.Add(name, a["value"])
		default:
			vals.Add(name, strings.NewReplacer("\r", "", "\n", "").Replace(a["value"]))
		}
	}
	for _, m := range textareaTag.FindAllStringSubmatch(form, -1) {
		text := strings.TrimPrefix(html.UnescapeString(m[2]), "\n")
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
		vals.Add(tagAttrs("<textarea" + m[1] + ">")["name"], text)
	}
	for _, m := range selectTag.FindAllStringSubmatch(form, -1) {
		name := tagAttrs("<select" + m[1] + ">")["name"]
		chosen, first := "", true
		for _, o := range optionTag.FindAllStringSubmatch(m[2], -1) {
			a := tagAttrs("<option" + o[1] + ">")
			v, ok := a["value"]
			if !ok {
				v = strings.Join(strings.Fields(html.UnescapeString(o[2])), " ")
			}
			if _, sel := a["selected"]; sel || first {
				chosen, first = v, false
				if sel {
					break
				}
			}
		}
		vals.Add(name, chosen)
	}
	return vals
}

// variantOverrides lists a stored variant's override paths.
func (e *webEnv) variantOverrides(id string) (persona.Variant, []string) {
	e.t.Helper()
	d, err := e.svc.GetVariant(context.Background(), e.actor(e.owner), e.org, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.Variant, d.Variant.OverridePaths()
}

func variantID(t *testing.T, p page) string {
	t.Helper()
	m := regexp.MustCompile(`/variants/([^/?#]+)$`).FindStringSubmatch(strings.SplitN(p.URL, "#", 2)[0])
	if m == nil {
		t.Fatalf("not on a variant's page: %s (%d)\n%.3000s", p.URL, p.Status, p.Body)
	}
	return m[1]
}

// Issue 14 item 13 and issue 16: the variant form never drops a changed
// value. A user changed Team size for Big Bank without ticking its
// "Override" box and got "0 overrides". The form now shows only the
// overrides, each saved as it stands, and "+ Override a field" adds one
// (?add=, or do=add without a script) keeping what was typed; "Remove"
// takes one out. An untouched new form (every demo template) saves none;
// emptying a base value brings the form back with a field error and the
// value kept; a post without the form's marks still counts a changed value.
func TestVariantFormNeverDropsAChangedValue(t *testing.T) {
	e := newWebEnv(t)
	b := e.signedIn(e.owner)
	org := "/o/" + e.org
	bank := e.demoPersona("Big Bank")
	ctx := context.Background()

	newForm := func(p persona.Persona) url.Values {
		t.Helper()
		f := submitForm(t, b.get(org+"/personas/"+p.ID+"/variants/new?customer="+bank.ID).must(t, http.StatusOK).Body, "variant-form")
		if f.Get("customer_id") != bank.ID {
			t.Fatalf("the form does not preselect Big Bank: %v", f)
		}
		return f
	}

	// An untouched form saves no override, whatever the template.
	all, err := e.svc.ListPersonas(ctx, e.actor(e.owner), e.org, persona.PersonaFilter{Limit: 200}, "")
	if err != nil {
		t.Fatal(err)
	}
	types := map[persona.ProfileType]bool{}
	for _, p := range all.Items {
		if p.ID == bank.ID {
			continue
		}
		types[p.ProfileType] = true
		created := b.post(org+"/personas/"+p.ID+"/variants", newForm(p)).must(t, http.StatusOK)
		if _, paths := e.variantOverrides(variantID(t, created)); len(paths) != 0 {
			t.Errorf("%s: the untouched form saved overrides %v", p.Name, paths)
		}
	}
	if len(types) != len(persona.ProfileTypes) {
		t.Fatalf("the demo covers %d of %d profile types", len(types), len(persona.ProfileTypes))
	}

	// The user's story (issue 16): a Team size for Big Bank. The new form
	// shows no rows at all, only "+ Override a field"; ?add=team_size adds
	// Team size, starting from the base value; whatever it holds is saved
	// as an override, with its "what changes" note: no box to tick.
	analyst := e.demoPersona("Compliance Analyst")
	f := newForm(analyst)
	if f.Has("v.team_size") || f.Has("o.values.team_size") || f.Has("v.role_title") {
		t.Fatalf("the new form shows fields that are not overridden: %v", f)
	}
	addPage := b.get(org+"/personas/"+analyst.ID+"/variants/new?customer="+bank.ID+"&add=team_size").must(t, http.StatusOK)
	if !strings.Contains(addPage.Body, `id="row-values.team_size"`) || strings.Contains(addPage.Body, `<option value="values.team_size">`) {
		t.Fatalf("?add=team_size does not add the row (or still offers it):\n%.4000s", addPage.Body)
	}
	f = submitForm(t, addPage.Body, "variant-form")
	if f.Get("o.values.team_size") != "1" || f.Get("v.team_size") != "12" || f.Has("v.role_title") {
		t.Fatalf("the added row: team size %q (override %q); form %v", f.Get("v.team_size"), f.Get("o.values.team_size"), f)
	}
	f.Set("v.team_size", "25")
	f.Set("n.values.team_size", "Twice the team at a big bank")
	created := b.post(org+"/personas/"+analyst.ID+"/variants", f).must(t, http.StatusOK)
	vid := variantID(t, created)
	if !strings.Contains(created.Body, "1 override ·") {
		t.Errorf("the variant page does not count one override")
	}
	if v, paths := e.variantOverrides(vid); !slices.Equal(paths, []string{"values.team_size"}) || v.Values["team_size"] != 25.0 ||
		v.FieldNotes["values.team_size"] != "Twice the team at a big bank" {
		t.Fatalf("stored overrides %v %v %v, want team size 25 with its note", paths, v.Values, v.FieldNotes)
	}

	// Without a script, "Add" posts the form with do=add: it comes back
	// with the row added and everything typed kept, and nothing is saved.
	before, _ := e.svc.ListVariants(ctx, e.actor(e.owner), e.org, analyst.ID)
	f = newForm(analyst)
	f.Set("note", "Typed before adding a field")
	f.Set("do", "add")
	f.Set("add", "values.role_title")
	re := b.post(org+"/personas/"+analyst.ID+"/variants", f).must(t, http.StatusOK)
	back := submitForm(t, re.Body, "variant-form")
	if back.Get("o.values.role_title") != "1" || back.Get("v.role_title") != analyst.Values["role_title"] || back.Get("note") != "Typed before adding a field" {
		t.Fatalf("after Add: %v", back)
	}
	if !strings.Contains(re.Body, `id="v-role_title"`) || !regexp.MustCompile(`id="v-role_title"[^>]*autofocus`).MatchString(re.Body) {
		t.Errorf("the added field is not focused")
	}
	if after, _ := e.svc.ListVariants(ctx, e.actor(e.owner), e.org, analyst.ID); len(after) != len(before) {
		t.Fatalf("Add saved a variant")
	}

	// The edit form shows the override; saved untouched, it stays as it is.
	edit := func() url.Values {
		return submitForm(t, b.get(org+"/variants/"+vid+"/edit").must(t, http.StatusOK).Body, "variant-form")
	}
	f = edit()
	if f.Get("o.values.team_size") != "1" || f.Get("v.team_size") != "25" || f.Get("n.values.team_size") != "Twice the team at a big bank" || f.Has("v.role_title") {
		t.Fatalf("the edit form: %v", f)
	}
	b.post(org+"/variants/"+vid, f).must(t, http.StatusOK)
	if v, paths := e.variantOverrides(vid); !slices.Equal(paths, []string{"values.team_size"}) || v.Values["team_size"] != 25.0 {
		t.Fatalf("an untouched edit form changed the overrides: %v %v", paths, v.Values)
	}

	// A changed value is saved.
	f = edit()
	f.Set("v.team_size", "30")
	b.post(org+"/variants/"+vid, f).must(t, http.StatusOK)
	saved, paths := e.variantOverrides(vid)
	if !slices.Equal(paths, []string{"values.team_size"}) || saved.Values["team_size"] != 30.0 {
		t.Fatalf("stored overrides %v %v, want team size 30", paths, saved.Values)
	}

	// "Remove" (remove_override=<path>) takes the row out, keeping what was typed;
	// saved so, the variant follows the base again.
	f = edit()
	f.Set("note", "Typed before removing")
	f.Set("remove_override", "values.team_size")
	re = b.post(org+"/variants/"+vid, f).must(t, http.StatusOK)
	back = submitForm(t, re.Body, "variant-form")
	if back.Has("v.team_size") || back.Get("note") != "Typed before removing" || !strings.Contains(re.Body, `<option value="values.team_size">`) {
		t.Fatalf("after Remove: %v", back)
	}
	if v, _ := e.variantOverrides(vid); v.Revision != saved.Revision {
		t.Fatalf("Remove saved the variant")
	}
	b.post(org+"/variants/"+vid, back).must(t, http.StatusOK)
	if _, paths := e.variantOverrides(vid); len(paths) != 0 {
		t.Fatalf("removed and saved, the variant keeps %v", paths)
	}

	// A dimension added shows the base's value on its row of buttons; a
	// value chosen is saved as the override.
	f = submitForm(t, b.get(org+"/variants/"+vid+"/edit?add=risk_tolerance").must(t, http.StatusOK).Body, "variant-form")
	if f.Get("o.dimensions.risk_tolerance") != "1" || f.Get("d.risk_tolerance") != fmt.Sprint(analyst.Dimensions["risk_tolerance"]) {
		t.Fatalf("the added dimension: %v", f)
	}
	f.Set("d.risk_tolerance", "1")
	b.post(org+"/variants/"+vid, f).must(t, http.StatusOK)
	if v, paths := e.variantOverrides(vid); !slices.Equal(paths, []string{"dimensions.risk_tolerance"}) || v.Dimensions["risk_tolerance"] != 1.0 {
		t.Fatalf("the dimension override: %v %v", paths, v.Dimensions)
	}

	// Emptying a value of the base cannot be an override: said, not dropped.
	f = submitForm(t, b.get(org+"/personas/"+analyst.ID+"/variants/new?customer="+bank.ID+"&add=role_title").must(t, http.StatusOK).Body, "variant-form")
	f.Set("v.role_title", "")
	emptied := b.post(org+"/personas/"+analyst.ID+"/variants", f)
	if emptied.Status != http.StatusUnprocessableEntity || !strings.Contains(emptied.Body, "was emptied, but a variant cannot empty a value of the base") {
		t.Fatalf("emptied: %d\n%.4000s", emptied.Status, emptied.Body)
	}

	// The base changes after the form was opened: the untouched form
	// follows the base instead of freezing the value it showed.
	f = newForm(analyst)
	in := app.PersonaInput{Name: analyst.Name, Summary: analyst.Summary, GroupID: analyst.GroupID, Status: analyst.Status,
		Values: analyst.Values, Dimensions: analyst.Dimensions, LastReviewedOn: analyst.LastReviewedOn, ReviewIntervalDays: analyst.ReviewIntervalDays}
	in.Values["team_size"] = 13
	if _, err := e.svc.UpdatePersona(ctx, e.actor(e.owner), e.org, analyst.ID, analyst.Revision, in); err != nil {
		t.Fatal(err)
	}
	stale := b.post(org+"/personas/"+analyst.ID+"/variants", f).must(t, http.StatusOK)
	if _, paths := e.variantOverrides(variantID(t, stale)); len(paths) != 0 {
		t.Fatalf("a form opened before the base changed saved %v", paths)
	}

	// A post without the form's marks (a script, a form from before):
	// compared with the base now, a differing value is an override.
	bare := b.post(org+"/personas/"+analyst.ID+"/variants", url.Values{"customer_id": {bank.ID},
		"v.team_size": {"13"}, "v.role_title": {"Regional compliance lead"}}).must(t, http.StatusOK)
	if v, paths := e.variantOverrides(variantID(t, bare)); !slices.Equal(paths, []string{"values.role_title"}) || v.Values["role_title"] != "Regional compliance lead" {
		t.Fatalf("a post without marks saved %v %v", paths, v.Values)
	}
}
