package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// workLinkStore keeps work links (internal/store/worklinks.go).
type workLinkStore interface {
	// CreateWorkLink is not-found when the organisation has no such
	// persona.
	CreateWorkLink(ctx context.Context, l persona.WorkLink) error
	GetWorkLink(ctx context.Context, orgID, id string) (persona.WorkLink, error)
	// ListWorkLinks lists a persona's links, oldest first.
	ListWorkLinks(ctx context.Context, orgID, personaID string) ([]persona.WorkLink, error)
	// ListOrgWorkLinks lists the organisation's links, newest first.
	ListOrgWorkLinks(ctx context.Context, orgID string, f persona.WorkLinkFilter) ([]persona.WorkLink, error)
	CountWorkLinks(ctx context.Context, orgID, personaID string) (int, error)
	DeleteWorkLink(ctx context.Context, orgID, id string) error
}

// WorkLinkInput is a work item to attach to a persona. Kind "" guesses it
// from the address; Title "" is the address's host and path.
type WorkLinkInput struct {
	URL   string           `json:"url"`
	Title string           `json:"title,omitempty"`
	Kind  persona.WorkKind `json:"kind,omitempty"`
}

// MaxOrgWorkLinks is the most links ListOrgWorkLinks returns.
const MaxOrgWorkLinks = 500

// AddWorkLink attaches an external work item to a live persona (editors).
func (s *Service) AddWorkLink(ctx context.Context, actor Actor, slug, personaID string, in WorkLinkInput) (persona.WorkLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.WorkLink{}, err
	}
	l := persona.WorkLink{ID: newID(), OrgID: org.ID, PersonaID: personaID, URL: in.URL, Title: in.Title,
		Kind: persona.WorkKind(strings.TrimSpace(string(in.Kind))), CreatedAt: s.timestamp(), CreatedBy: actor.UserID}
	if err := persona.NormaliseWorkLink(&l); err != nil {
		return persona.WorkLink{}, err
	}
	p, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return persona.WorkLink{}, err
	}
	audit := s.entry(org.ID, actor, "add work link", "persona", p.ID, "Linked "+l.Kind.Label()+" work “"+l.Title+"” to "+p.Name)
	err = s.inTx(ctx, audit, func(tx Store) error {
		n, err := tx.CountWorkLinks(ctx, org.ID, p.ID)
		if err != nil {
			return err
		}
		if n >= persona.MaxWorkLinks {
			return persona.Invalid("a persona has at most "+itoa(persona.MaxWorkLinks)+" work links",
				[]persona.FieldError{{Field: "url", Message: "this persona has " + itoa(persona.MaxWorkLinks) + " work links already; remove one first"}})
		}
		return tx.CreateWorkLink(ctx, l)
	})
	if err != nil {
		return persona.WorkLink{}, err
	}
	l.CreatedByName = actor.Email
	return l, nil
}

// RemoveWorkLink detaches a work link from its persona (editors); the
// persona is personaID's (not-found otherwise).
func (s *Service) RemoveWorkLink(ctx context.Context, actor Actor, slug, personaID, linkID string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	l, err := s.store.GetWorkLink(ctx, org.ID, linkID)
	if err != nil {
		return err
	}
	if l.PersonaID != personaID {
		return persona.ErrNotFound("work link")
	}
	p, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return err
	}
	audit := s.entry(org.ID, actor, "remove work link", "persona", p.ID, "Unlinked "+l.Kind.Label()+" work “"+l.Title+"” from "+p.Name)
	return s.inTx(ctx, audit, func(tx Store) error { return tx.DeleteWorkLink(ctx, org.ID, l.ID) })
}

// ListWorkLinks lists a live persona's work links, oldest first (viewers).
func (s *Service) ListWorkLinks(ctx context.Context, actor Actor, slug, personaID string) ([]persona.WorkLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetPersona(ctx, org.ID, personaID); err != nil {
		return nil, err
	}
	return s.store.ListWorkLinks(ctx, org.ID, personaID)
}

// ListOrgWorkLinks lists the organisation's work links, newest first,
// narrowed to a persona or a kind (viewers); at most MaxOrgWorkLinks.
func (s *Service) ListOrgWorkLinks(ctx context.Context, actor Actor, slug string, f persona.WorkLinkFilter) ([]persona.WorkLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, persona.Invalid("unknown kind of work link", []persona.FieldError{{Field: "kind",
			Message: "must be one of jira, linear, github, figma, document, other"}})
	}
	if f.Limit <= 0 || f.Limit > MaxOrgWorkLinks {
		f.Limit = MaxOrgWorkLinks
	}
	return s.store.ListOrgWorkLinks(ctx, org.ID, f)
}
