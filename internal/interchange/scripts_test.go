package interchange

import (
	"errors"
	"strings"
	"testing"
)

// TestImportNamesInEveryScript: a CSV of people named in Chinese,
// Japanese, Cyrillic, Greek, Arabic, Hebrew, Vietnamese and Polish imports
// without false duplicates (王芳 and 李娜 are two people; Ольга Смирнова is
// not Мария Иванова), every name kept as written. The same name again — in
// another case or spacing — is still a duplicate, in the file and against
// the organisation.
func TestImportNamesInEveryScript(t *testing.T) {
	svc := newSvc(t)
	m := mappingFile(t, "users.map.yaml")
	names := []string{"王芳", "李娜", "山田太郎", "田中花子", "Мария Иванова", "Ольга Смирнова", "Μαρία Παπαδοπούλου",
		"Ελένη Γεωργίου", "محمد عبد الله", "أحمد علي", "דוד כהן", "שרה לוי", "Nguyễn Thị Minh", "Nguyễn Văn An",
		"Łukasz Wiśniewski", "Lukasz Wisniewski"}
	csv := "Full name,Job title,Goals,Tech comfort,Bio,Tools\n"
	for _, n := range names {
		csv += n + ",Analyst,,3,,\n"
	}
	rep, err := run(t, svc, m, "csv", textOpen(csv), false)
	if err != nil {
		t.Fatalf("names in other scripts refused: %v", err)
	}
	if rep.Created != len(names) {
		t.Fatalf("created %d of %d", rep.Created, len(names))
	}
	got := all(t, svc)
	for _, n := range names {
		if _, ok := got[n]; !ok {
			t.Errorf("%q was not imported as written", n)
		}
	}

	// The same names again are duplicates, whatever their case or spacing.
	for _, tc := range []struct{ csv, want string }{
		{"Ольга Ковалёва,A,,3,,\nОЛЬГА  КОВАЛЁВА,A,,3,,\n", `duplicate persona "ОЛЬГА  КОВАЛЁВА": row 2 has the same name`},
		{"мария иванова,A,,3,,\n", `persona "мария иванова" already exists in the organisation (as "Мария Иванова")`},
		{"王芳,A,,3,,\n", `persona "王芳" already exists`},
	} {
		_, err := run(t, svc, m, "csv", textOpen("Full name,Job title,Goals,Tech comfort,Bio,Tools\n"+tc.csv), true)
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: want %q, got %v", tc.csv, tc.want, err)
		}
	}
}
