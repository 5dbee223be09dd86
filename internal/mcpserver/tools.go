package mcpserver

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Tools. Each takes an optional org (the session's organisation when
// omitted) and answers with structured content and, where it reads better,
// Markdown text. Bad input and anything not found come back as tool
// errors (IsError) with a plain message; not found reads the same whether
// the object does not exist or is another organisation's.

const orgDoc = "organisation slug; optional when the session has one (personapal mcp --org, or /mcp?org=) or you belong to only one"

func (s *session) addTools(srv *mcp.Server) {
	ro := &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)}
	mcp.AddTool(srv, &mcp.Tool{Name: "list_organisations", Title: "List organisations", Annotations: ro,
		Description: "The organisations you belong to, with your role in each: their slugs are the org argument of the other tools."}, s.listOrgs)
	mcp.AddTool(srv, &mcp.Tool{Name: "search_personas", Title: "Search personas", Annotations: ro,
		Description: "Full-text search over personas' names, summaries and field values, optionally of one profile type (ux, marketing, archetype, agent) or group. Without a query it lists the personas that match the filters."}, s.searchPersonas)
	mcp.AddTool(srv, &mcp.Tool{Name: "get_persona", Title: "Get a persona", Annotations: ro,
		Description: "One persona: its sections and fields (labelled for its profile type), dimensions and customer types, as JSON and as Markdown. With customer_type, the persona as it is for that customer: its variant's overrides applied."}, s.getPersona)
	mcp.AddTool(srv, &mcp.Tool{Name: "compare_personas", Title: "Compare personas", Annotations: ro,
		Description: "Compare 2 to 8 personas side by side: the fields whose values differ, section by section, and every shared dimension's values."}, s.comparePersonas)
	mcp.AddTool(srv, &mcp.Tool{Name: "alignment_gaps", Title: "Alignment gaps", Annotations: ro,
		Description: "Where a buyer (marketing/sales) persona's promise and the experience of the personas it reaches diverge: contradicted and unaddressed claims, and dimensions whose values are far apart."}, s.alignmentGaps)
	mcp.AddTool(srv, &mcp.Tool{Name: "evidence_for", Title: "Evidence for a persona", Annotations: ro,
		Description: "The evidence behind a persona, or one of its fields: each field's claim (its value), whether evidence backs or contradicts it, and the citations (title, kind, stance, excerpt, page, source)."}, s.evidenceFor)
	mcp.AddTool(srv, &mcp.Tool{Name: "list_launchpads", Title: "List Launchpads", Annotations: ro,
		Description: "Saved Launchpads (a customer archetype's onboarding: roles, modules, content packs, dashboards), newest first, optionally for one archetype."}, s.listLaunchpads)
	mcp.AddTool(srv, &mcp.Tool{Name: "propose_change", Title: "Propose a change",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: new(false), OpenWorldHint: new(false)},
		Description: "Propose a change to a persona: a change proposal that a person accepts or declines in Persona Pal. It never changes the persona itself. Name only the fields you change. Needs a read-write API token."}, s.proposeChange)
	s.addAgentTools(srv)
}

// personaRef is a persona as listings show it.
type personaRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ProfileType string `json:"profile_type"`
	Status      string `json:"status,omitempty"`
	Group       string `json:"group,omitempty" jsonschema:"the group's name"`
	Summary     string `json:"summary,omitempty"`
	URI         string `json:"uri" jsonschema:"the persona's Markdown resource"`
}

func ref(org string, p persona.Persona, groups map[string]string) personaRef {
	return personaRef{ID: p.ID, Name: p.Name, ProfileType: string(p.ProfileType), Status: string(p.Status),
		Group: groups[p.GroupID], Summary: p.Summary, URI: resourceURI(org, kindPersonas, p.ID)}
}

// ---- list_organisations ----

type listOrgsIn struct{}

type orgOut struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type listOrgsOut struct {
	Organisations []orgOut `json:"organisations"`
	Default       string   `json:"default,omitempty" jsonschema:"the session's organisation, used when a tool is given no org"`
}

func (s *session) listOrgs(ctx context.Context, _ *mcp.CallToolRequest, _ listOrgsIn) (*mcp.CallToolResult, listOrgsOut, error) {
	ms, err := s.svc.ListMyOrgs(ctx, s.actor)
	if err != nil {
		return nil, listOrgsOut{}, s.toolError(ctx, err)
	}
	out := listOrgsOut{Organisations: []orgOut{}, Default: s.org}
	for _, m := range ms {
		out.Organisations = append(out.Organisations, orgOut{Slug: m.Org.Slug, Name: m.Org.Name, Role: string(m.Role)})
	}
	return nil, out, nil
}

// ---- search_personas ----

type searchIn struct {
	Org         string `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	Query       string `json:"query,omitempty" jsonschema:"words to find in names, summaries and field values; empty lists the personas that match the filters"`
	ProfileType string `json:"profile_type,omitempty" jsonschema:"only this profile type: ux, marketing, archetype or agent"`
	Group       string `json:"group,omitempty" jsonschema:"only this group: its ID or name"`
	Limit       int    `json:"limit,omitempty" jsonschema:"at most this many results, 1 to 100 (default 20)"`
}

type searchHit struct {
	personaRef
	Snippet string `json:"snippet,omitempty" jsonschema:"where the query matched, matched words in **bold**"`
}

type searchOut struct {
	Results []searchHit `json:"results"`
}

func (s *session) searchPersonas(ctx context.Context, _ *mcp.CallToolRequest, in searchIn) (*mcp.CallToolResult, searchOut, error) {
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return nil, searchOut{}, s.toolError(ctx, err)
	}
	if in.Limit < 0 || in.Limit > 100 {
		return nil, searchOut{}, s.toolError(ctx, invalid("limit", "must be between 1 and 100"))
	}
	if in.Limit == 0 {
		in.Limit = 20
	}
	pt := persona.ProfileType(strings.ToLower(strings.TrimSpace(in.ProfileType)))
	if pt != "" && !pt.Valid() {
		return nil, searchOut{}, s.toolError(ctx, invalid("profile_type", "must be one of: ux, marketing, archetype, agent"))
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return nil, searchOut{}, s.toolError(ctx, err)
	}
	groupID := ""
	if g := strings.TrimSpace(in.Group); g != "" {
		for id, name := range groups {
			if id == g || strings.EqualFold(name, g) {
				groupID = id
			}
		}
		if groupID == "" {
			return nil, searchOut{}, s.toolError(ctx, invalid("group", "no group with this ID or name in the organisation"))
		}
	}
	out := searchOut{Results: []searchHit{}}
	if strings.TrimSpace(in.Query) == "" {
		page, err := s.svc.ListPersonas(ctx, s.actor, org, persona.PersonaFilter{ProfileType: pt, GroupID: groupID, Limit: in.Limit}, "")
		if err != nil {
			return nil, searchOut{}, s.toolError(ctx, err)
		}
		for _, p := range page.Items {
			out.Results = append(out.Results, searchHit{personaRef: ref(org, p, groups)})
		}
		return nil, out, nil
	}
	hits, err := s.svc.Search(ctx, s.actor, org, persona.SearchQuery{Text: in.Query, ProfileType: pt, GroupID: groupID, Limit: in.Limit})
	if err != nil {
		return nil, searchOut{}, s.toolError(ctx, err)
	}
	bold := strings.NewReplacer(persona.SnippetOpen, "**", persona.SnippetClose, "**")
	for _, h := range hits {
		out.Results = append(out.Results, searchHit{
			personaRef: personaRef{ID: h.PersonaID, Name: h.Name, ProfileType: string(h.ProfileType), Status: string(h.Status),
				Group: groups[h.GroupID], URI: resourceURI(org, kindPersonas, h.PersonaID)},
			Snippet: bold.Replace(h.Snippet)})
	}
	return nil, out, nil
}

func (s *session) groupNames(ctx context.Context, org string) (map[string]string, error) {
	gs, err := s.svc.ListGroups(ctx, s.actor, org)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(gs))
	for _, g := range gs {
		out[g.ID] = g.Name
	}
	return out, nil
}

// ---- get_persona ----

type getIn struct {
	Org          string `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	ID           string `json:"id" jsonschema:"the persona's ID"`
	CustomerType string `json:"customer_type,omitempty" jsonschema:"a customer type: a customer archetype's ID or name, or a variant's customer label; returns the persona as it is for that customer"`
}

type fieldOut struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
	Value any    `json:"value,omitempty"`
}

type sectionOut struct {
	Label  string     `json:"label" jsonschema:"the section's label for the persona's profile type"`
	Fields []fieldOut `json:"fields"`
}

type dimensionOut struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value any    `json:"value,omitempty"`
	Range string `json:"range,omitempty" jsonschema:"a scale's bounds and their labels, or a choice's options"`
}

type variantOut struct {
	ID           string   `json:"id"`
	CustomerType string   `json:"customer_type"`
	Note         string   `json:"note,omitempty" jsonschema:"what changes for this customer"`
	Overridden   []string `json:"overridden" jsonschema:"the paths the variant overrides (values.<key>, dimensions.<key>)"`
}

type personaOut struct {
	personaRef
	Template        string         `json:"template"`
	TemplateVersion int            `json:"template_version"`
	Revision        int            `json:"revision" jsonschema:"the revision; give it to propose_change as base_revision"`
	UpdatedAt       string         `json:"updated_at"`
	Sections        []sectionOut   `json:"sections"`
	Dimensions      []dimensionOut `json:"dimensions"`
	CustomerTypes   []string       `json:"customer_types" jsonschema:"the customer types the persona has variants for"`
	Variant         *variantOut    `json:"variant,omitempty" jsonschema:"the variant applied (with customer_type)"`
}

func (s *session) getPersona(ctx context.Context, _ *mcp.CallToolRequest, in getIn) (*mcp.CallToolResult, personaOut, error) {
	fail := func(err error) (*mcp.CallToolResult, personaOut, error) {
		return nil, personaOut{}, s.toolError(ctx, err)
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(in.ID) == "" {
		return fail(invalid("id", "is required"))
	}
	p, err := s.svc.GetPersona(ctx, s.actor, org, in.ID)
	if err != nil {
		return fail(err)
	}
	variants, err := s.svc.ListVariants(ctx, s.actor, org, p.ID)
	if err != nil {
		return fail(err)
	}
	out := personaOut{CustomerTypes: []string{}}
	var applied *app.VariantDetail
	for i, v := range variants {
		out.CustomerTypes = append(out.CustomerTypes, v.CustomerName())
		if ct := strings.TrimSpace(in.CustomerType); ct != "" && applied == nil &&
			(v.Variant.CustomerID == ct || strings.EqualFold(v.CustomerName(), ct) || strings.EqualFold(v.Variant.CustomerLabel, ct)) {
			applied = &variants[i]
		}
	}
	if strings.TrimSpace(in.CustomerType) != "" && applied == nil {
		msg := "this persona has no variant for that customer type"
		if len(out.CustomerTypes) > 0 {
			msg += "; it has variants for: " + strings.Join(out.CustomerTypes, ", ")
		}
		return fail(invalid("customer_type", msg))
	}
	shown := p
	if applied != nil {
		shown.Content = applied.Effective
		out.Variant = &variantOut{ID: applied.Variant.ID, CustomerType: applied.CustomerName(), Note: applied.Variant.Note,
			Overridden: nonNil(applied.Variant.OverridePaths())}
	}
	ver, err := s.svc.PersonaDefinition(ctx, s.actor, org, p)
	if err != nil {
		return fail(err)
	}
	tmpl, err := s.svc.GetTemplate(ctx, s.actor, org, p.TemplateID)
	if err != nil {
		return fail(err)
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return fail(err)
	}
	out.personaRef = ref(org, shown, groups)
	out.Template, out.TemplateVersion, out.Revision = tmpl.Name, p.TemplateVersion, p.Revision
	out.UpdatedAt = p.UpdatedAt.UTC().Format(time.RFC3339)
	out.Sections, out.Dimensions = contentOut(ver.Definition, shown)
	md, err := s.personaMarkdown(ctx, org, shown, applied)
	if err != nil {
		return fail(err)
	}
	return textResult(md), out, nil
}

// contentOut lays a persona's values out by its definition.
func contentOut(def persona.Definition, p persona.Persona) ([]sectionOut, []dimensionOut) {
	secs := []sectionOut{}
	for _, sec := range def.Sections {
		so := sectionOut{Label: sec.LabelFor(p.ProfileType), Fields: []fieldOut{}}
		for _, f := range sec.Fields {
			so.Fields = append(so.Fields, fieldOut{Key: f.Key, Label: f.Label, Kind: string(f.Kind), Value: p.Values[f.Key]})
		}
		secs = append(secs, so)
	}
	dims := []dimensionOut{}
	for _, d := range def.Dimensions {
		dims = append(dims, dimensionOut{Key: d.Key, Label: d.Label, Value: p.Dimensions[d.Key], Range: dimensionRange(d)})
	}
	return secs, dims
}

func dimensionRange(d persona.Dimension) string {
	if d.Kind == persona.DimensionChoice {
		return strings.Join(d.Options, " / ")
	}
	r := itoa(d.Min) + "–" + itoa(d.Max)
	if d.LowLabel != "" || d.HighLabel != "" {
		r += " (" + d.LowLabel + " → " + d.HighLabel + ")"
	}
	return r
}

// ---- compare_personas ----

type compareIn struct {
	Org string   `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	IDs []string `json:"ids" jsonschema:"2 to 8 persona IDs"`
}

type compareRow struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Values []any  `json:"values" jsonschema:"one value per persona, in the order of personas (null: not filled in, or not in its template)"`
}

type compareSection struct {
	Label string       `json:"label"`
	Rows  []compareRow `json:"rows" jsonschema:"the fields whose values differ"`
}

type compareDimension struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Range   string `json:"range,omitempty"`
	Differs bool   `json:"differs"`
	Values  []any  `json:"values" jsonschema:"one value per persona, in the order of personas"`
}

type compareOut struct {
	Personas   []personaRef       `json:"personas"`
	Sections   []compareSection   `json:"sections" jsonschema:"the sections with fields that differ"`
	SameFields int                `json:"same_fields" jsonschema:"how many compared fields hold no different values"`
	Dimensions []compareDimension `json:"dimensions" jsonschema:"the dimensions at least two of the personas share"`
}

func (s *session) comparePersonas(ctx context.Context, _ *mcp.CallToolRequest, in compareIn) (*mcp.CallToolResult, compareOut, error) {
	fail := func(err error) (*mcp.CallToolResult, compareOut, error) {
		return nil, compareOut{}, s.toolError(ctx, err)
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	var ids []string
	for _, id := range in.IDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) < persona.MinCompare || len(ids) > persona.MaxCompare {
		return fail(invalid("ids", "give between "+itoa(persona.MinCompare)+" and "+itoa(persona.MaxCompare)+" different persona IDs, not "+itoa(len(ids))))
	}
	ps, err := s.svc.GetPersonas(ctx, s.actor, org, ids)
	if err != nil {
		return fail(err)
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return fail(err)
	}
	ts, err := s.svc.ListTemplates(ctx, s.actor, org)
	if err != nil {
		return fail(err)
	}
	templateNames := map[string]string{}
	for _, t := range ts {
		templateNames[t.ID] = t.Name
	}
	out := compareOut{Personas: []personaRef{}, Sections: []compareSection{}, Dimensions: []compareDimension{}}
	var cin []persona.CompareInput
	var md []persona.MarkdownCompared
	for _, p := range ps {
		ver, err := s.svc.PersonaDefinition(ctx, s.actor, org, p)
		if err != nil {
			return fail(err)
		}
		ci := persona.CompareInput{Persona: p, Definition: ver.Definition}
		cin = append(cin, ci)
		md = append(md, persona.MarkdownCompared{CompareInput: ci, TemplateName: templateNames[p.TemplateID]})
		out.Personas = append(out.Personas, ref(org, p, groups))
	}
	cmp, err := persona.Compare(cin)
	if err != nil {
		return fail(err)
	}
	for _, sec := range cmp.Sections {
		cs := compareSection{Label: sec.Label, Rows: []compareRow{}}
		for _, row := range sec.Rows {
			if !row.Differs {
				out.SameFields++
				continue
			}
			vals := make([]any, len(row.Cells))
			for i, c := range row.Cells {
				if c.Has {
					vals[i] = c.Value
				}
			}
			cs.Rows = append(cs.Rows, compareRow{Key: row.Key, Label: row.Label, Values: vals})
		}
		if len(cs.Rows) > 0 {
			out.Sections = append(out.Sections, cs)
		}
	}
	for _, d := range cmp.Dimensions {
		vals := make([]any, len(d.Cells))
		for i, c := range d.Cells {
			if c.Set() {
				vals[i] = c.Value
			}
		}
		first := persona.Dimension{Kind: d.Kind, Min: d.Min, Max: d.Max, LowLabel: d.LowLabel, HighLabel: d.HighLabel}
		if d.Kind == persona.DimensionChoice && len(d.Cells) > 0 {
			first.Options = d.Cells[0].Dimension.Options
		}
		out.Dimensions = append(out.Dimensions, compareDimension{Key: d.Key, Label: d.Label, Range: dimensionRange(first),
			Differs: d.Differs, Values: vals})
	}
	text, err := persona.ComparisonMarkdown(md, time.Time{})
	if err != nil {
		return fail(err)
	}
	return textResult(text), out, nil
}

// ---- alignment_gaps ----

type alignIn struct {
	Org          string `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	ID           string `json:"id" jsonschema:"a marketing/sales (buyer) persona's ID"`
	CustomerType string `json:"customer_type,omitempty" jsonschema:"a customer archetype's ID or name: personas with a variant for it are compared as that variant"`
}

type claimOut struct {
	Field string   `json:"field"`
	Label string   `json:"label"`
	Claim string   `json:"claim"`
	Why   []string `json:"why,omitempty" jsonschema:"for a contradicted claim: the user's field (and item) that contradicts it, with the note"`
}

type divergenceOut struct {
	Key       string  `json:"key"`
	Label     string  `json:"label"`
	Buyer     float64 `json:"buyer"`
	User      float64 `json:"user"`
	Gap       float64 `json:"gap"`
	Threshold float64 `json:"threshold"`
}

type alignedOut struct {
	Persona      personaRef      `json:"persona"`
	Variant      string          `json:"variant,omitempty" jsonschema:"the customer variant compared, when there is one"`
	Tally        persona.Tally   `json:"tally"`
	Contradicted []claimOut      `json:"contradicted"`
	Unaddressed  []claimOut      `json:"unaddressed"`
	Divergences  []divergenceOut `json:"divergences" jsonschema:"dimensions where the gap reaches the threshold, largest first"`
}

type alignOut struct {
	Buyer        personaRef    `json:"buyer"`
	CustomerType string        `json:"customer_type,omitempty"`
	Points       float64       `json:"divergence_points" jsonschema:"the divergence threshold, in points on a 1-5 scale"`
	Claims       int           `json:"claims" jsonschema:"how many claims the buyer makes"`
	Tally        persona.Tally `json:"tally" jsonschema:"over every persona the buyer reaches"`
	Reaches      []alignedOut  `json:"reaches" jsonschema:"the personas the buyer's promise reaches"`
}

func (s *session) alignmentGaps(ctx context.Context, _ *mcp.CallToolRequest, in alignIn) (*mcp.CallToolResult, alignOut, error) {
	fail := func(err error) (*mcp.CallToolResult, alignOut, error) { return nil, alignOut{}, s.toolError(ctx, err) }
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(in.ID) == "" {
		return fail(invalid("id", "is required"))
	}
	customerID := ""
	if ct := strings.TrimSpace(in.CustomerType); ct != "" {
		if customerID, err = s.archetypeID(ctx, org, ct); err != nil {
			return fail(err)
		}
	}
	a, err := s.svc.AlignmentOf(ctx, s.actor, org, strings.TrimSpace(in.ID), customerID)
	if err != nil {
		return fail(err)
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return fail(err)
	}
	out := alignOut{Buyer: ref(org, a.Buyer, groups), Points: a.Points, Claims: len(a.Claims), Tally: a.Tally, Reaches: []alignedOut{}}
	if a.Customer.ID != "" {
		out.CustomerType = a.Customer.Name
	}
	for _, u := range a.Users {
		au := alignedOut{Persona: ref(org, u.User, groups), Tally: u.Tally, Contradicted: []claimOut{}, Unaddressed: []claimOut{},
			Divergences: []divergenceOut{}}
		if u.Variant != nil {
			au.Variant = out.CustomerType
		}
		labels := map[string]string{}
		for _, sec := range u.Definition.Sections {
			for _, f := range sec.Fields {
				labels[f.Key] = f.Label
			}
		}
		for _, v := range u.Verdicts {
			c := claimOut{Field: v.Claim.Field, Label: v.Claim.Label, Claim: v.Claim.Text}
			switch v.Verdict {
			case persona.VerdictContradicted:
				for _, m := range v.Mappings {
					if m.Verdict != persona.VerdictContradicted {
						continue
					}
					why := cmpOr(labels[m.UserField], m.UserField)
					if m.UserItem != "" {
						why += ": " + m.UserItem
					}
					if m.Note != "" {
						why += " (" + oneLine(m.Note) + ")"
					}
					c.Why = append(c.Why, why)
				}
				au.Contradicted = append(au.Contradicted, c)
			case persona.VerdictUnaddressed:
				au.Unaddressed = append(au.Unaddressed, c)
			}
		}
		for _, d := range u.Divergences {
			if d.Diverges {
				au.Divergences = append(au.Divergences, divergenceOut{Key: d.Key, Label: d.Label, Buyer: d.Buyer, User: d.User,
					Gap: d.Gap, Threshold: d.Threshold})
			}
		}
		out.Reaches = append(out.Reaches, au)
	}
	return nil, out, nil
}

// archetypeID finds a customer archetype of org by ID or name.
func (s *session) archetypeID(ctx context.Context, org, idOrName string) (string, error) {
	ps, err := s.allPersonas(ctx, org, persona.PersonaFilter{ProfileType: persona.ProfileArchetype})
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if p.ID == idOrName || strings.EqualFold(p.Name, idOrName) {
			return p.ID, nil
		}
	}
	return "", invalid("customer_type", "no customer archetype with this ID or name in the organisation")
}

// ---- evidence_for ----

type evidenceIn struct {
	Org   string `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	ID    string `json:"id" jsonschema:"the persona's ID"`
	Field string `json:"field,omitempty" jsonschema:"only this field: its key or label"`
}

type citationOut struct {
	EvidenceID  string `json:"evidence_id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	Stance      string `json:"stance" jsonschema:"supports or contradicts"`
	Excerpt     string `json:"excerpt,omitempty"`
	Page        string `json:"page,omitempty"`
	Source      string `json:"source,omitempty"`
	URL         string `json:"url,omitempty"`
	CollectedOn string `json:"collected_on,omitempty"`
	Variant     string `json:"variant,omitempty" jsonschema:"the customer variant the citation is about, if any"`
}

type claimEvidenceOut struct {
	Key       string        `json:"key"`
	Label     string        `json:"label"`
	Section   string        `json:"section"`
	Value     any           `json:"value,omitempty" jsonschema:"the claim: the field's value"`
	State     string        `json:"state" jsonschema:"backed, contradicted, contested, assumption or empty"`
	Citations []citationOut `json:"citations"`
}

type evidenceOut struct {
	Persona          personaRef              `json:"persona"`
	Coverage         persona.CoverageSummary `json:"coverage"`
	PersonaCitations []citationOut           `json:"persona_citations" jsonschema:"evidence about the persona as a whole"`
	Claims           []claimEvidenceOut      `json:"claims"`
}

func (s *session) evidenceFor(ctx context.Context, _ *mcp.CallToolRequest, in evidenceIn) (*mcp.CallToolResult, evidenceOut, error) {
	fail := func(err error) (*mcp.CallToolResult, evidenceOut, error) {
		return nil, evidenceOut{}, s.toolError(ctx, err)
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(in.ID) == "" {
		return fail(invalid("id", "is required"))
	}
	ev, err := s.svc.PersonaEvidence(ctx, s.actor, org, strings.TrimSpace(in.ID))
	if err != nil {
		return fail(err)
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return fail(err)
	}
	field := strings.TrimSpace(in.Field)
	if field != "" {
		found := false
		for _, f := range ev.Coverage.Fields {
			if f.Key == field || strings.EqualFold(f.Label, field) {
				field, found = f.Key, true
				break
			}
		}
		if !found {
			return fail(invalid("field", "the persona's template has no field with this key or label"))
		}
	}
	items := map[string]persona.Evidence{}
	cite := func(l persona.EvidenceLink, variant string) (citationOut, error) {
		e, ok := items[l.EvidenceID]
		if !ok {
			d, err := s.svc.GetEvidence(ctx, s.actor, org, l.EvidenceID)
			if err != nil {
				return citationOut{}, err
			}
			e = d.Evidence
			items[l.EvidenceID] = e
		}
		return citationOut{EvidenceID: l.EvidenceID, Title: l.EvidenceTitle, Kind: string(l.EvidenceKind), Stance: string(l.Stance),
			Excerpt: l.Excerpt, Page: l.Page, Source: e.Source, URL: e.URL, CollectedOn: e.CollectedOn, Variant: variant}, nil
	}
	out := evidenceOut{Persona: ref(org, ev.Persona, groups), Coverage: ev.Coverage.CoverageSummary,
		PersonaCitations: []citationOut{}, Claims: []claimEvidenceOut{}}
	byField := map[string][]citationOut{}
	add := func(links []persona.EvidenceLink, variant string) error {
		for _, l := range links {
			c, err := cite(l, variant)
			if err != nil {
				return err
			}
			if k := l.FieldKey(); k != "" {
				byField[k] = append(byField[k], c)
			} else if field == "" {
				out.PersonaCitations = append(out.PersonaCitations, c)
			}
		}
		return nil
	}
	if err := add(ev.Links, ""); err != nil {
		return fail(err)
	}
	for _, v := range ev.Variants {
		if err := add(v.Links, v.Detail.CustomerName()); err != nil {
			return fail(err)
		}
	}
	for _, f := range ev.Coverage.Fields {
		if field != "" && f.Key != field {
			continue
		}
		cs := byField[f.Key]
		if field == "" && !f.Filled && len(cs) == 0 {
			continue // nothing claimed, nothing cited
		}
		out.Claims = append(out.Claims, claimEvidenceOut{Key: f.Key, Label: f.Label, Section: f.Section,
			Value: ev.Persona.Values[f.Key], State: string(f.State), Citations: nonNil(cs)})
	}
	return nil, out, nil
}

// ---- list_launchpads ----

type launchpadsIn struct {
	Org       string `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	Archetype string `json:"archetype,omitempty" jsonschema:"only Launchpads for this customer archetype: its ID or name"`
}

type launchpadOut struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Archetype  string   `json:"archetype" jsonschema:"the customer archetype's name"`
	Roles      []string `json:"roles"`
	Modules    []string `json:"modules" jsonschema:"recommended modules, in dependency order"`
	Packs      []string `json:"content_packs"`
	Dashboards []string `json:"dashboards"`
	Notes      string   `json:"notes,omitempty"`
	Revision   int      `json:"revision"`
	UpdatedAt  string   `json:"updated_at"`
}

type launchpadsOut struct {
	Launchpads []launchpadOut `json:"launchpads"`
}

func (s *session) listLaunchpads(ctx context.Context, _ *mcp.CallToolRequest, in launchpadsIn) (*mcp.CallToolResult, launchpadsOut, error) {
	fail := func(err error) (*mcp.CallToolResult, launchpadsOut, error) {
		return nil, launchpadsOut{}, s.toolError(ctx, err)
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	archetype := ""
	if a := strings.TrimSpace(in.Archetype); a != "" {
		if archetype, err = s.archetypeID(ctx, org, a); err != nil {
			return fail(err)
		}
	}
	lps, err := s.svc.ListLaunchpads(ctx, s.actor, org, archetype)
	if err != nil {
		return fail(err)
	}
	out := launchpadsOut{Launchpads: []launchpadOut{}}
	for _, l := range lps {
		r := l.Recommendation
		lo := launchpadOut{ID: l.ID, Name: l.Name, Archetype: r.Archetype.Name, Notes: l.Notes, Revision: l.Revision,
			UpdatedAt: l.UpdatedAt.UTC().Format(time.RFC3339), Roles: []string{}, Modules: []string{}, Packs: []string{}, Dashboards: []string{}}
		for _, x := range r.Roles {
			lo.Roles = append(lo.Roles, x.Label())
		}
		for _, x := range r.Modules {
			lo.Modules = append(lo.Modules, x.Name)
		}
		for _, x := range r.Packs {
			lo.Packs = append(lo.Packs, x.Name)
		}
		for _, x := range r.Dashboards {
			lo.Dashboards = append(lo.Dashboards, x.Name)
		}
		out.Launchpads = append(out.Launchpads, lo)
	}
	return nil, out, nil
}

// ---- propose_change ----

type proposeIn struct {
	Org          string         `json:"org,omitempty" jsonschema:"organisation slug; optional when the session has one"`
	ID           string         `json:"id" jsonschema:"the persona's ID"`
	Message      string         `json:"message" jsonschema:"why the change: the person who decides reads it"`
	Values       map[string]any `json:"values,omitempty" jsonschema:"field key → proposed value (lists as arrays of strings, null clears); fields not named keep their value"`
	Dimensions   map[string]any `json:"dimensions,omitempty" jsonschema:"dimension key → proposed value"`
	Name         string         `json:"name,omitempty" jsonschema:"a new name"`
	Summary      *string        `json:"summary,omitempty" jsonschema:"a new summary"`
	BaseRevision int            `json:"base_revision,omitempty" jsonschema:"the revision you read (get_persona's revision); the current one when omitted"`
}

type proposeOut struct {
	ProposalID   string     `json:"proposal_id"`
	Status       string     `json:"status"`
	Persona      personaRef `json:"persona"`
	BaseRevision int        `json:"base_revision"`
	Page         string     `json:"page" jsonschema:"the proposal's page in Persona Pal, relative to its address"`
	Note         string     `json:"note"`
}

func (s *session) proposeChange(ctx context.Context, _ *mcp.CallToolRequest, in proposeIn) (*mcp.CallToolResult, proposeOut, error) {
	fail := func(err error) (*mcp.CallToolResult, proposeOut, error) {
		return nil, proposeOut{}, s.toolError(ctx, err)
	}
	if s.actor.ReadOnly {
		return fail(persona.Errorf(persona.CodeForbidden, "this API token is read-only: it can read but not propose changes; use a read-write token"))
	}
	org, err := s.orgOf(ctx, in.Org)
	if err != nil {
		return fail(err)
	}
	if strings.TrimSpace(in.ID) == "" {
		return fail(invalid("id", "is required"))
	}
	if strings.TrimSpace(in.Message) == "" {
		return fail(invalid("message", "is required: say why the change"))
	}
	if len(in.Values) == 0 && len(in.Dimensions) == 0 && in.Name == "" && in.Summary == nil {
		return fail(invalid("values", "name at least one field, dimension, name or summary to change"))
	}
	cur, err := s.svc.GetPersona(ctx, s.actor, org, strings.TrimSpace(in.ID))
	if err != nil {
		return fail(err)
	}
	values, dims := maps.Clone(cur.Values), maps.Clone(cur.Dimensions)
	if values == nil {
		values = persona.Values{}
	}
	if dims == nil {
		dims = persona.Values{}
	}
	for k, v := range in.Values {
		if v == nil {
			delete(values, k)
		} else {
			values[k] = v
		}
	}
	for k, v := range in.Dimensions {
		if v == nil {
			delete(dims, k)
		} else {
			dims[k] = v
		}
	}
	pin := app.PersonaInput{Name: cur.Name, Summary: cur.Summary, GroupID: cur.GroupID, Status: cur.Status, OwnerID: cur.OwnerID,
		Values: values, Dimensions: dims, LastReviewedOn: cur.LastReviewedOn, ReviewIntervalDays: cur.ReviewIntervalDays}
	if n := strings.TrimSpace(in.Name); n != "" {
		pin.Name = n
	}
	if in.Summary != nil {
		pin.Summary = *in.Summary
	}
	pr, err := s.svc.CreateProposal(ctx, s.actor, org, cur.ID, app.ProposalInput{Persona: pin, BaseRevision: in.BaseRevision, Message: in.Message})
	if err != nil {
		return fail(err)
	}
	groups, err := s.groupNames(ctx, org)
	if err != nil {
		return fail(err)
	}
	return nil, proposeOut{ProposalID: pr.ID, Status: string(pr.Status), Persona: ref(org, cur, groups), BaseRevision: pr.BaseRevision,
		Page: app.ProposalPath(org, pr.ID),
		Note: "Proposed, not applied: the persona's owner (or an editor) accepts or declines it in Persona Pal."}, nil
}

// ---- helpers ----

func textResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
