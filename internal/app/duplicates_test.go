package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

func (r reviewOrg) templateOf(ctx context.Context, t *testing.T, pt persona.ProfileType) string {
	t.Helper()
	ts, err := r.svc.ListTemplates(ctx, r.owner, r.slug)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range ts {
		if tm.ProfileType == pt {
			return tm.ID
		}
	}
	t.Fatalf("no %s template", pt)
	return ""
}

func (r reviewOrg) create(ctx context.Context, t *testing.T, tmpl, name string, values persona.Values) persona.Persona {
	t.Helper()
	p, err := r.svc.CreatePersona(ctx, r.editor, r.slug, app.PersonaInput{Name: name, TemplateID: tmpl, GroupID: r.group,
		Status: persona.StatusDraft, Values: values})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDuplicatesAndMerge, on both engines: a near-copy is found (by
// SimilarPersonas and in the organisation's report, with the fields that
// agree); a merge keeps both histories and moves every link (variants,
// evidence links, notes, comments, alignment links, work links, share
// links of the persona or a comparison) to the
// survivor; the merged persona redirects (MergedInto), leaves lists, the
// trash, search and the report; a stale If-Match, an unknown field, a bad
// choice or a variant clash writes nothing; viewers are refused, outsiders
// see nothing.
func TestDuplicatesAndMerge(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			ux, buyerT, archT := r.template, r.templateOf(ctx, t, persona.ProfileMarketing), r.templateOf(ctx, t, persona.ProfileArchetype)
			p := r.create(ctx, t, ux, "Nora the Night Nurse", persona.Values{"role_title": "Night shift nurse",
				"goals": []any{"Hand over patients safely", "Fewer interruptions at night"}})
			q := r.create(ctx, t, ux, "Nora, Night Nurse", persona.Values{"role_title": "Night-shift nurse",
				"goals": []any{"Hand over patients safely", "Fewer interruptions during the night"}, "quote": "Let me finish the round first"})
			other := r.create(ctx, t, ux, "Dan the Doctor", persona.Values{"role_title": "Consultant surgeon", "goals": []any{"Short theatre queues"}})
			buyer := r.create(ctx, t, buyerT, "Hospital Buyer", persona.Values{"role_title": "Head of procurement"})
			bank := r.create(ctx, t, archT, "Big Hospital", persona.Values{"industry": "Healthcare"})
			clinic := r.create(ctx, t, archT, "Small Clinic", persona.Values{"industry": "Healthcare"})

			// Detection.
			sims, err := r.svc.SimilarPersonas(ctx, r.viewer, r.slug, q)
			if err != nil || len(sims) != 1 || sims[0].Persona.ID != p.ID || !slices.Contains(sims[0].Fields, "goals") || !slices.Contains(sims[0].Fields, "role_title") {
				t.Fatalf("similar to %s: %+v %v", q.Name, sims, err)
			}
			if w := app.SimilarWarning(q.Name, sims); w == "" {
				t.Error("no warning")
			}
			_, err = r.svc.SimilarPersonas(ctx, r.outsider, r.slug, q)
			mustCode(t, err, persona.CodeNotFound, "an outsider asks")
			dups, err := r.svc.Duplicates(ctx, r.viewer, r.slug)
			if err != nil || len(dups) != 1 || !samePair(dups[0], p.ID, q.ID) || dups[0].Score < persona.DuplicateThreshold {
				t.Fatalf("duplicates %+v %v", dups, err)
			}
			_, err = r.svc.Duplicates(ctx, r.outsider, r.slug)
			mustCode(t, err, persona.CodeNotFound, "an outsider's report")
			// An organisation import warns about the look-alikes it brings.
			doc, err := r.svc.ExportOrg(ctx, r.owner, r.slug)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := r.svc.ImportOrg(ctx, r.owner, "reviews-copy", "Copy", doc, true)
			if err != nil || !slices.ContainsFunc(rep.Warnings, func(w string) bool {
				return strings.Contains(w, "looks like") && strings.Contains(w, p.Name) && strings.Contains(w, q.Name)
			}) {
				t.Errorf("import warnings %q %v", rep.Warnings, err)
			}

			// Links on the persona that will be merged.
			v, err := r.svc.CreateVariant(ctx, r.editor, r.slug, q.ID, app.VariantInput{CustomerID: bank.ID, Note: "At Big Hospital"})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := r.svc.AddEvidence(ctx, r.editor, r.slug, app.EvidenceInput{Kind: persona.EvidenceQuote, Title: "Ward interview", Quote: "Nights are long", Speaker: "A nurse"})
			if err != nil {
				t.Fatal(err)
			}
			el, err := r.svc.LinkEvidence(ctx, r.editor, r.slug, ev.ID, app.EvidenceLinkInput{PersonaID: q.ID, Field: "values.goals", Stance: persona.StanceSupports})
			if err != nil {
				t.Fatal(err)
			}
			note, err := r.svc.AddNote(ctx, r.editor, r.slug, persona.NoteOnPersona, q.ID, "Check with the ward sister")
			if err != nil {
				t.Fatal(err)
			}
			com, err := r.svc.AddComment(ctx, r.editor, r.slug, app.CommentInput{Subject: persona.CommentOnPersona, SubjectID: q.ID, Body: "Is this the same as Nora?"})
			if err != nil {
				t.Fatal(err)
			}
			al, err := r.svc.LinkPersonas(ctx, r.editor, r.slug, buyer.ID, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			wl, err := r.svc.AddWorkLink(ctx, r.editor, r.slug, q.ID, app.WorkLinkInput{URL: "https://github.com/acme/ward/issues/7"})
			if err != nil {
				t.Fatal(err)
			}
			share, _, err := r.svc.CreateShareLink(ctx, r.editor, r.slug, app.ShareInput{Kind: persona.ShareOfPersona, SubjectIDs: []string{q.ID}})
			if err != nil {
				t.Fatal(err)
			}
			both, _, err := r.svc.CreateShareLink(ctx, r.editor, r.slug, app.ShareInput{Kind: persona.ShareOfComparison, SubjectIDs: []string{p.ID, q.ID, other.ID}})
			if err != nil {
				t.Fatal(err)
			}
			q, err = r.svc.GetPersona(ctx, r.viewer, r.slug, q.ID)
			if err != nil {
				t.Fatal(err)
			}

			// Refusals write nothing.
			req := app.MergeRequest{Merged: q.ID, IfMatch: p.Revision, Fields: map[string]string{"quote": app.KeepMerged, "name": app.KeepSurvivor}}
			_, err = r.svc.MergePersonas(ctx, r.viewer, r.slug, p.ID, req)
			mustCode(t, err, persona.CodeForbidden, "a viewer merges")
			_, err = r.svc.MergePersonas(ctx, r.outsider, r.slug, p.ID, req)
			mustCode(t, err, persona.CodeNotFound, "an outsider merges")
			stale := req
			stale.IfMatch = p.Revision + 5
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, stale)
			mustCode(t, err, persona.CodePreconditionFailed, "a stale If-Match")
			staleMerged := req
			staleMerged.MergedIfMatch = q.Revision + 1
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, staleMerged)
			mustCode(t, err, persona.CodePreconditionFailed, "a stale revision of the merged persona")
			bad := req
			bad.Fields = map[string]string{"quote": "both"}
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, bad)
			mustCode(t, err, persona.CodeInvalid, "a bad choice")
			if e, _ := persona.AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != "fields.quote" {
				t.Errorf("a bad choice names %+v", e.Fields)
			}
			bad.Fields = map[string]string{"no_such_field": app.KeepMerged}
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, bad)
			mustCode(t, err, persona.CodeInvalid, "an unknown field")
			self := req
			self.Merged = p.ID
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, self)
			mustCode(t, err, persona.CodeInvalid, "a merge into itself")
			cross := req
			cross.Merged = buyer.ID
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, cross)
			mustCode(t, err, persona.CodeInvalid, "another template")
			// A variant for the same customer on both is a clash.
			clash, err := r.svc.CreateVariant(ctx, r.editor, r.slug, p.ID, app.VariantInput{CustomerID: bank.ID, Note: "Also at Big Hospital"})
			if err != nil {
				t.Fatal(err)
			}
			p, _ = r.svc.GetPersona(ctx, r.viewer, r.slug, p.ID)
			req.IfMatch = p.Revision
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, req)
			mustCode(t, err, persona.CodeConflict, "a variant clash")
			if e, _ := persona.AsError(err); e == nil || !contains(e.Message, "Big Hospital") {
				t.Errorf("the clash does not name the customer: %v", err)
			}
			if _, err := r.svc.GetPersona(ctx, r.viewer, r.slug, q.ID); err != nil {
				t.Fatalf("a refused merge changed the merged persona: %v", err)
			}
			if err := r.svc.TrashVariant(ctx, r.editor, r.slug, clash.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.CreateVariant(ctx, r.editor, r.slug, p.ID, app.VariantInput{CustomerID: clinic.ID, Note: "At the clinic"}); err != nil {
				t.Fatal(err)
			}
			p, _ = r.svc.GetPersona(ctx, r.viewer, r.slug, p.ID)
			req.IfMatch = p.Revision
			revsP, _ := r.svc.ListRevisions(ctx, r.viewer, r.slug, p.ID)

			// The merge.
			m, err := r.svc.MergePersonas(ctx, r.editor, r.slug, p.ID, req)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != p.ID || m.Revision != p.Revision+1 || m.Name != p.Name || m.Values["quote"] != "Let me finish the round first" ||
				m.Values["role_title"] != "Night shift nurse" {
				t.Errorf("merged persona %+v", m)
			}
			after, err := r.svc.ListRevisions(ctx, r.viewer, r.slug, p.ID)
			if err != nil || len(after) != len(revsP)+1 || after[0].Message != "Merged from "+q.Name {
				t.Errorf("survivor's history %+v %v", after, err)
			}
			qrevs, err := r.svc.ListRevisions(ctx, r.viewer, r.slug, q.ID)
			if err != nil || len(qrevs) != q.Revision {
				t.Errorf("merged persona's history %d revisions, want %d: %v", len(qrevs), q.Revision, err)
			}
			if hp, into, err := r.svc.HistoryPersona(ctx, r.viewer, r.slug, q.ID); err != nil || into != p.ID || hp.ID != q.ID {
				t.Errorf("history persona %v %q %v", hp.ID, into, err)
			}
			if from, err := r.svc.MergedFrom(ctx, r.viewer, r.slug, p.ID); err != nil || len(from) != 1 || from[0].ID != q.ID {
				t.Errorf("merged from %+v %v", from, err)
			}
			_, err = r.svc.GetPersona(ctx, r.viewer, r.slug, q.ID)
			mustCode(t, err, persona.CodeNotFound, "the merged persona")
			if into, err := r.svc.MergedInto(ctx, r.viewer, r.slug, q.ID); err != nil || into != p.ID {
				t.Errorf("merged into %q %v", into, err)
			}
			_, err = r.svc.MergedInto(ctx, r.outsider, r.slug, q.ID)
			mustCode(t, err, persona.CodeNotFound, "an outsider follows the redirect")
			_, err = r.svc.MergedInto(ctx, r.viewer, r.slug, other.ID)
			mustCode(t, err, persona.CodeNotFound, "a persona that was not merged")

			// Every link moved.
			vs, err := r.svc.ListVariants(ctx, r.viewer, r.slug, p.ID)
			if err != nil || !slices.ContainsFunc(vs, func(d app.VariantDetail) bool { return d.Variant.ID == v.ID }) || len(vs) != 2 {
				t.Errorf("variants %d %v", len(vs), err)
			}
			pe, err := r.svc.PersonaEvidence(ctx, r.viewer, r.slug, p.ID)
			if err != nil || !slices.ContainsFunc(pe.Links, func(l persona.EvidenceLink) bool { return l.ID == el.ID }) {
				t.Errorf("evidence links %+v %v", pe.Links, err)
			}
			ns, err := r.svc.ListNotes(ctx, r.viewer, r.slug, persona.NoteOnPersona, p.ID)
			if err != nil || !slices.ContainsFunc(ns, func(n persona.Note) bool { return n.ID == note.ID }) {
				t.Errorf("notes %+v %v", ns, err)
			}
			cs, err := r.svc.ListComments(ctx, r.viewer, r.slug, persona.CommentOnPersona, p.ID, "")
			if err != nil || !slices.ContainsFunc(cs, func(c app.CommentThread) bool { return c.Root.ID == com.ID }) {
				t.Errorf("comments %+v %v", cs, err)
			}
			ls, err := r.svc.PersonaLinks(ctx, r.viewer, r.slug, p.ID)
			if err != nil || len(ls.Buyers) != 1 || ls.Buyers[0].Link.ID != al.ID || ls.Buyers[0].Persona.ID != buyer.ID {
				t.Errorf("alignment links %+v %v", ls, err)
			}
			ws, err := r.svc.ListWorkLinks(ctx, r.viewer, r.slug, p.ID)
			if err != nil || len(ws) != 1 || ws[0].ID != wl.ID {
				t.Errorf("work links %+v %v", ws, err)
			}

			if l, err := r.svc.GetShareLink(ctx, r.editor, r.slug, share.ID); err != nil || !slices.Equal(l.SubjectIDs, []string{p.ID}) {
				t.Errorf("the persona's share link shows %v %v", l.SubjectIDs, err)
			}
			if l, err := r.svc.GetShareLink(ctx, r.editor, r.slug, both.ID); err != nil || !slices.Equal(l.SubjectIDs, []string{p.ID, other.ID}) {
				t.Errorf("the comparison's share link shows %v %v", l.SubjectIDs, err)
			}

			// Gone from lists, the trash, search and the report.
			page, err := r.svc.ListPersonas(ctx, r.viewer, r.slug, persona.PersonaFilter{}, "")
			if err != nil || slices.ContainsFunc(page.Items, func(x persona.Persona) bool { return x.ID == q.ID }) {
				t.Errorf("the list still has the merged persona: %v", err)
			}
			trash, err := r.svc.ListTrash(ctx, r.viewer, r.slug)
			if err != nil || len(trash) != 0 {
				t.Errorf("trash %+v %v", trash, err)
			}
			_, err = r.svc.RestorePersona(ctx, r.editor, r.slug, q.ID)
			mustCode(t, err, persona.CodeNotFound, "restoring a merged persona")
			err = r.svc.PurgePersona(ctx, r.owner, r.slug, q.ID)
			mustCode(t, err, persona.CodeConflict, "purging a merged persona")
			hits, err := r.svc.Search(ctx, r.viewer, r.slug, persona.SearchQuery{Text: "round"})
			if err != nil || slices.ContainsFunc(hits, func(h persona.SearchHit) bool { return h.PersonaID == q.ID }) {
				t.Errorf("search %+v %v", hits, err)
			}
			if dups, err := r.svc.Duplicates(ctx, r.viewer, r.slug); err != nil || len(dups) != 0 {
				t.Errorf("the report after the merge %+v %v", dups, err)
			}
			// Merging into the merged one again is refused (it is gone).
			_, err = r.svc.MergePersonas(ctx, r.editor, r.slug, q.ID, app.MergeRequest{Merged: p.ID, IfMatch: 1})
			mustCode(t, err, persona.CodeNotFound, "merging into a merged persona")
		})
	}
}

func samePair(d app.Duplicate, a, b string) bool {
	return (d.A.ID == a && d.B.ID == b) || (d.A.ID == b && d.B.ID == a)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestLookAlikesInALargeOrganisation: in an organisation of 120 personas
// that all hold the same words, a near-copy is still found by what it
// really shares (its name and rarer words), on both engines; on SQLite the
// words every persona holds are left out of the candidate search, so the
// check does not rank the whole organisation on each create.
func TestLookAlikesInALargeOrganisation(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			common := []any{"Close the ledger on time", "Reconcile the payments queue"}
			for i := range 120 {
				r.create(ctx, t, r.template, "Analyst "+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)),
					persona.Values{"role_title": "Ledger analyst", "goals": common})
			}
			p := r.create(ctx, t, r.template, "Quentin the Quokka Keeper", persona.Values{"role_title": "Zoo quokka keeper", "goals": common})
			q := persona.Persona{Content: persona.Content{Name: "Quentin, Quokka Keeper", Values: persona.Values{"role_title": "Quokka keeper at the zoo", "goals": common}}, TemplateID: r.template}
			sims, err := r.svc.SimilarPersonas(ctx, r.viewer, r.slug, q)
			if err != nil || len(sims) == 0 || sims[0].Persona.ID != p.ID {
				t.Fatalf("similar to %s: %+v %v", q.Name, sims, err)
			}
		})
	}
}
