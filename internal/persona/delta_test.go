package persona

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randValue is a value of one of the JSON kinds encoding/json decodes into
// (so a delta survives a JSON round trip unchanged), or a []string as the
// store reads lists of strings.
func randValue(r *rand.Rand, depth int) any {
	switch r.IntN(8) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return float64(r.IntN(1000)) / 4
	case 3:
		return []string{fmt.Sprint("a", r.IntN(5)), fmt.Sprint("b", r.IntN(5))}
	case 4:
		if depth > 0 {
			return []any{randValue(r, depth-1), "x"}
		}
	case 5:
		if depth > 0 {
			return map[string]any{"k": randValue(r, depth-1), fmt.Sprint("n", r.IntN(3)): "v"}
		}
	case 6:
		return ""
	}
	return fmt.Sprintf("text %d ü", r.IntN(20))
}

// randValues gives nil, an empty map or a map with up to 12 keys of 16.
func randValues(r *rand.Rand) Values {
	switch r.IntN(6) {
	case 0:
		return nil
	case 1:
		return Values{}
	}
	v := Values{}
	for range r.IntN(12) + 1 {
		v[fmt.Sprint("key", r.IntN(16))] = randValue(r, 2)
	}
	return v
}

func randContent(r *rand.Rand) Content {
	return Content{
		Name: fmt.Sprint("name", r.IntN(3)), Summary: fmt.Sprint("summary", r.IntN(3)),
		GroupID: []string{"", "g1", "g2"}[r.IntN(3)], Status: []Status{"draft", "active", "archived"}[r.IntN(3)],
		OwnerID: []string{"", "u1"}[r.IntN(2)], TemplateVersion: r.IntN(3) + 1,
		Values: randValues(r), Dimensions: randValues(r), Retired: randValues(r),
		LastReviewedOn: []string{"", "2026-01-02"}[r.IntN(2)], ReviewIntervalDays: r.IntN(2) * 90,
	}
}

// edit changes a few things of c (a copy): fields, keys set, changed and
// removed, maps emptied or made nil.
func edit(r *rand.Rand, c Content) Content {
	c.Values, c.Dimensions, c.Retired = keepNil(c.Values), keepNil(c.Dimensions), keepNil(c.Retired)
	for range r.IntN(4) + 1 {
		switch r.IntN(9) {
		case 0:
			c.Name += "!"
		case 1:
			c.Status = "archived"
		case 2:
			c.TemplateVersion++
		case 3:
			c.Values = editValues(r, c.Values)
		case 4:
			c.Dimensions = editValues(r, c.Dimensions)
		case 5:
			c.Retired = editValues(r, c.Retired)
		case 6:
			c.GroupID, c.OwnerID = "", "u2"
		case 7:
			c.LastReviewedOn, c.ReviewIntervalDays = "2026-12-03", 30
		case 8:
			c.Values = editValues(r, editValues(r, c.Values))
		}
	}
	return c
}

// keepNil copies v, keeping nil as nil.
func keepNil(v Values) Values {
	if v == nil {
		return nil
	}
	out := make(Values, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

func editValues(r *rand.Rand, v Values) Values {
	switch r.IntN(6) {
	case 0:
		return nil
	case 1:
		return Values{}
	case 2: // remove a key
		for k := range v {
			delete(v, k)
			break
		}
		return v
	}
	if v == nil {
		v = Values{}
	}
	v[fmt.Sprint("key", r.IntN(16))] = randValue(r, 2)
	return v
}

func TestDeltaRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 41))
	for i := range 20000 {
		a := randContent(r)
		b := edit(r, a)
		if i%7 == 0 {
			b = randContent(r) // unrelated contents too
		}
		d := DiffContent(a, b)
		if got := ApplyDelta(a, d); !reflect.DeepEqual(got, b) {
			t.Fatalf("case %d: apply(diff(a, b), a) != b\na   = %#v\nb   = %#v\ngot = %#v\nd   = %#v", i, a, b, got, d)
		}
		// The delta survives JSON (what the store keeps): the result encodes
		// as b does (lists of strings come back as []any, as from any JSON).
		raw, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back ContentDelta
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if got, want := mustJSON(t, ApplyDelta(a, back)), mustJSON(t, b); got != want {
			t.Fatalf("case %d: after JSON %s\nwant %s\n got %s", i, raw, want, got)
		}
		if reflect.DeepEqual(a, b) != d.IsEmpty() {
			t.Fatalf("case %d: equal contents %v but empty delta %v (%s)", i, reflect.DeepEqual(a, b), d.IsEmpty(), raw)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestDeltaKeepsOnlyChanges(t *testing.T) {
	a := Content{Name: "Ada", Status: "draft", TemplateVersion: 1,
		Values:     Values{"bio": "long text", "goals": []string{"x", "y"}, "age": 41.0},
		Dimensions: Values{"tech": 3.0}}
	b := a
	b.Values = Values{"bio": "long text", "goals": []string{"x", "z"}, "city": "Oslo"}
	b.Dimensions = Values{}
	b.Retired = Values{"age": 41.0}
	d := DiffContent(a, b)
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"values":{"set":{"city":"Oslo","goals":["x","z"]},"del":["age"]},"dimensions":{"del":["tech"]},"retired":{"set":{"age":41}}}`
	if string(raw) != want {
		t.Fatalf("delta\n got %s\nwant %s", raw, want)
	}
	// A map that becomes nil, and one that becomes empty from nil.
	if raw, _ := json.Marshal(DiffContent(Content{Retired: Values{"a": 1.0}, Values: nil}, Content{Values: Values{}})); string(raw) != `{"values":{},"retired":{"nil":true}}` {
		t.Fatalf("nil and empty maps: %s", raw)
	}
}

func TestApplyDeltaSharesNoMap(t *testing.T) {
	a := Content{Values: Values{"a": "1"}, Dimensions: Values{"d": 1.0}}
	c := ApplyDelta(a, ContentDelta{})
	c.Values["a"], c.Dimensions["d"] = "changed", 2.0
	if a.Values["a"] != "1" || a.Dimensions["d"] != 1.0 {
		t.Fatalf("applying a delta changed its base: %#v", a)
	}
}

// benchContents are a persona of the default-dataset shape (about 2 KB of
// JSON: a dozen text fields, lists, five dimensions) and the same persona
// with one field changed.
func benchContents() (Content, Content) {
	a := Content{Name: "Priya Raman", Summary: "Finance lead who reconciles the ledger every month", GroupID: "g1",
		Status: "active", OwnerID: "u1", TemplateVersion: 1, Values: Values{}, Dimensions: Values{}}
	for i := range 12 {
		a.Values[fmt.Sprint("field_", i)] = fmt.Sprintf("A paragraph of about a hundred and twenty characters on topic %d: audit, ledger, approvals and the monthly close.", i)
	}
	a.Values["tools"] = []string{"spreadsheets", "erp", "bank portal", "email"}
	a.Values["goals"] = []string{"close the month in three days", "no surprises at audit"}
	for i := range 5 {
		a.Dimensions[fmt.Sprint("dim_", i)] = float64(i + 1)
	}
	b := a
	b.Values = keepNil(a.Values)
	b.Values["field_3"] = "Changed: the monthly close now takes two days."
	return a, b
}

func BenchmarkDiffContent(b *testing.B) {
	x, y := benchContents()
	b.ReportAllocs()
	for b.Loop() {
		_ = DiffContent(x, y)
	}
}

func BenchmarkApplyDelta(b *testing.B) {
	x, y := benchContents()
	d := DiffContent(x, y)
	b.ReportAllocs()
	for b.Loop() {
		_ = ApplyDelta(x, d)
	}
}
