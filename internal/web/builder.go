package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// templateRoutes registers the Template Builder: the template list, the
// draft editor, publishing, previews, versions and persona upgrades.
func (h *Handler) templateRoutes() {
	h.org("GET /o/{org}/templates", h.templatesPage)
	h.org("POST /o/{org}/templates", h.createTemplate)
	h.org("GET /o/{org}/templates/{id}", h.builderPage)
	h.org("POST /o/{org}/templates/{id}", h.saveBuilder)
	h.org("POST /o/{org}/templates/{id}/publish", h.publishTemplate)
	h.org("GET /o/{org}/templates/{id}/preview", h.templatePreview)
	h.org("GET /o/{org}/templates/{id}/versions", h.templateVersions)
	h.org("GET /o/{org}/templates/{id}/upgrade", h.upgradePage)
	h.org("POST /o/{org}/templates/{id}/upgrade", h.upgradePersona)
}

func init() {
	funcs["kindLabel"] = func(k string) string { return kindLabel(persona.FieldKind(k)) }
	funcs["fieldKinds"] = func() []persona.FieldKind { return persona.FieldKinds }
	funcs["profileTypes"] = func() []persona.ProfileType { return persona.ProfileTypes }
}

var errAdminsOnly = persona.Errorf(persona.CodeForbidden, "Only admins can change templates.")

func templateURL(org, id string) string { return "/o/" + org + "/templates/" + id }

// kindLabel names a field kind for people.
func kindLabel(k persona.FieldKind) string {
	switch k {
	case persona.KindText:
		return "Short text"
	case persona.KindMarkdown:
		return "Long text (Markdown)"
	case persona.KindList:
		return "List"
	case persona.KindNumber:
		return "Number"
	case persona.KindScale:
		return "Scale"
	case persona.KindChoice:
		return "Single choice"
	case persona.KindMultiChoice:
		return "Multiple choice"
	case persona.KindTags:
		return "Tags"
	case persona.KindURL:
		return "Link (URL)"
	case persona.KindDate:
		return "Date"
	case persona.KindImage:
		return "Picture"
	case persona.KindPersona:
		return "Persona reference"
	}
	return string(k)
}

// ---- the template list ----

type templatesView struct {
	Rows      []templateRow
	CanCreate bool
	New       newTemplateForm
}

type templateRow struct {
	T        persona.Template
	Personas int  // live personas on any version
	Pending  bool // the draft differs from the latest version
	Sections int
	Fields   int
}

type newTemplateForm struct {
	Name        string
	Type        persona.ProfileType
	Description string
	Errors      map[string]string
}

func (h *Handler) templatesPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderTemplates(w, r, c, http.StatusOK, newTemplateForm{Type: persona.ProfileUX})
}

func (h *Handler) renderTemplates(w http.ResponseWriter, r *http.Request, c *Ctx, status int, nf newTemplateForm) error {
	ctx := r.Context()
	ts, err := h.svc.ListTemplates(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v := templatesView{CanCreate: c.Can(persona.RoleAdmin), New: nf}
	for _, t := range ts {
		row := templateRow{T: t, Pending: t.LatestVersion == 0, Sections: len(t.Draft.Sections), Fields: len(t.Draft.FieldKeys())}
		if t.LatestVersion > 0 {
			vs, err := h.svc.ListVersions(ctx, c.Actor, c.Org.Slug, t.ID)
			if err != nil {
				return err
			}
			for _, ver := range vs {
				row.Personas += ver.PersonaCount
				if ver.Version == t.LatestVersion {
					row.Pending = !sameDefinition(ver.Definition, t.Draft)
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return h.render(w, r, c, status, "templates", "Templates", v)
}

func (h *Handler) createTemplate(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	nf := newTemplateForm{Name: r.PostForm.Get("name"), Type: persona.ProfileType(r.PostForm.Get("profile_type")),
		Description: r.PostForm.Get("description")}
	t, err := h.svc.CreateTemplate(r.Context(), c.Actor, c.Org.Slug, app.TemplateInput{
		Name: nf.Name, ProfileType: nf.Type, Description: nf.Description})
	if err == nil {
		return redirect(w, r, templateURL(c.Org.Slug, t.ID), "Template created. Add sections, fields and dimensions, then publish it.")
	}
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeInvalid {
		return err
	}
	nf.Errors = map[string]string{}
	for _, fe := range e.Fields {
		if _, dup := nf.Errors[fe.Field]; !dup {
			nf.Errors[fe.Field] = errText("", fe.Field, fe.Message)
		}
	}
	if len(nf.Errors) == 0 {
		nf.Errors["form"] = e.Message
	}
	return h.renderTemplates(w, r, c, http.StatusUnprocessableEntity, nf)
}

// ---- the builder ----

// builderView is the draft editor: the whole draft as one form.
type builderView struct {
	T           persona.Template // as stored
	Name        string           // as typed
	Desc        string
	Action      string
	PublishURL  string
	BaseURL     string
	Sections    []bSectionView
	Dimensions  []bDimensionView
	Editable    bool
	Errors      map[string]string // name, description, sections, dimensions
	Unplaced    []string          // messages with no input to stand next to
	Problems    []problemLink     // every placed message, linked to its input
	ErrorCount  int
	Notice      string // a status line (htmx swaps, which carry no flash)
	Alert       string // e.g. why publishing was refused
	AlertID     string
	Focus       string // id of the element to focus
	Changes     defChanges
	Pending     bool // the draft differs from the latest version
	NextVersion int
	FieldCount  int
	// OpenName is the row open for editing (s.0, s.0.f.1, d.2): posted by
	// the form so that a save keeps it open; settleOpen opens it.
	OpenName string
	Preview  previewBody // the live preview beside the outline
}

// problemLink is one entry of the error summary: where and what.
type problemLink struct{ Target, Where, Message string }

type bSectionView struct {
	sectionForm
	Index         int
	ID            string // s0
	Name          string // s.0
	TypeLabel     string // the label for the template's profile type
	TypeLabelName string
	Hidden        []bHiddenInput // labels for the other profile types
	Fields        []bFieldView
	Err           map[string]string
	First, Last   bool
	Open          bool // the row is open for editing
	ErrCount      int
}

type bHiddenInput struct{ Name, Value string }

type bFieldView struct {
	fieldForm
	ID, Name       string // s0-f1, s.0.f.1
	Number         int
	Err            map[string]string
	CanUp, CanDown bool
	Renamed        bool
	Open           bool
	ErrCount       int
}

type bDimensionView struct {
	dimensionForm
	ID, Name    string // d0, d.0
	Number      int
	Err         map[string]string
	First, Last bool
	Renamed     bool
	Open        bool
	ErrCount    int
}

// loadTemplate reads the template in the path and its latest published
// definition (empty before the first publish).
func (h *Handler) loadTemplate(r *http.Request, c *Ctx) (persona.Template, persona.Definition, error) {
	t, err := h.svc.GetTemplate(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return t, persona.Definition{}, err
	}
	if t.LatestVersion == 0 {
		return t, persona.Definition{}, nil
	}
	v, err := h.svc.GetVersion(r.Context(), c.Actor, c.Org.Slug, t.ID, t.LatestVersion)
	return t, v.Definition, err
}

var focusPattern = regexp.MustCompile(`^[a-z0-9_-]{1,60}$`)

func (h *Handler) builderPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, published, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	v := builderViewOf(c, t, published, draftFormOf(t, published), t.Draft, nil)
	if f := r.URL.Query().Get("focus"); focusPattern.MatchString(f) {
		v.Focus = f
		v.settleFocus()
	}
	if o := r.URL.Query().Get("open"); openPattern.MatchString(o) {
		v.OpenName = o
	}
	v.settleOpen()
	return h.render(w, r, c, http.StatusOK, "template_builder", t.Name, v)
}

// saveBuilder applies the form's op to the posted draft and saves it. A draft
// the domain refuses comes back with every message next to its input and
// nothing saved.
func (h *Handler) saveBuilder(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, published, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	if !c.Can(persona.RoleAdmin) {
		return errAdminsOnly
	}
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	f := readDraftForm(r.PostForm)
	op := r.PostForm.Get("op")
	if op == "preview" {
		// The live preview: the persona form the posted draft gives,
		// nothing saved.
		f.fillKeys()
		def, _ := f.definition()
		return h.renderFragment(w, http.StatusOK, "template_builder", "b-preview-body", previewBodyOf(c.Org.Slug, t.ProfileType, def))
	}
	notice, focus, err := f.apply(op)
	if err != nil {
		return err
	}
	// A plain save keeps the row that was open for editing open.
	open := ""
	if o := r.PostForm.Get("open"); (op == "" || op == "save") && openPattern.MatchString(o) {
		open = o
	}
	saved, def, errs, changed, err := h.saveDraftForm(r, c, t, &f)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		v := builderViewOf(c, t, published, f, def, errs)
		v.Focus, v.OpenName = focus, open
		v.settleFocus()
		return h.respondBuilder(w, r, c, http.StatusUnprocessableEntity, v)
	}
	if !changed {
		notice = "No changes to save."
	}
	if r.Header.Get("HX-Request") != "" {
		v := builderViewOf(c, saved, published, f, def, nil)
		v.Notice, v.Focus, v.OpenName = notice, focus, open
		v.settleFocus()
		return h.respondBuilder(w, r, c, http.StatusOK, v)
	}
	to := templateURL(c.Org.Slug, t.ID)
	switch {
	case focus != "":
		to += "?focus=" + url.QueryEscape(focus) + "#" + focus
	case open != "":
		to += "?open=" + url.QueryEscape(open)
	}
	return redirect(w, r, to, notice)
}

// saveDraftForm checks the form and, when the domain accepts it, saves the
// name, description and draft that changed. Validation problems come back as
// errs (nothing saved); other failures as err.
func (h *Handler) saveDraftForm(r *http.Request, c *Ctx, t persona.Template, f *draftForm) (saved persona.Template, def persona.Definition, errs []persona.FieldError, changed bool, err error) {
	f.fillKeys()
	def, errs = f.check()
	if len(errs) > 0 {
		return t, def, errs, false, nil
	}
	ctx := r.Context()
	saved = t
	if f.Name != t.Name || f.Description != t.Description {
		saved, err = h.svc.UpdateTemplate(ctx, c.Actor, c.Org.Slug, t.ID, app.TemplateInput{Name: f.Name, Description: f.Description})
		if err != nil {
			return t, def, fieldsOrNil(err), false, errUnlessInvalid(err)
		}
		changed = true
	}
	if !sameDefinition(def, t.Draft) {
		withDraft, err := h.svc.SaveDraft(ctx, c.Actor, c.Org.Slug, t.ID, def)
		if err != nil {
			return t, def, fieldsOrNil(err), changed, errUnlessInvalid(err)
		}
		saved.Draft, saved.DraftUpdatedAt, saved.UpdatedAt = withDraft.Draft, withDraft.DraftUpdatedAt, withDraft.UpdatedAt
		changed = true
	}
	return saved, def, nil, changed, nil
}

func fieldsOrNil(err error) []persona.FieldError {
	if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
		if len(e.Fields) == 0 {
			return []persona.FieldError{{Field: "form", Message: e.Message}}
		}
		return e.Fields
	}
	return nil
}

func errUnlessInvalid(err error) error {
	if persona.ErrorCode(err) == persona.CodeInvalid {
		return nil
	}
	return err
}

// respondBuilder renders the builder: the whole page, or for htmx just the
// builder, which replaces itself.
func (h *Handler) respondBuilder(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v builderView) error {
	v.settleOpen()
	if r.Header.Get("HX-Request") != "" {
		return h.renderFragment(w, status, "template_builder", "builder", layout{C: c, Page: v})
	}
	v.Notice = ""
	return h.render(w, r, c, status, "template_builder", v.T.Name, v)
}

// publishTemplate freezes the draft as the next version. Posted from the
// builder, it saves the form first so that what is on screen is published.
func (h *Handler) publishTemplate(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, published, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	if hasDraftInputs(r.PostForm) {
		if !c.Can(persona.RoleAdmin) {
			return errAdminsOnly
		}
		f := readDraftForm(r.PostForm)
		saved, def, errs, _, err := h.saveDraftForm(r, c, t, &f)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			v := builderViewOf(c, t, published, f, def, errs)
			v.Alert, v.AlertID = "Nothing was published: the draft has problems.", "publish-refused"
			return h.respondBuilder(w, r, c, http.StatusUnprocessableEntity, v)
		}
		t = saved
	}
	ver, err := h.svc.Publish(r.Context(), c.Actor, c.Org.Slug, t.ID)
	if persona.ErrorCode(err) == persona.CodeConflict {
		// Nothing to publish (or someone published meanwhile): say so on
		// the builder rather than on an error page.
		t, published, lerr := h.loadTemplate(r, c)
		if lerr != nil {
			return lerr
		}
		v := builderViewOf(c, t, published, draftFormOf(t, published), t.Draft, nil)
		e, _ := persona.AsError(err)
		v.Alert, v.AlertID = "Nothing was published: "+e.Message+".", "publish-refused"
		return h.respondBuilder(w, r, c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, templateURL(c.Org.Slug, t.ID), fmt.Sprintf("Published version %d. Existing personas stay on their version until they are upgraded.", ver.Version))
}

// builderViewOf lays out form f for template t. def is the definition f
// describes (for the summary of changes); errs are placed next to their
// inputs.
func builderViewOf(c *Ctx, t persona.Template, published persona.Definition, f draftForm, def persona.Definition, errs []persona.FieldError) builderView {
	base := templateURL(c.Org.Slug, t.ID)
	v := builderView{
		T: t, Name: f.Name, Desc: f.Description, Action: base, PublishURL: base + "/publish", BaseURL: base,
		Editable: c.Can(persona.RoleAdmin), Pending: t.LatestVersion == 0, NextVersion: t.LatestVersion + 1,
	}
	if t.LatestVersion > 0 {
		v.Changes = diffDefinitions(published, def)
		v.Pending = !sameDefinition(published, def)
	}
	nFields := 0
	for _, s := range f.Sections {
		nFields += len(s.Fields)
	}
	seen := 0
	for i, s := range f.Sections {
		sv := bSectionView{sectionForm: s, Index: i, ID: "s" + strconv.Itoa(i), Name: "s." + strconv.Itoa(i),
			TypeLabel: s.Labels[t.ProfileType], TypeLabelName: "s." + strconv.Itoa(i) + ".labels." + string(t.ProfileType),
			First: i == 0, Last: i == len(f.Sections)-1}
		for _, typ := range persona.ProfileTypes {
			if typ != t.ProfileType && s.Labels[typ] != "" {
				sv.Hidden = append(sv.Hidden, bHiddenInput{Name: sv.Name + ".labels." + string(typ), Value: s.Labels[typ]})
			}
		}
		for j, fd := range s.Fields {
			sv.Fields = append(sv.Fields, bFieldView{fieldForm: fd,
				ID: fmt.Sprintf("s%d-f%d", i, j), Name: fmt.Sprintf("s.%d.f.%d", i, j), Number: j + 1,
				CanUp: seen > 0, CanDown: seen < nFields-1, Renamed: fd.Was != "" && fd.Was != fd.Key})
			seen++
		}
		v.Sections = append(v.Sections, sv)
	}
	for i, d := range f.Dimensions {
		v.Dimensions = append(v.Dimensions, bDimensionView{dimensionForm: d, ID: "d" + strconv.Itoa(i), Name: "d." + strconv.Itoa(i),
			Number: i + 1, First: i == 0, Last: i == len(f.Dimensions)-1, Renamed: d.Was != "" && d.Was != d.Key})
	}
	v.FieldCount = nFields
	v.Preview = previewBodyOf(c.Org.Slug, t.ProfileType, def)
	placeErrors(&v, errs)
	return v
}

var (
	openPattern      = regexp.MustCompile(`^(?:s\.\d{1,4}(?:\.f\.\d{1,4})?|d\.\d{1,4})$`)
	focusItemPattern = regexp.MustCompile(`^(s\d+-f\d+|s\d+|d\d+)-(.+)$`)
)

// settleOpen decides which rows of the outline are open for editing: those
// with problems, the one holding the focus (a moved or added item), or else
// the one the form said was open. OpenName becomes the first open row.
func (v *builderView) settleOpen() {
	focusItem := ""
	if m := focusItemPattern.FindStringSubmatch(v.Focus); m != nil && m[2] != "add-field" {
		focusItem = m[1]
	}
	want := v.OpenName
	if focusItem != "" {
		want = ""
	}
	v.OpenName = ""
	mark := func(open *bool, count *int, errs map[string]string, id, name string) {
		*count = len(errs)
		*open = *count > 0 || id == focusItem || name == want
		if *open && v.OpenName == "" {
			v.OpenName = name
		}
	}
	for i := range v.Sections {
		s := &v.Sections[i]
		mark(&s.Open, &s.ErrCount, s.Err, s.ID, s.Name)
		for j := range s.Fields {
			f := &s.Fields[j]
			mark(&f.Open, &f.ErrCount, f.Err, f.ID, f.Name)
		}
	}
	for i := range v.Dimensions {
		d := &v.Dimensions[i]
		mark(&d.Open, &d.ErrCount, d.Err, d.ID, d.Name)
	}
}

// settleFocus keeps the focus on a moved item usable: when the item reached
// the end it was moved towards, its other move button takes the focus.
func (v *builderView) settleFocus() {
	id, dirn, ok := strings.Cut(v.Focus, "-move-")
	if !ok {
		return
	}
	flip := func(canUp, canDown bool) {
		if dirn == "up" && !canUp && canDown {
			v.Focus = id + "-move-down"
		} else if dirn == "down" && !canDown && canUp {
			v.Focus = id + "-move-up"
		}
	}
	for _, s := range v.Sections {
		if s.ID == id {
			flip(!s.First, !s.Last)
		}
		for _, f := range s.Fields {
			if f.ID == id {
				flip(f.CanUp, f.CanDown)
			}
		}
	}
	for _, d := range v.Dimensions {
		if d.ID == id {
			flip(!d.First, !d.Last)
		}
	}
}

var (
	sectionPath   = regexp.MustCompile(`^sections\[(\d+)\](?:\.fields\[(\d+)\])?\.(.+)$`)
	dimensionPath = regexp.MustCompile(`^dimensions\[(\d+)\]\.(.+)$`)
)

var fieldAttrs = map[string]bool{"key": true, "label": true, "help": true, "kind": true, "max_length": true,
	"min": true, "max": true, "low_label": true, "high_label": true, "options": true}

// placeErrors puts each validation message next to the input it is about;
// messages without one are listed at the top.
func placeErrors(v *builderView, errs []persona.FieldError) {
	v.ErrorCount = len(errs)
	if len(errs) == 0 {
		return
	}
	v.Errors = map[string]string{}
	put := func(m *map[string]string, attr, msg string) {
		if *m == nil {
			*m = map[string]string{}
		}
		if _, dup := (*m)[attr]; !dup {
			(*m)[attr] = msg
		}
	}
	for _, fe := range errs {
		switch fe.Field {
		case "name", "description":
			put(&v.Errors, fe.Field, errText("", fe.Field, fe.Message))
			v.Problems = append(v.Problems, problemLink{Target: "t-" + fe.Field, Where: "Template", Message: v.Errors[fe.Field]})
			continue
		case "sections", "dimensions":
			put(&v.Errors, fe.Field, errText("", fe.Field, fe.Message))
			continue
		}
		if m := sectionPath.FindStringSubmatch(fe.Field); m != nil {
			si, _ := strconv.Atoi(m[1])
			attr := m[3]
			if si < len(v.Sections) {
				s := &v.Sections[si]
				where := "Section " + strconv.Itoa(si+1)
				if m[2] == "" {
					input := attr
					if attr == "labels."+string(v.T.ProfileType) {
						input = "typelabel"
					}
					if input == "key" || input == "label" || input == "help" || input == "typelabel" {
						msg := errText("section", attr, fe.Message)
						put(&s.Err, attr, msg)
						v.Problems = append(v.Problems, problemLink{Target: s.ID + "-" + input, Where: where, Message: msg})
						continue
					}
				} else if fi, _ := strconv.Atoi(m[2]); fi < len(s.Fields) && fieldAttrs[attr] {
					f := &s.Fields[fi]
					msg := errText("field", attr, fe.Message)
					put(&f.Err, attr, msg)
					v.Problems = append(v.Problems, problemLink{Target: f.ID + "-" + attr,
						Where: where + ", field " + strconv.Itoa(fi+1) + " “" + f.Label + "”", Message: msg})
					continue
				}
			}
		}
		if m := dimensionPath.FindStringSubmatch(fe.Field); m != nil {
			di, _ := strconv.Atoi(m[1])
			if di < len(v.Dimensions) && fieldAttrs[m[2]] {
				d := &v.Dimensions[di]
				msg := errText("dimension", m[2], fe.Message)
				put(&d.Err, m[2], msg)
				v.Problems = append(v.Problems, problemLink{Target: d.ID + "-" + m[2],
					Where: "Dimension " + strconv.Itoa(di+1) + " “" + d.Label + "”", Message: msg})
				continue
			}
		}
		v.Unplaced = append(v.Unplaced, fe.Field+": "+fe.Message)
	}
}

var attrNames = map[string]string{
	"name": "Name", "description": "Description", "profile_type": "Profile type", "key": "Key", "label": "Label",
	"help": "Help text", "kind": "Kind", "max_length": "Maximum length", "min": "Minimum", "max": "Maximum",
	"low_label": "Low-end label", "high_label": "High-end label", "options": "Options",
	"sections": "The template", "dimensions": "The template",
}

// errText turns a domain message ("is required", "duplicate key goals")
// into a sentence that stands next to its input.
func errText(item, attr, msg string) string {
	if k, ok := strings.CutPrefix(msg, "duplicate key "); ok && item != "" {
		return "Another " + item + " already uses the key “" + k + "”."
	}
	name, ok := attrNames[attr]
	if strings.HasPrefix(attr, "labels.") {
		name, ok = "Label", true
	}
	for _, p := range []string{"is ", "must ", "needs ", "contains ", "has ", "cannot "} {
		if ok && strings.HasPrefix(msg, p) {
			return name + " " + msg + "."
		}
	}
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}
