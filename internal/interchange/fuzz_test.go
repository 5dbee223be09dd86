package interchange

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// drain reads every record; readers must never panic and must end with
// io.EOF or an *InputError.
func drain(t *testing.T, data []byte, format string) {
	rd, err := NewReader(bytes.NewReader(data), format)
	if err != nil {
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("open: %T %v", err, err)
		}
		return
	}
	for i := 0; i < 1_000_000; i++ {
		rec, err := rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("next: %T %v", err, err)
			}
			return
		}
		if rec.Where == "" || rec.Index <= 0 {
			t.Fatalf("record without a place: %+v", rec)
		}
	}
}

func FuzzCSVReader(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("\xEF\xBB\xBFname,goals\n\"x\",\"a;b\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, FormatCSV) })
}

func FuzzJSONReader(f *testing.F) {
	f.Add([]byte(`[{"a":1},{"b":[1,2]}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, FormatJSON) })
}

func FuzzJSONLReader(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n{\"b\":2}\n"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, FormatJSONL) })
}

func FuzzParsePath(f *testing.F) {
	f.Add("goals[*].text")
	f.Add(`["odd key"].x[0]`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		if p.String() != s || len(p.steps) == 0 {
			t.Fatalf("%q parsed to %+v", s, p)
		}
		// Evaluating on any shape must not panic.
		p.Eval(map[string]any{"goals": []any{map[string]any{"text": "x"}, 1.0}, "a": nil})
		p.Eval([]any{"x", []any{}})
	})
}
