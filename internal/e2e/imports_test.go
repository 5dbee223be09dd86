package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeHere runs axe-core on the page as it is (after a form was posted: no
// address to open again) and fails on a serious or critical violation.
func axeHere(b *browser, name string) {
	b.t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "axe-core-4.14.1.min.js"))
	if err != nil {
		b.t.Fatal(err)
	}
	b.step(name+": axe finds no serious violation",
		js(`() => { window.__axe = undefined; return ""; }`),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](string(src)+";\ntrue")(ctx, t)
			return err
		}),
		until("axe finds no serious violation", `() => {
			if (!window.__axe) { window.__axe = "running"; axe.run(document, {resultTypes: ["violations"]}).then(r => {
				window.__axe = r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
					.map(v => v.id + ": " + v.nodes.slice(0, 4).map(n => n.target.join(" ") + " (" + (n.failureSummary || "").slice(0, 160) + ")").join(", ")); }); }
			if (window.__axe === "running") return "axe is running";
			return window.__axe.length ? window.__axe.join(" | ") : "";
		}`))
}

// Issue 19 point 7: an editor imports a CSV through the wizard. The
// mapping step suggests columns from the headers, the preview warns that
// the Age column is not mapped, and the import creates the personas. The
// changed file imported again in update mode gives each persona a new
// revision (its history shows two) and no duplicate.
func TestImportWizardWithUpdateMode(t *testing.T) {
	if env.skip != "" || env.setupErr != nil {
		newBrowser(t) // skips or fails with the reason
	}
	word := unique("imp")
	names := []string{"Ivo Import " + word, "Una Update " + word}
	group := findGroup(t, "Product users")
	tmpl := findTemplate(t, "ux")
	dir := t.TempDir()
	write := func(name, role string) string {
		p := filepath.Join(dir, name)
		csv := "Ext ID,Full name,Job title,Goals,Age\n" +
			fmt.Sprintf("%s-1,%s,%s,\"- - Automate the close\n- Fewer manual matches\",41\n", word, names[0], role) +
			fmt.Sprintf("%s-2,%s,%s lead,Ship weekly; Sleep,35\n", word, names[1], role)
		if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first, second := write("people.csv", "Analyst"), write("people-v2.csv", "Senior analyst")
	t.Cleanup(func() {
		for _, id := range importedIDs(t, word) {
			apiDo(t, "DELETE", "/api/v1/orgs/"+env.org+"/personas/"+id, nil, nil)
		}
	})

	b := signIn(t, orgPath("/import?group="+group))
	b.step("step 1: choose the file, the template and the group",
		present("#import-upload", 1), setValue("#import-template", tmpl),
		chromedp.SetUploadFiles("#import-file", []string{first}), follow("#import-next"))
	b.step("step 2: columns suggested from the headers",
		see("#import-file-info", "people.csv", "5 columns"),
		js(`() => { const v = n => document.querySelector('select[name="' + n + '"]').value;
			if (v("src.name") !== "Full name") return "name suggested from " + v("src.name");
			if (v("src.values.role_title") !== "Job title") return "role suggested from " + v("src.values.role_title");
			if (v("src.values.goals") !== "Goals") return "goals suggested from " + v("src.values.goals");
			if (document.querySelector("#import-external").value !== "Ext ID") return "the ID column is not suggested";
			return ""; }`))
	b.looks("import map", "#import-targets")
	axeHere(b, "import map")
	b.step("step 3: the preview warns about the unmapped column",
		follow("#import-preview"),
		see("#import-warnings", `column "Age" is not mapped`),
		see("#import-summary", "2 records", "2 new personas"),
		present("#import-rows tbody tr", 2))
	b.looks("import preview", "#import-rows")
	axeHere(b, "import preview")
	// The import button says that the import runs, and a second click
	// does not send the form again (both submits are caught here before
	// they leave the page; then the state is put back for the real one).
	b.step("the import button shows that it runs", js(`() => {
		const b = document.querySelector("#import-run"), text = b.textContent, got = [];
		const catchIt = e => { got.push([e.defaultPrevented, b.getAttribute("aria-busy"), b.textContent.trim()]); e.preventDefault(); };
		window.addEventListener("submit", catchIt);
		b.click(); b.click();
		window.removeEventListener("submit", catchIt);
		b.form.removeAttribute("data-busy"); b.removeAttribute("aria-busy"); b.textContent = text;
		if (got.length !== 2) return got.length + " submits seen, want 2";
		if (got[0][0] || got[0][1] !== "true" || got[0][2] !== "Importing 2 records…") return "first submit: " + JSON.stringify(got[0]);
		if (!got[1][0]) return "the second click sent the form again";
		return "";
	}`))
	b.step("step 4: import", follow("#import-run"), see("#import-counts", "2 personas created, 0 personas updated"))
	b.looks("import done", "#import-done")

	ids := importedIDs(t, word)
	if len(ids) != 2 {
		t.Fatalf("%d personas after the import, want 2", len(ids))
	}
	b.step("the bullets were stripped from the goals",
		open(orgPath("/personas/"+ids[names[0]])), see("main", "Automate the close", "Fewer manual matches"),
		js(`() => document.querySelector("main").innerText.includes("- - Automate") ? "the bullets are still there" : ""`))

	b.step("again in update mode, with the changed file",
		open(orgPath("/import?group="+group)), setValue("#import-template", tmpl), click("#import-mode-update"),
		chromedp.SetUploadFiles("#import-file", []string{second}), follow("#import-next"),
		see("#import-file-info", "people-v2.csv", "update mode"), follow("#import-preview"),
		see("#import-summary", "2 updates"), see("#import-rows", "Update"),
		follow("#import-run"), see("#import-counts", "0 personas created, 2 personas updated"))

	after := importedIDs(t, word)
	if len(after) != 2 || after[names[0]] != ids[names[0]] || after[names[1]] != ids[names[1]] {
		t.Fatalf("after the update import: %v, want the same two personas %v (no duplicates)", after, ids)
	}
	for _, n := range names {
		b.step("the history of "+n+" shows the new revision",
			open(orgPath("/personas/"+after[n]+"/history")), present("#revisions li[data-revision]", 2),
			js(`() => { const n = document.querySelectorAll("#revisions li[data-revision]").length; return n === 2 ? "" : n + " revisions, want 2"; }`),
			see("main", "Senior analyst"))
	}
}

// importedIDs finds the personas whose names end with word, by name.
func importedIDs(t *testing.T, word string) map[string]string {
	t.Helper()
	var list struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/personas?q="+word+"&limit=50", nil, &list)
	out := map[string]string{}
	for _, it := range list.Items {
		if strings.HasSuffix(it.Name, word) {
			out[it.Name] = it.ID
		}
	}
	return out
}
