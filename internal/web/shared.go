package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/pdf"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/photo"
)

// The audience's side of share links: /s/{token} and what hangs off it.
// These routes take no session: the token in the path is the only
// credential, and everything shown is read through app.SharedView, which
// applies the link's lens before a page sees any value.

// shareUnlockCookie keeps, per link (its path), that the password was
// right (app.ShareUnlock).
const shareUnlockCookie = "pp_share"

func (h *Handler) sharedRoutes() {
	lim := newShareLimiter()
	h.shared("GET /s/{token}", lim, h.sharedPage)
	h.shared("POST /s/{token}", lim, h.sharedPassword)
	h.shared("GET /s/{token}/export.pdf", lim, h.sharedPDF)
	h.shared("GET /s/{token}/export.png", lim, h.sharedPNG)
	h.shared("GET /s/{token}/photo/{personaID}", lim, h.sharedPhoto)                        // photos.go
	h.shared("GET /s/{token}/images/{personaID}/{imageID}/{size}", lim, h.sharedFieldImage) // fieldimages.go
	h.shared("GET /oembed", lim, h.oembed)
}

// shared registers a share-link route: no session, small bodies, and a
// rate limit per client address.
func (h *Handler) shared(pattern string, lim *shareLimiter, fn pageHandler) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !lim.allow(clientAddress(r)) {
			w.Header().Set("Retry-After", "10")
			h.renderError(w, r, &Ctx{}, http.StatusTooManyRequests, "Too many requests for shared pages from here; wait a few seconds and try again.")
			return
		}
		h.serve(w, r, &Ctx{}, formOf(smallBody), fn)
	})
}

// shareLimiter bounds how fast one address may fetch shared pages: a
// guard against scraping and guessing that needs no coordination between
// instances (each allows its own rate; password guesses are throttled in
// the database, like sign-ins). golang.org/x/time/rate keeps the buckets.
type shareLimiter struct {
	mu      sync.Mutex
	buckets map[string]*shareBucket
	sweep   time.Time
}

type shareBucket struct {
	l    *rate.Limiter
	seen time.Time
}

// Per address: 2 requests a second on average, bursts of 40 (a page, its
// assets, its PDF and PNG).
const (
	shareRate  = rate.Limit(2)
	shareBurst = 40
)

func newShareLimiter() *shareLimiter { return &shareLimiter{buckets: map[string]*shareBucket{}} }

func (s *shareLimiter) allow(addr string) bool {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.sweep) > time.Minute { // forget quiet addresses
		for k, b := range s.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(s.buckets, k)
			}
		}
		s.sweep = now
	}
	b := s.buckets[addr]
	if b == nil {
		b = &shareBucket{l: rate.NewLimiter(shareRate, shareBurst)}
		s.buckets[addr] = b
	}
	b.seen = now
	return b.l.AllowN(now, 1)
}

// sharedPageView is what a shared page renders.
type sharedPageView struct {
	app.SharedView
	Token  string
	Base   string // "/s/<token>"
	Photos map[string]bool
	cites  map[string]map[string][]int // persona ID → field key → footnote numbers
	images map[string]template.HTML    // persona ID + "/" + field key → its picture
}

// Image is the picture of a shared persona's image field (fieldimages.go).
func (v sharedPageView) Image(p app.SharedPersona, key string) template.HTML {
	if h, ok := v.images[p.ID+"/"+key]; ok {
		return h
	}
	return `<span class="value-text">Picture</span>`
}

// HasPhoto reports whether the persona has a photo to show.
func (v sharedPageView) HasPhoto(personaID string) bool { return v.Photos[personaID] }

// Cites are the footnote numbers of the evidence on a field.
func (v sharedPageView) Cites(p app.SharedPersona, field string) []int { return v.cites[p.ID][field] }

type shareLayout struct {
	Title    string
	OrgName  string
	Expires  *time.Time
	Embedded bool
	OEmbed   string
	Page     any
}

// sharePasswordView asks for a link's password.
type sharePasswordView struct {
	Token    string
	Embedded bool
	Wrong    bool
}

// openShare checks the request's access to the link of its token: the
// link is live, and unlocked when it has a password.
func (h *Handler) openShare(r *http.Request, password string) (persona.ShareLink, error) {
	token := r.PathValue("token")
	a := app.ShareAccess{Token: token, Password: password}
	if ck, err := r.Cookie(shareUnlockCookie); err == nil {
		a.Unlock = ck.Value
	}
	return h.svc.OpenShare(r.Context(), a)
}

func (h *Handler) sharedPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	l, err := h.openShare(r, "")
	if errors.Is(err, app.ErrSharePassword) {
		h.allowFraming(w, l)
		return h.renderShare(w, r, http.StatusUnauthorized, "password", "Password needed", l, sharePasswordView{Token: r.PathValue("token"), Embedded: embedded(r)})
	}
	if err != nil {
		return err
	}
	v, err := h.sharedView(r, l)
	if err != nil {
		return err
	}
	if err := h.svc.CountShareView(r.Context(), l); err != nil {
		return err
	}
	h.allowFraming(w, l)
	return h.renderShare(w, r, http.StatusOK, sharePageName(l.Kind), l.Title, l, v)
}

func sharePageName(k persona.ShareKind) string {
	switch k {
	case persona.ShareOfComparison:
		return "comparison"
	case persona.ShareOfLaunchpad:
		return "launchpad"
	}
	return "persona"
}

// sharedView reads what the link shows and numbers its evidence.
func (h *Handler) sharedView(r *http.Request, l persona.ShareLink) (sharedPageView, error) {
	sv, err := h.svc.SharedView(r.Context(), l)
	if err != nil {
		return sharedPageView{}, err
	}
	token := r.PathValue("token")
	v := sharedPageView{SharedView: sv, Token: token, Base: "/s/" + url.PathEscape(token),
		Photos: map[string]bool{}, cites: map[string]map[string][]int{}}
	photos, err := h.svc.SharedPhotoVersions(r.Context(), l)
	if err != nil {
		return sharedPageView{}, err
	}
	for _, p := range sv.Personas {
		m := map[string][]int{}
		for i, e := range p.Evidence {
			m[e.Field] = append(m[e.Field], i+1)
		}
		v.cites[p.ID] = m
		v.Photos[p.ID] = sharedHasPhoto(photos, p.ID)
		for _, sec := range p.Definition.Sections {
			for _, f := range sec.Fields {
				if id, _ := p.Values[f.Key].(string); f.Kind == persona.KindImage && id != "" {
					if v.images == nil {
						v.images = map[string]template.HTML{}
					}
					w, ht := imageDims(h.svc.SharedFieldImage(r.Context(), l, p.ID, id, photo.FitSmall))
					v.images[p.ID+"/"+f.Key] = imageFieldHTML(v.Base+"/images/"+url.PathEscape(p.ID)+"/", id, f.Label, w, ht)
				}
			}
		}
	}
	return v, nil
}

// sharedHasPhoto reports whether a shared persona has a photo to show:
// photos are the versions of the photos of the personas the link shows
// (app.SharedPhotoVersions), which /s/{token}/photo/{personaID} serves.
func sharedHasPhoto(photos map[string]string, personaID string) bool {
	_, ok := photos[personaID]
	return ok
}

func embedded(r *http.Request) bool { return r.URL.Query().Get("embed") == "1" }

// allowFraming replaces the app's frame-ancestors 'none' with the link's
// allow-list: only the sites the member named may embed it.
func (h *Handler) allowFraming(w http.ResponseWriter, l persona.ShareLink) {
	ancestors := "'none'"
	if len(l.FrameAncestors) > 0 {
		ancestors = strings.Join(l.FrameAncestors, " ")
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors "+ancestors+"; form-action 'self'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}

func (h *Handler) renderShare(w http.ResponseWriter, r *http.Request, status int, page, title string, l persona.ShareLink, view any) error {
	t, ok := h.pages.byName["share/"+page]
	if !ok {
		return fmt.Errorf("no shared page template %q", page)
	}
	lay := shareLayout{Title: title, Expires: l.ExpiresAt, Embedded: embedded(r), Page: view}
	if sv, ok := view.(sharedPageView); ok {
		lay.OrgName = sv.OrgName
		lay.OEmbed = baseURL(r) + "/oembed?format=json&url=" + url.QueryEscape(baseURL(r)+sv.Base)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "share_layout", lay); err != nil {
		return fmt.Errorf("render shared %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// sharedPassword checks a typed password; right, it keeps the unlock in
// a cookie for the link's path and goes back to the page.
func (h *Handler) sharedPassword(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	token := r.PathValue("token")
	l, err := h.openShare(r, r.PostFormValue("password"))
	if errors.Is(err, app.ErrSharePassword) {
		h.allowFraming(w, l)
		return h.renderShare(w, r, http.StatusUnauthorized, "password", "Password needed", l,
			sharePasswordView{Token: token, Embedded: embedded(r), Wrong: r.PostFormValue("password") != ""})
	}
	if err != nil {
		return err
	}
	ck := &http.Cookie{Name: shareUnlockCookie, Value: app.ShareUnlock(token, l), Path: "/s/" + token, HttpOnly: true,
		SameSite: http.SameSiteLaxMode}
	if l.ExpiresAt != nil {
		ck.Expires = *l.ExpiresAt
	}
	if isHTTPS(r) {
		// An embedding site's frame sends the cookie only as SameSite=None.
		ck.Secure, ck.SameSite = true, http.SameSiteNoneMode
	}
	http.SetCookie(w, ck)
	target := "/s/" + url.PathEscape(token)
	if embedded(r) {
		target += "?embed=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// sharedPDF prints the shared page as its audience sees it, with the
// unlock cookie when the link has a password.
func (h *Handler) sharedPDF(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.printShared(w, r, c, false)
}

// sharedPNG is the shared page as one image, as its audience sees it.
func (h *Handler) sharedPNG(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.printShared(w, r, c, true)
}

func (h *Handler) printShared(w http.ResponseWriter, r *http.Request, c *Ctx, png bool) error {
	l, err := h.openShare(r, "")
	if err != nil {
		return shareGone(err)
	}
	var cookies []pdf.Cookie
	if ck, err := r.Cookie(shareUnlockCookie); err == nil {
		cookies = append(cookies, pdf.Cookie{Name: shareUnlockCookie, Value: ck.Value})
	}
	out := printOut{png: png, landscape: l.Kind == persona.ShareOfComparison, filename: fileSlug(l.Title, "shared") + ".pdf"}
	if png {
		out.filename = fileSlug(l.Title, "shared") + ".png"
	}
	return h.printPage(w, r, c, "/s/"+url.PathEscape(r.PathValue("token")), cookies, out)
}

// shareGone turns a password request into not found for everything but
// the page itself: an export of a locked link shows nothing.
func shareGone(err error) error {
	if errors.Is(err, app.ErrSharePassword) {
		return persona.ErrNotFound("share link")
	}
	return err
}

// oembedResponse is an oEmbed 1.0 "rich" answer (https://oembed.com).
type oembedResponse struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	Title        string `json:"title"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	CacheAge     int    `json:"cache_age"`
}

// oembed describes a share link for sites that embed it: the iframe to
// use. Only JSON is offered (501 for XML, as the spec asks); a link that is
// not this server's, not live, or not a share link is not found. A link
// with a password is described without its title, which would otherwise
// show what it holds.
func (h *Handler) oembed(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		w.WriteHeader(http.StatusNotImplemented)
		return nil
	}
	u, err := url.Parse(q.Get("url"))
	if err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/s/") || strings.Count(u.Path, "/") != 2 {
		return persona.ErrNotFound("share link")
	}
	token := strings.TrimPrefix(u.Path, "/s/")
	l, err := h.svc.OpenShare(r.Context(), app.ShareAccess{Token: token})
	title := l.Title
	if errors.Is(err, app.ErrSharePassword) {
		title, err = "A shared page (password needed)", nil
	}
	if err != nil {
		return err
	}
	width, height := oembedSize(q.Get("maxwidth"), 800), oembedSize(q.Get("maxheight"), 900)
	src := baseURL(r) + "/s/" + url.PathEscape(token) + "?embed=1"
	res := oembedResponse{Version: "1.0", Type: "rich", Title: title, ProviderName: "Persona Pal", ProviderURL: baseURL(r) + "/",
		Width: width, Height: height, CacheAge: 300,
		HTML: fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy" referrerpolicy="no-referrer" style="border:0"></iframe>`,
			escapeHTML(src), width, height, escapeHTML(title))}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*") // oEmbed consumers fetch it from other sites
	return json.NewEncoder(w).Encode(res)
}

// oembedSize is a consumer's maximum (maxwidth, maxheight) or def, within
// sensible bounds.
func oembedSize(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > def {
		return def
	}
	if n < 200 {
		return 200
	}
	return n
}

// shareCompareRow is a row of a shared comparison: a section's heading, or
// a field (or dimension) with one cell per persona.
type shareCompareRow struct {
	Section    string
	Key, Label string
	Cells      []template.HTML
}

// CompareRows lays the compared personas out field by field: sections and
// fields in the order they first appear, a dash where a persona has none.
func (v sharedPageView) CompareRows() []shareCompareRow {
	var order []string
	sections := map[string]string{}
	fields := map[string][]persona.Field{}
	for _, p := range v.Personas {
		for _, s := range p.Definition.Sections {
			if _, ok := sections[s.Key]; !ok {
				sections[s.Key] = s.LabelFor(p.ProfileType)
				order = append(order, s.Key)
			}
			for _, f := range s.Fields {
				if !slices.ContainsFunc(fields[s.Key], func(x persona.Field) bool { return x.Key == f.Key }) {
					fields[s.Key] = append(fields[s.Key], f)
				}
			}
		}
	}
	dash := template.HTML(`<span class="empty">—</span>`)
	var rows []shareCompareRow
	for _, key := range order {
		rows = append(rows, shareCompareRow{Section: sections[key]})
		for _, f := range fields[key] {
			row := shareCompareRow{Key: f.Key, Label: f.Label}
			for _, p := range v.Personas {
				cell := dash
				if x, ok := p.Values[f.Key]; ok && present(x) {
					cell = fieldValueHTML(f, x)
					if f.Kind == persona.KindImage {
						cell = v.Image(p, f.Key) // fieldimages.go
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			rows = append(rows, row)
		}
	}
	var dims []persona.Dimension
	for _, p := range v.Personas {
		for _, d := range p.Definition.Dimensions {
			if !slices.ContainsFunc(dims, func(x persona.Dimension) bool { return x.Key == d.Key }) {
				dims = append(dims, d)
			}
		}
	}
	if len(dims) > 0 {
		rows = append(rows, shareCompareRow{Section: "Dimensions"})
		for _, d := range dims {
			row := shareCompareRow{Key: d.Key, Label: d.Label}
			for _, p := range v.Personas {
				cell := dash
				if x, ok := p.Dimensions[d.Key]; ok && present(x) {
					cell = fieldValueHTML(dimensionField(d), x)
				}
				row.Cells = append(row.Cells, cell)
			}
			rows = append(rows, row)
		}
	}
	return rows
}
