package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// ---- preview ----

// templatePreviewView is the persona form a template (draft or version)
// gives, every input disabled.
type templatePreviewView struct {
	T        persona.Template
	Version  int   // 0: the draft
	Versions []int // published versions, newest first
	Body     previewBody
}

// previewBody is the disabled persona form of a definition (the partial
// b-preview-body): on the preview page and beside the builder's outline.
type previewBody struct {
	Org        string
	Type       persona.ProfileType
	Sections   []formSection
	Dimensions []formDimension
}

func previewBodyOf(org string, typ persona.ProfileType, def persona.Definition) previewBody {
	b := previewBody{Org: org, Type: typ}
	b.Sections, b.Dimensions = previewInputs(typ, def)
	return b
}

func (h *Handler) templatePreview(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	t, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := templatePreviewView{T: t}
	for n := t.LatestVersion; n >= 1; n-- {
		v.Versions = append(v.Versions, n)
	}
	def := t.Draft
	if s := r.URL.Query().Get("version"); s != "" && s != "draft" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return persona.ErrNotFound("template version")
		}
		ver, err := h.svc.GetVersion(ctx, c.Actor, c.Org.Slug, t.ID, n)
		if err != nil {
			return err
		}
		v.Version, def = n, ver.Definition
	}
	v.Body = previewBodyOf(c.Org.Slug, t.ProfileType, def)
	title := "Preview of " + t.Name
	return h.render(w, r, c, http.StatusOK, "template_preview", title, v)
}

// previewInputs lays out empty inputs for def as the persona form does.
func previewInputs(typ persona.ProfileType, def persona.Definition) ([]formSection, []formDimension) {
	var secs []formSection
	for _, s := range def.Sections {
		fs := formSection{Key: s.Key, Label: s.LabelFor(typ), Help: s.Help}
		for _, f := range s.Fields {
			fs.Fields = append(fs.Fields, formFieldOf(f, nil, ""))
		}
		secs = append(secs, fs)
	}
	var dims []formDimension
	for _, d := range def.Dimensions {
		text := ""
		if d.Kind == persona.DimensionScale {
			text = strconv.Itoa((d.Min + d.Max) / 2)
		}
		dims = append(dims, formDimension{Dimension: d, ID: "d-" + d.Key, Name: "d." + d.Key, Text: text, Unset: true})
	}
	return secs, dims
}

// ---- versions ----

type versionsView struct {
	T          persona.Template
	Pending    bool // the draft differs from the latest version
	Versions   []versionRow
	Behind     []behindRow // personas on older versions
	OnLatest   int
	CanUpgrade bool
}

type versionRow struct {
	Version     int
	PublishedAt time.Time
	By          string
	Personas    int
	Latest      bool
	Changes     defChanges
	First       bool
}

type behindRow struct {
	ID, Name  string
	Type      persona.ProfileType
	Status    persona.Status
	Version   int
	Revision  int
	UpdatedAt time.Time
}

func (h *Handler) templateVersions(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	t, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	vs, err := h.svc.ListVersions(ctx, c.Actor, c.Org.Slug, t.ID)
	if err != nil {
		return err
	}
	members, err := h.svc.ListMembers(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, m := range members {
		names[m.UserID] = memberDisplayName(m)
	}
	v := versionsView{T: t, CanUpgrade: c.Can(persona.RoleEditor), Pending: t.LatestVersion == 0}
	for i, ver := range vs { // newest first
		row := versionRow{Version: ver.Version, PublishedAt: ver.PublishedAt, By: names[ver.PublishedBy], Personas: ver.PersonaCount,
			Latest: ver.Version == t.LatestVersion, First: i == len(vs)-1}
		if row.By == "" {
			row.By = "a former member"
		}
		if i+1 < len(vs) {
			row.Changes = diffDefinitions(vs[i+1].Definition, ver.Definition)
		}
		if row.Latest {
			v.Pending = !sameDefinition(ver.Definition, t.Draft)
		}
		v.Versions = append(v.Versions, row)
	}
	if t.LatestVersion > 0 {
		ps, err := h.allPersonas(r, c, persona.PersonaFilter{TemplateID: t.ID})
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.TemplateVersion >= t.LatestVersion {
				v.OnLatest++
				continue
			}
			v.Behind = append(v.Behind, behindRow{ID: p.ID, Name: p.Name, Type: p.ProfileType, Status: p.Status,
				Version: p.TemplateVersion, Revision: p.Revision, UpdatedAt: p.UpdatedAt})
		}
		slices.SortStableFunc(v.Behind, func(a, b behindRow) int {
			if a.Version != b.Version {
				return a.Version - b.Version
			}
			return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
	}
	return h.render(w, r, c, http.StatusOK, "template_versions", "Versions of "+t.Name, v)
}

// ---- upgrading a persona ----

// upgradeView previews moving one persona to a newer version and asks to
// confirm.
type upgradeView struct {
	T          persona.Template
	P          persona.Persona
	From, To   int
	Revision   int // If-Match for the confirmation: the revision previewed
	Retired    []upgradeValue
	Revived    []upgradeValue
	Problems   []upgradeProblem
	Fixes      []formField // inputs for the values the new version refuses
	Conflict   string      // the persona changed since the preview
	Current    bool        // already on the latest version
	CanUpgrade bool
}

type upgradeValue struct {
	Key   string
	Label string
	Field *persona.Field // nil for dimensions
	Value any
}

type upgradeProblem struct{ Label, Message string }

func (h *Handler) upgradePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderUpgrade(w, r, c, http.StatusOK, r.URL.Query().Get("persona"), 0, nil, "")
}

// renderUpgrade runs a dry run of the upgrade (with patch values, if any)
// and shows what it would do.
func (h *Handler) renderUpgrade(w http.ResponseWriter, r *http.Request, c *Ctx, status int, personaID string, to int, patch persona.Values, conflict string) error {
	ctx := r.Context()
	t, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	if personaID == "" {
		return persona.ErrNotFound("persona")
	}
	p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, personaID)
	if err != nil {
		return err
	}
	if p.TemplateID != t.ID {
		return persona.ErrNotFound("persona")
	}
	if to == 0 {
		to = t.LatestVersion
	}
	v := upgradeView{T: t, P: p, From: p.TemplateVersion, To: to, Revision: p.Revision, Conflict: conflict,
		CanUpgrade: c.Can(persona.RoleEditor)}
	title := "Upgrade " + p.Name
	if p.TemplateVersion >= to {
		v.Current = true
		return h.render(w, r, c, status, "template_upgrade", title, v)
	}
	res, _, err := h.svc.UpgradePersona(ctx, c.Actor, c.Org.Slug, p.ID, 0, app.UpgradeRequest{ToVersion: to, Values: patch, DryRun: true})
	if err != nil {
		return err
	}
	oldVer, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
	if err != nil {
		return err
	}
	newVer, err := h.svc.GetVersion(ctx, c.Actor, c.Org.Slug, t.ID, to)
	if err != nil {
		return err
	}
	for _, k := range res.Retired {
		v.Retired = append(v.Retired, valueOf(oldVer.Definition, k, res.Content.Retired[k]))
	}
	for _, k := range res.Revived {
		val := res.Content.Values[k]
		if dk, ok := strings.CutPrefix(k, persona.RetiredDimensionPrefix); ok {
			val = res.Content.Dimensions[dk]
		}
		v.Revived = append(v.Revived, valueOf(newVer.Definition, k, val))
	}
	for _, pr := range res.Problems {
		label := pr.Field
		if k, ok := strings.CutPrefix(pr.Field, "values."); ok {
			if f, ok := newVer.Definition.Field(k); ok {
				label = f.Label
				v.Fixes = append(v.Fixes, formFieldOf(f, res.Content.Values[k], pr.Message))
			}
		} else if k, ok := strings.CutPrefix(pr.Field, "dimensions."); ok {
			if d, ok := newVer.Definition.Dimension(k); ok {
				label = d.Label
			}
		}
		v.Problems = append(v.Problems, upgradeProblem{Label: label, Message: pr.Message})
	}
	return h.render(w, r, c, status, "template_upgrade", title, v)
}

// valueOf describes a value under key k ("goals" or "dimension:risk") with
// the label def gives it.
func valueOf(def persona.Definition, k string, val any) upgradeValue {
	uv := upgradeValue{Key: k, Label: k, Value: val}
	if dk, ok := strings.CutPrefix(k, persona.RetiredDimensionPrefix); ok {
		uv.Label = dk + " (dimension)"
		if d, ok := def.Dimension(dk); ok {
			uv.Label = d.Label + " (dimension)"
		}
		return uv
	}
	if f, ok := def.Field(k); ok {
		uv.Label, uv.Field = f.Label, &f
	}
	return uv
}

// upgradePersona confirms an upgrade with the revision the user previewed
// as If-Match. A persona changed meanwhile gets a fresh preview (412);
// values the new version refuses can be corrected in the form.
func (h *Handler) upgradePersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	t, err := h.svc.GetTemplate(ctx, c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	pid := r.PostForm.Get("persona")
	p, err := h.svc.GetPersona(ctx, c.Actor, c.Org.Slug, pid)
	if err != nil {
		return err
	}
	if p.TemplateID != t.ID {
		return persona.ErrNotFound("persona")
	}
	to, _ := strconv.Atoi(r.PostForm.Get("to_version"))
	if to <= 0 {
		to = t.LatestVersion
	}
	rev, _ := strconv.Atoi(r.PostForm.Get("revision"))
	// Corrections for the fields the preview listed as refused.
	var patch persona.Values
	if ver, err := h.svc.GetVersion(ctx, c.Actor, c.Org.Slug, t.ID, to); err == nil {
		for _, k := range r.PostForm["fix"] {
			f, ok := ver.Definition.Field(k)
			if !ok {
				continue
			}
			if patch == nil {
				patch = persona.Values{}
			}
			if val, ok := readFieldValue(r.PostForm, f); ok {
				patch[k] = val
			} else {
				patch[k] = nil // cleared: the value goes
			}
		}
	}
	if r.PostForm.Get("op") == "check" {
		return h.renderUpgrade(w, r, c, http.StatusOK, p.ID, to, patch, "")
	}
	_, up, err := h.svc.UpgradePersona(ctx, c.Actor, c.Org.Slug, p.ID, rev, app.UpgradeRequest{ToVersion: to, Values: patch})
	switch persona.ErrorCode(err) {
	case "":
		if err != nil {
			return err
		}
		return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+up.ID,
			"Upgraded to template version "+strconv.Itoa(to)+" (revision "+strconv.Itoa(up.Revision)+").")
	case persona.CodePreconditionFailed, persona.CodePreconditionRequired:
		e, _ := persona.AsError(err)
		return h.renderUpgrade(w, r, c, http.StatusPreconditionFailed, p.ID, to, patch,
			"Nothing was upgraded: "+e.Message+". Check the preview below again, then confirm.")
	case persona.CodeInvalid:
		return h.renderUpgrade(w, r, c, http.StatusUnprocessableEntity, p.ID, to, patch, "")
	}
	return err
}
