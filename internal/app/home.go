package app

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// The organisation's home as a hub: what each persona's card shows at a
// glance (variants, evidence coverage, alignment) and the "Recently
// changed" and "Review overdue" lists, worked out for many personas in a
// fixed number of queries — however many personas the page shows.

// homeStore is the part of Store that reads for many personas at once.
type homeStore interface {
	// VariantCounts counts each live persona's live variants (own) and the
	// live variants made for each customer archetype (forCustomer).
	VariantCounts(ctx context.Context, orgID string) (own, forCustomer map[string]int, err error)
	// PersonaEvidenceLinks lists every visible link on live personas
	// themselves (not on their variants).
	PersonaEvidenceLinks(ctx context.Context, orgID string) ([]persona.EvidenceLink, error)
	// LatestRevisions returns each live persona's current revision,
	// without its content.
	LatestRevisions(ctx context.Context, orgID string, ids []string) (map[string]persona.Revision, error)
}

// PersonaGlance is what a persona's card says at a glance.
type PersonaGlance struct {
	// Variants counts its customer variants; CustomerOf the variants made
	// for it as a customer archetype.
	Variants, CustomerOf int
	// Coverage is the evidence on its own filled fields.
	Coverage persona.CoverageSummary
	// Pairs counts its alignment links (as buyer or as user); Divergences
	// and Contradicted sum, over them, the dimensions that diverge and the
	// claims contradicted — the same counts the alignment pages show.
	Pairs, Divergences, Contradicted int
}

// Linked reports whether the persona is checked for alignment at all.
func (g PersonaGlance) Linked() bool { return g.Pairs > 0 }

// Aligned reports whether it is linked and nothing diverges or contradicts.
func (g PersonaGlance) Aligned() bool {
	return g.Pairs > 0 && g.Divergences == 0 && g.Contradicted == 0
}

// HubChange is one entry of "Recently changed": a persona's latest
// revision.
type HubChange struct {
	Persona  persona.Persona
	Revision int
	By       string // the author's name (e-mail when unnamed); "" when unknown
	Message  string
	At       time.Time
}

// HubOverdue is one entry of "Review overdue".
type HubOverdue struct {
	Persona persona.Persona
	Owner   string // the owner's name (e-mail when unnamed); "" when none
	Due     time.Time
}

// Hub is the home page's summary of a set of personas.
type Hub struct {
	Glances map[string]PersonaGlance // by persona ID
	Recent  []HubChange              // newest first
	Overdue []HubOverdue             // longest overdue first
	// OverdueTotal counts every overdue persona (Overdue holds at most the
	// limit asked for).
	OverdueTotal int
}

// PersonaHub works out the hub for ps, personas of the organisation the
// caller listed (viewers): a glance for each, the latest `limit` changes
// and up to `limit` overdue reviews. Personas of another organisation are
// ignored.
func (s *Service) PersonaHub(ctx context.Context, actor Actor, slug string, ps []persona.Persona, now time.Time, limit int) (Hub, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return Hub{}, err
	}
	mine := make([]persona.Persona, 0, len(ps))
	for _, p := range ps {
		if p.OrgID == org.ID {
			mine = append(mine, p)
		}
	}
	hub := Hub{Glances: make(map[string]PersonaGlance, len(mine))}
	if len(mine) == 0 {
		return hub, nil
	}
	defs := &defCache{s: s, orgID: org.ID}

	// Variants.
	own, forCustomer, err := s.store.VariantCounts(ctx, org.ID)
	if err != nil {
		return Hub{}, err
	}
	// Evidence coverage.
	links, err := s.store.PersonaEvidenceLinks(ctx, org.ID)
	if err != nil {
		return Hub{}, err
	}
	linksOf := map[string][]persona.EvidenceLink{}
	for _, l := range links {
		linksOf[l.PersonaID] = append(linksOf[l.PersonaID], l)
	}
	for _, p := range mine {
		def, err := defs.of(ctx, p)
		if err != nil {
			return Hub{}, err
		}
		hub.Glances[p.ID] = PersonaGlance{Variants: own[p.ID], CustomerOf: forCustomer[p.ID],
			Coverage: persona.ComputeCoverage(def, p.ProfileType, p.Values, linksOf[p.ID]).CoverageSummary}
	}
	if err := s.hubAlignment(ctx, org.ID, mine, defs, hub.Glances); err != nil {
		return Hub{}, err
	}

	// People's names, for both lists.
	members, err := s.store.ListMembers(ctx, org.ID)
	if err != nil {
		return Hub{}, err
	}
	names := make(map[string]string, len(members))
	for _, m := range members {
		names[m.UserID] = cmp.Or(m.Name, m.Email)
	}

	// Recently changed: the personas updated last, with their latest
	// revision's author and message.
	recent := slices.Clone(mine)
	slices.SortStableFunc(recent, func(a, b persona.Persona) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	recent = recent[:min(limit, len(recent))]
	ids := make([]string, len(recent))
	for i, p := range recent {
		ids[i] = p.ID
	}
	revs, err := s.store.LatestRevisions(ctx, org.ID, ids)
	if err != nil {
		return Hub{}, err
	}
	for _, p := range recent {
		ch := HubChange{Persona: p, Revision: p.Revision, By: names[p.UpdatedBy], At: p.UpdatedAt}
		if r, ok := revs[p.ID]; ok {
			ch.Message, ch.By = r.Message, cmp.Or(names[r.AuthorID], ch.By)
		}
		hub.Recent = append(hub.Recent, ch)
	}

	// Review overdue, longest overdue first.
	for _, p := range mine {
		if p.ReviewOverdue(now) {
			hub.Overdue = append(hub.Overdue, HubOverdue{Persona: p, Owner: names[p.OwnerID], Due: p.ReviewDue()})
		}
	}
	slices.SortStableFunc(hub.Overdue, func(a, b HubOverdue) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return cmp.Compare(a.Persona.Name, b.Persona.Name)
	})
	hub.OverdueTotal = len(hub.Overdue)
	hub.Overdue = hub.Overdue[:min(limit, len(hub.Overdue))]
	return hub, nil
}

// hubAlignment adds each buyer–user pair's counts to both ends' glances:
// the divergent dimensions and contradicted claims, worked out as
// AlignmentOf works them out (base personas, no customer), from one read
// of the links, one of the claim mappings and one of the personas at ends
// not in ps.
func (s *Service) hubAlignment(ctx context.Context, orgID string, ps []persona.Persona, defs *defCache, glances map[string]PersonaGlance) error {
	links, err := s.store.ListAlignmentLinks(ctx, orgID, "")
	if err != nil {
		return err
	}
	var touching []persona.AlignmentLink
	for _, l := range links {
		_, b := glances[l.BuyerID]
		_, u := glances[l.TargetID]
		if b || u {
			touching = append(touching, l)
		}
	}
	if len(touching) == 0 {
		return nil
	}
	byID := make(map[string]persona.Persona, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	var missing []string
	for _, l := range touching {
		for _, id := range []string{l.BuyerID, l.TargetID} {
			if _, ok := byID[id]; !ok && !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		others, err := s.store.GetPersonas(ctx, orgID, missing)
		if err != nil {
			return err
		}
		for _, p := range others {
			byID[p.ID] = p
		}
	}
	mappings, err := s.store.ListClaimMappings(ctx, orgID, "")
	if err != nil {
		return err
	}
	mappingsOf := map[string][]persona.ClaimMapping{}
	for _, m := range mappings {
		mappingsOf[m.BuyerID] = append(mappingsOf[m.BuyerID], m)
	}
	points, err := s.store.DivergencePoints(ctx, orgID)
	if err != nil {
		return err
	}
	claimsOf := map[string][]persona.Claim{}
	for _, l := range touching {
		buyer, ok1 := byID[l.BuyerID]
		user, ok2 := byID[l.TargetID]
		if !ok1 || !ok2 || buyer.ProfileType != persona.ProfileMarketing {
			continue
		}
		bdef, err := defs.of(ctx, buyer)
		if err != nil {
			return err
		}
		udef, err := defs.of(ctx, user)
		if err != nil {
			return err
		}
		claims, ok := claimsOf[buyer.ID]
		if !ok {
			claims = persona.ClaimsOf(bdef, buyer.Content)
			claimsOf[buyer.ID] = claims
		}
		_, tally := persona.VerdictsFor(claims, user.ID, mappingsOf[buyer.ID])
		divergences := persona.CountDivergences(persona.Divergences(bdef, buyer.Dimensions, udef, user.Content.Dimensions, points))
		for _, id := range []string{buyer.ID, user.ID} {
			g, ok := glances[id]
			if !ok {
				continue
			}
			g.Pairs++
			g.Divergences += divergences
			g.Contradicted += tally.Contradicted
			glances[id] = g
		}
	}
	return nil
}
