package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/persona"
)

// VariantInput is what a caller sends to create or replace a customer
// variant. Confirm lists overridden paths ("values.<key>") whose changed
// base the caller has seen and keeps the override for.
type VariantInput struct {
	CustomerID    string
	CustomerLabel string
	Note          string
	Values        persona.Values
	Dimensions    persona.Values
	FieldNotes    map[string]string
	Confirm       []string
	Message       string
}

// VariantDetail is a variant with what it means against its base persona.
type VariantDetail struct {
	Variant   persona.Variant
	Base      persona.Persona
	Effective persona.Content
	// BaseChanged lists the overridden paths whose base value changed since
	// the override was made or confirmed.
	BaseChanged []string
	// Customer is the archetype persona the variant is for (zero when the
	// variant has a plain label or the archetype is gone).
	Customer persona.Persona
}

// CustomerName is how the variant's customer type reads.
func (d VariantDetail) CustomerName() string {
	switch {
	case d.Customer.ID != "":
		return d.Customer.Name
	case d.Variant.CustomerLabel != "":
		return d.Variant.CustomerLabel
	}
	return "a former customer archetype"
}

// variantStore is the part of Store that keeps customer variants.
type variantStore interface {
	CreateVariant(ctx context.Context, v persona.Variant, rev persona.VariantRevision, entry persona.SearchEntry) error
	GetVariant(ctx context.Context, orgID, id string) (persona.Variant, error)
	ListVariants(ctx context.Context, orgID, personaID string) ([]persona.Variant, error)
	ListVariantsForCustomer(ctx context.Context, orgID, customerID string) ([]persona.Variant, error)
	ListVariantsForLabel(ctx context.Context, orgID, label string) ([]persona.Variant, error)
	UpdateVariant(ctx context.Context, v persona.Variant, rev persona.VariantRevision, entry persona.SearchEntry) error
	TrashVariant(ctx context.Context, orgID, id, by string, at time.Time) error
	RestoreVariant(ctx context.Context, orgID, id string) error
	PurgeVariant(ctx context.Context, orgID, id string) error
	ListTrashedVariants(ctx context.Context, orgID string) ([]persona.Variant, error)
	ListVariantRevisions(ctx context.Context, orgID, variantID string) ([]persona.VariantRevision, error)
	GetVariantRevision(ctx context.Context, orgID, variantID string, number int) (persona.VariantRevision, error)
}

// variantContent validates in against the base persona's template version
// and resolves the customer, returning the content to store.
func (s *Service) variantContent(ctx context.Context, orgID string, base persona.Persona, in VariantInput, prev persona.VariantContent) (persona.VariantContent, error) {
	c := persona.VariantContent{
		CustomerID: in.CustomerID, CustomerLabel: in.CustomerLabel, Note: in.Note,
		Values: in.Values, Dimensions: in.Dimensions, FieldNotes: in.FieldNotes,
	}
	version, err := s.version(ctx, orgID, base.TemplateID, base.TemplateVersion)
	if err != nil {
		return c, err
	}
	fields := messageFields(in.Message)
	if err := persona.ValidateVariant(version.Definition, &c); err != nil {
		fields = append(fields, fieldsOf(err)...)
	}
	// Persona references among the overrides: a target the base or the
	// previous revision already names is kept as it is (refs.go).
	kept := persona.CloneValues(base.Values)
	for k, v := range prev.Values {
		kept[k] = append(persona.RefIDs(persona.Field{Kind: persona.KindPersona}, kept[k]), persona.RefIDs(persona.Field{Kind: persona.KindPersona}, v)...)
	}
	refs, err := s.checkPersonaRefs(ctx, orgID, base.ID, version.Definition, c.Values, kept)
	if err != nil {
		return c, err
	}
	fields = append(fields, refs...)
	if c.CustomerID != "" {
		switch cust, err := s.store.GetPersona(ctx, orgID, c.CustomerID); {
		case persona.ErrorCode(err) == persona.CodeNotFound:
			fields = append(fields, persona.FieldError{Field: "customer_id", Message: "no such persona in this organisation"})
		case err != nil:
			return c, err
		case cust.ProfileType != persona.ProfileArchetype:
			fields = append(fields, persona.FieldError{Field: "customer_id", Message: "must be a customer archetype persona"})
		case cust.ID == base.ID:
			fields = append(fields, persona.FieldError{Field: "customer_id", Message: "cannot be the persona itself"})
		}
	}
	if err := persona.Invalid("invalid variant", fields); err != nil {
		return c, err
	}
	persona.RecordBase(base.Content, &c, prev, in.Confirm)
	return c, nil
}

// CreateVariant adds a customer variant to a persona (editors).
func (s *Service) CreateVariant(ctx context.Context, actor Actor, slug, personaID string, in VariantInput) (persona.Variant, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Variant{}, err
	}
	base, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return persona.Variant{}, err
	}
	c, err := s.variantContent(ctx, org.ID, base, in, persona.VariantContent{})
	if err != nil {
		return persona.Variant{}, err
	}
	now := s.timestamp()
	v := persona.Variant{ID: newID(), OrgID: org.ID, PersonaID: base.ID, VariantContent: c, Revision: 1,
		CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
	entry, err := s.variantEntry(ctx, base, v)
	if err != nil {
		return persona.Variant{}, err
	}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "variant", v.ID, entry.Title), func(tx Store) error { return tx.CreateVariant(ctx, v, variantRevisionOf(v, in.Message), entry) }); err != nil {
		return persona.Variant{}, err
	}
	return v, nil
}

// UpdateVariant replaces a variant's content, with the same If-Match rules
// as personas.
func (s *Service) UpdateVariant(ctx context.Context, actor Actor, slug, id string, ifMatch int, in VariantInput) (persona.Variant, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Variant{}, err
	}
	cur, err := s.store.GetVariant(ctx, org.ID, id)
	if err != nil {
		return persona.Variant{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Revision, "variant"); err != nil {
		return persona.Variant{}, err
	}
	base, err := s.store.GetPersona(ctx, org.ID, cur.PersonaID)
	if err != nil {
		return persona.Variant{}, err
	}
	c, err := s.variantContent(ctx, org.ID, base, in, cur.VariantContent)
	if err != nil {
		return persona.Variant{}, err
	}
	return s.saveVariant(ctx, actor, cur, c, in.Message)
}

func (s *Service) saveVariant(ctx context.Context, actor Actor, cur persona.Variant, c persona.VariantContent, message string) (persona.Variant, error) {
	return s.saveVariantAs(ctx, actor, cur, c, message, variantAction(cur.VariantContent, c))
}

// saveVariantAs is saveVariant recorded in the audit log as action.
func (s *Service) saveVariantAs(ctx context.Context, actor Actor, cur persona.Variant, c persona.VariantContent, message, action string) (persona.Variant, error) {
	v := cur
	v.VariantContent = c
	v.Revision = cur.Revision + 1
	v.UpdatedAt = s.timestamp()
	v.UpdatedBy = actor.UserID
	base, err := s.store.GetPersona(ctx, cur.OrgID, cur.PersonaID)
	if err != nil {
		return persona.Variant{}, err
	}
	entry, err := s.variantEntry(ctx, base, v)
	if err != nil {
		return persona.Variant{}, err
	}
	audit := s.entry(v.OrgID, actor, action, "variant", v.ID, revisionSummary(entry.Title, v.Revision, message))
	if err := s.inTx(ctx, audit, func(tx Store) error { return tx.UpdateVariant(ctx, v, variantRevisionOf(v, message), entry) }); err != nil {
		return persona.Variant{}, err
	}
	return v, nil
}

func checkIfMatch(ifMatch, current int, what string) error {
	if ifMatch <= 0 {
		return &persona.Error{Code: persona.CodePreconditionRequired, Current: current,
			Message: "send If-Match with the revision you edited (current revision is " + strconv.Itoa(current) + ")"}
	}
	if ifMatch != current {
		return &persona.Error{Code: persona.CodePreconditionFailed, Current: current,
			Message: what + " was changed meanwhile; current revision is " + strconv.Itoa(current)}
	}
	return nil
}

func variantRevisionOf(v persona.Variant, message string) persona.VariantRevision {
	message = strings.TrimSpace(message)
	if r := []rune(message); len(r) > 500 {
		message = string(r[:500])
	}
	return persona.VariantRevision{VariantID: v.ID, OrgID: v.OrgID, Number: v.Revision, AuthorID: v.UpdatedBy,
		CreatedAt: v.UpdatedAt, Message: message, Content: v.VariantContent}
}

// GetVariant returns a variant with its base, effective content and flags.
func (s *Service) GetVariant(ctx context.Context, actor Actor, slug, id string) (VariantDetail, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return VariantDetail{}, err
	}
	v, err := s.store.GetVariant(ctx, org.ID, id)
	if err != nil {
		return VariantDetail{}, err
	}
	base, err := s.store.GetPersona(ctx, org.ID, v.PersonaID)
	if err != nil {
		return VariantDetail{}, err
	}
	return s.detail(ctx, org.ID, base, v)
}

func (s *Service) detail(ctx context.Context, orgID string, base persona.Persona, v persona.Variant) (VariantDetail, error) {
	d := VariantDetail{Variant: v, Base: base, Effective: persona.Effective(base.Content, v.VariantContent),
		BaseChanged: persona.BaseChanged(base.Content, v.VariantContent)}
	if v.CustomerID != "" {
		cust, err := s.store.GetPersona(ctx, orgID, v.CustomerID)
		if err != nil && persona.ErrorCode(err) != persona.CodeNotFound {
			return d, err
		}
		d.Customer = cust
	}
	return d, nil
}

// ListVariants returns a persona's live variants with their details, in
// creation order.
func (s *Service) ListVariants(ctx context.Context, actor Actor, slug, personaID string) ([]VariantDetail, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	base, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ListVariants(ctx, org.ID, base.ID)
	if err != nil {
		return nil, err
	}
	out := make([]VariantDetail, 0, len(vs))
	for _, v := range vs {
		d, err := s.detail(ctx, org.ID, base, v)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// CustomerVariants lists every persona's variant for one customer type:
// an archetype persona's ID, or else a plain label.
func (s *Service) CustomerVariants(ctx context.Context, actor Actor, slug, customerID, label string) ([]VariantDetail, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	var vs []persona.Variant
	if customerID != "" {
		if _, err := s.store.GetPersona(ctx, org.ID, customerID); err != nil {
			return nil, err
		}
		vs, err = s.store.ListVariantsForCustomer(ctx, org.ID, customerID)
	} else {
		vs, err = s.store.ListVariantsForLabel(ctx, org.ID, strings.TrimSpace(label))
	}
	if err != nil {
		return nil, err
	}
	out := make([]VariantDetail, 0, len(vs))
	for _, v := range vs {
		base, err := s.store.GetPersona(ctx, org.ID, v.PersonaID)
		if err != nil {
			return nil, err
		}
		d, err := s.detail(ctx, org.ID, base, v)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// TrashVariant moves a variant to the trash (editors).
func (s *Service) TrashVariant(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "trash", "variant", id, ""), func(tx Store) error {
		return tx.TrashVariant(ctx, org.ID, id, actor.UserID, s.timestamp())
	})
}

// RestoreVariant brings a variant back from the trash (editors).
func (s *Service) RestoreVariant(ctx context.Context, actor Actor, slug, id string) (persona.Variant, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Variant{}, err
	}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "restore", "variant", id, ""), func(tx Store) error { return tx.RestoreVariant(ctx, org.ID, id) }); err != nil {
		return persona.Variant{}, err
	}
	return s.store.GetVariant(ctx, org.ID, id)
}

// PurgeVariant deletes a trashed variant for good (admins).
func (s *Service) PurgeVariant(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "purge", "variant", id, ""), func(tx Store) error { return tx.PurgeVariant(ctx, org.ID, id) })
}

// ListTrashedVariants lists variants in the trash whose persona is live.
func (s *Service) ListTrashedVariants(ctx context.Context, actor Actor, slug string) ([]persona.Variant, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListTrashedVariants(ctx, org.ID)
}

// ListVariantRevisions lists a live variant's revisions, newest first.
func (s *Service) ListVariantRevisions(ctx context.Context, actor Actor, slug, id string) ([]persona.VariantRevision, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetVariant(ctx, org.ID, id); err != nil {
		return nil, err
	}
	return s.store.ListVariantRevisions(ctx, org.ID, id)
}

// RestoreVariantRevision makes an old revision's content the newest one.
func (s *Service) RestoreVariantRevision(ctx context.Context, actor Actor, slug, id string, number, ifMatch int) (persona.Variant, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Variant{}, err
	}
	cur, err := s.store.GetVariant(ctx, org.ID, id)
	if err != nil {
		return persona.Variant{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Revision, "variant"); err != nil {
		return persona.Variant{}, err
	}
	old, err := s.store.GetVariantRevision(ctx, org.ID, id, number)
	if err != nil {
		return persona.Variant{}, err
	}
	return s.saveVariantAs(ctx, actor, cur, old.Content, "Restored revision "+strconv.Itoa(number), "restore revision")
}

// variantEntry is a variant's search entry: "<persona> at <customer>", its
// notes and its override values.
func (s *Service) variantEntry(ctx context.Context, base persona.Persona, v persona.Variant) (persona.SearchEntry, error) {
	d, err := s.detail(ctx, v.OrgID, base, v)
	if err != nil {
		return persona.SearchEntry{}, err
	}
	var b strings.Builder
	b.WriteString(v.Note)
	for _, p := range persona.SortedKeys(v.FieldNotes) {
		b.WriteString("\n" + v.FieldNotes[p])
	}
	b.WriteString("\n" + persona.SearchText(persona.Content{Values: v.Values, Dimensions: v.Dimensions}))
	return persona.SearchEntry{OrgID: v.OrgID, Kind: persona.EntryVariant, RefID: v.ID, PersonaID: v.PersonaID,
		VariantID: v.ID, Title: base.Name + " at " + d.CustomerName(), Body: strings.TrimSpace(b.String())}, nil
}
