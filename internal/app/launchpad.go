package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/personapal/personapal/internal/persona"
)

// launchpadStore is the part of Store that keeps the product catalogue and
// saved Launchpads.
type launchpadStore interface {
	// GetCatalogue returns the organisation's catalogue (empty at revision 0
	// when it never saved one).
	GetCatalogue(ctx context.Context, orgID string) (persona.Catalogue, error)
	// SaveCatalogue replaces the catalogue with c (written as c.Revision)
	// when the stored revision is still expect; otherwise
	// precondition-failed with the current revision.
	SaveCatalogue(ctx context.Context, orgID string, c persona.Catalogue, expect int) error

	CreateLaunchpad(ctx context.Context, l persona.Launchpad, rev persona.LaunchpadRevision) error
	GetLaunchpad(ctx context.Context, orgID, id string) (persona.Launchpad, error)
	// ListLaunchpads lists Launchpads, most recently updated first; with an
	// archetypeID, only those for it.
	ListLaunchpads(ctx context.Context, orgID, archetypeID string) ([]persona.Launchpad, error)
	// UpdateLaunchpad writes l as revision l.Revision when the stored one is
	// still l.Revision-1.
	UpdateLaunchpad(ctx context.Context, l persona.Launchpad, rev persona.LaunchpadRevision) error
	DeleteLaunchpad(ctx context.Context, orgID, id string) error
	ListLaunchpadRevisions(ctx context.Context, orgID, launchpadID string) ([]persona.LaunchpadRevision, error)
	GetLaunchpadRevision(ctx context.Context, orgID, launchpadID string, number int) (persona.LaunchpadRevision, error)
}

// Roles: viewers read the catalogue and Launchpads (and preview what
// regenerating would change); editors generate, save and edit Launchpads;
// admins edit the catalogue.

// AnyRevision is the catalogue If-Match for "whatever the current revision
// is" (last writer wins); catalogue writes accept it because the catalogue
// is validated whole on every save.
const AnyRevision = -1

// ---- Catalogue ----

// FieldOption is a field or dimension a condition can read.
type FieldOption struct {
	Path    string `json:"path"`
	Label   string `json:"label"`
	Numeric bool   `json:"numeric"`
	// List is true for a field holding several values (a list, tags, a
	// multiple choice): rules on it read "include".
	List bool `json:"-"`
}

// CatalogueFields lists the fields conditions can read: the archetype's
// (module and pack rules, "archetype." paths) and the roles' (dashboard
// rules), from the latest published versions and drafts of the templates.
type CatalogueFields struct {
	Archetype []FieldOption `json:"archetype"`
	Roles     []FieldOption `json:"roles"`
}

// Catalogue returns the organisation's catalogue (viewers).
func (s *Service) Catalogue(ctx context.Context, actor Actor, slug string) (persona.Catalogue, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Catalogue{}, err
	}
	return s.store.GetCatalogue(ctx, org.ID)
}

// ConditionFields lists the fields and dimensions catalogue rules can read
// (viewers).
func (s *Service) ConditionFields(ctx context.Context, actor Actor, slug string) (CatalogueFields, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return CatalogueFields{}, err
	}
	arch, roles, err := s.templateDefinitions(ctx, org.ID)
	if err != nil {
		return CatalogueFields{}, err
	}
	return CatalogueFields{Archetype: fieldOptions(arch), Roles: fieldOptions(roles)}, nil
}

func fieldOptions(defs []persona.Definition) []FieldOption {
	var out []FieldOption
	seen := map[string]bool{}
	for _, d := range defs {
		for _, sec := range d.Sections {
			for _, f := range sec.Fields {
				p := "values." + f.Key
				if !seen[p] {
					seen[p] = true
					out = append(out, FieldOption{Path: p, Label: f.Label, Numeric: f.Kind == persona.KindNumber || f.Kind == persona.KindScale,
						List: f.Kind == persona.KindList || f.Kind == persona.KindTags || f.Kind == persona.KindMultiChoice})
				}
			}
		}
		for _, dim := range d.Dimensions {
			p := "dimensions." + dim.Key
			if !seen[p] {
				seen[p] = true
				out = append(out, FieldOption{Path: p, Label: dim.Label + " (dimension)", Numeric: dim.Kind == persona.DimensionScale})
			}
		}
	}
	return out
}

// templateDefinitions returns the definitions (latest published version and
// draft) of the archetype templates and of the UX persona and AI agent
// templates.
func (s *Service) templateDefinitions(ctx context.Context, orgID string) (arch, roles []persona.Definition, err error) {
	ts, err := s.store.ListTemplates(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range ts {
		defs := []persona.Definition{t.Draft}
		if t.LatestVersion > 0 {
			v, err := s.version(ctx, orgID, t.ID, t.LatestVersion)
			if err != nil {
				return nil, nil, err
			}
			defs = append([]persona.Definition{v.Definition}, defs...)
		}
		switch t.ProfileType {
		case persona.ProfileArchetype:
			arch = append(arch, defs...)
		case persona.ProfileUX, persona.ProfileAgent:
			roles = append(roles, defs...)
		}
	}
	return arch, roles, nil
}

func (s *Service) knownFields(ctx context.Context, orgID string) (persona.KnownFields, error) {
	arch, roles, err := s.templateDefinitions(ctx, orgID)
	if err != nil {
		return persona.KnownFields{}, err
	}
	var k persona.KnownFields
	if len(arch) > 0 {
		k.Archetype = persona.KnownFieldsOf(arch...)
	}
	if len(roles) > 0 {
		k.Roles = persona.KnownFieldsOf(roles...)
	}
	return k, nil
}

// ReplaceCatalogue validates c and saves it as the organisation's whole
// catalogue (admins). ifMatch is the revision edited (0: none saved yet),
// or AnyRevision.
func (s *Service) ReplaceCatalogue(ctx context.Context, actor Actor, slug string, ifMatch int, c persona.Catalogue) (persona.Catalogue, error) {
	return s.replaceCatalogue(ctx, actor, slug, ifMatch, c, "update")
}

// replaceCatalogue is ReplaceCatalogue recorded as action.
func (s *Service) replaceCatalogue(ctx context.Context, actor Actor, slug string, ifMatch int, c persona.Catalogue, action string) (persona.Catalogue, error) {
	return s.editCatalogue(ctx, actor, slug, ifMatch, action, func(cur *persona.Catalogue) error {
		cur.Modules, cur.Packs, cur.Dashboards = c.Modules, c.Packs, c.Dashboards
		return nil
	})
}

// editCatalogue applies edit to the current catalogue, validates the result
// and saves it as the next revision, atomically against concurrent saves;
// the audit log records it as action.
func (s *Service) editCatalogue(ctx context.Context, actor Actor, slug string, ifMatch int, action string, edit func(c *persona.Catalogue) error) (persona.Catalogue, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin)
	if err != nil {
		return persona.Catalogue{}, err
	}
	cur, err := s.store.GetCatalogue(ctx, org.ID)
	if err != nil {
		return persona.Catalogue{}, err
	}
	if ifMatch != AnyRevision && ifMatch != cur.Revision {
		return persona.Catalogue{}, &persona.Error{Code: persona.CodePreconditionFailed, Current: cur.Revision,
			Message: "the catalogue was changed meanwhile; current revision is " + strconv.Itoa(cur.Revision)}
	}
	next := cur
	next.Modules = slices.Clone(cur.Modules)
	next.Packs = slices.Clone(cur.Packs)
	next.Dashboards = slices.Clone(cur.Dashboards)
	if err := edit(&next); err != nil {
		return persona.Catalogue{}, err
	}
	if next.Modules == nil {
		next.Modules = []persona.Module{}
	}
	if next.Packs == nil {
		next.Packs = []persona.ContentPack{}
	}
	if next.Dashboards == nil {
		next.Dashboards = []persona.DashboardTemplate{}
	}
	known, err := s.knownFields(ctx, org.ID)
	if err != nil {
		return persona.Catalogue{}, err
	}
	if err := persona.ValidateCatalogue(&next, known); err != nil {
		return persona.Catalogue{}, err
	}
	next.Revision = cur.Revision + 1
	next.UpdatedAt = s.timestamp()
	next.UpdatedBy = actor.UserID
	entry := s.entry(org.ID, actor, action, "catalogue", org.ID, catalogueSummary(cur, next))
	if err := s.inTx(ctx, entry, func(tx Store) error { return tx.SaveCatalogue(ctx, org.ID, next, cur.Revision) }); err != nil {
		return persona.Catalogue{}, err
	}
	return next, nil
}

// SaveModule creates a module (oldKey empty) or replaces the module with
// oldKey, renaming every reference when its key changes (admins).
func (s *Service) SaveModule(ctx context.Context, actor Actor, slug, oldKey string, m persona.Module, ifMatch int) (persona.Catalogue, error) {
	return s.editCatalogue(ctx, actor, slug, ifMatch, "update", func(c *persona.Catalogue) error {
		if oldKey == "" {
			if err := keyFree(*c, m.Key); err != nil {
				return err
			}
			c.Modules = append(c.Modules, m)
			return nil
		}
		i := slices.IndexFunc(c.Modules, func(x persona.Module) bool { return x.Key == oldKey })
		if i < 0 {
			return persona.ErrNotFound("module")
		}
		key := strings.TrimSpace(m.Key)
		if key != oldKey {
			if err := keyFree(*c, key); err != nil {
				return err
			}
			c.RenameModule(oldKey, key)
			m.Key = key
			for j, d := range m.DependsOn {
				if d == oldKey {
					m.DependsOn[j] = key
				}
			}
		}
		c.Modules[i] = m
		return nil
	})
}

// SavePack creates or replaces a content pack (admins).
func (s *Service) SavePack(ctx context.Context, actor Actor, slug, oldKey string, p persona.ContentPack, ifMatch int) (persona.Catalogue, error) {
	return s.editCatalogue(ctx, actor, slug, ifMatch, "update", func(c *persona.Catalogue) error {
		if oldKey == "" || strings.TrimSpace(p.Key) != oldKey {
			if err := keyFree(*c, p.Key); err != nil {
				return err
			}
		}
		if oldKey == "" {
			c.Packs = append(c.Packs, p)
			return nil
		}
		i := slices.IndexFunc(c.Packs, func(x persona.ContentPack) bool { return x.Key == oldKey })
		if i < 0 {
			return persona.ErrNotFound("content pack")
		}
		c.Packs[i] = p
		return nil
	})
}

// SaveDashboard creates or replaces a dashboard template (admins).
func (s *Service) SaveDashboard(ctx context.Context, actor Actor, slug, oldKey string, d persona.DashboardTemplate, ifMatch int) (persona.Catalogue, error) {
	return s.editCatalogue(ctx, actor, slug, ifMatch, "update", func(c *persona.Catalogue) error {
		if oldKey == "" || strings.TrimSpace(d.Key) != oldKey {
			if err := keyFree(*c, d.Key); err != nil {
				return err
			}
		}
		if oldKey == "" {
			c.Dashboards = append(c.Dashboards, d)
			return nil
		}
		i := slices.IndexFunc(c.Dashboards, func(x persona.DashboardTemplate) bool { return x.Key == oldKey })
		if i < 0 {
			return persona.ErrNotFound("dashboard template")
		}
		c.Dashboards[i] = d
		return nil
	})
}

func keyFree(c persona.Catalogue, key string) error {
	key = strings.TrimSpace(key)
	if kind, taken := c.KindOf(key); taken && key != "" {
		return persona.Invalid("invalid catalogue item", []persona.FieldError{{Field: "key",
			Message: fmt.Sprintf("%q is already the key of a %s; keys are unique across the catalogue", key, strings.ToLower(kind.Label()))}})
	}
	return nil
}

// DeleteCatalogueItem removes an item (admins). A module that other items
// need cannot be removed (conflict) until they no longer need it.
func (s *Service) DeleteCatalogueItem(ctx context.Context, actor Actor, slug string, kind persona.ItemKind, key string, ifMatch int) (persona.Catalogue, error) {
	return s.editCatalogue(ctx, actor, slug, ifMatch, "update", func(c *persona.Catalogue) error {
		switch kind {
		case persona.ItemModule:
			m, ok := c.Module(key)
			if !ok {
				return persona.ErrNotFound("module")
			}
			if deps := c.Dependents(key); len(deps) > 0 {
				more := ""
				if len(deps) > 3 {
					more = fmt.Sprintf(" and %d more", len(deps)-3)
					deps = deps[:3]
				}
				return persona.Errorf(persona.CodeConflict, "%s is needed by %s%s; remove it from them first", m.Name, strings.Join(deps, ", "), more)
			}
			c.Modules = slices.DeleteFunc(c.Modules, func(x persona.Module) bool { return x.Key == key })
		case persona.ItemPack:
			if _, ok := c.Pack(key); !ok {
				return persona.ErrNotFound("content pack")
			}
			c.Packs = slices.DeleteFunc(c.Packs, func(x persona.ContentPack) bool { return x.Key == key })
		case persona.ItemDashboard:
			if _, ok := c.Dashboard(key); !ok {
				return persona.ErrNotFound("dashboard template")
			}
			c.Dashboards = slices.DeleteFunc(c.Dashboards, func(x persona.DashboardTemplate) bool { return x.Key == key })
		default:
			return persona.ErrNotFound("catalogue item")
		}
		return nil
	})
}

// CatalogueFormat is "yaml" or "json".
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// CatalogueDocumentFormat names the import/export document format.
const CatalogueDocumentFormat = "personapal.catalogue/v1"

// MaxCatalogueDocument is the largest catalogue document accepted.
const MaxCatalogueDocument = 1 << 20

// CatalogueDocument is the catalogue as exported and imported.
type CatalogueDocument struct {
	Format     string                      `json:"format"`
	Modules    []persona.Module            `json:"modules"`
	Packs      []persona.ContentPack       `json:"packs"`
	Dashboards []persona.DashboardTemplate `json:"dashboards"`
}

// ExportCatalogue returns the catalogue as a YAML or JSON document with its
// media type (viewers).
func (s *Service) ExportCatalogue(ctx context.Context, actor Actor, slug, format string) ([]byte, string, error) {
	c, err := s.Catalogue(ctx, actor, slug)
	if err != nil {
		return nil, "", err
	}
	return EncodeCatalogue(c, format)
}

// EncodeCatalogue encodes a catalogue as a document.
func EncodeCatalogue(c persona.Catalogue, format string) ([]byte, string, error) {
	doc := CatalogueDocument{Format: CatalogueDocumentFormat, Modules: c.Modules, Packs: c.Packs, Dashboards: c.Dashboards}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, "", err
	}
	switch strings.ToLower(format) {
	case FormatJSON:
		return append(js, '\n'), "application/json", nil
	case FormatYAML, "":
		// JSON is YAML: parse it into a node tree (keeping the key order),
		// drop the JSON styling and print it as block YAML.
		var node yaml.Node
		if err := yaml.Unmarshal(js, &node); err != nil {
			return nil, "", err
		}
		plainStyle(&node)
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&node); err != nil {
			return nil, "", err
		}
		if err := enc.Close(); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "application/yaml", nil
	}
	return nil, "", persona.Invalid("invalid format", []persona.FieldError{{Field: "format", Message: "must be yaml or json"}})
}

func plainStyle(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle) != 0 {
		// Keep quotes only where a plain scalar would read as another type.
		n.Style = 0
		var probe any
		if n.Tag == "!!str" {
			if err := yaml.Unmarshal([]byte(n.Value), &probe); err != nil || !isString(probe, n.Value) {
				n.Style = yaml.DoubleQuotedStyle
			}
		}
	} else if n.Kind != yaml.ScalarNode {
		n.Style = 0
	}
	for _, c := range n.Content {
		plainStyle(c)
	}
}

func isString(v any, want string) bool {
	s, ok := v.(string)
	return ok && s == want
}

// ParseCatalogue reads a catalogue document in YAML or JSON (format ""
// detects it). Syntax errors and unknown properties are invalid-input
// errors on "document".
func ParseCatalogue(data []byte, format string) (persona.Catalogue, error) {
	bad := func(msg string) error {
		return persona.Invalid("the catalogue document cannot be read", []persona.FieldError{{Field: "document", Message: msg}})
	}
	if len(data) > MaxCatalogueDocument {
		return persona.Catalogue{}, bad(fmt.Sprintf("is larger than %d bytes", MaxCatalogueDocument))
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return persona.Catalogue{}, bad("is empty")
	}
	format = strings.ToLower(strings.TrimSpace(format))
	if format == "" {
		format = FormatYAML
		if trimmed[0] == '{' {
			format = FormatJSON
		}
	}
	js := trimmed
	switch format {
	case FormatJSON:
	case FormatYAML:
		var v any
		if err := yaml.Unmarshal(trimmed, &v); err != nil {
			return persona.Catalogue{}, bad("is not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if _, ok := v.(map[string]any); !ok {
			return persona.Catalogue{}, bad("must be a mapping with modules, packs and dashboards")
		}
		var err error
		if js, err = json.Marshal(v); err != nil {
			return persona.Catalogue{}, bad("holds values JSON cannot express: " + err.Error())
		}
	default:
		return persona.Catalogue{}, persona.Invalid("invalid format", []persona.FieldError{{Field: "format", Message: "must be yaml or json"}})
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var doc CatalogueDocument
	if err := dec.Decode(&doc); err != nil {
		msg := err.Error()
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			msg = fmt.Sprintf("%s must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
		case errors.As(err, &syntaxErr):
			msg = fmt.Sprintf("is not valid JSON (at byte %d): %s", syntaxErr.Offset, syntaxErr.Error())
		case strings.HasPrefix(msg, "json: unknown field "):
			msg = "has an unknown property " + strings.TrimPrefix(msg, "json: unknown field ")
		}
		return persona.Catalogue{}, bad(msg)
	}
	if doc.Format != "" && doc.Format != CatalogueDocumentFormat {
		return persona.Catalogue{}, bad(fmt.Sprintf("has format %q; this server reads %q", doc.Format, CatalogueDocumentFormat))
	}
	return persona.Catalogue{Modules: doc.Modules, Packs: doc.Packs, Dashboards: doc.Dashboards}, nil
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "struct", "map":
		return "a mapping"
	case "float64", "int":
		return "a number"
	}
	return "a " + k
}

// ImportCatalogue replaces the catalogue with a YAML or JSON document
// (admins); the document is validated like any other save.
func (s *Service) ImportCatalogue(ctx context.Context, actor Actor, slug string, data []byte, format string, ifMatch int) (persona.Catalogue, error) {
	if _, _, err := s.scope(ctx, actor, slug, persona.RoleAdmin); err != nil {
		return persona.Catalogue{}, err
	}
	c, err := ParseCatalogue(data, format)
	if err != nil {
		return persona.Catalogue{}, err
	}
	return s.replaceCatalogue(ctx, actor, slug, ifMatch, c, "import")
}

// ---- Generation ----

// LaunchpadRequest says what to generate a Launchpad for: an archetype and
// the roles who will use the setup — customer variants (used through their
// effective values) and personas as they are. With Defaults, the roles are
// chosen as in DesignerOptions and the lists are ignored.
type LaunchpadRequest struct {
	ArchetypeID string
	VariantIDs  []string
	RoleIDs     []string
	Defaults    bool
}

// DesignerOptions is what the Solution Designer offers for an archetype.
type DesignerOptions struct {
	Archetypes []persona.Persona
	Archetype  persona.Persona // zero until one is chosen
	// Variants are the UX persona and AI agent variants for this customer
	// type; Personas every UX persona and AI agent that is not archived.
	Variants []VariantDetail
	Personas []persona.Persona
	// The default choice: every variant for this customer, the personas the
	// archetype names as working there and the agents serving them.
	DefaultVariantIDs []string
	DefaultRoleIDs    []string
	Catalogue         persona.Catalogue
}

// DesignerOptions returns the archetypes, the roles on offer for the chosen
// one and the default choice (viewers).
func (s *Service) DesignerOptions(ctx context.Context, actor Actor, slug, archetypeID string) (DesignerOptions, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return DesignerOptions{}, err
	}
	var o DesignerOptions
	if o.Archetypes, err = s.allOfType(ctx, org.ID, persona.ProfileArchetype); err != nil {
		return o, err
	}
	if o.Catalogue, err = s.store.GetCatalogue(ctx, org.ID); err != nil {
		return o, err
	}
	if archetypeID == "" {
		return o, nil
	}
	if o.Archetype, err = s.archetype(ctx, org.ID, archetypeID, "archetype_id"); err != nil {
		return o, err
	}
	ux, err := s.allOfType(ctx, org.ID, persona.ProfileUX)
	if err != nil {
		return o, err
	}
	agents, err := s.allOfType(ctx, org.ID, persona.ProfileAgent)
	if err != nil {
		return o, err
	}
	for _, p := range append(ux, agents...) {
		if p.Status != persona.StatusArchived {
			o.Personas = append(o.Personas, p)
		}
	}
	vs, err := s.store.ListVariantsForCustomer(ctx, org.ID, o.Archetype.ID)
	if err != nil {
		return o, err
	}
	byID := map[string]persona.Persona{}
	for _, p := range o.Personas {
		byID[p.ID] = p
	}
	for _, v := range vs {
		base, ok := byID[v.PersonaID]
		if !ok {
			continue // a buyer's or an archived persona's variant: not a role
		}
		d, err := s.detail(ctx, org.ID, base, v)
		if err != nil {
			return o, err
		}
		o.Variants = append(o.Variants, d)
	}
	o.Personas = withoutVariantBases(o.Personas, o.Variants)
	o.DefaultVariantIDs, o.DefaultRoleIDs = defaultRoles(o.Archetype, o.Variants, o.Personas)
	return o, nil
}

// withoutVariantBases leaves out of people the personas that a variant for
// the customer stands for: a role is offered once, as the persona works at
// that customer ("System Lead" twice, as a variant and as a persona, was
// one role offered two ways, and generation refused choosing both).
func withoutVariantBases(people []persona.Persona, variants []VariantDetail) []persona.Persona {
	bases := make(map[string]bool, len(variants))
	for _, v := range variants {
		bases[v.Base.ID] = true
	}
	out := make([]persona.Persona, 0, len(people))
	for _, p := range people {
		if !bases[p.ID] {
			out = append(out, p)
		}
	}
	return out
}

// defaultRoles picks the roles of a Launchpad when the caller does not: the
// customer's variants, the UX personas the archetype names among its
// key personas, and the AI agents that serve any of those.
func defaultRoles(arch persona.Persona, variants []VariantDetail, people []persona.Persona) (variantIDs, roleIDs []string) {
	chosen := map[string]bool{}
	var names []string
	for _, v := range variants {
		if chosen[v.Base.ID] {
			continue // one variant per persona: the first
		}
		chosen[v.Base.ID] = true
		variantIDs = append(variantIDs, v.Variant.ID)
		names = append(names, v.Base.Name)
	}
	keyPersonas := persona.ItemsOf(arch.Values["key_personas"])
	for _, p := range people {
		if p.ProfileType != persona.ProfileUX || chosen[p.ID] {
			continue
		}
		if slices.ContainsFunc(keyPersonas, func(k string) bool { return strings.EqualFold(strings.TrimSpace(k), p.Name) }) {
			chosen[p.ID] = true
			roleIDs = append(roleIDs, p.ID)
			names = append(names, p.Name)
		}
	}
	for _, p := range people {
		if p.ProfileType != persona.ProfileAgent || chosen[p.ID] {
			continue
		}
		serves := persona.ItemsOf(p.Values["serves_personas"])
		if slices.ContainsFunc(serves, func(sv string) bool {
			return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, sv) })
		}) {
			chosen[p.ID] = true
			roleIDs = append(roleIDs, p.ID)
		}
	}
	return variantIDs, roleIDs
}

// allOfType lists every live persona of a profile type, by ID.
func (s *Service) allOfType(ctx context.Context, orgID string, t persona.ProfileType) ([]persona.Persona, error) {
	var out []persona.Persona
	after := ""
	for {
		page, err := s.store.ListPersonas(ctx, orgID, persona.PersonaFilter{ProfileType: t, After: after, Limit: MaxPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < MaxPageSize {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// archetype returns a customer archetype persona, or an invalid-input
// error on field.
func (s *Service) archetype(ctx context.Context, orgID, id, field string) (persona.Persona, error) {
	bad := func(msg string) error {
		return persona.Invalid("invalid Launchpad request", []persona.FieldError{{Field: field, Message: msg}})
	}
	if strings.TrimSpace(id) == "" {
		return persona.Persona{}, bad("choose a customer archetype")
	}
	p, err := s.store.GetPersona(ctx, orgID, id)
	switch {
	case persona.ErrorCode(err) == persona.CodeNotFound:
		return p, bad("no such persona in this organisation")
	case err != nil:
		return p, err
	case p.ProfileType != persona.ProfileArchetype:
		return p, bad("must be a customer archetype, not a " + p.ProfileType.Label())
	}
	return p, nil
}

// generation is a request resolved into the domain's input.
type generation struct {
	in      persona.GenerateInput
	req     LaunchpadRequest // with defaults resolved
	archety persona.Persona
}

// resolve checks a request and loads everything generation reads.
func (s *Service) resolve(ctx context.Context, orgID string, req LaunchpadRequest, extra []string) (generation, error) {
	arch, err := s.archetype(ctx, orgID, req.ArchetypeID, "archetype_id")
	if err != nil {
		return generation{}, err
	}
	if req.Defaults {
		var o DesignerOptions
		o.Archetype = arch
		people, err := s.allOfType(ctx, orgID, persona.ProfileUX)
		if err != nil {
			return generation{}, err
		}
		agents, err := s.allOfType(ctx, orgID, persona.ProfileAgent)
		if err != nil {
			return generation{}, err
		}
		for _, p := range append(people, agents...) {
			if p.Status != persona.StatusArchived {
				o.Personas = append(o.Personas, p)
			}
		}
		byID := map[string]persona.Persona{}
		for _, p := range o.Personas {
			byID[p.ID] = p
		}
		vs, err := s.store.ListVariantsForCustomer(ctx, orgID, arch.ID)
		if err != nil {
			return generation{}, err
		}
		for _, v := range vs {
			if base, ok := byID[v.PersonaID]; ok {
				o.Variants = append(o.Variants, VariantDetail{Variant: v, Base: base})
			}
		}
		req.VariantIDs, req.RoleIDs = defaultRoles(arch, o.Variants, o.Personas)
		req.Defaults = false
	}
	g := generation{req: req, archety: arch}
	archDef, err := s.version(ctx, orgID, arch.TemplateID, arch.TemplateVersion)
	if err != nil {
		return g, err
	}
	g.in.Archetype = persona.Subject{Ref: persona.RoleRef{PersonaID: arch.ID, Name: arch.Name, ProfileType: arch.ProfileType},
		Values: arch.Values, Dimensions: arch.Dimensions, Definition: archDef.Definition}

	var fields []persona.FieldError
	seen := map[string]string{} // persona ID → field that named it
	defs := map[string]persona.Definition{}
	defOf := func(p persona.Persona) (persona.Definition, error) {
		k := p.TemplateID + "@" + strconv.Itoa(p.TemplateVersion)
		if d, ok := defs[k]; ok {
			return d, nil
		}
		v, err := s.version(ctx, orgID, p.TemplateID, p.TemplateVersion)
		defs[k] = v.Definition
		return v.Definition, err
	}
	roleType := func(p persona.Persona) bool {
		return p.ProfileType == persona.ProfileUX || p.ProfileType == persona.ProfileAgent
	}
	for i, id := range uniqueStrings(req.VariantIDs) {
		path := fmt.Sprintf("variant_ids[%d]", i)
		v, err := s.store.GetVariant(ctx, orgID, id)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			fields = append(fields, persona.FieldError{Field: path, Message: "no such variant in this organisation"})
			continue
		} else if err != nil {
			return g, err
		}
		base, err := s.store.GetPersona(ctx, orgID, v.PersonaID)
		if err != nil {
			return g, err
		}
		if !roleType(base) {
			fields = append(fields, persona.FieldError{Field: path, Message: "roles are UX personas and AI agents; this variant is of a " + base.ProfileType.Label()})
			continue
		}
		if prev, dup := seen[base.ID]; dup {
			fields = append(fields, persona.FieldError{Field: path, Message: base.Name + " is already a role (" + prev + "); choose one variant per persona"})
			continue
		}
		seen[base.ID] = path
		d, err := s.detail(ctx, orgID, base, v)
		if err != nil {
			return g, err
		}
		def, err := defOf(base)
		if err != nil {
			return g, err
		}
		g.in.Roles = append(g.in.Roles, persona.Subject{
			Ref: persona.RoleRef{PersonaID: base.ID, VariantID: v.ID, Name: base.Name, ProfileType: base.ProfileType,
				Customer: d.CustomerName(), RoleTitle: roleTitle(d.Effective.Values)},
			Values: d.Effective.Values, Dimensions: d.Effective.Dimensions, Definition: def})
	}
	for i, id := range uniqueStrings(req.RoleIDs) {
		path := fmt.Sprintf("role_ids[%d]", i)
		p, err := s.store.GetPersona(ctx, orgID, id)
		if persona.ErrorCode(err) == persona.CodeNotFound {
			fields = append(fields, persona.FieldError{Field: path, Message: "no such persona in this organisation"})
			continue
		} else if err != nil {
			return g, err
		}
		if !roleType(p) {
			fields = append(fields, persona.FieldError{Field: path, Message: "roles are UX personas and AI agents, not a " + p.ProfileType.Label()})
			continue
		}
		if _, dup := seen[p.ID]; dup {
			continue // its variant stands for it
		}
		seen[p.ID] = path
		def, err := defOf(p)
		if err != nil {
			return g, err
		}
		g.in.Roles = append(g.in.Roles, persona.Subject{
			Ref:    persona.RoleRef{PersonaID: p.ID, Name: p.Name, ProfileType: p.ProfileType, RoleTitle: roleTitle(p.Values)},
			Values: p.Values, Dimensions: p.Dimensions, Definition: def})
	}
	if err := persona.Invalid("invalid Launchpad request", fields); err != nil {
		return g, err
	}
	g.req.VariantIDs, g.req.RoleIDs = nil, nil
	for _, r := range g.in.Roles {
		if r.Ref.VariantID != "" {
			g.req.VariantIDs = append(g.req.VariantIDs, r.Ref.VariantID)
		} else {
			g.req.RoleIDs = append(g.req.RoleIDs, r.Ref.PersonaID)
		}
	}
	if g.in.Catalogue, err = s.store.GetCatalogue(ctx, orgID); err != nil {
		return g, err
	}
	g.in.Extra = extra
	return g, nil
}

func roleTitle(v persona.Values) string {
	s, _ := v["role_title"].(string)
	return s
}

func uniqueStrings(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Generated is a Launchpad computed but not saved: the Solution Designer's
// preview.
type Generated struct {
	Archetype persona.Persona
	// Request is the request with defaults resolved into explicit roles.
	Request        LaunchpadRequest
	Recommendation persona.Recommendation
	View           persona.LaunchpadView
}

// GenerateLaunchpad computes a Launchpad without saving it (editors).
func (s *Service) GenerateLaunchpad(ctx context.Context, actor Actor, slug string, req LaunchpadRequest) (Generated, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return Generated{}, err
	}
	g, err := s.resolve(ctx, org.ID, req, nil)
	if err != nil {
		return Generated{}, err
	}
	rec, err := persona.Generate(g.in)
	if err != nil {
		return Generated{}, err
	}
	return Generated{Archetype: g.archety, Request: g.req, Recommendation: rec,
		View: persona.LaunchpadContent{Recommendation: rec}.View()}, nil
}

// CreateLaunchpad generates a Launchpad and saves it as revision 1
// (editors). An empty name becomes "<archetype> setup".
func (s *Service) CreateLaunchpad(ctx context.Context, actor Actor, slug string, req LaunchpadRequest, name, notes string) (persona.Launchpad, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Launchpad{}, err
	}
	g, err := s.resolve(ctx, org.ID, req, nil)
	if err != nil {
		return persona.Launchpad{}, err
	}
	rec, err := persona.Generate(g.in)
	if err != nil {
		return persona.Launchpad{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = g.archety.Name + " setup"
	}
	c := persona.LaunchpadContent{Name: name, Notes: notes, ArchetypeID: g.archety.ID, VariantIDs: g.req.VariantIDs,
		RoleIDs: g.req.RoleIDs, Recommendation: rec}
	if err := persona.ValidateLaunchpad(&c); err != nil {
		return persona.Launchpad{}, err
	}
	now := s.timestamp()
	l := persona.Launchpad{ID: newID(), OrgID: org.ID, LaunchpadContent: c, Revision: 1,
		CreatedAt: now, CreatedBy: actor.UserID, UpdatedAt: now, UpdatedBy: actor.UserID}
	if err := s.inTx(ctx, s.entry(org.ID, actor, "create", "launchpad", l.ID, l.Name), func(tx Store) error { return tx.CreateLaunchpad(ctx, l, launchpadRevisionOf(l, "Generated")) }); err != nil {
		return persona.Launchpad{}, err
	}
	return l, nil
}

func launchpadRevisionOf(l persona.Launchpad, message string) persona.LaunchpadRevision {
	message = strings.TrimSpace(message)
	if r := []rune(message); len(r) > 500 {
		message = string(r[:500])
	}
	return persona.LaunchpadRevision{LaunchpadID: l.ID, OrgID: l.OrgID, Number: l.Revision, AuthorID: l.UpdatedBy,
		CreatedAt: l.UpdatedAt, Message: message, Content: l.LaunchpadContent}
}

// LaunchpadDetail is a saved Launchpad as it reads.
type LaunchpadDetail struct {
	Launchpad persona.Launchpad
	View      persona.LaunchpadView
	// Archetype is the customer archetype (zero when it is gone).
	Archetype persona.Persona
}

// GetLaunchpad returns a saved Launchpad with decisions applied and its
// plan (viewers).
func (s *Service) GetLaunchpad(ctx context.Context, actor Actor, slug, id string) (LaunchpadDetail, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return LaunchpadDetail{}, err
	}
	return s.launchpadDetail(ctx, org.ID, id)
}

func (s *Service) launchpadDetail(ctx context.Context, orgID, id string) (LaunchpadDetail, error) {
	l, err := s.store.GetLaunchpad(ctx, orgID, id)
	if err != nil {
		return LaunchpadDetail{}, err
	}
	d := LaunchpadDetail{Launchpad: l, View: l.View()}
	arch, err := s.store.GetPersona(ctx, orgID, l.ArchetypeID)
	if err != nil && persona.ErrorCode(err) != persona.CodeNotFound {
		return d, err
	}
	d.Archetype = arch
	return d, nil
}

// ListLaunchpads lists saved Launchpads, most recently updated first; with
// an archetypeID, only those for it (viewers).
func (s *Service) ListLaunchpads(ctx context.Context, actor Actor, slug, archetypeID string) ([]persona.Launchpad, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.ListLaunchpads(ctx, org.ID, archetypeID)
}

// LaunchpadUpdate is what an editor may change on a saved Launchpad; it
// replaces those parts whole.
type LaunchpadUpdate struct {
	Name      string
	Notes     string
	Decisions map[string]persona.Decision
	Plan      persona.PlanEdits
	Message   string
}

// UpdateLaunchpad replaces a Launchpad's name, notes, decisions and plan
// edits (editors), with the same If-Match rules as personas.
func (s *Service) UpdateLaunchpad(ctx context.Context, actor Actor, slug, id string, ifMatch int, in LaunchpadUpdate) (persona.Launchpad, error) {
	return s.editLaunchpad(ctx, actor, slug, id, ifMatch, in.Message, func(c *persona.LaunchpadContent) error {
		c.Name, c.Notes, c.Decisions, c.Plan = in.Name, in.Notes, in.Decisions, in.Plan
		return persona.Invalid("invalid Launchpad", messageFields(in.Message))
	})
}

// AddLaunchpadItem adds a catalogue item to a saved Launchpad by reference
// ("module:<key>", "pack:<key>", "dashboard:<key>:<persona ID>") without
// regenerating the rest (editors). Regenerating keeps it.
func (s *Service) AddLaunchpadItem(ctx context.Context, actor Actor, slug, id string, ifMatch int, ref string) (persona.Launchpad, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Launchpad{}, err
	}
	cat, err := s.store.GetCatalogue(ctx, org.ID)
	if err != nil {
		return persona.Launchpad{}, err
	}
	ref = strings.TrimSpace(ref)
	return s.editLaunchpad(ctx, actor, slug, id, ifMatch, "Added "+ref, func(c *persona.LaunchpadContent) error {
		rec, err := persona.AddToRecommendation(c.Recommendation, cat, ref)
		if err != nil {
			return err
		}
		c.Recommendation = rec
		c.Added = append(c.Added, ref)
		return nil
	})
}

func (s *Service) editLaunchpad(ctx context.Context, actor Actor, slug, id string, ifMatch int, message string, edit func(c *persona.LaunchpadContent) error) (persona.Launchpad, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Launchpad{}, err
	}
	cur, err := s.store.GetLaunchpad(ctx, org.ID, id)
	if err != nil {
		return persona.Launchpad{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Revision, "Launchpad"); err != nil {
		return persona.Launchpad{}, err
	}
	next := cur
	if err := edit(&next.LaunchpadContent); err != nil {
		return persona.Launchpad{}, err
	}
	if err := persona.ValidateLaunchpad(&next.LaunchpadContent); err != nil {
		return persona.Launchpad{}, err
	}
	return s.saveLaunchpad(ctx, actor, cur, next.LaunchpadContent, message, "")
}

// saveLaunchpad saves c as the next revision of cur, recorded as action
// ("": accept, reject or update, as the change says).
func (s *Service) saveLaunchpad(ctx context.Context, actor Actor, cur persona.Launchpad, c persona.LaunchpadContent, message, action string) (persona.Launchpad, error) {
	if action == "" {
		action = launchpadAction(cur.LaunchpadContent, c)
	}
	l := cur
	l.LaunchpadContent = c
	l.Revision = cur.Revision + 1
	l.UpdatedAt = s.timestamp()
	l.UpdatedBy = actor.UserID
	entry := s.entry(l.OrgID, actor, action, "launchpad", l.ID, revisionSummary(l.Name, l.Revision, message))
	if err := s.inTx(ctx, entry, func(tx Store) error { return tx.UpdateLaunchpad(ctx, l, launchpadRevisionOf(l, message)) }); err != nil {
		return persona.Launchpad{}, err
	}
	return l, nil
}

// Regeneration is what regenerating a saved Launchpad would change.
type Regeneration struct {
	Current LaunchpadDetail
	// Next is the content regenerating would save: the fresh recommendation
	// with decisions, additions and plan edits carried over.
	Next     persona.LaunchpadContent
	NextView persona.LaunchpadView
	Diff     persona.LaunchpadDiff
}

// PreviewRegeneration regenerates a saved Launchpad from the current
// archetype, variants and catalogue without saving, and says what changed
// (viewers). Roles whose variant or persona is gone are left out.
func (s *Service) PreviewRegeneration(ctx context.Context, actor Actor, slug, id string) (Regeneration, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return Regeneration{}, err
	}
	return s.regeneration(ctx, org.ID, id)
}

func (s *Service) regeneration(ctx context.Context, orgID, id string) (Regeneration, error) {
	cur, err := s.launchpadDetail(ctx, orgID, id)
	if err != nil {
		return Regeneration{}, err
	}
	l := cur.Launchpad
	if cur.Archetype.ID == "" {
		return Regeneration{}, persona.Errorf(persona.CodeConflict, "the customer archetype of this Launchpad is gone; it cannot be regenerated")
	}
	// Keep the roles that still exist.
	req := LaunchpadRequest{ArchetypeID: l.ArchetypeID}
	for _, vid := range l.VariantIDs {
		if _, err := s.store.GetVariant(ctx, orgID, vid); err == nil {
			req.VariantIDs = append(req.VariantIDs, vid)
		} else if persona.ErrorCode(err) != persona.CodeNotFound {
			return Regeneration{}, err
		}
	}
	for _, pid := range l.RoleIDs {
		if _, err := s.store.GetPersona(ctx, orgID, pid); err == nil {
			req.RoleIDs = append(req.RoleIDs, pid)
		} else if persona.ErrorCode(err) != persona.CodeNotFound {
			return Regeneration{}, err
		}
	}
	g, err := s.resolve(ctx, orgID, req, l.Added)
	if err != nil {
		return Regeneration{}, err
	}
	fresh, err := persona.Generate(g.in)
	if err != nil {
		return Regeneration{}, err
	}
	next := l.Regenerated(fresh)
	next.VariantIDs, next.RoleIDs = g.req.VariantIDs, g.req.RoleIDs
	r := Regeneration{Current: cur, Next: next, NextView: next.View()}
	r.Diff = persona.DiffLaunchpads(cur.View, r.NextView)
	return r, nil
}

// RegenerateLaunchpad regenerates a saved Launchpad and saves the result as
// a new revision (editors), returning what changed.
func (s *Service) RegenerateLaunchpad(ctx context.Context, actor Actor, slug, id string, ifMatch int) (persona.Launchpad, persona.LaunchpadDiff, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return persona.Launchpad{}, persona.LaunchpadDiff{}, err
	}
	cur, err := s.store.GetLaunchpad(ctx, org.ID, id)
	if err != nil {
		return persona.Launchpad{}, persona.LaunchpadDiff{}, err
	}
	if err := checkIfMatch(ifMatch, cur.Revision, "Launchpad"); err != nil {
		return persona.Launchpad{}, persona.LaunchpadDiff{}, err
	}
	r, err := s.regeneration(ctx, org.ID, id)
	if err != nil {
		return persona.Launchpad{}, persona.LaunchpadDiff{}, err
	}
	if err := persona.ValidateLaunchpad(&r.Next); err != nil {
		return persona.Launchpad{}, persona.LaunchpadDiff{}, err
	}
	added, removed, changed := r.Diff.Count()
	msg := "Regenerated: nothing changed"
	if !r.Diff.Empty() {
		msg = fmt.Sprintf("Regenerated: %d added, %d removed, %d changed", added, removed, changed)
	}
	l, err := s.saveLaunchpad(ctx, actor, r.Current.Launchpad, r.Next, msg, "regenerate")
	return l, r.Diff, err
}

// DeleteLaunchpad deletes a saved Launchpad and its revisions (editors).
func (s *Service) DeleteLaunchpad(ctx context.Context, actor Actor, slug, id string) error {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleEditor)
	if err != nil {
		return err
	}
	l, _ := s.store.GetLaunchpad(ctx, org.ID, id) // its name, for the audit log
	return s.inTx(ctx, s.entry(org.ID, actor, "delete", "launchpad", id, l.Name), func(tx Store) error { return tx.DeleteLaunchpad(ctx, org.ID, id) })
}

// ListLaunchpadRevisions lists a Launchpad's revisions, newest first
// (viewers).
func (s *Service) ListLaunchpadRevisions(ctx context.Context, actor Actor, slug, id string) ([]persona.LaunchpadRevision, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetLaunchpad(ctx, org.ID, id); err != nil {
		return nil, err
	}
	return s.store.ListLaunchpadRevisions(ctx, org.ID, id)
}

// GetLaunchpadRevision returns one revision of a Launchpad (viewers).
func (s *Service) GetLaunchpadRevision(ctx context.Context, actor Actor, slug, id string, number int) (persona.LaunchpadRevision, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.LaunchpadRevision{}, err
	}
	if _, err := s.store.GetLaunchpad(ctx, org.ID, id); err != nil {
		return persona.LaunchpadRevision{}, err
	}
	return s.store.GetLaunchpadRevision(ctx, org.ID, id, number)
}

// LaunchpadMarkdown renders a saved Launchpad as Markdown (viewers).
func (s *Service) LaunchpadMarkdown(ctx context.Context, actor Actor, slug, id string) (string, persona.Launchpad, error) {
	d, err := s.GetLaunchpad(ctx, actor, slug, id)
	if err != nil {
		return "", persona.Launchpad{}, err
	}
	return persona.LaunchpadMarkdown(d.Launchpad.Name, d.Launchpad.Notes, d.View), d.Launchpad, nil
}
