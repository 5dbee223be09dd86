package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
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
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, d.Base)
	if err != nil {
		return err
	}
	v := variantView{D: d, Base: d.Base, CanEdit: c.Can(persona.RoleEditor), Overrides: len(d.Variant.Values) + len(d.Variant.Dimensions)}
	v.Sections, v.Dimensions = variantRows(ver.Definition, d.Base.ProfileType, d.Base.Content, d.Variant.VariantContent, d.BaseChanged)
	if v.Notes, err = h.notesFor(r, c, persona.NoteOnVariant, d.Variant.ID, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID); err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "variant", d.Base.Name+" at "+d.CustomerName(), v)
}

// ---- form ----

type variantFormView struct {
	New        bool
	Action     string
	CancelURL  string
	Base       persona.Persona
	Revision   int
	Customers  []persona.Persona // archetypes to choose from
	CustomerID string
	Label      string
	Note       string
	Message    string
	Sections   []variantFormSection
	Dimensions []variantFormDimension
	Changed    []string
	Errors     map[string]string
	ErrorCount int
	ErrorLinks []errorLink // the fields with an error, in form order
	Conflict   bool
}

// errorLink names a field with an error and links to its input.
type errorLink struct {
	Label, Anchor string
}

type variantFormSection struct {
	Label  string
	Fields []variantFormField
}

type variantFormField struct {
	Path       string
	Input      formField
	Overridden bool
	Mark       string // what the row shows (s.<path>; see variant_changes.go)
	Note       string
	Base       any
	Changed    bool
}

type variantFormDimension struct {
	Path       string
	Input      formDimension
	Overridden bool
	Mark       string
	Note       string
	Base       any
	Changed    bool
}

func (h *Handler) variantForm(r *http.Request, c *Ctx, base persona.Persona, content persona.VariantContent, errs map[string]string) (variantFormView, error) {
	ver, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, base)
	if err != nil {
		return variantFormView{}, err
	}
	archetypes, err := h.allPersonas(r, c, persona.PersonaFilter{ProfileType: persona.ProfileArchetype})
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
	var fieldLinks []errorLink // after the dimensions' links, as the form shows them
	for _, s := range ver.Definition.Sections {
		fs := variantFormSection{Label: s.LabelFor(base.ProfileType)}
		for _, f := range s.Fields {
			path := "values." + f.Key
			over, ok := content.Values[f.Key]
			val := base.Values[f.Key]
			if ok {
				val = over
			}
			if _, bad := errs[path]; bad {
				fieldLinks = append(fieldLinks, errorLink{Label: f.Label, Anchor: "row-" + path})
			}
			fs.Fields = append(fs.Fields, variantFormField{Path: path, Input: formFieldOf(f, val, errs[path]), Overridden: ok,
				Mark: rowMark(ok, shownField(f, val)),
				Note: content.FieldNotes[path], Base: base.Values[f.Key], Changed: slices.Contains(changed, path)})
		}
		v.Sections = append(v.Sections, fs)
	}
	for _, d := range ver.Definition.Dimensions {
		path := "dimensions." + d.Key
		over, ok := content.Dimensions[d.Key]
		val := base.Dimensions[d.Key]
		if ok {
			val = over
		}
		if _, bad := errs[path]; bad {
			v.ErrorLinks = append(v.ErrorLinks, errorLink{Label: d.Label, Anchor: "row-" + path})
		}
		v.Dimensions = append(v.Dimensions, variantFormDimension{Path: path, Overridden: ok, Note: content.FieldNotes[path],
			Mark: rowMark(ok, shownDimension(d, val)),
			Base: base.Dimensions[d.Key], Changed: slices.Contains(changed, path),
			Input: formDimension{Dimension: d, ID: "d-" + d.Key, Name: "d." + d.Key, Text: valueText(val), Unset: !present(val), Error: errs[path]}})
	}
	v.ErrorLinks = append(v.ErrorLinks, fieldLinks...)
	return v, nil
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
	v, err := h.variantForm(r, c, base, persona.VariantContent{CustomerID: r.URL.Query().Get("customer")}, nil)
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
	err = persona.Invalid("some changed values need a decision", unclear)
	if err == nil {
		var created persona.Variant
		if created, err = h.svc.CreateVariant(r.Context(), c.Actor, c.Org.Slug, base.ID, in); err == nil {
			return redirect(w, r, "/o/"+c.Org.Slug+"/variants/"+created.ID, savedMessage("Variant created.", changed))
		}
	}
	return h.variantFormError(w, r, c, base, persona.VariantContent{}, in, err, func(v *variantFormView) {
		v.New, v.Action, v.CancelURL = true, "/o/"+c.Org.Slug+"/personas/"+base.ID+"/variants", "/o/"+c.Org.Slug+"/personas/"+base.ID
	})
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
	v, ferr := h.variantForm(r, c, base, content, errs)
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
	v, err := h.variantForm(r, c, d.Base, d.Variant.VariantContent, nil)
	if err != nil {
		return err
	}
	v.Action, v.CancelURL, v.Revision = "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, d.Variant.Revision
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
	if r.PostForm.Get("action") == "" {
		in, changed, unclear = readVariantForm(r, ver.Definition, d.Base.Content, d.Variant.VariantContent)
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
	return h.variantFormError(w, r, c, d.Base, d.Variant.VariantContent, in, err, func(v *variantFormView) {
		v.Action, v.CancelURL, v.Revision = "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, "/o/"+c.Org.Slug+"/variants/"+d.Variant.ID, d.Variant.Revision
	})
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
