package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// PersonaInput is what a caller sends to create or replace a persona. On
// update the template cannot change (upgrade does that) and retired values
// are kept as they are.
type PersonaInput struct {
	Name               string
	Summary            string
	GroupID            string
	TemplateID         string // create only
	TemplateVersion    int    // create only; 0 means the latest published
	Status             persona.Status
	OwnerID            string // empty: the caller on create, unchanged on update
	Values             persona.Values
	Dimensions         persona.Values
	LastReviewedOn     string
	ReviewIntervalDays int
	Message            string // revision message
}

// PersonaPage is one page of a persona listing.
type PersonaPage = Page[persona.Persona]

// Page is one page of a listing.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// Page size limits for listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ListPersonas lists live personas with filters, a page at a time.
func (s *Service) ListPersonas(ctx context.Context, actor Actor, slug string, f persona.PersonaFilter, cursor string) (PersonaPage, error) {
	return listPersonaPage(ctx, s, actor, slug, f, cursor, s.store.ListPersonas, func(p persona.Persona) *persona.Persona { return &p })
}

// ListPersonasEncoded is ListPersonas with the values kept encoded, for
// answers that pass them through.
func (s *Service) ListPersonasEncoded(ctx context.Context, actor Actor, slug string, f persona.PersonaFilter, cursor string) (Page[persona.Encoded], error) {
	return listPersonaPage(ctx, s, actor, slug, f, cursor, s.store.ListPersonasEncoded, func(e persona.Encoded) *persona.Persona { return &e.Persona })
}

// listPersonaPage checks a listing's filter and cursor and reads one page
// through list; of gives an item's persona properties.
func listPersonaPage[T any](ctx context.Context, s *Service, actor Actor, slug string, f persona.PersonaFilter, cursor string,
	list func(context.Context, string, persona.PersonaFilter) ([]T, error), of func(T) *persona.Persona) (Page[T], error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return Page[T]{}, err
	}
	var fields []persona.FieldError
	if f.ProfileType != "" && !f.ProfileType.Valid() {
		fields = append(fields, persona.FieldError{Field: "profile_type", Message: "must be one of: ux, marketing, archetype, agent"})
	}
	if f.Status != "" && !f.Status.Valid() {
		fields = append(fields, persona.FieldError{Field: "status", Message: "must be one of: draft, published, archived"})
	}
	if f.Limit < 0 || f.Limit > MaxPageSize {
		fields = append(fields, persona.FieldError{Field: "limit", Message: "must be between 1 and 200"})
	}
	if cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(after) == 0 || len(after) > 100 {
			fields = append(fields, persona.FieldError{Field: "cursor", Message: "is not a cursor this server issued"})
		}
		f.After = string(after)
	}
	if err := persona.Invalid("invalid listing", fields); err != nil {
		return Page[T]{}, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	want := f.Limit
	f.Limit = want + 1 // one more tells whether there is a next page
	items, err := list(ctx, org.ID, f)
	if err != nil {
		return Page[T]{}, err
	}
	page := Page[T]{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(of(items[want-1]).ID))
	}
	return page, nil
}

// GetPersona returns a live persona.
func (s *Service) GetPersona(ctx context.Context, actor Actor, slug, id string) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Persona{}, err
	}
	return s.store.GetPersona(ctx, org.ID, id)
}

// PersonaRevision returns a live persona's revision (its ETag), without
// reading the persona.
func (s *Service) PersonaRevision(ctx context.Context, actor Actor, slug, id string) (int, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return 0, err
	}
	return s.store.PersonaRevision(ctx, org.ID, id)
}

// GetPersonaEncoded is GetPersona with the values kept encoded, for answers
// that pass them through.
func (s *Service) GetPersonaEncoded(ctx context.Context, actor Actor, slug, id string) (persona.Encoded, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Encoded{}, err
	}
	return s.store.GetPersonaEncoded(ctx, org.ID, id)
}

// GetPersonas returns live personas by ID, in that order; not-found when
// any of them is missing (or in the trash).
func (s *Service) GetPersonas(ctx context.Context, actor Actor, slug string, ids []string) ([]persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.GetPersonas(ctx, org.ID, ids)
	if err != nil {
		return nil, err
	}
	if len(ps) != len(ids) {
		return nil, persona.ErrNotFound("persona")
	}
	return ps, nil
}

// Names labels an organisation's groups and templates by ID.
type Names struct {
	Groups, Templates map[string]string
}

// Names returns the names of the organisation's groups and templates.
func (s *Service) Names(ctx context.Context, actor Actor, slug string) (Names, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return Names{}, err
	}
	groups, err := s.store.GroupNames(ctx, org.ID)
	if err != nil {
		return Names{}, err
	}
	templates, err := s.store.TemplateNames(ctx, org.ID)
	return Names{Groups: groups, Templates: templates}, err
}

// PersonaDefinition returns the template version a persona is pinned to.
func (s *Service) PersonaDefinition(ctx context.Context, actor Actor, slug string, p persona.Persona) (persona.TemplateVersion, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.TemplateVersion{}, err
	}
	return s.version(ctx, org.ID, p.TemplateID, p.TemplateVersion)
}

// CreatePersona creates a persona from a published template version and
// records revision 1.
func (s *Service) CreatePersona(ctx context.Context, actor Actor, slug string, in PersonaInput) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	var fields []persona.FieldError
	var tmpl persona.Template
	var version persona.TemplateVersion
	if in.TemplateID == "" {
		fields = append(fields, persona.FieldError{Field: "template_id", Message: "is required"})
	} else if tmpl, err = s.store.TemplateHead(ctx, org.ID, in.TemplateID); err != nil {
		if persona.ErrorCode(err) != persona.CodeNotFound {
			return persona.Persona{}, err
		}
		fields = append(fields, persona.FieldError{Field: "template_id", Message: "no such template in this organisation"})
	} else {
		n := in.TemplateVersion
		if n == 0 {
			n = tmpl.LatestVersion
		}
		if n <= 0 {
			fields = append(fields, persona.FieldError{Field: "template_id", Message: "template has no published version yet"})
		} else if version, err = s.version(ctx, org.ID, tmpl.ID, n); err != nil {
			if persona.ErrorCode(err) != persona.CodeNotFound {
				return persona.Persona{}, err
			}
			fields = append(fields, persona.FieldError{Field: "template_version", Message: "no such published version"})
		}
	}
	if in.OwnerID == "" {
		in.OwnerID = actor.UserID
	}
	refFields, err := s.checkRefs(ctx, org.ID, in.GroupID, in.OwnerID)
	if err != nil {
		return persona.Persona{}, err
	}
	fields = append(fields, refFields...)
	content := contentFrom(in, version.Version, nil)
	if version.Version > 0 {
		if err := persona.ValidateContent(version.Definition, &content); err != nil {
			fields = append(fields, fieldsOf(err)...)
		}
		refs, err := s.checkPersonaRefs(ctx, org.ID, "", version.Definition, content.Values, nil)
		if err != nil {
			return persona.Persona{}, err
		}
		fields = append(fields, refs...)
	}
	fields = append(fields, messageFields(in.Message)...)
	if err := persona.Invalid("invalid persona", fields); err != nil {
		return persona.Persona{}, err
	}
	now := s.timestamp()
	p := persona.Persona{
		ID: newID(), OrgID: org.ID, TemplateID: tmpl.ID, ProfileType: tmpl.ProfileType, Content: content,
		Revision: 1, CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID,
	}
	rev := revisionOf(p, in.Message)
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "persona", p.ID, p.Name), func(tx Store) error {
		return tx.CreatePersona(ctx, p, rev, persona.SearchText(p.Content))
	}); err != nil {
		return persona.Persona{}, err
	}
	return p, nil
}

// UpdatePersona replaces a persona's content. ifMatch is the revision the
// caller last saw: 0 is refused as precondition-required, a stale one as
// precondition-failed naming the current revision; nothing is written then.
func (s *Service) UpdatePersona(ctx context.Context, actor Actor, slug, id string, ifMatch int, in PersonaInput) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	cur, err := s.currentForWrite(ctx, org.ID, id, ifMatch)
	if err != nil {
		return persona.Persona{}, err
	}
	version, err := s.version(ctx, org.ID, cur.TemplateID, cur.TemplateVersion)
	if err != nil {
		return persona.Persona{}, err
	}
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
		ownerToCheck = "" // a former member may stay owner until someone changes it
	}
	refFields, err := s.checkRefs(ctx, org.ID, in.GroupID, ownerToCheck)
	if err != nil {
		return persona.Persona{}, err
	}
	fields = append(fields, refFields...)
	if in.LastReviewedOn != cur.LastReviewedOn {
		// A review since this revision (reviews.go) moved the date on
		// without a new revision; a form that left the date alone keeps it.
		base, err := s.store.GetRevision(ctx, org.ID, id, cur.Revision)
		if err != nil {
			return persona.Persona{}, err
		}
		in.LastReviewedOn = keepReviewDate(strings.TrimSpace(in.LastReviewedOn), base.Content.LastReviewedOn, cur.LastReviewedOn)
	}
	content := contentFrom(in, cur.TemplateVersion, cur.Retired)
	if err := persona.ValidateContent(version.Definition, &content); err != nil {
		fields = append(fields, fieldsOf(err)...)
	}
	refs, err := s.checkPersonaRefs(ctx, org.ID, cur.ID, version.Definition, content.Values, cur.Values)
	if err != nil {
		return persona.Persona{}, err
	}
	fields = append(fields, refs...)
	fields = append(fields, messageFields(in.Message)...)
	if err := persona.Invalid("invalid persona", fields); err != nil {
		return persona.Persona{}, err
	}
	return s.saveRevision(ctx, actor, cur, content, in.Message)
}

// currentForWrite loads a live persona and checks the caller's If-Match.
func (s *Service) currentForWrite(ctx context.Context, orgID, id string, ifMatch int) (persona.Persona, error) {
	cur, err := s.store.GetPersona(ctx, orgID, id)
	if err != nil {
		return persona.Persona{}, err
	}
	if ifMatch <= 0 {
		return persona.Persona{}, &persona.Error{Code: persona.CodePreconditionRequired,
			Message: "send If-Match with the revision you edited (current revision is " + strconv.Itoa(cur.Revision) + ")", Current: cur.Revision}
	}
	if ifMatch != cur.Revision {
		return persona.Persona{}, stale(cur.Revision)
	}
	return cur, nil
}

func stale(current int) error {
	return &persona.Error{Code: persona.CodePreconditionFailed,
		Message: "persona was changed meanwhile; current revision is " + strconv.Itoa(current), Current: current}
}

// saveRevision writes content as the next revision of cur.
func (s *Service) saveRevision(ctx context.Context, actor Actor, cur persona.Persona, content persona.Content, message string) (persona.Persona, error) {
	return s.saveRevisionAs(ctx, actor, cur, content, message, "update")
}

// saveRevisionAs is saveRevision recorded in the audit log as action (a
// restore or an upgrade also saves a revision).
func (s *Service) saveRevisionAs(ctx context.Context, actor Actor, cur persona.Persona, content persona.Content, message, action string) (persona.Persona, error) {
	return s.saveRevisionWith(ctx, actor, cur, content, message, action, nil)
}

// saveRevisionWith is saveRevisionAs with extra, when not nil, written in
// the same transaction first (an image field's picture).
func (s *Service) saveRevisionWith(ctx context.Context, actor Actor, cur persona.Persona, content persona.Content, message, action string, extra func(tx Store) error) (persona.Persona, error) {
	if err := s.checkDirectSave(ctx, cur); err != nil { // proposals.go: the sign-off setting
		return persona.Persona{}, err
	}
	p := cur
	p.Content = content
	p.Revision = cur.Revision + 1
	p.UpdatedAt = s.timestamp()
	p.UpdatedBy = actor.UserID
	if err := s.inTx(ctx, s.entry(p.OrgID, actor, action, "persona", p.ID, fmt.Sprintf("%s → revision %d", p.Name, p.Revision)), func(tx Store) error {
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		if err := tx.UpdatePersona(ctx, p, revisionOf(p, message), persona.SearchText(p.Content)); err != nil {
			return err
		}
		return s.notifyBaseChanged(ctx, tx, actor, cur, p)
	}); err != nil {
		return persona.Persona{}, err
	}
	return p, nil
}

func revisionOf(p persona.Persona, message string) persona.Revision {
	message = strings.TrimSpace(message)
	if r := []rune(message); len(r) > 500 {
		message = string(r[:500])
	}
	return persona.Revision{PersonaID: p.ID, OrgID: p.OrgID, Number: p.Revision, AuthorID: p.UpdatedBy,
		CreatedAt: p.UpdatedAt, Message: message, Content: p.Content}
}

func contentFrom(in PersonaInput, version int, retired persona.Values) persona.Content {
	values, dims := in.Values, in.Dimensions
	if values == nil {
		values = persona.Values{}
	}
	if dims == nil {
		dims = persona.Values{}
	}
	return persona.Content{
		Name: in.Name, Summary: in.Summary, GroupID: in.GroupID, Status: in.Status, OwnerID: in.OwnerID,
		TemplateVersion: version, Values: values, Dimensions: dims, Retired: retired,
		LastReviewedOn: in.LastReviewedOn, ReviewIntervalDays: in.ReviewIntervalDays,
	}
}

// checkRefs checks that a group and an owner (when given) exist in the
// organisation, as field errors.
func (s *Service) checkRefs(ctx context.Context, orgID, groupID, ownerID string) ([]persona.FieldError, error) {
	var fields []persona.FieldError
	if groupID == "" {
		fields = append(fields, persona.FieldError{Field: "group_id", Message: "is required"})
	} else if ok, err := s.store.GroupExists(ctx, orgID, groupID); err != nil {
		return nil, err
	} else if !ok {
		fields = append(fields, persona.FieldError{Field: "group_id", Message: "no such group in this organisation"})
	}
	if ownerID != "" {
		if _, err := s.store.GetMember(ctx, orgID, ownerID); err != nil {
			if persona.ErrorCode(err) != persona.CodeNotFound {
				return nil, err
			}
			fields = append(fields, persona.FieldError{Field: "owner_id", Message: "is not a member of this organisation"})
		}
	}
	return fields, nil
}

func fieldsOf(err error) []persona.FieldError {
	if e, ok := persona.AsError(err); ok && len(e.Fields) > 0 {
		return e.Fields
	}
	return []persona.FieldError{{Field: "persona", Message: err.Error()}}
}

// TrashPersona moves a persona to the trash (soft delete).
func (s *Service) TrashPersona(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "trash", "persona", id, ""), func(tx Store) error {
		return tx.TrashPersona(ctx, org.ID, id, actor.UserID, s.timestamp())
	})
}

// RestorePersona brings a persona back from the trash.
func (s *Service) RestorePersona(ctx context.Context, actor Actor, slug, id string) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "restore", "persona", id, ""), func(tx Store) error {
		return tx.RestorePersona(ctx, org.ID, id)
	}); err != nil {
		return persona.Persona{}, err
	}
	return s.store.GetPersona(ctx, org.ID, id)
}

// PurgePersona deletes a trashed persona and its history for good (admins).
func (s *Service) PurgePersona(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return err
	}
	return s.inTx(ctx, s.entry(org.ID, actor, "purge", "persona", id, ""), func(tx Store) error {
		return tx.PurgePersona(ctx, org.ID, id)
	})
}

// ListTrash lists trashed personas.
func (s *Service) ListTrash(ctx context.Context, actor Actor, slug string) ([]persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListTrash(ctx, org.ID)
}

// historyPersona is a live persona or one merged into another: a merged
// persona's history stays readable (duplicates.go).
func (s *Service) historyPersona(ctx context.Context, orgID, id string) (persona.Persona, error) {
	p, err := s.store.GetPersona(ctx, orgID, id)
	if persona.ErrorCode(err) == persona.CodeNotFound {
		if m, merr := s.store.GetMergedPersona(ctx, orgID, id); merr == nil {
			return m, nil
		}
	}
	return p, err
}

// HistoryPersona returns a live persona, or a merged one with the ID of
// the persona it was merged into (its history stays readable).
func (s *Service) HistoryPersona(ctx context.Context, actor Actor, slug, id string) (persona.Persona, string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Persona{}, "", err
	}
	p, err := s.historyPersona(ctx, org.ID, id)
	if err != nil || p.DeletedAt == nil {
		return p, "", err
	}
	into, err := s.store.MergedInto(ctx, org.ID, id)
	return p, into, err
}

// ListRevisions lists a persona's revisions, newest first.
func (s *Service) ListRevisions(ctx context.Context, actor Actor, slug, id string) ([]persona.Revision, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.historyPersona(ctx, org.ID, id); err != nil {
		return nil, err
	}
	return s.store.ListRevisions(ctx, org.ID, id)
}

// GetRevision returns one revision of a live persona.
func (s *Service) GetRevision(ctx context.Context, actor Actor, slug, id string, number int) (persona.Revision, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Revision{}, err
	}
	if _, err := s.historyPersona(ctx, org.ID, id); err != nil {
		return persona.Revision{}, err
	}
	return s.store.GetRevision(ctx, org.ID, id, number)
}

// RevisionDiff is the field-by-field difference between two revisions.
type RevisionDiff struct {
	From    int
	To      int
	Changes []persona.Change
}

// DiffRevisions compares revision from with revision to of a persona.
func (s *Service) DiffRevisions(ctx context.Context, actor Actor, slug, id string, from, to int) (RevisionDiff, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return RevisionDiff{}, err
	}
	p, err := s.historyPersona(ctx, org.ID, id)
	if err != nil {
		return RevisionDiff{}, err
	}
	a, err := s.store.GetRevision(ctx, org.ID, id, from)
	if err != nil {
		return RevisionDiff{}, err
	}
	b, err := s.store.GetRevision(ctx, org.ID, id, to)
	if err != nil {
		return RevisionDiff{}, err
	}
	v, err := s.version(ctx, org.ID, p.TemplateID, b.Content.TemplateVersion)
	if err != nil {
		return RevisionDiff{}, err
	}
	return RevisionDiff{From: from, To: to, Changes: persona.Diff(v.Definition, a.Content, b.Content)}, nil
}

// RestoreRevision makes an old revision's content current again, as a new
// revision. The old revision must still fit the persona's current template
// version; if the persona was upgraded since, values are re-mapped.
func (s *Service) RestoreRevision(ctx context.Context, actor Actor, slug, id string, number, ifMatch int) (persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Persona{}, err
	}
	cur, err := s.currentForWrite(ctx, org.ID, id, ifMatch)
	if err != nil {
		return persona.Persona{}, err
	}
	old, err := s.store.GetRevision(ctx, org.ID, id, number)
	if err != nil {
		return persona.Persona{}, err
	}
	content := old.Content
	if content.TemplateVersion != cur.TemplateVersion {
		v, err := s.version(ctx, org.ID, cur.TemplateID, cur.TemplateVersion)
		if err != nil {
			return persona.Persona{}, err
		}
		res := persona.Upgrade(content, v.Definition, cur.TemplateVersion)
		if err := persona.Invalid("revision does not fit the current template version", res.Problems); err != nil {
			return persona.Persona{}, err
		}
		content = res.Content
	}
	if _, err := s.store.GetGroup(ctx, org.ID, content.GroupID); err != nil {
		content.GroupID = cur.GroupID // the old group is gone; stay where we are
	}
	return s.saveRevisionAs(ctx, actor, cur, content, "Restored revision "+strconv.Itoa(number), "restore revision")
}

// UpgradeRequest asks to move a persona to a newer template version. Values
// patches values before validation, so that a caller can fix what the new
// version would refuse.
type UpgradeRequest struct {
	ToVersion int // 0: the latest
	Values    persona.Values
	DryRun    bool
}

// UpgradePersona moves a persona to another version of its template. Fields
// are mapped by key; values of fields the new version lacks are kept as
// retired values. Values the new version refuses are reported and, unless it
// is a dry run, block the upgrade.
func (s *Service) UpgradePersona(ctx context.Context, actor Actor, slug, id string, ifMatch int, req UpgradeRequest) (persona.UpgradeResult, persona.Persona, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.UpgradeResult{}, persona.Persona{}, err
	}
	var cur persona.Persona
	if req.DryRun {
		cur, err = s.store.GetPersona(ctx, org.ID, id)
	} else {
		cur, err = s.currentForWrite(ctx, org.ID, id, ifMatch)
	}
	if err != nil {
		return persona.UpgradeResult{}, persona.Persona{}, err
	}
	tmpl, err := s.store.GetTemplate(ctx, org.ID, cur.TemplateID)
	if err != nil {
		return persona.UpgradeResult{}, persona.Persona{}, err
	}
	to := req.ToVersion
	if to == 0 {
		to = tmpl.LatestVersion
	}
	v, err := s.version(ctx, org.ID, tmpl.ID, to)
	if err != nil {
		if persona.ErrorCode(err) == persona.CodeNotFound {
			return persona.UpgradeResult{}, persona.Persona{}, persona.Invalid("invalid upgrade", []persona.FieldError{{Field: "to_version", Message: "no such published version"}})
		}
		return persona.UpgradeResult{}, persona.Persona{}, err
	}
	if to == cur.TemplateVersion && len(req.Values) == 0 {
		return persona.UpgradeResult{}, persona.Persona{}, persona.Errorf(persona.CodeConflict, "persona is already on version %d", to)
	}
	content := cur.Content
	content.Values = persona.Values{}
	for k, val := range cur.Values {
		content.Values[k] = val
	}
	for k, val := range req.Values {
		content.Values[k] = val
	}
	res := persona.Upgrade(content, v.Definition, to)
	if req.DryRun {
		return res, cur, nil
	}
	if err := persona.Invalid("the new version refuses some values; send corrected values with the upgrade", res.Problems); err != nil {
		return res, persona.Persona{}, err
	}
	p, err := s.saveRevisionAs(ctx, actor, cur, res.Content, "Upgraded to template version "+strconv.Itoa(to), "upgrade")
	return res, p, err
}

// Search runs an organisation-scoped full-text search.
func (s *Service) Search(ctx context.Context, actor Actor, slug string, q persona.SearchQuery) ([]persona.SearchHit, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	var fields []persona.FieldError
	if len(q.Text) > 500 {
		fields = append(fields, persona.FieldError{Field: "q", Message: "must be at most 500 characters"})
	}
	if q.ProfileType != "" && !q.ProfileType.Valid() {
		fields = append(fields, persona.FieldError{Field: "profile_type", Message: "must be one of: ux, marketing, archetype, agent"})
	}
	if q.Limit < 0 || q.Limit > 100 {
		fields = append(fields, persona.FieldError{Field: "limit", Message: "must be between 1 and 100"})
	}
	if err := persona.Invalid("invalid search", fields); err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = 20
	}
	if len(persona.SearchTerms(q.Text)) == 0 {
		return []persona.SearchHit{}, nil
	}
	return s.store.SearchPersonas(ctx, org.ID, q)
}

// SearchEntries searches the organisation's customer variants, notes and
// evidence (same query rules as Search).
func (s *Service) SearchEntries(ctx context.Context, actor Actor, slug, text string, limit int) ([]persona.EntryHit, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if len(text) > 500 {
		return nil, persona.Invalid("invalid search", []persona.FieldError{{Field: "q", Message: "must be at most 500 characters"}})
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	return s.store.SearchEntries(ctx, org.ID, text, limit)
}
