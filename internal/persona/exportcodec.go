package persona

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Export documents travel as JSON or YAML. YAML goes through the JSON form,
// so both use the same keys (the JSON names) and the same types.

// EncodeExport writes e as "json" (indented) or "yaml".
func EncodeExport(w io.Writer, e OrgExport, format string) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	switch format {
	case "", "json":
		var buf bytes.Buffer
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return err
		}
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	case "yaml", "yml":
		var tree any
		if err := json.Unmarshal(raw, &tree); err != nil {
			return err
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(tree); err != nil {
			return err
		}
		return enc.Close()
	}
	return Errorf(CodeInvalid, "unknown format %q: use json or yaml", format)
}

// DecodeExport reads a JSON or YAML export (YAML is a superset of JSON, but
// JSON is read strictly so that its errors name line and column). Unknown
// keys are refused: a typo must not silently drop data.
func DecodeExport(r io.Reader, format string) (OrgExport, error) {
	var e OrgExport
	data, err := io.ReadAll(r)
	if err != nil {
		return e, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return e, Errorf(CodeInvalid, "the file is empty")
	}
	if format == "" {
		format = "json"
		if t := bytes.TrimSpace(data); t[0] != '{' {
			format = "yaml"
		}
	}
	switch format {
	case "json":
	case "yaml", "yml":
		// Through the JSON form, with every error on its line.
		return e, DecodeYAML(data, &e)
	default:
		return e, Errorf(CodeInvalid, "unknown format %q: use json or yaml", format)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		msg := describeJSONError(data, err)
		if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			// Name the key, but never much of the input.
			uq, _ := strconv.Unquote(k)
			msg = "unknown key " + quoteKey(uq)
		}
		return e, Errorf(CodeInvalid, "malformed document: %s", msg)
	}
	return e, nil
}

// describeJSONError adds the line and column to a JSON syntax or type
// error.
func describeJSONError(data []byte, err error) string {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%v (line %d, column %d)", err, line, col)
}
