// Command goclient uses the client oapi-codegen generates from Persona
// Pal's OpenAPI document (client.gen.go, written beside it by the test in
// internal/clienttest, unmodified) against a running server: it lists the
// personas, creates one, and gets a typed 422 for an invalid one. It
// prints what it got and exits non-zero on anything unexpected.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: goclient <server URL> <organisation> <token>")
	}
	server, org, token := os.Args[1], os.Args[2], os.Args[3]
	ctx := context.Background()
	c, err := NewClientWithResponses(server, WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		fail("client: %v", err)
	}

	list, err := c.ListPersonasWithResponse(ctx, org, &ListPersonasParams{})
	if err != nil || list.JSON200 == nil {
		fail("list personas: %v %s", err, list.Body)
	}
	if len(list.JSON200.Items) == 0 {
		fail("list personas: none")
	}
	first := list.JSON200.Items[0]
	fmt.Printf("listed %d personas, the first %q\n", len(list.JSON200.Items), first.Name)

	name := "Created by the Go client"
	values := first.Values
	created, err := c.CreatePersonaWithResponse(ctx, org, CreatePersonaJSONRequestBody{
		Name: &name, TemplateId: &first.TemplateId, GroupId: &first.GroupId, Values: &values,
	})
	if err != nil || created.JSON201 == nil {
		fail("create persona: %v %d %s", err, created.StatusCode(), created.Body)
	}
	fmt.Printf("created %q (%s), revision %d\n", created.JSON201.Name, created.JSON201.Id, created.JSON201.Revision)

	empty := ""
	bad, err := c.CreatePersonaWithResponse(ctx, org, CreatePersonaJSONRequestBody{
		Name: &empty, TemplateId: &first.TemplateId, GroupId: &first.GroupId, Values: &values,
	})
	if err != nil || bad.ApplicationproblemJSON422 == nil {
		fail("create an invalid persona: want a typed 422, got %v %d %s", err, bad.StatusCode(), bad.Body)
	}
	p := bad.ApplicationproblemJSON422
	if p.Status != 422 || p.Errors == nil || len(*p.Errors) == 0 {
		fail("the 422 names no field: %+v", p)
	}
	d := (*p.Errors)[0]
	fmt.Printf("refused with %d %s: %s %s\n", p.Status, p.Title, *d.Location, *d.Message)
}
