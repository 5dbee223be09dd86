package persona

import (
	"slices"
	"testing"
)

func dimDef(dims ...Dimension) Definition { return Definition{Dimensions: dims} }

func scaleDim(key string, min, max int) Dimension {
	return Dimension{Key: key, Label: key, Kind: DimensionScale, Min: min, Max: max}
}

func TestDivergences(t *testing.T) {
	buyer := dimDef(scaleDim("technical_comfort", 1, 5), scaleDim("risk", 0, 10), scaleDim("only_buyer", 1, 5),
		scaleDim("range_mismatch", 1, 5), Dimension{Key: "choice", Kind: DimensionChoice, Options: []string{"a"}}, scaleDim("missing", 1, 5))
	user := dimDef(scaleDim("technical_comfort", 1, 5), scaleDim("risk", 0, 10), scaleDim("range_mismatch", 1, 10),
		Dimension{Key: "choice", Kind: DimensionChoice, Options: []string{"a"}}, scaleDim("missing", 1, 5))
	tests := []struct {
		name     string
		b, u     Values
		points   float64
		diverges map[string]bool
		missing  []string
	}{
		{"gap of 2 on 1-5 diverges", Values{"technical_comfort": 5.0, "risk": 5.0}, Values{"technical_comfort": 3.0, "risk": 5.0}, 0,
			map[string]bool{"technical_comfort": true, "risk": false}, []string{"missing"}},
		{"gap of 1 does not", Values{"technical_comfort": 4.0}, Values{"technical_comfort": 3.0}, 0,
			map[string]bool{"technical_comfort": false}, []string{"risk", "missing"}},
		{"0-10 scales the threshold to 5", Values{"risk": 9.0}, Values{"risk": 4.0}, 0, map[string]bool{"risk": true}, nil},
		{"0-10 gap of 4 does not", Values{"risk": 8.0}, Values{"risk": 4.0}, 0, map[string]bool{"risk": false}, nil},
		{"organisation threshold of 3", Values{"technical_comfort": 5.0}, Values{"technical_comfort": 3.0}, 3, map[string]bool{"technical_comfort": false}, nil},
		{"ints and floats", Values{"technical_comfort": 1}, Values{"technical_comfort": 5.0}, 0, map[string]bool{"technical_comfort": true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := Divergences(buyer, tc.b, user, tc.u, tc.points)
			var keys []string
			for _, d := range ds {
				keys = append(keys, d.Key)
				if want, ok := tc.diverges[d.Key]; ok && (d.Diverges != want || d.Missing) {
					t.Errorf("%s: diverges %v missing %v, want %v (gap %v threshold %v)", d.Key, d.Diverges, d.Missing, want, d.Gap, d.Threshold)
				}
				if slices.Contains(tc.missing, d.Key) && (!d.Missing || d.Diverges) {
					t.Errorf("%s should be missing and not diverge", d.Key)
				}
			}
			if !slices.Equal(keys, []string{"technical_comfort", "risk", "missing"}) {
				t.Errorf("compared %v: only shared scale dimensions with the same range", keys)
			}
		})
	}
}

func TestRankDivergences(t *testing.T) {
	ds := []Divergence{
		{Key: "a", Min: 1, Max: 5, Gap: 1},
		{Key: "m", Missing: true},
		{Key: "b", Min: 0, Max: 10, Gap: 8},
		{Key: "c", Min: 1, Max: 5, Gap: 3},
	}
	RankDivergences(ds)
	var keys []string
	for _, d := range ds {
		keys = append(keys, d.Key)
	}
	if !slices.Equal(keys, []string{"b", "c", "a", "m"}) {
		t.Fatalf("ranked %v", keys)
	}
}

func TestVerdictsFor(t *testing.T) {
	def := Definition{Sections: []Section{{Key: "m", Fields: []Field{
		{Key: "messaging", Label: "Messages", Kind: KindList},
		{Key: "proof_points", Label: "Proof", Kind: KindList},
		{Key: "goals", Kind: KindList},
	}}}}
	c := Content{Values: Values{"messaging": []string{"Set up in a day", "No code needed"}, "proof_points": []any{"SOC 2"}, "goals": []string{"not a claim"}}}
	claims := ClaimsOf(def, c)
	if len(claims) != 3 || claims[0].Text != "Set up in a day" || claims[2].Field != "proof_points" {
		t.Fatalf("claims %+v", claims)
	}
	ms := []ClaimMapping{
		{UserID: "u1", ClaimField: "messaging", Claim: "Set up in a day", Verdict: VerdictSupported},
		{UserID: "u1", ClaimField: "messaging", Claim: "Set up in a day", Verdict: VerdictContradicted},
		{UserID: "u1", ClaimField: "messaging", Claim: "No code needed", Verdict: VerdictSupported},
		{UserID: "u2", ClaimField: "proof_points", Claim: "SOC 2", Verdict: VerdictSupported},
		{UserID: "u1", ClaimField: "messaging", Claim: "A claim no longer made", Verdict: VerdictContradicted},
	}
	vs, tally := VerdictsFor(claims, "u1", ms)
	if vs[0].Verdict != VerdictContradicted || vs[1].Verdict != VerdictSupported || vs[2].Verdict != VerdictUnaddressed {
		t.Fatalf("verdicts %+v", vs)
	}
	if tally != (Tally{Supported: 1, Contradicted: 1, Unaddressed: 1}) {
		t.Fatalf("tally %+v", tally)
	}
	if _, t2 := VerdictsFor(claims, "u2", ms); t2 != (Tally{Supported: 1, Unaddressed: 2}) {
		t.Fatalf("u2 tally %+v", t2)
	}
}

func TestValidateClaimMapping(t *testing.T) {
	m := ClaimMapping{ClaimField: "messaging", Claim: "  x ", UserID: "u", UserField: "pain_points", Verdict: VerdictContradicted}
	if err := ValidateClaimMapping(&m); err != nil || m.Claim != "x" {
		t.Fatalf("%v %q", err, m.Claim)
	}
	bad := ClaimMapping{Verdict: VerdictUnaddressed}
	err := ValidateClaimMapping(&bad)
	e, _ := AsError(err)
	if e == nil || len(e.Fields) != 4 {
		t.Fatalf("want 4 field errors, got %v", err)
	}
}
