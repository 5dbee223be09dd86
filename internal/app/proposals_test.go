package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// proposalOrg is an organisation with an owner, an editor, a viewer and an
// outsider, and a published UX persona the owner owns.
type proposalOrg struct {
	svc                            *app.Service
	slug, group, template          string
	owner, editor, viewer, outside app.Actor
	p                              persona.Persona
}

func newProposalOrg(ctx context.Context, t *testing.T, eng storetest.Engine) proposalOrg {
	t.Helper()
	db := eng.Open(t)
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	svc := app.New(db, quiet, app.WithPasswordHasher(cheap), app.WithClock(func() time.Time { return now }))
	o := proposalOrg{svc: svc, slug: "proposals", owner: person(ctx, t, svc, "owner@example.com")}
	if _, err := svc.CreateOrg(ctx, o.owner, "Proposal Org", o.slug); err != nil {
		t.Fatal(err)
	}
	o.editor, o.viewer, o.outside = person(ctx, t, svc, "editor@example.com"), person(ctx, t, svc, "viewer@example.com"), person(ctx, t, svc, "outsider@example.com")
	join(ctx, t, svc, o.slug, o.editor, persona.RoleEditor)
	join(ctx, t, svc, o.slug, o.viewer, persona.RoleViewer)
	if _, err := svc.CreateOrg(ctx, o.outside, "Elsewhere", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	ts, _ := svc.ListTemplates(ctx, o.owner, o.slug)
	for _, tm := range ts {
		if tm.ProfileType == persona.ProfileUX {
			o.template = tm.ID
		}
	}
	g, err := svc.CreateGroup(ctx, o.owner, o.slug, app.GroupInput{Name: "Nurses"})
	if err != nil {
		t.Fatal(err)
	}
	o.group = g.ID
	o.p, err = svc.CreatePersona(ctx, o.owner, o.slug, app.PersonaInput{Name: "Nora", TemplateID: o.template, GroupID: g.ID,
		Status: persona.StatusPublished, Values: persona.Values{"role_title": "Nurse", "quote": "Give me one screen"}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// input is the persona's content as a form would send it, with changes.
func (o proposalOrg) input(p persona.Persona, values persona.Values) app.PersonaInput {
	v := persona.Values{}
	for k, x := range p.Values {
		v[k] = x
	}
	for k, x := range values {
		v[k] = x
	}
	return app.PersonaInput{Name: p.Name, GroupID: p.GroupID, Status: p.Status, OwnerID: p.OwnerID, Values: v, Dimensions: p.Dimensions}
}

// TestProposals, on both engines: a viewer proposes, an outsider sees
// nothing, a viewer cannot accept, the owner's accept makes a new revision
// authored by the proposer, decline and withdraw close a proposal once.
func TestProposals(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newProposalOrg(ctx, t, eng)
			in := app.ProposalInput{Persona: o.input(o.p, persona.Values{"role_title": "Charge nurse"}), Message: "She was promoted in March"}

			_, err := o.svc.CreateProposal(ctx, o.outside, o.slug, o.p.ID, in)
			mustCode(t, err, persona.CodeNotFound, "an outsider proposes")
			_, err = o.svc.CreateProposal(ctx, o.viewer, o.slug, o.p.ID, app.ProposalInput{Persona: o.input(o.p, nil)})
			mustCode(t, err, persona.CodeInvalid, "a proposal that changes nothing")

			pr, err := o.svc.CreateProposal(ctx, o.viewer, o.slug, o.p.ID, in)
			if err != nil {
				t.Fatalf("a viewer proposes: %v", err)
			}
			if pr.Status != persona.ProposalOpen || pr.BaseRevision != o.p.Revision || pr.AuthorID != o.viewer.UserID {
				t.Errorf("proposal %+v", pr)
			}
			_, err = o.svc.GetProposal(ctx, o.outside, o.slug, pr.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads a proposal")
			_, err = o.svc.GetProposal(ctx, o.outside, "elsewhere", pr.ID)
			mustCode(t, err, persona.CodeNotFound, "a proposal read through another organisation")
			_, err = o.svc.ListProposals(ctx, o.outside, o.slug, "")
			mustCode(t, err, persona.CodeNotFound, "an outsider lists proposals")

			v, err := o.svc.GetProposal(ctx, o.viewer, o.slug, pr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.CanDecide || !v.CanWithdraw || v.Changed {
				t.Errorf("viewer's view: decide %v, withdraw %v, changed %v", v.CanDecide, v.CanWithdraw, v.Changed)
			}
			if len(v.AgainstBase) != 1 || v.AgainstBase[0].Path != "values.role_title" || v.AgainstBase[0].After != "Charge nurse" {
				t.Errorf("diff %+v", v.AgainstBase)
			}
			if n, err := o.svc.CountOpenProposals(ctx, o.viewer, o.slug, o.p.ID); err != nil || n != 1 {
				t.Errorf("open proposals: %d, %v", n, err)
			}

			_, _, err = o.svc.AcceptProposal(ctx, o.viewer, o.slug, pr.ID, nil)
			mustCode(t, err, persona.CodeForbidden, "a viewer accepts")
			_, err = o.svc.DeclineProposal(ctx, o.viewer, o.slug, pr.ID, "no")
			mustCode(t, err, persona.CodeForbidden, "a viewer declines")
			_, _, err = o.svc.AcceptProposal(ctx, o.outside, o.slug, pr.ID, nil)
			mustCode(t, err, persona.CodeNotFound, "an outsider accepts")
			_, err = o.svc.WithdrawProposal(ctx, o.editor, o.slug, pr.ID)
			mustCode(t, err, persona.CodeForbidden, "someone else withdraws")

			done, p, err := o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, nil)
			if err != nil {
				t.Fatalf("the owner accepts: %v", err)
			}
			if p.Revision != o.p.Revision+1 || p.Values["role_title"] != "Charge nurse" || p.Values["quote"] != "Give me one screen" {
				t.Errorf("accepted persona: revision %d, values %v", p.Revision, p.Values)
			}
			if done.Status != persona.ProposalAccepted || done.AppliedRevision != p.Revision || done.DecidedBy != o.owner.UserID {
				t.Errorf("accepted proposal %+v", done)
			}
			revs, err := o.svc.ListRevisions(ctx, o.owner, o.slug, o.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := revs[0]
			for _, r := range revs {
				if r.Number > last.Number {
					last = r
				}
			}
			if last.Number != p.Revision || last.AuthorID != o.viewer.UserID {
				t.Errorf("the new revision %d is by %s, want revision %d by the proposer %s", last.Number, last.AuthorID, p.Revision, o.viewer.UserID)
			}
			_, _, err = o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, nil)
			mustCode(t, err, persona.CodeConflict, "accepting twice")
			// The owner was told a proposal awaits; the proposer that it was accepted.
			for _, c := range []struct {
				who  app.Actor
				kind persona.NotificationKind
			}{{o.owner, persona.NotifyProposalAwaits}, {o.viewer, persona.NotifyProposalDecided}} {
				page, err := o.svc.Notifications(ctx, c.who, o.slug, persona.NotificationFilter{})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, n := range page.Items {
					found = found || (n.Kind == c.kind && n.ObjectID == pr.ID)
				}
				if !found {
					t.Errorf("%s has no %s notification: %+v", c.who.Email, c.kind, page.Items)
				}
			}
			if n, _ := o.svc.CountOpenProposals(ctx, o.viewer, o.slug, o.p.ID); n != 0 {
				t.Errorf("open proposals after the accept: %d", n)
			}

			// Decline, with a reason; once.
			second, err := o.svc.CreateProposal(ctx, o.viewer, o.slug, o.p.ID, app.ProposalInput{Persona: o.input(p, persona.Values{"team_size": 12}), Message: "Bigger ward"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.svc.DeclineProposal(ctx, o.editor, o.slug, second.ID, string(make([]byte, persona.MaxProposalMessage+1)))
			mustCode(t, err, persona.CodeInvalid, "a reason too long")
			dec, err := o.svc.DeclineProposal(ctx, o.editor, o.slug, second.ID, "  Not what the interviews say  ")
			if err != nil {
				t.Fatal(err)
			}
			if dec.Status != persona.ProposalDeclined || dec.Reason != "Not what the interviews say" {
				t.Errorf("declined %+v", dec)
			}
			_, err = o.svc.WithdrawProposal(ctx, o.viewer, o.slug, second.ID)
			mustCode(t, err, persona.CodeConflict, "withdrawing a declined proposal")

			// Withdraw by the proposer.
			third, err := o.svc.CreateProposal(ctx, o.viewer, o.slug, o.p.ID, app.ProposalInput{Persona: o.input(p, persona.Values{"team_size": 8})})
			if err != nil {
				t.Fatal(err)
			}
			if w, err := o.svc.WithdrawProposal(ctx, o.viewer, o.slug, third.ID); err != nil || w.Status != persona.ProposalWithdrawn {
				t.Errorf("withdraw: %+v, %v", w, err)
			}
			list, err := o.svc.ListProposals(ctx, o.viewer, o.slug, o.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var statuses []persona.ProposalStatus
			for _, l := range list {
				statuses = append(statuses, l.Status)
			}
			slices.Sort(statuses)
			if want := []persona.ProposalStatus{"accepted", "declined", "withdrawn"}; !slices.Equal(statuses, want) {
				t.Errorf("statuses %v, want %v", statuses, want)
			}
		})
	}
}

// TestProposalConflict, on both engines: an editor changes the field a
// proposal changes; the accept is refused naming the field until a choice
// is made for it, and then applies the choice.
func TestProposalConflict(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newProposalOrg(ctx, t, eng)
			pr, err := o.svc.CreateProposal(ctx, o.viewer, o.slug, o.p.ID, app.ProposalInput{
				Persona: o.input(o.p, persona.Values{"quote": "Fewer clicks, please", "team_size": 9}), Message: "From the ward visit"})
			if err != nil {
				t.Fatal(err)
			}
			cur, err := o.svc.UpdatePersona(ctx, o.editor, o.slug, o.p.ID, o.p.Revision, o.input(o.p, persona.Values{"quote": "Just let me chart"}))
			if err != nil {
				t.Fatal(err)
			}
			v, err := o.svc.GetProposal(ctx, o.owner, o.slug, pr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Changed || len(v.Merge.Conflicts) != 1 || v.Merge.Conflicts[0].Path != "values.quote" || v.Merge.Conflicts[0].Current != "Just let me chart" {
				t.Fatalf("conflicts %+v (changed %v)", v.Merge.Conflicts, v.Changed)
			}
			_, _, err = o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, nil)
			mustCode(t, err, persona.CodeConflict, "accept without a choice")
			e, _ := persona.AsError(err)
			if len(e.Fields) != 1 || e.Fields[0].Field != "values.quote" {
				t.Errorf("conflict fields %+v", e.Fields)
			}
			if now, _ := o.svc.GetPersona(ctx, o.owner, o.slug, o.p.ID); now.Revision != cur.Revision {
				t.Errorf("a refused accept wrote revision %d", now.Revision)
			}
			_, p, err := o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, map[string]persona.Resolution{"values.quote": persona.ResolveProposed})
			if err != nil {
				t.Fatal(err)
			}
			if p.Revision != cur.Revision+1 || p.Values["quote"] != "Fewer clicks, please" || p.Values["role_title"] != "Nurse" {
				t.Errorf("resolved persona: revision %d, values %v", p.Revision, p.Values)
			}
			if n, ok := p.Values["team_size"].(float64); !ok || n != 9 {
				t.Errorf("the non-conflicting change: %#v", p.Values["team_size"])
			}
		})
	}
}

// TestProposalSignOff, on both engines: with the setting on, a direct edit
// of a published persona is refused (drafts stay editable), only admins
// change the setting, and an accepted proposal still changes the persona.
func TestProposalSignOff(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newProposalOrg(ctx, t, eng)
			mustCode(t, o.svc.SetRequiresProposals(ctx, o.editor, o.slug, true), persona.CodeForbidden, "an editor turns sign-off on")
			mustCode(t, o.svc.SetRequiresProposals(ctx, o.outside, o.slug, true), persona.CodeNotFound, "an outsider turns sign-off on")
			if err := o.svc.SetRequiresProposals(ctx, o.owner, o.slug, true); err != nil {
				t.Fatal(err)
			}
			if on, err := o.svc.RequiresProposals(ctx, o.viewer, o.slug); err != nil || !on {
				t.Fatalf("setting: %v, %v", on, err)
			}
			_, err := o.svc.UpdatePersona(ctx, o.editor, o.slug, o.p.ID, o.p.Revision, o.input(o.p, persona.Values{"quote": "Direct"}))
			if !app.ProposalRequired(err) {
				t.Fatalf("a direct edit of a published persona: %v", err)
			}
			pr, err := o.svc.CreateProposal(ctx, o.editor, o.slug, o.p.ID, app.ProposalInput{Persona: o.input(o.p, persona.Values{"quote": "Through sign-off"})})
			if err != nil {
				t.Fatal(err)
			}
			if _, p, err := o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, nil); err != nil || p.Values["quote"] != "Through sign-off" {
				t.Fatalf("accept under sign-off: %v, %v", p.Values, err)
			}
			// A draft stays directly editable.
			d, err := o.svc.CreatePersona(ctx, o.editor, o.slug, app.PersonaInput{Name: "Draft Dana", TemplateID: o.template, GroupID: o.group,
				Status: persona.StatusDraft, Values: persona.Values{"role_title": "Porter"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.svc.UpdatePersona(ctx, o.editor, o.slug, d.ID, d.Revision, o.input(d, persona.Values{"quote": "Direct"})); err != nil {
				t.Fatalf("a direct edit of a draft under sign-off: %v", err)
			}
			cur, _ := o.svc.GetPersona(ctx, o.owner, o.slug, o.p.ID)
			if err := o.svc.SetRequiresProposals(ctx, o.owner, o.slug, false); err != nil {
				t.Fatal(err)
			}
			if _, err := o.svc.UpdatePersona(ctx, o.editor, o.slug, o.p.ID, cur.Revision, o.input(cur, persona.Values{"quote": "Direct again"})); err != nil {
				t.Fatalf("a direct edit with sign-off off: %v", err)
			}
		})
	}
}

// TestVariantProposal, on both engines: a viewer proposes a change to a
// customer variant's overrides; an outsider sees nothing; after an editor
// changes the same override the accept names it until chosen, and then
// saves the variant's next revision by the proposer.
func TestVariantProposal(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			o := newProposalOrg(ctx, t, eng)
			v, err := o.svc.CreateVariant(ctx, o.editor, o.slug, o.p.ID, app.VariantInput{CustomerLabel: "Night shift",
				Values: persona.Values{"quote": "Nights are quiet"}})
			if err != nil {
				t.Fatal(err)
			}
			in := app.VariantProposalInput{Message: "Nights changed", Variant: app.VariantInput{Note: "More staff at night",
				Values: persona.Values{"quote": "Nights are busy", "team_size": 4}}}
			_, err = o.svc.CreateVariantProposal(ctx, o.outside, o.slug, v.ID, in)
			mustCode(t, err, persona.CodeNotFound, "an outsider proposes on a variant")
			_, err = o.svc.CreateVariantProposal(ctx, o.viewer, o.slug, v.ID, app.VariantProposalInput{Variant: app.VariantInput{Values: v.Values}})
			mustCode(t, err, persona.CodeInvalid, "a variant proposal that changes nothing")
			pr, err := o.svc.CreateVariantProposal(ctx, o.viewer, o.slug, v.ID, in)
			if err != nil {
				t.Fatalf("a viewer proposes on a variant: %v", err)
			}
			if pr.VariantID != v.ID || pr.BaseRevision != v.Revision || pr.PersonaID != o.p.ID {
				t.Errorf("variant proposal %+v", pr)
			}
			view, err := o.svc.GetProposal(ctx, o.viewer, o.slug, pr.ID)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, c := range view.AgainstBase {
				paths = append(paths, c.Path)
			}
			slices.Sort(paths)
			if want := []string{"note", "values.quote", "values.team_size"}; !slices.Equal(paths, want) {
				t.Errorf("variant diff %v, want %v", paths, want)
			}
			if view.Variant == nil || view.Variant.ID != v.ID {
				t.Errorf("the view's variant: %+v", view.Variant)
			}
			_, err = o.svc.GetProposal(ctx, o.outside, o.slug, pr.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider reads a variant proposal")
			_, _, err = o.svc.AcceptProposal(ctx, o.viewer, o.slug, pr.ID, nil)
			mustCode(t, err, persona.CodeForbidden, "a viewer accepts a variant proposal")

			cur, err := o.svc.UpdateVariant(ctx, o.editor, o.slug, v.ID, v.Revision, app.VariantInput{CustomerLabel: "Night shift",
				Values: persona.Values{"quote": "Nights are long"}})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, nil)
			mustCode(t, err, persona.CodeConflict, "accepting a variant proposal over a conflict")
			if e, _ := persona.AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != "values.quote" {
				t.Errorf("variant conflict fields %+v", e.Fields)
			}
			done, _, err := o.svc.AcceptProposal(ctx, o.owner, o.slug, pr.ID, map[string]persona.Resolution{"values.quote": persona.ResolveProposed})
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.svc.GetVariant(ctx, o.owner, o.slug, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Variant.Revision != cur.Revision+1 || done.AppliedRevision != got.Variant.Revision ||
				got.Variant.Values["quote"] != "Nights are busy" || got.Variant.Note != "More staff at night" || got.Variant.CustomerLabel != "Night shift" {
				t.Errorf("accepted variant: revision %d (applied %d), %+v", got.Variant.Revision, done.AppliedRevision, got.Variant.VariantContent)
			}
			revs, err := o.svc.ListVariantRevisions(ctx, o.owner, o.slug, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range revs {
				if r.Number == got.Variant.Revision && r.AuthorID != o.viewer.UserID {
					t.Errorf("the variant revision is by %s, want the proposer", r.AuthorID)
				}
			}
			if p, _ := o.svc.GetPersona(ctx, o.owner, o.slug, o.p.ID); p.Revision != o.p.Revision {
				t.Errorf("a variant proposal changed the persona: revision %d", p.Revision)
			}
		})
	}
}
