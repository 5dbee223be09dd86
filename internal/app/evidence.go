package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// evidenceStore is the part of Store that keeps the evidence library and
// its links to personas.
type evidenceStore interface {
	// CreateEvidence writes an item, its tags, its file (data; nil for
	// items without one) and its search entry in one transaction.
	CreateEvidence(ctx context.Context, e persona.Evidence, data []byte, entry persona.SearchEntry) error
	GetEvidence(ctx context.Context, orgID, id string) (persona.Evidence, error)
	// ListEvidence lists items newest first.
	ListEvidence(ctx context.Context, orgID string, f persona.EvidenceFilter) ([]persona.Evidence, error)
	ListEvidenceTags(ctx context.Context, orgID string) ([]string, error)
	// UpdateEvidence rewrites an item's metadata and kind fields (not its
	// kind or file), its tags and its search entry.
	UpdateEvidence(ctx context.Context, e persona.Evidence, entry persona.SearchEntry) error
	// DeleteEvidence deletes an item with its file, links and search entry.
	DeleteEvidence(ctx context.Context, orgID, id string) error
	GetEvidenceFile(ctx context.Context, orgID, id string) ([]byte, error)

	// Links are visible only while their persona (and variant) is live.
	CreateEvidenceLink(ctx context.Context, l persona.EvidenceLink) error
	GetEvidenceLink(ctx context.Context, orgID, id string) (persona.EvidenceLink, error)
	ListEvidenceLinks(ctx context.Context, orgID string, f persona.EvidenceLinkFilter) ([]persona.EvidenceLink, error)
	DeleteEvidenceLink(ctx context.Context, orgID, id string) error
}

// WithMaxUpload sets the largest file, in bytes, that can be added to the
// evidence library (default 20 MB). n <= 0 keeps the default.
func WithMaxUpload(n int64) Option {
	return func(s *Service) {
		if n > 0 {
			s.maxUpload = n
		}
	}
}

// MaxUpload is the largest file, in bytes, that can be added to the
// evidence library.
func (s *Service) MaxUpload() int64 {
	if s.maxUpload > 0 {
		return s.maxUpload
	}
	return persona.DefaultMaxUpload
}

// EvidenceInput is what a caller sends to add or edit an item. Kind is
// fixed once the item exists; a document's file comes as an Upload.
type EvidenceInput struct {
	Kind         persona.EvidenceKind
	Title        string
	Source       string
	CollectedOn  string
	Tags         []string
	Summary      string
	URL          string
	Quote        string
	Speaker      string
	Method       persona.StudyMethod
	Participants int
}

// Upload is a file sent for a document.
type Upload struct {
	Name    string
	Content io.Reader
}

// EvidencePage is one page of the library.
type EvidencePage struct {
	Items      []persona.Evidence
	NextCursor string
}

// EvidenceDetail is an item with its visible links.
type EvidenceDetail struct {
	Evidence persona.Evidence
	Links    []persona.EvidenceLink
}

// EvidenceLinkInput links an item to a persona, to one of its fields
// ("values.<key>"), or to a field of one of its variants (VariantID; the
// persona may then be left empty).
type EvidenceLinkInput struct {
	PersonaID string
	VariantID string
	Field     string
	Stance    persona.Stance
	Excerpt   string
	Page      string
}

// PersonaEvidence is what the evidence says about one persona: its field
// coverage, its own links (to the whole persona and to fields), and each
// live variant's coverage and links.
type PersonaEvidence struct {
	Persona    persona.Persona
	Definition persona.Definition
	Coverage   persona.Coverage
	Links      []persona.EvidenceLink
	Variants   []VariantEvidence
}

// VariantEvidence is the evidence on one customer variant.
type VariantEvidence struct {
	Detail   VariantDetail
	Coverage persona.Coverage
	Links    []persona.EvidenceLink
}

// PersonaCoverage is one persona's coverage figure.
type PersonaCoverage struct {
	Persona  persona.Persona
	Coverage persona.CoverageSummary
}

// GroupCoverage is the coverage of a group's personas, each and together.
// Group is zero for the personas in no group.
type GroupCoverage struct {
	Group    persona.Group
	Personas []PersonaCoverage
	Total    persona.CoverageSummary
}

// OrgCoverage is the coverage of every group (and of the personas in none).
type OrgCoverage struct {
	Groups []GroupCoverage
	Total  persona.CoverageSummary
}

// Library page sizes.
const (
	DefaultEvidencePage = 100
	MaxEvidencePage     = 500
)

// ListEvidence lists the library newest first, filtered by kind and tag, a
// page at a time (viewers).
func (s *Service) ListEvidence(ctx context.Context, actor Actor, slug string, f persona.EvidenceFilter, cursor string) (EvidencePage, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return EvidencePage{}, err
	}
	var fields []persona.FieldError
	if f.Kind != "" && !f.Kind.Valid() {
		fields = append(fields, persona.FieldError{Field: "kind", Message: "must be one of: document, link, quote, study"})
	}
	f.Tag = strings.ToLower(strings.Join(strings.Fields(f.Tag), " "))
	if len(f.Tag) > 4*persona.MaxTagLength {
		fields = append(fields, persona.FieldError{Field: "tag", Message: "is too long"})
	}
	if f.Limit < 0 || f.Limit > MaxEvidencePage {
		fields = append(fields, persona.FieldError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxEvidencePage)})
	}
	f.Before = ""
	if cursor != "" {
		before, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(before) == 0 || len(before) > 100 {
			fields = append(fields, persona.FieldError{Field: "cursor", Message: "is not a cursor this server issued"})
		}
		f.Before = string(before)
	}
	if err := persona.Invalid("invalid listing", fields); err != nil {
		return EvidencePage{}, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultEvidencePage
	}
	want := f.Limit
	f.Limit = want + 1
	items, err := s.store.ListEvidence(ctx, org.ID, f)
	if err != nil {
		return EvidencePage{}, err
	}
	page := EvidencePage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(items[want-1].ID))
	}
	if page.Items == nil {
		page.Items = []persona.Evidence{}
	}
	return page, nil
}

// EvidenceTags lists the tags used in the library (viewers).
func (s *Service) EvidenceTags(ctx context.Context, actor Actor, slug string) ([]string, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListEvidenceTags(ctx, org.ID)
}

// GetEvidence returns an item with its visible links (viewers).
func (s *Service) GetEvidence(ctx context.Context, actor Actor, slug, id string) (EvidenceDetail, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return EvidenceDetail{}, err
	}
	e, err := s.store.GetEvidence(ctx, org.ID, id)
	if err != nil {
		return EvidenceDetail{}, err
	}
	links, err := s.store.ListEvidenceLinks(ctx, org.ID, persona.EvidenceLinkFilter{EvidenceID: e.ID})
	if err != nil {
		return EvidenceDetail{}, err
	}
	if err := s.describeLinks(ctx, org.ID, links); err != nil {
		return EvidenceDetail{}, err
	}
	return EvidenceDetail{Evidence: e, Links: nonNilLinks(links)}, nil
}

func nonNilLinks(ls []persona.EvidenceLink) []persona.EvidenceLink {
	if ls == nil {
		return []persona.EvidenceLink{}
	}
	return ls
}

func (in EvidenceInput) evidence() persona.Evidence {
	return persona.Evidence{Kind: in.Kind, Title: in.Title, Source: in.Source, CollectedOn: in.CollectedOn,
		Tags: in.Tags, Summary: in.Summary, URL: in.URL, Quote: in.Quote, Speaker: in.Speaker,
		Method: in.Method, Participants: in.Participants}
}

// AddEvidence adds a link, a quote or a study to the library (editors).
// Documents come with a file: see UploadEvidence.
func (s *Service) AddEvidence(ctx context.Context, actor Actor, slug string, in EvidenceInput) (persona.Evidence, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Evidence{}, err
	}
	if in.Kind == persona.EvidenceDocument {
		return persona.Evidence{}, persona.Invalid("invalid evidence", []persona.FieldError{{Field: "kind",
			Message: "a document needs a file; upload it instead"}})
	}
	e := in.evidence()
	if err := persona.ValidateEvidence(&e); err != nil {
		return persona.Evidence{}, err
	}
	now := s.timestamp()
	e.ID, e.OrgID, e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy = newID(), org.ID, now, actor.UserID, now, actor.UserID
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "evidence", e.ID, e.Title), func(tx Store) error { return tx.CreateEvidence(ctx, e, nil, persona.EvidenceEntry(e, "")) }); err != nil {
		return persona.Evidence{}, err
	}
	return s.store.GetEvidence(ctx, org.ID, e.ID)
}

// UploadEvidence adds a document: the file's type is decided by its content
// (see persona.SniffUpload), it may be at most MaxUpload bytes and must not
// be empty; a refused file stores nothing (editors). Without a title the
// document is called by its file name.
func (s *Service) UploadEvidence(ctx context.Context, actor Actor, slug string, in EvidenceInput, up Upload) (persona.Evidence, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Evidence{}, err
	}
	if up.Content == nil {
		return persona.Evidence{}, persona.Invalid("invalid evidence", []persona.FieldError{{Field: "file", Message: "is required"}})
	}
	max := s.MaxUpload()
	data, err := io.ReadAll(io.LimitReader(up.Content, max+1))
	if err != nil {
		return persona.Evidence{}, err
	}
	if int64(len(data)) > max {
		return persona.Evidence{}, TooLarge(max)
	}
	file, err := persona.SniffUpload(up.Name, data)
	if err != nil {
		return persona.Evidence{}, err
	}
	sum := sha256.Sum256(data)
	file.SHA256 = hex.EncodeToString(sum[:])
	e := in.evidence()
	e.Kind, e.File = persona.EvidenceDocument, &file
	if strings.TrimSpace(e.Title) == "" {
		e.Title = strings.TrimSuffix(file.Name, fileExt(file.Name))
		if e.Title == "" {
			e.Title = file.Name
		}
	}
	if err := persona.ValidateEvidence(&e); err != nil {
		return persona.Evidence{}, err
	}
	now := s.timestamp()
	e.ID, e.OrgID, e.CreatedAt, e.CreatedBy, e.UpdatedAt, e.UpdatedBy = newID(), org.ID, now, actor.UserID, now, actor.UserID
	if err := s.inTx(ctx, s.entry(org.ID, actor, "upload", "evidence", e.ID, e.Title+" ("+file.Name+")"), func(tx Store) error {
		return tx.CreateEvidence(ctx, e, data, persona.EvidenceEntry(e, fileText(file, data)))
	}); err != nil {
		return persona.Evidence{}, err
	}
	return s.store.GetEvidence(ctx, org.ID, e.ID)
}

// TooLarge is the error for a file over the upload limit of max bytes.
func TooLarge(max int64) error {
	return persona.Invalid("the file is too large", []persona.FieldError{{Field: "file",
		Message: "is larger than the " + persona.FormatBytes(max) + " upload limit"}})
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// isTextFile reports whether a file is text, Markdown or CSV.
func isTextFile(f persona.EvidenceFile) bool {
	switch f.Viewer() {
	case "text", "markdown", "csv":
		return true
	}
	return false
}

// fileText is the searchable text of a text, Markdown or CSV file.
func fileText(f persona.EvidenceFile, data []byte) string {
	if isTextFile(f) {
		return string(data)
	}
	return ""
}

// UpdateEvidence replaces an item's metadata and the fields of its kind
// (editors). The kind cannot change; a document keeps its file.
func (s *Service) UpdateEvidence(ctx context.Context, actor Actor, slug, id string, in EvidenceInput) (persona.Evidence, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Evidence{}, err
	}
	cur, err := s.store.GetEvidence(ctx, org.ID, id)
	if err != nil {
		return persona.Evidence{}, err
	}
	if in.Kind != "" && in.Kind != cur.Kind {
		return persona.Evidence{}, persona.Invalid("invalid evidence", []persona.FieldError{{Field: "kind",
			Message: "cannot change; add a new item of the other kind instead"}})
	}
	e := in.evidence()
	e.Kind, e.File = cur.Kind, cur.File
	if err := persona.ValidateEvidence(&e); err != nil {
		return persona.Evidence{}, err
	}
	e.ID, e.OrgID, e.CreatedAt, e.CreatedBy = cur.ID, cur.OrgID, cur.CreatedAt, cur.CreatedBy
	e.UpdatedAt, e.UpdatedBy = s.timestamp(), actor.UserID
	text := ""
	if e.File != nil && isTextFile(*e.File) {
		data, err := s.store.GetEvidenceFile(ctx, org.ID, e.ID)
		if err != nil {
			return persona.Evidence{}, err
		}
		text = fileText(*e.File, data)
	}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "update", "evidence", e.ID, e.Title), func(tx Store) error { return tx.UpdateEvidence(ctx, e, persona.EvidenceEntry(e, text)) }); err != nil {
		return persona.Evidence{}, err
	}
	return s.store.GetEvidence(ctx, org.ID, e.ID)
}

// DeleteEvidence deletes an item for good, with its file and links
// (editors).
func (s *Service) DeleteEvidence(ctx context.Context, actor Actor, slug, id string) (persona.Evidence, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Evidence{}, err
	}
	e, err := s.store.GetEvidence(ctx, org.ID, id)
	if err != nil {
		return persona.Evidence{}, err
	}
	return e, s.inTx(ctx, s.entry(org.ID, actor, "delete", "evidence", id, e.Title), func(tx Store) error { return tx.DeleteEvidence(ctx, org.ID, id) })
}

// EvidenceFile returns a document with its file's bytes (viewers);
// not-found for items without a file.
func (s *Service) EvidenceFile(ctx context.Context, actor Actor, slug, id string) (persona.Evidence, []byte, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Evidence{}, nil, err
	}
	e, err := s.store.GetEvidence(ctx, org.ID, id)
	if err != nil {
		return persona.Evidence{}, nil, err
	}
	if e.File == nil {
		return persona.Evidence{}, nil, persona.ErrNotFound("file")
	}
	data, err := s.store.GetEvidenceFile(ctx, org.ID, id)
	return e, data, err
}

// LinkEvidence attaches an item to a persona, one of its fields or a field
// of one of its variants, with a stance (editors). The field must exist in
// the persona's template version; the same item cannot be linked twice to
// the same place (conflict).
func (s *Service) LinkEvidence(ctx context.Context, actor Actor, slug, evidenceID string, in EvidenceLinkInput) (persona.EvidenceLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.EvidenceLink{}, err
	}
	e, err := s.store.GetEvidence(ctx, org.ID, evidenceID)
	if err != nil {
		return persona.EvidenceLink{}, err
	}
	l := persona.EvidenceLink{OrgID: org.ID, EvidenceID: e.ID, PersonaID: strings.TrimSpace(in.PersonaID),
		VariantID: strings.TrimSpace(in.VariantID), Field: in.Field, Stance: in.Stance, Excerpt: in.Excerpt, Page: in.Page}
	var fields []persona.FieldError
	bad := func(path, msg string) { fields = append(fields, persona.FieldError{Field: path, Message: msg}) }
	if l.VariantID != "" {
		switch v, err := s.store.GetVariant(ctx, org.ID, l.VariantID); {
		case persona.ErrorCode(err) == persona.CodeNotFound:
			bad("variant_id", "no such customer variant in this organisation")
		case err != nil:
			return persona.EvidenceLink{}, err
		case l.PersonaID == "":
			l.PersonaID = v.PersonaID
		case l.PersonaID != v.PersonaID:
			bad("variant_id", "is not a variant of that persona")
		}
	}
	if err := persona.ValidateEvidenceLink(&l); err != nil {
		fields = append(fields, fieldsOf(err)...)
	}
	if l.PersonaID != "" {
		switch p, err := s.store.GetPersona(ctx, org.ID, l.PersonaID); {
		case persona.ErrorCode(err) == persona.CodeNotFound:
			bad("persona_id", "no such persona in this organisation")
		case err != nil:
			return persona.EvidenceLink{}, err
		case l.Field != "":
			ver, err := s.version(ctx, org.ID, p.TemplateID, p.TemplateVersion)
			if err != nil {
				return persona.EvidenceLink{}, err
			}
			if _, ok := ver.Definition.Field(l.FieldKey()); !ok && !hasFieldError(fields, "field") {
				bad("field", "is not a field of this persona's template")
			}
		}
	}
	if err := persona.Invalid("invalid evidence link", fields); err != nil {
		return persona.EvidenceLink{}, err
	}
	existing, err := s.store.ListEvidenceLinks(ctx, org.ID, persona.EvidenceLinkFilter{EvidenceID: e.ID})
	if err != nil {
		return persona.EvidenceLink{}, err
	}
	for _, x := range existing {
		if x.PersonaID == l.PersonaID && x.VariantID == l.VariantID && x.Field == l.Field {
			return persona.EvidenceLink{}, persona.Errorf(persona.CodeConflict,
				"this item is already linked there (it %s); remove that link first to change it", x.Stance)
		}
	}
	l.ID, l.CreatedAt, l.CreatedBy = newID(), s.timestamp(), actor.UserID
	if err := s.inTx(ctx, s.entry(org.ID, actor, "link", "evidence", e.ID, linkSummary(e.Title, l)), func(tx Store) error { return tx.CreateEvidenceLink(ctx, l) }); err != nil {
		return persona.EvidenceLink{}, err
	}
	out, err := s.store.GetEvidenceLink(ctx, org.ID, l.ID)
	if err != nil {
		return persona.EvidenceLink{}, err
	}
	links := []persona.EvidenceLink{out}
	if err := s.describeLinks(ctx, org.ID, links); err != nil {
		return persona.EvidenceLink{}, err
	}
	return links[0], nil
}

func hasFieldError(fields []persona.FieldError, path string) bool {
	for _, f := range fields {
		if f.Field == path {
			return true
		}
	}
	return false
}

// UnlinkEvidence removes one of an item's links (editors).
func (s *Service) UnlinkEvidence(ctx context.Context, actor Actor, slug, evidenceID, linkID string) (persona.EvidenceLink, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.EvidenceLink{}, err
	}
	l, err := s.store.GetEvidenceLink(ctx, org.ID, linkID)
	if err != nil {
		return persona.EvidenceLink{}, err
	}
	if l.EvidenceID != evidenceID {
		return persona.EvidenceLink{}, persona.ErrNotFound("evidence link")
	}
	described := []persona.EvidenceLink{l}
	if err := s.describeLinks(ctx, org.ID, described); err != nil {
		return persona.EvidenceLink{}, err
	}
	return described[0], s.inTx(ctx, s.entry(org.ID, actor, "unlink", "evidence", evidenceID, linkSummary(l.EvidenceTitle, described[0])), func(tx Store) error { return tx.DeleteEvidenceLink(ctx, org.ID, linkID) })
}

// defCache loads template versions once per request.
type defCache struct {
	s     *Service
	orgID string
	m     map[string]persona.Definition
}

func (c *defCache) of(ctx context.Context, p persona.Persona) (persona.Definition, error) {
	key := fmt.Sprintf("%s@%d", p.TemplateID, p.TemplateVersion)
	if d, ok := c.m[key]; ok {
		return d, nil
	}
	v, err := c.s.version(ctx, c.orgID, p.TemplateID, p.TemplateVersion)
	if err != nil {
		return persona.Definition{}, err
	}
	if c.m == nil {
		c.m = map[string]persona.Definition{}
	}
	c.m[key] = v.Definition
	return v.Definition, nil
}

// describeLinks fills each link's field label and variant name.
func (s *Service) describeLinks(ctx context.Context, orgID string, links []persona.EvidenceLink) error {
	defs := &defCache{s: s, orgID: orgID}
	personas := map[string]persona.Persona{}
	variants := map[string]string{}
	for i := range links {
		l := &links[i]
		p, ok := personas[l.PersonaID]
		if !ok {
			var err error
			if p, err = s.store.GetPersona(ctx, orgID, l.PersonaID); err != nil {
				return err
			}
			personas[l.PersonaID] = p
		}
		if l.Field != "" {
			def, err := defs.of(ctx, p)
			if err != nil {
				return err
			}
			l.FieldLabel = l.FieldKey()
			if f, ok := def.Field(l.FieldKey()); ok {
				l.FieldLabel = f.Label
			}
		}
		if l.VariantID != "" {
			name, ok := variants[l.VariantID]
			if !ok {
				v, err := s.store.GetVariant(ctx, orgID, l.VariantID)
				if err != nil {
					return err
				}
				d, err := s.detail(ctx, orgID, p, v)
				if err != nil {
					return err
				}
				name = d.CustomerName()
				variants[l.VariantID] = name
			}
			l.VariantName = name
		}
	}
	return nil
}

// PersonaEvidence works out what the evidence says about a persona: which
// fields are backed, contradicted or assumptions, its coverage, and the
// same for each of its live variants (viewers).
func (s *Service) PersonaEvidence(ctx context.Context, actor Actor, slug, personaID string) (PersonaEvidence, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return PersonaEvidence{}, err
	}
	p, err := s.store.GetPersona(ctx, org.ID, personaID)
	if err != nil {
		return PersonaEvidence{}, err
	}
	defs := &defCache{s: s, orgID: org.ID}
	def, err := defs.of(ctx, p)
	if err != nil {
		return PersonaEvidence{}, err
	}
	links, err := s.store.ListEvidenceLinks(ctx, org.ID, persona.EvidenceLinkFilter{PersonaID: p.ID})
	if err != nil {
		return PersonaEvidence{}, err
	}
	if err := s.describeLinks(ctx, org.ID, links); err != nil {
		return PersonaEvidence{}, err
	}
	out := PersonaEvidence{Persona: p, Definition: def, Coverage: persona.ComputeCoverage(def, p.ProfileType, p.Values, links),
		Links: []persona.EvidenceLink{}}
	for _, l := range links {
		if l.VariantID == "" {
			out.Links = append(out.Links, l)
		}
	}
	vs, err := s.store.ListVariants(ctx, org.ID, p.ID)
	if err != nil {
		return PersonaEvidence{}, err
	}
	for _, v := range vs {
		d, err := s.detail(ctx, org.ID, p, v)
		if err != nil {
			return PersonaEvidence{}, err
		}
		ve := VariantEvidence{Detail: d, Coverage: persona.ComputeVariantCoverage(def, p.ProfileType, p.Content, v, links),
			Links: []persona.EvidenceLink{}}
		for _, l := range links {
			if l.VariantID == v.ID {
				ve.Links = append(ve.Links, l)
			}
		}
		out.Variants = append(out.Variants, ve)
	}
	return out, nil
}

// GroupCoverage works out the coverage of a group's personas, each and
// together (viewers).
func (s *Service) GroupCoverage(ctx context.Context, actor Actor, slug, groupID string) (GroupCoverage, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return GroupCoverage{}, err
	}
	g, err := s.store.GetGroup(ctx, org.ID, groupID)
	if err != nil {
		return GroupCoverage{}, err
	}
	ps, err := s.allInGroup(ctx, org.ID, g.ID)
	if err != nil {
		return GroupCoverage{}, err
	}
	links, err := s.store.ListEvidenceLinks(ctx, org.ID, persona.EvidenceLinkFilter{GroupID: g.ID})
	if err != nil {
		return GroupCoverage{}, err
	}
	return s.groupCoverage(ctx, org.ID, g, ps, links, &defCache{s: s, orgID: org.ID})
}

// OrgCoverage works out the coverage of every group, and of the personas in
// no group, and of the whole organisation (viewers).
func (s *Service) OrgCoverage(ctx context.Context, actor Actor, slug string) (OrgCoverage, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return OrgCoverage{}, err
	}
	groups, err := s.store.ListGroups(ctx, org.ID)
	if err != nil {
		return OrgCoverage{}, err
	}
	defs := &defCache{s: s, orgID: org.ID}
	var out OrgCoverage
	for _, g := range groups {
		ps, err := s.allInGroup(ctx, org.ID, g.ID)
		if err != nil {
			return OrgCoverage{}, err
		}
		links, err := s.store.ListEvidenceLinks(ctx, org.ID, persona.EvidenceLinkFilter{GroupID: g.ID})
		if err != nil {
			return OrgCoverage{}, err
		}
		gc, err := s.groupCoverage(ctx, org.ID, g, ps, links, defs)
		if err != nil {
			return OrgCoverage{}, err
		}
		out.Groups = append(out.Groups, gc)
		out.Total = out.Total.Add(gc.Total)
	}
	// Personas in no group.
	all, err := s.allInGroup(ctx, org.ID, "")
	if err != nil {
		return OrgCoverage{}, err
	}
	var loose []persona.Persona
	var links []persona.EvidenceLink
	for _, p := range all {
		if p.GroupID != "" {
			continue
		}
		loose = append(loose, p)
		ls, err := s.store.ListEvidenceLinks(ctx, org.ID, persona.EvidenceLinkFilter{PersonaID: p.ID})
		if err != nil {
			return OrgCoverage{}, err
		}
		links = append(links, ls...)
	}
	if len(loose) > 0 {
		gc, err := s.groupCoverage(ctx, org.ID, persona.Group{Name: "Not in a group"}, loose, links, defs)
		if err != nil {
			return OrgCoverage{}, err
		}
		out.Groups = append(out.Groups, gc)
		out.Total = out.Total.Add(gc.Total)
	}
	return out, nil
}

func (s *Service) groupCoverage(ctx context.Context, orgID string, g persona.Group, ps []persona.Persona, links []persona.EvidenceLink, defs *defCache) (GroupCoverage, error) {
	byPersona := map[string][]persona.EvidenceLink{}
	for _, l := range links {
		byPersona[l.PersonaID] = append(byPersona[l.PersonaID], l)
	}
	gc := GroupCoverage{Group: g, Personas: []PersonaCoverage{}}
	for _, p := range ps {
		def, err := defs.of(ctx, p)
		if err != nil {
			return GroupCoverage{}, err
		}
		c := persona.ComputeCoverage(def, p.ProfileType, p.Values, byPersona[p.ID])
		gc.Personas = append(gc.Personas, PersonaCoverage{Persona: p, Coverage: c.CoverageSummary})
		gc.Total = gc.Total.Add(c.CoverageSummary)
	}
	return gc, nil
}

// allInGroup lists every live persona of a group (every persona for "").
func (s *Service) allInGroup(ctx context.Context, orgID, groupID string) ([]persona.Persona, error) {
	var out []persona.Persona
	f := persona.PersonaFilter{GroupID: groupID, Limit: MaxPageSize}
	for {
		page, err := s.store.ListPersonas(ctx, orgID, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, nil
		}
		f.After = page[len(page)-1].ID
	}
}

// AddEvidenceAndLink adds an item to the library and links it to a
// persona's (or variant's) field in one transaction: a quote written for a
// field is either in the library and attached, or not stored at all.
func (s *Service) AddEvidenceAndLink(ctx context.Context, actor Actor, slug string, in EvidenceInput, link EvidenceLinkInput) (persona.Evidence, persona.EvidenceLink, error) {
	var (
		e persona.Evidence
		l persona.EvidenceLink
	)
	err := s.inOneTx(ctx, func(s *Service) error {
		var err error
		if e, err = s.AddEvidence(ctx, actor, slug, in); err != nil {
			return err
		}
		l, err = s.LinkEvidence(ctx, actor, slug, e.ID, link)
		return err
	})
	if err != nil {
		return persona.Evidence{}, persona.EvidenceLink{}, err
	}
	return e, l, nil
}
