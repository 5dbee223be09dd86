package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// appendToSummary appends text to a persona's summary through the API and
// returns the summary it had.
func appendToSummary(t *testing.T, personaID, text string) string {
	t.Helper()
	var p map[string]any
	apiDo(t, "GET", "/api/v1/orgs/"+env.org+"/personas/"+personaID, nil, &p)
	old, _ := p["summary"].(string)
	p["summary"] = old + text
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
		t.Fatalf("append to the summary: %s %s", res.Status, raw)
	}
	return old
}

// Issue 16, point 9: in the history, one appended sentence is an insertion
// inside the field, and the page reads well on a phone and a desktop, in
// light and dark.
func TestHistoryShowsWordsThatChanged(t *testing.T) {
	if env.skip != "" || env.setupErr != nil {
		newBrowser(t) // skips or fails with the reason
	}
	id := personaID(t, "Compliance Analyst")
	appendToSummary(t, id, " Signs off every quarter-end override.")
	b := signIn(t, orgPath("/personas/"+id+"/history"))
	b.step("the summary's change is the appended sentence, inserted",
		see(`#diff tr[data-path="summary"] ins.wd-ins`, "Signs off every quarter-end override."),
		present(`#diff tr[data-path="summary"] .wd-text`, 1),
		js(`() => document.querySelector('#diff tr[data-path="summary"] del') ? "the old summary is struck out" : ""`))
	b.looks("history", "#diff .wd-ins")
}
