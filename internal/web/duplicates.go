package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Duplicates and merging (docs/duplicates.md): the organisation's likely
// duplicates, the merge page (side by side, one choice per field), the
// "possible duplicate" hint after a persona is created, and the redirect a
// merged persona's pages answer with.

func (h *Handler) duplicateRoutes() {
	h.org("GET /o/{org}/duplicates", h.duplicatesPage)
	h.org("GET /o/{org}/personas/{id}/merge", h.mergePage)
	h.org("POST /o/{org}/personas/{id}/merge", h.mergePersonas)
}

type duplicatesView struct {
	Pairs   []duplicateRow
	CanEdit bool
}

type duplicateRow struct {
	A, B    persona.Persona
	Percent int
	Fields  []string // labels of the fields that agree
}

// similarRow is a persona that looks like the one on the page.
type similarRow struct {
	P       persona.Persona
	Percent int
	Fields  []string
}

func percent(score float64) int { return int(math.Round(score * 100)) }

// fieldLabels names the keys a similarity reports, by p's template.
func (h *Handler) fieldLabels(r *http.Request, c *Ctx, p persona.Persona, keys []string) []string {
	def := persona.Definition{}
	if v, err := h.svc.PersonaDefinition(r.Context(), c.Actor, c.Org.Slug, p); err == nil {
		def = v.Definition
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		switch k {
		case "name":
			out = append(out, "Name")
		case persona.SummaryField:
			out = append(out, "Summary")
		default:
			if f, ok := def.Field(k); ok {
				out = append(out, f.Label)
			} else {
				out = append(out, k)
			}
		}
	}
	return out
}

func (h *Handler) duplicatesPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ds, err := h.svc.Duplicates(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v := duplicatesView{CanEdit: c.Can(persona.RoleEditor)}
	for _, d := range ds {
		// The older persona survives by default: it has the longer story.
		a, b := d.A, d.B
		if b.CreatedAt.Before(a.CreatedAt) {
			a, b = b, a
		}
		v.Pairs = append(v.Pairs, duplicateRow{A: a, B: b, Percent: percent(d.Score), Fields: h.fieldLabels(r, c, a, d.Fields)})
	}
	return h.render(w, r, c, http.StatusOK, "duplicates", "Possible duplicates", v)
}

// similarFor is the "possible duplicate" hint of a persona page, shown
// once, right after the persona was created (?similar=1).
func (h *Handler) similarFor(r *http.Request, c *Ctx, p persona.Persona) []similarRow {
	if r.URL.Query().Get("similar") != "1" {
		return nil
	}
	sims, err := h.svc.SimilarPersonas(r.Context(), c.Actor, c.Org.Slug, p)
	if err != nil {
		return nil // a hint, never a failure
	}
	out := make([]similarRow, 0, len(sims))
	for _, s := range sims {
		out = append(out, similarRow{P: s.Persona, Percent: percent(s.Score), Fields: h.fieldLabels(r, c, p, s.Fields)})
	}
	return out
}

// hasSimilar reports whether a just-created persona looks like another.
func (h *Handler) hasSimilar(r *http.Request, c *Ctx, p persona.Persona) bool {
	sims, err := h.svc.SimilarPersonas(r.Context(), c.Actor, c.Org.Slug, p)
	return err == nil && len(sims) > 0
}

type mergeView struct {
	S, M    persona.Persona
	Rows    []mergeRow
	Problem string   // why the merge was refused, in a sentence
	Empty   []string // labels of the fields empty in both
}

// isBlank reports whether a field value says nothing.
func isBlank(v any) bool { return strings.TrimSpace(valueText(v)) == "" }

type mergeRow struct {
	Key, Label       string
	Survivor, Merged string
	KeepMerged       bool // the chosen (or default) value is the merged persona's
	Same             bool
	Error            string
}

func (h *Handler) mergePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderMerge(w, r, c, http.StatusOK, r.URL.Query().Get("with"), nil, "", nil)
}

// renderMerge renders the merge page of the persona {id} with merged;
// chosen (when not nil) are the posted choices, kept.
func (h *Handler) renderMerge(w http.ResponseWriter, r *http.Request, c *Ctx, status int, merged string, chosen map[string]string, problem string, fieldErrs map[string]string) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "Merging personas needs the editor role; yours is %s.", c.Role)
	}
	if merged == "" {
		return persona.Invalid("choose the persona to merge", []persona.FieldError{{Field: "with", Message: "is required: open the merge from the duplicates page"}})
	}
	sp, mp, rows, err := h.svc.MergePreview(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), merged)
	if err != nil {
		return err
	}
	v := mergeView{S: sp, M: mp, Problem: problem}
	// Persona references read as the names of their targets, not IDs.
	ver, err := h.svc.GetVersion(r.Context(), c.Actor, c.Org.Slug, sp.TemplateID, sp.TemplateVersion)
	if err != nil {
		return err
	}
	names, err := h.svc.RefNames(r.Context(), c.Actor, c.Org.Slug, ver.Definition, sp, mp)
	if err != nil {
		return err
	}
	text := func(key string, val any) string {
		if fd, ok := ver.Definition.Field(key); ok && fd.Kind == persona.KindPersona {
			return persona.RefText(fd, val, names)
		}
		return valueText(val)
	}
	var same []mergeRow
	for _, f := range rows {
		if f.Same && isBlank(f.Survivor) && fieldErrs[f.Key] == "" {
			v.Empty = append(v.Empty, f.Label)
			continue
		}
		choice := f.Default
		if x, ok := chosen[f.Key]; ok {
			choice = x
		}
		row := mergeRow{Key: f.Key, Label: f.Label, Survivor: text(f.Key, f.Survivor), Merged: text(f.Key, f.Merged),
			KeepMerged: choice == app.KeepMerged, Same: f.Same, Error: fieldErrs[f.Key]}
		if f.Same {
			same = append(same, row)
		} else {
			v.Rows = append(v.Rows, row)
		}
	}
	v.Rows = append(v.Rows, same...) // the choices first, then what agrees
	return h.render(w, r, c, status, "merge", "Merge "+mp.Name+" into "+sp.Name, v)
}

func (h *Handler) mergePersonas(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	merged := r.PostFormValue("merge")
	choices := map[string]string{}
	for k, vs := range r.PostForm {
		if key, ok := strings.CutPrefix(k, "f."); ok && len(vs) > 0 {
			choices[key] = vs[0]
		}
	}
	rev, _ := strconv.Atoi(r.PostFormValue("revision"))
	mrev, _ := strconv.Atoi(r.PostFormValue("merge_revision"))
	mp, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, merged)
	if err != nil && persona.ErrorCode(err) != persona.CodeNotFound {
		return err
	}
	p, err := h.svc.MergePersonas(r.Context(), c.Actor, c.Org.Slug, id, app.MergeRequest{Merged: merged, Fields: choices, IfMatch: rev, MergedIfMatch: max(mrev, 0)})
	switch persona.ErrorCode(err) {
	case "":
	case persona.CodePreconditionFailed, persona.CodePreconditionRequired:
		return h.renderMerge(w, r, c, http.StatusPreconditionFailed, merged, choices,
			"Someone changed one of these personas meanwhile, so nothing was merged. The values below are the current ones; check your choices and merge again.", nil)
	case persona.CodeConflict:
		return h.renderMerge(w, r, c, http.StatusConflict, merged, choices, "Nothing was merged: "+err.Error()+".", nil)
	case persona.CodeInvalid:
		e, _ := persona.AsError(err)
		errs := map[string]string{}
		var general []string
		for _, f := range e.Fields {
			if f.Field == "merge" {
				return err // no such persona to merge: the error page says so
			}
			if key, ok := strings.CutPrefix(f.Field, "fields."); ok {
				errs[key] = f.Message
			} else if key, ok := strings.CutPrefix(f.Field, "values."); ok {
				errs[key] = f.Message
			} else if key, ok := strings.CutPrefix(f.Field, "dimensions."); ok {
				errs["dim:"+key] = f.Message
			} else {
				general = append(general, f.Field+": "+f.Message)
			}
		}
		msg := "Nothing was merged: a chosen value does not fit the template."
		if len(general) > 0 {
			msg += " " + strings.Join(general, "; ") + "."
		}
		return h.renderMerge(w, r, c, http.StatusUnprocessableEntity, merged, choices, msg, errs)
	default:
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID,
		fmt.Sprintf("“%s” was merged into “%s”. Its address leads here now; its history stays readable from this persona's history.", mp.Name, p.Name))
}

// followMerge wraps a persona page: when the persona is not found because
// it was merged, the page redirects (308) to the same page of the persona
// it was merged into.
func (h *Handler) followMerge(fn pageHandler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, c *Ctx) error {
		err := fn(w, r, c)
		if persona.ErrorCode(err) != persona.CodeNotFound {
			return err
		}
		id := r.PathValue("id")
		into, merr := h.svc.MergedInto(r.Context(), c.Actor, c.Org.Slug, id)
		if merr != nil || id == "" {
			return err
		}
		u := url.URL{Path: strings.Replace(r.URL.Path, "/personas/"+id, "/personas/"+into, 1), RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusPermanentRedirect)
		return nil
	}
}

// mergeHistory fills what the history page says about merges: where a
// merged persona went, or which personas were merged into this one.
func (h *Handler) mergeHistory(r *http.Request, c *Ctx, v *historyView, into string) error {
	if into != "" {
		sp, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, into)
		if err != nil {
			if persona.ErrorCode(err) != persona.CodeNotFound {
				return err
			}
			sp = persona.Persona{ID: into, Content: persona.Content{Name: "another persona"}}
		}
		v.MergedInto = &sp
		return nil
	}
	from, err := h.svc.MergedFrom(r.Context(), c.Actor, c.Org.Slug, v.P.ID)
	v.MergedFrom = from
	return err
}
