package app

import (
	"context"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// SharedView is everything a share link's audience may see, and nothing
// else: the lens is applied here, in the application, so a hidden value is
// never handed to a page, a PDF or a PNG in the first place.
type SharedView struct {
	Link     persona.ShareLink
	OrgName  string
	Personas []SharedPersona // one for a persona or a variant; a comparison's in order
	// Launchpad is set for a shared Launchpad.
	Launchpad *SharedLaunchpad
	Comments  []SharedComment // on the shared persona, variant or Launchpad
}

// SharedPersona is a persona (or a variant's effective persona) through
// the lens.
type SharedPersona struct {
	ID          string // for its photo
	Name        string
	Summary     string
	ProfileType persona.ProfileType
	Status      persona.Status
	Owner       string // "" when the lens hides members
	UpdatedAt   time.Time
	// Customer and Note are a variant's customer type and "what changes";
	// FieldNotes its notes on single visible overrides ("values.<key>").
	Customer   string
	Note       string
	FieldNotes map[string]string
	Overridden map[string]bool // paths the variant overrides
	Definition persona.Definition
	Values     persona.Values
	Dimensions persona.Values
	Evidence   []SharedCitation
	Notes      []SharedNote
}

// SharedCitation is one piece of evidence behind the persona or one of
// its visible fields.
type SharedCitation struct {
	Field      string // field key; "" for the persona as a whole
	FieldLabel string
	Title      string
	Kind       persona.EvidenceKind
	Stance     persona.Stance
	Excerpt    string
	Page       string
}

// SharedNote and SharedComment carry no author when the lens hides
// members.
type SharedNote struct {
	Body      string
	Author    string
	CreatedAt time.Time
}

type SharedComment struct {
	Body      string
	Author    string
	CreatedAt time.Time
	Reply     bool
}

// SharedLaunchpad is a Launchpad's plan without its editing state.
type SharedLaunchpad struct {
	Name       string
	Archetype  string
	Notes      string // "" when the lens hides notes
	Roles      []string
	Modules    []persona.ModulePick
	Packs      []persona.PackPick
	Dashboards []persona.DashboardPick
	Plan       persona.Plan
}

// SharedView reads what link shows, within the link's organisation.
func (s *Service) SharedView(ctx context.Context, l persona.ShareLink) (SharedView, error) {
	out := SharedView{Link: l}
	org, err := s.store.OrgByID(ctx, l.OrgID)
	if err != nil {
		return out, err
	}
	out.OrgName = org.Name
	defs := &defCache{s: s, orgID: l.OrgID}
	switch l.Kind {
	case persona.ShareOfPersona, persona.ShareOfComparison:
		for _, id := range l.SubjectIDs {
			p, err := s.store.GetPersona(ctx, l.OrgID, id)
			if err != nil {
				return out, err
			}
			sp, err := s.sharedPersona(ctx, defs, l, p, nil, l.Kind == persona.ShareOfPersona)
			if err != nil {
				return out, err
			}
			out.Personas = append(out.Personas, sp)
		}
		if l.Kind == persona.ShareOfPersona {
			out.Comments, err = s.sharedComments(ctx, l, persona.CommentOnPersona, l.SubjectIDs[0])
		}
	case persona.ShareOfVariant:
		v, err := s.store.GetVariant(ctx, l.OrgID, l.SubjectIDs[0])
		if err != nil {
			return out, err
		}
		base, err := s.store.GetPersona(ctx, l.OrgID, v.PersonaID)
		if err != nil {
			return out, err
		}
		sp, err := s.sharedPersona(ctx, defs, l, base, &v, true)
		if err != nil {
			return out, err
		}
		out.Personas = append(out.Personas, sp)
		out.Comments, err = s.sharedComments(ctx, l, persona.CommentOnVariant, v.ID)
		if err != nil {
			return out, err
		}
	case persona.ShareOfLaunchpad:
		d, err := s.launchpadDetail(ctx, l.OrgID, l.SubjectIDs[0])
		if err != nil {
			return out, err
		}
		sl := &SharedLaunchpad{Name: d.Launchpad.Name, Archetype: d.Archetype.Name, Plan: d.View.Plan}
		if !l.Lens.HideNotes {
			sl.Notes = d.Launchpad.Notes
		}
		rec := d.View.Recommendation
		for _, r := range rec.Roles {
			sl.Roles = append(sl.Roles, r.Label())
		}
		for _, m := range rec.Modules {
			if m.Decision != persona.DecisionRejected {
				sl.Modules = append(sl.Modules, m)
			}
		}
		for _, p := range rec.Packs {
			if p.Decision != persona.DecisionRejected {
				sl.Packs = append(sl.Packs, p)
			}
		}
		for _, db := range rec.Dashboards {
			if db.Decision != persona.DecisionRejected {
				sl.Dashboards = append(sl.Dashboards, db)
			}
		}
		out.Launchpad = sl
		out.Comments, err = s.sharedComments(ctx, l, persona.CommentOnLaunchpad, d.Launchpad.ID)
	}
	return out, err
}

// sharedPersona applies the lens to a persona, or to a variant's effective
// persona; full says a page of its own (evidence and notes), rather than a
// column of a comparison.
func (s *Service) sharedPersona(ctx context.Context, defs *defCache, l persona.ShareLink, p persona.Persona, v *persona.Variant, full bool) (SharedPersona, error) {
	def, err := defs.of(ctx, p)
	if err != nil {
		return SharedPersona{}, err
	}
	lensed := l.Lens.Lensed(def)
	content := p.Content
	sp := SharedPersona{ID: p.ID, Name: p.Name, Summary: p.Summary, ProfileType: p.ProfileType, Status: p.Status,
		UpdatedAt: p.UpdatedAt, Definition: lensed}
	if v != nil {
		d, err := s.detail(ctx, l.OrgID, p, *v)
		if err != nil {
			return SharedPersona{}, err
		}
		content = d.Effective
		sp.Customer, sp.Note = d.CustomerName(), v.Note
		sp.FieldNotes, sp.Overridden = map[string]string{}, map[string]bool{}
		visible := LensedPaths(lensed)
		for _, path := range v.OverridePaths() {
			if visible[path] {
				sp.Overridden[path] = true
				if n := v.FieldNotes[path]; n != "" {
					sp.FieldNotes[path] = n
				}
			}
		}
		if v.UpdatedAt.After(sp.UpdatedAt) {
			sp.UpdatedAt = v.UpdatedAt
		}
	}
	sp.Values = persona.LensedValues(lensed, content.Values)
	sp.Dimensions = persona.LensedDimensions(lensed, content.Dimensions)
	if !l.Lens.HideMembers && p.OwnerID != "" {
		if m, err := s.store.GetMember(ctx, l.OrgID, p.OwnerID); err == nil {
			sp.Owner = m.Name
		}
	}
	if !full {
		return sp, nil
	}
	if !l.Lens.HideEvidence {
		links, err := s.store.ListEvidenceLinks(ctx, l.OrgID, persona.EvidenceLinkFilter{PersonaID: p.ID})
		if err != nil {
			return SharedPersona{}, err
		}
		labels := map[string]string{}
		for _, sec := range lensed.Sections {
			for _, f := range sec.Fields {
				labels[f.Key] = f.Label
			}
		}
		for _, k := range links {
			if k.VariantID != "" && (v == nil || k.VariantID != v.ID) {
				continue
			}
			label, ok := labels[k.FieldKey()]
			if k.FieldKey() != "" && !ok {
				continue // evidence for a field the audience does not see
			}
			sp.Evidence = append(sp.Evidence, SharedCitation{Field: k.FieldKey(), FieldLabel: label, Title: k.EvidenceTitle,
				Kind: k.EvidenceKind, Stance: k.Stance, Excerpt: k.Excerpt, Page: k.Page})
		}
	}
	if !l.Lens.HideNotes {
		target, id := persona.NoteOnPersona, p.ID
		if v != nil {
			target, id = persona.NoteOnVariant, v.ID
		}
		ns, err := s.store.ListNotes(ctx, l.OrgID, target, id)
		if err != nil {
			return SharedPersona{}, err
		}
		for _, n := range ns {
			sn := SharedNote{Body: n.Body, CreatedAt: n.CreatedAt}
			if !l.Lens.HideMembers {
				sn.Author = n.AuthorName
			}
			sp.Notes = append(sp.Notes, sn)
		}
	}
	return sp, nil
}

// LensedPaths are the override paths ("values.<key>", "dimensions.<key>")
// a lensed definition shows.
func LensedPaths(lensed persona.Definition) map[string]bool {
	out := map[string]bool{}
	for _, s := range lensed.Sections {
		for _, f := range s.Fields {
			out["values."+f.Key] = true
		}
	}
	for _, d := range lensed.Dimensions {
		out["dimensions."+d.Key] = true
	}
	return out
}

// sharedComments are a subject's open comments on the subject itself or
// on fields the audience sees; none when the lens hides comments.
func (s *Service) sharedComments(ctx context.Context, l persona.ShareLink, kind persona.CommentSubject, id string) ([]SharedComment, error) {
	if l.Lens.HideComments {
		return nil, nil
	}
	all, err := s.store.ListComments(ctx, l.OrgID, kind, id)
	if err != nil {
		return nil, err
	}
	var out []SharedComment
	skipped := map[string]bool{}
	for _, c := range all { // oldest first: a reply comes after its thread's start
		// Field threads stay with the members (a field may be hidden), and
		// so do resolved threads; without member names, a comment that
		// mentions a member would name them.
		if c.Deleted || c.ResolvedAt != nil || c.FieldKey != "" || skipped[c.ParentID] ||
			(l.Lens.HideMembers && len(c.Mentions) > 0) {
			skipped[c.ID] = true
			continue
		}
		sc := SharedComment{Body: c.Body, CreatedAt: c.CreatedAt, Reply: c.ParentID != ""}
		if !l.Lens.HideMembers {
			sc.Author = c.AuthorName
		}
		out = append(out, sc)
	}
	return out, nil
}
