package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"iter"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/store/storetest"
)

// stepFailed carries a step's error out of it (see must below).
type stepFailed struct{ err error }

// TestEveryWriteCommitsWithItsAuditEntry runs every kind of write the
// application records, each twice, on both engines: first while the
// database refuses audit entries (a trigger), when the write must fail and
// leave every table exactly as it was; then normally, when it must leave
// exactly one entry naming who did it, what and to which object.
func TestEveryWriteCommitsWithItsAuditEntry(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			db := eng.Open(t)
			svc := app.New(db, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithPasswordHasher(cheap),
				app.WithSSO("https://idp.example.com/", "Example IdP"))
			creds, err := seed.Demo(ctx, svc, demo.Data())
			if err != nil {
				t.Fatal(err)
			}
			org := creds.OrgSlug
			ou, err := svc.UserByEmail(ctx, creds.Email)
			if err != nil {
				t.Fatal(err)
			}
			owner, err := svc.ActorFor(ctx, ou.ID)
			if err != nil {
				t.Fatal(err)
			}
			newcomer, err := svc.CreateUser(ctx, "newcomer@example.com", "Nina Newcomer", "newcomer-password-1")
			if err != nil {
				t.Fatal(err)
			}
			newcomerActor := app.Actor{UserID: newcomer.ID, Email: newcomer.Email}
			decliner, err := svc.CreateUser(ctx, "decliner@example.com", "Dora Decliner", "decliner-password-1")
			if err != nil {
				t.Fatal(err)
			}
			declinerActor := app.Actor{UserID: decliner.ID, Email: decliner.Email}
			linkUser, err := svc.CreateUser(ctx, "linked@example.net", "Lina Linked", "linked-password-1")
			if err != nil {
				t.Fatal(err)
			}
			linkActor := app.Actor{UserID: linkUser.ID, Email: linkUser.Email}
			vu, err := svc.CreateUser(ctx, "viewer@example.com", "Vera Viewer", "viewer-password-1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddMember(ctx, app.System, org, vu.Email, persona.RoleViewer); err != nil {
				t.Fatal(err)
			}
			viewer := app.Actor{UserID: vu.ID, Email: vu.Email}
			hu, err := svc.CreateUser(ctx, "heir@example.com", "Hal Heir", "heir-password-12")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddMember(ctx, app.System, org, hu.Email, persona.RoleEditor); err != nil {
				t.Fatal(err)
			}
			heir := app.Actor{UserID: hu.ID, Email: hu.Email}
			orgInfo, _, err := svc.GetOrg(ctx, owner, org)
			if err != nil {
				t.Fatal(err)
			}
			// A step may say who acts (actedBy) and which entries its
			// change writes before its own (also: "action kind"), in the
			// one transaction.
			var (
				actedBy *app.Actor
				also    []string
			)
			// must ends a step with its error; the runner below tells a
			// refused step from a broken one.
			must := func(err error) {
				if err != nil {
					panic(stepFailed{err})
				}
			}
			refuse, allow := `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`,
				`DROP TRIGGER refuse_audit`
			if eng.Name == "postgres" {
				refuse = `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
					CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`
				allow = `DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit()`
			}
			sqlExec := func(q string) {
				t.Helper()
				if _, err := db.SQL().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}

			// State the steps share, filled as they go.
			var (
				groupID, emptyGroupID, tmplID, personaID, variantID, noteID, evidenceID, docID, linkID string
				newGroupID, newPersonaID                                                               string
				alignID, claimID, launchpadID, invitationID, declinedID                                string
				personaRev, variantRev, launchpadRev, catRev                                           int
				ssoJoinedID                                                                            string
				workLinkID                                                                             string
				joinerInvID, linkDeclinedID                                                            string
			)
			ssoOwner := owner
			ssoOwner.SSO = true // signed in with single sign-on
			def := persona.Definition{Sections: []persona.Section{{Key: "profile", Label: "Profile",
				Fields: []persona.Field{{Key: "bio", Label: "Bio", Kind: persona.KindText}}}}, Dimensions: []persona.Dimension{}}
			def2 := def
			def2.Sections = []persona.Section{{Key: "profile", Label: "Profile", Fields: []persona.Field{
				{Key: "bio", Label: "Bio", Kind: persona.KindText}, {Key: "motto", Label: "Motto", Kind: persona.KindText}}}}
			buyers, err := svc.ListPersonas(ctx, owner, org, persona.PersonaFilter{ProfileType: persona.ProfileMarketing, Limit: 1}, "")
			if err != nil {
				t.Fatal(err)
			}
			buyer := buyers.Items[0]

			steps := []struct {
				action, kind string
				run          func() string // returns the object's ID ("": not checked)
			}{
				{"create", "group", func() string {
					g, err := svc.CreateGroup(ctx, owner, org, app.GroupInput{Name: "Audited group"})
					must(err)
					groupID = g.ID
					return g.ID
				}},
				{"update", "group", func() string {
					_, err := svc.UpdateGroup(ctx, owner, org, groupID, app.GroupInput{Name: "Audited group, renamed"})
					must(err)
					return groupID
				}},
				{"create", "group", func() string {
					g, err := svc.CreateGroup(ctx, owner, org, app.GroupInput{Name: "Short-lived"})
					must(err)
					emptyGroupID = g.ID
					return g.ID
				}},
				{"delete", "group", func() string {
					must(svc.DeleteGroup(ctx, owner, org, emptyGroupID))
					return emptyGroupID
				}},
				{"create", "template", func() string {
					tm, err := svc.CreateTemplate(ctx, owner, org, app.TemplateInput{Name: "Audited template", ProfileType: persona.ProfileUX, Definition: &def})
					must(err)
					tmplID = tm.ID
					return tm.ID
				}},
				{"update", "template", func() string {
					_, err := svc.UpdateTemplate(ctx, owner, org, tmplID, app.TemplateInput{Name: "Audited template v"})
					must(err)
					return tmplID
				}},
				{"publish", "template", func() string {
					_, err := svc.Publish(ctx, owner, org, tmplID)
					must(err)
					return tmplID
				}},
				{"create", "persona", func() string {
					p, err := svc.CreatePersona(ctx, owner, org, app.PersonaInput{Name: "Audrey Audit", GroupID: groupID, TemplateID: tmplID,
						Status: persona.StatusDraft, Values: persona.Values{"bio": "First bio"}})
					must(err)
					personaID, personaRev = p.ID, p.Revision
					return p.ID
				}},
				{"review", "persona", func() string {
					_, err := svc.MarkReviewed(ctx, owner, org, personaID, "Checked with the research team")
					must(err)
					return personaID
				}},
				{"save draft", "template", func() string {
					_, err := svc.SaveDraft(ctx, owner, org, tmplID, def2)
					must(err)
					return tmplID
				}},
				{"publish", "template", func() string {
					_, err := svc.Publish(ctx, owner, org, tmplID)
					must(err)
					return tmplID
				}},
				{"upgrade", "persona", func() string {
					_, p, err := svc.UpgradePersona(ctx, owner, org, personaID, personaRev, app.UpgradeRequest{})
					must(err)
					personaRev = p.Revision
					return personaID
				}},
				{"restore revision", "persona", func() string {
					p, err := svc.RestoreRevision(ctx, owner, org, personaID, 1, personaRev)
					must(err)
					personaRev = p.Revision
					return personaID
				}},
				{"create", "variant", func() string {
					v, err := svc.CreateVariant(ctx, owner, org, personaID, app.VariantInput{CustomerLabel: "Credit Union",
						Values: persona.Values{"bio": "Credit union bio"}, Note: "Smaller"})
					must(err)
					variantID, variantRev = v.ID, v.Revision
					return v.ID
				}},
				{"update", "variant", func() string {
					v, err := svc.UpdateVariant(ctx, owner, org, variantID, variantRev, app.VariantInput{CustomerLabel: "Credit Union",
						Values: persona.Values{"bio": "Credit union bio", "motto": "Small is beautiful"}, Note: "Smaller still"})
					must(err)
					variantRev = v.Revision
					return variantID
				}},
				{"update", "persona", func() string { // the base changes under the override
					p, err := svc.UpdatePersona(ctx, owner, org, personaID, personaRev, app.PersonaInput{Name: "Audrey Audit",
						Status: persona.StatusDraft, Values: persona.Values{"bio": "Second bio"}})
					must(err)
					personaRev = p.Revision
					return personaID
				}},
				{"keep override", "variant", func() string {
					d, err := svc.GetVariant(ctx, owner, org, variantID)
					must(err)
					if !slices.Contains(d.BaseChanged, "values.bio") {
						t.Fatalf("base change not seen: %v", d.BaseChanged)
					}
					v := d.Variant
					v2, err := svc.UpdateVariant(ctx, owner, org, variantID, variantRev, app.VariantInput{CustomerLabel: v.CustomerLabel,
						Values: v.Values, Dimensions: v.Dimensions, FieldNotes: v.FieldNotes, Note: v.Note, Confirm: []string{"values.bio"}})
					must(err)
					variantRev = v2.Revision
					return variantID
				}},
				{"drop override", "variant", func() string {
					v, err := svc.UpdateVariant(ctx, owner, org, variantID, variantRev, app.VariantInput{CustomerLabel: "Credit Union",
						Values: persona.Values{"motto": "Small is beautiful"}, Note: "Smaller still"})
					must(err)
					variantRev = v.Revision
					return variantID
				}},
				{"restore revision", "variant", func() string {
					v, err := svc.RestoreVariantRevision(ctx, owner, org, variantID, 1, variantRev)
					must(err)
					variantRev = v.Revision
					return variantID
				}},
				{"create", "note", func() string {
					n, err := svc.AddNote(ctx, owner, org, persona.NoteOnPersona, personaID, "Checked with **sales**")
					must(err)
					noteID = n.ID
					return n.ID
				}},
				{"update", "note", func() string {
					_, err := svc.UpdateNote(ctx, owner, org, noteID, "Checked with sales and support")
					must(err)
					return noteID
				}},
				{"delete", "note", func() string {
					_, err := svc.DeleteNote(ctx, owner, org, noteID)
					must(err)
					return noteID
				}},
				{"create", "evidence", func() string {
					ev, err := svc.AddEvidence(ctx, owner, org, app.EvidenceInput{Kind: persona.EvidenceWebLink, Title: "Audit study", URL: "https://example.com/study"})
					must(err)
					evidenceID = ev.ID
					return ev.ID
				}},
				{"update", "evidence", func() string {
					_, err := svc.UpdateEvidence(ctx, owner, org, evidenceID, app.EvidenceInput{Kind: persona.EvidenceWebLink, Title: "Audit study (2026)", URL: "https://example.com/study"})
					must(err)
					return evidenceID
				}},
				{"upload", "evidence", func() string {
					ev, err := svc.UploadEvidence(ctx, owner, org, app.EvidenceInput{Title: "Interview notes"},
						app.Upload{Name: "notes.txt", Content: strings.NewReader("What they said.\n")})
					must(err)
					docID = ev.ID
					return ev.ID
				}},
				{"link", "evidence", func() string {
					l, err := svc.LinkEvidence(ctx, owner, org, evidenceID, app.EvidenceLinkInput{PersonaID: personaID, Field: "values.bio", Stance: persona.StanceSupports})
					must(err)
					linkID = l.ID
					return evidenceID
				}},
				{"unlink", "evidence", func() string {
					_, err := svc.UnlinkEvidence(ctx, owner, org, evidenceID, linkID)
					must(err)
					return evidenceID
				}},
				{"delete", "evidence", func() string {
					_, err := svc.DeleteEvidence(ctx, owner, org, docID)
					must(err)
					return docID
				}},
				{"link", "alignment link", func() string {
					l, err := svc.LinkPersonas(ctx, owner, org, buyer.ID, personaID)
					must(err)
					alignID = l.ID
					return l.ID
				}},
				{"create", "claim verdict", func() string {
					a, err := svc.AlignmentOf(ctx, owner, org, buyer.ID, "")
					must(err)
					if len(a.Claims) == 0 {
						t.Fatal("the demo buyer makes no claims")
					}
					m, err := svc.MapClaim(ctx, owner, org, buyer.ID, app.ClaimMappingInput{ClaimField: a.Claims[0].Field, Claim: a.Claims[0].Text,
						UserID: personaID, UserField: "bio", Verdict: persona.VerdictSupported})
					must(err)
					claimID = m.ID
					return m.ID
				}},
				{"delete", "claim verdict", func() string {
					_, err := svc.UnmapClaim(ctx, owner, org, claimID)
					must(err)
					return claimID
				}},
				{"unlink", "alignment link", func() string {
					_, err := svc.UnlinkPersonas(ctx, owner, org, alignID)
					must(err)
					return alignID
				}},
				{"update", "organisation", func() string {
					must(svc.SetDivergenceThreshold(ctx, owner, org, 1.5))
					return ""
				}},
				{"update", "organisation", func() string {
					_, err := svc.RenameOrg(ctx, owner, org, "Renamed for the audit")
					must(err)
					return ""
				}},
				{"update", "catalogue", func() string {
					c, err := svc.Catalogue(ctx, owner, org)
					must(err)
					m := c.Modules[0]
					m.Description = "Edited for the audit"
					c2, err := svc.SaveModule(ctx, owner, org, m.Key, m, c.Revision)
					must(err)
					catRev = c2.Revision
					return ""
				}},
				{"import", "catalogue", func() string {
					doc, _, err := svc.ExportCatalogue(ctx, owner, org, app.FormatJSON)
					must(err)
					_, err = svc.ImportCatalogue(ctx, owner, org, doc, app.FormatJSON, catRev)
					must(err)
					return ""
				}},
				{"create", "launchpad", func() string {
					arch, err := svc.ListPersonas(ctx, owner, org, persona.PersonaFilter{ProfileType: persona.ProfileArchetype, Limit: 1}, "")
					must(err)
					l, err := svc.CreateLaunchpad(ctx, owner, org, app.LaunchpadRequest{ArchetypeID: arch.Items[0].ID, Defaults: true}, "Audited setup", "")
					must(err)
					if len(l.Recommendation.Modules) < 2 {
						t.Fatalf("too few modules to decide on: %+v", l.Recommendation.Modules)
					}
					launchpadID, launchpadRev = l.ID, l.Revision
					return l.ID
				}},
				{"update", "launchpad", func() string {
					l, err := svc.UpdateLaunchpad(ctx, owner, org, launchpadID, launchpadRev, app.LaunchpadUpdate{Name: "Audited setup, renamed"})
					must(err)
					launchpadRev = l.Revision
					return launchpadID
				}},
				{"accept", "launchpad", func() string {
					d, err := svc.GetLaunchpad(ctx, owner, org, launchpadID)
					must(err)
					l := d.Launchpad
					l2, err := svc.UpdateLaunchpad(ctx, owner, org, launchpadID, launchpadRev, app.LaunchpadUpdate{Name: l.Name,
						Decisions: map[string]persona.Decision{l.Recommendation.Modules[0].Ref(): persona.DecisionAccepted}})
					must(err)
					launchpadRev = l2.Revision
					return launchpadID
				}},
				{"reject", "launchpad", func() string {
					d, err := svc.GetLaunchpad(ctx, owner, org, launchpadID)
					must(err)
					l := d.Launchpad
					dec := map[string]persona.Decision{l.Recommendation.Modules[1].Ref(): persona.DecisionRejected}
					for k, v := range l.Decisions {
						dec[k] = v
					}
					l2, err := svc.UpdateLaunchpad(ctx, owner, org, launchpadID, launchpadRev, app.LaunchpadUpdate{Name: l.Name, Decisions: dec})
					must(err)
					launchpadRev = l2.Revision
					return launchpadID
				}},
				{"regenerate", "launchpad", func() string {
					l, _, err := svc.RegenerateLaunchpad(ctx, owner, org, launchpadID, launchpadRev)
					must(err)
					launchpadRev = l.Revision
					return launchpadID
				}},
				{"delete", "launchpad", func() string {
					must(svc.DeleteLaunchpad(ctx, owner, org, launchpadID))
					return launchpadID
				}},
				{"trash", "variant", func() string {
					must(svc.TrashVariant(ctx, owner, org, variantID))
					return variantID
				}},
				{"restore", "variant", func() string {
					_, err := svc.RestoreVariant(ctx, owner, org, variantID)
					must(err)
					return variantID
				}},
				{"trash", "variant", func() string {
					must(svc.TrashVariant(ctx, owner, org, variantID))
					return variantID
				}},
				{"purge", "variant", func() string {
					must(svc.PurgeVariant(ctx, owner, org, variantID))
					return variantID
				}},
				{"import", "persona", func() string {
					inputs := func(yield func(app.PersonaInput, error) bool) {
						for _, name := range []string{"Imported One", "Imported Two"} {
							if !yield(app.PersonaInput{Name: name, GroupID: groupID, TemplateID: tmplID, Status: persona.StatusDraft}, nil) {
								return
							}
						}
					}
					n, err := svc.CreatePersonas(ctx, owner, org, iter.Seq2[app.PersonaInput, error](inputs))
					must(err)
					if n != 2 {
						t.Fatalf("imported %d", n)
					}
					return ""
				}},
				{"export", "organisation", func() string {
					_, err := svc.ExportOrg(ctx, owner, org)
					must(err)
					return ""
				}},
				{"invite", "invitation", func() string {
					inv, err := svc.InviteMember(ctx, owner, org, newcomer.Email, persona.RoleViewer)
					must(err)
					invitationID = inv.ID
					return inv.ID
				}},
				{"invite", "invitation", func() string { // sent again: the same invitation
					inv, err := svc.InviteMember(ctx, owner, org, newcomer.Email, persona.RoleEditor)
					must(err)
					if inv.ID != invitationID {
						t.Fatalf("sent again as %s, want %s", inv.ID, invitationID)
					}
					return inv.ID
				}},
				{"revoke", "invitation", func() string {
					must(svc.RevokeInvitation(ctx, owner, org, invitationID))
					return invitationID
				}},
				{"invite", "invitation", func() string {
					inv, err := svc.InviteMember(ctx, owner, org, newcomer.Email, persona.RoleViewer)
					must(err)
					invitationID = inv.ID
					return inv.ID
				}},
				{"add", "member", func() string { // the newcomer accepts
					_, err := svc.AcceptInvitation(ctx, newcomerActor, invitationID)
					must(err)
					return newcomer.ID
				}},
				{"invite", "invitation", func() string {
					inv, err := svc.InviteMember(ctx, owner, org, decliner.Email, persona.RoleViewer)
					must(err)
					declinedID = inv.ID
					return inv.ID
				}},
				{"decline", "invitation", func() string {
					_, err := svc.DeclineInvitation(ctx, declinerActor, declinedID)
					must(err)
					return declinedID
				}},
				// By e-mail: sent again from the members page, then answered
				// from the link's page — a new account, an existing one
				// accepting, another declining.
				{"invite", "invitation", func() string {
					inv, err := svc.InviteMember(ctx, owner, org, "joiner@example.net", persona.RoleViewer)
					must(err)
					joinerInvID = inv.ID
					return inv.ID
				}},
				{"invite", "invitation", func() string { // the Resend button
					inv, err := svc.ResendInvitation(ctx, owner, org, joinerInvID)
					must(err)
					return inv.ID
				}},
				{"add", "member", func() string { // a new account from the link
					secret := linkToken(t, lastMailed(t, svc, "joiner@example.net", persona.MessageInvitation), "/invite")
					j, err := svc.JoinByInvitation(ctx, app.Actor{}, secret, "Jo Joiner", "joiner-password-1")
					must(err)
					actedBy = &app.Actor{UserID: j.User.ID, Email: j.User.Email}
					return j.User.ID
				}},
				{"invite", "invitation", func() string {
					inv, err := svc.InviteMember(ctx, owner, org, linkUser.Email, persona.RoleViewer)
					must(err)
					return inv.ID
				}},
				{"add", "member", func() string { // signed in, accepted from the link
					secret := linkToken(t, lastMailed(t, svc, linkUser.Email, persona.MessageInvitation), "/invite")
					_, err := svc.AcceptInvitationLink(ctx, linkActor, secret)
					must(err)
					actedBy = &linkActor
					return linkUser.ID
				}},
				{"remove", "member", func() string {
					must(svc.RemoveMember(ctx, owner, org, linkUser.ID))
					return linkUser.ID
				}},
				{"invite", "invitation", func() string {
					inv, err := svc.InviteMember(ctx, owner, org, linkUser.Email, persona.RoleViewer)
					must(err)
					linkDeclinedID = inv.ID
					return inv.ID
				}},
				{"decline", "invitation", func() string { // declined from the link
					secret := linkToken(t, lastMailed(t, svc, linkUser.Email, persona.MessageInvitation), "/invite")
					_, err := svc.DeclineInvitationLink(ctx, linkActor, secret)
					must(err)
					actedBy = &linkActor
					return linkDeclinedID
				}},
				{"change role", "member", func() string {
					_, err := svc.SetMemberRole(ctx, owner, org, newcomer.ID, persona.RoleEditor)
					must(err)
					return newcomer.ID
				}},
				{"remove", "member", func() string {
					must(svc.RemoveMember(ctx, owner, org, newcomer.ID))
					return newcomer.ID
				}},
				{"add", "sso domain", func() string {
					_, err := svc.AddSSODomain(ctx, owner, org, "example.com", persona.RoleViewer)
					must(err)
					return "example.com"
				}},
				{"update", "single sign-on", func() string {
					_, err := svc.SetSSORequired(ctx, ssoOwner, org, true)
					must(err)
					return ""
				}},
				{"add", "member", func() string { // by the domain mapping, at a first single sign-on
					res, err := svc.SignInWithSSO(ctx, app.SSOClaims{Issuer: "https://idp.example.com/", Subject: "audited-subject",
						Email: "sso-joiner@example.com", EmailVerified: true, Name: "Sam Sso"})
					must(err)
					ssoJoinedID = res.User.ID
					return res.User.ID
				}},
				{"update", "single sign-on", func() string {
					_, err := svc.SetSSORequired(ctx, ssoOwner, org, false)
					must(err)
					return ""
				}},
				{"remove", "sso domain", func() string {
					must(svc.RemoveSSODomain(ctx, owner, org, "example.com"))
					return "example.com"
				}},
				{"create", "organisation", func() string {
					o, err := svc.CreateOrg(ctx, owner, "Second Audited Org", "")
					must(err)
					return o.ID
				}},
				{"export", "audit log", func() string {
					x, err := svc.ExportAudit(ctx, owner, org, app.AuditQuery{}, "csv")
					must(err)
					must(x.Write(ctx, io.Discard))
					return ""
				}},
				{"create", "persona", func() string { // the New persona form of an organisation without groups
					also = []string{"create group"}
					p, g, err := svc.CreatePersonaInNewGroup(ctx, owner, org, "First of its kind", app.PersonaInput{Name: "Newly grouped",
						TemplateID: tmplID, Status: persona.StatusDraft, Values: persona.Values{"bio": "New"}})
					must(err)
					newGroupID, newPersonaID = g.ID, p.ID
					return p.ID
				}},
				{"move", "persona", func() string {
					ps, err := svc.MovePersonas(ctx, owner, org, []string{personaID, newPersonaID}, newGroupID)
					must(err)
					personaRev = ps[0].Revision
					return personaID
				}},
				{"set photo", "persona", func() string {
					var pic bytes.Buffer
					must(png.Encode(&pic, image.NewGray(image.Rect(0, 0, 30, 20))))
					must(svc.SetPersonaPhoto(ctx, owner, org, personaID, pic.Bytes()))
					return personaID
				}},
				{"remove photo", "persona", func() string {
					must(svc.RemovePersonaPhoto(ctx, owner, org, personaID))
					return personaID
				}},
				{"add work link", "persona", func() string {
					l, err := svc.AddWorkLink(ctx, owner, org, personaID, app.WorkLinkInput{URL: "https://github.com/acme/app/issues/7"})
					must(err)
					workLinkID = l.ID
					return personaID
				}},
				{"remove work link", "persona", func() string {
					must(svc.RemoveWorkLink(ctx, owner, org, personaID, workLinkID))
					return personaID
				}},
				{"reorder", "group", func() string {
					_, err := svc.MoveGroup(ctx, owner, org, newGroupID, -1)
					must(err)
					return newGroupID
				}},
				{"reorder", "group", func() string {
					gs, err := svc.ListGroups(ctx, owner, org)
					must(err)
					ids := make([]string, 0, len(gs))
					for _, g := range slices.Backward(gs) {
						ids = append(ids, g.ID)
					}
					_, err = svc.ReorderGroups(ctx, owner, org, ids)
					must(err)
					return ""
				}},
				{"delete", "group", func() string { // its two personas move first
					also = []string{"move persona", "move persona"}
					must(svc.DeleteGroupMoving(ctx, owner, org, newGroupID, groupID))
					p, err := svc.GetPersona(ctx, owner, org, personaID)
					must(err)
					personaRev = p.Revision
					return newGroupID
				}},
				{"merge", "persona", func() string { // duplicates.go: one entry, on the survivor
					p, err := svc.MergePersonas(ctx, owner, org, personaID, app.MergeRequest{Merged: newPersonaID, IfMatch: personaRev})
					must(err)
					personaRev = p.Revision
					return personaID
				}},
				{"change slug", "organisation", func() string {
					o, err := svc.ChangeSlug(ctx, owner, org, "audited-elsewhere")
					must(err)
					org = o.Slug
					return o.ID
				}},
				{"transfer ownership", "organisation", func() string {
					_, err := svc.TransferOwnership(ctx, owner, org, heir.UserID)
					must(err)
					return orgInfo.ID
				}},
				{"transfer ownership", "organisation", func() string { // and back
					actedBy = &heir
					_, err := svc.TransferOwnership(ctx, heir, org, owner.UserID)
					must(err)
					return orgInfo.ID
				}},
				{"delete", "organisation", func() string {
					_, err := svc.DeleteOrg(ctx, owner, org, org)
					must(err)
					return orgInfo.ID
				}},
				{"restore", "organisation", func() string {
					_, err := svc.RestoreOrg(ctx, owner, orgInfo.ID)
					must(err)
					return orgInfo.ID
				}},
			}
			run := func(step func() string) (id string, err error) {
				defer func() {
					if r := recover(); r != nil {
						f, ok := r.(stepFailed)
						if !ok {
							panic(r)
						}
						err = f.err
					}
				}()
				return step(), nil
			}
			for i, st := range steps {
				// Refused: nothing at all changes.
				sqlExec(refuse)
				before := fingerprint(t, db.SQL(), eng.Name)
				if _, err := run(st.run); err == nil || !strings.Contains(err.Error(), "audit refused") {
					t.Fatalf("step %d (%s %s) while its audit entry was refused: err = %v, want the refusal", i, st.action, st.kind, err)
				}
				if after := fingerprint(t, db.SQL(), eng.Name); after != before {
					t.Fatalf("step %d (%s %s) changed the database although its audit entry was refused", i, st.action, st.kind)
				}
				sqlExec(allow)

				// Allowed: exactly one entry (with those of the changes it is
				// made of, in the same transaction).
				var head int64 // read from the table: a deleted organisation's log is hidden
				if err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE org_id = $1`, orgInfo.ID).Scan(&head); err != nil {
					t.Fatal(err)
				}
				actedBy, also = nil, nil
				id, err := run(st.run)
				if err != nil {
					t.Fatalf("step %d (%s %s): %v", i, st.action, st.kind, err)
				}
				var got []persona.AuditEvent
				switch {
				case st.kind == "organisation" && st.action == "create":
					got = auditTail(t, svc, orgSlugOf(t, svc, owner, id), 0)
				case st.kind == "organisation" && st.action == "delete": // its log is hidden with it
					got = auditRows(t, db.SQL(), orgInfo.ID, head)
				default:
					got = auditTail(t, svc, org, head)
				}
				var desc []string
				for _, g := range got {
					desc = append(desc, g.Action+" "+g.ObjectKind)
				}
				if len(got) != 1+len(also) || !slices.Equal(desc[:len(also)], also) {
					t.Fatalf("step %d (%s %s): %d entries %v, want %v and then exactly one", i, st.action, st.kind, len(got), desc, also)
				}
				g := got[len(got)-1]
				by := owner
				switch { // the invitees answer their invitations themselves
				case st.action == "add" && st.kind == "member" && id == ssoJoinedID:
					by = app.Actor{Email: "(single sign-on)"} // a domain mapping added them
				case actedBy != nil:
					by = *actedBy
				case st.action == "add" && st.kind == "member":
					by = newcomerActor
				case st.action == "decline":
					by = declinerActor
				}
				for _, e := range got[:len(also)] {
					if e.ActorID != by.UserID || !slices.Contains(persona.AuditActions, e.Action) || !slices.Contains(persona.AuditKinds, e.ObjectKind) {
						t.Errorf("step %d: entry %+v", i, e)
					}
				}
				if g.Action != st.action || g.ObjectKind != st.kind || (id != "" && g.ObjectID != id) ||
					g.ActorID != by.UserID || g.ActorEmail != by.Email {
					t.Errorf("step %d: got %+v, want %s %s %s by %s", i, g, st.action, st.kind, id, by.Email)
				}
				if !slices.Contains(persona.AuditActions, g.Action) || !slices.Contains(persona.AuditKinds, g.ObjectKind) {
					t.Errorf("step %d: %q %q is not in the audit page's filter choices", i, g.Action, g.ObjectKind)
				}
			}
			t.Logf("%d kinds of write, each refused with its entry and then recorded once", len(steps))

			// The summaries say what happened.
			log, err := svc.ListAudit(ctx, owner, org, app.AuditQuery{ObjectKind: "catalogue"}, 0, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != 2 || !strings.Contains(log[1].Summary, "changed module") {
				t.Errorf("catalogue entries %+v", log)
			}

			// A refused or failed write records nothing.
			head := auditHead(t, svc, org)
			refused := map[string]error{}
			_, refused["invalid group"] = svc.CreateGroup(ctx, owner, org, app.GroupInput{Name: " "})
			_, refused["stale persona"] = svc.UpdatePersona(ctx, owner, org, personaID, personaRev-1, app.PersonaInput{Name: "Stale", Status: persona.StatusDraft})
			_, refused["invalid persona"] = svc.UpdatePersona(ctx, owner, org, personaID, personaRev, app.PersonaInput{Name: ""})
			_, refused["stale catalogue"] = svc.ReplaceCatalogue(ctx, owner, org, 1, persona.Catalogue{})
			_, refused["invalid evidence"] = svc.AddEvidence(ctx, owner, org, app.EvidenceInput{Kind: persona.EvidenceWebLink})
			_, refused["missing note"] = svc.DeleteNote(ctx, owner, org, noteID)
			refused["group in use"] = svc.DeleteGroup(ctx, owner, org, groupID)
			refused["bad threshold"] = svc.SetDivergenceThreshold(ctx, owner, org, 9)
			refused["viewer"] = svc.DeleteGroup(ctx, viewer, org, groupID)
			_, refused["empty draft"] = svc.SaveDraft(ctx, owner, org, tmplID, persona.Definition{})
			refused["trash of a trashed persona"] = svc.TrashPersona(ctx, owner, org, variantID)
			refused["remove a non-member"] = svc.RemoveMember(ctx, owner, org, newcomer.ID)
			_, refused["invite a member"] = svc.InviteMember(ctx, owner, org, vu.Email, persona.RoleEditor)
			_, refused["require single sign-on from a password session"] = svc.SetSSORequired(ctx, owner, org, true)
			_, refused["map another organisation's domain"] = svc.AddSSODomain(ctx, owner, org, "elsewhere.example", persona.RoleViewer)
			_, refused["single sign-on with an unverified address"] = svc.SignInWithSSO(ctx, app.SSOClaims{Issuer: "https://idp.example.com/",
				Subject: "unverified", Email: "someone@example.com"})
			_, refused["a viewer invites"] = svc.InviteMember(ctx, viewer, org, "someone@example.com", persona.RoleViewer)
			_, refused["accept an answered invitation"] = svc.AcceptInvitation(ctx, declinerActor, declinedID)
			_, refused["decline someone else's invitation"] = svc.DeclineInvitation(ctx, viewer, invitationID)
			refused["revoke an accepted invitation"] = svc.RevokeInvitation(ctx, owner, org, invitationID)
			refused["demote the last owner"] = func() error {
				_, err := svc.SetMemberRole(ctx, owner, org, owner.UserID, persona.RoleAdmin)
				return err
			}()
			for name, err := range refused {
				if err == nil {
					t.Errorf("%s: not refused", name)
				}
			}
			if got := auditTail(t, svc, org, head); len(got) != 0 {
				t.Fatalf("refused writes recorded %+v", got)
			}
		})
	}
}

// fingerprint digests every row of every table but the sign-in ones, so a
// change anywhere shows.
func fingerprint(t *testing.T, db *sql.DB, engine string) string {
	t.Helper()
	return fingerprintTables(t, db, engine, func(string) bool { return false })
}

// fingerprintTables is fingerprint without the tables skip names.
func fingerprintTables(t *testing.T, db *sql.DB, engine string, skip func(table string) bool) string {
	t.Helper()
	digests := tableDigests(t, db, engine, skip)
	tables := make([]string, 0, len(digests))
	for table := range digests {
		tables = append(tables, table)
	}
	sort.Strings(tables)
	h := sha256.New()
	for _, table := range tables {
		fmt.Fprintf(h, "%s %s\n", table, digests[table])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tableDigests digests each table's rows (but the sign-in tables and those
// skip names), by table.
func tableDigests(t *testing.T, db *sql.DB, engine string, skip func(table string) bool) map[string]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if engine == "postgres" {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, table := range tables {
		switch table {
		case "sessions", "login_attempts", "goose_db_version":
			continue
		}
		if skip(table) {
			continue
		}
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
		sort.Strings(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d rows %x", len(lines), sum[:8])
	}
	return out
}

// auditRows reads the organisation's log after seq straight from the
// table, oldest first (a deleted organisation's log is hidden from the
// application).
func auditRows(t *testing.T, db *sql.DB, orgID string, after int64) []persona.AuditEvent {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT seq, actor_id, actor_email, action, object_kind, object_id, summary
		FROM audit_log WHERE org_id = $1 AND seq > $2 ORDER BY seq`, orgID, after)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []persona.AuditEvent
	for rows.Next() {
		var e persona.AuditEvent
		if err := rows.Scan(&e.Seq, &e.ActorID, &e.ActorEmail, &e.Action, &e.ObjectKind, &e.ObjectID, &e.Summary); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// auditTail returns the entries of org's log after seq, oldest first.
func auditTail(t *testing.T, svc *app.Service, org string, after int64) []persona.AuditEvent {
	t.Helper()
	items, err := svc.ListAudit(context.Background(), app.System, org, app.AuditQuery{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []persona.AuditEvent
	for _, it := range slices.Backward(items) {
		if it.Seq > after {
			out = append(out, it)
		}
	}
	return out
}

// auditHead is the newest seq of org's log.
func auditHead(t *testing.T, svc *app.Service, org string) int64 {
	t.Helper()
	items, err := svc.ListAudit(context.Background(), app.System, org, app.AuditQuery{}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		return 0
	}
	return items[0].Seq
}

// orgSlugOf finds the slug of one of actor's organisations by ID.
func orgSlugOf(t *testing.T, svc *app.Service, actor app.Actor, id string) string {
	t.Helper()
	orgs, err := svc.ListMyOrgs(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range orgs {
		if m.Org.ID == id {
			return m.Org.Slug
		}
	}
	t.Fatalf("no organisation %s", id)
	return ""
}
