package app

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/personapal/personapal/internal/persona"
)

// alignmentStore is the part of Store that keeps alignment links, claim
// mappings and the divergence threshold.
type alignmentStore interface {
	CreateAlignmentLink(ctx context.Context, l persona.AlignmentLink) error
	GetAlignmentLink(ctx context.Context, orgID, id string) (persona.AlignmentLink, error)
	DeleteAlignmentLink(ctx context.Context, orgID, id string) error
	ListAlignmentLinks(ctx context.Context, orgID, personaID string) ([]persona.AlignmentLink, error)
	CreateClaimMapping(ctx context.Context, m persona.ClaimMapping) error
	GetClaimMapping(ctx context.Context, orgID, id string) (persona.ClaimMapping, error)
	DeleteClaimMapping(ctx context.Context, orgID, id string) error
	ListClaimMappings(ctx context.Context, orgID, buyerID string) ([]persona.ClaimMapping, error)
	DivergencePoints(ctx context.Context, orgID string) (float64, error)
	SetDivergencePoints(ctx context.Context, orgID string, points float64) error
}

// Alignment is a buyer persona checked against the personas its promise
// reaches, optionally for one customer type.
type Alignment struct {
	Buyer    persona.Persona
	Claims   []persona.Claim
	Customer persona.Persona // the customer archetype viewed, zero for the base personas
	Points   float64         // the divergence threshold in points on a 1-5 scale
	Users    []AlignedUser
	Tally    persona.Tally // over all users
}

// AlignedUser is one persona the buyer's promise reaches.
type AlignedUser struct {
	Link persona.AlignmentLink
	User persona.Persona
	// Content is what the view compares: the user's own content, or its
	// effective content for the customer viewed when it has a variant there.
	Content     persona.Content
	Variant     *persona.Variant
	Definition  persona.Definition
	Verdicts    []persona.ClaimVerdict
	Divergences []persona.Divergence // ranked, largest first
	Tally       persona.Tally
}

// Linkers lists how a persona is linked: the buyers whose promise reaches
// it and, for a buyer, the personas it reaches.
type Linkers struct {
	Buyers  []LinkedPersona
	Reaches []LinkedPersona
}

// LinkedPersona is the other end of an alignment link.
type LinkedPersona struct {
	Link    persona.AlignmentLink
	Persona persona.Persona
}

// LinkPersonas links a buyer (a marketing/sales persona) to a UX persona,
// archetype or AI agent its promise reaches (editors).
func (s *Service) LinkPersonas(ctx context.Context, actor Actor, slug, buyerID, targetID string) (persona.AlignmentLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.AlignmentLink{}, err
	}
	buyer, err := s.store.GetPersona(ctx, org.ID, buyerID)
	if err != nil {
		return persona.AlignmentLink{}, err
	}
	var fields []persona.FieldError
	if buyer.ProfileType != persona.ProfileMarketing {
		return persona.AlignmentLink{}, persona.Errorf(persona.CodeInvalid, "only a marketing/sales persona (a buyer) has a promise to align; this is a %s", buyer.ProfileType.Label())
	}
	target, err := s.store.GetPersona(ctx, org.ID, targetID)
	switch {
	case persona.ErrorCode(err) == persona.CodeNotFound:
		fields = append(fields, persona.FieldError{Field: "target_id", Message: "no such persona in this organisation"})
	case err != nil:
		return persona.AlignmentLink{}, err
	case target.ProfileType == persona.ProfileMarketing:
		fields = append(fields, persona.FieldError{Field: "target_id", Message: "must be a UX persona, a customer archetype or an AI agent, not another buyer"})
	}
	if err := persona.Invalid("invalid alignment link", fields); err != nil {
		return persona.AlignmentLink{}, err
	}
	l := persona.AlignmentLink{ID: newID(), OrgID: org.ID, BuyerID: buyer.ID, TargetID: target.ID, CreatedAt: s.timestamp(), CreatedBy: actor.UserID}
	return l, s.inTx(ctx, s.entry(org.ID, actor, "link", "alignment link", l.ID, buyer.Name+" → "+target.Name), func(tx Store) error { return tx.CreateAlignmentLink(ctx, l) })
}

// UnlinkPersonas removes an alignment link (editors).
func (s *Service) UnlinkPersonas(ctx context.Context, actor Actor, slug, linkID string) (persona.AlignmentLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.AlignmentLink{}, err
	}
	l, err := s.store.GetAlignmentLink(ctx, org.ID, linkID)
	if err != nil {
		return l, err
	}
	return l, s.inTx(ctx, s.entry(org.ID, actor, "unlink", "alignment link", linkID, l.BuyerID+" → "+l.TargetID), func(tx Store) error { return tx.DeleteAlignmentLink(ctx, org.ID, linkID) })
}

// PersonaLinks lists both ends of a persona's alignment links (viewers).
func (s *Service) PersonaLinks(ctx context.Context, actor Actor, slug, personaID string) (Linkers, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return Linkers{}, err
	}
	if _, err := s.store.GetPersona(ctx, org.ID, personaID); err != nil {
		return Linkers{}, err
	}
	links, err := s.store.ListAlignmentLinks(ctx, org.ID, personaID)
	if err != nil {
		return Linkers{}, err
	}
	var out Linkers
	for _, l := range links {
		other := l.TargetID
		if l.TargetID == personaID {
			other = l.BuyerID
		}
		p, err := s.store.GetPersona(ctx, org.ID, other)
		if err != nil {
			return Linkers{}, err
		}
		if l.TargetID == personaID {
			out.Buyers = append(out.Buyers, LinkedPersona{Link: l, Persona: p})
		} else {
			out.Reaches = append(out.Reaches, LinkedPersona{Link: l, Persona: p})
		}
	}
	return out, nil
}

// ClaimMappingInput maps one claim of a buyer to one item of a user.
type ClaimMappingInput struct {
	ClaimField string
	Claim      string
	UserID     string
	UserField  string
	UserItem   string
	Verdict    persona.Verdict
	Note       string
	EvidenceID string
}

// MapClaim records a verdict on a buyer's claim for one linked user
// (editors). The claim must be one the buyer makes now, the user must be
// linked to the buyer, and the user field (and item, when given) must exist.
func (s *Service) MapClaim(ctx context.Context, actor Actor, slug, buyerID string, in ClaimMappingInput) (persona.ClaimMapping, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.ClaimMapping{}, err
	}
	buyer, err := s.store.GetPersona(ctx, org.ID, buyerID)
	if err != nil {
		return persona.ClaimMapping{}, err
	}
	m := persona.ClaimMapping{ID: newID(), OrgID: org.ID, BuyerID: buyer.ID, ClaimField: in.ClaimField, Claim: in.Claim,
		UserID: in.UserID, UserField: in.UserField, UserItem: in.UserItem, Verdict: in.Verdict, Note: in.Note,
		EvidenceID: in.EvidenceID, CreatedAt: s.timestamp(), CreatedBy: actor.UserID}
	var fields []persona.FieldError
	if err := persona.ValidateClaimMapping(&m); err != nil {
		fields = append(fields, fieldsOf(err)...)
	}
	bver, err := s.version(ctx, org.ID, buyer.TemplateID, buyer.TemplateVersion)
	if err != nil {
		return persona.ClaimMapping{}, err
	}
	if m.Claim != "" && !slices.ContainsFunc(persona.ClaimsOf(bver.Definition, buyer.Content), func(c persona.Claim) bool {
		return c.Field == m.ClaimField && c.Text == m.Claim
	}) {
		fields = append(fields, persona.FieldError{Field: "claim", Message: "is not one of this buyer's messages or proof points"})
	}
	if m.UserID != "" {
		links, err := s.store.ListAlignmentLinks(ctx, org.ID, buyer.ID)
		if err != nil {
			return persona.ClaimMapping{}, err
		}
		linked := slices.ContainsFunc(links, func(l persona.AlignmentLink) bool { return l.BuyerID == buyer.ID && l.TargetID == m.UserID })
		if !linked {
			fields = append(fields, persona.FieldError{Field: "user_id", Message: "must be a persona linked to this buyer"})
		} else if m.UserField != "" {
			user, err := s.store.GetPersona(ctx, org.ID, m.UserID)
			if err != nil {
				return persona.ClaimMapping{}, err
			}
			uver, err := s.version(ctx, org.ID, user.TemplateID, user.TemplateVersion)
			if err != nil {
				return persona.ClaimMapping{}, err
			}
			if _, ok := uver.Definition.Field(m.UserField); !ok {
				fields = append(fields, persona.FieldError{Field: "user_field", Message: "is not a field of this persona's template"})
			} else if m.UserItem != "" && !slices.Contains(persona.ItemsOf(user.Values[m.UserField]), m.UserItem) {
				fields = append(fields, persona.FieldError{Field: "user_item", Message: "is not an item of that field"})
			}
		}
	}
	if m.EvidenceID != "" {
		switch _, err := s.store.GetEvidence(ctx, org.ID, m.EvidenceID); {
		case persona.ErrorCode(err) == persona.CodeNotFound:
			fields = append(fields, persona.FieldError{Field: "evidence_id", Message: "no such evidence in this organisation"})
		case err != nil:
			return persona.ClaimMapping{}, err
		}
	}
	if err := persona.Invalid("invalid claim mapping", fields); err != nil {
		return persona.ClaimMapping{}, err
	}
	return m, s.inTx(ctx, s.entry(org.ID, actor, "create", "claim verdict", m.ID, buyer.Name+": "+string(m.Verdict)+" — "+m.Claim), func(tx Store) error { return tx.CreateClaimMapping(ctx, m) })
}

// UnmapClaim deletes a claim mapping (editors).
func (s *Service) UnmapClaim(ctx context.Context, actor Actor, slug, id string) (persona.ClaimMapping, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.ClaimMapping{}, err
	}
	m, err := s.store.GetClaimMapping(ctx, org.ID, id)
	if err != nil {
		return m, err
	}
	return m, s.inTx(ctx, s.entry(org.ID, actor, "delete", "claim verdict", id, string(m.Verdict)+" — "+m.Claim), func(tx Store) error { return tx.DeleteClaimMapping(ctx, org.ID, id) })
}

// SetDivergenceThreshold sets the organisation's divergence threshold in
// points on a 1-5 scale (admins).
func (s *Service) SetDivergenceThreshold(ctx context.Context, actor Actor, slug string, points float64) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	if math.IsNaN(points) || points < 0.5 || points > 4 {
		return persona.Invalid("invalid threshold", []persona.FieldError{{Field: "divergence_points", Message: "must be between 0.5 and 4 (points on a 1-5 scale)"}})
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "update", "organisation", org.ID, thresholdSummary(points)), func(tx Store) error { return tx.SetDivergencePoints(ctx, org.ID, points) })
}

// DivergenceThreshold returns the organisation's divergence threshold.
func (s *Service) DivergenceThreshold(ctx context.Context, actor Actor, slug string) (float64, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return 0, err
	}
	return s.store.DivergencePoints(ctx, org.ID)
}

// AlignmentOf works out a buyer's alignment with the personas it reaches,
// from the current data (nothing is cached, so every edit shows at once).
// With a customerID (a customer archetype), users that have a variant for
// that customer are compared through the variant's effective content.
func (s *Service) AlignmentOf(ctx context.Context, actor Actor, slug, buyerID, customerID string) (Alignment, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return Alignment{}, err
	}
	buyer, err := s.store.GetPersona(ctx, org.ID, buyerID)
	if err != nil {
		return Alignment{}, err
	}
	if buyer.ProfileType != persona.ProfileMarketing {
		return Alignment{}, persona.Errorf(persona.CodeInvalid, "alignment is worked out for marketing/sales personas (buyers); this is a %s", buyer.ProfileType.Label())
	}
	a := Alignment{Buyer: buyer}
	if a.Points, err = s.store.DivergencePoints(ctx, org.ID); err != nil {
		return Alignment{}, err
	}
	if customerID != "" {
		if a.Customer, err = s.store.GetPersona(ctx, org.ID, customerID); err != nil {
			return Alignment{}, err
		}
	}
	bver, err := s.version(ctx, org.ID, buyer.TemplateID, buyer.TemplateVersion)
	if err != nil {
		return Alignment{}, err
	}
	a.Claims = persona.ClaimsOf(bver.Definition, buyer.Content)
	links, err := s.store.ListAlignmentLinks(ctx, org.ID, buyer.ID)
	if err != nil {
		return Alignment{}, err
	}
	mappings, err := s.store.ListClaimMappings(ctx, org.ID, buyer.ID)
	if err != nil {
		return Alignment{}, err
	}
	for _, l := range links {
		if l.BuyerID != buyer.ID {
			continue
		}
		u, err := s.alignedUser(ctx, org.ID, l, customerID)
		if err != nil {
			return Alignment{}, err
		}
		u.Verdicts, u.Tally = persona.VerdictsFor(a.Claims, u.User.ID, mappings)
		u.Divergences = persona.Divergences(bver.Definition, buyer.Dimensions, u.Definition, u.Content.Dimensions, a.Points)
		persona.RankDivergences(u.Divergences)
		u.Tally.Divergences = persona.CountDivergences(u.Divergences)
		a.Tally.Supported += u.Tally.Supported
		a.Tally.Contradicted += u.Tally.Contradicted
		a.Tally.Unaddressed += u.Tally.Unaddressed
		a.Tally.Divergences += u.Tally.Divergences
		a.Users = append(a.Users, u)
	}
	return a, nil
}

func (s *Service) alignedUser(ctx context.Context, orgID string, l persona.AlignmentLink, customerID string) (AlignedUser, error) {
	user, err := s.store.GetPersona(ctx, orgID, l.TargetID)
	if err != nil {
		return AlignedUser{}, err
	}
	ver, err := s.version(ctx, orgID, user.TemplateID, user.TemplateVersion)
	if err != nil {
		return AlignedUser{}, err
	}
	u := AlignedUser{Link: l, User: user, Content: user.Content, Definition: ver.Definition}
	if customerID != "" {
		vs, err := s.store.ListVariants(ctx, orgID, user.ID)
		if err != nil {
			return AlignedUser{}, err
		}
		for _, v := range vs {
			if v.CustomerID == customerID {
				u.Variant = &v
				u.Content = persona.Effective(user.Content, v.VariantContent)
				break
			}
		}
	}
	return u, nil
}

// PairSummary is one buyer–user pair of the organisation's alignment report.
type PairSummary struct {
	Buyer persona.Persona
	User  persona.Persona
	Tally persona.Tally
}

// AlignmentReport lists every buyer–user pair with its counts (viewers),
// ordered by buyer and user name.
func (s *Service) AlignmentReport(ctx context.Context, actor Actor, slug string) ([]PairSummary, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	links, err := s.store.ListAlignmentLinks(ctx, org.ID, "")
	if err != nil {
		return nil, err
	}
	var buyers []string
	for _, l := range links {
		if !slices.Contains(buyers, l.BuyerID) {
			buyers = append(buyers, l.BuyerID)
		}
	}
	var out []PairSummary
	for _, id := range buyers {
		a, err := s.AlignmentOf(ctx, actor, slug, id, "")
		if err != nil {
			return nil, err
		}
		for _, u := range a.Users {
			out = append(out, PairSummary{Buyer: a.Buyer, User: u.User, Tally: u.Tally})
		}
	}
	slices.SortStableFunc(out, func(a, b PairSummary) int {
		if c := cmp.Compare(a.Buyer.Name, b.Buyer.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.User.Name, b.User.Name)
	})
	return out, nil
}
