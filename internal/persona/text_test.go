package persona

import (
	"fmt"
	"strings"
	"testing"
)

// TestTextChecks: single-line text refuses every C0 and C1 control, DEL and
// the line and paragraph separators; multi-line text keeps tab, line feed,
// carriage return and the separators and refuses the rest; both accept the
// rest of Unicode (every plane, combining marks, right-to-left text, the
// format characters scripts need, emoji, private use, noncharacters) and
// refuse invalid UTF-8.
func TestTextChecks(t *testing.T) {
	var controls []rune
	for r := rune(0); r < 0x20; r++ {
		controls = append(controls, r)
	}
	controls = append(controls, 0x7f)
	for r := rune(0x80); r <= 0x9f; r++ {
		controls = append(controls, r)
	}
	multiLineOK := map[rune]bool{'\t': true, '\n': true, '\r': true, '\u2028': true, '\u2029': true}
	for _, r := range append(controls, '\u2028', '\u2029') {
		s := "a" + string(r) + "b"
		if LineProblem(s, 0) == "" {
			t.Errorf("single-line text accepted U+%04X", r)
		}
		if got := TextProblem(s, 0); (got == "") != multiLineOK[r] {
			t.Errorf("multi-line text and U+%04X: %q", r, got)
		}
	}
	fine := []string{
		"Nguyễn Thị Minh", "Łódź", "王芳", "李娜", "山田太郎", "Ольга Смирнова", "Μαρία Παπαδοπούλου",
		"محمد عبد الله", "דוד כהן", "שלום\u200fעולם", "e\u0301\u0308", "👩🏽‍💻 dev", "🇪🇺", "\U0001F600",
		"\U00020000\U0002A6D6", "\U000E0001", "\U0010FFFD", "\uE000 private", "\uFFFE\uFFFF", "\uFDD0",
		"a\u200db\u200cc", "\u202eoverride\u202c", "\u2066isolate\u2069", "non\u00a0breaking", "\uFEFFbom", "x",
	}
	for _, s := range fine {
		if p := LineProblem(s, 0); p != "" {
			t.Errorf("single-line %q: %s", s, p)
		}
		if p := TextProblem(s+"\n\t"+s, 0); p != "" {
			t.Errorf("multi-line %q: %s", s, p)
		}
	}
	for _, s := range []string{"a\xffb", "\xed\xa0\x80" /* an encoded surrogate */, "\xc0\x80" /* overlong NUL */} {
		if LineProblem(s, 0) != "is not valid UTF-8" || TextProblem(s, 0) != "is not valid UTF-8" {
			t.Errorf("%q accepted", s)
		}
	}
	if got := LineProblem("tab\there", 0); !strings.Contains(got, "(tab)") {
		t.Errorf("the message does not name the character: %q", got)
	}
	if got := TextProblem("bell\a", 0); !strings.Contains(got, "(BEL)") {
		t.Errorf("the message does not name the character: %q", got)
	}
	if LineProblem(strings.Repeat("界", 5), 5) != "" || LineProblem(strings.Repeat("界", 6), 5) == "" {
		t.Error("lengths are counted in characters")
	}
	if got := CleanText("  one\r\ntwo\rthree\n "); got != "one\ntwo\nthree" {
		t.Errorf("CleanText: %q", got)
	}
	for _, name := range []string{"tab\tname", "line\nbreak", "nul\x00", "esc\x1b[31m", "bel\a", "c1\u0085x", "sep\u2028x"} {
		if _, err := ValidateName(name); err == nil {
			t.Errorf("ValidateName(%q) accepted it", name)
		}
	}
	if d, err := ValidateDescription("one\r\n\ttwo"); err != nil || d != "one\n\ttwo" {
		t.Errorf("ValidateDescription: %q %v", d, err)
	}
}

// TestControlProblems names every string of a document holding a control
// character, with its path; files and clean text pass.
func TestControlProblems(t *testing.T) {
	doc := OrgExport{Org: ExportOrgInfo{Name: "Acme"}, Groups: []ExportGroup{{ID: "g1", Name: "ok\n\tfine"}},
		Personas: []ExportPersona{{ID: "p1", Values: Values{"goals": []any{"ok", "bad\x00"}, "k\x1b": "v"}}},
		Evidence: []ExportEvidence{{ID: "e1", File: &ExportFile{Name: "a.txt", Data: []byte("\x00\x01binary")}}},
		Launchpads: []ExportLaunchpad{{ID: "l1", LaunchpadContent: LaunchpadContent{Name: "L", Recommendation: Recommendation{
			Modules: []ModulePick{{Key: "m", Name: "M\u0085"}}}}}}}
	got := map[string]bool{}
	for _, fe := range ControlProblems("", doc) {
		got[fe.Field] = true
	}
	for _, want := range []string{"personas[0].values.goals[1]", "personas[0].values (a key)", "launchpads[0].recommendation.modules[0].name"} {
		if !got[want] {
			t.Errorf("no problem at %s: %v", want, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("problems: %v", got)
	}
}

// BenchmarkControlProblems walks an export of 100 clean personas of 20
// values each (an import's catch-all check runs over every file).
func BenchmarkControlProblems(b *testing.B) {
	var doc OrgExport
	for i := range 100 {
		vals := Values{}
		for k := range 20 {
			vals[fmt.Sprint("field_", k)] = []any{fmt.Sprint("a goal of persona ", i), "another line of clean text"}
		}
		doc.Personas = append(doc.Personas, ExportPersona{ID: fmt.Sprint("p", i), Name: "Persona", Values: vals})
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(ControlProblems("", doc)) != 0 {
			b.Fatal("clean text has problems")
		}
	}
}
