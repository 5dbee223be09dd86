package csvout

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCellNeutralisesFormulas(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{"+1+1", "'+1+1"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"\n=1", "'\n=1"},
		{"\x00x", "'\x00x"},
		{"  =HYPERLINK(\"http://evil\")", "'  =HYPERLINK(\"http://evil\")"},
		{"\u00a0=1", "'\u00a0=1"},
		{"＝1+1", "'＝1+1"},
		{"＠x", "'＠x"},
		{"'=x", "''=x"},
		{"'' -x", "''' -x"},
		// left alone
		{"", ""},
		{"plain", "plain"},
		{"a=b", "a=b"},
		{"'tis", "'tis"},
		{"'", "'"},
		{"   ", "   "},
		{"2026-05-01", "2026-05-01"},
		{"1.5", "1.5"},
		// negative numbers too: the rule has no exceptions
		{"-3", "'-3"},
		{"+1.5", "'+1.5"},
		{"-", "'-"},
		{"- item", "'- item"},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := Unquote(Cell(c.in)); back != c.in {
			t.Errorf("Unquote(Cell(%q)) = %q", c.in, back)
		}
	}
}

func TestUnquoteLeavesOtherApostrophesAlone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"'=x", "=x"},
		{"''=x", "'=x"},
		{"' =x", " =x"},
		{"'-3", "-3"},
		{"'tis", "'tis"},
		{"'", "'"},
		{"''", "''"},
		{"x'=", "x'="},
	} {
		if got := Unquote(c.in); got != c.want {
			t.Errorf("Unquote(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestListsRoundTrip(t *testing.T) {
	for _, items := range [][]string{
		{"Fast close", "Few errors"},
		{"a; b", "c;d", `back\slash`, `ends\`, `\;`, "semi;"},
		{"multi\nline", "quote \"x\"", "comma, here", "=1+1", "ünïcødé 王芳"},
		{"single"},
		nil,
	} {
		cell := JoinList(items)
		if got := SplitList(cell, ";"); !slices.Equal(got, items) && !(len(got) == 0 && len(items) == 0) {
			t.Errorf("SplitList(JoinList(%q)) = %q (cell %q)", items, got, cell)
		}
	}
	if got := JoinList([]string{"Fast close", "a;b"}); got != `Fast close; a\;b` {
		t.Errorf("JoinList = %q", got)
	}
	if got := SplitList(` a ;; b\; c ; \\ `, ""); !slices.Equal(got, []string{"a", "b; c", `\`}) {
		t.Errorf("SplitList = %q", got)
	}
	if got := SplitList(`a|b\|c`, "|"); !slices.Equal(got, []string{"a", "b|c"}) {
		t.Errorf("SplitList with | = %q", got)
	}
}

func TestWriterProtectsEveryCellAndWritesTheBOM(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, Options{BOM: true})
	if err := w.Write([]string{"name", "note"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"=cmd|' /C calc'!A0", "+x\r\ny"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, BOM+"name,note\n") {
		t.Fatalf("no BOM or header: %q", out)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "'=cmd|' /C calc'!A0" || rows[1][1] != "'+x\ny" {
		t.Fatalf("row %q", rows[1])
	}
	buf.Reset()
	w = NewWriter(&buf, Options{})
	w.Write([]string{"a"})
	w.Flush()
	if buf.String() != "a\n" {
		t.Fatalf("without BOM: %q", buf.String())
	}
}

// dangerous reports whether a spreadsheet could read c as a formula: c
// starts, perhaps after white space, with a trigger.
func dangerous(c string) bool {
	if c == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(c)
	if isTrigger(r) {
		return true
	}
	c = strings.TrimLeftFunc(c, unicode.IsSpace)
	r, _ = utf8.DecodeRuneInString(c)
	return c != "" && isTrigger(r)
}

func FuzzCell(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "''+x", " @x", "-3", "'-3", "\t", "'", "x", "＝", "- a; b\\; c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if dangerous(c) {
			t.Fatalf("Cell(%q) = %q is still read as a formula", s, c)
		}
		if back := Unquote(c); back != s {
			t.Fatalf("Unquote(Cell(%q)) = %q", s, back)
		}
		// A list of the parts of s round-trips through one cell.
		items := strings.FieldsFunc(s, func(r rune) bool { return r == '|' })
		var want []string
		for _, it := range items {
			if it = strings.TrimSpace(it); it != "" {
				want = append(want, it)
			}
		}
		if got := SplitList(Unquote(Cell(JoinList(want))), ";"); !slices.Equal(got, want) {
			t.Fatalf("list %q came back as %q", want, got)
		}
	})
}
