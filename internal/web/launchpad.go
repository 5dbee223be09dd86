package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The Solution Designer: pick a customer archetype and the roles who will
// use the setup, see the recommended Launchpad with its reasons, save it;
// then accept, reject and add items, edit the plan, regenerate with a diff,
// export it as Markdown or print it. The catalogue the recommendations come
// from has its own pages (at the end of this file).

func (h *Handler) launchpadRoutes() {
	h.org("GET /o/{org}/launchpads", h.launchpadList)
	h.org("GET /o/{org}/launchpads/new", h.launchpadDesigner)
	h.org("POST /o/{org}/launchpads", h.launchpadCreate)
	h.org("GET /o/{org}/launchpads/{id}", h.launchpadPage)
	h.org("GET /o/{org}/launchpads/{id}/print", h.launchpadPrint)
	h.org("GET /o/{org}/launchpads/{id}/export.md", h.launchpadMarkdown)
	h.org("POST /o/{org}/launchpads/{id}/details", h.launchpadDetails)
	h.org("POST /o/{org}/launchpads/{id}/decide", h.launchpadDecide)
	h.org("POST /o/{org}/launchpads/{id}/items", h.launchpadAdd)
	h.org("POST /o/{org}/launchpads/{id}/plan", h.launchpadPlan)
	h.org("GET /o/{org}/launchpads/{id}/regenerate", h.launchpadRegenPreview)
	h.org("POST /o/{org}/launchpads/{id}/regenerate", h.launchpadRegenerate)
	h.org("POST /o/{org}/launchpads/{id}/delete", h.launchpadDelete)
	h.catalogueRoutes()
}

// lpPage is the view of every page in launchpad.html: exactly one of its
// parts is set.
type lpPage struct {
	List     *lpListView
	Designer *lpDesignerView
	Saved    *lpSavedView
	Regen    *lpRegenView
}

type lpListView struct {
	Items []lpListRow
	// Archetypes offer "Generate for Big Bank": the designer's
	// recommendation for the archetype's default roles, in one step.
	Archetypes     []lpOption
	CanEdit        bool
	CanAdmin       bool
	CatalogueEmpty bool
}

type lpListRow struct {
	L          persona.Launchpad
	Modules    int
	EffortDays float64
	Roles      int
}

func lpURL(org, id string) string { return "/o/" + org + "/launchpads/" + id }

func (h *Handler) launchpadList(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ls, err := h.svc.ListLaunchpads(r.Context(), c.Actor, c.Org.Slug, "")
	if err != nil {
		return err
	}
	o, err := h.svc.DesignerOptions(r.Context(), c.Actor, c.Org.Slug, "")
	if err != nil {
		return err
	}
	v := &lpListView{CanEdit: c.Can(persona.RoleEditor), CanAdmin: c.Can(persona.RoleAdmin), CatalogueEmpty: o.Catalogue.Empty()}
	for _, a := range o.Archetypes {
		if a.Status != persona.StatusArchived {
			v.Archetypes = append(v.Archetypes, lpOption{Value: a.ID, Label: a.Name})
		}
	}
	for _, l := range ls {
		view := l.View()
		v.Items = append(v.Items, lpListRow{L: l, Modules: len(view.Plan.Phases[0].Modules) + len(view.Plan.Phases[1].Modules) + len(view.Plan.Phases[2].Modules),
			EffortDays: view.Plan.EffortDays, Roles: len(l.Recommendation.Roles)})
	}
	return h.render(w, r, c, http.StatusOK, "launchpad", "Launchpads", lpPage{List: v})
}

// ---- Solution Designer ----

type lpDesignerView struct {
	Archetypes     []lpOption
	Archetype      persona.Persona
	Variants       []lpRoleOption
	Personas       []lpRoleOption
	CatalogueEmpty bool
	CanGenerate    bool
	CanAdmin       bool
	Generated      bool
	Rec            persona.Recommendation
	Plan           persona.Plan
	// The resolved request, for the save form.
	VariantIDs []string
	RoleIDs    []string
	Name       string
	Error      string
}

type lpOption struct {
	Value, Label string
	Selected     bool
}

type lpRoleOption struct {
	ID          string
	Name        string
	ProfileType persona.ProfileType
	Detail      string
	Checked     bool
}

func (h *Handler) launchpadDesigner(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	archetypeID := q.Get("archetype")
	o, err := h.svc.DesignerOptions(r.Context(), c.Actor, c.Org.Slug, archetypeID)
	if msg, ok := userMessage(err); ok {
		o, err = h.svc.DesignerOptions(r.Context(), c.Actor, c.Org.Slug, "")
		if err != nil {
			return err
		}
		return h.renderDesigner(w, r, c, http.StatusUnprocessableEntity, &lpDesignerView{Error: msg}, o)
	}
	if err != nil {
		return err
	}
	v := &lpDesignerView{CanGenerate: c.Can(persona.RoleEditor), CanAdmin: c.Can(persona.RoleAdmin)}
	generate := q.Get("generate") != ""
	chosenVariants, chosenRoles := o.DefaultVariantIDs, o.DefaultRoleIDs
	// ?generate=1 generates for the roles ticked; with defaults=1 too (the
	// "Generate a Launchpad" shortcuts), for the default roles.
	if generate && q.Get("defaults") == "" {
		chosenVariants, chosenRoles = q["variant"], q["role"]
	}
	for _, d := range o.Variants {
		v.Variants = append(v.Variants, lpRoleOption{ID: d.Variant.ID, Name: d.Base.Name, ProfileType: d.Base.ProfileType,
			Detail: d.CustomerName() + " variant", Checked: slices.Contains(chosenVariants, d.Variant.ID)})
	}
	for _, p := range o.Personas {
		v.Personas = append(v.Personas, lpRoleOption{ID: p.ID, Name: p.Name, ProfileType: p.ProfileType,
			Detail: roleTitleOf(p), Checked: slices.Contains(chosenRoles, p.ID)})
	}
	if generate && o.Archetype.ID != "" && v.CanGenerate {
		g, err := h.svc.GenerateLaunchpad(r.Context(), c.Actor, c.Org.Slug, app.LaunchpadRequest{ArchetypeID: o.Archetype.ID, VariantIDs: chosenVariants, RoleIDs: chosenRoles})
		if msg, ok := userMessage(err); ok {
			v.Error = msg
			return h.renderDesigner(w, r, c, http.StatusUnprocessableEntity, v, o)
		}
		if err != nil {
			return err
		}
		v.Generated, v.Rec, v.Plan = true, g.Recommendation, g.View.Plan
		v.VariantIDs, v.RoleIDs = g.Request.VariantIDs, g.Request.RoleIDs
		v.Name = o.Archetype.Name + " setup"
	}
	return h.renderDesigner(w, r, c, http.StatusOK, v, o)
}

func (h *Handler) renderDesigner(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v *lpDesignerView, o app.DesignerOptions) error {
	v.Archetype = o.Archetype
	v.CatalogueEmpty = o.Catalogue.Empty()
	for _, a := range o.Archetypes {
		v.Archetypes = append(v.Archetypes, lpOption{Value: a.ID, Label: a.Name, Selected: a.ID == o.Archetype.ID})
	}
	title := "Solution Designer"
	if o.Archetype.ID != "" {
		title += " · " + o.Archetype.Name
	}
	return h.render(w, r, c, status, "launchpad", title, lpPage{Designer: v})
}

func roleTitleOf(p persona.Persona) string {
	if s, ok := p.Values["role_title"].(string); ok && s != "" {
		return s
	}
	return p.ProfileType.Label()
}

func (h *Handler) launchpadCreate(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	req := app.LaunchpadRequest{ArchetypeID: r.PostFormValue("archetype"), VariantIDs: r.PostForm["variant"], RoleIDs: r.PostForm["role"]}
	l, err := h.svc.CreateLaunchpad(r.Context(), c.Actor, c.Org.Slug, req, r.PostFormValue("name"), r.PostFormValue("notes"))
	if msg, ok := userMessage(err); ok {
		q := url.Values{"archetype": {req.ArchetypeID}, "generate": {"1"}, "variant": req.VariantIDs, "role": req.RoleIDs}
		return redirect(w, r, "/o/"+c.Org.Slug+"/launchpads/new?"+q.Encode(), msg)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, lpURL(c.Org.Slug, l.ID), "Launchpad saved.")
}

// ---- the saved Launchpad ----

type lpSavedView struct {
	D         app.LaunchpadDetail
	CanEdit   bool
	Printable bool
	Comments  *commentsView // comments.go: on its page only
	Modules   []lpModuleRow
	Phases    []lpPhaseForm
	Add       []lpAddGroup
	Revisions []persona.LaunchpadRevision
	// PlanError and DetailsError are shown above their forms after a
	// refused save; PhaseOptions feed the per-module phase selects.
	PlanError    string
	DetailsError string
	PhaseOptions []persona.Phase
	NameValue    string
	NotesValue   string
}

type lpModuleRow struct {
	Pick    persona.ModulePick
	PhaseOf persona.Phase
	Err     string
}

type lpPhaseForm struct {
	Phase      persona.PlanPhase
	Exit       string
	Owners     string
	Notes      string
	ExitErr    string
	OwnersErr  string
	NotesErr   string
	HasModules bool
}

type lpAddGroup struct {
	Label   string
	Options []lpOption
}

func (h *Handler) savedView(r *http.Request, c *Ctx, d app.LaunchpadDetail) (*lpSavedView, error) {
	v := &lpSavedView{D: d, CanEdit: c.Can(persona.RoleEditor), PhaseOptions: persona.Phases,
		NameValue: d.Launchpad.Name, NotesValue: d.Launchpad.Notes}
	phaseOf := map[string]persona.Phase{}
	for _, ph := range d.View.Plan.Phases {
		for _, m := range ph.Modules {
			phaseOf[m.Key] = ph.Phase
		}
	}
	for _, m := range d.View.Recommendation.Modules {
		p, ok := phaseOf[m.Key]
		if !ok {
			p = m.Phase
		}
		v.Modules = append(v.Modules, lpModuleRow{Pick: m, PhaseOf: p})
	}
	for _, ph := range d.View.Plan.Phases {
		v.Phases = append(v.Phases, lpPhaseForm{Phase: ph, Exit: strings.Join(ph.ExitCriteria, "\n"), Owners: strings.Join(ph.Owners, "\n"),
			Notes: ph.Notes, HasModules: len(ph.Modules) > 0})
	}
	if v.CanEdit {
		cat, err := h.svc.Catalogue(r.Context(), c.Actor, c.Org.Slug)
		if err != nil {
			return nil, err
		}
		have := d.Launchpad.Recommendation.Refs()
		var mods, packs, dashes lpAddGroup
		mods.Label, packs.Label, dashes.Label = "Modules", "Content packs", "Dashboards"
		for _, m := range cat.Modules {
			if !slices.Contains(have, "module:"+m.Key) {
				mods.Options = append(mods.Options, lpOption{Value: "module:" + m.Key, Label: m.Name})
			}
		}
		for _, p := range cat.Packs {
			if !slices.Contains(have, "pack:"+p.Key) {
				packs.Options = append(packs.Options, lpOption{Value: "pack:" + p.Key, Label: p.Name})
			}
		}
		for _, role := range d.Launchpad.Recommendation.Roles {
			for _, t := range cat.Dashboards {
				ref := persona.DashboardRef(t.Key, role.PersonaID)
				if !slices.Contains(have, ref) {
					dashes.Options = append(dashes.Options, lpOption{Value: ref, Label: t.Name + " for " + role.Label()})
				}
			}
		}
		for _, g := range []lpAddGroup{mods, packs, dashes} {
			if len(g.Options) > 0 {
				v.Add = append(v.Add, g)
			}
		}
	}
	revs, err := h.svc.ListLaunchpadRevisions(r.Context(), c.Actor, c.Org.Slug, d.Launchpad.ID)
	if err != nil {
		return nil, err
	}
	if len(revs) > 10 {
		revs = revs[:10]
	}
	v.Revisions = revs
	return v, nil
}

func (h *Handler) launchpadPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := h.svc.GetLaunchpad(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := h.savedView(r, c, d)
	if err != nil {
		return err
	}
	cv, err := h.commentsFor(r, c, persona.CommentOnLaunchpad, d.Launchpad.ID, nil)
	if err != nil {
		return err
	}
	v.Comments = &cv
	return h.render(w, r, c, http.StatusOK, "launchpad", d.Launchpad.Name, lpPage{Saved: v})
}

func (h *Handler) launchpadPrint(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	d, err := h.svc.GetLaunchpad(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := &lpSavedView{D: d, Printable: true}
	return h.render(w, r, c, http.StatusOK, "launchpad", d.Launchpad.Name+" (printable)", lpPage{Saved: v})
}

func (h *Handler) launchpadMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	md, l, err := h.svc.LaunchpadMarkdown(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	name := fileSlug(l.Name, "plan")
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="launchpad-`+name+`.md"`)
	_, err = w.Write([]byte(md))
	return err
}

// formRevision reads the revision a form was rendered with.
func formRevision(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("revision"))
	return n
}

// lpEditFailed turns a refused edit into a flash on the Launchpad page:
// stale revisions and invalid input are explained, anything else fails.
func lpEditFailed(w http.ResponseWriter, r *http.Request, c *Ctx, id string, err error) (bool, error) {
	if persona.ErrorCode(err) == persona.CodePreconditionFailed || persona.ErrorCode(err) == persona.CodePreconditionRequired {
		return true, redirect(w, r, lpURL(c.Org.Slug, id), "Someone changed this Launchpad meanwhile, so your change was not saved. This is the current version; please try again.")
	}
	if msg, ok := userMessage(err); ok {
		return true, redirect(w, r, lpURL(c.Org.Slug, id), msg)
	}
	return err != nil, err
}

func (h *Handler) launchpadDetails(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	d, err := h.svc.GetLaunchpad(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	l := d.Launchpad
	_, err = h.svc.UpdateLaunchpad(r.Context(), c.Actor, c.Org.Slug, id, formRevision(r), app.LaunchpadUpdate{
		Name: r.PostFormValue("name"), Notes: r.PostFormValue("notes"), Decisions: l.Decisions, Plan: l.Plan, Message: "Edited name and notes"})
	if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
		v, verr := h.savedView(r, c, d)
		if verr != nil {
			return verr
		}
		v.DetailsError, _ = userMessage(err)
		v.NameValue, v.NotesValue = r.PostFormValue("name"), r.PostFormValue("notes")
		return h.render(w, r, c, http.StatusUnprocessableEntity, "launchpad", l.Name, lpPage{Saved: v})
	}
	if done, err := lpEditFailed(w, r, c, id, err); done {
		return err
	}
	return redirect(w, r, lpURL(c.Org.Slug, id), "Saved.")
}

func (h *Handler) launchpadDecide(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	d, err := h.svc.GetLaunchpad(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	l := d.Launchpad
	ref := r.PostFormValue("ref")
	decision := persona.Decision(r.PostFormValue("decision"))
	decisions := map[string]persona.Decision{}
	for k, v := range l.Decisions {
		decisions[k] = v
	}
	name := itemName(d.View.Recommendation, ref)
	msg := "Marked " + name + " as proposed again"
	switch decision {
	case persona.DecisionAccepted:
		decisions[ref] = decision
		msg = "Accepted " + name
	case persona.DecisionRejected:
		decisions[ref] = decision
		msg = "Rejected " + name
	default:
		delete(decisions, ref)
	}
	_, err = h.svc.UpdateLaunchpad(r.Context(), c.Actor, c.Org.Slug, id, formRevision(r), app.LaunchpadUpdate{
		Name: l.Name, Notes: l.Notes, Decisions: decisions, Plan: l.Plan, Message: msg})
	if done, err := lpEditFailed(w, r, c, id, err); done {
		return err
	}
	return redirect(w, r, lpURL(c.Org.Slug, id)+"#"+itemDomID(ref), msg+".")
}

// itemName is the display name of an item reference.
func itemName(rec persona.Recommendation, ref string) string {
	for _, m := range rec.Modules {
		if m.Ref() == ref {
			return m.Name
		}
	}
	for _, p := range rec.Packs {
		if p.Ref() == ref {
			return p.Name
		}
	}
	for _, d := range rec.Dashboards {
		if d.Ref() == ref {
			return d.Name + " for " + d.Role.Label()
		}
	}
	return ref
}

// itemDomID is the element ID of an item: "module-<key>", "pack-<key>",
// "dashboard-<key>-<persona ID>".
func itemDomID(ref string) string {
	return strings.ReplaceAll(ref, ":", "-")
}

func (h *Handler) launchpadAdd(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	ref := r.PostFormValue("ref")
	l, err := h.svc.AddLaunchpadItem(r.Context(), c.Actor, c.Org.Slug, id, formRevision(r), ref)
	if done, err := lpEditFailed(w, r, c, id, err); done {
		return err
	}
	return redirect(w, r, lpURL(c.Org.Slug, id)+"#"+itemDomID(ref), "Added "+itemName(l.Recommendation, ref)+".")
}

func (h *Handler) launchpadPlan(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	d, err := h.svc.GetLaunchpad(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	l := d.Launchpad
	edits := persona.PlanEdits{PhaseOf: map[string]persona.Phase{}, Phases: map[persona.Phase]persona.PhaseEdit{}}
	for _, m := range l.Recommendation.Modules {
		if p := persona.Phase(r.PostFormValue("phase_of." + m.Key)); p != "" && p != m.Phase {
			edits.PhaseOf[m.Key] = p
		}
	}
	generated := persona.BuildPlan(d.View.Recommendation, persona.PlanEdits{})
	for i, ph := range persona.Phases {
		var e persona.PhaseEdit
		exit := lines(r.PostFormValue("exit." + string(ph)))
		if !slices.Equal(exit, generated.Phases[i].ExitCriteria) {
			e.ExitCriteria = exit
			if e.ExitCriteria == nil {
				e.ExitCriteria = []string{}
			}
		}
		owners := lines(r.PostFormValue("owners." + string(ph)))
		if !slices.Equal(owners, generated.Phases[i].Owners) {
			e.Owners = owners
			if e.Owners == nil {
				e.Owners = []string{}
			}
		}
		e.Notes = r.PostFormValue("notes." + string(ph))
		edits.Phases[ph] = e
	}
	_, err = h.svc.UpdateLaunchpad(r.Context(), c.Actor, c.Org.Slug, id, formRevision(r), app.LaunchpadUpdate{
		Name: l.Name, Notes: l.Notes, Decisions: l.Decisions, Plan: edits, Message: "Edited the plan"})
	if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
		// Show the form again as sent, with the errors in place.
		v, verr := h.savedView(r, c, d)
		if verr != nil {
			return verr
		}
		v.PlanError = "The plan was not saved; see the marked fields."
		for i := range v.Modules {
			v.Modules[i].PhaseOf = cmp.Or(persona.Phase(r.PostFormValue("phase_of."+v.Modules[i].Pick.Key)), v.Modules[i].PhaseOf)
			v.Modules[i].Err = fieldMessage(e.Fields, "plan_edits.phase_of."+v.Modules[i].Pick.Key)
		}
		for i := range v.Phases {
			p := string(v.Phases[i].Phase.Phase)
			v.Phases[i].Exit, v.Phases[i].Owners, v.Phases[i].Notes = r.PostFormValue("exit."+p), r.PostFormValue("owners."+p), r.PostFormValue("notes."+p)
			v.Phases[i].ExitErr = fieldMessage(e.Fields, "plan_edits.phases."+p+".exit_criteria")
			v.Phases[i].OwnersErr = fieldMessage(e.Fields, "plan_edits.phases."+p+".owners")
			v.Phases[i].NotesErr = fieldMessage(e.Fields, "plan_edits.phases."+p+".notes")
		}
		return h.render(w, r, c, http.StatusUnprocessableEntity, "launchpad", l.Name, lpPage{Saved: v})
	}
	if done, err := lpEditFailed(w, r, c, id, err); done {
		return err
	}
	return redirect(w, r, lpURL(c.Org.Slug, id)+"#plan", "Plan saved.")
}

// lines splits a textarea into trimmed, non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// fieldMessage returns the message for one field path, or "".
func fieldMessage(fields []persona.FieldError, path string) string {
	var msgs []string
	for _, f := range fields {
		if f.Field == path {
			msgs = append(msgs, f.Message)
		}
	}
	return strings.Join(msgs, "; ")
}

// ---- regeneration ----

type lpRegenView struct {
	R       app.Regeneration
	CanEdit bool
	Added   int
	Removed int
	Changed int
	Phases  []lpPhaseDelta
}

type lpPhaseDelta struct {
	Label         string
	Before, After float64
	Delta         string
}

func (h *Handler) launchpadRegenPreview(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	reg, err := h.svc.PreviewRegeneration(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if persona.ErrorCode(err) == persona.CodeConflict {
		if msg, ok := userMessage(err); ok {
			return redirect(w, r, lpURL(c.Org.Slug, r.PathValue("id")), msg)
		}
	}
	if err != nil {
		return err
	}
	v := &lpRegenView{R: reg, CanEdit: c.Can(persona.RoleEditor)}
	v.Added, v.Removed, v.Changed = reg.Diff.Count()
	for _, p := range reg.Diff.Phases {
		d := p.EffortAfter - p.EffortBefore
		delta := "no change"
		if d > 0 {
			delta = "+" + formatNumber(d) + " days"
		} else if d < 0 {
			delta = "−" + formatNumber(-d) + " days"
		}
		v.Phases = append(v.Phases, lpPhaseDelta{Label: p.Phase.Label(), Before: p.EffortBefore, After: p.EffortAfter, Delta: delta})
	}
	return h.render(w, r, c, http.StatusOK, "launchpad", "Regenerate "+reg.Current.Launchpad.Name, lpPage{Regen: v})
}

func (h *Handler) launchpadRegenerate(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	_, diff, err := h.svc.RegenerateLaunchpad(r.Context(), c.Actor, c.Org.Slug, id, formRevision(r))
	if done, err := lpEditFailed(w, r, c, id, err); done {
		return err
	}
	a, rm, ch := diff.Count()
	msg := "Regenerated; nothing changed."
	if !diff.Empty() {
		msg = fmt.Sprintf("Regenerated: %d added, %d removed, %d changed.", a, rm, ch)
	}
	return redirect(w, r, lpURL(c.Org.Slug, id), msg)
}

func (h *Handler) launchpadDelete(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.svc.DeleteLaunchpad(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/launchpads", "Launchpad deleted.")
}

func init() {
	funcs["lpDays"] = func(f float64) string { return formatNumber(f) }
	funcs["lpDomID"] = itemDomID
	funcs["lpJoin"] = strings.Join
	funcs["lpPhaseLabel"] = func(p persona.Phase) string { return p.Label() }
	funcs["lpOpLabel"] = func(o persona.Op) string { return o.Label() }
}

// ---- the catalogue ----

func (h *Handler) catalogueRoutes() {
	h.org("GET /o/{org}/catalogue", h.cataloguePage)
	h.org("GET /o/{org}/catalogue/export.yaml", h.catalogueExport)
	h.org("GET /o/{org}/catalogue/export.json", h.catalogueExport)
	h.upload("POST /o/{org}/catalogue/import", persona.RoleAdmin, catalogueImportLimit, true, h.catalogueImport)
	h.org("GET /o/{org}/catalogue/{kind}/new", h.catalogueItemForm)
	h.org("POST /o/{org}/catalogue/{kind}/new", h.catalogueItemSave)
	h.org("GET /o/{org}/catalogue/{kind}/{key}", h.catalogueItemForm)
	h.org("POST /o/{org}/catalogue/{kind}/{key}", h.catalogueItemSave)
	h.org("POST /o/{org}/catalogue/{kind}/{key}/delete", h.catalogueItemDelete)
}

// catKinds maps the URL's kind segment to the item kind.
var catKinds = map[string]persona.ItemKind{"modules": persona.ItemModule, "packs": persona.ItemPack, "dashboards": persona.ItemDashboard}

type catalogueView struct {
	Cat      persona.Catalogue
	CanAdmin bool
	Sections []catSection
	// Import: the document sent back after a refused import, with why.
	Document     string
	ImportError  string
	ImportFields []string
}

type catSection struct {
	Kind, Title, Singular string
	Rows                  []catRow
}

type catRow struct {
	Kind        string // URL segment
	Key         string
	Name        string
	Description string
	Facts       []string
	Rules       []string
}

func catalogueRows(c persona.Catalogue, fields app.CatalogueFields) (mods, packs, dashes []catRow) {
	names := map[string]string{}
	for _, m := range c.Modules {
		names[m.Key] = m.Name
	}
	nameList := func(keys []string) string {
		var out []string
		for _, k := range keys {
			out = append(out, cmp.Or(names[k], k))
		}
		return strings.Join(out, ", ")
	}
	archFacts, ownFacts := ruleFacts(fields.Archetype), ruleFacts(fields.Roles)
	roleFacts := func(path string) (string, bool, bool) {
		if rest, ok := strings.CutPrefix(path, "archetype."); ok {
			return archFacts(rest)
		}
		return ownFacts(path)
	}
	rules := func(rs []persona.Rule, min float64, role bool) []string {
		var out []string
		for _, r := range rs {
			if role {
				out = append(out, persona.RuleSentence(r, "the role", roleFacts))
			} else {
				out = append(out, persona.RuleSentence(r, "the customer", archFacts))
			}
		}
		if min > 0 && len(rs) > 1 {
			out = append(out, "Fits when the rules that hold add up to "+formatNumber(min)+" or more")
		} else if min > 0 {
			out = append(out, "Needs a score of "+formatNumber(min))
		}
		return out
	}
	for _, m := range c.Modules {
		row := catRow{Kind: "modules", Key: m.Key, Name: m.Name, Description: m.Description, Rules: rules(m.Rules, m.MinScore, false)}
		row.Facts = append(row.Facts, formatNumber(m.EffortDays)+" days")
		if m.Phase != "" {
			row.Facts = append(row.Facts, m.Phase.Label())
		}
		if len(m.DependsOn) > 0 {
			row.Facts = append(row.Facts, "depends on "+nameList(m.DependsOn))
		}
		if m.Owner != "" {
			row.Facts = append(row.Facts, "owner: "+m.Owner)
		}
		mods = append(mods, row)
	}
	for _, p := range c.Packs {
		row := catRow{Kind: "packs", Key: p.Key, Name: p.Name, Description: p.Description, Rules: rules(p.Rules, p.MinScore, false)}
		if len(p.Modules) > 0 {
			row.Facts = append(row.Facts, "needs "+nameList(p.Modules))
		}
		if len(p.Serves) > 0 {
			row.Facts = append(row.Facts, "serves "+strings.Join(p.Serves, ", "))
		}
		packs = append(packs, row)
	}
	for _, d := range c.Dashboards {
		row := catRow{Kind: "dashboards", Key: d.Key, Name: d.Name, Description: d.Description, Rules: rules(d.Rules, d.MinScore, true)}
		roles := "any role"
		if len(d.Roles) > 0 {
			roles = strings.Join(d.Roles, ", ")
		}
		row.Facts = append(row.Facts, "for "+roles, fmt.Sprintf("%d widgets", len(d.Widgets)))
		if len(d.Modules) > 0 {
			row.Facts = append(row.Facts, "needs "+nameList(d.Modules))
		}
		dashes = append(dashes, row)
	}
	return mods, packs, dashes
}

// ruleFacts looks a rule's field path up among the fields catalogue
// rules can read, for RuleSentence.
func ruleFacts(opts []app.FieldOption) func(string) (string, bool, bool) {
	m := make(map[string]app.FieldOption, len(opts))
	for _, o := range opts {
		m[o.Path] = o
	}
	return func(path string) (string, bool, bool) {
		o, ok := m[path]
		return strings.TrimSuffix(o.Label, " (dimension)"), o.List, ok
	}
}

func (h *Handler) catalogueView(r *http.Request, c *Ctx) (*catalogueView, error) {
	cat, err := h.svc.Catalogue(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return nil, err
	}
	v := &catalogueView{Cat: cat, CanAdmin: c.Can(persona.RoleAdmin)}
	fields, err := h.svc.ConditionFields(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return nil, err
	}
	mods, packs, dashes := catalogueRows(cat, fields)
	v.Sections = []catSection{
		{Kind: "modules", Title: "Modules", Singular: "module", Rows: mods},
		{Kind: "packs", Title: "Content packs", Singular: "content pack", Rows: packs},
		{Kind: "dashboards", Title: "Dashboard templates", Singular: "dashboard", Rows: dashes},
	}
	return v, nil
}

func (h *Handler) cataloguePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.catalogueView(r, c)
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "catalogue", "Catalogue", v)
}

func (h *Handler) catalogueExport(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	format := app.FormatYAML
	if strings.HasSuffix(r.URL.Path, ".json") {
		format = app.FormatJSON
	}
	b, ct, err := h.svc.ExportCatalogue(r.Context(), c.Actor, c.Org.Slug, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="catalogue-`+c.Org.Slug+`.`+format+`"`)
	_, err = w.Write(b)
	return err
}

// catalogueImportLimit bounds the import form: one catalogue document (as
// a file or pasted) and the form's other fields.
func catalogueImportLimit() int64 { return app.MaxCatalogueDocument + 64<<10 }

// catalogueImport reads a catalogue document; the registration has checked
// the admin role and parsed the bounded form.
func (h *Handler) catalogueImport(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	doc := ""
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(catalogueImportLimit()); err != nil {
			return persona.Errorf(persona.CodeInvalid, "the upload could not be read (at most 1 MB)")
		}
		if f, _, err := r.FormFile("file"); err == nil {
			buf := make([]byte, app.MaxCatalogueDocument+1)
			n, _ := readFull(f, buf)
			f.Close()
			doc = string(buf[:n])
		}
	}
	if strings.TrimSpace(doc) == "" {
		doc = r.FormValue("document")
	}
	rev, err := strconv.Atoi(r.FormValue("revision"))
	if err != nil {
		rev = app.AnyRevision
	}
	_, err = h.svc.ImportCatalogue(r.Context(), c.Actor, c.Org.Slug, []byte(doc), "", rev)
	if err == nil {
		return redirect(w, r, "/o/"+c.Org.Slug+"/catalogue", "Catalogue imported.")
	}
	e, ok := persona.AsError(err)
	if !ok || (e.Code != persona.CodeInvalid && e.Code != persona.CodePreconditionFailed) {
		return err
	}
	v, verr := h.catalogueView(r, c)
	if verr != nil {
		return verr
	}
	v.Document = doc
	v.ImportError = e.Message
	if e.Code == persona.CodePreconditionFailed {
		v.ImportError = "The catalogue was changed while you prepared the import, so nothing was imported. Check the current catalogue and import again."
	}
	for _, f := range e.Fields {
		v.ImportFields = append(v.ImportFields, f.Field+": "+f.Message)
	}
	return h.render(w, r, c, http.StatusUnprocessableEntity, "catalogue", "Catalogue", v)
}

func readFull(f interface{ Read([]byte) (int, error) }, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// catItemView is the form for one catalogue item.
type catItemView struct {
	Kind      string // "modules", "packs", "dashboards"
	KindLabel string
	Title     string
	New       bool
	OldKey    string
	Revision  int
	CanAdmin  bool

	Key, Name, Description string
	EffortDays, Phase      string
	Owner, DoneWhen        string
	MinScore               string
	Serves, Widgets, Roles string
	Modules                []catCheck // depends on / needs
	Rules                  []ruleForm
	Fields                 []app.FieldOption // what conditions can read
	ArchetypeFields        []app.FieldOption // "archetype." paths (dashboards)
	Ops                    []persona.Op
	Phases                 []persona.Phase

	Errs    catItemErrors
	General []string
}

type catCheck struct {
	Key, Name string
	Checked   bool
}

type catItemErrors struct {
	Key, Name, Description, EffortDays, Phase, Owner, DoneWhen, MinScore string
	Serves, Widgets, Roles, Modules, Rules                               string
}

type ruleForm struct {
	Index                        int
	Blank                        bool // the empty rule offered for adding one
	Match, Weight, Note          string
	Conds                        []condForm
	MatchErr, WeightErr, NoteErr string
	CondsErr                     string
}

type condForm struct {
	Index                     int
	Field, Op, Value          string
	FieldErr, OpErr, ValueErr string
}

func (h *Handler) catalogueItemForm(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	kind, ok := catKinds[r.PathValue("kind")]
	if !ok {
		return persona.ErrNotFound("page")
	}
	cat, err := h.svc.Catalogue(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	v := &catItemView{Kind: r.PathValue("kind"), KindLabel: kind.Label(), New: key == "", OldKey: key}
	switch kind {
	case persona.ItemModule:
		m, ok := cat.Module(key)
		if !ok && key != "" {
			return persona.ErrNotFound("module")
		}
		v.fromModule(m)
	case persona.ItemPack:
		p, ok := cat.Pack(key)
		if !ok && key != "" {
			return persona.ErrNotFound("content pack")
		}
		v.fromPack(p)
	case persona.ItemDashboard:
		d, ok := cat.Dashboard(key)
		if !ok && key != "" {
			return persona.ErrNotFound("dashboard template")
		}
		v.fromDashboard(d)
	}
	return h.renderItemForm(w, r, c, http.StatusOK, v, cat, nil)
}

func (v *catItemView) fromModule(m persona.Module) {
	v.Key, v.Name, v.Description = m.Key, m.Name, m.Description
	v.EffortDays, v.Phase, v.Owner, v.DoneWhen = formatNumber(m.EffortDays), string(m.Phase), m.Owner, m.DoneWhen
	v.setCommon(m.Rules, m.MinScore, m.DependsOn)
}

func (v *catItemView) fromPack(p persona.ContentPack) {
	v.Key, v.Name, v.Description = p.Key, p.Name, p.Description
	v.Serves = strings.Join(p.Serves, "\n")
	v.setCommon(p.Rules, p.MinScore, p.Modules)
}

func (v *catItemView) fromDashboard(d persona.DashboardTemplate) {
	v.Key, v.Name, v.Description = d.Key, d.Name, d.Description
	v.Widgets, v.Roles = strings.Join(d.Widgets, "\n"), strings.Join(d.Roles, "\n")
	v.setCommon(d.Rules, d.MinScore, d.Modules)
}

// checked holds the module keys ticked until the form is rendered.
func (v *catItemView) setCommon(rules []persona.Rule, min float64, modules []string) {
	if min != 0 {
		v.MinScore = formatNumber(min)
	}
	for i, r := range rules {
		rf := ruleForm{Index: i, Match: string(r.Match), Note: r.Note}
		if r.Weight != 0 {
			rf.Weight = formatNumber(r.Weight)
		}
		for j, c := range r.Conditions {
			cf := condForm{Index: j, Field: c.Field, Op: string(c.Op)}
			if l, ok := c.Value.([]string); ok {
				cf.Value = strings.Join(l, ", ")
			} else if c.Value != nil {
				cf.Value = valueText(c.Value)
			}
			rf.Conds = append(rf.Conds, cf)
		}
		v.Rules = append(v.Rules, rf)
	}
	for _, k := range modules {
		v.Modules = append(v.Modules, catCheck{Key: k, Checked: true})
	}
}

// renderItemForm fills in what the form offers (modules to tick, fields
// to read, a blank rule and condition to add) and renders it.
func (h *Handler) renderItemForm(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v *catItemView, cat persona.Catalogue, _ error) error {
	v.CanAdmin = c.Can(persona.RoleAdmin)
	v.Revision = cat.Revision
	v.Ops = persona.Ops
	v.Phases = persona.Phases
	fields, err := h.svc.ConditionFields(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.Fields = fields.Archetype
	if v.Kind == "dashboards" {
		v.Fields = fields.Roles
		for _, f := range fields.Archetype {
			f.Path = "archetype." + f.Path
			f.Label = "Archetype: " + f.Label
			v.ArchetypeFields = append(v.ArchetypeFields, f)
		}
	}
	checked := map[string]bool{}
	for _, m := range v.Modules {
		if m.Checked {
			checked[m.Key] = true
		}
	}
	v.Modules = nil
	for _, m := range cat.Modules {
		if v.Kind == "modules" && m.Key == v.OldKey {
			continue
		}
		v.Modules = append(v.Modules, catCheck{Key: m.Key, Name: m.Name, Checked: checked[m.Key]})
	}
	// One blank condition per rule and one blank rule, to add without JS.
	for i := range v.Rules {
		v.Rules[i].Index = i
		for j := range v.Rules[i].Conds {
			v.Rules[i].Conds[j].Index = j
		}
		if len(v.Rules[i].Conds) < persona.MaxConditions {
			v.Rules[i].Conds = append(v.Rules[i].Conds, condForm{Index: len(v.Rules[i].Conds)})
		}
	}
	if len(v.Rules) < persona.MaxRulesPerItem {
		v.Rules = append(v.Rules, ruleForm{Index: len(v.Rules), Blank: true, Match: string(persona.MatchAll), Conds: []condForm{{Index: 0}, {Index: 1}}})
	}
	v.Title = "New " + strings.ToLower(v.KindLabel)
	if !v.New {
		v.Title = v.KindLabel + ": " + cmp.Or(strings.TrimSpace(v.Name), v.OldKey)
	}
	return h.render(w, r, c, status, "catalogue_item", v.Title, v)
}

// readItemForm reads the form into the view (as sent) and the item's
// rules, keeping where each rule and condition came from (rulePos,
// condPos) so that errors land on the right fields. Problems the form
// itself can tell (numbers that are not numbers) are set on the view.
func readItemForm(r *http.Request, v *catItemView) (rules []persona.Rule, rulePos []int, condPos [][]int, minScore float64, effort float64, bad bool) {
	v.Key, v.Name, v.Description = r.PostFormValue("key"), r.PostFormValue("name"), r.PostFormValue("description")
	v.EffortDays, v.Phase, v.Owner, v.DoneWhen = r.PostFormValue("effort_days"), r.PostFormValue("phase"), r.PostFormValue("owner"), r.PostFormValue("done_when")
	v.MinScore = r.PostFormValue("min_score")
	v.Serves, v.Widgets, v.Roles = r.PostFormValue("serves"), r.PostFormValue("widgets"), r.PostFormValue("roles")
	for _, k := range r.PostForm["modules"] {
		v.Modules = append(v.Modules, catCheck{Key: k, Checked: true})
	}
	num := func(s string, errp *string) float64 {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			*errp = "must be a number"
			bad = true
		}
		return f
	}
	minScore = num(v.MinScore, &v.Errs.MinScore)
	if v.Kind == "modules" {
		effort = num(v.EffortDays, &v.Errs.EffortDays)
	}
	for i := 0; i <= persona.MaxRulesPerItem; i++ {
		p := fmt.Sprintf("rule.%d.", i)
		if _, ok := r.PostForm[p+"match"]; !ok {
			break
		}
		rf := ruleForm{Index: i, Match: r.PostFormValue(p + "match"), Weight: r.PostFormValue(p + "weight"), Note: r.PostFormValue(p + "note")}
		rule := persona.Rule{Match: persona.Match(rf.Match), Note: rf.Note}
		rule.Weight = num(rf.Weight, &rf.WeightErr)
		var cpos []int
		for j := 0; j <= persona.MaxConditions; j++ {
			cp := fmt.Sprintf("%scond.%d.", p, j)
			if _, ok := r.PostForm[cp+"field"]; !ok {
				break
			}
			cf := condForm{Index: j, Field: strings.TrimSpace(r.PostFormValue(cp + "field")), Op: r.PostFormValue(cp + "op"), Value: r.PostFormValue(cp + "value")}
			rf.Conds = append(rf.Conds, cf)
			if cf.Field == "" && strings.TrimSpace(cf.Value) == "" {
				continue // a blank row
			}
			cond := persona.Condition{Field: cf.Field, Op: persona.Op(cf.Op)}
			switch cond.Op {
			case persona.OpPresent, persona.OpAbsent:
			case persona.OpOneOf:
				var items []string
				for _, s := range strings.FieldsFunc(cf.Value, func(r rune) bool { return r == ',' || r == '\n' }) {
					if s = strings.TrimSpace(s); s != "" {
						items = append(items, s)
					}
				}
				cond.Value = items
			default:
				cond.Value = cf.Value
			}
			rule.Conditions = append(rule.Conditions, cond)
			cpos = append(cpos, j)
		}
		v.Rules = append(v.Rules, rf)
		if len(rule.Conditions) == 0 && strings.TrimSpace(rf.Note) == "" {
			continue // a blank rule
		}
		rules = append(rules, rule)
		rulePos = append(rulePos, i)
		condPos = append(condPos, cpos)
	}
	return rules, rulePos, condPos, minScore, effort, bad
}

func (h *Handler) catalogueItemSave(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	kind, ok := catKinds[r.PathValue("kind")]
	if !ok {
		return persona.ErrNotFound("page")
	}
	if err := r.ParseForm(); err != nil {
		return persona.Errorf(persona.CodeInvalid, "the form could not be read")
	}
	oldKey := r.PathValue("key")
	v := &catItemView{Kind: r.PathValue("kind"), KindLabel: kind.Label(), New: oldKey == "", OldKey: oldKey}
	rules, rulePos, condPos, minScore, effort, bad := readItemForm(r, v)
	cat, err := h.svc.Catalogue(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	action := r.PostFormValue("action")
	if bad || (action != "" && action != "save") {
		if strings.HasPrefix(action, "add-cond.") {
			if i, err := strconv.Atoi(strings.TrimPrefix(action, "add-cond.")); err == nil && i >= 0 && i < len(v.Rules) {
				v.Rules[i].Conds = append(v.Rules[i].Conds, condForm{})
			}
		}
		status := http.StatusOK
		if bad {
			status = http.StatusUnprocessableEntity
		}
		return h.renderItemForm(w, r, c, status, v, cat, nil)
	}
	var modules []string
	for _, m := range v.Modules {
		modules = append(modules, m.Key)
	}
	rev, err := strconv.Atoi(r.PostFormValue("revision"))
	if err != nil {
		rev = app.AnyRevision
	}
	var index int
	switch kind {
	case persona.ItemModule:
		index = slices.IndexFunc(cat.Modules, func(m persona.Module) bool { return m.Key == oldKey })
		if oldKey == "" {
			index = len(cat.Modules)
		}
		m := persona.Module{Key: v.Key, Name: v.Name, Description: v.Description, DependsOn: modules, EffortDays: effort,
			Phase: persona.Phase(v.Phase), Owner: v.Owner, DoneWhen: v.DoneWhen, Rules: rules, MinScore: minScore}
		_, err = h.svc.SaveModule(r.Context(), c.Actor, c.Org.Slug, oldKey, m, rev)
	case persona.ItemPack:
		index = slices.IndexFunc(cat.Packs, func(p persona.ContentPack) bool { return p.Key == oldKey })
		if oldKey == "" {
			index = len(cat.Packs)
		}
		p := persona.ContentPack{Key: v.Key, Name: v.Name, Description: v.Description, Modules: modules, Serves: lines(v.Serves), Rules: rules, MinScore: minScore}
		_, err = h.svc.SavePack(r.Context(), c.Actor, c.Org.Slug, oldKey, p, rev)
	case persona.ItemDashboard:
		index = slices.IndexFunc(cat.Dashboards, func(d persona.DashboardTemplate) bool { return d.Key == oldKey })
		if oldKey == "" {
			index = len(cat.Dashboards)
		}
		d := persona.DashboardTemplate{Key: v.Key, Name: v.Name, Description: v.Description, Widgets: lines(v.Widgets), Roles: lines(v.Roles),
			Modules: modules, Rules: rules, MinScore: minScore}
		_, err = h.svc.SaveDashboard(r.Context(), c.Actor, c.Org.Slug, oldKey, d, rev)
	}
	if err == nil {
		return redirect(w, r, "/o/"+c.Org.Slug+"/catalogue#"+v.Kind+"-"+strings.TrimSpace(v.Key), "Saved "+strings.TrimSpace(v.Name)+".")
	}
	e, ok := persona.AsError(err)
	if !ok {
		return err
	}
	switch e.Code {
	case persona.CodePreconditionFailed:
		v.General = append(v.General, fmt.Sprintf("The catalogue was changed meanwhile (it is now at revision %d), so this was not saved. Check your changes and save again.", e.Current))
		cat, err = h.svc.Catalogue(r.Context(), c.Actor, c.Org.Slug)
		if err != nil {
			return err
		}
		return h.renderItemForm(w, r, c, http.StatusConflict, v, cat, nil)
	case persona.CodeInvalid:
	default:
		return err
	}
	v.placeErrors(e.Fields, fmt.Sprintf("%s[%d].", v.Kind, index), rulePos, condPos)
	return h.renderItemForm(w, r, c, http.StatusUnprocessableEntity, v, cat, nil)
}

// placeErrors puts each field error next to its field; errors about other
// items or the whole catalogue are listed at the top.
func (v *catItemView) placeErrors(fields []persona.FieldError, prefix string, rulePos []int, condPos [][]int) {
	for _, f := range fields {
		path, mine := strings.CutPrefix(f.Field, prefix)
		if !mine && !strings.Contains(f.Field, "[") && !strings.Contains(f.Field, ".") && f.Field != "modules" {
			path, mine = f.Field, true // "key" from the key check
		}
		if !mine {
			v.General = append(v.General, f.Field+": "+f.Message)
			continue
		}
		top, rest, _ := strings.Cut(path, ".")
		base, _, _ := strings.Cut(top, "[")
		set := func(p *string) {
			if *p != "" {
				*p += "; "
			}
			*p += f.Message
		}
		switch base {
		case "key":
			set(&v.Errs.Key)
		case "name":
			set(&v.Errs.Name)
		case "description":
			set(&v.Errs.Description)
		case "effort_days":
			set(&v.Errs.EffortDays)
		case "phase":
			set(&v.Errs.Phase)
		case "owner":
			set(&v.Errs.Owner)
		case "done_when":
			set(&v.Errs.DoneWhen)
		case "min_score":
			set(&v.Errs.MinScore)
		case "serves":
			set(&v.Errs.Serves)
		case "widgets":
			set(&v.Errs.Widgets)
		case "roles":
			set(&v.Errs.Roles)
		case "depends_on", "modules":
			set(&v.Errs.Modules)
		case "rules":
			var ri, ci int
			if _, err := fmt.Sscanf(top, "rules[%d]", &ri); err != nil || ri < 0 || ri >= len(rulePos) {
				set(&v.Errs.Rules)
				continue
			}
			rf := &v.Rules[rulePos[ri]]
			sub, condRest, _ := strings.Cut(rest, ".")
			switch {
			case sub == "match":
				set(&rf.MatchErr)
			case sub == "weight":
				set(&rf.WeightErr)
			case sub == "note":
				set(&rf.NoteErr)
			case sub == "conditions":
				set(&rf.CondsErr)
			case strings.HasPrefix(sub, "conditions["):
				if _, err := fmt.Sscanf(sub, "conditions[%d]", &ci); err != nil || ci < 0 || ci >= len(condPos[ri]) {
					set(&rf.CondsErr)
					continue
				}
				cf := &rf.Conds[condPos[ri][ci]]
				switch condRest {
				case "field":
					set(&cf.FieldErr)
				case "op":
					set(&cf.OpErr)
				default:
					set(&cf.ValueErr)
				}
			default:
				set(&rf.CondsErr)
			}
		default:
			v.General = append(v.General, f.Field+": "+f.Message)
		}
	}
}

func (h *Handler) catalogueItemDelete(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	kind, ok := catKinds[r.PathValue("kind")]
	if !ok {
		return persona.ErrNotFound("page")
	}
	rev, err := strconv.Atoi(r.PostFormValue("revision"))
	if err != nil {
		rev = app.AnyRevision
	}
	_, err = h.svc.DeleteCatalogueItem(r.Context(), c.Actor, c.Org.Slug, kind, r.PathValue("key"), rev)
	back := "/o/" + c.Org.Slug + "/catalogue"
	switch persona.ErrorCode(err) {
	case "":
		if err != nil {
			return err
		}
		return redirect(w, r, back, "Removed from the catalogue.")
	case persona.CodeConflict:
		msg, _ := userMessage(err)
		return redirect(w, r, back+"#"+r.PathValue("kind")+"-"+r.PathValue("key"), msg)
	case persona.CodePreconditionFailed:
		return redirect(w, r, back, "The catalogue was changed meanwhile, so nothing was removed. Here is the current catalogue.")
	}
	return err
}
