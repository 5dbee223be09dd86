package persona

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Alignment connects a buyer (a marketing/sales persona) with the personas
// its promise reaches — UX personas above all, and optionally archetypes and
// AI agents — so that the promise and the experience can be checked against
// each other.

// AlignmentLink links a buyer persona to one persona its promise reaches.
type AlignmentLink struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"-"`
	BuyerID   string    `json:"buyer_id"`
	TargetID  string    `json:"target_id"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Verdict says whether a user's experience bears a buyer's claim out.
type Verdict string

// Verdicts. A claim without a mapping to a user is unaddressed for them.
const (
	VerdictSupported    Verdict = "supported"
	VerdictContradicted Verdict = "contradicted"
	VerdictUnaddressed  Verdict = "unaddressed"
)

// Valid reports whether v can be recorded (unaddressed is the absence of a
// mapping, not a recorded verdict).
func (v Verdict) Valid() bool { return v == VerdictSupported || v == VerdictContradicted }

// ClaimMapping maps one claim of a buyer to one item of a user's field,
// with a verdict. A claim is an item of one of the buyer's claim fields,
// identified by the field and the item's text.
type ClaimMapping struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"-"`
	BuyerID    string    `json:"buyer_id"`
	ClaimField string    `json:"claim_field"` // field key, e.g. "proof_points"
	Claim      string    `json:"claim"`       // the item's text
	UserID     string    `json:"user_id"`
	UserField  string    `json:"user_field"`          // field key, e.g. "pain_points"
	UserItem   string    `json:"user_item,omitempty"` // the item's text; empty for the field as a whole
	Verdict    Verdict   `json:"verdict"`
	Note       string    `json:"note,omitempty"`
	EvidenceID string    `json:"evidence_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
}

// ClaimFields are the buyer fields whose items are claims: what marketing
// says (messages) and what it shows as proof.
var ClaimFields = []string{"messaging", "proof_points", "value_proposition"}

// Claim is one claim of a buyer.
type Claim struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

// ClaimsOf lists a buyer's claims in template order: every item of its list
// claim fields, and the text of a text/Markdown claim field as one claim.
func ClaimsOf(def Definition, c Content) []Claim {
	var out []Claim
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			if !slices.Contains(ClaimFields, f.Key) {
				continue
			}
			for _, item := range itemsOf(c.Values[f.Key]) {
				out = append(out, Claim{Field: f.Key, Label: f.Label, Text: item})
			}
		}
	}
	return out
}

// itemsOf returns a value's items: a list's trimmed non-empty strings, or a
// single string as one item.
func itemsOf(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			out = append(out, s)
		}
	case []string:
		for _, s := range x {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []any:
		for _, e := range x {
			out = append(out, itemsOf(e)...)
		}
	}
	return out
}

// ItemsOf is itemsOf for the edges (the user items a claim can map to).
func ItemsOf(v any) []string { return itemsOf(v) }

// DefaultDivergencePoints is the default divergence threshold: a gap of 2
// points on a 1–5 scale; other ranges scale it proportionally.
const DefaultDivergencePoints = 2.0

// Divergence compares a buyer's and a user's value of one shared scale
// dimension.
type Divergence struct {
	Key       string  `json:"key"`
	Label     string  `json:"label"`
	Min       int     `json:"min"`
	Max       int     `json:"max"`
	Buyer     float64 `json:"buyer"`
	User      float64 `json:"user"`
	Gap       float64 `json:"gap"`       // |buyer - user|, in the dimension's units
	Threshold float64 `json:"threshold"` // the gap that counts as divergence on this range
	Diverges  bool    `json:"diverges"`
	// Missing is true when one side has no value: shown, never a divergence.
	Missing bool `json:"missing"`
}

// Severity is the gap as a share of the dimension's range (0..1), for
// ranking divergences of different ranges.
func (d Divergence) Severity() float64 {
	if d.Max <= d.Min {
		return 0
	}
	return d.Gap / float64(d.Max-d.Min)
}

// ThresholdFor scales a threshold given in points on a 1–5 scale to the
// range min..max.
func ThresholdFor(points float64, min, max int) float64 {
	if points <= 0 {
		points = DefaultDivergencePoints
	}
	return points * float64(max-min) / 4
}

// Divergences compares buyer and user on every scale dimension both
// definitions have with the same key (and the same range, since a value on
// 1–5 and one on 0–10 are not comparable), in the buyer's order. points is
// the organisation's threshold in points on a 1–5 scale (0: the default).
// Pairs with a missing value are listed with Missing set.
func Divergences(buyerDef Definition, buyer Values, userDef Definition, user Values, points float64) []Divergence {
	var out []Divergence
	for _, bd := range buyerDef.Dimensions {
		if bd.Kind != DimensionScale {
			continue
		}
		ud, ok := userDef.Dimension(bd.Key)
		if !ok || ud.Kind != DimensionScale || ud.Min != bd.Min || ud.Max != bd.Max {
			continue
		}
		d := Divergence{Key: bd.Key, Label: bd.Label, Min: bd.Min, Max: bd.Max, Threshold: ThresholdFor(points, bd.Min, bd.Max)}
		b, bok := number(buyer[bd.Key])
		u, uok := number(user[bd.Key])
		if !bok || !uok {
			d.Missing = true
			d.Buyer, d.User = b, u
			out = append(out, d)
			continue
		}
		d.Buyer, d.User, d.Gap = b, u, math.Abs(b-u)
		// A tiny epsilon so that 2.0 >= 2.0 holds after scaling.
		d.Diverges = d.Gap+1e-9 >= d.Threshold
		out = append(out, d)
	}
	return out
}

// RankDivergences orders divergences largest first (by severity), then by
// key; missing pairs last.
func RankDivergences(ds []Divergence) {
	slices.SortStableFunc(ds, func(a, b Divergence) int {
		if a.Missing != b.Missing {
			if a.Missing {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.Severity(), a.Severity()); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

// ClaimVerdict is one claim's standing with one user.
type ClaimVerdict struct {
	Claim    Claim          `json:"claim"`
	Verdict  Verdict        `json:"verdict"`
	Mappings []ClaimMapping `json:"mappings"`
}

// Tally counts verdicts and divergences for a buyer–user pair.
type Tally struct {
	Supported    int `json:"supported"`
	Contradicted int `json:"contradicted"`
	Unaddressed  int `json:"unaddressed"`
	Divergences  int `json:"divergences"`
}

// VerdictsFor works out each claim's verdict for one user from the
// mappings: contradicted if any mapping contradicts it (one counter-example
// is enough to break a promise), supported if some mapping supports it,
// unaddressed otherwise. Mappings of claims the buyer no longer makes are
// ignored.
func VerdictsFor(claims []Claim, userID string, mappings []ClaimMapping) ([]ClaimVerdict, Tally) {
	var t Tally
	out := make([]ClaimVerdict, 0, len(claims))
	for _, c := range claims {
		cv := ClaimVerdict{Claim: c, Verdict: VerdictUnaddressed, Mappings: []ClaimMapping{}}
		for _, m := range mappings {
			if m.UserID != userID || m.ClaimField != c.Field || m.Claim != c.Text {
				continue
			}
			cv.Mappings = append(cv.Mappings, m)
			switch {
			case m.Verdict == VerdictContradicted:
				cv.Verdict = VerdictContradicted
			case m.Verdict == VerdictSupported && cv.Verdict == VerdictUnaddressed:
				cv.Verdict = VerdictSupported
			}
		}
		switch cv.Verdict {
		case VerdictSupported:
			t.Supported++
		case VerdictContradicted:
			t.Contradicted++
		default:
			t.Unaddressed++
		}
		out = append(out, cv)
	}
	return out, t
}

// CountDivergences counts the pairs that diverge.
func CountDivergences(ds []Divergence) int {
	n := 0
	for _, d := range ds {
		if d.Diverges {
			n++
		}
	}
	return n
}

// ValidateClaimMapping checks a mapping's own fields (the edges check that
// the claim and the user item exist).
func ValidateClaimMapping(m *ClaimMapping) error {
	var errs []FieldError
	m.Claim = strings.TrimSpace(m.Claim)
	m.UserItem = strings.TrimSpace(m.UserItem)
	m.Note = CleanText(m.Note)
	if m.ClaimField == "" || m.Claim == "" {
		errs = append(errs, FieldError{Field: "claim", Message: "is required"})
	} else if msg := TextProblem(m.Claim, MaxStringLength); msg != "" {
		// A claim is a list item, or the whole text of a text or
		// Markdown field: multi-line.
		errs = append(errs, FieldError{Field: "claim", Message: msg})
	}
	if msg := TextProblem(m.UserItem, MaxStringLength); msg != "" {
		errs = append(errs, FieldError{Field: "user_item", Message: msg})
	}
	if m.UserID == "" {
		errs = append(errs, FieldError{Field: "user_id", Message: "is required"})
	}
	if m.UserField == "" {
		errs = append(errs, FieldError{Field: "user_field", Message: "is required"})
	}
	if !m.Verdict.Valid() {
		errs = append(errs, FieldError{Field: "verdict", Message: "must be supported or contradicted"})
	}
	if msg := TextProblem(m.Note, 2000); msg != "" {
		errs = append(errs, FieldError{Field: "note", Message: msg})
	}
	return Invalid("invalid claim mapping", errs)
}
