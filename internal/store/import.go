package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/personapal/personapal/internal/persona"
)

// ImportOrg creates an organisation with everything in b, in one
// transaction: either all of it is written or none of it. Conflict when the
// slug is taken.
func (s *DB) ImportOrg(ctx context.Context, b persona.ImportBatch) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		org := b.Org
		_, err := s.exec(ctx, tx, `INSERT INTO orgs (id, slug, name, created_at, divergence_points) VALUES ($1, $2, $3, $4, $5)`,
			org.ID, org.Slug, org.Name, ts(org.CreatedAt), b.DivergencePoints)
		if err != nil {
			return withMessage(err, persona.CodeConflict, "an organisation with this slug already exists")
		}
		if err := s.reserveSlug(ctx, tx, org.ID, org.Slug, org.CreatedAt); err != nil {
			return err
		}
		owner := b.Owner
		owner.OrgID = org.ID
		if err := s.insertMember(ctx, tx, owner); err != nil {
			return err
		}
		for _, m := range b.Members {
			m.OrgID = org.ID
			if err := s.insertMember(ctx, tx, m); err != nil {
				return err
			}
		}
		for i, g := range b.Groups {
			if _, err := s.exec(ctx, tx, `INSERT INTO persona_groups (org_id, id, name, description, position, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, org.ID, g.ID, g.Name, g.Description, i+1, ts(g.CreatedAt), ts(g.UpdatedAt)); err != nil {
				return fmt.Errorf("group %s: %w", g.ID, err)
			}
		}
		for _, t := range b.Templates {
			t.OrgID = org.ID
			if err := s.insertTemplate(ctx, tx, t); err != nil {
				return err
			}
		}
		for _, v := range b.Versions {
			v.OrgID = org.ID
			if err := s.publishVersion(ctx, tx, v); err != nil {
				return err
			}
		}
		for _, p := range b.Personas {
			p.Persona.OrgID, p.Revision.OrgID = org.ID, org.ID
			if err := s.insertPersona(ctx, tx, p.Persona, p.Revision, p.SearchText); err != nil {
				return err
			}
		}
		for _, v := range b.Variants {
			v.Variant.OrgID, v.Entry.OrgID = org.ID, org.ID
			content, err := jsonText(v.Variant.VariantContent)
			if err != nil {
				return err
			}
			if err := s.insertVariant(ctx, tx, v.Variant, content, v.Revision, v.Entry); err != nil {
				return err
			}
		}
		for _, n := range b.Notes {
			n.Note.OrgID, n.Entry.OrgID = org.ID, org.ID
			if err := s.insertNote(ctx, tx, n.Note); err != nil {
				return err
			}
			if err := s.putEntry(ctx, tx, n.Entry); err != nil {
				return err
			}
		}
		for _, ev := range b.Evidence {
			ev.Evidence.OrgID, ev.Entry.OrgID = org.ID, org.ID
			if err := s.insertEvidence(ctx, tx, ev.Evidence, ev.Data, ev.Entry); err != nil {
				return err
			}
		}
		for _, l := range b.EvidenceLinks {
			l.OrgID = org.ID
			if err := s.insertEvidenceLink(ctx, tx, l); err != nil {
				return err
			}
		}
		if b.Catalogue != nil {
			items, err := catalogueRows(*b.Catalogue)
			if err != nil {
				return err
			}
			if err := s.saveCatalogue(ctx, tx, org.ID, *b.Catalogue, 0, items); err != nil {
				return err
			}
		}
		for _, lw := range b.Launchpads {
			lw.Launchpad.OrgID, lw.Revision.OrgID = org.ID, org.ID
			content, err := jsonText(lw.Launchpad.LaunchpadContent)
			if err != nil {
				return err
			}
			if err := s.insertLaunchpad(ctx, tx, lw.Launchpad, content, lw.Revision); err != nil {
				return err
			}
		}
		for _, l := range b.Links {
			if _, err := s.exec(ctx, tx, `INSERT INTO alignment_links (org_id, id, buyer_id, target_id, created_at, created_by)
				VALUES ($1, $2, $3, $4, $5, $6)`, org.ID, l.ID, l.BuyerID, l.TargetID, ts(l.CreatedAt), l.CreatedBy); err != nil {
				return err
			}
		}
		for _, m := range b.Claims {
			if _, err := s.exec(ctx, tx, `INSERT INTO claim_mappings (org_id, id, buyer_id, claim_field, claim, user_id, user_field,
				user_item, verdict, note, evidence_id, created_at, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				org.ID, m.ID, m.BuyerID, m.ClaimField, m.Claim, m.UserID, m.UserField, m.UserItem, string(m.Verdict),
				m.Note, m.EvidenceID, ts(m.CreatedAt), m.CreatedBy); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreatePersonas writes the personas next yields, in one transaction: all
// of them or, when next or a write fails, none. next pulls one persona at a
// time, so an import of any size needs bounded memory.
func (s *DB) CreatePersonas(ctx context.Context, next func() (persona.PersonaWrite, bool, error)) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for {
			w, ok, err := next()
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := s.insertPersona(ctx, tx, w.Persona, w.Revision, w.SearchText); err != nil {
				return fmt.Errorf("persona %d (%s): %w", n+1, w.Persona.Name, err)
			}
			n++
		}
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
