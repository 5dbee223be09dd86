package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// Change proposals: anyone who may read a persona (viewers included) may
// propose a revision of it; owners, admins and editors accept or decline;
// the proposer may withdraw. Accepting merges the proposal into the
// persona as it is now (persona.Merge3) and saves a new revision.

type proposalStore interface {
	CreateProposal(ctx context.Context, pr persona.Proposal) error
	GetProposal(ctx context.Context, orgID, id string) (persona.Proposal, error)
	// ListProposals lists one persona's proposals ("" for the whole
	// organisation's), open ones first, then newest first.
	ListProposals(ctx context.Context, orgID, personaID string) ([]persona.Proposal, error)
	CountOpenProposals(ctx context.Context, orgID, personaID string) (int, error)
	// DecideProposal records a decision on an open proposal; conflict when
	// it was decided already.
	DecideProposal(ctx context.Context, pr persona.Proposal) error
	OrgRequiresProposals(ctx context.Context, orgID string) (bool, error)
	SetOrgRequiresProposals(ctx context.Context, orgID string, on bool) error
}

// ProposalRequiredMessage is the refusal of a direct save of a published
// persona when the organisation changes them only through proposals; the
// edges recognise it (ProposalRequired) to offer "Send as a proposal".
const ProposalRequiredMessage = "published personas in this organisation change only through accepted proposals: send your change as a proposal instead"

// ProposalRequired reports whether err is that refusal.
func ProposalRequired(err error) bool {
	return persona.ErrorCode(err) == persona.CodeForbidden && strings.Contains(err.Error(), ProposalRequiredMessage)
}

// checkDirectSave refuses a direct change of a published persona when the
// organisation requires proposals. Drafts and archived personas stay
// directly editable.
func (s *Service) checkDirectSave(ctx context.Context, cur persona.Persona) error {
	if cur.Status != persona.StatusPublished {
		return nil
	}
	on, err := s.store.OrgRequiresProposals(ctx, cur.OrgID)
	if err != nil {
		return err
	}
	if on {
		return persona.Errorf(persona.CodeForbidden, "%s", ProposalRequiredMessage)
	}
	return nil
}

// RequiresProposals reports the organisation's sign-off setting.
func (s *Service) RequiresProposals(ctx context.Context, actor Actor, slug string) (bool, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return false, err
	}
	return s.store.OrgRequiresProposals(ctx, org.ID)
}

// SetRequiresProposals turns the sign-off setting on or off (owners and
// admins).
func (s *Service) SetRequiresProposals(ctx context.Context, actor Actor, slug string, on bool) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	summary := "published personas change only through accepted proposals: off"
	if on {
		summary = "published personas change only through accepted proposals: on"
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "update", "proposal_setting", org.ID, summary), func(tx Store) error {
		return tx.SetOrgRequiresProposals(ctx, org.ID, on)
	})
}

// ProposalInput is a proposed revision: the full content as a save would
// send it (PersonaInput; its Message is ignored), the revision it was made
// from, and the proposal's message.
type ProposalInput struct {
	Persona      PersonaInput
	BaseRevision int // 0: the current revision
	Message      string
}

// CreateProposal records a proposed revision of a persona, validated as a
// save would validate it, and tells the persona's owner (the
// organisation's owners and admins when it has none).
func (s *Service) CreateProposal(ctx context.Context, actor Actor, slug, personaID string, in ProposalInput) (persona.Proposal, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Proposal{}, err
	}
	cur, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return persona.Proposal{}, err
	}
	base := cur.Content
	baseRev := cur.Revision
	if in.BaseRevision > 0 && in.BaseRevision != cur.Revision {
		r, err := s.store.GetRevision(ctx, org.ID, cur.ID, in.BaseRevision)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Proposal{}, persona.Invalid("invalid proposal", []persona.FieldError{{Field: "base_revision", Message: "no such revision of this persona"}})
		} else if err != nil {
			return persona.Proposal{}, err
		}
		base, baseRev = r.Content, r.Number
	}
	version, err := s.version(ctx, org.ID, cur.TemplateID, cur.TemplateVersion)
	if err != nil {
		return persona.Proposal{}, err
	}
	content, fields, err := s.proposedContent(ctx, org.ID, cur, version.Definition, in.Persona)
	if err != nil {
		return persona.Proposal{}, err
	}
	in.Message = strings.TrimSpace(in.Message)
	if msg := persona.TextProblem(in.Message, persona.MaxProposalMessage); msg != "" {
		fields = append(fields, persona.FieldError{Field: "proposal_message", Message: msg})
	}
	if err := persona.Invalid("invalid proposal", fields); err != nil {
		return persona.Proposal{}, err
	}
	if len(persona.ProposalChanges(version.Definition, base, content)) == 0 {
		return persona.Proposal{}, persona.Invalid("invalid proposal", []persona.FieldError{{Field: "values", Message: "the proposal changes nothing"}})
	}
	pr := persona.Proposal{ID: newID(), OrgID: org.ID, PersonaID: cur.ID, BaseRevision: baseRev, Message: in.Message,
		Content: content, Status: persona.ProposalOpen, AuthorID: actor.UserID, AuthorName: actor.Name,
		CreatedAt: s.timestamp(), PersonaName: cur.Name}
	err = s.inTx(ctx, s.entry(org.ID, actor, "propose", "proposal", pr.ID, cur.Name+": "+oneLine(in.Message)), func(tx Store) error {
		if err := tx.CreateProposal(ctx, pr); err != nil {
			return err
		}
		to, err := s.proposalDeciders(ctx, tx, org.ID, cur)
		if err != nil {
			return err
		}
		ns := make([]persona.Notification, 0, len(to))
		for _, uid := range to {
			ns = append(ns, persona.Notification{UserID: uid, Kind: persona.NotifyProposalAwaits, ActorID: actor.UserID,
				ObjectKind: "proposal", ObjectID: pr.ID, PersonaID: cur.ID,
				Title:   fmt.Sprintf("%s proposed a change to %s", nameOr(actor.Name, "Someone"), cur.Name),
				Excerpt: excerpt(in.Message), Link: ProposalPath(org.Slug, pr.ID)})
		}
		return s.notify(ctx, tx, org.ID, ns...)
	})
	if err != nil {
		return persona.Proposal{}, err
	}
	return pr, nil
}

// ProposalPath is the proposal's page inside the app.
func ProposalPath(orgSlug, id string) string { return "/o/" + orgSlug + "/proposals/" + id }

// proposalDeciders is who is told a proposal awaits: the persona's owner,
// or the organisation's owners and admins when it has none (or its owner
// has left).
func (s *Service) proposalDeciders(ctx context.Context, tx Store, orgID string, p persona.Persona) ([]string, error) {
	members, err := tx.ListMembers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var admins []string
	for _, m := range members {
		if m.UserID == p.OwnerID {
			return []string{m.UserID}, nil
		}
		if m.Role.AtLeast(persona.RoleAdmin) {
			admins = append(admins, m.UserID)
		}
	}
	return admins, nil
}

// proposedContent builds and validates proposed content the way
// UpdatePersona does: the template and its version stay the persona's,
// retired values are kept, group and a new owner must exist here.
func (s *Service) proposedContent(ctx context.Context, orgID string, cur persona.Persona, def persona.Definition, in PersonaInput) (persona.Content, []persona.FieldError, error) {
	var fields []persona.FieldError
	if in.TemplateID != "" && in.TemplateID != cur.TemplateID {
		fields = append(fields, persona.FieldError{Field: "template_id", Message: "cannot be changed"})
	}
	if in.TemplateVersion != 0 && in.TemplateVersion != cur.TemplateVersion {
		fields = append(fields, persona.FieldError{Field: "template_version", Message: "cannot be changed here; upgrade the persona instead"})
	}
	if in.OwnerID == "" {
		in.OwnerID = cur.OwnerID
	}
	if in.GroupID == "" {
		in.GroupID = cur.GroupID
	}
	ownerToCheck := in.OwnerID
	if ownerToCheck == cur.OwnerID {
		ownerToCheck = ""
	}
	refFields, err := s.checkRefs(ctx, orgID, in.GroupID, ownerToCheck)
	if err != nil {
		return persona.Content{}, nil, err
	}
	fields = append(fields, refFields...)
	content := contentFrom(in, cur.TemplateVersion, cur.Retired)
	if err := persona.ValidateContent(def, &content); err != nil {
		fields = append(fields, fieldsOf(err)...)
	}
	refs, err := s.checkPersonaRefs(ctx, orgID, cur.ID, def, content.Values, cur.Values)
	if err != nil {
		return persona.Content{}, nil, err
	}
	fields = append(fields, refs...)
	return content, fields, nil
}

// ListProposals lists proposals, of one persona when personaID is set.
func (s *Service) ListProposals(ctx context.Context, actor Actor, slug, personaID string) ([]persona.Proposal, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if personaID != "" {
		if _, err := s.store.GetPersona(ctx, org.ID, personaID); err != nil {
			return nil, err
		}
	}
	return s.store.ListProposals(ctx, org.ID, personaID)
}

// CountOpenProposals counts a persona's open proposals.
func (s *Service) CountOpenProposals(ctx context.Context, actor Actor, slug, personaID string) (int, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return 0, err
	}
	return s.store.CountOpenProposals(ctx, org.ID, personaID)
}

// ProposalView is a proposal with what it changes.
type ProposalView struct {
	Proposal   persona.Proposal
	Persona    persona.Persona // as it is now
	Definition persona.Definition
	Base       persona.Content
	// AgainstBase is the proposed change; AgainstCurrent what accepting
	// would change now (only when the persona changed since the base).
	AgainstBase    []persona.Change
	AgainstCurrent []persona.Change
	// Changed: the persona has revisions after the base.
	Changed bool
	// Merge is the three-way merge an accept would apply (open ones).
	Merge persona.MergeResult
	// Variant is the customer variant a variant proposal targets (as it
	// is now); Persona is then its base persona.
	Variant     *persona.Variant
	CanDecide   bool // owners, admins, editors; open proposals
	CanWithdraw bool // the proposer; open proposals
}

func (s *Service) variantProposalView(ctx context.Context, orgID string, pr persona.Proposal) (ProposalView, error) {
	cur, err := s.store.GetVariant(ctx, orgID, pr.VariantID)
	if err != nil {
		return ProposalView{}, err
	}
	p, err := s.store.GetPersona(ctx, orgID, cur.PersonaID)
	if err != nil {
		return ProposalView{}, err
	}
	base := cur.VariantContent
	if pr.BaseRevision != cur.Revision {
		r, err := s.store.GetVariantRevision(ctx, orgID, cur.ID, pr.BaseRevision)
		if err != nil {
			return ProposalView{}, err
		}
		base = r.Content
	}
	version, err := s.version(ctx, orgID, p.TemplateID, p.TemplateVersion)
	if err != nil {
		return ProposalView{}, err
	}
	proposed := persona.VariantContent{}
	if pr.Variant != nil {
		proposed = *pr.Variant
	}
	v := ProposalView{Proposal: pr, Persona: p, Definition: version.Definition, Variant: &cur,
		AgainstBase: persona.VariantProposalChanges(version.Definition, base, proposed)}
	if pr.Open() {
		v.Changed = cur.Revision != pr.BaseRevision
		if v.Changed {
			v.AgainstCurrent = persona.VariantProposalChanges(version.Definition, cur.VariantContent, proposed)
		}
		v.Merge = persona.MergeVariant3(version.Definition, base, cur.VariantContent, proposed)
	}
	return v, nil
}

// VariantProposalInput is a proposed change of a customer variant's
// overrides and note (the customer stays the variant's), made from a
// revision of the variant (0: the current one).
type VariantProposalInput struct {
	Variant      VariantInput
	BaseRevision int
	Message      string
}

// CreateVariantProposal records a proposed change of a customer variant,
// validated as a variant save would validate it (viewers may propose).
func (s *Service) CreateVariantProposal(ctx context.Context, actor Actor, slug, variantID string, in VariantProposalInput) (persona.Proposal, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Proposal{}, err
	}
	cur, err := s.store.GetVariant(ctx, org.ID, variantID)
	if err != nil {
		return persona.Proposal{}, err
	}
	p, err := s.store.GetPersona(ctx, org.ID, cur.PersonaID)
	if err != nil {
		return persona.Proposal{}, err
	}
	base, baseRev := cur.VariantContent, cur.Revision
	if in.BaseRevision > 0 && in.BaseRevision != cur.Revision {
		r, err := s.store.GetVariantRevision(ctx, org.ID, cur.ID, in.BaseRevision)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.Proposal{}, persona.Invalid("invalid proposal", []persona.FieldError{{Field: "base_revision", Message: "no such revision of this variant"}})
		} else if err != nil {
			return persona.Proposal{}, err
		}
		base, baseRev = r.Content, r.Number
	}
	vin := in.Variant
	vin.CustomerID, vin.CustomerLabel, vin.Message, vin.Confirm = cur.CustomerID, cur.CustomerLabel, "", nil
	if vin.FieldNotes == nil {
		vin.FieldNotes = cur.FieldNotes
	}
	var fields []persona.FieldError
	content, err := s.variantContent(ctx, org.ID, p, vin, cur.VariantContent)
	if persona.ErrorCode(err) == persona.CodeInvalid {
		fields = append(fields, fieldsOf(err)...)
	} else if err != nil {
		return persona.Proposal{}, err
	}
	in.Message = strings.TrimSpace(in.Message)
	if msg := persona.TextProblem(in.Message, persona.MaxProposalMessage); msg != "" {
		fields = append(fields, persona.FieldError{Field: "proposal_message", Message: msg})
	}
	if err := persona.Invalid("invalid proposal", fields); err != nil {
		return persona.Proposal{}, err
	}
	version, err := s.version(ctx, org.ID, p.TemplateID, p.TemplateVersion)
	if err != nil {
		return persona.Proposal{}, err
	}
	if len(persona.VariantProposalChanges(version.Definition, base, content)) == 0 {
		return persona.Proposal{}, persona.Invalid("invalid proposal", []persona.FieldError{{Field: "values", Message: "the proposal changes nothing"}})
	}
	pr := persona.Proposal{ID: newID(), OrgID: org.ID, PersonaID: p.ID, VariantID: cur.ID, Variant: &content, BaseRevision: baseRev,
		Message: in.Message, Content: persona.Content{Values: persona.Values{}, Dimensions: persona.Values{}}, Status: persona.ProposalOpen,
		AuthorID: actor.UserID, AuthorName: actor.Name, CreatedAt: s.timestamp(), PersonaName: p.Name}
	label := variantLabel(cur)
	err = s.inTx(ctx, s.entry(org.ID, actor, "propose", "proposal", pr.ID, p.Name+" for "+label+": "+oneLine(in.Message)), func(tx Store) error {
		if err := tx.CreateProposal(ctx, pr); err != nil {
			return err
		}
		to, err := s.proposalDeciders(ctx, tx, org.ID, p)
		if err != nil {
			return err
		}
		ns := make([]persona.Notification, 0, len(to))
		for _, uid := range to {
			ns = append(ns, persona.Notification{UserID: uid, Kind: persona.NotifyProposalAwaits, ActorID: actor.UserID,
				ObjectKind: "proposal", ObjectID: pr.ID, PersonaID: p.ID,
				Title:   fmt.Sprintf("%s proposed a change to %s for %s", nameOr(actor.Name, "Someone"), p.Name, label),
				Excerpt: excerpt(in.Message), Link: ProposalPath(org.Slug, pr.ID)})
		}
		return s.notify(ctx, tx, org.ID, ns...)
	})
	if err != nil {
		return persona.Proposal{}, err
	}
	return pr, nil
}

// variantLabel names a variant by its customer type for summaries.
func variantLabel(v persona.Variant) string {
	if v.CustomerLabel != "" {
		return v.CustomerLabel
	}
	return "a customer variant"
}

// acceptVariantProposal is AcceptProposal for a variant proposal: the
// merged overrides become the variant's next revision, by the proposer.
func (s *Service) acceptVariantProposal(ctx context.Context, org persona.Org, actor Actor, v ProposalView, choices map[string]persona.Resolution) (persona.Proposal, persona.Persona, error) {
	pr, cur, p := v.Proposal, *v.Variant, v.Persona
	content, missing := v.Merge.ResolveVariant(cur.VariantContent, choices)
	if len(missing) > 0 {
		return persona.Proposal{}, persona.Persona{}, conflictError(v.Merge, missing)
	}
	if err := persona.ValidateVariant(v.Definition, &content); err != nil {
		return persona.Proposal{}, persona.Persona{}, persona.Invalid("the merged variant is not valid", fieldsOf(err))
	}
	persona.RecordBase(p.Content, &content, cur.VariantContent, nil)
	now := s.timestamp()
	nv := cur
	nv.VariantContent = content
	nv.Revision = cur.Revision + 1
	nv.UpdatedAt, nv.UpdatedBy = now, actor.UserID
	entry, err := s.variantEntry(ctx, p, nv)
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	msg := fmt.Sprintf("Proposal by %s, accepted by %s", nameOr(pr.AuthorName, "a former member"), nameOr(actor.Name, "an editor"))
	if pr.Message != "" {
		msg += ": " + oneLine(pr.Message)
	}
	rev := variantRevisionOf(nv, msg)
	rev.AuthorID = pr.AuthorID
	pr.Status, pr.DecidedBy, pr.DecidedAt, pr.AppliedRevision, pr.DeciderName = persona.ProposalAccepted, actor.UserID, &now, nv.Revision, actor.Name
	err = s.inTx(ctx, s.entry(org.ID, actor, "accept", "proposal", pr.ID, fmt.Sprintf("%s for %s → variant revision %d (proposal by %s)", p.Name, variantLabel(cur), nv.Revision, nameOr(pr.AuthorName, "a former member"))), func(tx Store) error {
		if err := tx.DecideProposal(ctx, pr); err != nil {
			return err
		}
		if err := tx.UpdateVariant(ctx, nv, rev, entry); err != nil {
			return err
		}
		return s.notify(ctx, tx, org.ID, decided(org.Slug, pr, p, actor, "accepted"))
	})
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	return pr, p, nil
}

// conflictError refuses an accept while conflicting fields lack a choice,
// naming them.
func conflictError(m persona.MergeResult, missing []string) error {
	e := &persona.Error{Code: persona.CodeConflict, Message: "the persona changed since this proposal was made: choose the current or the proposed value for each conflicting field"}
	for _, c := range m.Conflicts {
		for _, p := range missing {
			if p == c.Path {
				e.Fields = append(e.Fields, persona.FieldError{Field: c.Path, Message: c.Label + " was changed both here and in the proposal"})
			}
		}
	}
	return e
}

// GetProposal returns a proposal with its diffs and, while it is open,
// the merge an accept would make.
func (s *Service) GetProposal(ctx context.Context, actor Actor, slug, id string) (ProposalView, error) {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return ProposalView{}, err
	}
	return s.proposalView(ctx, org.ID, actor, role, id)
}

func (s *Service) proposalView(ctx context.Context, orgID string, actor Actor, role persona.Role, id string) (ProposalView, error) {
	pr, err := s.store.GetProposal(ctx, orgID, id)
	if err != nil {
		return ProposalView{}, err
	}
	if pr.VariantID != "" {
		v, err := s.variantProposalView(ctx, orgID, pr)
		if err != nil {
			return ProposalView{}, err
		}
		if pr.Open() {
			v.CanDecide = actor.System || role.AtLeast(persona.RoleEditor)
			v.CanWithdraw = pr.AuthorID == actor.UserID
		}
		return v, nil
	}
	cur, err := s.store.GetPersona(ctx, orgID, pr.PersonaID)
	if err != nil {
		return ProposalView{}, err
	}
	base := cur.Content
	if pr.BaseRevision != cur.Revision {
		r, err := s.store.GetRevision(ctx, orgID, cur.ID, pr.BaseRevision)
		if err != nil {
			return ProposalView{}, err
		}
		base = r.Content
	}
	version, err := s.version(ctx, orgID, cur.TemplateID, cur.TemplateVersion)
	if err != nil {
		return ProposalView{}, err
	}
	v := ProposalView{Proposal: pr, Persona: cur, Definition: version.Definition, Base: base,
		AgainstBase: persona.ProposalChanges(version.Definition, base, pr.Content)}
	if pr.Open() {
		v.Changed = cur.Revision != pr.BaseRevision
		if v.Changed {
			v.AgainstCurrent = persona.ProposalChanges(version.Definition, cur.Content, pr.Content)
		}
		v.Merge = persona.Merge3(version.Definition, base, cur.Content, pr.Content)
		v.CanDecide = actor.System || role.AtLeast(persona.RoleEditor)
		v.CanWithdraw = pr.AuthorID == actor.UserID
	}
	return v, nil
}

// AcceptProposal applies an open proposal as a new revision: the
// proposal's changes merged into the persona as it is now, with a choice
// (current or proposed) for every field both changed. Without a choice
// for each conflict it is refused as a conflict naming those fields. The
// revision's author is the proposer, its message names the proposal and
// the accepter; the proposal records the accepter and the revision.
func (s *Service) AcceptProposal(ctx context.Context, actor Actor, slug, id string, choices map[string]persona.Resolution) (persona.Proposal, persona.Persona, error) {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	v, err := s.proposalView(ctx, org.ID, actor, role, id)
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	pr, cur := v.Proposal, v.Persona
	if !pr.Open() {
		return persona.Proposal{}, persona.Persona{}, persona.Errorf(persona.CodeConflict, "this proposal is %s already", pr.Status)
	}
	if pr.VariantID != "" {
		return s.acceptVariantProposal(ctx, org, actor, v, choices)
	}
	content, missing := v.Merge.Resolve(choices)
	if len(missing) > 0 {
		return persona.Proposal{}, persona.Persona{}, conflictError(v.Merge, missing)
	}
	// The merge may combine values that are valid apart but not together
	// (rules across fields), and a proposed group or owner may be gone.
	var fields []persona.FieldError
	refFields, err := s.checkRefs(ctx, org.ID, content.GroupID, ownerIfChanged(content.OwnerID, cur.OwnerID))
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	fields = append(fields, refFields...)
	if err := persona.ValidateContent(v.Definition, &content); err != nil {
		fields = append(fields, fieldsOf(err)...)
	}
	refs, err := s.checkPersonaRefs(ctx, org.ID, cur.ID, v.Definition, content.Values, cur.Values)
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	fields = append(fields, refs...)
	if err := persona.Invalid("the merged persona is not valid", fields); err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	now := s.timestamp()
	p := cur
	p.Content = content
	p.Revision = cur.Revision + 1
	p.UpdatedAt, p.UpdatedBy = now, actor.UserID
	msg := fmt.Sprintf("Proposal by %s, accepted by %s", nameOr(pr.AuthorName, "a former member"), nameOr(actor.Name, "an editor"))
	if pr.Message != "" {
		msg += ": " + oneLine(pr.Message)
	}
	rev := revisionOf(p, msg)
	rev.AuthorID = pr.AuthorID // the change is the proposer's; the accepter is on the proposal and in the audit log
	pr.Status, pr.DecidedBy, pr.DecidedAt, pr.AppliedRevision = persona.ProposalAccepted, actor.UserID, &now, p.Revision
	pr.DeciderName = actor.Name
	err = s.inTx(ctx, s.entry(org.ID, actor, "accept", "proposal", pr.ID, fmt.Sprintf("%s → revision %d (proposal by %s)", cur.Name, p.Revision, nameOr(pr.AuthorName, "a former member"))), func(tx Store) error {
		if err := tx.DecideProposal(ctx, pr); err != nil {
			return err
		}
		if err := tx.UpdatePersona(ctx, p, rev, persona.SearchText(p.Content)); err != nil {
			return err
		}
		return s.notify(ctx, tx, org.ID, decided(org.Slug, pr, cur, actor, "accepted"))
	})
	if err != nil {
		return persona.Proposal{}, persona.Persona{}, err
	}
	return pr, p, nil
}

// DeclineProposal declines an open proposal with a reason.
func (s *Service) DeclineProposal(ctx context.Context, actor Actor, slug, id, reason string) (persona.Proposal, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Proposal{}, err
	}
	reason = strings.TrimSpace(reason)
	if msg := persona.TextProblem(reason, persona.MaxProposalMessage); msg != "" {
		return persona.Proposal{}, persona.Invalid("invalid decision", []persona.FieldError{{Field: "reason", Message: msg}})
	}
	return s.closeProposal(ctx, org, actor, id, persona.ProposalDeclined, reason)
}

// WithdrawProposal withdraws an open proposal; only its proposer may.
func (s *Service) WithdrawProposal(ctx context.Context, actor Actor, slug, id string) (persona.Proposal, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Proposal{}, err
	}
	return s.closeProposal(ctx, org, actor, id, persona.ProposalWithdrawn, "")
}

func (s *Service) closeProposal(ctx context.Context, org persona.Org, actor Actor, id string, status persona.ProposalStatus, reason string) (persona.Proposal, error) {
	pr, err := s.store.GetProposal(ctx, org.ID, id)
	if err != nil {
		return persona.Proposal{}, err
	}
	if status == persona.ProposalWithdrawn && pr.AuthorID != actor.UserID {
		return persona.Proposal{}, persona.Errorf(persona.CodeForbidden, "only the person who proposed a change may withdraw it")
	}
	if !pr.Open() {
		return persona.Proposal{}, persona.Errorf(persona.CodeConflict, "this proposal is %s already", pr.Status)
	}
	now := s.timestamp()
	pr.Status, pr.DecidedBy, pr.DecidedAt, pr.Reason, pr.DeciderName = status, actor.UserID, &now, reason, actor.Name
	action := map[persona.ProposalStatus]string{persona.ProposalDeclined: "decline", persona.ProposalWithdrawn: "withdraw"}[status]
	summary := pr.PersonaName
	if reason != "" {
		summary += ": " + oneLine(reason)
	}
	err = s.inTx(ctx, s.entry(org.ID, actor, action, "proposal", pr.ID, summary), func(tx Store) error {
		if err := tx.DecideProposal(ctx, pr); err != nil {
			return err
		}
		if status != persona.ProposalDeclined {
			return nil
		}
		return s.notify(ctx, tx, org.ID, decided(org.Slug, pr, persona.Persona{ID: pr.PersonaID, Content: persona.Content{Name: pr.PersonaName}}, actor, "declined"))
	})
	if err != nil {
		return persona.Proposal{}, err
	}
	return pr, nil
}

func decided(orgSlug string, pr persona.Proposal, p persona.Persona, actor Actor, verb string) persona.Notification {
	return persona.Notification{UserID: pr.AuthorID, Kind: persona.NotifyProposalDecided, ActorID: actor.UserID,
		ObjectKind: "proposal", ObjectID: pr.ID, PersonaID: p.ID,
		Title:   fmt.Sprintf("%s %s your proposal on %s", nameOr(actor.Name, "Someone"), verb, p.Name),
		Excerpt: excerpt(pr.Reason), Link: ProposalPath(orgSlug, pr.ID)}
}

func ownerIfChanged(owner, was string) string {
	if owner == was {
		return ""
	}
	return owner
}

func nameOr(name, fallback string) string {
	if strings.TrimSpace(name) == "" {
		return fallback
	}
	return name
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

func excerpt(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > 140 {
		s = string(r[:139]) + "…"
	}
	return s
}
