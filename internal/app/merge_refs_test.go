package app_test

import (
	"slices"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store/storetest"
)

// TestMergeKeepsReferencesAndExternalIDs, on both engines: after a merge,
// a reference to the merged persona lands on the survivor (its name, the
// survivor's backlinks, the relation map), and the merged persona's
// external ID moves to the survivor, so a later update-mode import finds it.
func TestMergeKeepsReferencesAndExternalIDs(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newReviewOrg(ctx, t, eng, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			withRefFields(ctx, t, r)
			keep := archetype(ctx, t, r.svc, r.editor, r.slug, "Big Bank")
			gone := archetype(ctx, t, r.svc, r.editor, r.slug, "Big Bank plc")
			u := r.create(ctx, t, r.template, "Teller", persona.Values{"role_title": "Bank teller", "employers": []any{gone.ID}})

			// The merged one carries an external ID (as an import records it).
			in := app.ImportInput{PersonaInput: app.PersonaInput{Name: gone.Name}, UpdateID: gone.ID, IfMatch: gone.Revision, ExternalID: "crm-7"}
			if _, err := r.svc.ImportPersonas(ctx, r.editor, r.slug, func(yield func(app.ImportInput, error) bool) { yield(in, nil) }); err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.MergePersonas(ctx, r.editor, r.slug, keep.ID, app.MergeRequest{Merged: gone.ID, IfMatch: keep.Revision}); err != nil {
				t.Fatal(err)
			}

			tm, err := r.svc.GetTemplate(ctx, r.viewer, r.slug, r.template)
			if err != nil {
				t.Fatal(err)
			}
			ver, err := r.svc.GetVersion(ctx, r.viewer, r.slug, r.template, tm.LatestVersion)
			if err != nil {
				t.Fatal(err)
			}
			u, err = r.svc.GetPersona(ctx, r.viewer, r.slug, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			names, err := r.svc.RefNames(ctx, r.viewer, r.slug, ver.Definition, u)
			if err != nil || names[gone.ID] != (persona.RefName{Name: keep.Name}) {
				t.Fatalf("the merged target is named %+v (%v), want the survivor %q", names[gone.ID], err, keep.Name)
			}
			back, err := r.svc.Backlinks(ctx, r.viewer, r.slug, keep.ID)
			if err != nil || len(back) != 1 || back[0].PersonaID != u.ID {
				t.Fatalf("the survivor's backlinks %+v %v", back, err)
			}
			_, rels, err := r.svc.Relations(ctx, r.viewer, r.slug)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(rels, func(x app.Relation) bool { return x.From.ID == u.ID && x.TargetID == keep.ID && !x.Target.Gone }) {
				t.Fatalf("the relation map does not draw the reference to the survivor: %+v", rels)
			}

			ext, err := r.svc.PersonaExternalIDs(ctx, r.editor, r.slug)
			if err != nil || ext["crm-7"] != keep.ID {
				t.Fatalf("external IDs after the merge %v %v, want crm-7 on the survivor", ext, err)
			}
		})
	}
}
