package persona

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type yamlDocTest struct {
	Name    string            `json:"name"`
	Since   string            `json:"since"`
	Count   int               `json:"count"`
	At      time.Time         `json:"at"`
	Values  Values            `json:"values"`
	Items   []yamlItem        `json:"items"`
	Notes   map[string]string `json:"notes"`
	Skipped string            `json:"-"`
	yamlEmbedded
}

type yamlItem struct {
	ID   string `json:"id"`
	Body string `json:"body"`
}

type yamlEmbedded struct {
	Revision int `json:"revision"`
}

// longDoc is a file of about a hundred lines, like a persona file, with
// an optional broken line.
func longDoc(broken map[int]string) string {
	var b strings.Builder
	b.WriteString("name: Nurse\nrevision: 3\nvalues:\n")
	for i := 4; i <= 100; i++ {
		line := fmt.Sprintf("  key_%d: \"value %d\"", i, i)
		if l, ok := broken[i]; ok {
			line = l
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func TestDecodeYAMLReportsAnUnclosedQuoteAtItsLine(t *testing.T) {
	var v yamlDocTest
	err := DecodeYAML([]byte(longDoc(map[int]string{74: `  key_74: "value 74`})), &v)
	if err == nil || ErrorCode(err) != CodeInvalid {
		t.Fatalf("error %v", err)
	}
	if !strings.HasPrefix(err.Error(), "line 74: ") || !strings.Contains(err.Error(), "not closed") {
		t.Fatalf("want the error at line 74, got %q", err)
	}
	// A single-quoted one, and one without any quote after it.
	err = DecodeYAML([]byte(longDoc(map[int]string{40: `  key_40: 'it''s open`})), &v)
	if err == nil || !strings.HasPrefix(err.Error(), "line 40: ") {
		t.Fatalf("single quote: %v", err)
	}
	doc := "name: Nurse\nvalues:\n  a: \"open\n  b: 1\n"
	if err := DecodeYAML([]byte(doc), &v); err == nil || !strings.HasPrefix(err.Error(), "line 3: ") {
		t.Fatalf("quote to the end: %v", err)
	}
	// Quotes inside block scalars, comments and plain text are not mistaken
	// for the culprit; the parser's own line stands.
	doc = "name: Nurse\nvalues:\n  md: |-\n    He said \"hi\n  t: it's fine # a \"comment\n  c: [a, b\n"
	if err := DecodeYAML([]byte(doc), &v); err == nil || strings.Contains(err.Error(), "not closed") {
		t.Fatalf("false hint: %v", err)
	}
}

func TestDecodeYAMLNamesEveryUnknownKeyWithItsLine(t *testing.T) {
	doc := "name: Nurse\nsumary: typo\nrevision: 2\nitems:\n  - id: a\n    bdy: x\nvalues:\n  anything: goes\nnotes:\n  k: v\n"
	var v yamlDocTest
	err := DecodeYAML([]byte(doc), &v)
	if err == nil || ErrorCode(err) != CodeInvalid {
		t.Fatalf("error %v", err)
	}
	for _, want := range []string{`line 2: unknown key "sumary"`, `line 6: unknown key "bdy" in items[0]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "anything") || strings.Contains(err.Error(), "revision") {
		t.Errorf("a known key was refused: %v", err)
	}
	long := strings.Repeat("k", 5000)
	if err := DecodeYAML([]byte(long+": 1\n"), &v); err == nil || len(err.Error()) > 200 {
		t.Fatalf("a long unknown key: %.300v", err)
	}
}

func TestDecodeYAMLTypesAndTimestamps(t *testing.T) {
	doc := "name: Nurse\nsince: 2024-01-15\nat: 2025-03-01T10:00:00Z\ncount: 0x1F\nrevision: 4\nvalues:\n  date: 2024-02-29\n  n: 3\n  ok: true\n"
	var v yamlDocTest
	if err := DecodeYAML([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	if v.Since != "2024-01-15" || v.Values["date"] != "2024-02-29" || v.Values["n"] != 3.0 || v.Values["ok"] != true ||
		v.Count != 31 || v.Revision != 4 || !v.At.Equal(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", v)
	}
	err := DecodeYAML([]byte("name: Nurse\n\n\ncount: lots\n"), &v)
	if err == nil || !strings.HasPrefix(err.Error(), "line 4: count: must be a whole number") {
		t.Fatalf("type error: %v", err)
	}
	if err := DecodeYAML([]byte("  \n# nothing\n"), &v); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty: %v", err)
	}
	if err := DecodeYAML([]byte("count: .nan\n"), &v); err == nil {
		t.Fatal("NaN accepted")
	}
}

func TestDecodeYAMLRefusesAliasBombs(t *testing.T) {
	doc := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := range 9 {
		name := fmt.Sprintf("l%d", i)
		doc += fmt.Sprintf("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	var v map[string]any
	if err := DecodeYAML([]byte(doc), &v); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("alias bomb: %v", err)
	}
}

// FuzzDecodeYAML: any input decodes into an export document or a persona
// file shape without panicking, and every refusal is an invalid-input
// error (exit code 2, a 4xx answer), bounded in size.
func FuzzDecodeYAML(f *testing.F) {
	for _, s := range []string{longDoc(nil), longDoc(map[int]string{74: `  key_74: "value 74`}), "a: &a [*a]\n", "name: 'x\nb: 'y'\n",
		"format: personapal/org-export\nversion: 1\npersonas:\n  - id: x\n    values: {a: 2024-01-01}\n", "- [\n", "x: !!binary aGk=\n", "<<: {a: 1}\n", "? [a]\n: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 || tooBigToFuzz(len(data), 512) {
			return
		}
		for _, v := range []any{&OrgExport{}, &yamlDocTest{}, &map[string]any{}} {
			err := DecodeYAML(data, v)
			if err == nil {
				continue
			}
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("%q: %T %v", data, err, err)
			}
			if len(err.Error()) > 8192 {
				t.Fatalf("a %d-byte error", len(err.Error()))
			}
		}
	})
}
