package persona

import (
	"strings"
	"testing"
)

func imageDef() Definition {
	return Definition{Sections: []Section{{Key: "s", Label: "S", Fields: []Field{
		{Key: "role", Label: "Role", Kind: KindText},
		{Key: "desk", Label: "Desk", Kind: KindImage},
	}}}}
}

func TestImageFieldValidation(t *testing.T) {
	if err := imageDef().Validate(); err != nil {
		t.Fatalf("a definition with an image field: %v", err)
	}
	id := ImageID([]byte("a large jpeg"))
	if !ValidImageID(id) || len(id) != 36 {
		t.Fatalf("ImageID = %q", id)
	}
	for _, ok := range []any{id, "  " + id + " ", "", nil} {
		c := Content{Name: "A", Values: Values{"desk": ok}}
		if err := ValidateContent(imageDef(), &c); err != nil {
			t.Errorf("value %q refused: %v", ok, err)
		}
	}
	for _, bad := range []any{"img_XYZ", "photo", "img_" + strings.Repeat("A", 32), "https://example.com/a.png", "img_" + strings.Repeat("0", 31), 12, []string{id}} {
		c := Content{Name: "A", Values: Values{"desk": bad}}
		err := ValidateContent(imageDef(), &c)
		e, ok := AsError(err)
		if !ok || len(e.Fields) == 0 || e.Fields[0].Field != "values.desk" {
			t.Errorf("value %#v: err = %v", bad, err)
		}
	}
}

func TestImageFieldMarkdown(t *testing.T) {
	id := ImageID([]byte("x"))
	var b mdBuilder
	b.fieldValue(Field{Key: "desk", Label: "Desk", Kind: KindImage}, id, 2)
	if got := b.String(); !strings.Contains(got, "(picture)") || strings.Contains(got, id) {
		t.Errorf("markdown = %q", got)
	}
	if got := cellValue(Field{Kind: KindImage}, id); got != "(picture)" {
		t.Errorf("cell = %q", got)
	}
}
