package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Usage (docs/usage.md): the persona page says how many people viewed it
// lately, and /o/{org}/usage reports which personas are used, which are
// not, and what refers to them. Counts only: nobody sees who viewed what.

func (h *Handler) usageRoutes() {
	h.org("GET /o/{org}/usage", h.usagePage)
}

// usageLine is the persona page's quiet "Viewed by 12 people in the last
// 30 days" (partials/usage.html).
type usageLine struct {
	Viewers int
	URL     string
}

// personaUsage reads the line for a persona page; a failure leaves the
// line out rather than failing the page. With usage off (the load
// harness's "before") there is no line and no query.
func (h *Handler) personaUsage(r *http.Request, c *Ctx, personaID string) *usageLine {
	if !h.svc.UsageRecording() {
		return nil
	}
	n, err := h.svc.PersonaViewers(r.Context(), c.Actor, c.Org.Slug, personaID)
	if err != nil {
		h.log.Warn("usage: counting viewers", "err", err)
		return nil
	}
	return &usageLine{Viewers: n, URL: "/o/" + c.Org.Slug + "/usage"}
}

type usageView struct {
	Days, Window  int
	Windows       []int
	Group, Type   string
	Sort          string // "most" or "least"
	Groups        []persona.Group
	Types         []persona.ProfileType
	Rows          []usageRow
	Never         []usageRow // not viewed in the window
	Total, Opened int
	Kinds         []struct{ Key, Label string }
}

type usageRow struct {
	app.PersonaUsage
	GroupName string
	URL       string
	Refs      []usageRef // the kinds with references, in ReferenceKinds order
	RefTotal  int
}

type usageRef struct {
	Label string
	N     int
}

func (h *Handler) usagePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	qs := r.URL.Query()
	days, _ := strconv.Atoi(qs.Get("days"))
	if days != 90 {
		days = 30
	}
	v := usageView{Days: days, Windows: app.UsageWindows, Group: qs.Get("group"), Type: qs.Get("type"),
		Sort: qs.Get("sort"), Types: persona.ProfileTypes, Kinds: app.ReferenceKinds}
	if v.Sort != "least" {
		v.Sort = "most"
	}
	rep, err := h.svc.Usage(r.Context(), c.Actor, c.Org.Slug, days)
	if err != nil {
		return err
	}
	if v.Groups, err = h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug); err != nil {
		return err
	}
	groupNames := map[string]string{}
	for _, g := range v.Groups {
		groupNames[g.ID] = g.Name
	}
	for _, u := range rep.Personas {
		if (v.Group != "" && u.GroupID != v.Group) || (v.Type != "" && string(u.ProfileType) != v.Type) {
			continue
		}
		row := usageRow{PersonaUsage: u, GroupName: groupNames[u.GroupID], URL: "/o/" + c.Org.Slug + "/personas/" + u.PersonaID}
		for _, k := range app.ReferenceKinds {
			if n := u.References[k.Key]; n > 0 {
				row.Refs = append(row.Refs, usageRef{Label: k.Label, N: n})
				row.RefTotal += n
			}
		}
		v.Total++
		if u.Viewers == 0 {
			v.Never = append(v.Never, row)
			continue
		}
		v.Opened++
		v.Rows = append(v.Rows, row)
	}
	slices.SortStableFunc(v.Rows, func(a, b usageRow) int {
		d := cmp.Or(cmp.Compare(b.Viewers, a.Viewers), cmp.Compare(b.Views, a.Views), cmp.Compare(b.RefTotal, a.RefTotal))
		if v.Sort == "least" {
			d = -d
		}
		return cmp.Or(d, strings.Compare(a.Name, b.Name))
	})
	return h.render(w, r, c, http.StatusOK, "usage", "Usage", v)
}
