// Package seed fills an empty database with the demo organisation, through
// the application layer so that demo data obeys every rule real data does.
package seed

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
)

// Credentials are what a newcomer needs to use the demo: printed once, since
// only hashes are stored.
type Credentials struct {
	OrgSlug  string
	Email    string
	Password string
	Token    string
}

// Demo creates the demo owner, organisation, groups, personas and an API
// token. It refuses (conflict) when the database already holds an
// organisation, so it never mixes demo data into real data.
func Demo(ctx context.Context, svc *app.Service, data demo.Dataset) (Credentials, error) {
	n, err := svc.Store().CountOrgs(ctx)
	if err != nil {
		return Credentials{}, err
	}
	if n > 0 {
		return Credentials{}, persona.Errorf(persona.CodeConflict, "the database already holds %d organisation(s); demo data goes only into an empty database", n)
	}
	password := RandomPassword()
	owner, err := svc.CreateUser(ctx, data.OwnerEmail, data.OwnerName, password)
	if err != nil {
		return Credentials{}, fmt.Errorf("demo owner: %w", err)
	}
	actor := app.Actor{UserID: owner.ID, Email: owner.Email, Name: owner.Name}
	org, err := svc.CreateOrg(ctx, actor, data.OrgName, data.OrgSlug)
	if err != nil {
		return Credentials{}, fmt.Errorf("demo organisation: %w", err)
	}
	groups := map[string]string{}
	for _, g := range data.Groups {
		created, err := svc.CreateGroup(ctx, actor, org.Slug, app.GroupInput{Name: g.Name, Description: g.Description})
		if err != nil {
			return Credentials{}, fmt.Errorf("demo group %q: %w", g.Name, err)
		}
		groups[g.Key] = created.ID
	}
	templates, err := svc.ListTemplates(ctx, actor, org.Slug)
	if err != nil {
		return Credentials{}, err
	}
	byType := map[persona.ProfileType]string{}
	for _, t := range templates {
		if _, ok := byType[t.ProfileType]; !ok {
			byType[t.ProfileType] = t.ID
		}
	}
	ids := map[string]string{} // PersonaSpec.Key → ID
	created := make([]persona.Persona, len(data.Personas))
	inputs := make([]app.PersonaInput, len(data.Personas))
	for i, p := range data.Personas {
		in := app.PersonaInput{
			Name: p.Name, Summary: p.Summary, GroupID: groups[p.Group], TemplateID: byType[p.ProfileType],
			Status: p.Status, Values: p.Values, Dimensions: p.Dimensions,
			LastReviewedOn: p.LastReviewedOn, ReviewIntervalDays: p.ReviewIntervalDays,
			Message: "Imported from the research workshop",
		}
		c, err := svc.CreatePersona(ctx, actor, org.Slug, in)
		if err != nil {
			return Credentials{}, fmt.Errorf("demo persona %q: %w", p.Name, err)
		}
		ids[p.Key], created[i], inputs[i] = c.ID, c, in
	}
	// A second revision, so that history and diffs have something to show
	// from the first start; it also links the personas that reference
	// others (persona reference fields), now that every one exists.
	for i, p := range data.Personas {
		in := inputs[i]
		in.Summary = strings.TrimSpace(p.Summary + " Reviewed with the research team.")
		in.Message = "Summary reviewed"
		if len(p.Refs) > 0 {
			in.Values = persona.CloneValues(p.Values)
			for field, keys := range p.Refs {
				targets := make([]string, len(keys))
				for j, k := range keys {
					targets[j] = ids[k]
				}
				in.Values[field] = targets
			}
		}
		if _, err := svc.UpdatePersona(ctx, actor, org.Slug, created[i].ID, created[i].Revision, in); err != nil {
			return Credentials{}, fmt.Errorf("demo persona %q revision: %w", p.Name, err)
		}
	}
	for _, v := range data.Variants {
		_, err := svc.CreateVariant(ctx, actor, org.Slug, ids[v.Persona], app.VariantInput{
			CustomerID: ids[v.Customer], Note: v.Note, Values: v.Values, Dimensions: v.Dimensions,
			FieldNotes: v.FieldNotes, Message: "Workshop with the account teams",
		})
		if err != nil {
			return Credentials{}, fmt.Errorf("demo variant of %q for %q: %w", v.Persona, v.Customer, err)
		}
	}
	for _, a := range data.Alignments {
		for _, u := range a.Users {
			if _, err := svc.LinkPersonas(ctx, actor, org.Slug, ids[a.Buyer], ids[u]); err != nil {
				return Credentials{}, fmt.Errorf("demo alignment link %s → %s: %w", a.Buyer, u, err)
			}
		}
		for _, c := range a.Claims {
			_, err := svc.MapClaim(ctx, actor, org.Slug, ids[a.Buyer], app.ClaimMappingInput{ClaimField: c.ClaimField, Claim: c.Claim,
				UserID: ids[c.User], UserField: c.UserField, UserItem: c.UserItem, Verdict: c.Verdict, Note: c.Note})
			if err != nil {
				return Credentials{}, fmt.Errorf("demo claim %q for %s: %w", c.Claim, c.User, err)
			}
		}
	}
	if err := demoLaunchpad(ctx, svc, actor, org.Slug, ids); err != nil {
		return Credentials{}, fmt.Errorf("demo launchpad: %w", err)
	}
	if err := demoEvidence(ctx, svc, actor, org.Slug, ids); err != nil {
		return Credentials{}, fmt.Errorf("demo evidence: %w", err)
	}
	token, _, err := svc.CreateToken(ctx, actor, "Demo token")
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{OrgSlug: org.Slug, Email: owner.Email, Password: password, Token: token}, nil
}

// RandomPassword returns a random password that passes the password policy.
func RandomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
