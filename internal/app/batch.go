package app

import (
	"context"
	"fmt"
	"iter"

	"github.com/personapal/personapal/internal/persona"
)

// batchStore writes many personas in one transaction.
type batchStore interface {
	CreatePersonas(ctx context.Context, next func() (persona.PersonaWrite, bool, error)) (int, error)
}

// CreatePersonas creates every persona of inputs in one transaction
// (editors): all of them, or — when an input is invalid, the sequence
// yields an error, or a write fails — none. Inputs are pulled one at a
// time, so imports of any size run in bounded memory. Each input is checked
// exactly as CreatePersona checks it.
func (s *Service) CreatePersonas(ctx context.Context, actor Actor, slug string, inputs iter.Seq2[PersonaInput, error]) (int, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return 0, err
	}
	templates := map[string]persona.Template{}
	versions := map[string]persona.TemplateVersion{}
	groups := map[string]bool{}
	pull, stop := iter.Pull2(inputs)
	defer stop()
	i := 0
	next := func() (persona.PersonaWrite, bool, error) {
		in, err, ok := pull()
		if !ok {
			return persona.PersonaWrite{}, false, nil
		}
		i++
		if err != nil {
			return persona.PersonaWrite{}, false, err
		}
		tmpl, ok := templates[in.TemplateID]
		if !ok {
			if tmpl, err = s.store.GetTemplate(ctx, org.ID, in.TemplateID); err != nil {
				return persona.PersonaWrite{}, false, fmt.Errorf("persona %d: template %q: %w", i, in.TemplateID, err)
			}
			templates[in.TemplateID] = tmpl
		}
		n := in.TemplateVersion
		if n == 0 {
			n = tmpl.LatestVersion
		}
		key := fmt.Sprintf("%s@%d", tmpl.ID, n)
		ver, ok := versions[key]
		if !ok {
			if ver, err = s.version(ctx, org.ID, tmpl.ID, n); err != nil {
				return persona.PersonaWrite{}, false, fmt.Errorf("persona %d: template version %d: %w", i, n, err)
			}
			versions[key] = ver
		}
		if !groups[in.GroupID] {
			if _, err := s.store.GetGroup(ctx, org.ID, in.GroupID); err != nil {
				return persona.PersonaWrite{}, false, fmt.Errorf("persona %d: group %q: %w", i, in.GroupID, err)
			}
			groups[in.GroupID] = true
		}
		if in.OwnerID == "" {
			in.OwnerID = actor.UserID
		}
		content := contentFrom(in, ver.Version, nil)
		if err := persona.ValidateContent(ver.Definition, &content); err != nil {
			return persona.PersonaWrite{}, false, fmt.Errorf("persona %d (%s): %w", i, in.Name, err)
		}
		if refs, err := s.checkPersonaRefs(ctx, org.ID, "", ver.Definition, content.Values, nil); err != nil {
			return persona.PersonaWrite{}, false, err
		} else if err := persona.Invalid("invalid persona", refs); err != nil {
			return persona.PersonaWrite{}, false, fmt.Errorf("persona %d (%s): %w", i, in.Name, err)
		}
		if err := persona.Invalid("invalid persona", messageFields(in.Message)); err != nil {
			return persona.PersonaWrite{}, false, fmt.Errorf("persona %d (%s): %w", i, in.Name, err)
		}
		now := s.timestamp()
		p := persona.Persona{ID: newID(), OrgID: org.ID, TemplateID: tmpl.ID, ProfileType: tmpl.ProfileType, Content: content,
			Revision: 1, CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
		return persona.PersonaWrite{Persona: p, Revision: revisionOf(p, in.Message), SearchText: persona.SearchText(p.Content)}, true, nil
	}
	var n int
	e := s.entry(org.ID, actor, "import", "persona", "", "")
	err = s.inTx(ctx, e, func(tx Store) error {
		var err error
		n, err = tx.CreatePersonas(ctx, next)
		e.Summary = fmt.Sprintf("%d personas", n)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
