package app

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// ImportInput is one persona of an import (internal/interchange): created,
// or — with UpdateID — written as a new revision of that live persona.
type ImportInput struct {
	PersonaInput
	// ExternalID, when set, is recorded as the persona's external ID: the ID
	// the source tool gave it, by which a later import finds it again.
	ExternalID string
	// UpdateID is the persona to update and IfMatch the revision the
	// import validated against; a persona changed since is refused.
	UpdateID string
	IfMatch  int
	// Mapped names what the import gives ("summary", "status",
	// "values.goals", "dimensions.autonomy"); an update keeps the rest.
	Mapped map[string]bool
}

// ImportCounts says what an import wrote.
type ImportCounts struct {
	Created, Updated, Unchanged int
}

// MergeImport is the content an update-mode import gives persona cur:
// the name always, and every mapped summary, status (unless empty), value
// and dimension; what the import does not map stays as it was.
func MergeImport(cur persona.Content, in ImportInput) persona.Content {
	c := cur
	c.Values = maps.Clone(cur.Values)
	c.Dimensions = maps.Clone(cur.Dimensions)
	if c.Values == nil {
		c.Values = persona.Values{}
	}
	if c.Dimensions == nil {
		c.Dimensions = persona.Values{}
	}
	c.Name = in.Name
	if in.Mapped["summary"] {
		c.Summary = in.Summary
	}
	if in.Mapped["status"] && in.Status != "" { // an empty cell keeps the status
		c.Status = in.Status
	}
	for k := range in.Mapped {
		if key, ok := strings.CutPrefix(k, "values."); ok {
			if v, ok := in.Values[key]; ok {
				c.Values[key] = v
			} else {
				delete(c.Values, key)
			}
		}
		if key, ok := strings.CutPrefix(k, "dimensions."); ok {
			if v, ok := in.Dimensions[key]; ok {
				c.Dimensions[key] = v
			} else {
				delete(c.Dimensions, key)
			}
		}
	}
	return c
}

// PersonaExternalIDs maps the external IDs recorded by imports to the IDs
// of the organisation's live personas (editors: only imports need it).
func (s *Service) PersonaExternalIDs(ctx context.Context, actor Actor, slug string) (map[string]string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return nil, err
	}
	return s.store.PersonaExternalIDs(ctx, org.ID)
}

// ImportPersonas writes an import in one transaction (editors): inputs
// without UpdateID are created, the others become a new revision of their
// persona through the same checks, audit entry, webhook and variant
// notices as UpdatePersona — or, when the content did not change, are left
// alone. Every input is checked as CreatePersona and UpdatePersona check
// it; any error writes nothing. Inputs are pulled one at a time.
func (s *Service) ImportPersonas(ctx context.Context, actor Actor, slug string, inputs iter.Seq2[ImportInput, error]) (ImportCounts, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return ImportCounts{}, err
	}
	versions := map[string]persona.TemplateVersion{}
	version := func(tmplID string, n int) (persona.TemplateVersion, error) {
		key := fmt.Sprintf("%s@%d", tmplID, n)
		if v, ok := versions[key]; ok {
			return v, nil
		}
		v, err := s.version(ctx, org.ID, tmplID, n)
		if err == nil {
			versions[key] = v
		}
		return v, err
	}
	var counts ImportCounts
	e := s.entry(org.ID, actor, "import", "persona", "", "")
	err = s.inTx(ctx, e, func(tx Store) error {
		i := 0
		for in, err := range inputs {
			i++
			if err != nil {
				return err
			}
			name := in.Name
			fail := func(err error) error { return fmt.Errorf("persona %d (%s): %w", i, name, err) }
			if err := persona.Invalid("invalid persona", messageFields(in.Message)); err != nil {
				return fail(err)
			}
			var id string
			if in.UpdateID == "" {
				tmpl, err := tx.GetTemplate(ctx, org.ID, in.TemplateID)
				if err != nil {
					return fail(err)
				}
				n := in.TemplateVersion
				if n == 0 {
					n = tmpl.LatestVersion
				}
				ver, err := version(tmpl.ID, n)
				if err != nil {
					return fail(err)
				}
				if in.OwnerID == "" {
					in.OwnerID = actor.UserID
				}
				refs, err := s.checkRefs(ctx, org.ID, in.GroupID, in.OwnerID)
				if err != nil {
					return err
				}
				if err := persona.Invalid("invalid persona", refs); err != nil {
					return fail(err)
				}
				content := contentFrom(in.PersonaInput, ver.Version, nil)
				if err := persona.ValidateContent(ver.Definition, &content); err != nil {
					return fail(err)
				}
				now := s.timestamp()
				p := persona.Persona{ID: newID(), OrgID: org.ID, TemplateID: tmpl.ID, ProfileType: tmpl.ProfileType, Content: content,
					Revision: 1, CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
				if err := tx.CreatePersona(ctx, p, revisionOf(p, in.Message), persona.SearchText(p.Content)); err != nil {
					return fail(err)
				}
				id = p.ID
				counts.Created++
			} else {
				cur, err := tx.GetPersona(ctx, org.ID, in.UpdateID)
				if err != nil {
					return fail(err)
				}
				if in.IfMatch != cur.Revision {
					return fail(persona.Errorf(persona.CodePreconditionFailed,
						"was changed while the import ran (now revision %d); import again", cur.Revision))
				}
				ver, err := version(cur.TemplateID, cur.TemplateVersion)
				if err != nil {
					return fail(err)
				}
				content := MergeImport(cur.Content, in)
				if err := persona.ValidateContent(ver.Definition, &content); err != nil {
					return fail(err)
				}
				id = cur.ID
				if persona.SearchText(content) == persona.SearchText(cur.Content) && sameContent(content, cur.Content) {
					counts.Unchanged++
				} else {
					if err := s.checkDirectSave(ctx, cur); err != nil {
						return fail(err)
					}
					p := cur
					p.Content = content
					p.Revision = cur.Revision + 1
					p.UpdatedAt = s.timestamp()
					p.UpdatedBy = actor.UserID
					if err := tx.UpdatePersona(ctx, p, revisionOf(p, in.Message), persona.SearchText(p.Content)); err != nil {
						return fail(err)
					}
					ue := s.entry(org.ID, actor, "update", "persona", p.ID, fmt.Sprintf("%s → revision %d (import)", p.Name, p.Revision))
					if err := tx.AppendAudit(ctx, *ue); err != nil {
						return err
					}
					if err := s.emitWebhooks(ctx, tx, *ue); err != nil {
						return err
					}
					if err := s.notifyBaseChanged(ctx, tx, actor, cur, p); err != nil {
						return err
					}
					counts.Updated++
				}
			}
			if in.ExternalID != "" {
				if err := tx.SetPersonaExternalID(ctx, org.ID, id, in.ExternalID); err != nil {
					return fail(err)
				}
			}
		}
		e.Summary = fmt.Sprintf("%d personas created, %d updated", counts.Created, counts.Updated)
		if counts.Created == 0 {
			// Nothing created: no persona.created event (each update
			// emitted its own persona.updated above).
			e.Action = "reimport"
		}
		return nil
	})
	if err != nil {
		return ImportCounts{}, err
	}
	return counts, nil
}

// sameContent reports whether an import left a persona's content as it was.
func sameContent(a, b persona.Content) bool {
	return a.Name == b.Name && a.Summary == b.Summary && a.Status == b.Status &&
		fmt.Sprint(a.Values) == fmt.Sprint(b.Values) && fmt.Sprint(a.Dimensions) == fmt.Sprint(b.Dimensions)
}
