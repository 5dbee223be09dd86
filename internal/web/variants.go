package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

func (h *Handler) variantRoutes() {
	h.org("GET /o/{org}/personas/{id}/variants/new", h.newVariantPage)
	h.org("POST /o/{org}/personas/{id}/variants", h.createVariant)
	h.org("GET /o/{org}/personas/{id}/variants/compare", h.compareVariantsPage)
	h.org("GET /o/{org}/variants/{vid}", h.variantPage)
	h.org("GET /o/{org}/variants/{vid}/edit", h.editVariantPage)
	h.org("POST /o/{org}/variants/{vid}", h.updateVariant)
	h.org("POST /o/{org}/variants/{vid}/trash", h.trashVariant)
	h.org("POST /o/{org}/variants/{vid}/restore", h.restoreVariant)
	h.org("GET /o/{org}/customers/{id}", h.customerPage)
}

// variantRow is one field or dimension seen through a variant: the base
// value, the override (if any), the note and whether the base moved since.
type variantRow struct {
	Path        string
	Label       string
	Field       persona.Field // zero for dimensions
	Dimension   persona.Dimension
	IsDimension bool
	Base        any
	Override    any
	Overridden  bool
	Note        string
	BaseChanged bool
	Then        any // the base when the override was made
}

type variantSection struct {
	Label string
	Rows  []variantRow
}

// variantView is a variant's effective profile.
type variantView struct {
	D          app.VariantDetail
	Base       persona.Persona
	Sections   []variantSection
	Dimensions []variantRow
	Overrides  int
	CanEdit    bool
	Notes      notesView
	Comments   commentsView // comments.go
	Photo      string       // the base persona's photo (photos.go); "" without one
}

func variantRows(def persona.Definition, t persona.ProfileType, base persona.Content, v persona.VariantContent, changed []string) ([]variantSection, []variantRow) {
	row := func(path, label string, baseVal any) variantRow {
		over, ok := lookupOverride(v, path)
		return variantRow{Path: path, Label: label, Base: baseVal, Override: over, Overridden: ok,
			Note: v.FieldNotes[path], BaseChanged: slices.Contains(changed, path), Then: v.BaseAtOverride[path]}
	}
	var sections []variantSection
	for _, s := range def.Sections {
		vs := variantSection{Label: s.LabelFor(t)}
		for _, f := range s.Fields {
			r := row("values."+f.Key, f.Label, base.Values[f.Key])
			r.Field = f
			vs.Rows = append(vs.Rows, r)
		}
		sections = append(sections, vs)
	}
	var dims []variantRow
	for _, d := range def.Dimensions {
		r := row("dimensions."+d.Key, d.Label, base.Dimensions[d.Key])
		r.Dimension, r.IsDimension = d, true
		dims = append(dims, r)
	}
	return sections, dims
}

func lookupOverride(v persona.VariantContent, path string) (any, bool) {
	if k, ok := strings.CutPrefix(path, "values."); ok {
		x, ok := v.Values[k]
		return x, ok
	}
	k := strings.TrimPrefix(path, "dimensions.")
	x, ok := v.Dimensions[k]
	return x, ok
}

func (h *Handler) variantPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := h.svc.GetVariant(r.Context(), c.Actor, c.Org.Slug, r.PathValue("vid"))
	if err != nil {
		return err
	}
	h.svc.RecordView(c.Actor, c.Org.ID, d.Base.ID, app.ViewPersona) // a view of its base (usage.go)
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, d.Base)
	if err != nil {
		return err
	}
	v := variantView{D: d, Base: d.Base, CanEdit: c.Can(persona.RoleEditor), Overrides: len(d.Variant.Values) + len(d.Variant.Dimensions)}
	v.Sections, v.Dimensions = variantRows(ver.Definition, d.Base.ProfileType, d.Base.Content, d.Variant.VariantContent, d.BaseChanged)
	photos, err := h.photoVersions(r, c)
	if err != nil {
		return err
	}
	v.Photo = photoURL(c.Org.Slug, d.Base.ID, photos[d.Base.ID], photo.Large)
	if v.Notes, err = h.notesFor(r, c, persona.NoteOnVariant, d.Variant.ID, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID); err != nil {
		return err
	}
	if v.Comments, err = h.commentsFor(r, c, persona.CommentOnVariant, d.Variant.ID, nil); err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "variant", d.Base.Name+" at "+d.CustomerName(), v)
}

// ---- form ----

type variantFormView struct {
	New        bool
	VariantID  string // an existing variant's (its presence line)
	Action     string
	CancelURL  string
	Base       persona.Persona
	Revision   int
	Customers  []persona.Persona // archetypes to choose from
	CustomerID string
	Label      string
	Note       string
	Message    string
	// Rows are the overridden fields only, in the template's order; the
	// others follow the base and can be added from Addable.
	Rows       []variantFormRow
	Addable    []addGroup
	Changed    []string
	Errors     map[string]string
	ErrorCount int
	ErrorLinks []errorLink // the fields with an error, in form order
	Conflict   bool
}

// errorLink names a field with an error and links to its input.
type errorLink struct {
	Label, Anchor string
	Message       string // what is wrong, after the label ("is required")
}

// variantFormRow is one override on the variant form: its control, its
// "what changes" note and the base value it replaces.
type variantFormRow struct {
	Path    string
	Section string
	Input   formField
	Note    string
	Base    any
	Changed bool // the base changed since the override was made
	Added   bool // just added: focused
}

// addGroup is one section's fields that can still be overridden.
type addGroup struct {
	Label   string
	Options []addOption
}

type addOption struct{ Path, Label string }

// variantForm lays out the form for content: a row for each override and
// for each path in add (a field the user chose to override, showing the
// base value to start from).
func (h *Handler) variantForm(r *http.Request, c *Ctx, base persona.Persona, content persona.VariantContent, errs map[string]string, add []string) (variantFormView, error) {
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, base)
	if err != nil {
		return variantFormView{}, err
	}
	archetypes, err := h.allPersonas(r, c, persona.PersonaFilter{ProfileType: persona.ProfileArchetype})
	if err != nil {
		return variantFormView{}, err
	}
	// Persona reference overrides choose from the organisation's personas
	// (refs.go); the targets of the base and the overrides keep their names.
	shown := persona.CloneValues(base.Values)
	for k, val := range content.Values {
		shown[k] = val
	}
	refs, err := h.refChoices(r, c, ver.Definition, base.ID, shown)
	if err != nil {
		return variantFormView{}, err
	}
	changed := persona.BaseChanged(base.Content, content)
	v := variantFormView{Base: base, CustomerID: content.CustomerID, Label: content.CustomerLabel, Note: content.Note,
		Errors: errs, ErrorCount: len(errs), Changed: changed}
	for _, a := range archetypes {
		if a.ID != base.ID {
			v.Customers = append(v.Customers, a)
		}
	}
	focus := ""
	if len(add) > 0 {
		focus = add[len(add)-1]
	}
	row := func(path, section string, input formField, over bool, baseVal any) {
		added := !over && slices.Contains(add, path)
		if !over && !added {
			return
		}
		input.Focus = path == focus
		v.Rows = append(v.Rows, variantFormRow{Path: path, Section: section, Input: input, Note: content.FieldNotes[path],
			Base: baseVal, Changed: slices.Contains(changed, path), Added: added})
	}
	addable := func(g *addGroup, path, label string) {
		if !slices.ContainsFunc(v.Rows, func(r variantFormRow) bool { return r.Path == path }) {
			g.Options = append(g.Options, addOption{Path: path, Label: label})
		}
	}
	for _, s := range ver.Definition.Sections {
		label := s.LabelFor(base.ProfileType)
		g := addGroup{Label: label}
		for _, f := range s.Fields {
			path := "values." + f.Key
			over, ok := content.Values[f.Key]
			val := base.Values[f.Key]
			if ok {
				val = over
			}
			input := formFieldOf(f, val, errs[path])
			if f.Kind == persona.KindPersona {
				input.Refs = refs.options(f, val)
			}
			row(path, label, input, ok, base.Values[f.Key])
			addable(&g, path, f.Label)
		}
		if len(g.Options) > 0 {
			v.Addable = append(v.Addable, g)
		}
	}
	g := addGroup{Label: "Comparison dimensions"}
	for _, d := range ver.Definition.Dimensions {
		path := "dimensions." + d.Key
		over, ok := content.Dimensions[d.Key]
		val := base.Dimensions[d.Key]
		if ok {
			val = over
		}
		row(path, "Comparison dimensions", dimensionInput(d, val, errs[path]), ok, base.Dimensions[d.Key])
		addable(&g, path, d.Label)
	}
	if len(g.Options) > 0 {
		v.Addable = append(v.Addable, g)
	}
	if msg, ok := errs["customer"]; ok {
		v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: "Customer type", Anchor: "customer_id", Message: msg})
	}
	if msg, ok := errs["note"]; ok {
		v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: "What changes for this customer", Anchor: "note", Message: msg})
	}
	first := ""
	for i, r := range v.Rows {
		if r.Input.Error != "" {
			v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: r.Input.Field.Label, Anchor: r.Input.ID, Message: r.Input.Error})
			if first == "" {
				first = r.Path
				for j := range v.Rows {
					v.Rows[j].Input.Focus = false
				}
				v.Rows[i].Input.Focus = true
			}
		}
	}
	return v, nil
}

// addPaths reads the fields to add to a variant form: ?add= (or a posted
// add) names a field by its key or its path; unknown names are ignored.
func addPaths(def persona.Definition, names []string) []string {
	var out []string
	for _, name := range names {
		if name == "" {
			continue
		}
		path := ""
		if strings.HasPrefix(name, "values.") || strings.HasPrefix(name, "dimensions.") {
			path = name
		} else if _, ok := def.Field(name); ok {
			path = "values." + name
		} else {
			path = "dimensions." + name
		}
		if k, ok := strings.CutPrefix(path, "values."); ok {
			if _, known := def.Field(k); !known {
				continue
			}
		} else if !slices.ContainsFunc(def.Dimensions, func(d persona.Dimension) bool { return "dimensions."+d.Key == path }) {
			continue
		}
		if !slices.Contains(out, path) {
			out = append(out, path)
		}
	}
	return out
}

// readVariantForm reads the overrides of a posted variant form, with their
// notes: the rows the user ticked, and the rows whose value the user
// changed without ticking (see variant_changes.go). changed names the
// latter; unclear lists the changed rows that need the user's word (their
// values are in the input, to show them again).
func readVariantForm(r *http.Request, def persona.Definition, base persona.Content, prev persona.VariantContent) (in app.VariantInput, changed []string, unclear []persona.FieldError) {
	f := r.PostForm
	in = app.VariantInput{Note: f.Get("note"), Message: strings.TrimSpace(f.Get("message")),
		Values: persona.Values{}, Dimensions: persona.Values{}, FieldNotes: map[string]string{}, Confirm: f["confirm"]}
	if cid := f.Get("customer_id"); cid != "" {
		in.CustomerID = cid
	} else {
		in.CustomerLabel = f.Get("customer_label")
	}
	// take reports whether a row counts as an override: ticked, or changed.
	take := func(path, label, name, submitted, shownBase string, prevShown *string) bool {
		if f.Get("o."+path) != "" {
			if submitted == canonText(nil, true) && shownBase != submitted {
				unclear = append(unclear, persona.FieldError{Field: path, Message: msgEmptied})
			}
			return true
		}
		if !rowPosted(f, path, name) {
			return false
		}
		over, msg := untickedRow(f, path, submitted, shownBase, prevShown)
		switch {
		case msg != "":
			unclear = append(unclear, persona.FieldError{Field: path, Message: msg})
		case over:
			changed = append(changed, label)
		}
		return over
	}
	for _, s := range def.Sections {
		for _, fd := range s.Fields {
			path := "values." + fd.Key
			var prevShown *string
			if pv, ok := prev.Values[fd.Key]; ok {
				ps := shownField(fd, pv)
				prevShown = &ps
			}
			if !take(path, fd.Label, "v."+fd.Key, submittedField(fd, f), shownField(fd, base.Values[fd.Key]), prevShown) {
				continue
			}
			v, ok := readFieldValue(f, fd)
			if !ok {
				v = nil // empty: refused above unless the base is empty too, then dropped by validation
			}
			in.Values[fd.Key] = v
			in.FieldNotes[path] = f.Get("n." + path)
		}
	}
	for _, d := range def.Dimensions {
		path := "dimensions." + d.Key
		var prevShown *string
		if pv, ok := prev.Dimensions[d.Key]; ok {
			ps := shownDimension(d, pv)
			prevShown = &ps
		}
		if !take(path, d.Label, "d."+d.Key, submittedDimension(d, f), shownDimension(d, base.Dimensions[d.Key]), prevShown) {
			continue
		}
		in.Dimensions[d.Key] = readDimension(f, d)
		in.FieldNotes[path] = f.Get("n." + path)
	}
	return in, changed, unclear
}

// savedMessage is the flash after saving a variant form; it names the
// values that became overrides because they were changed without a tick.
func savedMessage(done string, changed []string) string {
	if len(changed) == 0 {
		return done
	}
	return done + " Overridden because you changed them: " + strings.Join(changed, ", ") + "."
}

func (h *Handler) newVariantPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	base, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "viewers can read variants but not add them")
	}
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, base)
	if err != nil {
		return err
	}
	v, err := h.variantForm(r, c, base, persona.VariantContent{CustomerID: r.URL.Query().Get("customer")}, nil, addPaths(ver.Definition, r.URL.Query()["add"]))
	if err != nil {
		return err
	}
	v.New, v.Action, v.CancelURL = true, "/o/"+c.Org.Slug+"/personas/"+base.ID+"/variants", "/o/"+c.Org.Slug+"/personas/"+base.ID
	return h.render(w, r, c, http.StatusOK, "variant_form", "New variant of "+base.Name, v)
}

func (h *Handler) createVariant(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	base, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, base)
	if err != nil {
		return err
	}
	in, changed, unclear := readVariantForm(r, ver.Definition, base.Content, persona.VariantContent{})
	newForm := func(v *variantFormView) {
		v.New, v.Action, v.CancelURL = true, "/o/"+c.Org.Slug+"/personas/"+base.ID+"/variants", "/o/"+c.Org.Slug+"/personas/"+base.ID
	}
	if refreshing(r) {
		return h.variantFormRefresh(w, r, c, base, ver.Definition, persona.VariantContent{}, in, newForm)
	}
	err = persona.Invalid("some changed values need a decision", unclear)
	if err == nil {
		var created persona.Variant
		if created, err = h.svc.CreateVariant(r.Context(), c.Actor, c.Org.Slug, base.ID, in); err == nil {
			return redirect(w, r, "/o/"+c.Org.Slug+"/variants/"+created.ID, savedMessage("Variant created.", changed))
		}
	}
	return h.variantFormError(w, r, c, base, persona.VariantContent{}, in, err, newForm)
}

// refreshing reports whether a variant form was posted to add or remove
// an override row rather than to save.
func refreshing(r *http.Request) bool {
	return r.PostForm.Get("do") == "add" || r.PostForm.Get("remove_override") != ""
}

// variantFormRefresh shows the form again with what was posted, one row
// added (do=add with the chosen add) or removed (remove_override=<path>); nothing is
// saved. With the page's script the form is swapped in place (htmx).
func (h *Handler) variantFormRefresh(w http.ResponseWriter, r *http.Request, c *Ctx, base persona.Persona, def persona.Definition, prev persona.VariantContent, in app.VariantInput, setup func(*variantFormView)) error {
	content := persona.VariantContent{CustomerID: in.CustomerID, CustomerLabel: in.CustomerLabel, Note: in.Note,
		Values: in.Values, Dimensions: in.Dimensions, FieldNotes: in.FieldNotes}
	if rm := r.PostForm.Get("remove_override"); rm != "" {
		content.Values = without(content.Values, rm, "values.")
		content.Dimensions = without(content.Dimensions, rm, "dimensions.")
		content.FieldNotes = withoutNote(content.FieldNotes, rm)
	}
	var add []string
	if r.PostForm.Get("do") == "add" {
		add = addPaths(def, r.PostForm["add"])
	}
	persona.RecordBase(base.Content, &content, prev, nil)
	v, err := h.variantForm(r, c, base, content, nil, add)
	if err != nil {
		return err
	}
	v.Message = in.Message
	setup(&v)
	return h.render(w, r, c, http.StatusOK, "variant_form", "Variant of "+base.Name, v)
}

// variantFormError shows the form again after err, with what was posted;
// prev is the variant as stored (empty for a new one), so that only
// overrides whose base really moved are flagged as changed.
func (h *Handler) variantFormError(w http.ResponseWriter, r *http.Request, c *Ctx, base persona.Persona, prev persona.VariantContent, in app.VariantInput, err error, setup func(*variantFormView)) error {
	e, ok := persona.AsError(err)
	if !ok || (e.Code != persona.CodeInvalid && e.Code != persona.CodePreconditionFailed && e.Code != persona.CodePreconditionRequired) {
		return err
	}
	errs := map[string]string{}
	for _, fe := range e.Fields {
		if fe.Field == "customer_id" || fe.Field == "customer_label" {
			fe.Field = "customer"
		}
		if _, dup := errs[fe.Field]; !dup {
			errs[fe.Field] = fe.Message
		}
	}
	if len(errs) == 0 {
		errs["form"] = e.Message
	}
	content := persona.VariantContent{CustomerID: in.CustomerID, CustomerLabel: in.CustomerLabel, Note: in.Note,
		Values: in.Values, Dimensions: in.Dimensions, FieldNotes: in.FieldNotes}
	persona.RecordBase(base.Content, &content, prev, nil)
	v, ferr := h.variantForm(r, c, base, content, errs, nil)
	if ferr != nil {
		return ferr
	}
	v.Message = in.Message
	setup(&v)
	status := http.StatusUnprocessableEntity
	if e.Code != persona.CodeInvalid {
		status, v.Conflict = http.StatusConflict, true
	}
	return h.render(w, r, c, status, "variant_form", "Variant of "+base.Name, v)
}

func (h *Handler) editVariantPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := h.svc.GetVariant(r.Context(), c.Actor, c.Org.Slug, r.PathValue("vid"))
	if err != nil {
		return err
	}
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "viewers can read variants but not edit them")
	}
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, d.Base)
	if err != nil {
		return err
	}
	v, err := h.variantForm(r, c, d.Base, d.Variant.VariantContent, nil, addPaths(ver.Definition, r.URL.Query()["add"]))
	if err != nil {
		return err
	}
	v.Action, v.CancelURL, v.Revision = "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, d.Variant.Revision
	v.VariantID = d.Variant.ID
	return h.render(w, r, c, http.StatusOK, "variant_form", "Edit variant", v)
}

func (h *Handler) updateVariant(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	d, err := h.svc.GetVariant(r.Context(), c.Actor, c.Org.Slug, r.PathValue("vid"))
	if err != nil {
		return err
	}
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, d.Base)
	if err != nil {
		return err
	}
	var (
		in      app.VariantInput
		changed []string
		unclear []persona.FieldError
	)
	editForm := func(v *variantFormView) {
		v.Action, v.CancelURL, v.Revision = "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, d.Variant.Revision
	}
	if r.PostForm.Get("action") == "" {
		in, changed, unclear = readVariantForm(r, ver.Definition, d.Base.Content, d.Variant.VariantContent)
		if refreshing(r) {
			return h.variantFormRefresh(w, r, c, d.Base, ver.Definition, d.Variant.VariantContent, in, func(v *variantFormView) {
				editForm(v)
				v.Revision, _ = strconv.Atoi(r.PostForm.Get("revision"))
			})
		}
	} else {
		// Quick actions from the variant page: confirm or drop one override
		// whose base changed, keeping everything else as it is.
		in = app.VariantInput{CustomerID: d.Variant.CustomerID, CustomerLabel: d.Variant.CustomerLabel, Note: d.Variant.Note,
			Values: d.Variant.Values, Dimensions: d.Variant.Dimensions, FieldNotes: d.Variant.FieldNotes}
		path := r.PostForm.Get("path")
		switch r.PostForm.Get("action") {
		case "confirm":
			in.Confirm, in.Message = []string{path}, "Kept the override of "+path+" after a base change"
		case "drop":
			in.Values, in.Dimensions = without(d.Variant.Values, path, "values."), without(d.Variant.Dimensions, path, "dimensions.")
			in.FieldNotes = withoutNote(d.Variant.FieldNotes, path)
			in.Message = "Dropped the override of " + path
		}
	}
	rev, _ := strconv.Atoi(r.PostForm.Get("revision"))
	if err = persona.Invalid("some changed values need a decision", unclear); err == nil {
		if _, err = h.svc.UpdateVariant(r.Context(), c.Actor, c.Org.Slug, d.Variant.ID, rev, in); err == nil {
			return redirect(w, r, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, savedMessage("Variant saved.", changed))
		}
	}
	if r.PostForm.Get("action") != "" && persona.ErrorCode(err) == persona.CodePreconditionFailed {
		return redirect(w, r, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, "Someone changed this variant meanwhile; nothing was saved. Check it and try again.")
	}
	return h.variantFormError(w, r, c, d.Base, d.Variant.VariantContent, in, err, editForm)
}

func without(m persona.Values, path, prefix string) persona.Values {
	out := persona.Values{}
	for k, v := range m {
		if prefix+k != path {
			out[k] = v
		}
	}
	return out
}

func withoutNote(m map[string]string, path string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != path {
			out[k] = v
		}
	}
	return out
}

func (h *Handler) trashVariant(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := h.svc.GetVariant(r.Context(), c.Actor, c.Org.Slug, r.PathValue("vid"))
	if err != nil {
		return err
	}
	if err := h.svc.TrashVariant(r.Context(), c.Actor, c.Org.Slug, d.Variant.ID); err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+d.Base.ID, "The "+d.CustomerName()+" variant moved to the trash.")
}

func (h *Handler) restoreVariant(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.svc.RestoreVariant(r.Context(), c.Actor, c.Org.Slug, r.PathValue("vid"))
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/variants/"+v.ID, "Variant restored from the trash.")
}

// ---- base and variants side by side ----

type variantCompareView struct {
	Base     persona.Persona
	Variants []app.VariantDetail
	Rows     []variantCompareRow
}

type variantCompareRow struct {
	Section string // set on the first row of a section
	Label   string
	Path    string
	Field   persona.Field // how its values render (a dimension as a scale or a choice)
	Base    any
	Cells   []variantCompareCell
}

type variantCompareCell struct {
	Value      any
	Overridden bool
	Note       string
	Changed    bool
}

func (h *Handler) compareVariantsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	base, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := h.svc.ListVariants(r.Context(), c.Actor, c.Org.Slug, base.ID)
	if err != nil {
		return err
	}
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, base)
	if err != nil {
		return err
	}
	v := variantCompareView{Base: base, Variants: ds}
	add := func(section string, f persona.Field, path string, baseVal any) {
		row := variantCompareRow{Section: section, Label: f.Label, Path: path, Field: f, Base: baseVal}
		for _, d := range ds {
			val, ok := lookupOverride(d.Variant.VariantContent, path)
			if !ok {
				val = baseVal
			}
			row.Cells = append(row.Cells, variantCompareCell{Value: val, Overridden: ok, Note: d.Variant.FieldNotes[path],
				Changed: slices.Contains(d.BaseChanged, path)})
		}
		v.Rows = append(v.Rows, row)
	}
	for _, s := range ver.Definition.Sections {
		for i, f := range s.Fields {
			section := ""
			if i == 0 {
				section = s.LabelFor(base.ProfileType)
			}
			add(section, f, "values."+f.Key, base.Values[f.Key])
		}
	}
	for i, d := range ver.Definition.Dimensions {
		section := ""
		if i == 0 {
			section = "Comparison dimensions"
		}
		add(section, dimensionField(d), "dimensions."+d.Key, base.Dimensions[d.Key])
	}
	return h.render(w, r, c, http.StatusOK, "variant_compare", base.Name+": base and variants", v)
}

// dimensionField is a comparison dimension as a field, so that its value
// renders as the persona page renders it: a scale on its bounds, a choice
// as text.
func dimensionField(d persona.Dimension) persona.Field {
	f := persona.Field{Key: d.Key, Label: d.Label, Kind: persona.KindChoice, Options: d.Options}
	if d.Kind == persona.DimensionScale {
		lo, hi := float64(d.Min), float64(d.Max)
		f.Kind, f.Min, f.Max, f.LowLabel, f.HighLabel = persona.KindScale, &lo, &hi, d.LowLabel, d.HighLabel
	}
	return f
}

// ---- everyone at one customer ----

type customerView struct {
	Customer persona.Persona
	Variants []app.VariantDetail
}

func (h *Handler) customerPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	cust, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := h.svc.CustomerVariants(r.Context(), c.Actor, c.Org.Slug, cust.ID, "")
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "customer", "Everyone at "+cust.Name, customerView{Customer: cust, Variants: ds})
}

// variantsURL is the link to create a variant for a customer.
func variantsURL(org, personaID, customerID string) string {
	return "/o/" + org + "/personas/" + personaID + "/variants/new?customer=" + url.QueryEscape(customerID)
}

func init() { funcs["variantsURL"] = variantsURL }
