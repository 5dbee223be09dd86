package server_test

import (
	"testing"
)

type alignmentDoc struct {
	BuyerName        string  `json:"buyer_name"`
	DivergencePoints float64 `json:"divergence_points"`
	Users            []struct {
		UserID      string         `json:"user_id"`
		Name        string         `json:"name"`
		VariantID   string         `json:"variant_id"`
		Dimensions  map[string]any `json:"dimensions"`
		Divergences []struct {
			Key      string  `json:"key"`
			Buyer    float64 `json:"buyer"`
			User     float64 `json:"user"`
			Diverges bool    `json:"diverges"`
		} `json:"divergences"`
		Verdicts []struct {
			Claim struct {
				Text string `json:"text"`
			} `json:"claim"`
			Verdict string `json:"verdict"`
		} `json:"verdicts"`
		Tally struct {
			Supported, Contradicted, Unaddressed, Divergences int
		} `json:"tally"`
	} `json:"users"`
	UnaddressedClaims []string `json:"unaddressed_claims"`
}

func (d alignmentDoc) user(t *testing.T, name string) int {
	t.Helper()
	for i, u := range d.Users {
		if u.Name == name {
			return i
		}
	}
	t.Fatalf("no user %q in the alignment", name)
	return -1
}

func TestDemoAlignmentShowsContradictionsDivergencesAndVariants(t *testing.T) {
	e := newEnv(t)
	buyer := e.demoByName("Head of Operations (buyer)")
	bank := e.demoByName("Big Bank")
	path := e.api("/personas/" + buyer.ID + "/alignment")

	var a alignmentDoc
	e.must(200, "GET", path, e.viewer, nil).json(t, &a)
	if len(a.Users) != 2 || a.DivergencePoints != 2 {
		t.Fatalf("alignment: %+v", a)
	}
	lead := a.Users[a.user(t, "System Lead")]
	if lead.Tally.Contradicted != 1 || lead.Tally.Supported != 2 || lead.Tally.Divergences < 1 {
		t.Fatalf("lead tally %+v", lead.Tally)
	}
	tc := lead.Divergences[0]
	if tc.Key != "technical_comfort" || !tc.Diverges || tc.Buyer != 2 || tc.User != 5 {
		t.Fatalf("largest divergence: %+v", lead.Divergences)
	}
	if len(a.UnaddressedClaims) == 0 {
		t.Fatal("no unaddressed claims listed")
	}

	// For Big Bank the System Lead is seen through its variant.
	e.must(200, "GET", path+"?customer="+bank.ID, e.viewer, nil).json(t, &a)
	lead = a.Users[a.user(t, "System Lead")]
	if lead.VariantID == "" || lead.Dimensions["decision_authority"] != 2.0 {
		t.Fatalf("big bank view: variant %q dims %v", lead.VariantID, lead.Dimensions)
	}
	found := false
	for _, d := range lead.Divergences {
		if d.Key == "decision_authority" && d.User == 2 && d.Diverges {
			found = true
		}
	}
	if !found {
		t.Fatalf("decision authority divergence at Big Bank: %+v", lead.Divergences)
	}

	// Nothing stale: a changed dimension shows at once.
	lp := e.demoByName("System Lead")
	lp.Dimensions["technical_comfort"] = 2
	e.must(200, "PUT", e.api("/personas/"+lp.ID), e.owner, lp, "If-Match", `"2"`)
	e.must(200, "GET", path, e.viewer, nil).json(t, &a)
	for _, d := range a.Users[a.user(t, "System Lead")].Divergences {
		if d.Key == "technical_comfort" && (d.Diverges || d.User != 2) {
			t.Fatalf("stale divergence after the edit: %+v", d)
		}
	}

	// A stricter threshold (admins) turns a gap of 1 into a divergence.
	e.must(403, "PUT", e.api("/alignment/settings"), e.viewer, map[string]any{"divergence_points": 1})
	e.must(422, "PUT", e.api("/alignment/settings"), e.owner, map[string]any{"divergence_points": 9})
	e.must(200, "PUT", e.api("/alignment/settings"), e.owner, map[string]any{"divergence_points": 1})
	e.must(200, "GET", path, e.viewer, nil).json(t, &a)
	if a.DivergencePoints != 1 {
		t.Fatalf("threshold %v", a.DivergencePoints)
	}
}

func TestAlignmentLinksAndClaimsAreValidated(t *testing.T) {
	e := newEnv(t)
	buyer := e.demoByName("Chief Information Officer (technical buyer)")
	lead := e.demoByName("System Lead")
	other := e.demoByName("Head of Operations (buyer)")
	base := e.api("/personas/" + buyer.ID + "/alignment")

	e.must(422, "POST", base+"/links", e.owner, map[string]any{"target_id": other.ID}).problem(t)
	e.must(422, "POST", e.api("/personas/"+lead.ID+"/alignment/links"), e.owner, map[string]any{"target_id": buyer.ID}).problem(t)
	var link struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", base+"/links", e.owner, map[string]any{"target_id": lead.ID}).json(t, &link)
	e.must(409, "POST", base+"/links", e.owner, map[string]any{"target_id": lead.ID})

	claims := buyer.Values["proof_points"].([]any)
	r := e.must(422, "POST", base+"/claims", e.owner, map[string]any{
		"claim_field": "proof_points", "claim": "A claim nobody made", "user_id": other.ID, "user_field": "no_field", "verdict": "supported"})
	locs := r.problem(t).locations()
	if len(locs) < 2 {
		t.Fatalf("errors: %v", locs)
	}
	var m struct {
		ID string `json:"id"`
	}
	e.must(201, "POST", base+"/claims", e.owner, map[string]any{
		"claim_field": "proof_points", "claim": claims[0], "user_id": lead.ID, "user_field": "pain_points", "verdict": "contradicted"}).json(t, &m)
	var a alignmentDoc
	e.must(200, "GET", base, e.viewer, nil).json(t, &a)
	if a.Users[0].Tally.Contradicted != 1 {
		t.Fatalf("tally after mapping: %+v", a.Users[0].Tally)
	}
	e.must(403, "DELETE", e.api("/alignment/claims/"+m.ID), e.viewer, nil)
	e.must(204, "DELETE", e.api("/alignment/claims/"+m.ID), e.owner, nil)
	e.must(204, "DELETE", e.api("/alignment/links/"+link.ID), e.owner, nil)
	e.must(404, "GET", base, e.other, nil)

	var report struct {
		Items []struct {
			BuyerName string `json:"buyer_name"`
			UserName  string `json:"user_name"`
			Tally     struct {
				Contradicted int `json:"contradicted"`
			} `json:"tally"`
		} `json:"items"`
	}
	e.must(200, "GET", e.api("/alignment"), e.viewer, nil).json(t, &report)
	if len(report.Items) != 2 || report.Items[0].BuyerName != "Head of Operations (buyer)" {
		t.Fatalf("report %+v", report.Items)
	}
}

func TestClaimVerdictBackedByEvidence(t *testing.T) {
	e := newEnv(t)
	buyer := e.demoByName("Head of Operations (buyer)")
	lead := e.demoByName("System Lead")
	var docs listJSON[struct {
		ID string `json:"id"`
	}]
	e.must(200, "GET", e.api("/evidence?limit=1"), e.owner, nil).json(t, &docs)
	body := map[string]any{"claim_field": "messaging", "claim": "Live in one quarter, one feed at a time", "user_id": lead.ID,
		"user_field": "goals", "verdict": "supported", "evidence_id": "no-such-evidence"}
	locs := e.must(422, "POST", e.api("/personas/"+buyer.ID+"/alignment/claims"), e.owner, body).problem(t).locations()
	if len(locs) != 1 || locs[0] != "body.evidence_id" {
		t.Fatalf("errors %v", locs)
	}
	body["evidence_id"] = docs.Items[0].ID
	var m struct {
		EvidenceID string `json:"evidence_id"`
	}
	e.must(201, "POST", e.api("/personas/"+buyer.ID+"/alignment/claims"), e.owner, body).json(t, &m)
	if m.EvidenceID != docs.Items[0].ID {
		t.Fatalf("mapping %+v", m)
	}
}
