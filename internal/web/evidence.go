package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// evidenceRoutes registers the evidence pages: the library with its add
// forms, an item's page (viewer, links, link form), its file, the
// per-persona evidence view and the coverage pages.
func (h *Handler) evidenceRoutes() {
	h.org("GET /o/{org}/evidence", h.evidenceLibrary)
	h.org("POST /o/{org}/evidence", h.addEvidence)
	h.upload("POST /o/{org}/evidence/upload", persona.RoleEditor, h.uploadLimit, false, h.uploadEvidence)
	h.org("GET /o/{org}/evidence/coverage", h.orgCoveragePage)
	h.org("GET /o/{org}/evidence/{id}", h.evidencePage)
	h.org("GET /o/{org}/evidence/{id}/edit", h.editEvidencePage)
	h.org("POST /o/{org}/evidence/{id}", h.updateEvidence)
	h.org("POST /o/{org}/evidence/{id}/delete", h.deleteEvidence)
	h.org("GET /o/{org}/evidence/{id}/file", h.evidenceFile)
	h.org("GET /o/{org}/evidence/{id}/targets", h.linkTargets)
	h.org("POST /o/{org}/evidence/{id}/links", h.linkEvidence)
	h.org("POST /o/{org}/evidence/{id}/links/{link}/delete", h.unlinkEvidence)
	h.org("GET /o/{org}/personas/{id}/evidence", h.personaEvidencePage)
	h.org("POST /o/{org}/personas/{id}/evidence", h.attachToPersona)
	h.org("GET /o/{org}/groups/{id}/evidence", h.groupCoveragePage)
	h.evidenceAttachRoutes()
}

func init() {
	funcs["evKindLabel"] = func(k persona.EvidenceKind) string { return k.Label() }
	funcs["evKindWord"] = func(k persona.EvidenceKind) string { return strings.ToLower(k.Label()) }
	funcs["evLower"] = strings.ToLower
	funcs["evKinds"] = func() []persona.EvidenceKind { return persona.EvidenceKinds }
	funcs["evKindPlural"] = func(k persona.EvidenceKind) string {
		if k == persona.EvidenceStudy {
			return "Studies"
		}
		return k.Label() + "s"
	}
	funcs["evMethodLabel"] = func(m persona.StudyMethod) string { return m.Label() }
	funcs["evStateLabel"] = func(s persona.FieldState) string { return s.Label() }
	// evStateIcon names a state's icon (ev-<name> in "ev-icons").
	funcs["evStateIcon"] = func(s persona.FieldState) string {
		switch s {
		case persona.FieldBacked:
			return "supports"
		case persona.FieldContradicted:
			return "contradicts"
		case persona.FieldContested:
			return "contested"
		case persona.FieldAssumption:
			return "assumption"
		}
		return "empty"
	}
	funcs["evBytes"] = persona.FormatBytes
	funcs["evStrings"] = func(s ...string) []string { return s }
	funcs["evHost"] = func(s string) string {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
}

// ---- the library ----

// evidenceDraft is what an add or edit form holds, with its errors.
type evidenceDraft struct {
	Kind         persona.EvidenceKind
	Title        string
	Source       string
	CollectedOn  string
	Tags         string
	Summary      string
	URL          string
	Quote        string
	Speaker      string
	Method       string
	Participants string
	Errors       map[string]string
}

func draftOf(e persona.Evidence) evidenceDraft {
	d := evidenceDraft{Kind: e.Kind, Title: e.Title, Source: e.Source, CollectedOn: e.CollectedOn, Tags: strings.Join(e.Tags, ", "),
		Summary: e.Summary, URL: e.URL, Quote: e.Quote, Speaker: e.Speaker, Method: string(e.Method)}
	if e.Participants != 0 {
		d.Participants = strconv.Itoa(e.Participants)
	}
	return d
}

func draftFromForm(r *http.Request) evidenceDraft {
	v := func(k string) string { return r.FormValue(k) }
	return evidenceDraft{Kind: persona.EvidenceKind(v("kind")), Title: v("title"), Source: v("source"), CollectedOn: v("collected_on"),
		Tags: v("tags"), Summary: v("summary"), URL: v("url"), Quote: v("quote"), Speaker: v("speaker"),
		Method: v("method"), Participants: v("participants")}
}

// input turns the draft into the app's input; a participant count that is
// not a number is reported like any other field error.
func (d *evidenceDraft) input() (app.EvidenceInput, bool) {
	in := app.EvidenceInput{Kind: d.Kind, Title: d.Title, Source: d.Source, CollectedOn: d.CollectedOn,
		Tags: persona.SplitTags(d.Tags), Summary: d.Summary, URL: d.URL, Quote: d.Quote, Speaker: d.Speaker,
		Method: persona.StudyMethod(d.Method)}
	if p := strings.TrimSpace(d.Participants); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			d.Errors = map[string]string{"participants": "must be a whole number"}
			return in, false
		}
		in.Participants = n
	}
	return in, true
}

// fail records an invalid-input error's fields on the draft; it reports
// whether err was one.
func (d *evidenceDraft) fail(err error) bool {
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeInvalid {
		return false
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	for _, f := range e.Fields {
		if _, seen := d.Errors[f.Field]; !seen {
			d.Errors[f.Field] = f.Message
		}
	}
	if len(e.Fields) == 0 {
		d.Errors["form"] = e.Message
	}
	return true
}

type evidenceDrafts struct {
	Document, Link, Quote, Study evidenceDraft
}

type evidenceLibraryView struct {
	Items     []persona.Evidence
	NextURL   string
	Kinds     []persona.EvidenceKind
	Methods   []persona.StudyMethod
	Tags      []string
	Kind      string
	Tag       string
	Filtered  bool
	CanEdit   bool
	Drafts    evidenceDrafts
	Open      string // the add form to show open: document, link, quote or study
	Error     string // why the last attempt failed, in a sentence
	MaxUpload string
	Accept    string
}

func (h *Handler) evidenceLibrary(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderLibrary(w, r, c, http.StatusOK, evidenceLibraryView{})
}

// renderLibrary renders the library page around v's form state.
func (h *Handler) renderLibrary(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v evidenceLibraryView) error {
	q := r.URL.Query()
	f := persona.EvidenceFilter{Kind: persona.EvidenceKind(q.Get("kind")), Tag: q.Get("tag")}
	if r.Method != http.MethodGet {
		f = persona.EvidenceFilter{}
	}
	page, err := h.svc.ListEvidence(r.Context(), c.Actor, c.Org.Slug, f, q.Get("cursor"))
	if persona.ErrorCode(err) == persona.CodeInvalid {
		f = persona.EvidenceFilter{}
		page, err = h.svc.ListEvidence(r.Context(), c.Actor, c.Org.Slug, f, "")
	}
	if err != nil {
		return err
	}
	tags, err := h.svc.EvidenceTags(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.Items, v.Tags, v.Kind, v.Tag = page.Items, tags, string(f.Kind), f.Tag
	v.Kinds, v.Methods = persona.EvidenceKinds, persona.StudyMethods
	v.Filtered = f.Kind != "" || f.Tag != ""
	v.CanEdit = c.Can(persona.RoleEditor)
	v.MaxUpload, v.Accept = persona.FormatBytes(h.svc.MaxUpload()), persona.UploadAccept()
	if page.NextCursor != "" {
		nq := url.Values{"cursor": {page.NextCursor}}
		if f.Kind != "" {
			nq.Set("kind", string(f.Kind))
		}
		if f.Tag != "" {
			nq.Set("tag", f.Tag)
		}
		v.NextURL = "/o/" + c.Org.Slug + "/evidence?" + nq.Encode()
	}
	v.Drafts.Document.Kind, v.Drafts.Link.Kind = persona.EvidenceDocument, persona.EvidenceWebLink
	v.Drafts.Quote.Kind, v.Drafts.Study.Kind = persona.EvidenceQuote, persona.EvidenceStudy
	if v.Drafts.Study.Method == "" {
		v.Drafts.Study.Method = string(persona.MethodInterview)
	}
	return h.render(w, r, c, status, "evidence", "Evidence library", v)
}

// addEvidence adds a link, a quote or a study from the library's forms.
func (h *Handler) addEvidence(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d := draftFromForm(r)
	in, ok := d.input()
	var (
		e   persona.Evidence
		err error
	)
	if ok {
		e, err = h.svc.AddEvidence(r.Context(), c.Actor, c.Org.Slug, in)
		if err == nil {
			return redirect(w, r, "/o/"+c.Org.Slug+"/evidence/"+e.ID, e.Kind.Label()+" added to the library.")
		}
		if !d.fail(err) {
			return err
		}
	}
	v := evidenceLibraryView{Open: string(d.Kind), Error: "The " + strings.ToLower(d.Kind.Label()) + " was not added; see below."}
	switch d.Kind {
	case persona.EvidenceWebLink:
		v.Drafts.Link = d
	case persona.EvidenceQuote:
		v.Drafts.Quote = d
	case persona.EvidenceStudy:
		v.Drafts.Study = d
	default:
		v.Error = "Choose what kind of evidence to add."
		v.Open = ""
	}
	return h.renderLibrary(w, r, c, http.StatusUnprocessableEntity, v)
}

// uploadLimit bounds an upload's body: the largest file plus room for the
// other fields and the multipart framing.
func (h *Handler) uploadLimit() int64 { return h.svc.MaxUpload() + 1<<20 }

// uploadEvidence adds a document from the upload form (multipart). The body
// is bounded before it is read; an oversized, empty or refused file gets
// the form back with a clear message, and nothing is stored.
func (h *Handler) uploadEvidence(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	max := h.svc.MaxUpload()
	tooBig := "The file is larger than the " + persona.FormatBytes(max) + " upload limit. Nothing was added."
	refuse := func(status int, msg string, d evidenceDraft) error {
		v := evidenceLibraryView{Open: "document", Error: msg}
		v.Drafts.Document = d
		return h.renderLibrary(w, r, c, status, v)
	}
	limit := h.uploadLimit() // the registration bounds the body by it
	if r.ContentLength > limit {
		return refuse(http.StatusRequestEntityTooLarge, tooBig, evidenceDraft{})
	}
	if err := r.ParseMultipartForm(limit); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refuse(http.StatusRequestEntityTooLarge, tooBig, evidenceDraft{})
		}
		return refuse(http.StatusBadRequest, "The upload could not be read. Choose the file again and retry.", evidenceDraft{})
	}
	defer r.MultipartForm.RemoveAll()
	d := draftFromForm(r)
	d.Kind = persona.EvidenceDocument
	files := r.MultipartForm.File["file"]
	if len(files) != 1 {
		d.Errors = map[string]string{"file": "choose one file"}
		return refuse(http.StatusUnprocessableEntity, "Choose a file to upload. Nothing was added.", d)
	}
	if files[0].Size > max {
		d.Errors = map[string]string{"file": "is larger than the " + persona.FormatBytes(max) + " upload limit"}
		return refuse(http.StatusRequestEntityTooLarge, tooBig, d)
	}
	f, err := files[0].Open()
	if err != nil {
		return err
	}
	defer f.Close()
	in, _ := d.input()
	e, err := h.svc.UploadEvidence(r.Context(), c.Actor, c.Org.Slug, in, app.Upload{Name: files[0].Filename, Content: f})
	if err != nil {
		if !d.fail(err) {
			return err
		}
		msg := "The document was not added."
		if m, ok := d.Errors["file"]; ok {
			msg = "The file " + m + ". Nothing was added."
		}
		return refuse(http.StatusUnprocessableEntity, msg, d)
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/evidence/"+e.ID, "Document added to the library.")
}

// ---- an item ----

// targetOption is one place an item can be linked to.
type targetOption struct {
	Value    string
	Label    string
	Selected bool
}

type targetGroup struct {
	Label   string
	Options []targetOption
}

// linkForm is the form that links an item to a persona.
type linkForm struct {
	PersonaID string
	Target    string
	Stance    string
	Excerpt   string
	Page      string
	Targets   []targetGroup
	Errors    map[string]string
}

type personaOption struct {
	ID   string
	Name string
	Type persona.ProfileType
}

type evidenceItemView struct {
	E        persona.Evidence
	Links    []persona.EvidenceLink
	FileURL  string
	Viewer   string
	Text     string
	TextCut  bool
	CSV      persona.CSVPreview
	CanEdit  bool
	Personas []personaOption
	Link     linkForm
	Back     string
	Error    string
}

// maxShownText bounds the text shown on an item's page.
const maxShownText = 200_000

// maxShownMarkdown bounds a Markdown document rendered on an item's page,
// as persona.MaxStringLength bounds every other Markdown the pages render:
// goldmark is quadratic on some inputs (200 KB of "[a](" took 18 s).
const maxShownMarkdown = persona.MaxStringLength

func (h *Handler) evidencePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	lf := linkForm{PersonaID: q.Get("persona"), Target: q.Get("target"), Stance: q.Get("stance"), Excerpt: q.Get("excerpt"), Page: q.Get("page")}
	if lf.PersonaID == "" {
		lf.PersonaID = q.Get("persona_id") // the form's "Show its fields" step
	}
	return h.renderItem(w, r, c, http.StatusOK, lf, "")
}

func (h *Handler) renderItem(w http.ResponseWriter, r *http.Request, c *Ctx, status int, lf linkForm, errMsg string) error {
	ctx := r.Context()
	d, err := h.svc.GetEvidence(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	base := "/o/" + c.Org.Slug + "/evidence/" + d.Evidence.ID
	v := evidenceItemView{E: d.Evidence, Links: d.Links, CanEdit: c.Can(persona.RoleEditor), Back: base, Error: errMsg}
	if d.Evidence.File != nil {
		v.FileURL = base + "/file"
		v.Viewer = d.Evidence.File.Viewer()
		switch v.Viewer {
		case "text", "markdown", "csv":
			_, data, err := h.svc.EvidenceFile(ctx, c.Actor, c.Org.Slug, d.Evidence.ID)
			if err != nil {
				return err
			}
			data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
			if v.Viewer == "csv" {
				// Streamed and bounded (rows, columns, cell length, cells
				// and characters): the page stays small whatever the file.
				p, err := persona.PreviewCSV(bytes.NewReader(data), persona.DefaultCSVLimits)
				if err != nil || p.Header == nil {
					v.Viewer = "text"
				} else {
					v.CSV = p
				}
			}
			if v.Viewer != "csv" {
				limit := maxShownText
				if v.Viewer == "markdown" {
					limit = maxShownMarkdown
				}
				if len(data) > limit {
					data, v.TextCut = data[:limit], true
					for len(data) > 0 && !utf8.Valid(data) {
						data = data[:len(data)-1]
					}
				}
				v.Text = string(data)
			}
		}
	}
	if v.CanEdit {
		ps, err := h.allPersonas(r, c, persona.PersonaFilter{})
		if err != nil {
			return err
		}
		for _, p := range ps {
			v.Personas = append(v.Personas, personaOption{ID: p.ID, Name: p.Name, Type: p.ProfileType})
		}
		if lf.PersonaID != "" {
			if lf.Targets, err = h.targetsFor(r, c, lf.PersonaID, lf.Target); err != nil && persona.ErrorCode(err) != persona.CodeNotFound {
				return err
			}
		}
		v.Link = lf
	}
	return h.render(w, r, c, status, "evidence_item", d.Evidence.Title, v)
}

// targetsFor lists the places an item can be linked to on one persona: the
// persona as a whole, each of its fields, and each field of each of its
// variants.
func (h *Handler) targetsFor(r *http.Request, c *Ctx, personaID, selected string) ([]targetGroup, error) {
	ctx := r.Context()
	p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, personaID)
	if err != nil {
		return nil, err
	}
	ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
	if err != nil {
		return nil, err
	}
	opt := func(value, label string) targetOption {
		return targetOption{Value: value, Label: label, Selected: value == selected}
	}
	var groups []targetGroup
	own := targetGroup{Label: p.Name, Options: []targetOption{opt("", "The whole persona")}}
	for _, s := range ver.Definition.Sections {
		for _, f := range s.Fields {
			label := s.LabelFor(p.ProfileType) + " › " + f.Label
			if !present(p.Values[f.Key]) {
				label += " (empty)"
			}
			own.Options = append(own.Options, opt("values."+f.Key, label))
		}
	}
	groups = append(groups, own)
	vs, err := h.svc.ListVariants(ctx, c.Actor, c.Org.Slug, p.ID)
	if err != nil {
		return nil, err
	}
	for _, vd := range vs {
		g := targetGroup{Label: "Variant: " + vd.CustomerName()}
		for _, s := range ver.Definition.Sections {
			for _, f := range s.Fields {
				label := f.Label
				if _, ok := vd.Variant.Values[f.Key]; ok {
					label += " (overridden)"
				}
				g.Options = append(g.Options, opt("variant:"+vd.Variant.ID+":values."+f.Key, vd.CustomerName()+" › "+label))
			}
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// parseTarget reads a target option's value: "" (the whole persona),
// "values.<key>" or "variant:<id>:values.<key>".
func parseTarget(v string) (variantID, field string) {
	if rest, ok := strings.CutPrefix(v, "variant:"); ok {
		variantID, field, _ = strings.Cut(rest, ":")
		return variantID, field
	}
	return "", v
}

// linkTargets renders the target list for one persona (htmx swap when the
// persona changes in a link form). The parameter is the persona select's
// own name, persona_id, as htmx sends it (hx-include="this"), the same name
// the form posts and the no-script "Show its fields" step reads.
func (h *Handler) linkTargets(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	lf := linkForm{PersonaID: r.URL.Query().Get("persona_id")}
	if lf.PersonaID != "" {
		var err error
		if lf.Targets, err = h.targetsFor(r, c, lf.PersonaID, ""); err != nil {
			return err
		}
	}
	return h.renderFragment(w, http.StatusOK, "evidence_item", "ev-target-select", lf)
}

// linkEvidence links the item to a persona (the item page's form).
func (h *Handler) linkEvidence(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	lf := linkForm{PersonaID: r.PostFormValue("persona_id"), Target: r.PostFormValue("target"), Stance: r.PostFormValue("stance"),
		Excerpt: r.PostFormValue("excerpt"), Page: r.PostFormValue("page")}
	variantID, field := parseTarget(lf.Target)
	l, err := h.svc.LinkEvidence(r.Context(), c.Actor, c.Org.Slug, id, app.EvidenceLinkInput{PersonaID: lf.PersonaID,
		VariantID: variantID, Field: field, Stance: persona.Stance(lf.Stance), Excerpt: lf.Excerpt, Page: lf.Page})
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/o/" + c.Org.Slug + "/evidence/" + id
	}
	switch code := persona.ErrorCode(err); {
	case err == nil:
		return redirect(w, r, back+"#links", "Linked to "+linkPlace(l)+".")
	case code == persona.CodeInvalid || code == persona.CodeConflict:
		if strings.Contains(back, "/personas/") {
			return redirect(w, r, back+"#attach", "Not linked: "+errorSentence(err))
		}
		lf.Errors = fieldErrorMap(err)
		return h.renderItem(w, r, c, statusFor(code), lf, "Not linked: "+errorSentence(err))
	default:
		return err
	}
}

// linkPlace says where a link points, for messages.
func linkPlace(l persona.EvidenceLink) string {
	place := l.PersonaName
	if l.VariantName != "" {
		place += " at " + l.VariantName
	}
	if l.FieldLabel != "" {
		place += " › " + l.FieldLabel
	}
	return place
}

// errorSentence turns an app error into one sentence.
func errorSentence(err error) string {
	e, ok := persona.AsError(err)
	if !ok {
		return "something went wrong."
	}
	if len(e.Fields) > 0 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = strings.ReplaceAll(f.Field, "_", " ") + " " + f.Message
		}
		return strings.Join(parts, "; ") + "."
	}
	return e.Message + "."
}

func fieldErrorMap(err error) map[string]string {
	m := map[string]string{}
	if e, ok := persona.AsError(err); ok {
		for _, f := range e.Fields {
			m[f.Field] = f.Message
		}
	}
	return m
}

func (h *Handler) unlinkEvidence(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	l, err := h.svc.UnlinkEvidence(r.Context(), c.Actor, c.Org.Slug, id, r.PathValue("link"))
	if err != nil {
		return err
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/o/" + c.Org.Slug + "/evidence/" + id
	}
	return redirect(w, r, back, "Link to "+linkPlace(l)+" removed.")
}

// evidenceFile serves a document's file: its checked type, nosniff, and
// inline (for the viewers on the item page) or as a download. The page
// headers set by serve are replaced: the file may be framed by the app's
// own pages when inline, and is sandboxed unless it is a PDF.
func (h *Handler) evidenceFile(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	e, data, err := h.svc.EvidenceFile(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	inline := r.URL.Query().Get("inline") == "1" || r.URL.Query().Get("inline") == "true"
	hd := e.File.Headers(inline)
	hdr := w.Header()
	hdr.Set("Content-Type", hd.ContentType)
	hdr.Set("Content-Disposition", hd.ContentDisposition)
	hdr.Set("X-Content-Type-Options", hd.ContentTypeOptions)
	hdr.Set("Content-Security-Policy", hd.ContentSecurity)
	hdr.Set("X-Frame-Options", hd.FrameOptions)
	hdr.Set("Cache-Control", "private, no-cache")
	hdr.Set("ETag", `"`+e.File.SHA256+`"`)
	http.ServeContent(w, r, "", e.CreatedAt, bytes.NewReader(data))
	return nil
}

// ---- edit and delete ----

type evidenceEditView struct {
	E       persona.Evidence
	D       evidenceDraft
	Methods []persona.StudyMethod
	Error   string
}

func (h *Handler) editEvidencePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "viewers can read the library but not change it")
	}
	d, err := h.svc.GetEvidence(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "evidence_edit", "Edit "+d.Evidence.Title,
		evidenceEditView{E: d.Evidence, D: draftOf(d.Evidence), Methods: persona.StudyMethods})
}

func (h *Handler) updateEvidence(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	d := draftFromForm(r)
	in, ok := d.input()
	if ok {
		e, err := h.svc.UpdateEvidence(r.Context(), c.Actor, c.Org.Slug, id, in)
		if err == nil {
			return redirect(w, r, "/o/"+c.Org.Slug+"/evidence/"+e.ID, "Saved.")
		}
		if !d.fail(err) {
			return err
		}
	}
	cur, err := h.svc.GetEvidence(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	d.Kind = cur.Evidence.Kind
	return h.render(w, r, c, http.StatusUnprocessableEntity, "evidence_edit", "Edit "+cur.Evidence.Title,
		evidenceEditView{E: cur.Evidence, D: d, Methods: persona.StudyMethods, Error: "Nothing was saved; see below."})
}

func (h *Handler) deleteEvidence(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	e, err := h.svc.DeleteEvidence(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/evidence", "“"+e.Title+"” deleted, with its links.")
}

// ---- a persona's evidence ----

type coverageField struct {
	FE    persona.FieldEvidence
	Field persona.Field
	Value any
	Links []persona.EvidenceLink
}

type coverageSection struct {
	Label  string
	Fields []coverageField
}

type attachForm struct {
	Items   []persona.Evidence
	Targets []targetGroup
	Error   string
}

type personaEvidenceView struct {
	P          persona.Persona
	Coverage   persona.Coverage
	Sections   []coverageSection
	Whole      []persona.EvidenceLink
	Variants   []app.VariantEvidence
	Flagged    []persona.FieldEvidence // contradicted or contested
	CanEdit    bool
	Attach     attachForm
	Back       string
	GroupName  string
	LinkCount  int
	LibraryURL string
}

func (h *Handler) personaEvidencePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	pe, err := h.svc.PersonaEvidence(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := pe.Persona
	v := personaEvidenceView{P: p, Coverage: pe.Coverage, Variants: pe.Variants, CanEdit: c.Can(persona.RoleEditor),
		Back: "/o/" + c.Org.Slug + "/personas/" + p.ID + "/evidence", LibraryURL: "/o/" + c.Org.Slug + "/evidence",
		Flagged:   append(pe.Coverage.InState(persona.FieldContradicted), pe.Coverage.InState(persona.FieldContested)...),
		LinkCount: len(pe.Links)}
	byField := map[string][]persona.EvidenceLink{}
	for _, l := range pe.Links {
		if l.Field == "" {
			v.Whole = append(v.Whole, l)
		} else {
			byField[l.FieldKey()] = append(byField[l.FieldKey()], l)
		}
	}
	for _, ve := range pe.Variants {
		v.LinkCount += len(ve.Links)
	}
	for _, s := range pe.Definition.Sections {
		cs := coverageSection{Label: s.LabelFor(p.ProfileType)}
		for _, f := range s.Fields {
			cs.Fields = append(cs.Fields, coverageField{FE: pe.Coverage.Field(f.Key), Field: f, Value: p.Values[f.Key], Links: byField[f.Key]})
		}
		v.Sections = append(v.Sections, cs)
	}
	if g, err := h.svc.GetGroup(ctx, c.Actor, c.Org.Slug, p.GroupID); err == nil {
		v.GroupName = g.Name
	}
	if v.CanEdit {
		page, err := h.svc.ListEvidence(ctx, c.Actor, c.Org.Slug, persona.EvidenceFilter{Limit: app.MaxEvidencePage}, "")
		if err != nil {
			return err
		}
		v.Attach.Items = page.Items
		if v.Attach.Targets, err = h.targetsFor(r, c, p.ID, r.URL.Query().Get("target")); err != nil {
			return err
		}
	}
	return h.render(w, r, c, http.StatusOK, "evidence_persona", "Evidence for "+p.Name, v)
}

// attachToPersona links a library item to this persona (the persona
// evidence page's form).
func (h *Handler) attachToPersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	pid := r.PathValue("id")
	back := "/o/" + c.Org.Slug + "/personas/" + pid + "/evidence"
	variantID, field := parseTarget(r.PostFormValue("target"))
	eid := r.PostFormValue("evidence_id")
	if eid == "" {
		return redirect(w, r, back+"#attach", "Not linked: choose an item from the library.")
	}
	l, err := h.svc.LinkEvidence(r.Context(), c.Actor, c.Org.Slug, eid, app.EvidenceLinkInput{PersonaID: pid,
		VariantID: variantID, Field: field, Stance: persona.Stance(r.PostFormValue("stance")),
		Excerpt: r.PostFormValue("excerpt"), Page: r.PostFormValue("page")})
	switch code := persona.ErrorCode(err); {
	case err == nil:
		return redirect(w, r, back+"#f-"+l.FieldKey(), "“"+l.EvidenceTitle+"” linked to "+linkPlace(l)+".")
	case code == persona.CodeInvalid || code == persona.CodeConflict:
		return redirect(w, r, back+"#attach", "Not linked: "+errorSentence(err))
	case code == persona.CodeNotFound && r.PostFormValue("evidence_id") != "":
		if _, perr := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, pid); perr != nil {
			return perr
		}
		return redirect(w, r, back+"#attach", "Not linked: that item is no longer in the library.")
	default:
		return err
	}
}

// ---- coverage ----

type groupCoverageView struct {
	G app.GroupCoverage
}

type orgCoverageView struct {
	O app.OrgCoverage
	// Kinds counts the library's items by kind (its first page of
	// app.MaxEvidencePage items), each linking to the library filtered.
	Kinds []kindCount
}

func (h *Handler) groupCoveragePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	g, err := h.svc.GroupCoverage(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "evidence_group", "Evidence coverage: "+g.Group.Name, groupCoverageView{G: g})
}

func (h *Handler) orgCoveragePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	o, err := h.svc.OrgCoverage(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	page, err := h.svc.ListEvidence(r.Context(), c.Actor, c.Org.Slug, persona.EvidenceFilter{Limit: app.MaxEvidencePage}, "")
	if err != nil {
		return err
	}
	v := orgCoverageView{O: o}
	for _, k := range persona.EvidenceKinds {
		n := 0
		for _, e := range page.Items {
			if e.Kind == k {
				n++
			}
		}
		if n > 0 {
			v.Kinds = append(v.Kinds, kindCount{Kind: k, N: n})
		}
	}
	return h.render(w, r, c, http.StatusOK, "evidence_coverage", "Evidence coverage", v)
}

// ---- on the persona page ----

// evidenceSummary is the evidence block of a persona's page (the
// "evidence-summary" partial): the coverage figure, how many fields are
// backed, contradicted or assumptions, which are contradicted, and the
// kinds of the items attached.
type evidenceSummary struct {
	Org       string
	PersonaID string
	Coverage  persona.Coverage
	Flagged   []persona.FieldEvidence // contradicted or contested fields
	Links     int
	// ByKind counts the persona's links (its own, not its variants') by
	// the kind of item, in the kinds' order; kinds maps a field to the
	// kinds of the items on it.
	ByKind []kindCount
	kinds  map[string][]persona.EvidenceKind
	// Citations are the persona's links, numbered as the printed page's
	// footnotes (1-based, in this order); cites maps a field to its numbers.
	Citations []persona.EvidenceLink
	cites     map[string][]int
}

// CitesOn are the footnote numbers of the evidence on one field ("" for
// the persona as a whole).
func (s evidenceSummary) CitesOn(key string) []int { return s.cites[key] }

// kindCount is how many links of one kind of item.
type kindCount struct {
	Kind persona.EvidenceKind
	N    int
}

// Field returns the evidence on one field (zero when unknown), for marking
// fields on the persona page.
func (s evidenceSummary) Field(key string) persona.FieldEvidence { return s.Coverage.Field(key) }

// KindsOn lists the kinds of the items linked to one field, each once, in
// the kinds' order (the field marker's icons).
func (s evidenceSummary) KindsOn(key string) []persona.EvidenceKind { return s.kinds[key] }

// evidenceSummary builds the persona page's evidence block.
func (h *Handler) evidenceSummary(r *http.Request, c *Ctx, p persona.Persona) (evidenceSummary, error) {
	pe, err := h.svc.PersonaEvidence(r.Context(), c.Actor, c.Org.Slug, p.ID)
	if err != nil {
		return evidenceSummary{}, err
	}
	s := evidenceSummary{Org: c.Org.Slug, PersonaID: p.ID, Coverage: pe.Coverage, Links: len(pe.Links),
		Flagged: append(pe.Coverage.InState(persona.FieldContradicted), pe.Coverage.InState(persona.FieldContested)...),
		kinds:   map[string][]persona.EvidenceKind{}, Citations: pe.Links, cites: map[string][]int{}}
	for i, l := range pe.Links {
		s.cites[l.FieldKey()] = append(s.cites[l.FieldKey()], i+1)
	}
	for _, v := range pe.Variants {
		s.Links += len(v.Links)
	}
	for _, k := range persona.EvidenceKinds {
		n := 0
		for _, l := range pe.Links {
			if l.EvidenceKind != k {
				continue
			}
			n++
			if key := l.FieldKey(); key != "" && !slices.Contains(s.kinds[key], k) {
				s.kinds[key] = append(s.kinds[key], k)
			}
		}
		if n > 0 {
			s.ByKind = append(s.ByKind, kindCount{Kind: k, N: n})
		}
	}
	return s, nil
}
