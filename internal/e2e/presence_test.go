package e2e_test

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// addMember creates a user with the CLI and makes them a member of the
// demo organisation.
func addMember(t *testing.T, email, name, password, role string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, args := range [][]string{
		{"user", "create", "--db", env.db, "--email", email, "--name", name, "--password", password},
		{"member", "add", "--db", env.db, "--org", env.org, "--email", email, "--role", role},
	} {
		if out, err := exec.CommandContext(ctx, env.bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("personapal %s: %v\n%s", args[0], err, out)
		}
	}
}

// Two people, two browsers (own cookies), one persona: each sees the other
// named under the page head; when one opens the edit form the other reads
// "editing"; when they leave the form, the line empties (well within the
// rows' expiry: leaving deletes the row).
func TestPresenceTwoBrowsers(t *testing.T) {
	id := unique("")
	eliEmail, eliPassword := "eli-"+id+"@example.com", "eli-password-"+id
	addMember(t, eliEmail, "Eli Editor", eliPassword, "editor")
	pid := personaID(t, "Compliance Analyst")
	page := orgPath("/personas/" + pid)

	dana := signIn(t, page)
	eli := newBrowser(t)
	eli.step("Eli signs in", signInAs(eliEmail, eliPassword), atPath("^"+orgPath("")+"$"))
	eli.step("Eli opens the persona", open(page), present("#presence", 1))

	dana.step("Dana sees Eli viewing", see("#presence", "Eli Editor is viewing this persona."))
	eli.step("Eli sees Dana viewing", see("#presence", "Dana Demo is viewing this persona."))
	dana.step("Eli's initials are in the line", see("#presence .presence-face.viewing", "EE"))

	eli.step("Eli opens the edit form", open(page+"/edit"), present("form", 1), present("#presence", 1))
	dana.step("Dana sees Eli editing", see("#presence", "Eli Editor is editing this persona."),
		present("#presence .presence-face.editing", 1))
	eli.step("Eli's form names Dana viewing", see("#presence", "Dana Demo is viewing this persona."))

	eli.step("Eli leaves the form for the home page", open(orgPath("")))
	dana.step("Eli is gone from Dana's line", seeExactly("#presence", ""))
}
