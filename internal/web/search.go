package web

import (
	"net/http"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

func init() { funcs["searchSnippet"] = searchSnippet }

// snippetNoise is Markdown emphasis and code marks, which read as clutter
// in a one-line snippet; line breaks between values become separators.
var snippetNoise = strings.NewReplacer("**", "", "__", "", "`", "", "\r\n", " · ", "\n", " · ")

// searchSnippet splits a marked snippet into plain and matched parts (the
// template escapes each and wraps matches in <mark>), without Markdown
// emphasis marks.
func searchSnippet(s string) []persona.SnippetPart {
	parts := persona.HighlightSnippet(s)
	out := parts[:0]
	for _, p := range parts {
		if p.Text = snippetNoise.Replace(p.Text); p.Text != "" {
			out = append(out, p)
		}
	}
	return out
}

// searchLimit is how many hits one search page shows.
const searchLimit = 50

func (h *Handler) searchRoutes() {
	h.org("GET /o/{org}/search", h.searchPage)
}

// searchView is the search page: the query, its filters and the hits.
type searchView struct {
	Org      string // organisation slug (the results fragment has no layout)
	Query    string
	Type     persona.ProfileType
	GroupID  string
	Groups   []persona.Group
	Searched bool // the query has at least one search term
	Hits     []searchHit
	More     bool   // the limit was reached: there may be more hits
	Error    string // why the app refused the query
	Filtered bool
	// Others are matching customer variants, notes and evidence (shown
	// when no persona filter is set).
	Others []persona.EntryHit
}

type searchHit struct {
	persona.SearchHit
	GroupName string
}

// searchPage answers GET /o/{org}/search?q=&type=&group=. A query the app
// refuses is shown with its message on the page (422). htmx requests from
// the page's own form get just the results (always 200, so htmx swaps
// them), with the result count swapped out of band into the live region.
func (h *Handler) searchPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	v := searchView{
		Org:     c.Org.Slug,
		Query:   strings.TrimSpace(q.Get("q")),
		Type:    persona.ProfileType(q.Get("type")),
		GroupID: q.Get("group"),
	}
	v.Filtered = v.Type != "" || v.GroupID != ""
	groups, err := h.svc.ListGroups(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.Groups = groups
	status := http.StatusOK
	hits, err := h.svc.Search(r.Context(), c.Actor, c.Org.Slug, persona.SearchQuery{
		Text: v.Query, ProfileType: v.Type, GroupID: v.GroupID, Limit: searchLimit,
	})
	switch {
	case persona.ErrorCode(err) == persona.CodeInvalid:
		v.Error = refusal(err)
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	default:
		v.Searched = len(persona.SearchTerms(v.Query)) > 0
		names := make(map[string]string, len(groups))
		for _, g := range groups {
			names[g.ID] = g.Name
		}
		for _, hit := range hits {
			v.Hits = append(v.Hits, searchHit{SearchHit: hit, GroupName: names[hit.GroupID]})
		}
		v.More = len(hits) >= searchLimit
		if v.Searched && !v.Filtered {
			if v.Others, err = h.svc.SearchEntries(r.Context(), c.Actor, c.Org.Slug, v.Query, 20); err != nil {
				return err
			}
		}
	}
	w.Header().Add("Vary", "HX-Request")
	if r.Header.Get("HX-Request") != "" && r.Header.Get("HX-History-Restore-Request") == "" {
		return h.renderFragment(w, http.StatusOK, "search", "search-fragment", v)
	}
	title := "Search"
	if v.Query != "" {
		title = "Search: " + v.Query
	}
	return h.render(w, r, c, status, "search", title, v)
}

// refusal turns the app layer's validation error into one readable
// sentence per bad input.
func refusal(err error) string {
	e, ok := persona.AsError(err)
	if !ok {
		return "This search could not be run."
	}
	if len(e.Fields) == 0 {
		return sentence(e.Message)
	}
	names := map[string]string{"q": "The search text", "profile_type": "The type", "group": "The group", "limit": "The number of results"}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		name, ok := names[f.Field]
		if !ok {
			name = f.Field
		}
		parts = append(parts, sentence(name+" "+f.Message))
	}
	return strings.Join(parts, " ")
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
