package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/personapal/personapal/internal/persona"
)

//go:embed templates static
var files embed.FS

// assetVersion changes whenever any embedded asset (or a bundle made of
// them) changes, so assets can be cached forever under /static/<version>/.
var assetVersion = func() string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(staticAssets)) {
		h.Write([]byte(name))
		h.Write(staticAssets[name].raw)
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}()

func assetPath(name string) string { return "/static/" + assetVersion + "/" + name }

// pageSet holds one parsed template per page: the layout, the shared
// partials (partials.html and one file per feature in partials/) and the
// page's own file.
type pageSet struct {
	byName map[string]*template.Template
}

func loadPages() (*pageSet, error) {
	names, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{byName: map[string]*template.Template{}}
	for _, p := range names {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", "templates/partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		ps.byName[name] = t
	}
	// Shared pages (share links) have a layout of their own, without the
	// app's navigation: "share/<name>".
	shared, err := fs.Glob(files, "templates/share/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range shared {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "partials" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/share_layout.html", "templates/partials.html",
			"templates/partials/*.html", "templates/share/partials.html", p)
		if err != nil {
			return nil, fmt.Errorf("shared page %s: %w", name, err)
		}
		ps.byName["share/"+name] = t
	}
	return ps, nil
}

// layout is what every full page renders with: the chrome (navigation,
// organisation switcher, search box, flash) around the page's own view.
type layout struct {
	Title string
	C     *Ctx
	Orgs  []persona.OrgMembership
	Query string // the search box's text
	Page  any    // the page's typed view
	// Unread is the bell's count: the member's unread notifications in
	// the organisation in view.
	Unread int
}

// render writes a full page. The output is buffered so that a template error
// becomes a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, c *Ctx, status int, page, title string, view any) error {
	t, ok := h.pages.byName[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	l := layout{Title: title, C: c, Page: view, Query: r.URL.Query().Get("q")}
	if c.Actor.UserID != "" {
		orgs, err := h.svc.ListMyOrgs(r.Context(), c.Actor)
		if err != nil {
			return err
		}
		l.Orgs = orgs
		l.Unread = h.unreadCount(r, c)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", l); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// renderFragment writes one named template of a page (htmx swaps).
func (h *Handler) renderFragment(w http.ResponseWriter, status int, page, block string, data any) error {
	t, ok := h.pages.byName[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, block, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

type errorView struct {
	Status  int
	Heading string
	Message string
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, c *Ctx, status int, msg string) {
	heading := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		heading = "Not found"
		if msg == "" || strings.HasSuffix(msg, "not found") {
			msg = "There is nothing here, or it is not yours to see."
		}
	case http.StatusForbidden:
		heading = "Not allowed"
	case http.StatusRequestEntityTooLarge:
		heading = "Too large"
	case http.StatusServiceUnavailable:
		heading = "Temporarily unavailable"
	case http.StatusInsufficientStorage:
		heading = "Storage full"
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<p class="error" role="alert">%s</p>`, template.HTMLEscapeString(msg))
		return
	}
	if err := h.render(w, r, c, status, "error", heading, errorView{Status: status, Heading: heading, Message: msg}); err != nil {
		h.log.ErrorContext(r.Context(), "error page failed", "err", err)
		http.Error(w, msg, status)
	}
}

// ---- template functions ----

// renderMarkdown turns user Markdown into HTML that is safe to embed (no
// raw HTML, no script-ish links; internal/markdown), in bounded time, and
// reuses the HTML of Markdown it rendered before (mdcache.go).
func renderMarkdown(s string) template.HTML { return renderedMarkdown.render(s) }

var funcs = template.FuncMap{
	"asset":     assetPath,
	"initials":  initials,
	"typeLabel": func(t persona.ProfileType) string { return t.Label() },
	"icon":      icon,
	"typeIcon":  func(t persona.ProfileType) template.HTML { return icon("type-" + string(t)) },
	"markdown":  renderMarkdown,
	"date":      func(t time.Time) string { return t.Format(dayLayout) },
	"day":       dayHTML,
	"datetime":  func(t time.Time) string { return t.UTC().Format(dayLayout + ", 15:04 UTC") },
	"isoTime":   func(t time.Time) string { return t.Format(time.RFC3339) },
	"ago":       ago,
	"value":     valueText,
	"list":      valueList,
	"present":   present,
	"dict":      dict,
	"add":       func(a, b int) int { return a + b },
	"roles": func() []persona.Role {
		return []persona.Role{persona.RoleViewer, persona.RoleEditor, persona.RoleAdmin, persona.RoleOwner}
	},
	"types":    func() []persona.ProfileType { return persona.ProfileTypes },
	"atLeast":  func(r persona.Role, min string) bool { return r.AtLeast(persona.Role(min)) },
	"contains": func(list []string, s string) bool { return slices.Contains(list, s) },
	"pct":      pct,
	"num":      formatNumber,
	"n":        numberText,
	"snippet":  persona.HighlightSnippet,
	"plural":   pluralize,
}

// initials are up to two letters for an avatar: first letters of the first
// and last words.
func initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var out []rune
	for i, w := range words {
		if i == 0 || i == len(words)-1 {
			out = append(out, unicode.ToUpper([]rune(w)[0]))
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

func icon(name string) template.HTML {
	return template.HTML(`<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-` + template.HTMLEscapeString(name) + `"></use></svg>`)
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.Format(dayLayout)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// present reports whether a field value holds something worth showing.
func present(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(x) != ""
	case []any:
		return len(x) > 0
	case []string:
		return len(x) > 0
	}
	return true
}

// valueText renders any stored value as one line of text.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return formatNumber(x)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any, []string:
		return strings.Join(valueList(v), ", ")
	}
	return fmt.Sprint(v)
}

// valueList renders a list value as strings (a scalar becomes one item).
func valueList(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, valueText(e))
		}
		return out
	}
	return []string{valueText(v)}
}

func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// pct places v on a min..max scale as a percentage (for scale drawings).
func pct(v, min, max any) float64 {
	f, ok := toFloat(v)
	lo, _ := toFloat(min)
	hi, _ := toFloat(max)
	if !ok || hi <= lo {
		return 0
	}
	return math.Max(0, math.Min(100, (f-lo)/(hi-lo)*100))
}

// toFloat reads the numbers templates meet: JSON numbers, ints and the
// optional bounds of fields.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case *float64:
		if x != nil {
			return *x, true
		}
	}
	return 0, false
}

// numberText prints any number a template meets (empty when unset).
func numberText(v any) string {
	if f, ok := toFloat(v); ok {
		return formatNumber(f)
	}
	return ""
}

func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
