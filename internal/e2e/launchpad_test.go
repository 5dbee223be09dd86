package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// setDimension sets one dimension of a persona through the API (read, then
// write with If-Match).
func setDimension(t *testing.T, personaID, key string, value float64) {
	t.Helper()
	var p map[string]any
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/personas/"+personaID, nil, &p)
	p["dimensions"].(map[string]any)[key] = value
	body, _ := json.Marshal(p)
	req, _ := http.NewRequest("PUT", env.base+"/api/v1/orgs/"+env.org+"/personas/"+personaID, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", fmt.Sprintf(`"%v"`, p["revision"]))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		raw, _ := io.ReadAll(res.Body)
		t.Fatalf("set %s: %s %s", key, res.Status, raw)
	}
}

// Issue 6: the Solution Designer for Big Bank, saved, then regenerated
// after the archetype changed.
func TestSolutionDesignerForBigBank(t *testing.T) {
	if env.skip != "" || env.setupErr != nil {
		newBrowser(t) // skips or fails with the reason
	}
	bank := personaID(t, "Big Bank")
	setDimension(t, bank, "risk_tolerance", 1)
	t.Cleanup(func() { setDimension(t, bank, "risk_tolerance", 1) })

	b := signIn(t, orgPath(""))
	b.step("open Big Bank and its Solution Designer",
		follow(card("Big Bank")), follow("#design-launchpad"), present("#designer-form", 1))
	b.step("generate the recommendation (htmx swaps it in)", click("#generate"), present("#recommendation", 1))
	b.step("approval workflows are recommended, with the reason",
		see("#module-approval-workflows", "Approval workflows", "risk tolerance is 1"))
	b.step("a dashboard for the System Lead's Big Bank variant",
		present(`[data-role*="System Lead"][data-role*="Big Bank"]`, 1))
	b.step("a phased rollout plan", present("#phase-foundation", 1), present("#phase-pilot", 1), present("#phase-scale", 1))
	name := unique("launchpad")
	b.step("save it", typeInto("#launchpad-name", "Big Bank rollout "+name), follow("#save-launchpad"),
		atPath(`/launchpads/[^/]+$`), see("main", "Big Bank rollout "+name))

	setDimension(t, bank, "risk_tolerance", 4)
	b.step("regenerate after Big Bank's risk tolerance rose: the diff shows approval workflows removed",
		follow("#regenerate"), present("#diff", 1),
		until("approval workflows removed", `() => {
			const row = [...document.querySelectorAll("#diff tbody tr")].find(r => r.querySelector("th").innerText.trim().startsWith("Approval workflows"));
			if (!row) return "no row for Approval workflows in " + document.querySelector("#diff").innerText.slice(0, 400);
			return row.dataset.change === "removed" ? "" : "its change is " + row.dataset.change;
		}`))
}
