package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// mcpInitialize is an MCP initialize request.
const mcpInitialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`

// /mcp is routed on the real server (not to the web application): it
// answers 401 without a token, 404 for an organisation the token's user
// is not in, and MCP with a good token. internal/mcpserver's tests drive
// it with the SDK's client.
func TestMCPRoute(t *testing.T) {
	e := newEnv(t)
	mcpHeaders := []string{"Accept", "application/json, text/event-stream"}
	_, rec := e.send("POST", "/mcp", "", mcpInitialize, mcpHeaders...)
	if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") ||
		rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	_, rec = e.send("POST", "/mcp?org="+e.org, e.other, mcpInitialize, mcpHeaders...)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "Ledgerline") {
		t.Fatalf("outsider: %d %s", rec.Code, rec.Body)
	}
	_, rec = e.send("POST", "/mcp?org="+e.org, e.viewer, mcpInitialize, mcpHeaders...)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"serverInfo"`) {
		t.Fatalf("viewer: %d %s", rec.Code, rec.Body)
	}
	// Stateless: no event stream to open, no session to end.
	if _, rec = e.send("GET", "/mcp", e.viewer, nil); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /mcp: %d %s", rec.Code, rec.Body)
	}
}
