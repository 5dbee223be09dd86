package web

import (
	"errors"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/markdown"
	"github.com/personapal/personapal/internal/persona"
)

// personaFormView is the create/edit form generated from a template version.
type personaFormView struct {
	New          bool
	Action       string
	CancelURL    string
	PersonaID    string
	Type         persona.ProfileType
	TemplateID   string
	TemplateName string
	Version      int
	Revision     int // the revision the edit is based on (If-Match)
	Content      persona.Content
	Message      string
	Sections     []formSection
	Dimensions   []formField
	Groups       []persona.Group
	// NewGroup names the group a new persona starts when the
	// organisation has none yet (groups.go).
	NewGroup   string
	Members    []persona.Member
	Statuses   []persona.Status
	Errors     map[string]string // by field path: name, values.<key>, dimensions.<key>
	ErrorCount int
	ErrorLinks []errorLink // the fields with an error, in form order, for the summary
	Focus      string      // the element id of the first field with an error
	Conflict   *conflictView
	Propose    *proposeView // the form sends a change proposal (proposals.go)
	// Choosing a template first (new persona without ?template=).
	Templates []persona.Template
}

// conflictView explains that someone else saved while the user was editing.
type conflictView struct {
	Current int
	Changes []persona.Change
}

type formSection struct {
	Key    string
	Label  string
	Help   string
	Fields []formField
}

// formField is one input: its field, its element id and name, and the value
// to show in the form the kind needs.
type formField struct {
	Field    persona.Field
	ID       string
	Name     string
	Text     string   // text, markdown, url, date, number, choice, scale
	Lines    string   // list: one item per line
	Selected []string // multi_choice
	Unset    bool     // scale without a value
	Error    string
	// Steps are a scale's values, one radio button each ("Not set" beside
	// them); nil for a scale too long for a row of buttons (a slider).
	Steps []string
	Focus bool // the first field with an error: focused on load
	// Picture and PicturePage are an image field's thumbnail and its
	// upload page (fieldimages.go); the value rides in a hidden input.
	Picture     template.HTML
	PicturePage string
	// Refs are a persona reference field's choices (refs.go): the
	// organisation's personas of the allowed types, and the targets it
	// names already whatever their state.
	Refs []refOption
}

// Wide reports whether the field takes the form's full width (long text
// and checkbox lists); short fields and lists of short items share a row
// on wide screens.
func (f formField) Wide() bool {
	switch f.Field.Kind {
	case persona.KindMarkdown, persona.KindMultiChoice:
		return true
	case persona.KindPersona:
		return f.Field.Multiple
	}
	return false
}

// Describedby lists the ids of the texts that describe the control: its
// help, its hint and its error.
func (f formField) Describedby() string {
	var ids []string
	if f.Field.Help != "" {
		ids = append(ids, f.ID+"-help")
	}
	if f.Field.Kind == persona.KindList || f.Field.Kind == persona.KindTags {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// formDimension is a comparison dimension's control as the template
// preview shows it (builder_versions.go).
type formDimension struct {
	Dimension persona.Dimension
	ID        string
	Name      string
	Text      string
	Unset     bool
	Error     string
}

// maxScaleButtons is the longest scale shown as a row of buttons.
const maxScaleButtons = 11

// scaleSteps are the values of a scale with whole-number bounds and at
// most maxScaleButtons of them; nil otherwise.
func scaleSteps(lo, hi *float64) []string {
	if lo == nil || hi == nil || *lo != float64(int(*lo)) || *hi != float64(int(*hi)) || *hi < *lo || *hi-*lo+1 > maxScaleButtons {
		return nil
	}
	var steps []string
	for i := int(*lo); i <= int(*hi); i++ {
		steps = append(steps, strconv.Itoa(i))
	}
	return steps
}

// dimensionInput is the control of a comparison dimension: a dimension is
// shown as the field it reads as (a scale or a choice), named d.<key>.
func dimensionInput(d persona.Dimension, val any, errMsg string) formField {
	ff := formFieldOf(dimensionField(d), val, errMsg)
	ff.Field.Help = d.Help
	ff.ID, ff.Name = "d-"+d.Key, "d."+d.Key
	return ff
}

// profileLabels name the form's own fields in error messages.
var profileLabels = []struct{ Key, Label, ID string }{
	{"name", "Name", "name"}, {"summary", "Summary", "summary"}, {"new_group", "Group", "new_group"},
	{"group_id", "Group", "group_id"}, {"status", "Status", "status"}, {"owner_id", "Owner", "owner_id"},
	{"last_reviewed_on", "Last reviewed on", "last_reviewed_on"}, {"review_interval_days", "Review every (days)", "review_interval_days"},
}

var statuses = []persona.Status{persona.StatusDraft, persona.StatusPublished, persona.StatusArchived}

func (h *Handler) newPersonaPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	tid := r.URL.Query().Get("template")
	if tid == "" {
		templates, err := h.svc.ListTemplates(ctx, c.Actor, c.Org.Slug)
		if err != nil {
			return err
		}
		var usable []persona.Template
		for _, t := range templates {
			if t.LatestVersion > 0 {
				usable = append(usable, t)
			}
		}
		return h.render(w, r, c, http.StatusOK, "persona_form", "New persona", personaFormView{New: true, Templates: usable, CancelURL: "/o/" + c.Org.Slug})
	}
	content := persona.Content{Status: persona.StatusDraft, GroupID: r.URL.Query().Get("group")}
	v, err := h.newFormView(r, c, tid, content)
	if err != nil {
		return err
	}
	if len(v.Groups) == 0 {
		v.NewGroup = defaultGroupName
	}
	return h.render(w, r, c, http.StatusOK, "persona_form", "New persona", v)
}

func (h *Handler) newFormView(r *http.Request, c *Ctx, templateID string, content persona.Content) (personaFormView, error) {
	ctx := r.Context()
	t, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, templateID)
	if err != nil {
		return personaFormView{}, err
	}
	if t.LatestVersion == 0 {
		return personaFormView{}, persona.Errorf(persona.CodeConflict, "the template “%s” has no published version yet; publish it first", t.Name)
	}
	ver, err := h.svc.GetVersion(ctx, c.Actor, c.Org.Slug, t.ID, t.LatestVersion)
	if err != nil {
		return personaFormView{}, err
	}
	v := personaFormView{
		New: true, Action: "/o/" + c.Org.Slug + "/personas", CancelURL: "/o/" + c.Org.Slug,
		Type: t.ProfileType, TemplateID: t.ID, TemplateName: t.Name, Version: ver.Version, Content: content,
	}
	return v, h.fillForm(r, c, &v, ver.Definition)
}

func (h *Handler) editFormView(r *http.Request, c *Ctx, p persona.Persona) (personaFormView, error) {
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, p)
	if err != nil {
		return personaFormView{}, err
	}
	t, err := h.svc.GetTemplate(r.Context(), c.Actor, c.Org.Slug, p.TemplateID)
	if err != nil {
		return personaFormView{}, err
	}
	v := personaFormView{
		Action: "/o/" + c.Org.Slug + "/personas/" + p.ID, CancelURL: "/o/" + c.Org.Slug + "/personas/" + p.ID,
		PersonaID: p.ID, Type: p.ProfileType, TemplateID: p.TemplateID, TemplateName: t.Name,
		Version: p.TemplateVersion, Revision: p.Revision, Content: p.Content,
	}
	return v, h.fillForm(r, c, &v, ver.Definition)
}

// fillForm lays out the inputs for def with the values in v.Content and
// loads the choices (groups, members).
func (h *Handler) fillForm(r *http.Request, c *Ctx, v *personaFormView, def persona.Definition) error {
	ctx := r.Context()
	groups, err := h.svc.ListGroups(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	members, err := h.svc.ListMembers(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.Groups, v.Members, v.Statuses = groups, members, statuses
	refs, err := h.refChoices(r, c, def, v.PersonaID, v.Content.Values)
	if err != nil {
		return err
	}
	v.Sections = nil
	for _, s := range def.Sections {
		fs := formSection{Key: s.Key, Label: s.LabelFor(v.Type), Help: s.Help}
		for _, f := range s.Fields {
			ff := formFieldOf(f, v.Content.Values[f.Key], v.Errors["values."+f.Key])
			if f.Kind == persona.KindPersona {
				ff.Refs = refs.options(f, v.Content.Values[f.Key])
			}
			if f.Kind == persona.KindImage && v.PersonaID != "" {
				base := fieldImageBase(c.Org.Slug, v.PersonaID)
				ff.PicturePage = base + url.PathEscape(f.Key)
				if ff.Text != "" {
					ff.Picture = imageFieldHTML(base, ff.Text, f.Label, 0, 0)
				}
			}
			fs.Fields = append(fs.Fields, ff)
		}
		v.Sections = append(v.Sections, fs)
	}
	v.Dimensions = nil
	for _, d := range def.Dimensions {
		v.Dimensions = append(v.Dimensions, dimensionInput(d, v.Content.Dimensions[d.Key], v.Errors["dimensions."+d.Key]))
	}
	v.linkErrors()
	return nil
}

// linkErrors lists the fields with an error in the order the form shows
// them, for the summary at the top, and marks the first to be focused.
func (v *personaFormView) linkErrors() {
	v.ErrorLinks, v.Focus = nil, ""
	if len(v.Errors) == 0 {
		return
	}
	for _, p := range profileLabels {
		if msg, ok := v.Errors[p.Key]; ok {
			v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: p.Label, Anchor: p.ID, Message: msg})
		}
	}
	for si := range v.Sections {
		for fi := range v.Sections[si].Fields {
			if f := &v.Sections[si].Fields[fi]; f.Error != "" {
				v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: f.Field.Label, Anchor: f.ID, Message: f.Error})
			}
		}
	}
	for _, f := range v.Dimensions {
		if f.Error != "" {
			v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: f.Field.Label, Anchor: f.ID, Message: f.Error})
		}
	}
	// Errors on nothing the form shows (a field of another template
	// version) are listed too, without a link.
	shown := map[string]bool{"form": true}
	for _, p := range profileLabels {
		shown[p.Key] = true
	}
	for _, s := range v.Sections {
		for _, f := range s.Fields {
			shown["values."+f.Field.Key] = true
		}
	}
	for _, f := range v.Dimensions {
		shown["dimensions."+strings.TrimPrefix(f.ID, "d-")] = true
	}
	for _, k := range slices.Sorted(maps.Keys(v.Errors)) {
		if !shown[k] {
			v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: k, Message: v.Errors[k]})
		}
	}
	if len(v.ErrorLinks) == 0 || v.ErrorLinks[0].Anchor == "" {
		return
	}
	v.Focus = v.ErrorLinks[0].Anchor
	for si := range v.Sections {
		for fi := range v.Sections[si].Fields {
			if f := &v.Sections[si].Fields[fi]; f.ID == v.Focus {
				f.Focus = true
			}
		}
	}
	for i := range v.Dimensions {
		if v.Dimensions[i].ID == v.Focus {
			v.Dimensions[i].Focus = true
		}
	}
}

func formFieldOf(f persona.Field, val any, errMsg string) formField {
	ff := formField{Field: f, ID: "v-" + f.Key, Name: "v." + f.Key, Error: errMsg}
	switch f.Kind {
	case persona.KindList:
		ff.Lines = strings.Join(valueList(val), "\n")
	case persona.KindTags:
		ff.Text = strings.Join(valueList(val), ", ")
	case persona.KindMultiChoice:
		ff.Selected = valueList(val)
	case persona.KindScale:
		ff.Unset = !present(val)
		ff.Text = valueText(val)
		ff.Steps = scaleSteps(f.Min, f.Max)
	default:
		ff.Text = valueText(val)
	}
	return ff
}

// readPersonaForm turns the posted form into the app's input. Values are
// passed on as typed as the form allows; the domain validates them, so the
// web and the API give the same messages.
func readPersonaForm(r *http.Request, def persona.Definition) app.PersonaInput {
	f := r.PostForm
	in := app.PersonaInput{
		Name: f.Get("name"), Summary: f.Get("summary"), GroupID: f.Get("group_id"),
		TemplateID: f.Get("template_id"), Status: persona.Status(f.Get("status")), OwnerID: f.Get("owner_id"),
		LastReviewedOn: f.Get("last_reviewed_on"), Message: strings.TrimSpace(f.Get("message")),
		Values: persona.Values{}, Dimensions: persona.Values{},
	}
	if s := strings.TrimSpace(f.Get("review_interval_days")); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			in.ReviewIntervalDays = n
		} else {
			in.ReviewIntervalDays = -1 // reported by validation as out of range
		}
	}
	for _, s := range def.Sections {
		for _, fd := range s.Fields {
			if v, ok := readFieldValue(f, fd); ok {
				in.Values[fd.Key] = v
			}
		}
	}
	for _, d := range def.Dimensions {
		name := "d." + d.Key
		raw := strings.TrimSpace(f.Get(name))
		if raw == "" || f.Get(name+".unset") != "" {
			continue
		}
		if d.Kind == persona.DimensionScale {
			in.Dimensions[d.Key] = numberOrText(raw)
		} else {
			in.Dimensions[d.Key] = raw
		}
	}
	return in
}

func readFieldValue(f url.Values, fd persona.Field) (any, bool) {
	name := "v." + fd.Key
	switch fd.Kind {
	case persona.KindList:
		items := []any{}
		for _, line := range strings.Split(f.Get(name), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
		return items, len(items) > 0
	case persona.KindTags:
		items := []any{}
		for _, tag := range strings.Split(f.Get(name), ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				items = append(items, tag)
			}
		}
		return items, len(items) > 0
	case persona.KindMultiChoice:
		items := []any{}
		for _, o := range f[name] {
			items = append(items, o)
		}
		return items, len(items) > 0
	case persona.KindPersona:
		if !fd.Multiple {
			break
		}
		items := []any{}
		for _, o := range f[name] {
			if o = strings.TrimSpace(o); o != "" {
				items = append(items, o)
			}
		}
		return items, len(items) > 0
	case persona.KindNumber, persona.KindScale:
		raw := strings.TrimSpace(f.Get(name))
		if raw == "" || f.Get(name+".unset") != "" {
			return nil, false
		}
		return numberOrText(raw), true
	case persona.KindMarkdown:
		s := f.Get(name)
		return s, strings.TrimSpace(s) != ""
	}
	s := strings.TrimSpace(f.Get(name))
	return s, s != ""
}

// numberOrText parses a number; text that is not one is passed on so that
// validation names the field.
func numberOrText(s string) any {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n
	}
	return s
}

func (h *Handler) createPersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	v, err := h.newFormView(r, c, r.PostForm.Get("template_id"), persona.Content{})
	if err != nil {
		return err
	}
	def, err := h.svc.GetVersion(r.Context(), c.Actor, c.Org.Slug, v.TemplateID, v.Version)
	if err != nil {
		return err
	}
	in := readPersonaForm(r, def.Definition)
	in.TemplateVersion = v.Version
	var p persona.Persona
	if newGroup, ok := r.PostForm["new_group"]; ok && in.GroupID == "" {
		// The organisation had no group: the persona starts one.
		v.NewGroup = strings.Join(newGroup, "")
		var g persona.Group
		if p, g, err = h.svc.CreatePersonaInNewGroup(r.Context(), c.Actor, c.Org.Slug, v.NewGroup, in); err == nil {
			return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID, "Persona created, in the new group “"+g.Name+"”.")
		}
	} else if p, err = h.svc.CreatePersona(r.Context(), c.Actor, c.Org.Slug, in); err == nil {
		to := "/o/" + c.Org.Slug + "/personas/" + p.ID
		if h.hasSimilar(r, c, p) { // duplicates.go: the page then names the look-alikes
			to += "?similar=1"
		}
		return redirect(w, r, to, "Persona created.")
	}
	v.Content = contentOf(in)
	v.Message = in.Message
	if !formErrors(&v, err) {
		return err
	}
	if err := h.fillForm(r, c, &v, def.Definition); err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusUnprocessableEntity, "persona_form", "New persona", v)
}

func (h *Handler) editPersonaPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "viewers can read personas but not edit them")
	}
	v, err := h.editFormView(r, c, p)
	if err != nil {
		return err
	}
	if h.signOff(r, c, p) { // proposals.go: the edit form proposes
		v.Action, v.Propose = proposalsURL(c.Org.Slug, p.ID), &proposeView{SignOff: true}
	}
	return h.render(w, r, c, http.StatusOK, "persona_form", "Edit "+p.Name, v)
}

// updatePersona saves the form as a new revision. When someone else saved
// since the form was opened, nothing is written: the form comes back with
// what the user typed and what the other save changed, based on the current
// revision so that saving again is a deliberate overwrite.
func (h *Handler) updatePersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	cur, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, cur)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(r.PostForm.Get("revision"))
	in := readPersonaForm(r, ver.Definition)
	in.TemplateID = ""
	p, err := h.svc.UpdatePersona(ctx, c.Actor, c.Org.Slug, cur.ID, base, in)
	if err == nil {
		return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID, "Saved as revision "+strconv.Itoa(p.Revision)+".")
	}
	v, verr := h.editFormView(r, c, cur)
	if verr != nil {
		return verr
	}
	v.Content = contentOf(in)
	v.Content.TemplateVersion = cur.TemplateVersion
	v.Message = in.Message
	status := http.StatusUnprocessableEntity
	switch persona.ErrorCode(err) {
	case persona.CodePreconditionFailed, persona.CodePreconditionRequired:
		status = http.StatusConflict
		v.Revision = cur.Revision
		v.Conflict = &conflictView{Current: cur.Revision}
		if base > 0 && base < cur.Revision {
			if d, derr := h.svc.DiffRevisions(ctx, c.Actor, c.Org.Slug, cur.ID, base, cur.Revision); derr == nil {
				v.Conflict.Changes = d.Changes
			}
		}
	case persona.CodeForbidden:
		if !app.ProposalRequired(err) {
			return err
		}
		// Sign-off was turned on meanwhile: what was typed is offered as
		// a proposal (proposals.go).
		status = http.StatusForbidden
		v.Action, v.Propose = proposalsURL(c.Org.Slug, cur.ID), &proposeView{SignOff: true, Message: in.Message}
		v.Revision = base
	default:
		if !formErrors(&v, err) {
			return err
		}
	}
	if err := h.fillForm(r, c, &v, ver.Definition); err != nil {
		return err
	}
	return h.render(w, r, c, status, "persona_form", "Edit "+cur.Name, v)
}

// formErrors puts a validation error's field messages on the form; false
// when err is not a validation error.
func formErrors(v *personaFormView, err error) bool {
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeInvalid {
		return false
	}
	v.Errors = map[string]string{}
	for _, fe := range e.Fields {
		if _, dup := v.Errors[fe.Field]; !dup {
			v.Errors[fe.Field] = fe.Message
		}
	}
	v.ErrorCount = len(e.Fields)
	if v.ErrorCount == 0 {
		v.Errors["form"] = e.Message
		v.ErrorCount = 1
	}
	return true
}

func contentOf(in app.PersonaInput) persona.Content {
	return persona.Content{
		Name: in.Name, Summary: in.Summary, GroupID: in.GroupID, Status: in.Status, OwnerID: in.OwnerID,
		Values: in.Values, Dimensions: in.Dimensions, LastReviewedOn: in.LastReviewedOn,
		ReviewIntervalDays: in.ReviewIntervalDays,
	}
}

// previewMarkdown renders a Markdown field for the editor's preview (htmx).
// Only those who may write Markdown (editors and up: the role that writes
// personas and notes) may have it rendered, and no more of it than any
// Markdown field or note holds (markdown.MaxLength characters): the body
// is limited before it is read.
func (h *Handler) previewMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "Only editors can preview Markdown.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPreviewBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.renderError(w, r, c, http.StatusRequestEntityTooLarge, previewTooLong)
			return nil
		}
		return persona.Errorf(persona.CodeInvalid, "The preview could not read the form.")
	}
	src := r.PostForm.Get(r.URL.Query().Get("field"))
	if n := markdown.Length(src); n > markdown.MaxLength {
		return persona.Errorf(persona.CodeInvalid, "%s This text has %s characters.", previewTooLong, groupDigits(n))
	}
	return h.renderFragment(w, http.StatusOK, "persona_form", "md-preview", renderMarkdown(src))
}

// maxPreviewBody bounds a preview request: one field of markdown.MaxLength
// characters, each up to four bytes and percent-encoded (three bytes a
// byte), and its name.
const maxPreviewBody = 4*3*markdown.MaxLength + 1024

var previewTooLong = "The preview shows at most " + groupDigits(markdown.MaxLength) + " characters, as much as a Markdown field holds."

// groupDigits writes n with thousands separated: 20,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// today is the default for "last reviewed" when an editor marks a review.
func today() string { return time.Now().UTC().Format(time.DateOnly) }

func init() { funcs["today"] = today }
