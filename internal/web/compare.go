package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

func (h *Handler) compareRoutes() {
	h.org("GET /o/{org}/compare", h.comparePage)
}

// compareView is the comparison page: a picker while fewer than two
// personas are chosen (or the choice is being changed), else the personas
// side by side with their shared dimensions.
type compareView struct {
	Org string

	// The picker.
	Picking  bool
	Picker   []pickerGroup
	Selected int    // how many are ticked
	Message  string // why the selection cannot be compared
	Min, Max int

	// The comparison.
	Personas   []comparePersona
	Sections   []compareSection
	Dimensions []compareDimension
	Chart      dotChart
	DiffRows   int    // rows whose values differ
	ShareURL   string // absolute link to this comparison
	EditURL    string // the picker with this selection
}

type pickerGroup struct {
	ID, Name string
	Items    []pickerItem
}

type pickerItem struct {
	ID, Name string
	Type     persona.ProfileType
	Status   persona.Status
	Summary  string
	Checked  bool
}

// comparePersona is one column of the comparison.
// ImageBases are the address prefixes of the compared personas' pictures
// (fieldimages.go), one per column.
func (v compareView) ImageBases() []string {
	out := make([]string, len(v.Personas))
	for i, p := range v.Personas {
		out[i] = fieldImageBase(v.Org, p.ID)
	}
	return out
}

type comparePersona struct {
	ID, Name     string
	Type         persona.ProfileType
	Status       persona.Status
	Summary      string
	GroupName    string
	TemplateName string
	Version      int
	UpdatedAt    time.Time
	Series       string // CSS class of its chart colour (a palette of its own, not the type's)
	Shape        string // its chart marker, path data around 0,0
	RemoveURL    string // the comparison without it ("" when only two are left)
	Photo        string // its photo's address; "" without one (photos.go)
}

type compareSection struct {
	persona.CompareSection
	AnyDiffers bool
	// Org and RefNames let persona reference cells name and link their
	// targets (refs.go); without them a cell counts its personas.
	Org      string
	RefNames map[string]persona.RefName
}

type compareDimension struct {
	persona.CompareDimension
	Values []dimensionValue // one per persona
}

// dimensionValue is one persona's value on a dimension, as text for the
// data table.
type dimensionValue struct {
	Has  bool
	Set  bool
	Text string
}

func (h *Handler) comparePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	ids := compareIDs(q["ids"])
	v := compareView{Org: c.Org.Slug, Min: persona.MinCompare, Max: persona.MaxCompare}
	editing := q.Get("edit") != ""
	switch {
	case len(ids) >= persona.MinCompare && len(ids) <= persona.MaxCompare && !editing &&
		(q.Has("picked") || len(q["ids"]) > 1):
		// From the picker form: move to the canonical, shareable address.
		http.Redirect(w, r, compareURL(c.Org.Slug, ids), http.StatusSeeOther)
		return nil
	case len(ids) > persona.MaxCompare:
		v.Message = fmt.Sprintf("You picked %d personas. A comparison shows at most %d side by side: untick %d and compare again.",
			len(ids), persona.MaxCompare, len(ids)-persona.MaxCompare)
		return h.comparePicker(w, r, c, v, ids, http.StatusUnprocessableEntity)
	case len(ids) < persona.MinCompare && q.Has("picked"):
		v.Message = fmt.Sprintf("Pick at least %d personas to compare.", persona.MinCompare)
		return h.comparePicker(w, r, c, v, ids, http.StatusUnprocessableEntity)
	case len(ids) < persona.MinCompare || editing:
		return h.comparePicker(w, r, c, v, ids, http.StatusOK)
	}

	ctx := r.Context()
	labels, err := h.svc.Names(ctx, c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	groupNames, templateNames := labels.Groups, labels.Templates
	ps, err := h.svc.GetPersonas(ctx, c.Actor, c.Org.Slug, ids)
	if err != nil {
		return err
	}
	for _, p := range ps { // comparisons are not stored: opening one is the reference (usage.go)
		h.svc.RecordView(c.Actor, c.Org.ID, p.ID, app.ViewCompare)
	}
	in := make([]persona.CompareInput, 0, len(ps))
	for _, p := range ps {
		ver, err := h.svc.PersonaDefinition(ctx, c.Actor, c.Org.Slug, p)
		if err != nil {
			return err
		}
		in = append(in, persona.CompareInput{Persona: p, Definition: ver.Definition})
	}
	cmp, err := persona.Compare(in)
	if err != nil {
		return err
	}

	photos, err := h.photoVersions(r, c)
	if err != nil {
		return err
	}
	for i, ci := range in {
		p := ci.Persona
		cp := comparePersona{ID: p.ID, Name: p.Name, Type: p.ProfileType, Status: p.Status, Summary: p.Summary,
			GroupName: groupNames[p.GroupID], TemplateName: templateNames[p.TemplateID], Version: p.TemplateVersion,
			UpdatedAt: p.UpdatedAt, Photo: photoURL(c.Org.Slug, p.ID, photos[p.ID], photo.Small)}
		cp.Series, cp.Shape = seriesOf(i)
		if len(ids) > persona.MinCompare {
			cp.RemoveURL = compareURL(c.Org.Slug, slices.Delete(slices.Clone(ids), i, i+1))
		}
		v.Personas = append(v.Personas, cp)
	}
	refNames := map[string]persona.RefName{}
	for _, ci := range in { // refs.go
		n, err := h.svc.RefNames(ctx, c.Actor, c.Org.Slug, ci.Definition, ci.Persona)
		if err != nil {
			return err
		}
		maps.Copy(refNames, n)
	}
	for _, s := range cmp.Sections {
		cs := compareSection{CompareSection: s, Org: c.Org.Slug, RefNames: refNames}
		for _, row := range s.Rows {
			if row.Differs {
				cs.AnyDiffers = true
				v.DiffRows++
			}
		}
		v.Sections = append(v.Sections, cs)
	}
	for _, d := range cmp.Dimensions {
		cd := compareDimension{CompareDimension: d}
		for _, cell := range d.Cells {
			cd.Values = append(cd.Values, dimensionValue{Has: cell.Has, Set: cell.Set(), Text: dimensionText(cell)})
		}
		v.Dimensions = append(v.Dimensions, cd)
	}
	v.Chart = chartOf(cmp.Dimensions, v.Personas)
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	v.ShareURL = scheme + "://" + r.Host + compareURL(c.Org.Slug, ids)
	v.EditURL = compareURL(c.Org.Slug, ids) + "&edit=1"
	names := make([]string, len(v.Personas))
	for i, p := range v.Personas {
		names[i] = p.Name
	}
	return h.render(w, r, c, http.StatusOK, "compare", "Compare "+joinNames(names), v)
}

// comparePicker renders the checkbox list of every persona, grouped by group.
func (h *Handler) comparePicker(w http.ResponseWriter, r *http.Request, c *Ctx, v compareView, ids []string, status int) error {
	v.Picking = true
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	all, err := h.allPersonas(r, c, persona.PersonaFilter{})
	if err != nil {
		return err
	}
	byGroup := map[string][]pickerItem{}
	for _, p := range all {
		checked := slices.Contains(ids, p.ID)
		if checked {
			v.Selected++
		}
		byGroup[p.GroupID] = append(byGroup[p.GroupID], pickerItem{ID: p.ID, Name: p.Name, Type: p.ProfileType,
			Status: p.Status, Summary: p.Summary, Checked: checked})
	}
	for _, g := range groups {
		if items := byGroup[g.ID]; len(items) > 0 {
			v.Picker = append(v.Picker, pickerGroup{ID: g.ID, Name: g.Name, Items: items})
			delete(byGroup, g.ID)
		}
	}
	var rest []pickerItem // personas of a group this listing did not name
	for _, k := range sortedKeys(byGroup) {
		rest = append(rest, byGroup[k]...)
	}
	if len(rest) > 0 {
		v.Picker = append(v.Picker, pickerGroup{ID: "other", Name: "Other personas", Items: rest})
	}
	return h.render(w, r, c, status, "compare", "Compare personas", v)
}

// compareIDs reads ids from ?ids=a,b,c and/or repeated ?ids=: trimmed,
// without blanks or repeats, in order.
func compareIDs(raw []string) []string {
	var ids []string
	for _, s := range raw {
		for id := range strings.SplitSeq(s, ",") {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// compareURL is the canonical, shareable path of a comparison.
func compareURL(org string, ids []string) string {
	esc := make([]string, len(ids))
	for i, id := range ids {
		esc[i] = url.QueryEscape(id)
	}
	return "/o/" + url.PathEscape(org) + "/compare?ids=" + strings.Join(esc, ",")
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func dimensionText(c persona.DimensionCell) string {
	switch {
	case !c.Has:
		return "not in this template"
	case !c.Set():
		return "not set"
	case c.Dimension.Kind == persona.DimensionScale:
		return valueText(c.Value) + " of " + strconv.Itoa(c.Dimension.Min) + "–" + strconv.Itoa(c.Dimension.Max)
	}
	return valueText(c.Value)
}
