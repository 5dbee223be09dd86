package persona

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A Launchpad turns "what kind of customer is this?" into "how do we set
// them up?". An organisation describes its own product in a catalogue —
// modules, content packs and dashboard templates — and gives each item
// applicability rules over a customer archetype's field and dimension
// values. Generating a Launchpad for an archetype (and the personas and
// variants who will use the setup) evaluates every rule, pulls in the
// modules the chosen ones depend on, orders them, picks one dashboard per
// role and lays the modules out in a phased rollout plan. Every pick says
// why it was made. Generation is a pure function of its input: the same
// archetype, roles and catalogue always give the same Launchpad.

// ---- Catalogue ----

// ItemKind is the kind of a catalogue item.
type ItemKind string

// Catalogue item kinds.
const (
	ItemModule    ItemKind = "module"
	ItemPack      ItemKind = "pack"
	ItemDashboard ItemKind = "dashboard"
)

// ItemKinds lists the catalogue item kinds in display order.
var ItemKinds = []ItemKind{ItemModule, ItemPack, ItemDashboard}

// Valid reports whether k is a known item kind.
func (k ItemKind) Valid() bool { return slices.Contains(ItemKinds, k) }

// Label is the human name of the kind.
func (k ItemKind) Label() string {
	switch k {
	case ItemModule:
		return "Module"
	case ItemPack:
		return "Content pack"
	case ItemDashboard:
		return "Dashboard"
	}
	return string(k)
}

// Catalogue describes an organisation's own product: what can be switched
// on for a customer. Item keys are unique across the whole catalogue.
type Catalogue struct {
	Modules    []Module            `json:"modules" required:"false"`
	Packs      []ContentPack       `json:"packs" required:"false"`
	Dashboards []DashboardTemplate `json:"dashboards" required:"false"`
	// Revision counts saves (0: never saved). Saves need the revision they
	// edited, so two admins cannot silently overwrite each other.
	Revision  int       `json:"revision" required:"false" doc:"Read-only; send it back in If-Match"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// Module is a part of the product that can be switched on.
type Module struct {
	Key         string   `json:"key" required:"false"`
	Name        string   `json:"name" required:"false"`
	Description string   `json:"description,omitempty"`
	DependsOn   []string `json:"depends_on,omitempty" doc:"Keys of modules that must be set up first"`
	EffortDays  float64  `json:"effort_days" required:"false" doc:"Set-up effort in person-days"`
	// Phase is the earliest rollout phase the module belongs to; empty means
	// foundation for a module of every setup (no rules), pilot otherwise.
	// A module is never planned before a module it depends on.
	Phase Phase `json:"phase,omitempty" doc:"foundation, pilot or scale; empty: foundation without rules, pilot otherwise"`
	// Owner is the role that owns the module's rollout (a persona name or
	// role title such as "System Lead").
	Owner string `json:"owner,omitempty"`
	// DoneWhen is the module's exit criterion in the rollout plan.
	DoneWhen string  `json:"done_when,omitempty"`
	Rules    []Rule  `json:"rules,omitempty"`
	MinScore float64 `json:"min_score,omitempty" doc:"Score needed to recommend the item; 0: any positive score"`
}

// ContentPack is ready-made content (rules, templates, reports) that needs
// some modules and serves some personas.
type ContentPack struct {
	Key         string   `json:"key" required:"false"`
	Name        string   `json:"name" required:"false"`
	Description string   `json:"description,omitempty"`
	Modules     []string `json:"modules,omitempty" doc:"Keys of the modules it needs (pulled into the setup with it)"`
	Serves      []string `json:"serves,omitempty" doc:"Personas it serves: persona names, role titles or profile types (ux, agent)"`
	Rules       []Rule   `json:"rules,omitempty"`
	MinScore    float64  `json:"min_score,omitempty"`
}

// DashboardTemplate is a dashboard that can be set up for a role.
type DashboardTemplate struct {
	Key         string   `json:"key" required:"false"`
	Name        string   `json:"name" required:"false"`
	Description string   `json:"description,omitempty"`
	Widgets     []string `json:"widgets" required:"false"`
	// Roles are the intended roles: persona names, role titles or profile
	// types ("ux", "agent"); empty means any role.
	Roles []string `json:"roles,omitempty"`
	// Modules are needed by the widgets: the dashboard is only offered when
	// the setup has them.
	Modules []string `json:"modules,omitempty"`
	// Rules are evaluated over the role's values (its variant's effective
	// values when it has one); "archetype." paths read the archetype's.
	Rules    []Rule  `json:"rules,omitempty"`
	MinScore float64 `json:"min_score,omitempty"`
}

// Match says how a rule combines its conditions.
type Match string

// Matches.
const (
	MatchAll Match = "all"
	MatchAny Match = "any"
)

// Op is a condition's operator.
type Op string

// Operators.
const (
	OpEquals   Op = "equals"
	OpOneOf    Op = "one_of"
	OpContains Op = "contains"
	OpLTE      Op = "lte"
	OpGTE      Op = "gte"
	OpPresent  Op = "present"
	OpAbsent   Op = "absent"
)

// Ops lists every operator.
var Ops = []Op{OpEquals, OpOneOf, OpContains, OpLTE, OpGTE, OpPresent, OpAbsent}

// Label is how the operator reads in a form.
func (o Op) Label() string {
	switch o {
	case OpEquals:
		return "is"
	case OpOneOf:
		return "is one of"
	case OpContains:
		return "contains"
	case OpLTE:
		return "≤"
	case OpGTE:
		return "≥"
	case OpPresent:
		return "is set"
	case OpAbsent:
		return "is not set"
	}
	return string(o)
}

// TakesValue reports whether the operator compares with a value.
func (o Op) TakesValue() bool { return o != OpPresent && o != OpAbsent }

// Rule is one applicability rule: its conditions combined with all (every
// one must hold) or any (at least one), and a weight added to the item's
// score when the rule holds. Negative weights hold an item back.
type Rule struct {
	Match      Match       `json:"match,omitempty" doc:"all (default) or any"`
	Conditions []Condition `json:"conditions" required:"false"`
	Weight     float64     `json:"weight,omitempty" doc:"Added to the score when the rule holds; default 1"`
	Note       string      `json:"note,omitempty" doc:"Why the rule exists, shown with the reasons"`
}

// Condition tests one value. Field is "values.<key>" or "dimensions.<key>"
// (the subject's: the archetype for modules and packs, the role for
// dashboards) or "archetype.values.<key>" / "archetype.dimensions.<key>".
// Value is a string or number (equals, contains, lte, gte), a list (one_of)
// or nothing (present, absent).
type Condition struct {
	Field string `json:"field" required:"false"`
	Op    Op     `json:"op" required:"false" doc:"equals, one_of, contains, lte, gte, present or absent"`
	Value any    `json:"value,omitempty"`
}

// Limits for the catalogue.
const (
	MaxCatalogueItems = 200 // per kind
	MaxRulesPerItem   = 20
	MaxConditions     = 20
	MaxItemList       = 50 // dependencies, widgets, roles, serves
	MaxEffortDays     = 10000
	MaxRuleWeight     = 100
	maxItemText       = 2000
)

var itemKeyPattern = slugPattern

// ValidItemKey reports whether s can be a catalogue item key: lower-case
// letters, digits and hyphens, like "approval-workflows".
func ValidItemKey(s string) bool { return itemKeyPattern.MatchString(s) }

// Module returns the module with the key.
func (c Catalogue) Module(key string) (Module, bool) {
	i := slices.IndexFunc(c.Modules, func(m Module) bool { return m.Key == key })
	if i < 0 {
		return Module{}, false
	}
	return c.Modules[i], true
}

// Pack returns the content pack with the key.
func (c Catalogue) Pack(key string) (ContentPack, bool) {
	i := slices.IndexFunc(c.Packs, func(p ContentPack) bool { return p.Key == key })
	if i < 0 {
		return ContentPack{}, false
	}
	return c.Packs[i], true
}

// Dashboard returns the dashboard template with the key.
func (c Catalogue) Dashboard(key string) (DashboardTemplate, bool) {
	i := slices.IndexFunc(c.Dashboards, func(d DashboardTemplate) bool { return d.Key == key })
	if i < 0 {
		return DashboardTemplate{}, false
	}
	return c.Dashboards[i], true
}

// KindOf returns the kind of the item with the key.
func (c Catalogue) KindOf(key string) (ItemKind, bool) {
	if _, ok := c.Module(key); ok {
		return ItemModule, true
	}
	if _, ok := c.Pack(key); ok {
		return ItemPack, true
	}
	if _, ok := c.Dashboard(key); ok {
		return ItemDashboard, true
	}
	return "", false
}

// Empty reports whether the catalogue has no items.
func (c Catalogue) Empty() bool {
	return len(c.Modules) == 0 && len(c.Packs) == 0 && len(c.Dashboards) == 0
}

// Dependents lists the items that refer to the module: modules depending
// on it, packs and dashboards needing it, as "<kind> <name>".
func (c Catalogue) Dependents(key string) []string {
	var out []string
	for _, m := range c.Modules {
		if slices.Contains(m.DependsOn, key) {
			out = append(out, "module "+m.Name)
		}
	}
	for _, p := range c.Packs {
		if slices.Contains(p.Modules, key) {
			out = append(out, "content pack "+p.Name)
		}
	}
	for _, d := range c.Dashboards {
		if slices.Contains(d.Modules, key) {
			out = append(out, "dashboard "+d.Name)
		}
	}
	return out
}

// RenameModule changes a module's key everywhere it is referred to.
func (c *Catalogue) RenameModule(from, to string) {
	swap := func(list []string) {
		for i, k := range list {
			if k == from {
				list[i] = to
			}
		}
	}
	for i := range c.Modules {
		if c.Modules[i].Key == from {
			c.Modules[i].Key = to
		}
		swap(c.Modules[i].DependsOn)
	}
	for i := range c.Packs {
		swap(c.Packs[i].Modules)
	}
	for i := range c.Dashboards {
		swap(c.Dashboards[i].Modules)
	}
}

// KnownFields tells catalogue validation which condition fields exist:
// paths ("values.<key>", "dimensions.<key>") mapped to whether they hold
// numbers. Archetype is checked for module and pack rules and "archetype."
// paths, Roles for dashboard rules. A nil map is not checked.
type KnownFields struct {
	Archetype map[string]bool
	Roles     map[string]bool
}

// KnownFieldsOf lists the fields and dimensions of the definitions.
func KnownFieldsOf(defs ...Definition) map[string]bool {
	out := map[string]bool{}
	for _, d := range defs {
		for _, s := range d.Sections {
			for _, f := range s.Fields {
				out["values."+f.Key] = out["values."+f.Key] || f.Kind == KindNumber || f.Kind == KindScale
			}
		}
		for _, dim := range d.Dimensions {
			out["dimensions."+dim.Key] = out["dimensions."+dim.Key] || dim.Kind == DimensionScale
		}
	}
	return out
}

// ValidateCatalogue checks c and normalises it in place: text trimmed,
// lists cleaned, rule weights defaulted to 1 and condition values put in
// canonical form. It reports every problem with its path, such as
// "modules[2].rules[0].conditions[1].value", and refuses unknown or
// duplicate keys, references to unknown modules and dependency cycles.
func ValidateCatalogue(c *Catalogue, known KnownFields) error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }

	seen := map[string]string{} // key → path of its first use
	checkItem := func(path string, key, name, desc *string) {
		*key = strings.TrimSpace(*key)
		*name = strings.TrimSpace(*name)
		*desc = CleanText(*desc)
		switch {
		case *key == "":
			add(path+".key", "is required")
		case !ValidItemKey(*key):
			add(path+".key", "must be lower-case letters, digits and hyphens, like approval-workflows")
		case seen[*key] != "":
			add(path+".key", fmt.Sprintf("%q is already used by %s; keys are unique across the catalogue", *key, seen[*key]))
		default:
			seen[*key] = path
		}
		if *name == "" {
			add(path+".name", "is required")
		} else if msg := LineProblem(*name, MaxNameLength); msg != "" {
			add(path+".name", msg)
		}
		if msg := TextProblem(*desc, maxItemText); msg != "" && *desc != "" {
			add(path+".description", msg)
		}
	}
	if len(c.Modules) > MaxCatalogueItems || len(c.Packs) > MaxCatalogueItems || len(c.Dashboards) > MaxCatalogueItems {
		add("catalogue", fmt.Sprintf("may hold at most %d items of each kind", MaxCatalogueItems))
		return Invalid("invalid catalogue", errs)
	}
	for i := range c.Modules {
		m := &c.Modules[i]
		p := fmt.Sprintf("modules[%d]", i)
		checkItem(p, &m.Key, &m.Name, &m.Description)
		if math.IsNaN(m.EffortDays) || m.EffortDays < 0 || m.EffortDays > MaxEffortDays {
			add(p+".effort_days", fmt.Sprintf("must be between 0 and %d person-days", MaxEffortDays))
		}
		if m.Phase != "" && !m.Phase.Valid() {
			add(p+".phase", "must be foundation, pilot or scale")
		}
		m.Owner = strings.TrimSpace(m.Owner)
		if msg := LineProblem(m.Owner, MaxNameLength); msg != "" && m.Owner != "" {
			add(p+".owner", msg)
		}
		m.DoneWhen = CleanText(m.DoneWhen)
		if msg := TextProblem(m.DoneWhen, maxItemText); msg != "" && m.DoneWhen != "" {
			add(p+".done_when", msg)
		}
		m.DependsOn = cleanKeyList(add, p+".depends_on", m.DependsOn)
		if slices.Contains(m.DependsOn, m.Key) && m.Key != "" {
			add(p+".depends_on", "a module cannot depend on itself")
		}
		validateRules(add, p, m.Rules, &m.MinScore, known.Archetype, known.Archetype, archetypeFields)
	}
	for i := range c.Packs {
		pk := &c.Packs[i]
		p := fmt.Sprintf("packs[%d]", i)
		checkItem(p, &pk.Key, &pk.Name, &pk.Description)
		pk.Modules = cleanKeyList(add, p+".modules", pk.Modules)
		pk.Serves = cleanTextList(add, p+".serves", pk.Serves)
		validateRules(add, p, pk.Rules, &pk.MinScore, known.Archetype, known.Archetype, archetypeFields)
	}
	for i := range c.Dashboards {
		d := &c.Dashboards[i]
		p := fmt.Sprintf("dashboards[%d]", i)
		checkItem(p, &d.Key, &d.Name, &d.Description)
		d.Widgets = cleanTextList(add, p+".widgets", d.Widgets)
		if len(d.Widgets) == 0 {
			add(p+".widgets", "list at least one widget")
		}
		d.Roles = cleanTextList(add, p+".roles", d.Roles)
		d.Modules = cleanKeyList(add, p+".modules", d.Modules)
		validateRules(add, p, d.Rules, &d.MinScore, known.Roles, known.Archetype, "the UX persona and AI agent templates")
	}
	// References to modules.
	modules := map[string]bool{}
	for _, m := range c.Modules {
		modules[m.Key] = true
	}
	checkRefs := func(path string, keys []string) {
		for j, k := range keys {
			if ValidItemKey(k) && !modules[k] {
				add(fmt.Sprintf("%s[%d]", path, j), fmt.Sprintf("no module %q in the catalogue", k))
			}
		}
	}
	for i, m := range c.Modules {
		checkRefs(fmt.Sprintf("modules[%d].depends_on", i), m.DependsOn)
	}
	for i, pk := range c.Packs {
		checkRefs(fmt.Sprintf("packs[%d].modules", i), pk.Modules)
	}
	for i, d := range c.Dashboards {
		checkRefs(fmt.Sprintf("dashboards[%d].modules", i), d.Modules)
	}
	if len(errs) == 0 {
		if _, err := orderModules(c.Modules, allKeys(c.Modules)); err != nil {
			e, _ := AsError(err)
			add("modules", e.Message)
		}
	}
	return Invalid("invalid catalogue", errs)
}

func allKeys(ms []Module) map[string]bool {
	out := make(map[string]bool, len(ms))
	for _, m := range ms {
		out[m.Key] = true
	}
	return out
}

// cleanKeyList trims keys, drops blanks and duplicates, and checks them.
func cleanKeyList(add func(string, string), path string, in []string) []string {
	var out []string
	for _, k := range in {
		k = strings.TrimSpace(k)
		if k == "" || slices.Contains(out, k) {
			continue
		}
		if !ValidItemKey(k) {
			add(path, fmt.Sprintf("%q is not a valid key", safePath(k)))
			continue
		}
		out = append(out, k)
	}
	if len(out) > MaxItemList {
		add(path, fmt.Sprintf("may hold at most %d entries", MaxItemList))
	}
	return out
}

// cleanTextList trims entries, drops blanks and duplicates (ignoring case),
// and checks them.
func cleanTextList(add func(string, string), path string, in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, s) }) {
			continue
		}
		if msg := LineProblem(s, MaxNameLength); msg != "" {
			add(path, prefixMust("entries", msg))
			continue
		}
		out = append(out, s)
	}
	if len(out) > MaxItemList {
		add(path, fmt.Sprintf("may hold at most %d entries", MaxItemList))
	}
	return out
}

const archetypeFields = "the customer archetype templates"

// validateRules checks an item's rules: subject lists the subject's fields
// (subjectWhat names where they come from), archetype the archetype's
// (nil: not checked).
func validateRules(add func(string, string), path string, rules []Rule, minScore *float64, subject, archetype map[string]bool, subjectWhat string) {
	if len(rules) > MaxRulesPerItem {
		add(path+".rules", fmt.Sprintf("may hold at most %d rules", MaxRulesPerItem))
		return
	}
	if math.IsNaN(*minScore) || *minScore < 0 || *minScore > MaxRuleWeight*MaxRulesPerItem {
		add(path+".min_score", "must be 0 or a positive score")
	}
	for i := range rules {
		r := &rules[i]
		p := fmt.Sprintf("%s.rules[%d]", path, i)
		switch r.Match {
		case "":
			r.Match = MatchAll
		case MatchAll, MatchAny:
		default:
			add(p+".match", "must be all or any")
		}
		switch {
		case math.IsNaN(r.Weight) || math.Abs(r.Weight) > MaxRuleWeight:
			add(p+".weight", fmt.Sprintf("must be between -%d and %d", MaxRuleWeight, MaxRuleWeight))
		case r.Weight == 0:
			r.Weight = 1
		}
		r.Note = CleanText(r.Note)
		if msg := TextProblem(r.Note, 500); msg != "" && r.Note != "" {
			add(p+".note", msg)
		}
		if len(r.Conditions) == 0 {
			add(p+".conditions", "a rule needs at least one condition")
		}
		if len(r.Conditions) > MaxConditions {
			add(p+".conditions", fmt.Sprintf("may hold at most %d conditions", MaxConditions))
			continue
		}
		for j := range r.Conditions {
			validateCondition(add, fmt.Sprintf("%s.conditions[%d]", p, j), &r.Conditions[j], subject, archetype, subjectWhat)
		}
	}
}

// ParseFieldPath splits a condition field into whether it reads the
// archetype explicitly, the section ("values" or "dimensions") and the key.
func ParseFieldPath(path string) (archetype bool, section, key string, ok bool) {
	rest, archetype := strings.CutPrefix(path, "archetype.")
	section, key, found := strings.Cut(rest, ".")
	if !found || (section != "values" && section != "dimensions") || !ValidKey(key) {
		return false, "", "", false
	}
	return archetype, section, key, true
}

func validateCondition(add func(string, string), p string, c *Condition, subject, archetype map[string]bool, subjectWhat string) {
	c.Field = strings.TrimSpace(c.Field)
	arch, section, key, ok := ParseFieldPath(c.Field)
	numeric := true // unknown: do not complain about numbers
	switch {
	case c.Field == "":
		add(p+".field", "is required")
	case !ok:
		add(p+".field", `must be values.<key> or dimensions.<key> (optionally after "archetype.")`)
	default:
		known, what := subject, subjectWhat
		if arch {
			known, what = archetype, archetypeFields
		}
		if known != nil {
			n, exists := known[section+"."+key]
			if !exists {
				add(p+".field", fmt.Sprintf("%s is not a field or dimension of %s", c.Field, what))
			} else {
				numeric = n
			}
		}
	}
	if c.Op == "" {
		add(p+".op", "is required")
		return
	}
	if !slices.Contains(Ops, c.Op) {
		add(p+".op", "must be one of equals, one_of, contains, lte, gte, present, absent")
		return
	}
	v, msg := normaliseConditionValue(c.Op, c.Value)
	if msg != "" {
		add(p+".value", msg)
		return
	}
	if (c.Op == OpLTE || c.Op == OpGTE) && !numeric {
		add(p+".op", fmt.Sprintf("%s compares numbers, but %s does not hold a number", c.Op, c.Field))
	}
	c.Value = v
}

// normaliseConditionValue returns a condition's value in canonical form: a
// string or float64 (equals), []string (one_of), string (contains), float64
// (lte, gte), nil (present, absent).
func normaliseConditionValue(op Op, v any) (any, string) {
	switch op {
	case OpPresent, OpAbsent:
		if !isEmptyValue(v) {
			return nil, fmt.Sprintf("%s takes no value", op)
		}
		return nil, ""
	case OpLTE, OpGTE:
		n, empty, ok := toNumber(v)
		if empty || v == nil {
			return nil, "give a number to compare with"
		}
		if !ok {
			return nil, "must be a number"
		}
		return n, ""
	case OpEquals, OpContains:
		s, ok := scalarText(v)
		if !ok {
			return nil, "must be a single text or number"
		}
		if s == "" {
			return nil, "give a value to compare with"
		}
		if msg := LineProblem(s, MaxNameLength); msg != "" {
			return nil, msg
		}
		if op == OpEquals {
			if n, _, ok := toNumber(v); ok {
				if _, isStr := v.(string); !isStr {
					return n, ""
				}
			}
		}
		return s, ""
	case OpOneOf:
		var items []string
		switch x := v.(type) {
		case nil:
		case []string:
			items = x
		case []any:
			for _, e := range x {
				s, ok := scalarText(e)
				if !ok {
					return nil, "must be a list of texts or numbers"
				}
				items = append(items, s)
			}
		default:
			s, ok := scalarText(v)
			if !ok {
				return nil, "must be a list of texts or numbers"
			}
			items = []string{s}
		}
		var out []string
		for _, s := range items {
			s = strings.TrimSpace(s)
			if s == "" || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, s) }) {
				continue
			}
			if msg := LineProblem(s, MaxNameLength); msg != "" {
				return nil, prefixMust("entries", msg)
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil, "give at least one value"
		}
		if len(out) > MaxItemList {
			return nil, fmt.Sprintf("may hold at most %d values", MaxItemList)
		}
		return out, ""
	}
	return nil, "unknown operator"
}

// scalarText formats a string, number or bool as trimmed text.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return strings.TrimSpace(x), true
	case bool:
		if x {
			return "Yes", true
		}
		return "No", true
	}
	if n, _, ok := toNumber(v); ok {
		return formatNumber(n), true
	}
	return "", false
}

// ---- Rule evaluation ----

// Subject is a persona whose values rules read: the customer archetype, or
// one role (a UX persona or AI agent, through its variant for this customer
// when it has one).
type Subject struct {
	Ref        RoleRef
	Values     Values
	Dimensions Values
	// Definition gives labels for reasons (and kinds for list wording).
	Definition Definition
}

// RoleRef names a persona in a Launchpad: the archetype or one role.
type RoleRef struct {
	PersonaID   string      `json:"persona_id"`
	VariantID   string      `json:"variant_id,omitempty"`
	Name        string      `json:"name"`
	ProfileType ProfileType `json:"profile_type"`
	// Customer is the customer type of the variant ("Big Bank").
	Customer  string `json:"customer,omitempty"`
	RoleTitle string `json:"role_title,omitempty"`
}

// Label is how the role reads: "System Lead (Big Bank variant)".
func (r RoleRef) Label() string {
	if r.VariantID != "" && r.Customer != "" {
		return r.Name + " (" + r.Customer + " variant)"
	}
	return r.Name
}

// Matches reports whether a role spec (a persona name, role title or
// profile type, case-insensitive) names this role.
func (r RoleRef) Matches(spec string) bool {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return false
	}
	return strings.EqualFold(spec, r.Name) || (r.RoleTitle != "" && strings.EqualFold(spec, r.RoleTitle)) ||
		strings.EqualFold(spec, string(r.ProfileType))
}

// matchesByName is Matches without the profile-type form.
func (r RoleRef) matchesByName(spec string) bool {
	return strings.EqualFold(spec, r.Name) || (r.RoleTitle != "" && strings.EqualFold(spec, r.RoleTitle))
}

// Evaluation is the outcome of an item's rules for one subject.
type Evaluation struct {
	Applies bool
	// Baseline is true for an item without rules: part of every setup.
	Baseline bool
	Score    float64
	// Reasons explain the rules that held with a positive weight
	// ("Big Bank’s risk tolerance is 1 — at most 2 calls for approval workflows"); Against, those that did not
	// hold or held it back.
	Reasons []string
	Against []string
}

// lowerLabel lower-cases a label's first letter unless it starts an
// acronym ("Risk tolerance" → "risk tolerance", "CRM" stays).
func lowerLabel(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	if len(r) > 1 && unicode.IsUpper(r[1]) {
		return s
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func listOf(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		var out []string
		for _, e := range x {
			s, ok := scalarText(e)
			if ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}

func oneOfValues(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := scalarText(e); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := scalarText(v); ok && s != "" {
		return []string{s}
	}
	return nil
}

// sameScalar compares two scalars: numerically when both are numbers,
// otherwise as text ignoring case and surrounding space.
func sameScalar(a, b any) bool {
	na, _, okA := toNumber(a)
	nb, _, okB := toNumber(b)
	if okA && okB {
		return na == nb
	}
	sa, _ := scalarText(a)
	sb, _ := scalarText(b)
	return strings.EqualFold(sa, sb)
}

// describeValue shows a value in a reason: lists joined (at most five
// items), long texts shortened.
func describeValue(v any) string {
	if items, ok := listOf(v); ok {
		if len(items) > 5 {
			return strings.Join(items[:5], ", ") + " …"
		}
		return strings.Join(items, ", ")
	}
	s, _ := scalarText(v)
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:80]) + "…"
	}
	return s
}

// ---- Generation ----

// Phase is a rollout phase.
type Phase string

// Rollout phases, in order.
const (
	PhaseFoundation Phase = "foundation"
	PhasePilot      Phase = "pilot"
	PhaseScale      Phase = "scale"
)

// Phases lists the rollout phases in order.
var Phases = []Phase{PhaseFoundation, PhasePilot, PhaseScale}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool { return slices.Contains(Phases, p) }

func (p Phase) rank() int { return slices.Index(Phases, p) }

// Label is the phase's display name.
func (p Phase) Label() string {
	switch p {
	case PhaseFoundation:
		return "Foundation"
	case PhasePilot:
		return "Pilot"
	case PhaseScale:
		return "Scale"
	}
	return string(p)
}

// Goal is the phase's purpose in one sentence.
func (p Phase) Goal() string {
	switch p {
	case PhaseFoundation:
		return "Lay the groundwork every later module depends on."
	case PhasePilot:
		return "Prove the setup with one team through a full business cycle."
	case PhaseScale:
		return "Roll out to every team and role, and hand over to run."
	}
	return ""
}

// Origin says why an item is in a Launchpad.
type Origin string

// Origins.
const (
	OriginBaseline   Origin = "baseline"   // an item without rules: part of every setup
	OriginRule       Origin = "rule"       // its rules hold
	OriginDependency Origin = "dependency" // a module another pick depends on
	OriginManual     Origin = "manual"     // added by hand
)

// Label is the origin's display name.
func (o Origin) Label() string {
	switch o {
	case OriginBaseline:
		return "Every setup"
	case OriginRule:
		return "Recommended"
	case OriginDependency:
		return "Dependency"
	case OriginManual:
		return "Added by hand"
	}
	return string(o)
}

// Decision is an editor's verdict on a generated item.
type Decision string

// Decisions; an item without one is proposed.
const (
	DecisionAccepted Decision = "accepted"
	DecisionRejected Decision = "rejected"
)

// Valid reports whether d can be recorded.
func (d Decision) Valid() bool { return slices.Contains(Decisions, d) }

// Decisions are the decisions that can be recorded on an item.
var Decisions = []Decision{DecisionAccepted, DecisionRejected}

// Label is the decision's display name ("Proposed" when none).
func (d Decision) Label() string {
	switch d {
	case DecisionAccepted:
		return "Accepted"
	case DecisionRejected:
		return "Rejected"
	}
	return "Proposed"
}

// ModulePick is a module in a Launchpad.
type ModulePick struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	DependsOn   []string `json:"depends_on,omitempty"`
	EffortDays  float64  `json:"effort_days"`
	Phase       Phase    `json:"phase"`
	Owner       string   `json:"owner,omitempty" doc:"The owning role, as a role label when it names a role of this Launchpad"`
	DoneWhen    string   `json:"done_when,omitempty"`
	Origin      Origin   `json:"origin"`
	Score       float64  `json:"score"`
	Reasons     []string `json:"reasons"`
	Decision    Decision `json:"decision,omitempty"`
}

// Ref is the pick's reference ("module:<key>").
func (m ModulePick) Ref() string { return "module:" + m.Key }

// PackPick is a content pack in a Launchpad.
type PackPick struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Modules     []string `json:"modules,omitempty"`
	Serves      []string `json:"serves,omitempty" doc:"Labels of the roles of this Launchpad it serves"`
	Origin      Origin   `json:"origin"`
	Score       float64  `json:"score"`
	Reasons     []string `json:"reasons"`
	Decision    Decision `json:"decision,omitempty"`
}

// Ref is the pick's reference ("pack:<key>").
func (p PackPick) Ref() string { return "pack:" + p.Key }

// DashboardPick is a dashboard set up for one role.
type DashboardPick struct {
	Key         string   `json:"key" doc:"The dashboard template's key"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Widgets     []string `json:"widgets"`
	Role        RoleRef  `json:"role"`
	Origin      Origin   `json:"origin"`
	Score       float64  `json:"score"`
	Reasons     []string `json:"reasons"`
	Decision    Decision `json:"decision,omitempty"`
}

// Ref is the pick's reference ("dashboard:<key>:<persona ID>").
func (d DashboardPick) Ref() string { return DashboardRef(d.Key, d.Role.PersonaID) }

// DashboardRef is the reference of a dashboard for a role.
func DashboardRef(key, personaID string) string { return "dashboard:" + key + ":" + personaID }

// SkippedItem is a catalogue item that was not recommended, and why.
type SkippedItem struct {
	Kind ItemKind `json:"kind"`
	Key  string   `json:"key"`
	Name string   `json:"name"`
	Why  []string `json:"why"`
}

// Recommendation is what generation produces.
type Recommendation struct {
	Archetype         RoleRef         `json:"archetype"`
	Roles             []RoleRef       `json:"roles"`
	CatalogueRevision int             `json:"catalogue_revision"`
	Modules           []ModulePick    `json:"modules" doc:"In dependency order"`
	Packs             []PackPick      `json:"packs"`
	Dashboards        []DashboardPick `json:"dashboards" doc:"One per role with a fitting template, plus any added by hand"`
	// Gaps name roles no dashboard template fits.
	Gaps    []string      `json:"gaps,omitempty"`
	Skipped []SkippedItem `json:"skipped,omitempty"`
}

// GenerateInput is everything generation reads.
type GenerateInput struct {
	Archetype Subject
	Roles     []Subject
	Catalogue Catalogue
	// Extra are item references added by hand ("module:<key>",
	// "pack:<key>", "dashboard:<key>:<persona ID>"); references to items
	// no longer in the catalogue are ignored.
	Extra []string
}

// SortRoles orders roles for a Launchpad: UX personas, then AI agents,
// then anything else; by name, then ID within each.
func SortRoles(roles []Subject) {
	rank := func(t ProfileType) int {
		switch t {
		case ProfileUX:
			return 0
		case ProfileAgent:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(roles, func(a, b Subject) int {
		return cmp.Or(cmp.Compare(rank(a.Ref.ProfileType), rank(b.Ref.ProfileType)),
			strings.Compare(strings.ToLower(a.Ref.Name), strings.ToLower(b.Ref.Name)),
			strings.Compare(a.Ref.PersonaID, b.Ref.PersonaID))
	})
}

// Generate computes a Launchpad's recommendation. It is deterministic: the
// output depends only on the input, never on map order. It fails (invalid)
// when the catalogue's module dependencies form a cycle.
func Generate(in GenerateInput) (Recommendation, error) {
	cat := in.Catalogue
	roles := slices.Clone(in.Roles)
	SortRoles(roles)
	rec := Recommendation{Archetype: in.Archetype.Ref, CatalogueRevision: cat.Revision,
		Roles: []RoleRef{}, Modules: []ModulePick{}, Packs: []PackPick{}, Dashboards: []DashboardPick{}}
	for _, r := range roles {
		rec.Roles = append(rec.Roles, r.Ref)
	}
	extra := map[string]bool{}
	for _, ref := range in.Extra {
		extra[ref] = true
	}

	// 1. Modules whose rules hold (or that are part of every setup).
	type chosen struct {
		origin  Origin
		score   float64
		reasons []string
	}
	picked := map[string]*chosen{}
	for _, m := range cat.Modules {
		ev := EvaluateItemRules(m.Rules, m.MinScore, in.Archetype, ItemModule, m.Name)
		switch {
		case ev.Applies:
			origin := OriginRule
			if ev.Baseline {
				origin = OriginBaseline
			}
			picked[m.Key] = &chosen{origin: origin, score: ev.Score, reasons: ev.Reasons}
		case extra["module:"+m.Key]:
			picked[m.Key] = &chosen{origin: OriginManual, score: ev.Score, reasons: []string{"added by hand"}}
		default:
			rec.Skipped = append(rec.Skipped, SkippedItem{Kind: ItemModule, Key: m.Key, Name: m.Name, Why: ev.Against})
		}
	}

	// 2. Content packs; they bring the modules they need.
	needBy := map[string][]string{} // module → names of packs/modules needing it
	for _, p := range cat.Packs {
		ev := EvaluateItemRules(p.Rules, p.MinScore, in.Archetype, ItemPack, p.Name)
		pick := PackPick{Key: p.Key, Name: p.Name, Description: p.Description, Modules: slices.Clone(p.Modules),
			Score: ev.Score, Reasons: ev.Reasons}
		switch {
		case ev.Applies && ev.Baseline:
			pick.Origin = OriginBaseline
		case ev.Applies:
			pick.Origin = OriginRule
		case extra["pack:"+p.Key]:
			pick.Origin, pick.Reasons = OriginManual, []string{"added by hand"}
		default:
			rec.Skipped = append(rec.Skipped, SkippedItem{Kind: ItemPack, Key: p.Key, Name: p.Name, Why: ev.Against})
			continue
		}
		for _, spec := range p.Serves {
			for _, r := range rec.Roles {
				if r.Matches(spec) && !slices.Contains(pick.Serves, r.Label()) {
					pick.Serves = append(pick.Serves, r.Label())
				}
			}
		}
		if len(pick.Serves) > 0 {
			pick.Reasons = append(pick.Reasons, "serves "+strings.Join(pick.Serves, ", "))
		}
		for _, k := range p.Modules {
			needBy[k] = append(needBy[k], "content pack "+p.Name)
		}
		rec.Packs = append(rec.Packs, pick)
	}

	// 3. Dependencies: everything a picked module or pack needs, closed
	// transitively.
	byKey := map[string]Module{}
	for _, m := range cat.Modules {
		byKey[m.Key] = m
	}
	queue := []string{}
	for _, m := range cat.Modules {
		if picked[m.Key] != nil {
			queue = append(queue, m.Key)
		}
	}
	for _, p := range rec.Packs {
		for _, k := range p.Modules {
			if _, ok := byKey[k]; ok && picked[k] == nil {
				picked[k] = &chosen{origin: OriginDependency}
				queue = append(queue, k)
			}
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, d := range byKey[k].DependsOn {
			if _, ok := byKey[d]; !ok {
				continue
			}
			needBy[d] = append(needBy[d], byKey[k].Name)
			if picked[d] == nil {
				picked[d] = &chosen{origin: OriginDependency}
				queue = append(queue, d)
			}
		}
	}
	keys := map[string]bool{}
	for k := range picked {
		keys[k] = true
	}
	order, err := orderModules(cat.Modules, keys)
	if err != nil {
		return Recommendation{}, err
	}
	rec.Skipped = slices.DeleteFunc(rec.Skipped, func(s SkippedItem) bool { return s.Kind == ItemModule && keys[s.Key] })
	phase := map[string]Phase{}
	for _, k := range order {
		m := byKey[k]
		c := picked[k]
		reasons := slices.Clone(c.reasons)
		if names := uniqueSorted(needBy[k]); len(names) > 0 {
			reasons = append(reasons, "required by "+strings.Join(names, ", "))
		}
		p := m.Phase
		if p == "" {
			p = PhasePilot
			if len(m.Rules) == 0 {
				p = PhaseFoundation
			}
		}
		for _, d := range m.DependsOn {
			if dp, ok := phase[d]; ok && dp.rank() > p.rank() {
				p = dp
			}
		}
		phase[k] = p
		rec.Modules = append(rec.Modules, ModulePick{Key: m.Key, Name: m.Name, Description: m.Description,
			DependsOn: slices.Clone(m.DependsOn), EffortDays: m.EffortDays, Phase: p, Owner: ownerLabel(m.Owner, rec.Roles),
			DoneWhen: m.DoneWhen, Origin: c.origin, Score: c.score, Reasons: nonEmpty(reasons)})
	}

	// 4. One dashboard per role: the best-fitting template intended for it
	// whose modules are in the setup.
	for _, role := range roles {
		best, bestRank := -1, []float64{}
		var bestEv Evaluation
		var bestWhy string
		for i, d := range cat.Dashboards {
			named, generic := false, len(d.Roles) == 0
			for _, spec := range d.Roles {
				if role.Ref.matchesByName(spec) {
					named = true
				} else if role.Ref.Matches(spec) {
					generic = true
				}
			}
			if !named && !generic {
				continue
			}
			if slices.ContainsFunc(d.Modules, func(k string) bool { return !keys[k] }) {
				continue
			}
			ev := EvaluateRoleRules(d.Rules, d.MinScore, role, in.Archetype, d.Name)
			if !ev.Applies {
				continue
			}
			specific := 0.0
			if named {
				specific = 1
			}
			baseline := 1.0
			if ev.Baseline {
				baseline = 0
			}
			rank := []float64{specific, baseline, ev.Score, -float64(i)}
			if best < 0 || slices.Compare(rank, bestRank) > 0 {
				best, bestRank, bestEv = i, rank, ev
				switch {
				case named:
					bestWhy = "intended for " + role.Ref.Name
				case len(d.Roles) == 0:
					bestWhy = "fits any role"
				default:
					bestWhy = "intended for every " + lowerLabel(role.Ref.ProfileType.Label())
				}
			}
		}
		if best < 0 {
			rec.Gaps = append(rec.Gaps, "No dashboard template fits "+role.Ref.Label()+".")
			continue
		}
		d := cat.Dashboards[best]
		reasons := []string{bestWhy}
		if !bestEv.Baseline {
			reasons = append(reasons, bestEv.Reasons...)
		}
		if len(d.Modules) > 0 {
			var names []string
			for _, k := range d.Modules {
				names = append(names, byKey[k].Name)
			}
			reasons = append(reasons, "uses "+strings.Join(names, ", "))
		}
		origin := OriginRule
		if bestEv.Baseline {
			origin = OriginBaseline
		}
		rec.Dashboards = append(rec.Dashboards, DashboardPick{Key: d.Key, Name: d.Name, Description: d.Description,
			Widgets: slices.Clone(d.Widgets), Role: role.Ref, Origin: origin, Score: bestEv.Score, Reasons: reasons})
	}
	// Dashboards added by hand, in the order given.
	for _, ref := range in.Extra {
		key, personaID, ok := parseDashboardRef(ref)
		if !ok {
			continue
		}
		d, ok := cat.Dashboard(key)
		ri := slices.IndexFunc(rec.Roles, func(r RoleRef) bool { return r.PersonaID == personaID })
		if !ok || ri < 0 || slices.ContainsFunc(rec.Dashboards, func(p DashboardPick) bool { return p.Ref() == ref }) {
			continue
		}
		rec.Dashboards = append(rec.Dashboards, DashboardPick{Key: d.Key, Name: d.Name, Description: d.Description,
			Widgets: slices.Clone(d.Widgets), Role: rec.Roles[ri], Origin: OriginManual, Reasons: []string{"added by hand"}})
	}
	return rec, nil
}

func parseDashboardRef(ref string) (key, personaID string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "dashboard:")
	if !ok {
		return "", "", false
	}
	key, personaID, ok = strings.Cut(rest, ":")
	return key, personaID, ok && key != "" && personaID != ""
}

// ownerLabel shows an owner spec as the label of the role it names, if
// any.
func ownerLabel(spec string, roles []RoleRef) string {
	for _, r := range roles {
		if r.matchesByName(spec) {
			return r.Label()
		}
	}
	return spec
}

func uniqueSorted(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func nonEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// orderModules returns the keys in want in dependency order (a module after
// everything it depends on), ties broken by catalogue order. A cycle among
// them is an invalid-input error naming it.
func orderModules(all []Module, want map[string]bool) ([]string, error) {
	index := map[string]int{}
	for i, m := range all {
		index[m.Key] = i
	}
	pending := map[string]int{} // key → number of unmet dependencies
	dependents := map[string][]string{}
	for _, m := range all {
		if !want[m.Key] {
			continue
		}
		n := 0
		for _, d := range m.DependsOn {
			if want[d] {
				n++
				dependents[d] = append(dependents[d], m.Key)
			}
		}
		pending[m.Key] = n
	}
	var ready []string
	for _, m := range all {
		if want[m.Key] && pending[m.Key] == 0 {
			ready = append(ready, m.Key)
		}
	}
	var out []string
	for len(ready) > 0 {
		slices.SortFunc(ready, func(a, b string) int { return cmp.Compare(index[a], index[b]) })
		k := ready[0]
		ready = ready[1:]
		out = append(out, k)
		for _, d := range dependents[k] {
			pending[d]--
			if pending[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	if len(out) < len(pending) {
		return nil, Errorf(CodeInvalid, "module dependencies form a cycle: %s", strings.Join(findCycle(all, want, out), " → "))
	}
	return out, nil
}

// findCycle returns one dependency cycle among the modules not ordered,
// as keys with the first repeated at the end.
func findCycle(all []Module, want map[string]bool, ordered []string) []string {
	done := map[string]bool{}
	for _, k := range ordered {
		done[k] = true
	}
	deps := map[string][]string{}
	var start string
	for _, m := range all {
		if want[m.Key] && !done[m.Key] {
			if start == "" {
				start = m.Key
			}
			for _, d := range m.DependsOn {
				if want[d] && !done[d] {
					deps[m.Key] = append(deps[m.Key], d)
				}
			}
		}
	}
	// Every remaining module has a remaining dependency: walk until a
	// module repeats.
	path := []string{start}
	at := map[string]int{start: 0}
	for k := start; ; {
		next := deps[k][0]
		if i, ok := at[next]; ok {
			return append(path[i:], next)
		}
		at[next] = len(path)
		path = append(path, next)
		k = next
	}
}

// ---- Saved Launchpads ----

// PlanEdits are an editor's changes to the generated rollout plan.
type PlanEdits struct {
	// PhaseOf moves modules to another phase.
	PhaseOf map[string]Phase `json:"phase_of,omitempty"`
	// Phases replace a phase's exit criteria or owners (when not nil) and
	// add notes.
	Phases map[Phase]PhaseEdit `json:"phases,omitempty"`
}

// PhaseEdit changes one phase of the plan.
type PhaseEdit struct {
	ExitCriteria []string `json:"exit_criteria,omitempty"`
	Owners       []string `json:"owners,omitempty"`
	Notes        string   `json:"notes,omitempty"`
}

// LaunchpadContent is what a saved Launchpad stores and each revision
// records.
type LaunchpadContent struct {
	Name        string   `json:"name"`
	Notes       string   `json:"notes,omitempty"`
	ArchetypeID string   `json:"archetype_id"`
	VariantIDs  []string `json:"variant_ids,omitempty" doc:"Customer variants included as roles"`
	RoleIDs     []string `json:"role_ids,omitempty" doc:"Personas included as roles as they are (without a variant)"`
	// Recommendation is the generated result as of the last (re)generation.
	Recommendation Recommendation `json:"recommendation"`
	// Decisions record accepted and rejected items by reference.
	Decisions map[string]Decision `json:"decisions,omitempty"`
	// Added lists the references of items added by hand; regeneration
	// keeps them.
	Added []string  `json:"added,omitempty"`
	Plan  PlanEdits `json:"plan_edits,omitzero"`
}

// Launchpad is a saved, editable Launchpad.
type Launchpad struct {
	ID    string `json:"id"`
	OrgID string `json:"-"`
	LaunchpadContent
	Revision  int       `json:"revision"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// LaunchpadRevision is one saved state of a Launchpad.
type LaunchpadRevision struct {
	LaunchpadID string           `json:"launchpad_id"`
	OrgID       string           `json:"-"`
	Number      int              `json:"revision"`
	AuthorID    string           `json:"author_id"`
	CreatedAt   time.Time        `json:"created_at"`
	Message     string           `json:"message,omitempty"`
	Content     LaunchpadContent `json:"content"`
}

// Limits for saved Launchpads.
const (
	MaxLaunchpadNotes = 10000
	MaxExitCriteria   = 30
)

// Refs lists every item reference of the recommendation.
func (r Recommendation) Refs() []string {
	var out []string
	for _, m := range r.Modules {
		out = append(out, m.Ref())
	}
	for _, p := range r.Packs {
		out = append(out, p.Ref())
	}
	for _, d := range r.Dashboards {
		out = append(out, d.Ref())
	}
	return out
}

// ValidateLaunchpad checks c and normalises it in place: name and notes
// trimmed, decisions and plan edits only for items the recommendation has,
// and no module planned before a module it depends on.
func ValidateLaunchpad(c *LaunchpadContent) error {
	var errs []FieldError
	add := func(path, msg string) { errs = append(errs, FieldError{Field: path, Message: msg}) }
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		add("name", "is required")
	} else if msg := LineProblem(c.Name, MaxNameLength); msg != "" {
		add("name", msg)
	}
	c.Notes = CleanText(c.Notes)
	if msg := TextProblem(c.Notes, MaxLaunchpadNotes); msg != "" && c.Notes != "" {
		add("notes", msg)
	}
	if c.ArchetypeID == "" {
		add("archetype_id", "is required")
	}
	refs := c.Recommendation.Refs()
	for _, ref := range SortedKeys(c.Decisions) {
		d := c.Decisions[ref]
		switch {
		case d == "":
			delete(c.Decisions, ref)
		case !slices.Contains(refs, ref):
			add("decisions."+safePath(ref), "is not an item of this Launchpad")
		case !d.Valid():
			add("decisions."+safePath(ref), "must be accepted or rejected")
		}
	}
	if len(c.Decisions) == 0 {
		c.Decisions = nil
	}
	var added []string
	for _, ref := range c.Added {
		if !slices.Contains(added, ref) {
			added = append(added, ref)
		}
	}
	c.Added = added
	modules := map[string]ModulePick{}
	for _, m := range c.Recommendation.Modules {
		modules[m.Key] = m
	}
	for _, k := range SortedKeys(c.Plan.PhaseOf) {
		p := c.Plan.PhaseOf[k]
		switch {
		case p == "":
			delete(c.Plan.PhaseOf, k)
		case modules[k].Key == "":
			add("plan_edits.phase_of."+safePath(k), "is not a module of this Launchpad")
		case !p.Valid():
			add("plan_edits.phase_of."+k, "must be foundation, pilot or scale")
		case p == modules[k].Phase:
			delete(c.Plan.PhaseOf, k) // no change
		}
	}
	if len(c.Plan.PhaseOf) == 0 {
		c.Plan.PhaseOf = nil
	}
	phaseKeys := make([]string, 0, len(c.Plan.Phases))
	for p := range c.Plan.Phases {
		phaseKeys = append(phaseKeys, string(p))
	}
	slices.Sort(phaseKeys)
	for _, p := range phaseKeys {
		ph := Phase(p)
		e := c.Plan.Phases[ph]
		path := "plan_edits.phases." + safePath(p)
		if !ph.Valid() {
			add(path, "is not a phase (foundation, pilot, scale)")
			continue
		}
		if e.ExitCriteria != nil {
			e.ExitCriteria = cleanLines(add, path+".exit_criteria", e.ExitCriteria, MaxExitCriteria, 500)
		}
		if e.Owners != nil {
			e.Owners = cleanLines(add, path+".owners", e.Owners, MaxItemList, MaxNameLength)
		}
		e.Notes = CleanText(e.Notes)
		if msg := TextProblem(e.Notes, 5000); msg != "" && e.Notes != "" {
			add(path+".notes", msg)
		}
		if e.ExitCriteria == nil && e.Owners == nil && e.Notes == "" {
			delete(c.Plan.Phases, ph)
			continue
		}
		c.Plan.Phases[ph] = e
	}
	if len(c.Plan.Phases) == 0 {
		c.Plan.Phases = nil
	}
	if len(errs) == 0 {
		// Dependency order across phases, for the modules kept.
		kept := func(k string) bool { return c.Decisions["module:"+k] != DecisionRejected }
		phaseOf := func(m ModulePick) Phase {
			if p, ok := c.Plan.PhaseOf[m.Key]; ok {
				return p
			}
			return m.Phase
		}
		for _, m := range c.Recommendation.Modules {
			if !kept(m.Key) {
				continue
			}
			for _, d := range m.DependsOn {
				dm, ok := modules[d]
				if !ok || !kept(d) {
					continue
				}
				if phaseOf(dm).rank() > phaseOf(m).rank() {
					add("plan_edits.phase_of."+m.Key, fmt.Sprintf("%s is planned for %s but depends on %s, planned for %s; move them together",
						m.Name, phaseOf(m), dm.Name, phaseOf(dm)))
				}
			}
		}
	}
	return Invalid("invalid Launchpad", errs)
}

// cleanLines trims lines, drops blanks and checks the count and length.
func cleanLines(add func(string, string), path string, in []string, maxItems, maxLen int) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if msg := LineProblem(s, maxLen); msg != "" {
			add(path, prefixMust("entries", msg))
			continue
		}
		out = append(out, s)
	}
	if len(out) > maxItems {
		add(path, fmt.Sprintf("may hold at most %d entries", maxItems))
	}
	return out
}

// ---- Views: decisions applied, plan built ----

// LaunchpadView is a saved Launchpad as it reads: the recommendation with
// decisions applied and the rollout plan.
type LaunchpadView struct {
	Recommendation Recommendation `json:"recommendation"`
	Plan           Plan           `json:"plan"`
}

// View applies decisions to the recommendation and builds the plan.
func (c LaunchpadContent) View() LaunchpadView {
	rec := c.Recommendation
	rec.Modules = slices.Clone(rec.Modules)
	rec.Packs = slices.Clone(rec.Packs)
	rec.Dashboards = slices.Clone(rec.Dashboards)
	for i := range rec.Modules {
		rec.Modules[i].Decision = c.Decisions[rec.Modules[i].Ref()]
	}
	for i := range rec.Packs {
		rec.Packs[i].Decision = c.Decisions[rec.Packs[i].Ref()]
	}
	for i := range rec.Dashboards {
		rec.Dashboards[i].Decision = c.Decisions[rec.Dashboards[i].Ref()]
	}
	return LaunchpadView{Recommendation: rec, Plan: BuildPlan(rec, c.Plan)}
}

// Plan is a phased rollout plan.
type Plan struct {
	Phases      []PlanPhase `json:"phases"`
	EffortDays  float64     `json:"effort_days"`
	Warnings    []string    `json:"warnings,omitempty"`
	Unscheduled []string    `json:"unscheduled,omitempty" doc:"Names of rejected modules, left out of the plan"`
}

// PlanPhase is one phase of a rollout plan.
type PlanPhase struct {
	Phase        Phase        `json:"phase"`
	Name         string       `json:"name"`
	Goal         string       `json:"goal"`
	Modules      []PlanModule `json:"modules" doc:"In dependency order"`
	EffortDays   float64      `json:"effort_days"`
	Owners       []string     `json:"owners"`
	ExitCriteria []string     `json:"exit_criteria"`
	Notes        string       `json:"notes,omitempty"`
	// Edited is true when an editor changed the exit criteria or owners.
	Edited bool `json:"edited,omitempty"`
}

// PlanModule is a module in a plan phase.
type PlanModule struct {
	Key        string  `json:"key"`
	Name       string  `json:"name"`
	EffortDays float64 `json:"effort_days"`
	Owner      string  `json:"owner,omitempty"`
	Moved      bool    `json:"moved,omitempty" doc:"Moved here by an editor"`
}

// BuildPlan lays the recommendation's kept (not rejected) modules out in
// phases, in dependency order, with effort summed per phase, owners from
// the modules' owning roles, and exit criteria (defaults plus each module's
// "done when"), then applies the editor's changes. Packs and dashboards go
// live in the pilot (dashboards for every role at scale).
func BuildPlan(rec Recommendation, edits PlanEdits) Plan {
	plan := Plan{Phases: []PlanPhase{}}
	rejected := map[string]bool{}
	for _, m := range rec.Modules {
		if m.Decision == DecisionRejected {
			rejected[m.Key] = true
		}
	}
	phaseOf := map[string]Phase{}
	for _, m := range rec.Modules {
		p := m.Phase
		if q, ok := edits.PhaseOf[m.Key]; ok && q.Valid() {
			p = q
		}
		phaseOf[m.Key] = p
	}
	names := map[string]string{}
	for _, m := range rec.Modules {
		names[m.Key] = m.Name
	}
	for _, m := range rec.Modules {
		if rejected[m.Key] {
			plan.Unscheduled = append(plan.Unscheduled, m.Name)
			continue
		}
		for _, d := range m.DependsOn {
			switch {
			case rejected[d]:
				plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s depends on %s, which is rejected.", m.Name, names[d]))
			case names[d] != "" && phaseOf[d].rank() > phaseOf[m.Key].rank():
				plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s is planned before %s, which it depends on.", m.Name, names[d]))
			}
		}
	}
	for _, ph := range Phases {
		pp := PlanPhase{Phase: ph, Name: ph.Label(), Goal: ph.Goal(), Modules: []PlanModule{}, Owners: []string{}, ExitCriteria: []string{}}
		var done []string
		for _, m := range rec.Modules {
			if rejected[m.Key] || phaseOf[m.Key] != ph {
				continue
			}
			_, moved := edits.PhaseOf[m.Key]
			pp.Modules = append(pp.Modules, PlanModule{Key: m.Key, Name: m.Name, EffortDays: m.EffortDays, Owner: m.Owner, Moved: moved && m.Phase != ph})
			pp.EffortDays += m.EffortDays
			if m.Owner != "" && !slices.Contains(pp.Owners, m.Owner) {
				pp.Owners = append(pp.Owners, m.Owner)
			}
			if m.DoneWhen != "" {
				done = append(done, m.Name+": "+m.DoneWhen)
			}
		}
		pp.EffortDays = math.Round(pp.EffortDays*100) / 100
		pp.ExitCriteria = append(defaultExitCriteria(ph, rec, len(pp.Modules)), done...)
		if e, ok := edits.Phases[ph]; ok {
			if e.ExitCriteria != nil {
				pp.ExitCriteria, pp.Edited = slices.Clone(e.ExitCriteria), true
			}
			if e.Owners != nil {
				pp.Owners, pp.Edited = slices.Clone(e.Owners), true
			}
			pp.Notes = e.Notes
		}
		plan.EffortDays += pp.EffortDays
		plan.Phases = append(plan.Phases, pp)
	}
	plan.EffortDays = math.Round(plan.EffortDays*100) / 100
	return plan
}

func defaultExitCriteria(ph Phase, rec Recommendation, modules int) []string {
	kept := func(d Decision) bool { return d != DecisionRejected }
	switch ph {
	case PhaseFoundation:
		if modules == 0 {
			return []string{"Nothing to install: the pilot can start straight away."}
		}
		return []string{"Every foundation module is live in production and signed off by its owner."}
	case PhasePilot:
		out := []string{"One pilot team has worked in the setup through a full business cycle."}
		var packs []string
		for _, p := range rec.Packs {
			if kept(p.Decision) {
				packs = append(packs, p.Name)
			}
		}
		if len(packs) > 0 {
			out = append(out, "Content packs in use by the pilot team: "+strings.Join(packs, ", ")+".")
		}
		return out
	case PhaseScale:
		var roles []string
		for _, d := range rec.Dashboards {
			if kept(d.Decision) && !slices.Contains(roles, d.Role.Label()) {
				roles = append(roles, d.Role.Label())
			}
		}
		out := []string{"Every team works in the setup; the pilot's open issues are closed."}
		if len(roles) > 0 {
			out = append(out, "Each role uses its dashboard: "+strings.Join(roles, ", ")+".")
		}
		return out
	}
	return nil
}

// ---- Diff ----

// ItemChange is one difference between two recommendations.
type ItemChange struct {
	Kind    string   `json:"kind" doc:"module, pack, dashboard or role"`
	Ref     string   `json:"ref"`
	Name    string   `json:"name"`
	Change  string   `json:"change" doc:"added, removed or changed"`
	Details []string `json:"details" doc:"What changed, e.g. the reasons before and after"`
}

// LaunchpadDiff lists what changed between two recommendations, and the
// plan's effort per phase before and after.
type LaunchpadDiff struct {
	Changes []ItemChange  `json:"changes"`
	Phases  []PhaseChange `json:"phases"`
}

// PhaseChange compares one phase's effort and module count.
type PhaseChange struct {
	Phase        Phase   `json:"phase"`
	EffortBefore float64 `json:"effort_before"`
	EffortAfter  float64 `json:"effort_after"`
	ModulesDelta int     `json:"modules_delta"`
}

// Empty reports whether nothing changed.
func (d LaunchpadDiff) Empty() bool {
	if len(d.Changes) > 0 {
		return false
	}
	for _, p := range d.Phases {
		if p.EffortBefore != p.EffortAfter || p.ModulesDelta != 0 {
			return false
		}
	}
	return true
}

// Count returns the number of items added, removed and changed.
func (d LaunchpadDiff) Count() (added, removed, changed int) {
	for _, c := range d.Changes {
		switch c.Change {
		case ChangeAdded:
			added++
		case ChangeRemoved:
			removed++
		case ChangeChanged:
			changed++
		}
	}
	return
}

// DiffLaunchpads compares two Launchpads (before, after): roles, modules,
// packs and dashboards added, removed or changed, in the after order
// (removed ones in the before order, after the others), and effort per
// phase of their plans.
func DiffLaunchpads(before, after LaunchpadView) LaunchpadDiff {
	a, b := before.Recommendation, after.Recommendation
	d := LaunchpadDiff{Changes: []ItemChange{}, Phases: []PhaseChange{}}

	type item struct {
		ref, name string
		reasons   []string
		facts     []string // "label: value" lines compared one by one
	}
	diffItems := func(kind string, xs, ys []item) {
		old := map[string]item{}
		for _, x := range xs {
			old[x.ref] = x
		}
		seen := map[string]bool{}
		for _, y := range ys {
			seen[y.ref] = true
			x, ok := old[y.ref]
			if !ok {
				d.Changes = append(d.Changes, ItemChange{Kind: kind, Ref: y.ref, Name: y.name, Change: ChangeAdded,
					Details: append(slices.Clone(y.reasons), y.facts...)})
				continue
			}
			var details []string
			for _, r := range x.reasons {
				if !slices.Contains(y.reasons, r) {
					details = append(details, "no longer: "+r)
				}
			}
			for _, r := range y.reasons {
				if !slices.Contains(x.reasons, r) {
					details = append(details, "now: "+r)
				}
			}
			for i := range max(len(x.facts), len(y.facts)) {
				var fx, fy string
				if i < len(x.facts) {
					fx = x.facts[i]
				}
				if i < len(y.facts) {
					fy = y.facts[i]
				}
				if fx != fy {
					details = append(details, changeText(fx, fy))
				}
			}
			if len(details) > 0 {
				d.Changes = append(d.Changes, ItemChange{Kind: kind, Ref: y.ref, Name: y.name, Change: ChangeChanged, Details: details})
			}
		}
		for _, x := range xs {
			if !seen[x.ref] {
				var details []string
				for _, r := range x.reasons {
					details = append(details, "was there: "+r)
				}
				d.Changes = append(d.Changes, ItemChange{Kind: kind, Ref: x.ref, Name: x.name, Change: ChangeRemoved, Details: append(details, x.facts...)})
			}
		}
	}
	roleItems := func(r Recommendation) []item {
		var out []item
		for _, x := range r.Roles {
			out = append(out, item{ref: "role:" + x.PersonaID + ":" + x.VariantID, name: x.Label()})
		}
		return out
	}
	moduleItems := func(r Recommendation) []item {
		var out []item
		for _, m := range r.Modules {
			out = append(out, item{ref: m.Ref(), name: m.Name, reasons: m.Reasons, facts: []string{
				"phase: " + string(m.Phase),
				"effort: " + formatNumber(m.EffortDays) + " days",
			}})
		}
		return out
	}
	packItems := func(r Recommendation) []item {
		var out []item
		for _, p := range r.Packs {
			out = append(out, item{ref: p.Ref(), name: p.Name, reasons: p.Reasons})
		}
		return out
	}
	dashItems := func(r Recommendation) []item {
		var out []item
		for _, x := range r.Dashboards {
			out = append(out, item{ref: x.Ref(), name: x.Name + " for " + x.Role.Label(), reasons: x.Reasons})
		}
		return out
	}
	diffItems("role", roleItems(a), roleItems(b))
	diffItems("module", moduleItems(a), moduleItems(b))
	diffItems("pack", packItems(a), packItems(b))
	diffItems("dashboard", dashItems(a), dashItems(b))
	for i, ph := range Phases {
		var pc PhaseChange
		pc.Phase = ph
		if i < len(before.Plan.Phases) {
			pc.EffortBefore = before.Plan.Phases[i].EffortDays
			pc.ModulesDelta -= len(before.Plan.Phases[i].Modules)
		}
		if i < len(after.Plan.Phases) {
			pc.EffortAfter = after.Plan.Phases[i].EffortDays
			pc.ModulesDelta += len(after.Plan.Phases[i].Modules)
		}
		d.Phases = append(d.Phases, pc)
	}
	return d
}

// changeText describes a changed fact: "phase: pilot → foundation", or
// "why: before → after".
func changeText(before, after string) string {
	label, x, _ := strings.Cut(before, ": ")
	l2, y, _ := strings.Cut(after, ": ")
	if label == "" {
		label = l2
	}
	if x == "" {
		x = "—"
	}
	if y == "" {
		y = "—"
	}
	return label + ": " + x + " → " + y
}

// ---- Regeneration ----

// Regenerated merges a fresh recommendation into saved content: the new
// recommendation replaces the old, decisions and plan edits are kept for
// items that are still there, and items added by hand stay added.
func (c LaunchpadContent) Regenerated(fresh Recommendation) LaunchpadContent {
	out := c
	out.Recommendation = fresh
	refs := fresh.Refs()
	out.Decisions = nil
	for _, ref := range SortedKeys(c.Decisions) {
		if slices.Contains(refs, ref) {
			if out.Decisions == nil {
				out.Decisions = map[string]Decision{}
			}
			out.Decisions[ref] = c.Decisions[ref]
		}
	}
	out.Added = nil
	for _, ref := range c.Added {
		if slices.Contains(refs, ref) {
			out.Added = append(out.Added, ref)
		}
	}
	out.Plan = PlanEdits{}
	modules := map[string]ModulePick{}
	for _, m := range fresh.Modules {
		modules[m.Key] = m
	}
	for _, k := range SortedKeys(c.Plan.PhaseOf) {
		if m, ok := modules[k]; ok && m.Phase != c.Plan.PhaseOf[k] {
			if out.Plan.PhaseOf == nil {
				out.Plan.PhaseOf = map[string]Phase{}
			}
			out.Plan.PhaseOf[k] = c.Plan.PhaseOf[k]
		}
	}
	for p, e := range c.Plan.Phases {
		if out.Plan.Phases == nil {
			out.Plan.Phases = map[Phase]PhaseEdit{}
		}
		out.Plan.Phases[p] = e
	}
	// A kept move may now break dependency order; drop moves that do.
	for range len(out.Plan.PhaseOf) + 1 {
		if err := ValidateLaunchpad(&out); err == nil {
			break
		} else if e, ok := AsError(err); ok {
			dropped := false
			for _, f := range e.Fields {
				if k, ok := strings.CutPrefix(f.Field, "plan_edits.phase_of."); ok {
					delete(out.Plan.PhaseOf, k)
					dropped = true
				}
			}
			if !dropped {
				break
			}
		}
	}
	return out
}

// ---- Markdown ----

// LaunchpadMarkdown renders a Launchpad as a Markdown document.
func LaunchpadMarkdown(name, notes string, v LaunchpadView) string {
	var b strings.Builder
	rec := v.Recommendation
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("# %s", mdText(name))
	line("")
	line("Launchpad for the customer archetype **%s**.", mdText(rec.Archetype.Name))
	if len(rec.Roles) > 0 {
		var roles []string
		for _, r := range rec.Roles {
			roles = append(roles, mdText(r.Label()))
		}
		line("Roles: %s.", strings.Join(roles, ", "))
	}
	if notes != "" {
		line("")
		line("%s", PublishableMarkdown(notes, 1))
	}
	status := func(d Decision) string {
		if d == "" {
			return ""
		}
		return " — *" + strings.ToLower(d.Label()) + "*"
	}
	line("")
	line("## Modules")
	line("")
	if len(rec.Modules) == 0 {
		line("No modules.")
	}
	for _, m := range rec.Modules {
		line("- **%s** (%s days, %s)%s", mdText(m.Name), formatNumber(m.EffortDays), m.Phase, status(m.Decision))
		for _, r := range m.Reasons {
			line("  - %s", mdText(r))
		}
	}
	line("")
	line("## Content packs")
	line("")
	if len(rec.Packs) == 0 {
		line("No content packs.")
	}
	for _, p := range rec.Packs {
		line("- **%s**%s", mdText(p.Name), status(p.Decision))
		for _, r := range p.Reasons {
			line("  - %s", mdText(r))
		}
	}
	line("")
	line("## Dashboards")
	line("")
	if len(rec.Dashboards) == 0 {
		line("No dashboards.")
	}
	for _, d := range rec.Dashboards {
		line("- **%s** for %s%s", mdText(d.Name), mdText(d.Role.Label()), status(d.Decision))
		if len(d.Widgets) > 0 {
			line("  - Widgets: %s", mdText(strings.Join(d.Widgets, ", ")))
		}
		for _, r := range d.Reasons {
			line("  - %s", mdText(r))
		}
	}
	for _, g := range rec.Gaps {
		line("- %s", mdText(g))
	}
	line("")
	line("## Rollout plan")
	line("")
	line("Total effort: %s person-days.", formatNumber(v.Plan.EffortDays))
	for _, ph := range v.Plan.Phases {
		line("")
		line("### %s — %s person-days", ph.Name, formatNumber(ph.EffortDays))
		line("")
		line("%s", ph.Goal)
		line("")
		if len(ph.Modules) == 0 {
			line("- No modules in this phase.")
		}
		for i, m := range ph.Modules {
			owner := ""
			if m.Owner != "" {
				owner = ", owner " + mdText(m.Owner)
			}
			line("%d. %s (%s days%s)", i+1, mdText(m.Name), formatNumber(m.EffortDays), owner)
		}
		if len(ph.Owners) > 0 {
			line("")
			line("Owners: %s.", mdText(strings.Join(ph.Owners, ", ")))
		}
		line("")
		line("Exit criteria:")
		line("")
		for _, e := range ph.ExitCriteria {
			line("- [ ] %s", mdText(e))
		}
		if ph.Notes != "" {
			line("")
			line("%s", PublishableMarkdown(ph.Notes, 3))
		}
	}
	for _, w := range v.Plan.Warnings {
		line("")
		line("> Warning: %s", mdText(w))
	}
	return b.String()
}

// mdText keeps user text from turning into Markdown structure, HTML or an
// entity: one line, escaped as the other exports escape it.
func mdText(s string) string { return EscapeMarkdown(s) }

// FormatDays shows an effort in person-days: "12.5".
func FormatDays(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ---- Adding by hand ----

// AddToRecommendation adds a catalogue item to a saved recommendation by
// reference ("module:<key>", "pack:<key>", "dashboard:<key>:<persona ID>")
// without regenerating the rest: a module brings the modules it depends on
// that are missing, a pack the modules it needs; modules are re-ordered by
// dependency. It fails (invalid) for an unknown item or role, and
// (conflict) for an item that is already there.
func AddToRecommendation(rec Recommendation, cat Catalogue, ref string) (Recommendation, error) {
	bad := func(msg string) error {
		return Invalid("cannot add this item", []FieldError{{Field: "ref", Message: msg}})
	}
	if slices.Contains(rec.Refs(), ref) {
		return rec, Errorf(CodeConflict, "%s is already in this Launchpad", ref)
	}
	out := rec
	out.Modules = slices.Clone(rec.Modules)
	out.Packs = slices.Clone(rec.Packs)
	out.Dashboards = slices.Clone(rec.Dashboards)
	have := map[string]bool{}
	for _, m := range out.Modules {
		have[m.Key] = true
	}
	byKey := map[string]Module{}
	for _, m := range cat.Modules {
		byKey[m.Key] = m
	}
	// addModule adds a module and, recursively, what it depends on.
	var addModule func(key string, origin Origin, reason string)
	addModule = func(key string, origin Origin, reason string) {
		m, ok := byKey[key]
		if !ok {
			return
		}
		if have[key] {
			return
		}
		have[key] = true
		out.Modules = append(out.Modules, ModulePick{Key: m.Key, Name: m.Name, Description: m.Description,
			DependsOn: slices.Clone(m.DependsOn), EffortDays: m.EffortDays, Owner: ownerLabel(m.Owner, rec.Roles),
			DoneWhen: m.DoneWhen, Origin: origin, Reasons: []string{reason}})
		for _, d := range m.DependsOn {
			addModule(d, OriginDependency, "required by "+m.Name)
		}
	}
	kind, rest, _ := strings.Cut(ref, ":")
	switch kind {
	case "module":
		if _, ok := byKey[rest]; !ok {
			return rec, bad(fmt.Sprintf("no module %q in the catalogue", rest))
		}
		addModule(rest, OriginManual, "added by hand")
	case "pack":
		p, ok := cat.Pack(rest)
		if !ok {
			return rec, bad(fmt.Sprintf("no content pack %q in the catalogue", rest))
		}
		pick := PackPick{Key: p.Key, Name: p.Name, Description: p.Description, Modules: slices.Clone(p.Modules), Origin: OriginManual, Reasons: []string{"added by hand"}}
		for _, spec := range p.Serves {
			for _, r := range rec.Roles {
				if r.Matches(spec) && !slices.Contains(pick.Serves, r.Label()) {
					pick.Serves = append(pick.Serves, r.Label())
				}
			}
		}
		out.Packs = append(out.Packs, pick)
		for _, k := range p.Modules {
			addModule(k, OriginDependency, "required by content pack "+p.Name)
		}
	case "dashboard":
		key, personaID, ok := parseDashboardRef(ref)
		if !ok {
			return rec, bad("a dashboard is added as dashboard:<key>:<persona ID>")
		}
		d, ok := cat.Dashboard(key)
		if !ok {
			return rec, bad(fmt.Sprintf("no dashboard template %q in the catalogue", key))
		}
		ri := slices.IndexFunc(rec.Roles, func(r RoleRef) bool { return r.PersonaID == personaID })
		if ri < 0 {
			return rec, bad("that persona is not a role of this Launchpad")
		}
		out.Dashboards = append(out.Dashboards, DashboardPick{Key: d.Key, Name: d.Name, Description: d.Description,
			Widgets: slices.Clone(d.Widgets), Role: rec.Roles[ri], Origin: OriginManual, Reasons: []string{"added by hand"}})
		return out, nil
	default:
		return rec, bad("must start with module:, pack: or dashboard:")
	}
	// Re-order: modules still in the catalogue by dependency; any the
	// catalogue no longer has keep their place at the front.
	inCat := map[string]bool{}
	var gone []ModulePick
	picks := map[string]ModulePick{}
	for _, m := range out.Modules {
		picks[m.Key] = m
		if _, ok := byKey[m.Key]; ok {
			inCat[m.Key] = true
		} else {
			gone = append(gone, m)
		}
	}
	order, err := orderModules(cat.Modules, inCat)
	if err != nil {
		return rec, err
	}
	out.Modules = gone
	phase := map[string]Phase{}
	for _, m := range gone {
		phase[m.Key] = m.Phase
	}
	for _, k := range order {
		m := picks[k]
		if m.Phase == "" { // new: its declared phase, never before its dependencies
			p := byKey[k].Phase
			if p == "" {
				p = PhasePilot
			}
			for _, d := range m.DependsOn {
				if dp, ok := phase[d]; ok && dp.rank() > p.rank() {
					p = dp
				}
			}
			m.Phase = p
		}
		phase[k] = m.Phase
		out.Modules = append(out.Modules, m)
	}
	refreshRequiredBy(out.Modules, out.Packs)
	return out, nil
}

// refreshRequiredBy rewrites each module's "required by …" reason from the
// modules and packs that now need it.
func refreshRequiredBy(modules []ModulePick, packs []PackPick) {
	needBy := map[string][]string{}
	for _, m := range modules {
		for _, d := range m.DependsOn {
			needBy[d] = append(needBy[d], m.Name)
		}
	}
	for _, p := range packs {
		for _, k := range p.Modules {
			needBy[k] = append(needBy[k], "content pack "+p.Name)
		}
	}
	for i := range modules {
		reasons := slices.DeleteFunc(slices.Clone(modules[i].Reasons), func(r string) bool { return strings.HasPrefix(r, "required by ") })
		if names := uniqueSorted(needBy[modules[i].Key]); len(names) > 0 {
			reasons = append(reasons, "required by "+strings.Join(names, ", "))
		}
		modules[i].Reasons = nonEmpty(reasons)
	}
}
