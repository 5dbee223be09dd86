package persona

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestValidID(t *testing.T) {
	for _, ok := range []string{ExampleID, uuid.Must(uuid.NewV7()).String(), uuid.NewString(), "00000000-0000-0000-0000-000000000000"} {
		if !ValidID(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "..", "../x", "<script>", "p1", strings.ToUpper(ExampleID), "{" + ExampleID + "}",
		"urn:uuid:" + ExampleID, strings.ReplaceAll(ExampleID, "-", ""), ExampleID + "/", ExampleID[:35] + "g",
		ExampleID[:8] + "_" + ExampleID[9:], " " + ExampleID[1:]} {
		if ValidID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
