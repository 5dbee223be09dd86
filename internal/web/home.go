package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// homeView is the organisation's home: a hub of persona cards in their
// groups, each saying at a glance how many customer variants it has, how
// much of it evidence backs and whether it is aligned, beside the
// "Recently changed" and "Review overdue" lists. The filters apply as they
// are chosen (htmx swaps #home-results and pushes the URL, so a filtered
// view can be shared); without JavaScript their Apply button does it.
type homeView struct {
	Filter persona.PersonaFilter
	Review app.ReviewFilter // mine, overdue, due30, unowned (reviews.go)
	// ReviewChips are the review filter's choices, each with how many of
	// the organisation's personas it holds.
	ReviewChips []reviewChip
	Text        string // the "Find" filter: words in the name, role or summary
	Groups      []groupCards
	Templates   []persona.Template
	AllGroups   []persona.Group
	Total       int         // personas shown
	TypeCounts  []typeCount // personas shown, per profile type
	Filtered    bool
	Hub         app.Hub
	// CanMove: the caller may move personas and there is more than one
	// group to move them between (groups.go).
	CanMove bool
	Move    homeMove
	// FirstGroup is the name the empty page's "Create your first group"
	// form suggests.
	FirstGroup string
}

// hubListSize is how many entries "Recently changed" and "Review overdue"
// show.
const hubListSize = 5

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

// personaCard is a persona as a card: enough to recognise and open it, and
// its glance (variants, evidence, alignment).
type personaCard struct {
	ID          string
	Name        string
	Role        string
	Type        persona.ProfileType
	Summary     string
	Status      persona.Status
	Overdue     bool
	UpdatedAt   time.Time
	TemplateID  string
	GroupID     string
	ReviewDueOn time.Time
	Glance      app.PersonaGlance
	Comments    int    // comments on it and its fields (comments.go)
	Photo       string // its photo's address (the small size); "" without one
}

func cardOf(p persona.Persona, now time.Time) personaCard {
	role, _ := p.Values[headerRoleKey].(string)
	return personaCard{ID: p.ID, Name: p.Name, Role: role, Type: p.ProfileType, Summary: p.Summary, Status: p.Status,
		Overdue: p.ReviewOverdue(now), UpdatedAt: p.UpdatedAt, TemplateID: p.TemplateID, GroupID: p.GroupID,
		ReviewDueOn: p.ReviewDue()}
}

// hubCards makes the cards of ps with their glances, worked out together
// (a fixed number of queries), and the hub's lists.
func (h *Handler) hubCards(r *http.Request, c *Ctx, ps []persona.Persona) ([]personaCard, app.Hub, error) {
	now := time.Now()
	hub, err := h.svc.PersonaHub(r.Context(), c.Actor, c.Org.Slug, ps, now, hubListSize)
	if err != nil {
		return nil, app.Hub{}, err
	}
	counts, err := h.svc.CountPersonaComments(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return nil, app.Hub{}, err
	}
	photos, err := h.photoVersions(r, c) // photos.go
	if err != nil {
		return nil, app.Hub{}, err
	}
	cards := make([]personaCard, len(ps))
	for i, p := range ps {
		cards[i] = cardOf(p, now)
		cards[i].Photo = photoURL(c.Org.Slug, p.ID, photos[p.ID], photo.Small)
		cards[i].Glance = hub.Glances[p.ID]
		cards[i].Comments = counts[p.ID]
	}
	return cards, hub, nil
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	f := persona.PersonaFilter{
		GroupID: q.Get("group"), ProfileType: persona.ProfileType(q.Get("type")),
		TemplateID: q.Get("template"), Status: persona.Status(q.Get("status")),
	}
	review, err := app.ParseReviewFilter(q.Get("review"))
	if err != nil {
		return err
	}
	if review == app.ReviewAny && q.Get("overdue") != "" {
		review = app.ReviewOverdue // the earlier "Review overdue" box's address still works
	}
	return h.renderHome(w, r, c, http.StatusOK, homeFilters{PersonaFilter: f, Review: review, Text: q.Get("q")}, homeMove{})
}

// homeFilters are the home page's filters: the store's, plus two it
// applies itself (the review filter, and words in the name, role or
// summary).
type homeFilters struct {
	persona.PersonaFilter
	Review app.ReviewFilter
	Text   string
}

// maxFindText bounds the "Find" filter's text.
const maxFindText = 200

// keep reports whether p passes the filters the page applies itself.
func (f homeFilters) keep(p persona.Persona, userID string, now time.Time, words []string) bool {
	if !f.Review.Match(p, userID, now) {
		return false
	}
	if len(words) == 0 {
		return true
	}
	role, _ := p.Values[headerRoleKey].(string)
	hay := persona.FoldSearch(p.Name + " " + role + " " + p.Summary)
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func (h *Handler) renderHome(w http.ResponseWriter, r *http.Request, c *Ctx, status int, hf homeFilters, move homeMove) error {
	f := hf.PersonaFilter
	if len(hf.Text) > maxFindText {
		return persona.Invalid("invalid filter", []persona.FieldError{{Field: "q", Message: fmt.Sprintf("must be at most %d characters", maxFindText)}})
	}
	hf.Text = strings.TrimSpace(hf.Text)
	personas, err := h.allPersonas(r, c, f)
	if err != nil {
		return err
	}
	now := time.Now()
	chips, err := h.reviewChips(r, c, f, personas, now)
	if err != nil {
		return err
	}
	words := strings.Fields(persona.FoldSearch(hf.Text))
	kept := personas[:0]
	for _, p := range personas {
		if hf.keep(p, c.Actor.UserID, now, words) {
			kept = append(kept, p)
		}
	}
	personas = kept
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	templates, err := h.svc.ListTemplates(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	cards, hub, err := h.hubCards(r, c, personas)
	if err != nil {
		return err
	}
	v := homeView{Filter: f, Review: hf.Review, ReviewChips: chips, Text: hf.Text, Templates: templates, AllGroups: groups, Hub: hub,
		Filtered: f.GroupID != "" || f.ProfileType != "" || f.TemplateID != "" || f.Status != "" || hf.Review != app.ReviewAny || hf.Text != "",
		CanMove:  c.Can(persona.RoleEditor) && len(groups) > 1, Move: move, FirstGroup: defaultGroupName}
	byGroup := map[string][]personaCard{}
	counts := map[persona.ProfileType]int{}
	for _, card := range cards {
		byGroup[card.GroupID] = append(byGroup[card.GroupID], card)
		counts[card.Type]++
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
