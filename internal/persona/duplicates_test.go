package persona

import (
	"fmt"
	"slices"
	"testing"
)

func dupPersona(id, name, summary string, values Values) Persona {
	return Persona{ID: id, TemplateID: "t1", Content: Content{Name: name, Summary: summary, Values: values}}
}

func TestScoreDuplicate(t *testing.T) {
	base := dupPersona("a", "Sam the System Lead", "Keeps the hospital's systems running at night",
		Values{"goals": "Fewer night pages; predictable deploys", "frustrations": []any{"alert noise", "manual failover"}, "quote": "Wake me only when it matters"})
	tests := []struct {
		name      string
		other     Persona
		dup       bool
		wantField []string
	}{
		{"near copy", dupPersona("b", "Sam – System Lead", "Keeps the hospital systems running at night",
			Values{"goals": "Fewer night pages and predictable deploys", "frustrations": []any{"alert noise", "manual fail-over"}, "quote": "Something else entirely"}),
			true, []string{"name", "frustrations", "goals", "summary"}},
		{"word order and accents", dupPersona("c", "Systém Lead, Sam the", "Keeps the hospital's systems running at night",
			Values{"goals": "Fewer night pages; predictable deploys"}), true, []string{"name", "goals", "summary"}},
		{"different persona", dupPersona("d", "Priya the Product Marketer", "Launches campaigns for the EU market",
			Values{"goals": "More qualified leads", "quote": "Show me the numbers"}), false, nil},
		{"same name, empty drafts", dupPersona("e", "Sam the System Lead", "", nil), true, []string{"name"}},
		{"empty name", dupPersona("f", "", "", nil), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ScoreDuplicate(NewDupDoc(base), NewDupDoc(tt.other))
			if got := s.Score >= DuplicateThreshold; got != tt.dup {
				t.Fatalf("score %.3f (name %.3f, fields %v): duplicate = %v, want %v", s.Score, s.NameScore, s.Fields, got, tt.dup)
			}
			if tt.wantField != nil && !slices.Equal(s.Fields, tt.wantField) {
				t.Errorf("fields that agree = %v, want %v", s.Fields, tt.wantField)
			}
			if s.Score < 0 || s.Score > 1 {
				t.Errorf("score %v out of [0,1]", s.Score)
			}
			// Symmetric and deterministic.
			r := ScoreDuplicate(NewDupDoc(tt.other), NewDupDoc(base))
			if r.Score != s.Score || !slices.Equal(r.Fields, s.Fields) {
				t.Errorf("not symmetric: %v vs %v", s, r)
			}
		})
	}
}

func TestNameSimilarity(t *testing.T) {
	for _, c := range []struct {
		a, b     string
		min, max float64
	}{{"Sam the System Lead", "Lead, System: Sam the", 1, 1}, {"Big Hospital", "Small Clinic", 0, 0.3},
		{"Nora Nurse", "Nóra Nurse", 1, 1}, {"Nora Nurse", "Nora Nurses", 0.8, 0.95}, {"", "", 0, 0}} {
		s := ScoreDuplicate(NewDupDoc(dupPersona("a", c.a, "", nil)), NewDupDoc(dupPersona("b", c.b, "", nil)))
		if s.NameScore < c.min || s.NameScore > c.max {
			t.Errorf("name score of %q and %q = %v, want in [%v, %v]", c.a, c.b, s.NameScore, c.min, c.max)
		}
	}
	// Another template is never compared.
	other := dupPersona("b", "Sam the System Lead", "", nil)
	other.TemplateID = "t2"
	if got := SimilarTo(NewDupDoc(dupPersona("a", "Sam the System Lead", "", nil)), []DupDoc{NewDupDoc(other)}, 0); len(got) != 0 {
		t.Errorf("another template compared: %v", got)
	}
}

func TestFindDuplicatesMatchesAllPairs(t *testing.T) {
	docs := syntheticDocs(300)
	got := FindDuplicates(docs, DuplicateThreshold)
	// The blocked search finds every pair the naive all-pairs search finds
	// on this corpus (near-copies share rare words).
	var want []Similarity
	for i := range docs {
		for j := i + 1; j < len(docs); j++ {
			a, b := docs[i], docs[j]
			if a.ID > b.ID {
				a, b = b, a
			}
			if s := ScoreDuplicate(a, b); s.Score >= DuplicateThreshold {
				want = append(want, s)
			}
		}
	}
	sortSimilar(want)
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("blocked search found %d pairs, all pairs %d", len(got), len(want))
	}
	for i := range got {
		if got[i].A != want[i].A || got[i].B != want[i].B || got[i].Score != want[i].Score {
			t.Fatalf("pair %d: %v, want %v", i, got[i], want[i])
		}
	}
	again := FindDuplicates(docs, DuplicateThreshold)
	for i := range got {
		if got[i].A != again[i].A || got[i].B != again[i].B {
			t.Fatal("not deterministic")
		}
	}
	sim := SimilarTo(docs[9], docs, DuplicateThreshold)
	if len(sim) == 0 || sim[0].A != docs[9].ID || sim[0].B != docs[8].ID {
		t.Fatalf("SimilarTo(%s) = %v", docs[9].ID, sim)
	}
}

// syntheticDocs makes n personas where every tenth is a near-copy of the
// one before it.
func syntheticDocs(n int) []DupDoc {
	words := []string{"nurse", "pilot", "teacher", "farmer", "trader", "coder", "baker", "driver", "analyst", "writer",
		"night", "shift", "budget", "report", "deadline", "mobile", "offline", "billing", "privacy", "training",
		"alerts", "meetings", "travel", "support", "quality", "speed", "trust", "growth", "safety", "costs"}
	docs := make([]DupDoc, 0, n)
	for i := 0; i < n; i++ {
		seed := i
		if i%10 == 9 {
			seed = i - 1
		}
		w := func(k int) string { return words[(seed*7+k*13)%len(words)] + fmt.Sprint(seed%17) }
		name := fmt.Sprintf("%s %s %d", w(0), w(1), seed)
		goals := w(2) + " " + w(3) + " " + w(4) + " " + w(5)
		if i != seed {
			goals += " also"
		}
		docs = append(docs, NewDupDoc(dupPersona(fmt.Sprintf("p%04d", i), name, w(6)+" "+w(7), Values{"goals": goals, "pains": w(8) + " " + w(9)})))
	}
	return docs
}

func BenchmarkScoreDuplicate(b *testing.B) {
	docs := syntheticDocs(2)
	for b.Loop() {
		ScoreDuplicate(docs[0], docs[1])
	}
}

func BenchmarkFindDuplicates(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		docs := syntheticDocs(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				FindDuplicates(docs, DuplicateThreshold)
			}
		})
	}
}

func BenchmarkNewDupDoc(b *testing.B) {
	p := dupPersona("a", "Sam the System Lead", "Keeps the hospital's systems running at night",
		Values{"goals": "Fewer night pages; predictable deploys", "frustrations": []any{"alert noise", "manual failover"}})
	for b.Loop() {
		NewDupDoc(p)
	}
}

// TestDupDocSummaryField: the summary compares in its place among the
// value keys, and a value under the summary's key (with words) stands for
// it; one without words leaves the summary in place.
func TestDupDocSummaryField(t *testing.T) {
	v := Values{"alpha": "ledger approvals", "zeta": "monthly close"}
	d := NewDupDoc(dupPersona("a", "Ann", "Keeps the books balanced", v))
	var keys []string
	for _, f := range d.fields {
		keys = append(keys, f.key)
	}
	if fmt.Sprint(keys) != "[alpha summary zeta]" {
		t.Fatalf("field keys %v", keys)
	}
	a := NewDupDoc(dupPersona("a", "Ann", "Keeps the books balanced", Values{"summary": "night shift nurse rota"}))
	b := NewDupDoc(dupPersona("b", "Bea", "Writes the release notes", Values{"summary": "night shift nurse rota"}))
	if s := ScoreDuplicate(a, b); !slices.Contains(s.Fields, SummaryField) {
		t.Errorf("the summary value does not stand for the summary: %+v", s)
	}
	c := NewDupDoc(dupPersona("c", "Cy", "Keeps the books balanced", Values{"summary": "the"}))
	if s := ScoreDuplicate(a, c); slices.Contains(s.Fields, SummaryField) {
		t.Errorf("a summary value with words replaced by one without: %+v", s)
	}
	if s := ScoreDuplicate(NewDupDoc(dupPersona("d", "Di", "Keeps the books balanced", nil)), c); !slices.Contains(s.Fields, SummaryField) {
		t.Errorf("a summary value without words dropped the summary: %+v", s)
	}
}
