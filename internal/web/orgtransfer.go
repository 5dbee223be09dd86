package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The whole organisation in and out, for admins (app.ExportOrg and
// app.ImportOrg, as the API's /export and /orgs/import and the command
// line's export and import): download the export as JSON or YAML, and
// bring an export file in as a new organisation — a dry-run report
// first, the import after. The file's text travels in the form between
// the two, nothing is kept on the server.

func (h *Handler) orgTransferRoutes() {
	h.upload("GET /o/{org}/settings/transfer", persona.RoleAdmin, func() int64 { return smallBody }, true, h.orgTransferPage)
	for _, format := range []string{"json", "yaml"} {
		h.upload("GET /o/{org}/settings/export."+format, persona.RoleAdmin, func() int64 { return smallBody }, true,
			func(w http.ResponseWriter, r *http.Request, c *Ctx) error { return h.orgExportFile(w, r, c, format) })
	}
	h.upload("POST /o/{org}/settings/import/check", persona.RoleAdmin, h.uploadLimit, false, h.orgImportCheck)
	h.upload("POST /o/{org}/settings/import", persona.RoleAdmin, func() int64 { return 2 * h.uploadLimit() }, true, h.orgImportRun)
}

type orgTransferView struct {
	Slug, Name string
	FileName   string
	Data       string
	Report     *app.ImportReport
	Done       bool
	Error      string
	Field      string
}

func (h *Handler) orgTransferPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.render(w, r, c, http.StatusOK, "org_transfer", "Export or import an organisation", orgTransferView{})
}

// orgExportFile downloads the whole organisation.
func (h *Handler) orgExportFile(w http.ResponseWriter, r *http.Request, c *Ctx, format string) error {
	e, err := h.svc.ExportOrg(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	ct := map[string]string{"json": "application/json", "yaml": "application/yaml"}[format]
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, c.Org.Slug, time.Now().UTC().Format("2006-01-02"), format))
	return persona.EncodeExport(w, e, format)
}

// orgImportCheck reads the uploaded export and reports what an import
// would create (a dry run).
func (h *Handler) orgImportCheck(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v := orgTransferView{}
	refuse := func(status int, msg string) error {
		v.Field, v.Error = "file", msg
		return h.render(w, r, c, status, "org_transfer", "Export or import an organisation", v)
	}
	tooBig := "The file is larger than the " + persona.FormatBytes(h.svc.MaxUpload()) + " upload limit."
	if r.ContentLength > h.uploadLimit() {
		return refuse(http.StatusRequestEntityTooLarge, tooBig)
	}
	if err := r.ParseMultipartForm(h.uploadLimit()); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refuse(http.StatusRequestEntityTooLarge, tooBig)
		}
		return refuse(http.StatusBadRequest, "The upload could not be read. Choose the file again.")
	}
	defer r.MultipartForm.RemoveAll()
	v.Slug, v.Name = strings.TrimSpace(r.FormValue("slug")), strings.TrimSpace(r.FormValue("name"))
	text, name, problem, err := uploadedText(r, "file", h.svc.MaxUpload())
	switch {
	case err != nil:
		return err
	case problem == uploadNoFile:
		return refuse(http.StatusUnprocessableEntity, "Choose an export file (JSON or YAML).")
	case problem == uploadTooLarge:
		return refuse(http.StatusRequestEntityTooLarge, tooBig)
	case problem == uploadNotText:
		return refuse(http.StatusUnprocessableEntity, "The file is not an export: it is not UTF-8 text.")
	}
	v.FileName, v.Data = name, text
	return h.orgImport(w, r, c, v, true)
}

// orgImportRun imports the checked export as a new organisation.
func (h *Handler) orgImportRun(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v := orgTransferView{Slug: strings.TrimSpace(r.FormValue("slug")), Name: strings.TrimSpace(r.FormValue("name")),
		FileName: r.FormValue("filename"), Data: r.FormValue("data")}
	if r.FormValue("op") == "check" {
		return h.orgImport(w, r, c, v, true)
	}
	return h.orgImport(w, r, c, v, false)
}

func (h *Handler) orgImport(w http.ResponseWriter, r *http.Request, c *Ctx, v orgTransferView, dry bool) error {
	title := "Export or import an organisation"
	doc, err := persona.DecodeExport(strings.NewReader(v.Data), "")
	if err == nil {
		var rep app.ImportReport
		rep, err = h.svc.ImportOrg(r.Context(), c.Actor, v.Slug, v.Name, doc, dry)
		if err == nil {
			v.Report, v.Done = &rep, !dry
			if !dry {
				return redirect(w, r, "/o/"+rep.Org.Slug, "Imported "+rep.Org.Name+": "+pluralize(rep.Personas, "persona", "personas")+". You are its owner.")
			}
			return h.render(w, r, c, http.StatusOK, "org_transfer", title, v)
		}
	}
	e, ok := persona.AsError(err)
	if !ok || e.Code == persona.CodeUnauthenticated || e.Code == persona.CodeNotFound {
		return err
	}
	v.Error = e.Message
	v.Field = "file"
	if e.Code == persona.CodeConflict && strings.Contains(e.Message, "slug") {
		v.Field = "slug" // the address is taken: choose another
	}
	for _, f := range e.Fields {
		if f.Field == "slug" || f.Field == "name" {
			v.Field, v.Error = f.Field, f.Message
			break
		}
		v.Error += " " + f.Field + ": " + f.Message + "."
	}
	return h.render(w, r, c, http.StatusUnprocessableEntity, "org_transfer", title, v)
}
