package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) personaRoutes() {
	h.org("GET /o/{org}/personas/{id}", h.personaPage)
	h.org("GET /o/{org}/personas/new", h.newPersonaPage)
	h.org("POST /o/{org}/personas", h.createPersona)
	h.org("GET /o/{org}/personas/{id}/edit", h.editPersonaPage)
	h.org("POST /o/{org}/personas/{id}", h.updatePersona)
	// Editors alone preview, checked before the body is read; the handler
	// reads its own bounded body and says why a huge one is refused.
	h.upload("POST /o/{org}/preview/markdown", persona.RoleEditor, func() int64 { return maxPreviewBody }, false, h.previewMarkdown)
	h.org("GET /o/{org}/personas/{id}/history", h.historyPage)
	h.org("POST /o/{org}/personas/{id}/revisions/{n}/restore", h.restoreRevision)
	h.org("POST /o/{org}/personas/{id}/trash", h.trashPersona)
	h.org("GET /o/{org}/trash", h.trashPage)
	h.org("POST /o/{org}/trash/{id}/restore", h.restoreFromTrash)
	h.org("POST /o/{org}/trash/{id}/purge", h.purgePersona)
}

// personaView is a persona read as a profile.
type personaView struct {
	Usage         *usageLine    // "Viewed by 12 people…" (usage.go)
	Proposals     *proposalLine // "Propose a change", open proposals (proposals.go)
	P             persona.Persona
	TemplateName  string
	LatestVersion int
	GroupName     string
	Groups        []persona.Group // the groups an editor can move it to (with its own)
	OwnerName     string
	Sections      []sectionView
	Dimensions    []dimensionView
	// Role and Quote are the fields the header shows (role_title and
	// quote when the template has them); the sections leave them out.
	Role      *fieldView
	Quote     *fieldView
	Retired   []retiredValue
	ReviewDue time.Time
	Overdue   bool
	CanEdit   bool
	Variants  []app.VariantDetail
	// CustomerOf counts variants made for this persona as a customer
	// archetype.
	CustomerOf int
	Notes      notesView
	Comments   commentsView // comments.go
	Links      app.Linkers
	Evidence   evidenceSummary
	Photo      photoView    // photos.go
	Work       workView     // worklinks.go
	Similar    []similarRow // duplicates.go: the look-alikes, right after a create
	// Backlinks are the personas that reference this one (refs.go).
	Backlinks []app.Backlink
}

type sectionView struct {
	Key    string
	Label  string
	Help   string
	Fields []fieldView // every field, filled or not (in template order)
	// Filled are the fields with a value; Unfilled counts the rest, which
	// the page collapses into one line.
	Filled   []fieldView
	Unfilled int
	// Claims, Backed, Contradicted and Assumptions sum the evidence
	// states of the filled fields for the section's summary line.
	Claims, Backed, Contradicted, Assumptions int
}

type fieldView struct {
	Field    persona.Field
	Value    any
	Evidence persona.FieldEvidence
	Image    template.HTML // an image field's picture (fieldimages.go)
	Refs     template.HTML // a persona reference's targets, linked (refs.go)
}

// headerFields are the keys the persona page lifts into its header.
const (
	headerRoleKey  = "role_title"
	headerQuoteKey = "quote"
)

// layoutForPage lifts the header fields out of the sections, marks each
// field with its evidence and counts what a section's summary says.
func (v *personaView) layoutForPage() {
	out := v.Sections[:0]
	for _, s := range v.Sections {
		kept := s.Fields[:0:0]
		for _, f := range s.Fields {
			f.Evidence = v.Evidence.Field(f.Field.Key)
			switch {
			case f.Field.Key == headerRoleKey && v.Role == nil && present(f.Value):
				v.Role = &f
				continue
			case f.Field.Key == headerQuoteKey && v.Quote == nil && present(f.Value):
				v.Quote = &f
				continue
			}
			kept = append(kept, f)
			if !present(f.Value) {
				s.Unfilled++
				continue
			}
			s.Filled = append(s.Filled, f)
			s.Claims++
			switch f.Evidence.State {
			case persona.FieldBacked:
				s.Backed++
			case persona.FieldContradicted:
				s.Contradicted++
			case persona.FieldContested:
				s.Backed++
				s.Contradicted++
			default:
				s.Assumptions++
			}
		}
		s.Fields = kept
		if len(kept) > 0 {
			out = append(out, s)
		}
	}
	v.Sections = out
}

type dimensionView struct {
	Dimension persona.Dimension
	Value     any
}

type retiredValue struct {
	Key   string
	Value any
}

// sectionsOf lays a persona's values out in its template version's order,
// with section labels for its profile type.
func sectionsOf(def persona.Definition, t persona.ProfileType, values persona.Values) []sectionView {
	out := make([]sectionView, 0, len(def.Sections))
	for _, s := range def.Sections {
		sv := sectionView{Key: s.Key, Label: s.LabelFor(t), Help: s.Help}
		for _, f := range s.Fields {
			sv.Fields = append(sv.Fields, fieldView{Field: f, Value: values[f.Key]})
		}
		out = append(out, sv)
	}
	return out
}

func dimensionsOf(def persona.Definition, values persona.Values) []dimensionView {
	out := make([]dimensionView, 0, len(def.Dimensions))
	for _, d := range def.Dimensions {
		out = append(out, dimensionView{Dimension: d, Value: values[d.Key]})
	}
	return out
}

func (h *Handler) personaPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderPersona(w, r, c, http.StatusOK, "")
}

// renderPersona renders the persona page; photoError, when set, is why an
// uploaded photo was refused (photos.go), shown by the photo form.
func (h *Handler) renderPersona(w http.ResponseWriter, r *http.Request, c *Ctx, status int, photoError string) error {
	return h.renderPersonaPage(w, r, c, status, photoError, nil)
}

// renderPersonaWork renders the persona page with the work form refused
// (worklinks.go).
func (h *Handler) renderPersonaWork(w http.ResponseWriter, r *http.Request, c *Ctx, status int, form *workView) error {
	return h.renderPersonaPage(w, r, c, status, "", form)
}

func (h *Handler) renderPersonaPage(w http.ResponseWriter, r *http.Request, c *Ctx, status int, photoError string, work *workView) error {
	ctx := r.Context()
	p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := h.personaViewOf(r, c, p)
	if err != nil {
		return err
	}
	if v.Photo, err = h.photoForm(r, c, p, photoError); err != nil { // photos.go
		return err
	}
	h.fieldImages(r, c, &v)                         // fieldimages.go
	if err := h.personaRefs(r, c, &v); err != nil { // refs.go
		return err
	}
	if v.Work, err = h.workFor(r, c, p.ID); err != nil { // worklinks.go
		return err
	}
	if work != nil {
		v.Work.URL, v.Work.Title, v.Work.Kind, v.Work.Field, v.Work.Error = work.URL, work.Title, work.Kind, work.Field, work.Error
	}
	v.Similar = h.similarFor(r, c, p)         // duplicates.go
	v.Usage = h.personaUsage(r, c, p.ID)      // usage.go
	v.Proposals = h.personaProposals(r, c, p) // proposals.go
	if v.Comments, err = h.commentsFor(r, c, persona.CommentOnPersona, p.ID, personaCommentFields(v)); err != nil {
		return err
	}
	v.Comments.Marks = personaCommentMarks(v)
	h.svc.RecordView(c.Actor, c.Org.ID, p.ID, app.ViewPersona) // never blocks
	return h.render(w, r, c, status, "persona", p.Name, v)
}

func (h *Handler) personaViewOf(r *http.Request, c *Ctx, p persona.Persona) (personaView, error) {
	ctx := r.Context()
	ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
	if err != nil {
		return personaView{}, err
	}
	tmpl, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, p.TemplateID)
	if err != nil {
		return personaView{}, err
	}
	v := personaView{
		P: p, TemplateName: tmpl.Name, LatestVersion: tmpl.LatestVersion,
		Sections:   sectionsOf(ver.Definition, p.ProfileType, p.Values),
		Dimensions: dimensionsOf(ver.Definition, p.Dimensions),
		ReviewDue:  p.ReviewDue(), Overdue: p.ReviewOverdue(time.Now()),
		CanEdit: c.Can(persona.RoleEditor),
	}
	for _, k := range sortedKeys(p.Retired) {
		v.Retired = append(v.Retired, retiredValue{Key: k, Value: p.Retired[k]})
	}
	if v.CanEdit { // editors may move it to another group (groups.go)
		groups, err := h.svc.ListGroups(ctx, c.Actor, c.Org.Slug)
		if err != nil {
			return personaView{}, err
		}
		for _, g := range groups {
			if g.ID == p.GroupID {
				v.GroupName = g.Name
			}
		}
		if len(groups) > 1 {
			v.Groups = groups
		}
	} else if g, err := h.svc.GetGroup(ctx, c.Actor, c.Org.Slug, p.GroupID); err == nil {
		v.GroupName = g.Name
	}
	if v.Variants, err = h.svc.ListVariants(ctx, c.Actor, c.Org.Slug, p.ID); err != nil {
		return personaView{}, err
	}
	if p.ProfileType == persona.ProfileArchetype {
		cv, err := h.svc.CustomerVariants(ctx, c.Actor, c.Org.Slug, p.ID, "")
		if err != nil {
			return personaView{}, err
		}
		v.CustomerOf = len(cv)
	}
	if v.Links, err = h.svc.PersonaLinks(ctx, c.Actor, c.Org.Slug, p.ID); err != nil {
		return personaView{}, err
	}
	if v.Evidence, err = h.evidenceSummary(r, c, p); err != nil {
		return personaView{}, err
	}
	if v.Notes, err = h.notesFor(r, c, persona.NoteOnPersona, p.ID, "/o/"+c.Org.Slug+"/personas/"+p.ID); err != nil {
		return personaView{}, err
	}
	v.layoutForPage()
	v.OwnerName, err = h.memberName(r, c, p.OwnerID)
	return v, err
}

// memberName finds a member's display name ("former member" once gone).
func (h *Handler) memberName(r *http.Request, c *Ctx, userID string) (string, error) {
	names, err := h.memberNames(r, c)
	if err != nil {
		return "", err
	}
	if n, ok := names[userID]; ok {
		return n, nil
	}
	return "former member", nil
}

func (h *Handler) memberNames(r *http.Request, c *Ctx) (map[string]string, error) {
	members, err := h.svc.ListMembers(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(members))
	for _, m := range members {
		names[m.UserID] = m.Name
		if m.Name == "" {
			names[m.UserID] = m.Email
		}
	}
	return names, nil
}
