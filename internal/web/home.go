package web

import (
	"net/http"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// homeView is the organisation's home: groups of persona cards.
type homeView struct {
	Filter     persona.PersonaFilter
	Groups     []groupCards
	Templates  []persona.Template
	AllGroups  []persona.Group
	Total      int         // personas shown
	TypeCounts []typeCount // personas shown, per profile type
	Filtered   bool
	// CanMove: the caller may move personas and there is more than one
	// group to move them between (groups.go).
	CanMove bool
	Move    homeMove
	// FirstGroup is the name the empty page's "Create your first group"
	// form suggests.
	FirstGroup string
}

// homeMove is the "Move to…" form of the home page: which personas were
// ticked and where to, when a move was refused, and why.
type homeMove struct {
	Error    string
	Selected []string
	To       string
}

type typeCount struct {
	Type persona.ProfileType
	N    int
}

type groupCards struct {
	Group persona.Group
	Cards []personaCard
}

// personaCard is a persona as a card: enough to recognise and open it.
type personaCard struct {
	ID          string
	Name        string
	Type        persona.ProfileType
	Summary     string
	Status      persona.Status
	Overdue     bool
	UpdatedAt   time.Time
	TemplateID  string
	GroupID     string
	ReviewDueOn time.Time
}

func cardOf(p persona.Persona, now time.Time) personaCard {
	return personaCard{ID: p.ID, Name: p.Name, Type: p.ProfileType, Summary: p.Summary, Status: p.Status,
		Overdue: p.ReviewOverdue(now), UpdatedAt: p.UpdatedAt, TemplateID: p.TemplateID, GroupID: p.GroupID,
		ReviewDueOn: p.ReviewDue()}
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	f := persona.PersonaFilter{
		GroupID: q.Get("group"), ProfileType: persona.ProfileType(q.Get("type")),
		TemplateID: q.Get("template"), Status: persona.Status(q.Get("status")),
	}
	return h.renderHome(w, r, c, http.StatusOK, f, homeMove{})
}

func (h *Handler) renderHome(w http.ResponseWriter, r *http.Request, c *Ctx, status int, f persona.PersonaFilter, move homeMove) error {
	personas, err := h.allPersonas(r, c, f)
	if err != nil {
		return err
	}
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	templates, err := h.svc.ListTemplates(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v := homeView{Filter: f, Templates: templates, AllGroups: groups,
		Filtered: f.GroupID != "" || f.ProfileType != "" || f.TemplateID != "" || f.Status != "",
		CanMove:  c.Can(persona.RoleEditor) && len(groups) > 1, Move: move, FirstGroup: defaultGroupName}
	byGroup := map[string][]personaCard{}
	counts := map[persona.ProfileType]int{}
	now := time.Now()
	for _, p := range personas {
		byGroup[p.GroupID] = append(byGroup[p.GroupID], cardOf(p, now))
		counts[p.ProfileType]++
		v.Total++
	}
	for _, t := range persona.ProfileTypes {
		if counts[t] > 0 {
			v.TypeCounts = append(v.TypeCounts, typeCount{Type: t, N: counts[t]})
		}
	}
	for _, g := range groups {
		if f.GroupID != "" && g.ID != f.GroupID {
			continue
		}
		v.Groups = append(v.Groups, groupCards{Group: g, Cards: byGroup[g.ID]})
	}
	return h.render(w, r, c, status, "home", c.Org.Name, v)
}

// allPersonas reads every persona matching f, page by page. Invalid filter
// values come back as the app layer's validation error.
func (h *Handler) allPersonas(r *http.Request, c *Ctx, f persona.PersonaFilter) ([]persona.Persona, error) {
	var all []persona.Persona
	cursor := ""
	f.Limit = app.MaxPageSize
	for {
		page, err := h.svc.ListPersonas(r.Context(), c.Actor, c.Org.Slug, f, cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}
