package persona

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// An organisation export is a self-contained document of everything an
// organisation holds in Persona Pal, for backups, moves between servers
// and version control. Importing it into a new organisation and exporting
// again gives the same document, apart from the export's own timestamp
// (ExportedAt). IDs are kept: they are unique within an organisation only,
// so the same IDs can live in several organisations.

// ExportFormat names the document type; ExportDocVersion its version.
const (
	ExportFormat     = "personapal/org-export"
	ExportDocVersion = 1
)

// OrgExport is a whole organisation.
type OrgExport struct {
	Format           string           `json:"format" yaml:"format"`
	Version          int              `json:"version" yaml:"version"`
	ExportedAt       time.Time        `json:"exported_at" yaml:"exported_at"`
	Org              ExportOrgInfo    `json:"organisation" yaml:"organisation"`
	DivergencePoints float64          `json:"divergence_points" yaml:"divergence_points"`
	Groups           []ExportGroup    `json:"groups" yaml:"groups"`
	Templates        []ExportTemplate `json:"templates" yaml:"templates"`
	Personas         []ExportPersona  `json:"personas" yaml:"personas"`
	Notes            []ExportNote     `json:"notes" yaml:"notes" doc:"Notes on the organisation itself"`
	Evidence         []ExportEvidence `json:"evidence" yaml:"evidence"`
	Alignment        ExportAlignment  `json:"alignment" yaml:"alignment"`
	// Catalogue is the product catalogue Launchpads are generated from
	// (absent when the organisation has none); Launchpads the saved ones.
	Catalogue  *Catalogue        `json:"catalogue,omitempty" yaml:"catalogue,omitempty"`
	Launchpads []ExportLaunchpad `json:"launchpads" yaml:"launchpads"`
}

// ExportLaunchpad is a saved Launchpad's current content.
type ExportLaunchpad struct {
	ID string `json:"id" yaml:"id"`
	LaunchpadContent
}

// ExportEvidence is an evidence item with its file (documents, base64 in
// JSON) and its links.
type ExportEvidence struct {
	ID           string               `json:"id" yaml:"id"`
	Kind         EvidenceKind         `json:"kind" yaml:"kind"`
	Title        string               `json:"title" yaml:"title"`
	Source       string               `json:"source,omitempty" yaml:"source,omitempty"`
	CollectedOn  string               `json:"collected_on,omitempty" yaml:"collected_on,omitempty"`
	Tags         []string             `json:"tags,omitempty" yaml:"tags,omitempty"`
	Summary      string               `json:"summary,omitempty" yaml:"summary,omitempty"`
	URL          string               `json:"url,omitempty" yaml:"url,omitempty"`
	Quote        string               `json:"quote,omitempty" yaml:"quote,omitempty"`
	Speaker      string               `json:"speaker,omitempty" yaml:"speaker,omitempty"`
	Method       StudyMethod          `json:"method,omitempty" yaml:"method,omitempty"`
	Participants int                  `json:"participants,omitempty" yaml:"participants,omitempty"`
	File         *ExportFile          `json:"file,omitempty" yaml:"file,omitempty"`
	Links        []ExportEvidenceLink `json:"links,omitempty" yaml:"links,omitempty"`
}

// ExportFile is a document's file.
type ExportFile struct {
	Name        string `json:"name" yaml:"name"`
	ContentType string `json:"content_type" yaml:"content_type"`
	Data        []byte `json:"data" yaml:"data"`
}

// ExportEvidenceLink attaches an item to a persona, one of its fields or a
// variant's field.
type ExportEvidenceLink struct {
	ID        string `json:"id" yaml:"id"`
	PersonaID string `json:"persona_id" yaml:"persona_id"`
	VariantID string `json:"variant_id,omitempty" yaml:"variant_id,omitempty"`
	Field     string `json:"field,omitempty" yaml:"field,omitempty"`
	Stance    Stance `json:"stance" yaml:"stance"`
	Excerpt   string `json:"excerpt,omitempty" yaml:"excerpt,omitempty"`
	Page      string `json:"page,omitempty" yaml:"page,omitempty"`
}

// ExportOrgInfo names the organisation.
type ExportOrgInfo struct {
	Name string `json:"name" yaml:"name"`
	Slug string `json:"slug" yaml:"slug"`
}

// ExportGroup is a persona group with its notes.
type ExportGroup struct {
	ID          string       `json:"id" yaml:"id"`
	Name        string       `json:"name" yaml:"name"`
	Description string       `json:"description,omitempty" yaml:"description,omitempty"`
	Notes       []ExportNote `json:"notes,omitempty" yaml:"notes,omitempty"`
}

// ExportTemplate is a template with its draft and every published version.
type ExportTemplate struct {
	ID          string          `json:"id" yaml:"id"`
	Name        string          `json:"name" yaml:"name"`
	ProfileType ProfileType     `json:"profile_type" yaml:"profile_type"`
	Description string          `json:"description,omitempty" yaml:"description,omitempty"`
	Draft       Definition      `json:"draft" yaml:"draft"`
	Versions    []ExportVersion `json:"versions" yaml:"versions"`
}

// ExportVersion is one published template version.
type ExportVersion struct {
	Version     int        `json:"version" yaml:"version"`
	PublishedAt time.Time  `json:"published_at" yaml:"published_at"`
	Definition  Definition `json:"definition" yaml:"definition"`
}

// ExportPersona is a persona's current content with its variants and notes.
// The owner is named by email (user IDs differ between servers).
type ExportPersona struct {
	ID                 string          `json:"id" yaml:"id"`
	TemplateID         string          `json:"template_id" yaml:"template_id"`
	TemplateVersion    int             `json:"template_version" yaml:"template_version"`
	GroupID            string          `json:"group_id,omitempty" yaml:"group_id,omitempty"`
	Name               string          `json:"name" yaml:"name"`
	Summary            string          `json:"summary,omitempty" yaml:"summary,omitempty"`
	Status             Status          `json:"status" yaml:"status"`
	OwnerEmail         string          `json:"owner_email,omitempty" yaml:"owner_email,omitempty"`
	Values             Values          `json:"values" yaml:"values"`
	Dimensions         Values          `json:"dimensions" yaml:"dimensions"`
	Retired            Values          `json:"retired,omitempty" yaml:"retired,omitempty"`
	LastReviewedOn     string          `json:"last_reviewed_on,omitempty" yaml:"last_reviewed_on,omitempty"`
	ReviewIntervalDays int             `json:"review_interval_days,omitempty" yaml:"review_interval_days,omitempty"`
	Variants           []ExportVariant `json:"variants,omitempty" yaml:"variants,omitempty"`
	Notes              []ExportNote    `json:"notes,omitempty" yaml:"notes,omitempty"`
	// Photo is the persona's photo, the largest size stored (a square
	// JPEG; base64 in JSON). An import checks and re-encodes it like an
	// upload.
	Photo []byte `json:"photo,omitempty" yaml:"photo,omitempty"`
	// Images are the pictures of its image fields (and its variants'),
	// by image ID: the largest size stored (base64 in JSON).
	Images map[string][]byte `json:"images,omitempty" yaml:"images,omitempty"`
	// WorkLinks are the external work items attached to the persona.
	WorkLinks []ExportWorkLink `json:"work_links,omitempty" yaml:"work_links,omitempty"`
	// ExternalID is the ID another tool gave the persona, recorded by an
	// import (docs/imports.md): a later import in update mode finds it.
	ExternalID string `json:"external_id,omitempty" yaml:"external_id,omitempty"`
}

// ExportWorkLink is a work link of a persona (who added it by email).
type ExportWorkLink struct {
	ID           string    `json:"id" yaml:"id"`
	URL          string    `json:"url" yaml:"url"`
	Title        string    `json:"title" yaml:"title"`
	Kind         WorkKind  `json:"kind" yaml:"kind"`
	CreatedAt    time.Time `json:"created_at" yaml:"created_at"`
	CreatedEmail string    `json:"created_by_email,omitempty" yaml:"created_by_email,omitempty"`
}

// ExportVariant is a customer variant with its notes.
type ExportVariant struct {
	ID             string            `json:"id" yaml:"id"`
	CustomerID     string            `json:"customer_id,omitempty" yaml:"customer_id,omitempty"`
	CustomerLabel  string            `json:"customer_label,omitempty" yaml:"customer_label,omitempty"`
	Note           string            `json:"note,omitempty" yaml:"note,omitempty"`
	Values         Values            `json:"values" yaml:"values"`
	Dimensions     Values            `json:"dimensions" yaml:"dimensions"`
	FieldNotes     map[string]string `json:"field_notes,omitempty" yaml:"field_notes,omitempty"`
	BaseAtOverride Values            `json:"base_at_override,omitempty" yaml:"base_at_override,omitempty"`
	Notes          []ExportNote      `json:"notes,omitempty" yaml:"notes,omitempty"`
}

// ExportNote is a note; its author is named by email.
type ExportNote struct {
	ID          string    `json:"id" yaml:"id"`
	Body        string    `json:"body" yaml:"body"`
	AuthorEmail string    `json:"author_email,omitempty" yaml:"author_email,omitempty"`
	CreatedAt   time.Time `json:"created_at" yaml:"created_at"`
	UpdatedAt   time.Time `json:"updated_at" yaml:"updated_at"`
}

// ExportAlignment holds the alignment links and claim verdicts.
type ExportAlignment struct {
	Links  []ExportLink  `json:"links" yaml:"links"`
	Claims []ExportClaim `json:"claims" yaml:"claims"`
}

// ExportLink links a buyer to a persona its promise reaches.
type ExportLink struct {
	ID       string `json:"id" yaml:"id"`
	BuyerID  string `json:"buyer_id" yaml:"buyer_id"`
	TargetID string `json:"target_id" yaml:"target_id"`
}

// ExportClaim is a verdict on a buyer's claim for one user item.
type ExportClaim struct {
	ID         string  `json:"id" yaml:"id"`
	BuyerID    string  `json:"buyer_id" yaml:"buyer_id"`
	ClaimField string  `json:"claim_field" yaml:"claim_field"`
	Claim      string  `json:"claim" yaml:"claim"`
	UserID     string  `json:"user_id" yaml:"user_id"`
	UserField  string  `json:"user_field" yaml:"user_field"`
	UserItem   string  `json:"user_item,omitempty" yaml:"user_item,omitempty"`
	Verdict    Verdict `json:"verdict" yaml:"verdict"`
	Note       string  `json:"note,omitempty" yaml:"note,omitempty"`
}

// ValidateExport checks an export document before anything is written: its
// format, unique IDs, references that resolve inside the document, template
// definitions, and every persona's and variant's values against the version
// they name. Errors name where in the document the problem is.
func ValidateExport(e *OrgExport) error {
	var errs []FieldError
	add := func(path, format string, args ...any) {
		errs = append(errs, FieldError{Field: path, Message: fmt.Sprintf(format, args...)})
	}
	if e.Format != ExportFormat {
		add("format", "must be %q", ExportFormat)
	}
	if e.Version != ExportDocVersion {
		add("version", "must be %d", ExportDocVersion)
	}
	if n, err := ValidateName(e.Org.Name); err != nil {
		add("organisation.name", "%s", err.Error())
	} else {
		e.Org.Name = n
	}
	if e.Org.Slug != "" && !ValidSlug(e.Org.Slug) {
		add("organisation.slug", "is not a valid slug")
	}
	if e.DivergencePoints == 0 {
		e.DivergencePoints = DefaultDivergencePoints
	} else if e.DivergencePoints < 0.5 || e.DivergencePoints > 4 {
		add("divergence_points", "must be between 0.5 and 4")
	}
	ids := map[string]string{} // id → path, across all kinds (IDs are unique per organisation)
	unique := func(path, id string) bool {
		if id == "" {
			add(path+".id", "is required")
			return false
		}
		if !ValidID(id) {
			add(path+".id", idProblem)
			return false
		}
		if prev, dup := ids[id]; dup {
			add(path+".id", "%q is also used at %s", id, prev)
			return false
		}
		ids[id] = path
		return true
	}
	noteIDs := func(path string, notes []ExportNote) {
		for i := range notes {
			p := fmt.Sprintf("%s.notes[%d]", path, i)
			unique(p, notes[i].ID)
			if b, err := ValidateNoteBody(notes[i].Body); err != nil {
				add(p+".body", "%s", fieldsOf(err))
			} else {
				notes[i].Body = b
			}
		}
	}
	noteIDs("organisation", e.Notes)
	groups := map[string]bool{}
	for i, g := range e.Groups {
		p := fmt.Sprintf("groups[%d]", i)
		if unique(p, g.ID) {
			groups[g.ID] = true
		}
		if _, err := ValidateName(g.Name); err != nil {
			add(p+".name", "%s", err.Error())
		}
		if d, err := ValidateDescription(g.Description); err != nil {
			add(p+".description", "%s", err.Error())
		} else {
			e.Groups[i].Description = d
		}
		noteIDs(p, e.Groups[i].Notes)
	}
	versions := map[string]map[int]Definition{}
	types := map[string]ProfileType{}
	for i, t := range e.Templates {
		p := fmt.Sprintf("templates[%d]", i)
		unique(p, t.ID)
		if _, err := ValidateName(t.Name); err != nil {
			add(p+".name", "%s", err.Error())
		}
		if d, err := ValidateDescription(t.Description); err != nil {
			add(p+".description", "%s", err.Error())
		} else {
			e.Templates[i].Description = d
		}
		if !t.ProfileType.Valid() {
			add(p+".profile_type", "must be one of: ux, marketing, archetype, agent")
		}
		types[t.ID] = t.ProfileType
		if err := t.Draft.Validate(); err != nil {
			add(p+".draft", "%s", fieldsOf(err))
		}
		versions[t.ID] = map[int]Definition{}
		for j, v := range t.Versions {
			vp := fmt.Sprintf("%s.versions[%d]", p, j)
			if v.Version != j+1 {
				add(vp+".version", "must be %d (versions are numbered 1, 2, … in order)", j+1)
			}
			if err := v.Definition.Validate(); err != nil {
				add(vp+".definition", "%s", fieldsOf(err))
				continue
			}
			versions[t.ID][v.Version] = v.Definition
		}
	}
	personaTypes := map[string]ProfileType{}
	for i := range e.Personas {
		ep := &e.Personas[i]
		p := fmt.Sprintf("personas[%d]", i)
		unique(p, ep.ID)
		personaTypes[ep.ID] = types[ep.TemplateID]
		if ep.GroupID != "" && !groups[ep.GroupID] {
			add(p+".group_id", "%s is not a group of this export", quoteKey(ep.GroupID))
		}
		def, ok := versions[ep.TemplateID][ep.TemplateVersion]
		if !ok {
			add(p+".template_version", "template %s has no version %d in this export", quoteKey(ep.TemplateID), ep.TemplateVersion)
			continue
		}
		c := ep.content()
		if err := ValidateContent(def, &c); err != nil {
			for _, fe := range fieldsErrs(err) {
				add(p+"."+fe.Field, "%s", fe.Message)
			}
			continue
		}
		ep.Values, ep.Dimensions, ep.Status = c.Values, c.Dimensions, c.Status
		for j := range ep.Variants {
			v := &ep.Variants[j]
			vp := fmt.Sprintf("%s.variants[%d]", p, j)
			unique(vp, v.ID)
			vc := v.Content()
			if err := ValidateVariant(def, &vc); err != nil {
				for _, fe := range fieldsErrs(err) {
					if !staleOverride(*v, fe.Field) {
						add(vp+"."+fe.Field, "%s", fe.Message)
					}
				}
			}
			noteIDs(vp, v.Notes)
		}
		noteIDs(p, ep.Notes)
		for j := range ep.WorkLinks {
			w := &ep.WorkLinks[j]
			wp := fmt.Sprintf("%s.work_links[%d]", p, j)
			unique(wp, w.ID)
			l := WorkLink{URL: w.URL, Title: w.Title, Kind: w.Kind}
			if w.Kind == "" {
				add(wp+".kind", "is required")
			} else if err := NormaliseWorkLink(&l); err != nil {
				for _, fe := range fieldsErrs(err) {
					add(wp+"."+fe.Field, "%s", fe.Message)
				}
			} else {
				w.URL, w.Title = l.URL, l.Title
			}
		}
	}
	for i := range e.Personas {
		for j, v := range e.Personas[i].Variants {
			if v.CustomerID != "" && personaTypes[v.CustomerID] != ProfileArchetype {
				add(fmt.Sprintf("personas[%d].variants[%d].customer_id", i, j), "%s is not a customer archetype of this export", quoteKey(v.CustomerID))
			}
		}
	}
	linked := map[[2]string]bool{}
	for i, l := range e.Alignment.Links {
		p := fmt.Sprintf("alignment.links[%d]", i)
		unique(p, l.ID)
		if personaTypes[l.BuyerID] != ProfileMarketing {
			add(p+".buyer_id", "%s is not a marketing/sales persona of this export", quoteKey(l.BuyerID))
		}
		if t, ok := personaTypes[l.TargetID]; !ok || t == ProfileMarketing {
			add(p+".target_id", "%s is not a UX persona, archetype or agent of this export", quoteKey(l.TargetID))
		}
		linked[[2]string{l.BuyerID, l.TargetID}] = true
	}
	for i, c := range e.Alignment.Claims {
		p := fmt.Sprintf("alignment.claims[%d]", i)
		unique(p, c.ID)
		m := ClaimMapping{ClaimField: c.ClaimField, Claim: c.Claim, UserID: c.UserID, UserField: c.UserField, UserItem: c.UserItem, Verdict: c.Verdict, Note: c.Note}
		if err := ValidateClaimMapping(&m); err != nil {
			for _, fe := range fieldsErrs(err) {
				add(p+"."+fe.Field, "%s", fe.Message)
			}
		}
		if _, ok := personaTypes[c.BuyerID]; !ok {
			add(p+".buyer_id", "%s is not a persona of this export", quoteKey(c.BuyerID))
		}
		if _, ok := personaTypes[c.UserID]; !ok {
			add(p+".user_id", "%s is not a persona of this export", quoteKey(c.UserID))
		}
	}
	variantOf := map[string]string{} // variant ID → persona ID
	for _, ep := range e.Personas {
		for _, v := range ep.Variants {
			variantOf[v.ID] = ep.ID
		}
	}
	for i := range e.Evidence {
		ev := &e.Evidence[i]
		p := fmt.Sprintf("evidence[%d]", i)
		unique(p, ev.ID)
		item := ev.item()
		fileOK := true
		if ev.File != nil {
			f, err := SniffUpload(ev.File.Name, ev.File.Data)
			if err != nil {
				add(p+".file", "%s", fieldsOf(err))
				fileOK = false
			} else {
				item.File = &f
			}
		}
		if fileOK {
			if err := ValidateEvidence(&item); err != nil {
				for _, fe := range fieldsErrs(err) {
					add(p+"."+fe.Field, "%s", fe.Message)
				}
			}
		}
		for j := range ev.Links {
			l := &ev.Links[j]
			lp := fmt.Sprintf("%s.links[%d]", p, j)
			unique(lp, l.ID)
			if _, ok := personaTypes[l.PersonaID]; !ok {
				add(lp+".persona_id", "%s is not a persona of this export", quoteKey(l.PersonaID))
			}
			if l.VariantID != "" && variantOf[l.VariantID] != l.PersonaID {
				add(lp+".variant_id", "%s is not a variant of that persona in this export", quoteKey(l.VariantID))
			}
			link := EvidenceLink{PersonaID: l.PersonaID, VariantID: l.VariantID, Field: l.Field, Stance: l.Stance, Excerpt: l.Excerpt, Page: l.Page}
			if err := ValidateEvidenceLink(&link); err != nil {
				for _, fe := range fieldsErrs(err) {
					if fe.Field != "persona_id" {
						add(lp+"."+fe.Field, "%s", fe.Message)
					}
				}
			} else {
				l.Field, l.Excerpt, l.Page = link.Field, link.Excerpt, link.Page
			}
		}
	}
	if e.Catalogue != nil {
		// Its rules were checked against the templates when saved; the
		// templates may have changed since, so only the catalogue itself
		// is checked here (keys, text, references, dependency order).
		if err := ValidateCatalogue(e.Catalogue, KnownFields{}); err != nil {
			for _, fe := range fieldsErrs(err) {
				add("catalogue."+fe.Field, "%s", fe.Message)
			}
		}
	}
	for i := range e.Launchpads {
		l := &e.Launchpads[i]
		p := fmt.Sprintf("launchpads[%d]", i)
		unique(p, l.ID)
		if personaTypes[l.ArchetypeID] != ProfileArchetype {
			add(p+".archetype_id", "%s is not a customer archetype of this export", quoteKey(l.ArchetypeID))
		}
		if err := ValidateLaunchpad(&l.LaunchpadContent); err != nil {
			for _, fe := range fieldsErrs(err) {
				if fe.Field != "archetype_id" {
					add(p+"."+fe.Field, "%s", fe.Message)
				}
			}
		}
	}
	// Text no check above reads (a Launchpad's generated content, a
	// variant's remembered base values, IDs and emails) holds no control
	// characters either: whatever the application accepts it accepts, and
	// nothing it could not store gets in.
	for _, fe := range ControlProblems("", e) {
		if !slices.ContainsFunc(errs, func(prev FieldError) bool {
			return fe.Field == prev.Field || strings.HasPrefix(fe.Field, prev.Field+".") || strings.HasPrefix(fe.Field, prev.Field+"[")
		}) {
			errs = append(errs, fe)
		}
	}
	return Invalid("invalid organisation export", errs)
}

// staleOverride reports whether the problem at path (as ValidateVariant
// names it) is an override the base's template version no longer takes: a
// field or dimension it dropped, or a value it now refuses (an option
// removed, a shorter limit). Upgrading a persona leaves its variants'
// overrides as they are, so the application holds such variants and the
// import keeps them as they are too — when the value is plain text, a
// number or a list of texts, as an override once was.
func staleOverride(v ExportVariant, path string) bool {
	var raw any
	if k, ok := strings.CutPrefix(path, "values."); ok {
		raw = v.Values[k]
	} else if k, ok := strings.CutPrefix(path, "dimensions."); ok {
		raw = v.Dimensions[k]
	} else {
		return false
	}
	switch x := raw.(type) {
	case string:
		return TextProblem(x, 0) == ""
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	case []any:
		if len(x) > MaxListItems {
			return false
		}
		for _, it := range x {
			if s, ok := it.(string); !ok || TextProblem(s, 0) != "" {
				return false
			}
		}
		return true
	case []string:
		return len(x) <= MaxListItems && !slices.ContainsFunc(x, func(s string) bool { return TextProblem(s, 0) != "" })
	}
	return false
}

// item is the export's evidence as a domain item (without its file).
func (ev ExportEvidence) item() Evidence {
	return Evidence{ID: ev.ID, Kind: ev.Kind, Title: ev.Title, Source: ev.Source, CollectedOn: ev.CollectedOn, Tags: ev.Tags,
		Summary: ev.Summary, URL: ev.URL, Quote: ev.Quote, Speaker: ev.Speaker, Method: ev.Method, Participants: ev.Participants}
}

// Item is the export's evidence as a domain item (without its file).
func (ev ExportEvidence) Item() Evidence { return ev.item() }

func fieldsErrs(err error) []FieldError {
	if e, ok := AsError(err); ok && len(e.Fields) > 0 {
		return e.Fields
	}
	return []FieldError{{Field: "", Message: err.Error()}}
}

func fieldsOf(err error) string {
	fs := fieldsErrs(err)
	out := ""
	for i, f := range fs {
		if i > 0 {
			out += "; "
		}
		if f.Field != "" {
			out += f.Field + " "
		}
		out += f.Message
	}
	return out
}

func (ep ExportPersona) content() Content {
	return Content{Name: ep.Name, Summary: ep.Summary, GroupID: ep.GroupID, Status: ep.Status, TemplateVersion: ep.TemplateVersion,
		Values: cloneValues(ep.Values), Dimensions: cloneValues(ep.Dimensions), Retired: ep.Retired,
		LastReviewedOn: ep.LastReviewedOn, ReviewIntervalDays: ep.ReviewIntervalDays}
}

// Content is the persona's content (the owner is resolved by the caller).
func (ep ExportPersona) Content() Content { return ep.content() }

// Content is the variant's stored content.
func (v ExportVariant) Content() VariantContent {
	return VariantContent{CustomerID: v.CustomerID, CustomerLabel: v.CustomerLabel, Note: v.Note,
		Values: cloneValues(v.Values), Dimensions: cloneValues(v.Dimensions), FieldNotes: v.FieldNotes, BaseAtOverride: v.BaseAtOverride}
}

// CloneValues copies v (nil becomes an empty map).
func CloneValues(v Values) Values { return cloneValues(v) }

func cloneValues(v Values) Values {
	if v == nil {
		return Values{}
	}
	out := make(Values, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

// SortExport puts every list of an export in a stable order (by ID), so
// that two exports of the same data are byte-for-byte equal.
func SortExport(e *OrgExport) {
	byID := func(a, b string) int {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	sortNotes := func(ns []ExportNote) {
		slices.SortFunc(ns, func(a, b ExportNote) int { return byID(a.ID, b.ID) })
	}
	slices.SortFunc(e.Groups, func(a, b ExportGroup) int { return byID(a.ID, b.ID) })
	slices.SortFunc(e.Templates, func(a, b ExportTemplate) int { return byID(a.ID, b.ID) })
	slices.SortFunc(e.Personas, func(a, b ExportPersona) int { return byID(a.ID, b.ID) })
	slices.SortFunc(e.Alignment.Links, func(a, b ExportLink) int { return byID(a.ID, b.ID) })
	slices.SortFunc(e.Alignment.Claims, func(a, b ExportClaim) int { return byID(a.ID, b.ID) })
	sortNotes(e.Notes)
	slices.SortFunc(e.Evidence, func(a, b ExportEvidence) int { return byID(a.ID, b.ID) })
	slices.SortFunc(e.Launchpads, func(a, b ExportLaunchpad) int { return byID(a.ID, b.ID) })
	for i := range e.Evidence {
		slices.SortFunc(e.Evidence[i].Links, func(a, b ExportEvidenceLink) int { return byID(a.ID, b.ID) })
	}
	for i := range e.Groups {
		sortNotes(e.Groups[i].Notes)
	}
	for i := range e.Personas {
		SortPersona(&e.Personas[i])
	}
}

// SortPersona puts a persona's variants and notes (and theirs) in ID order,
// as SortExport does.
func SortPersona(p *ExportPersona) {
	byID := func(a, b string) int { return strings.Compare(a, b) }
	sortNotes := func(ns []ExportNote) {
		slices.SortFunc(ns, func(a, b ExportNote) int { return byID(a.ID, b.ID) })
	}
	sortNotes(p.Notes)
	slices.SortFunc(p.WorkLinks, func(a, b ExportWorkLink) int { return byID(a.ID, b.ID) })
	slices.SortFunc(p.Variants, func(a, b ExportVariant) int { return byID(a.ID, b.ID) })
	for j := range p.Variants {
		sortNotes(p.Variants[j].Notes)
	}
}
