package clienttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tools, at the versions docs/OPENAPI.md names. The npm ones are
// installed by `npm ci` in ts/ (.ci/run does it); oapi-codegen comes from
// the Go module proxy.
const oapiCodegen = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"

// need skips the test on a laptop without the tool, and fails it on CI,
// which must run it.
func need(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// npmTool is the path of an installed npm tool's command.
func npmTool(t *testing.T, name string) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		need(t, "node is not installed")
	}
	p, err := filepath.Abs(filepath.Join("ts", "node_modules", ".bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		need(t, "%s is not installed: run `npm ci` in internal/clienttest/ts", name)
	}
	return p
}

// run runs a command in dir, failing the test with its output when it
// fails; it returns the standard output.
func run(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// quietNode keeps the npm tools from phoning home (there is no network
// here anyway) and from printing update notices.
var quietNode = []string{"REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_UPDATE_NOTIFIER=1"}

// warning is one Redocly finding: its rule and where.
type warning struct{ Rule, Pointer string }

// listedWarnings are the warnings docs/OPENAPI.md accepts, each with a
// reason: the table rows between the redocly-warnings markers.
func listedWarnings(t *testing.T) []warning {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "OPENAPI.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\|\\s*`([^`]+)`\\s*\\|\\s*`([^`]+)`\\s*\\|\\s*(.*?)\\s*\\|\\s*$")
	var out []warning
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "<!-- redocly-warnings -->":
			in = true
		case line == "<!-- /redocly-warnings -->":
			in = false
		case in:
			if m := row.FindStringSubmatch(line); m != nil {
				if m[3] == "" {
					t.Errorf("docs/OPENAPI.md: the warning %s at %s has no reason", m[1], m[2])
				}
				out = append(out, warning{m[1], m[2]})
			}
		}
	}
	return out
}

// TestRedoclyRecommendedLint lints the served document with Redocly's
// recommended rules: no error, and exactly the warnings docs/OPENAPI.md
// lists with their reasons.
func TestRedoclyRecommendedLint(t *testing.T) {
	redocly := npmTool(t, "redocly")
	s := startServer(t)
	doc := openAPIDocument(t, s)
	cmd := exec.Command(redocly, "lint", "--extends", "recommended", "--format", "json", "--max-problems", "100000", doc)
	cmd.Env = append(os.Environ(), quietNode...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run() // non-zero when there are errors; the report says which
	var report struct {
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("redocly lint: %v (%v)\n%s\n%s", err, runErr, stdout.Bytes(), stderr.Bytes())
	}
	var got []warning
	for _, p := range report.Problems {
		ptr := ""
		if len(p.Location) > 0 {
			ptr = p.Location[0].Pointer
		}
		if p.Severity == "error" {
			t.Errorf("redocly error %s at %s: %s", p.RuleID, ptr, p.Message)
			continue
		}
		got = append(got, warning{p.RuleID, ptr})
		if !slices.Contains(listedWarnings(t), warning{p.RuleID, ptr}) {
			t.Errorf("redocly warning %s at %s (%s) is not listed in docs/OPENAPI.md", p.RuleID, ptr, p.Message)
		}
	}
	if runErr != nil && !t.Failed() {
		t.Errorf("redocly lint: %v\n%s", runErr, stderr.Bytes())
	}
	for _, w := range listedWarnings(t) {
		if !slices.Contains(got, w) {
			t.Errorf("docs/OPENAPI.md lists the warning %s at %s, which Redocly no longer gives: remove it", w.Rule, w.Pointer)
		}
	}
	t.Logf("redocly: %d problems, all listed", len(report.Problems))
}

// copyDir copies the files of src (one level) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoClientFromOapiCodegen generates a Go client with oapi-codegen v2,
// compiles it unmodified with testdata/goclient/main.go, and runs that
// against a running server: list, create, and a typed 422.
func TestGoClientFromOapiCodegen(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated client")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		need(t, "go is not on PATH")
	}
	s := startServer(t)
	doc := openAPIDocument(t, s)
	dir := t.TempDir()
	copyDir(t, filepath.Join("testdata", "goclient"), dir)
	env := []string{"GOWORK=off", "GOFLAGS=-mod=mod"}
	gen := run(t, dir, env, goBin, "run", oapiCodegen, "-generate", "types,client", "-package", "main", doc)
	if err := os.WriteFile(filepath.Join(dir, "client.gen.go"), gen, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, env, goBin, "vet", ".")
	run(t, dir, env, goBin, "build", "-o", "goclient", ".")
	out := run(t, dir, nil, filepath.Join(dir, "goclient"), s.URL, s.Org, s.Token)
	t.Logf("%s", out)
	for _, want := range []string{"listed ", "created \"Created by the Go client\"", "refused with 422 "} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the Go client did not report %q:\n%s", want, out)
		}
	}
}

// TestTypeScriptClientFromOpenapiTypescript generates TypeScript types with
// openapi-typescript, compiles testdata/tsclient/main.ts against them and
// openapi-fetch with tsc --strict, unmodified, and runs it with node
// against a running server: list, create, and a typed 422.
func TestTypeScriptClientFromOpenapiTypescript(t *testing.T) {
	gen := npmTool(t, "openapi-typescript")
	tsc := npmTool(t, "tsc")
	s := startServer(t)
	doc := openAPIDocument(t, s)
	dir := t.TempDir()
	copyDir(t, filepath.Join("testdata", "tsclient"), dir)
	modules, err := filepath.Abs(filepath.Join("ts", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"package.json": `{"private": true, "type": "module"}`,
		"tsconfig.json": `{"compilerOptions": {"strict": true, "noUncheckedIndexedAccess": true, "target": "es2022",
			"module": "nodenext", "moduleResolution": "nodenext", "outDir": "out", "types": [], "lib": ["es2022", "dom"]},
			"files": ["main.ts", "schema.d.ts"]}`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, dir, quietNode, gen, doc, "--output", filepath.Join(dir, "schema.d.ts"))
	run(t, dir, quietNode, tsc, "-p", "tsconfig.json")
	out := run(t, dir, quietNode, "node", filepath.Join("out", "main.js"), s.URL, s.Org, s.Token)
	t.Logf("%s", out)
	for _, want := range []string{"listed ", "created \"Created by the TypeScript client\"", "refused with 422 "} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the TypeScript client did not report %q:\n%s", want, out)
		}
	}
}
