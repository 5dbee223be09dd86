package persona

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecodeExportReportsWhere(t *testing.T) {
	cases := []struct{ name, in, format, want string }{
		{"empty", "  \n", "", "empty"},
		{"json syntax", "{\n  \"format\": \"x\",\n  oops\n}", "json", "line 3"},
		{"unknown key", `{"format": "personapal/org-export", "version": 1, "sumary": "x"}`, "json", "sumary"},
		{"yaml syntax", "format: [unclosed\n", "yaml", "malformed YAML"},
		{"wrong type", `{"version": "one"}`, "json", "version"},
		{"unknown format", `{}`, "xml", "unknown format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeExport(strings.NewReader(tc.in), tc.format)
			if ErrorCode(err) != CodeInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an invalid error mentioning %q", err, tc.want)
			}
		})
	}
	var buf bytes.Buffer
	e := OrgExport{Format: ExportFormat, Version: ExportDocVersion, Org: ExportOrgInfo{Name: "Acme", Slug: "acme"}}
	for _, format := range []string{"json", "yaml"} {
		buf.Reset()
		if err := EncodeExport(&buf, e, format); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeExport(&buf, "")
		if err != nil || got.Org.Name != "Acme" {
			t.Fatalf("%s round trip: %+v %v", format, got.Org, err)
		}
	}
}

// FuzzDecodeExport: no input makes decoding or validation panic, and what
// decodes and validates encodes and decodes again.
func FuzzDecodeExport(f *testing.F) {
	f.Add([]byte(`{"format":"personapal/org-export","version":1,"organisation":{"name":"A","slug":"a"},"groups":[],"templates":[],"personas":[],"notes":[],"evidence":[],"alignment":{"links":[],"claims":[]},"launchpads":[]}`))
	f.Add([]byte("format: personapal/org-export\nversion: 1\norganisation: {name: A}\npersonas: [{id: p, name: x, template_id: t, template_version: 1}]\n"))
	f.Add([]byte(`{"personas":[{"values":{"a":[1,{"b":null}]}}]}`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := DecodeExport(bytes.NewReader(data), "")
		if err != nil {
			return
		}
		if ValidateExport(&e) != nil {
			return
		}
		var buf bytes.Buffer
		if err := EncodeExport(&buf, e, "json"); err != nil {
			t.Fatalf("a valid export does not encode: %v", err)
		}
		if _, err := DecodeExport(&buf, "json"); err != nil {
			t.Fatalf("an encoded export does not decode: %v", err)
		}
	})
}
