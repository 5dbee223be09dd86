package web

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/interchange"
	"github.com/personapal/personapal/internal/persona"
)

// The import wizard (docs/imports.md): upload → map columns (suggested
// from the headers) → preview each row's errors and the unmapped-column
// warnings → import. Its whole state — the file's text included — travels
// in the form from step to step, so nothing is kept on the server between
// them and going back loses nothing. The import itself is the same
// interchange.Importer as the API and the command line: all or nothing, in
// one transaction.

func (h *Handler) importRoutes() {
	h.org("GET /o/{org}/import", h.importStart)
	h.upload("POST /o/{org}/import/upload", persona.RoleEditor, h.uploadLimit, false, h.importUpload)
	for pattern, fn := range map[string]pageHandler{
		"POST /o/{org}/import/map":     h.importMap,
		"POST /o/{org}/import/preview": h.importPreview,
		"POST /o/{org}/import/run":     h.importRun,
	} {
		// The file travels in the form: the upload limit, not the form's.
		h.upload(pattern, persona.RoleEditor, func() int64 { return 2 * h.uploadLimit() }, true, fn)
	}
}

// importTarget is one row of the mapping step: a place in the persona
// and where its value comes from.
type importTarget struct {
	Key      string // "name", "values.goals", …: the form's suffix
	Label    string
	Hint     string // the kind, in words
	List     bool
	Required bool
	Src      string // a column (CSV) or key (JSON)
	Src2     string // a second one, concatenated
	Join     string
	Split    string // separators, space-separated; \n is a line break
	Bullets  bool
	Map      string // "from = to" lines
	Default  string
}

// Options reports whether any option beyond the source is set (the
// options disclosure opens then).
func (t importTarget) Options() bool {
	return t.Src2 != "" || t.Map != "" || t.Default != "" || t.Join != "" || (!t.List && t.Bullets)
}

// importView is every step's page.
type importView struct {
	Step      int // 1 upload, 2 map, 3 preview, 4 done
	Templates []persona.Template
	Groups    []persona.Group
	Template  string // ID
	Group     string // ID
	Mode      string
	Format    string
	FileName  string
	Data      string
	Columns   []string
	External  string
	Targets   []importTarget
	Report    interchange.Report
	Problems  int
	Error     string
	Field     string
}

func (v importView) TemplateName() string {
	for _, t := range v.Templates {
		if t.ID == v.Template {
			return t.Name
		}
	}
	return ""
}

func (v importView) GroupName() string {
	for _, g := range v.Groups {
		if g.ID == v.Group {
			return g.Name
		}
	}
	return ""
}

// FormatName says the format in words.
func (v importView) FormatName() string {
	return map[string]string{interchange.FormatCSV: "CSV", interchange.FormatJSON: "JSON", interchange.FormatJSONL: "JSON Lines"}[v.Format]
}

func (h *Handler) importChoices(r *http.Request, c *Ctx, v *importView) error {
	ts, err := h.svc.ListTemplates(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.LatestVersion > 0 {
			v.Templates = append(v.Templates, t)
		}
	}
	v.Groups, err = h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	return err
}

func (h *Handler) renderImport(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v importView) error {
	if v.Templates == nil {
		if err := h.importChoices(r, c, &v); err != nil {
			return err
		}
	}
	title := map[int]string{1: "Import personas", 2: "Import: map columns", 3: "Import: preview", 4: "Import: done"}[v.Step]
	return h.render(w, r, c, status, "import", title, v)
}

// importStart is step 1: choose the file, the template and the group.
func (h *Handler) importStart(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "Importing needs the editor role; yours is %s.", c.Role)
	}
	v := importView{Step: 1, Group: r.URL.Query().Get("group"), Mode: interchange.ModeCreate}
	return h.renderImport(w, r, c, http.StatusOK, v)
}

// importUpload reads the file and offers the mapping step with
// suggestions from its header.
func (h *Handler) importUpload(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v := importView{Step: 1}
	if err := h.importChoices(r, c, &v); err != nil {
		return err
	}
	limit := h.uploadLimit()
	refuse := func(status int, field, msg string) error {
		v.Field, v.Error = field, msg
		return h.renderImport(w, r, c, status, v)
	}
	if r.ContentLength > limit {
		return refuse(http.StatusRequestEntityTooLarge, "file", "The file is larger than the "+persona.FormatBytes(h.svc.MaxUpload())+" upload limit.")
	}
	if err := r.ParseMultipartForm(limit); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refuse(http.StatusRequestEntityTooLarge, "file", "The file is larger than the "+persona.FormatBytes(h.svc.MaxUpload())+" upload limit.")
		}
		return refuse(http.StatusBadRequest, "file", "The upload could not be read. Choose the file again.")
	}
	defer r.MultipartForm.RemoveAll()
	v.Template, v.Group, v.Mode, v.Format = r.FormValue("template"), r.FormValue("group"), r.FormValue("mode"), r.FormValue("format")
	if v.Mode != interchange.ModeUpdate {
		v.Mode = interchange.ModeCreate
	}
	text, name, problem, err := uploadedText(r, "file", h.svc.MaxUpload())
	switch {
	case err != nil:
		return err
	case problem == uploadNoFile:
		return refuse(http.StatusUnprocessableEntity, "file", "Choose a CSV, JSON or JSON Lines file.")
	case problem == uploadTooLarge:
		return refuse(http.StatusRequestEntityTooLarge, "file", "The file is larger than the "+persona.FormatBytes(h.svc.MaxUpload())+" upload limit.")
	case problem == uploadNotText:
		return refuse(http.StatusUnprocessableEntity, "file", "The file is not UTF-8 text. Save it as UTF-8 (in Excel: CSV UTF-8) and choose it again.")
	}
	v.FileName = filepath.Base(name)
	if v.Format == "" {
		switch strings.ToLower(filepath.Ext(v.FileName)) {
		case ".json":
			v.Format = interchange.FormatJSON
		case ".jsonl", ".ndjson":
			v.Format = interchange.FormatJSONL
		default:
			v.Format = interchange.FormatCSV
		}
	}
	v.Data = text
	if v.TemplateName() == "" {
		return refuse(http.StatusUnprocessableEntity, "template", "Choose the template the personas follow.")
	}
	if v.GroupName() == "" {
		return refuse(http.StatusUnprocessableEntity, "group", "Choose the group the personas go to.")
	}
	cols, err := interchange.SourceColumns(strings.NewReader(v.Data), v.Format)
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "file", "The file could not be read as "+v.FormatName()+": "+err.Error())
	}
	if len(cols) == 0 {
		return refuse(http.StatusUnprocessableEntity, "file", "The file has no columns to import.")
	}
	v.Columns = cols
	v.Step = 2
	if err := h.importTargets(r, c, &v, nil); err != nil {
		return err
	}
	return h.renderImport(w, r, c, http.StatusOK, v)
}

// importTargets lists the template's places with their sources: from
// the form when given (going back and forth), else suggested.
func (h *Handler) importTargets(r *http.Request, c *Ctx, v *importView, form func(string) string) error {
	var tmpl persona.Template
	for _, t := range v.Templates {
		if t.ID == v.Template {
			tmpl = t
		}
	}
	ver, err := h.svc.GetVersion(r.Context(), c.Actor, c.Org.Slug, tmpl.ID, tmpl.LatestVersion)
	if err != nil {
		return err
	}
	v.Targets = []importTarget{{Key: "name", Label: "Name", Hint: "text", Required: true},
		{Key: "summary", Label: "Summary", Hint: "text"}, {Key: "status", Label: "Status", Hint: "draft, published or archived"}}
	for _, s := range ver.Definition.Sections {
		for _, f := range s.Fields {
			if f.Kind == persona.KindImage {
				continue // pictures are uploaded on the persona page
			}
			list := f.Kind == persona.KindList || f.Kind == persona.KindTags || f.Kind == persona.KindMultiChoice
			hint := strings.ReplaceAll(string(f.Kind), "_", " ")
			if len(f.Options) > 0 {
				hint += ": " + strings.Join(f.Options, ", ")
			}
			v.Targets = append(v.Targets, importTarget{Key: "values." + f.Key, Label: f.Label, Hint: hint, List: list, Required: f.Required})
		}
	}
	for _, d := range ver.Definition.Dimensions {
		hint := "scale"
		if d.Max > 0 {
			hint = "scale " + strconv.Itoa(d.Min) + "–" + strconv.Itoa(d.Max)
		}
		if len(d.Options) > 0 {
			hint = "one of: " + strings.Join(d.Options, ", ")
		}
		v.Targets = append(v.Targets, importTarget{Key: "dimensions." + d.Key, Label: d.Label, Hint: hint})
	}
	if form != nil {
		for i := range v.Targets {
			t := &v.Targets[i]
			t.Src, t.Src2, t.Join = form("src."+t.Key), form("src2."+t.Key), form("join."+t.Key)
			t.Split, t.Bullets, t.Map, t.Default = form("split."+t.Key), form("bullets."+t.Key) != "", form("map."+t.Key), form("default."+t.Key)
		}
		return nil
	}
	var ts []interchange.Target
	for _, t := range v.Targets {
		ts = append(ts, interchange.Target{Key: t.Key, Label: t.Label})
	}
	sug := interchange.Suggest(ts, v.Columns)
	for i := range v.Targets {
		t := &v.Targets[i]
		t.Src = sug[t.Key]
		if t.List {
			t.Split, t.Bullets = `; \n`, true
		}
	}
	for _, col := range v.Columns {
		if w := words(col); w == "id" || strings.HasSuffix(w, " id") || w == "uuid" {
			v.External = col
			break
		}
	}
	return nil
}

// words is a header in lower case, words separated by one space.
func words(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ")
}

// importState reads the wizard's state from a posted form.
func (h *Handler) importState(r *http.Request, c *Ctx, step int) (importView, error) {
	v := importView{Step: step, Template: r.FormValue("template"), Group: r.FormValue("group"), Mode: r.FormValue("mode"),
		Format: r.FormValue("format"), FileName: r.FormValue("filename"), Data: r.FormValue("data"), External: r.FormValue("external")}
	if v.Mode != interchange.ModeUpdate {
		v.Mode = interchange.ModeCreate
	}
	if !slicesHas([]string{interchange.FormatCSV, interchange.FormatJSON, interchange.FormatJSONL}, v.Format) {
		v.Format = interchange.FormatCSV
	}
	if err := h.importChoices(r, c, &v); err != nil {
		return v, err
	}
	if v.TemplateName() == "" || v.GroupName() == "" || v.Data == "" {
		return v, persona.Errorf(persona.CodeInvalid, "The import lost its file, template or group. Start again from the upload.")
	}
	cols, err := interchange.SourceColumns(strings.NewReader(v.Data), v.Format)
	if err != nil {
		return v, persona.Errorf(persona.CodeInvalid, "The file could not be read: %s", err.Error())
	}
	v.Columns = cols
	return v, h.importTargets(r, c, &v, r.FormValue)
}

func slicesHas(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// sourceRef names a column (CSV) or a top-level key as a JSON path.
func (v importView) sourceRef(col string) string {
	if v.Format == interchange.FormatCSV || plainKey.MatchString(col) {
		return col
	}
	return `[` + strconv.Quote(col) + `]`
}

// mapping builds the interchange mapping the form describes.
func (v importView) mapping() *interchange.Mapping {
	m := &interchange.Mapping{Template: v.Template, Group: v.Group, Mode: v.Mode, Format: v.Format,
		Fields: map[string]interchange.Source{}, Dimensions: map[string]interchange.Source{}}
	csv := v.Format == interchange.FormatCSV
	src := func(cols ...string) interchange.Source {
		var s interchange.Source
		var refs []string
		for _, c := range cols {
			if c != "" {
				refs = append(refs, v.sourceRef(c))
			}
		}
		switch {
		case len(refs) == 1 && csv:
			s.Column = refs[0]
		case len(refs) == 1:
			s.Path = refs[0]
		case csv:
			s.Columns = refs
		default:
			s.Paths = refs
		}
		return s
	}
	if v.External != "" {
		s := src(v.External)
		m.ExternalID = &s
	}
	for _, t := range v.Targets {
		if t.Src == "" && t.Src2 == "" {
			if t.Default == "" {
				continue
			}
			s := interchange.Source{Value: t.Default}
			if t.List {
				s.Value = []any{t.Default}
			}
			m.SetTarget(t.Key, s)
			continue
		}
		s := src(t.Src, t.Src2)
		if t.Src2 != "" && t.Join != "" {
			j := strings.ReplaceAll(t.Join, `\n`, "\n")
			s.Join = &j
		}
		if t.List {
			for _, sep := range strings.Fields(t.Split) {
				s.Split = append(s.Split, strings.ReplaceAll(strings.ReplaceAll(sep, `\n`, "\n"), `\t`, "\t"))
			}
		}
		s.StripBullets = t.Bullets
		s.Default = t.Default
		for _, line := range strings.Split(t.Map, "\n") {
			from, to, ok := strings.Cut(line, "=")
			if ok && strings.TrimSpace(from) != "" {
				if s.Map == nil {
					s.Map = map[string]string{}
				}
				s.Map[strings.TrimSpace(from)] = strings.TrimSpace(to)
			}
		}
		m.SetTarget(t.Key, s)
	}
	return m
}

// importMap is step 2 again, from the posted state (back from the preview).
func (h *Handler) importMap(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.importState(r, c, 2)
	if err != nil {
		return h.importLost(w, r, c, v, err)
	}
	return h.renderImport(w, r, c, http.StatusOK, v)
}

// importLost answers a state that cannot be read with step 1 and why.
func (h *Handler) importLost(w http.ResponseWriter, r *http.Request, c *Ctx, v importView, err error) error {
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeInvalid {
		return err
	}
	return h.renderImport(w, r, c, http.StatusUnprocessableEntity, importView{Step: 1, Template: v.Template, Group: v.Group, Mode: v.Mode,
		Templates: v.Templates, Groups: v.Groups, Field: "file", Error: e.Message})
}

func (h *Handler) importer(c *Ctx, v importView) *interchange.Importer {
	msg := "Imported from " + v.FileName
	if v.FileName == "" {
		msg = "Imported in the web app"
	}
	return &interchange.Importer{Svc: h.svc, Actor: c.Actor, Org: c.Org.Slug, Message: msg, MaxErrors: 500}
}

func (v importView) open() interchange.Open {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(v.Data)), nil }
}

// importPreview is step 3: a dry run listing each row, its action and its
// problems, and the unmapped columns.
func (h *Handler) importPreview(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.importState(r, c, 3)
	if err != nil {
		return h.importLost(w, r, c, v, err)
	}
	return h.importDry(w, r, c, v, http.StatusOK)
}

func (h *Handler) importDry(w http.ResponseWriter, r *http.Request, c *Ctx, v importView, status int) error {
	v.Step = 3
	rep, err := h.importer(c, v).Import(r.Context(), v.mapping(), v.Format, v.open(), true)
	v.Report = rep
	var ie *interchange.ImportError
	if errors.As(err, &ie) {
		v.Problems = len(ie.Problems)
	} else if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
		v.Step, v.Error = 2, e.Message // the mapping itself: back to step 2
		return h.renderImport(w, r, c, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	return h.renderImport(w, r, c, status, v)
}

// importRun is step 4: the import, all or nothing.
func (h *Handler) importRun(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.importState(r, c, 4)
	if err != nil {
		return h.importLost(w, r, c, v, err)
	}
	rep, err := h.importer(c, v).Import(r.Context(), v.mapping(), v.Format, v.open(), false)
	if e, ok := persona.AsError(err); ok && (e.Code == persona.CodeInvalid || e.Code == persona.CodePreconditionFailed || e.Code == persona.CodeForbidden) {
		// Something changed since the preview: show it again, nothing written.
		v.Error = "Nothing was imported: " + e.Message
		return h.importDry(w, r, c, v, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	v.Report = rep
	return h.renderImport(w, r, c, http.StatusOK, v)
}

// Steps names the wizard's steps.
func (importView) Steps() []string { return []string{"Upload", "Map columns", "Preview", "Import"} }

// Unmapped lists the file's columns no place takes yet (the preview
// warns about them too).
func (v importView) Unmapped() []string {
	used := map[string]bool{v.External: true}
	for _, t := range v.Targets {
		used[t.Src], used[t.Src2] = true, true
	}
	var out []string
	for _, c := range v.Columns {
		if !used[c] {
			out = append(out, c)
		}
	}
	return out
}
