package fault_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
)

// docs/ERRORS.md shows the table; it must say what the code does.
func TestErrorsDocMatchesTheTable(t *testing.T) {
	b, err := os.ReadFile("../../docs/ERRORS.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, line)
		}
	}
	var want []string
	for _, k := range fault.All() {
		ra := "—"
		if k.RetryAfter > 0 {
			ra = fmt.Sprint(k.RetryAfter)
		}
		want = append(want, fmt.Sprintf("| `%s` | %d | `%s` | %s | %s | %d | %s |", k.Code, k.Status, k.Type, k.Title, k.Message, k.Exit, ra))
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs/ERRORS.md's table differs from internal/fault; it should read:\n%s", strings.Join(want, "\n"))
	}
}

// Every code has one row with a type of its own; the domain's codes are
// all there; internal errors never show their message.
func TestTableIsComplete(t *testing.T) {
	seen := map[persona.Code]bool{}
	types := map[string]bool{}
	for _, k := range fault.All() {
		if seen[k.Code] || types[k.Type] {
			t.Errorf("%s appears twice", k.Code)
		}
		seen[k.Code], types[k.Type] = true, true
		if k.Title == "" || k.Message == "" || !strings.HasPrefix(k.Type, "/problems/") || k.Status < 400 {
			t.Errorf("incomplete row %+v", k)
		}
		if got := fault.For(k.Code); got != k {
			t.Errorf("For(%s) = %+v", k.Code, got)
		}
	}
	for _, c := range []persona.Code{persona.CodeInvalid, persona.CodeNotFound, persona.CodeConflict, persona.CodeForbidden,
		persona.CodeUnauthenticated, persona.CodePreconditionFailed, persona.CodePreconditionRequired, persona.CodeTooMany,
		persona.CodeBadRequest, persona.CodeTooLarge, persona.CodeUnsupportedMedia, persona.CodeUnavailable,
		persona.CodeStorageFull, persona.CodeCancelled, persona.CodeInternal} {
		if !seen[c] {
			t.Errorf("no row for %s", c)
		}
	}
	k, msg := fault.Of(errors.New("invalid argument: too large"))
	if !k.Internal() || msg != k.Message || strings.Contains(msg, "argument") {
		t.Errorf("internal error: %+v %q", k, msg)
	}
	k, msg = fault.Of(fmt.Errorf("wrapped: %w", persona.ErrNotFound("persona")))
	if k.Status != 404 || msg != "persona not found" {
		t.Errorf("wrapped not-found: %+v %q", k, msg)
	}
	if k := fault.ForStatus(405); k.Type != "about:blank" || k.Exit != fault.ExitUsage {
		t.Errorf("405: %+v", k)
	}
}
