package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// noWebhook are the audited changes of kinds that have webhook events but
// that emit none on purpose.
var noWebhook = map[[2]string]string{
	// Work links are not part of the persona a persona.updated payload
	// carries; a receiver would see no change.
	{"persona", "add work link"}:    "work links are not persona content",
	{"persona", "remove work link"}: "work links are not persona content",
}

// Every audit entry the application writes with a literal kind and action
// (s.entry(org, actor, "action", "kind", …)) for a kind that has webhook
// events emits one, or is listed in noWebhook: a new action on personas,
// variants, templates, evidence, comments or proposals cannot go
// unannounced by mistake (the map once used actions the entries never
// did).
func TestEveryAuditedChangeOfAWebhookKindHasAnEvent(t *testing.T) {
	kinds := map[string]bool{}
	for k := range webhookEvents {
		kinds[k[0]] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 4 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "entry" {
				return true
			}
			action, okA := literal(call.Args[2])
			kind, okK := literal(call.Args[3])
			if !okA || !okK || !kinds[kind] {
				return true
			}
			checked++
			pair := [2]string{kind, action}
			if _, ok := webhookEvents[pair]; !ok && noWebhook[pair] == "" {
				t.Errorf("%s: the audited change %q on %q emits no webhook event (add it to webhookEvents or to noWebhook with the reason)",
					fset.Position(call.Pos()), action, kind)
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("only %d audited changes found: the scan no longer sees the entries", checked)
	}
}

func literal(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}
