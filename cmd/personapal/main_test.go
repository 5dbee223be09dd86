package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func field(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestAdminCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "admin.db")
	steps := []struct {
		args []string
		code int
		want string // in stdout (code 0) or stderr
	}{
		{[]string{"migrate", "--db", db}, 0, "up to date (sqlite)"},
		{[]string{"user", "create", "--db", db, "--email", "Ada@Example.com", "--name", "Ada", "--password", "correct horse battery"}, 0, "email: ada@example.com"},
		{[]string{"user", "create", "--db", db, "--email", "ada@example.com", "--password", "correct horse battery"}, 4, "already exists"},
		{[]string{"user", "create", "--db", db, "--email", "not-an-email", "--password", "short"}, 2, "email"},
		{[]string{"user", "create", "--db", db}, 2, "--email is required"},
		{[]string{"user", "create", "--db", db, "--email", "bob@example.com"}, 0, "password: "},
		{[]string{"org", "create", "--db", db, "--name", "Acme Research", "--owner", "ada@example.com"}, 0, "org: acme-research"},
		// A derived slug never collides: a taken one gets a suffix; a
		// slug given outright that is taken is refused.
		{[]string{"org", "create", "--db", db, "--name", "Acme Research", "--owner", "ada@example.com"}, 0, "org: acme-research-"},
		{[]string{"org", "create", "--db", db, "--name", "Acme Research", "--slug", "acme-research", "--owner", "ada@example.com"}, 4, "slug"},
		{[]string{"org", "create", "--db", db, "--name", "Ольга и партнёры", "--owner", "ada@example.com"}, 0, "org: olga-i-partnery"},
		{[]string{"org", "create", "--db", db, "--name", "王芳工作室", "--owner", "ada@example.com"}, 0, "org: org-"},
		{[]string{"org", "create", "--db", db, "--name", "Ghost", "--owner", "ghost@example.com"}, 3, "not found"},
		{[]string{"member", "add", "--db", db, "--org", "acme-research", "--email", "bob@example.com", "--role", "editor"}, 0, "role: editor"},
		{[]string{"member", "add", "--db", db, "--org", "nope", "--email", "bob@example.com", "--role", "editor"}, 3, "not found"},
		{[]string{"member", "add", "--db", db, "--org", "acme-research", "--email", "bob@example.com", "--role", "boss"}, 2, "role"},
		{[]string{"token", "create", "--db", db, "--email", "bob@example.com"}, 0, "token: pp_"},
		{[]string{"user", "set-password", "--db", db, "--email", "bob@example.com", "--password", "another good password"}, 0, "password changed"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	}
	for _, s := range steps {
		code, out, errOut := cli(t, s.args...)
		if code != s.code {
			t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", s.args, code, s.code, out, errOut)
		}
		where := out
		if code != 0 {
			where = errOut
		}
		if !strings.Contains(where, s.want) {
			t.Fatalf("%v: want %q in output\nstdout: %s\nstderr: %s", s.args, s.want, out, errOut)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	root := newRoot(io.Discard, io.Discard)
	var paths [][]string
	for _, c := range root.Commands() {
		paths = append(paths, []string{c.Name()})
		for _, sub := range c.Commands() {
			paths = append(paths, []string{c.Name(), sub.Name()})
		}
	}
	if len(paths) < 10 {
		t.Fatalf("only %d commands", len(paths))
	}
	for _, p := range paths {
		code, out, errOut := cli(t, append(p, "--help")...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("%v --help: exit %d\n%s%s", p, code, out, errOut)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeDemoPrintsCredentialsThatWork(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--db", db, "--addr", "127.0.0.1:0"}, &out, &errOut)
	}()

	deadline := time.Now().Add(60 * time.Second)
	for field(out.String(), "url") == "" {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no url\n%s\n%s", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	printed := out.String()
	// Each credential on its own line, in the order the README shows.
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(printed))
	for sc.Scan() {
		if k, _, ok := strings.Cut(sc.Text(), ": "); ok {
			keys = append(keys, k)
		}
	}
	if strings.Join(keys, ",") != "org,email,password,token,url" {
		t.Fatalf("printed keys %v:\n%s", keys, printed)
	}
	base := strings.TrimSuffix(field(printed, "url"), "/")
	req, _ := http.NewRequest("GET", base+"/api/v1/orgs/"+field(printed, "org")+"/personas?limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+field(printed, "token"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			ProfileType string `json:"profile_type"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || res.StatusCode != 200 {
		t.Fatalf("list personas: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	if len(list.Items) < 10 {
		t.Fatalf("%d demo personas", len(list.Items))
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit code %d after shutdown\n%s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}

	// A second start on the same database adds nothing and prints no secrets.
	code, out2, _ := cliCtxTimeout(t, 300*time.Millisecond, "serve", "--demo", "--db", db, "--addr", "127.0.0.1:0")
	if code != 0 || field(out2, "password") != "" || !strings.Contains(out2, "already holds data") {
		t.Fatalf("second start: exit %d\n%s", code, out2)
	}
}

// cliCtxTimeout runs a long-running command and stops it after d.
func cliCtxTimeout(t *testing.T, d time.Duration, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out, errOut syncBuffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}
