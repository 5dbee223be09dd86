package e2e_test

import (
	"regexp"
	"testing"
)

// Duplicates and merge in the browser: two near-copies made for the test;
// the newer one's page right after its creation names the older as a
// possible duplicate; both show up on the duplicates report (looked at 390 and 1440 px, light and
// dark), its Merge… button opens the side-by-side merge page, choosing the
// merged persona's quote and merging lands on the survivor with that
// quote, and the merged persona's address lands on the survivor too. The
// survivor is trashed and purged afterwards, so the demo keeps its count.
func TestMergeDuplicatesInTheBrowser(t *testing.T) {
	api := "/api/v1/orgs/" + env.org
	word := unique("ward")
	var tpls struct {
		Items []struct {
			ID          string `json:"id"`
			ProfileType string `json:"profile_type"`
		} `json:"items"`
	}
	apiDo(t, "GET", api+"/templates", nil, &tpls)
	tpl := ""
	for _, it := range tpls.Items {
		if it.ProfileType == "ux" && tpl == "" {
			tpl = it.ID
		}
	}
	group := findGroup(t, "Product users")
	create := func(name, quote string) string {
		var p struct {
			ID string `json:"id"`
		}
		apiDo(t, "POST", api+"/personas", map[string]any{"name": name, "summary": "Keeps the " + word + " night ward running",
			"group_id": group, "template_id": tpl, "status": "draft",
			"values": map[string]any{"role_title": "Night shift nurse", "quote": quote}}, &p)
		return p.ID
	}
	survivorName, mergedName := "Nadia Night Nurse "+word, "Nadia, Night Nurse "+word
	a := create(survivorName, "Wake me only when it matters")
	b := create(mergedName, "Let me finish the round first")
	t.Cleanup(func() {
		apiDo(t, "DELETE", api+"/personas/"+a, nil, nil)
		apiDo(t, "DELETE", api+"/trash/"+a, nil, nil)
	})

	br := signIn(t, orgPath("/personas/"+b+"?similar=1"))
	br.step("right after a create, the page names the look-alike",
		see("#similar-hint", "Possible duplicate", survivorName, "% alike"), present(`#similar-hint a[href$="/personas/`+a+`/merge?with=`+b+`"]`, 1))
	br.looks("possible duplicate hint", "#similar-hint")
	br.step("open the duplicates report", open(orgPath("/duplicates")))
	pair := `.dup-pair[data-a="` + a + `"][data-b="` + b + `"]`
	br.step("the report lists the pair with its score and the fields that agree",
		present(pair, 1), see(pair, survivorName, mergedName, "% alike", "Summary"))
	br.looks("duplicates", "#duplicates")
	br.step("Merge… opens the merge page", follow(pair+" .merge-link"),
		atPath(`/personas/`+a+`/merge\?with=`+b+`$`), present("#merge-form", 1), see("#row-quote", "Wake me only", "Let me finish"))
	br.looks("merge", "#merge-form")
	br.step("keep the merged quote and merge: the survivor's page",
		click(`#row-quote input[value="merged"]`), follow("#merge-submit"),
		atPath(`^/o/`+regexp.QuoteMeta(env.org)+`/personas/`+a+`$`), see(".flash", "was merged into"),
		see("#persona-quote", "Let me finish the round first"), see("#persona-name", survivorName))
	br.step("the merged persona's address lands on the survivor",
		open(orgPath("/personas/"+b)), atPath(`^/o/`+regexp.QuoteMeta(env.org)+`/personas/`+a+`$`), see("#persona-name", survivorName))
	br.step("its history stays readable and says where it went",
		open(orgPath("/personas/"+b+"/history")), see("#merged-into", survivorName), present("#revisions li", 1))
}
