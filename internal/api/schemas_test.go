package api

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSchemaFilesMatchTheTypes keeps the committed schema documents in step
// with the Go types. Regenerate with PERSONAPAL_UPDATE_SCHEMAS=1.
func TestSchemaFilesMatchTheTypes(t *testing.T) {
	docs, err := GenerateSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range docs {
		path := filepath.Join("schemas", name+".json")
		if os.Getenv("PERSONAPAL_UPDATE_SCHEMAS") == "1" {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is out of date (%v); regenerate with PERSONAPAL_UPDATE_SCHEMAS=1 go test ./internal/api", path, err)
		}
	}
}
