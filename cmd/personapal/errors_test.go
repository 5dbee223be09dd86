package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/api"
	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/web"
)

// runWith runs the real command tree with one more command, "fail", whose
// RunE returns err (and whose Args check returns argsErr).
func runWith(t *testing.T, err, argsErr error, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.AddCommand(&cobra.Command{
		Use:  "fail",
		Args: func(*cobra.Command, []string) error { return argsErr },
		RunE: func(*cobra.Command, []string) error { return err },
	})
	root.SetArgs(append([]string{"fail"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	return execute(context.Background(), root, &errOut), errOut.String()
}

// errorLine is the "error: …" line of the CLI's stderr.
func errorLine(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "error: ") {
			return l
		}
	}
	return ""
}

// Every code of the error table answers the same at the three edges: the
// API's problem (status, type, title, Retry-After), the web page (status,
// Retry-After, the message) and the CLI (exit code, the message).
func TestOneErrorTableAtEveryEdge(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(nil, log)
	if err != nil {
		t.Fatal(err)
	}
	kinds := fault.All()
	if len(kinds) < 15 {
		t.Fatalf("only %d rows", len(kinds))
	}
	for _, k := range kinds {
		t.Run(string(k.Code), func(t *testing.T) {
			msg := "the safe message of " + string(k.Code)
			var e error = &persona.Error{Code: k.Code, Message: msg}
			want := msg
			if k.Internal() {
				e, want = errors.New("secret detail: "+msg), ""
			}

			// The API.
			rec := httptest.NewRecorder()
			api.WriteError(rec, httptest.NewRequest("GET", "/api/v1/orgs", nil), log, e)
			var p struct {
				Type, Title, Detail string
				Status              int
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("API: %v: %s", err, rec.Body)
			}
			if rec.Code != k.Status || p.Status != k.Status || p.Type != k.Type || p.Title != k.Title ||
				!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("API: %d %+v %q, want %+v", rec.Code, p, rec.Header().Get("Content-Type"), k)
			}
			if want != "" && p.Detail != want || want == "" && (p.Detail != k.Message || strings.Contains(rec.Body.String(), "secret")) {
				t.Errorf("API detail %q", p.Detail)
			}
			if got := rec.Header().Get("Retry-After"); got != k.RetryAfterHeader() {
				t.Errorf("API Retry-After %q, want %q", got, k.RetryAfterHeader())
			}
			// huma's own problems with this status carry the same type.
			if first := fault.ForStatus(k.Status); first.Code == k.Code {
				hp, ok := huma.NewError(k.Status, "from huma").(*api.Problem)
				if !ok || hp.Type != k.Type || hp.Status != k.Status || hp.Title != k.Title {
					t.Errorf("huma.NewError(%d) = %+v", k.Status, hp)
				}
			}

			// The web app (an htmx request, so that the unauthenticated get
			// their status rather than a redirect to the sign-in page).
			rec = httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/o/acme/personas", nil)
			r.Header.Set("HX-Request", "true")
			pages.ServeError(rec, r, e)
			if rec.Code != k.Status {
				t.Errorf("web: %d, want %d", rec.Code, k.Status)
			}
			if got := rec.Header().Get("Retry-After"); got != k.RetryAfterHeader() {
				t.Errorf("web Retry-After %q, want %q", got, k.RetryAfterHeader())
			}
			body := rec.Body.String()
			if k.Code != persona.CodeUnauthenticated && (want != "" && !strings.Contains(body, want) || strings.Contains(body, "secret")) {
				t.Errorf("web page: %s", body)
			}

			// The command line.
			code, stderr := runWith(t, e, nil)
			if code != k.Exit {
				t.Errorf("CLI: exit %d, want %d\n%s", code, k.Exit, stderr)
			}
			line := errorLine(stderr)
			if want != "" && line != "error: "+want || want == "" && (line != "error: "+k.Message || strings.Contains(line, "secret")) {
				t.Errorf("CLI: %q", line)
			}
		})
	}
}

// An internal error exits 1 whatever its words, and its error line shows
// none of them (they are in the log record); usage errors exit 2 because of
// where cobra stopped, whatever their words.
func TestCLIExitCodesDoNotComeFromWords(t *testing.T) {
	for _, msg := range []string{"bad arg", "payload too large", "invalid state", "unknown command in flag argument"} {
		code, stderr := runWith(t, errors.New(msg), nil)
		line := errorLine(stderr)
		if code != fault.ExitInternal || line != "error: internal error; it has been logged" {
			t.Errorf("internal %q: exit %d, %q\n%s", msg, code, line, stderr)
		}
		if !strings.Contains(stderr, `level=ERROR msg="command failed" err="`+msg+`"`) {
			t.Errorf("internal %q: no log record of it\n%s", msg, stderr)
		}
		// The same words from an argument check are a usage error.
		code, stderr = runWith(t, nil, errors.New(msg))
		if code != fault.ExitUsage || errorLine(stderr) != "error: "+msg {
			t.Errorf("usage %q: exit %d\n%s", msg, code, stderr)
		}
	}
	// A usage error that names no flag, argument or command.
	if code, stderr := runWith(t, nil, errors.New("two files, please")); code != fault.ExitUsage {
		t.Errorf("args check: exit %d\n%s", code, stderr)
	}
	// Cobra's own: unknown flag, missing flag value, unknown command, extra
	// arguments, a required flag.
	for _, args := range [][]string{{"fail", "--nope"}, {"migrate", "--db"}, {"frobnicate"}, {"migrate", "extra"},
		{"personas", "import", "--org", "x"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != fault.ExitUsage {
			t.Errorf("%v: exit %d\n%s", args, code, errOut.String())
		}
	}
	// A domain error's code decides, not its words.
	code, _ := runWith(t, fmt.Errorf("owner: %w", persona.ErrNotFound("invalid argument")), nil)
	if code != fault.ExitNotFound {
		t.Errorf("not found: exit %d", code)
	}
}
