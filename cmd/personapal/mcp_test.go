package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store"
)

// mcpDemoDB is a database file with the demo organisation; it returns its
// path, the organisation's slug, the owner's read-write token and a
// read-only token.
func mcpDemoDB(t *testing.T) (db, org, token, readOnly string) {
	t.Helper()
	ctx := context.Background()
	db = filepath.Join(t.TempDir(), "mcp.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := app.New(st, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
	creds, err := seed.Demo(ctx, svc, demo.Data())
	if err != nil {
		t.Fatal(err)
	}
	owner, err := svc.Authenticate(ctx, creds.Token)
	if err != nil {
		t.Fatal(err)
	}
	ro, _, err := svc.CreateScopedToken(ctx, owner, app.TokenOptions{Scope: persona.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	return db, creds.OrgSlug, creds.Token, ro
}

// "personapal mcp" in-process, its stdin and stdout joined by pipes to the
// SDK's client.
func TestMCPStdioInProcess(t *testing.T) {
	db, org, _, readOnly := mcpDemoDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var errOut syncBuffer
	root := newRoot(outW, &errOut)
	root.SetIn(inR)
	root.SetArgs([]string{"mcp", "--db", db, "--org", org, "--token", readOnly})
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, root, &errOut)
		outW.Close()
	}()
	client := mcp.NewClient(&mcp.Implementation{Name: "test-assistant", Version: "1.0"}, nil)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, errOut.String())
	}
	checkStdioSession(t, ctx, cs, org)
	cs.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("mcp exited %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("mcp did not stop when its stdin closed")
	}
}

// checkStdioSession reads a persona through a resource and a tool, and
// finds that the read-only token cannot propose.
func checkStdioSession(t *testing.T, ctx context.Context, cs *mcp.ClientSession, org string) {
	t.Helper()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "search_personas", Arguments: map[string]any{"query": "System Lead"}})
	if err != nil || res.IsError {
		t.Fatalf("search: %v %+v", err, res)
	}
	hits := res.StructuredContent.(map[string]any)["results"].([]any)
	if len(hits) == 0 {
		t.Fatal("no hits")
	}
	first := hits[0].(map[string]any)
	uri := first["uri"].(string)
	if !strings.HasPrefix(uri, "personapal://orgs/"+org+"/personas/") {
		t.Fatalf("uri %s", uri)
	}
	rr, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
	if err != nil || !strings.HasPrefix(rr.Contents[0].Text, "# ") {
		t.Fatalf("read %s: %v %+v", uri, err, rr)
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "propose_change", Arguments: map[string]any{
		"id": first["id"], "message": "x", "values": map[string]any{"quote": "y"}}})
	if err != nil || !res.IsError {
		t.Fatalf("a read-only token proposed: %v %+v", err, res)
	}
}

// The built binary over its real stdin and stdout (mcp.CommandTransport),
// as a desktop assistant starts it; and refused without a good token.
func TestMCPStdioBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	db, org, token, _ := mcpDemoDB(t)
	bin := filepath.Join(t.TempDir(), "personapal")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cmd := exec.Command(bin, "mcp", "--db", db, "--org", org)
	cmd.Env = append(os.Environ(), "PERSONAPAL_TOKEN="+token)
	cmd.Stderr = io.Discard
	client := mcp.NewClient(&mcp.Implementation{Name: "test-assistant", Version: "1.0"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "list_launchpads", Arguments: map[string]any{}})
	if err != nil || res.IsError || len(res.StructuredContent.(map[string]any)["launchpads"].([]any)) == 0 {
		t.Fatalf("list_launchpads: %v %+v", err, res)
	}
	if err := cs.Close(); err != nil {
		t.Errorf("close: %v", err)
	}

	for _, env := range [][]string{{"PERSONAPAL_TOKEN="}, {"PERSONAPAL_TOKEN=pp_nope"}} {
		cmd := exec.Command(bin, "mcp", "--db", db, "--org", org)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "token") {
			t.Errorf("%v: %v %s", env, err, out)
		}
	}
}
