package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

func (h *Handler) alignmentRoutes() {
	h.org("GET /o/{org}/personas/{id}/alignment", h.alignmentPage)
	h.org("POST /o/{org}/personas/{id}/alignment/links", h.linkPersonas)
	h.org("POST /o/{org}/alignment/links/{id}/delete", h.unlinkPersonas)
	h.org("POST /o/{org}/personas/{id}/alignment/claims", h.mapClaim)
	h.org("POST /o/{org}/alignment/claims/{id}/delete", h.unmapClaim)
	h.org("GET /o/{org}/alignment", h.alignmentReportPage)
	h.org("GET /o/{org}/alignment.md", h.alignmentReportMarkdown)
	h.org("POST /o/{org}/alignment/settings", h.alignmentSettings)
}

type alignmentView struct {
	A           app.Alignment
	Customers   []persona.Persona // archetypes to view the alignment for
	Candidates  []persona.Persona // personas the buyer could be linked to
	Unaddressed []persona.Claim   // claims no linked user addresses
	Users       []alignedUserView
	CanEdit     bool
	Evidence    []persona.Evidence // library items that can back a verdict
}

type alignedUserView struct {
	app.AlignedUser
	Items []userItem // the user's field items a claim can be mapped to
}

// FieldLabel is the label of one of the user's fields (its key when the
// user's template no longer has it).
func (u alignedUserView) FieldLabel(key string) string {
	if f, ok := u.Definition.Field(key); ok && f.Label != "" {
		return f.Label
	}
	return key
}

type userItem struct {
	Value string // "field::item"
	Label string
}

func (h *Handler) alignmentPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	a, err := h.svc.AlignmentOf(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), r.URL.Query().Get("customer"))
	if err != nil {
		return err
	}
	v := alignmentView{A: a, CanEdit: c.Can(persona.RoleEditor)}
	if v.Customers, err = h.allPersonas(r, c, persona.PersonaFilter{ProfileType: persona.ProfileArchetype}); err != nil {
		return err
	}
	all, err := h.allPersonas(r, c, persona.PersonaFilter{})
	if err != nil {
		return err
	}
	linked := map[string]bool{}
	addressed := map[string]bool{}
	for _, u := range a.Users {
		linked[u.User.ID] = true
		uv := alignedUserView{AlignedUser: u}
		for _, s := range u.Definition.Sections {
			for _, f := range s.Fields {
				for _, item := range persona.ItemsOf(u.User.Values[f.Key]) {
					uv.Items = append(uv.Items, userItem{Value: f.Key + "::" + item, Label: f.Label + ": " + item})
				}
			}
		}
		for _, cv := range u.Verdicts {
			if cv.Verdict != persona.VerdictUnaddressed {
				addressed[cv.Claim.Field+"\x00"+cv.Claim.Text] = true
			}
		}
		v.Users = append(v.Users, uv)
	}
	for _, cl := range a.Claims {
		if !addressed[cl.Field+"\x00"+cl.Text] {
			v.Unaddressed = append(v.Unaddressed, cl)
		}
	}
	if v.CanEdit {
		page, err := h.svc.ListEvidence(r.Context(), c.Actor, c.Org.Slug, persona.EvidenceFilter{Limit: 200}, "")
		if err != nil {
			return err
		}
		v.Evidence = page.Items
	}
	for _, p := range all {
		if p.ProfileType != persona.ProfileMarketing && !linked[p.ID] {
			v.Candidates = append(v.Candidates, p)
		}
	}
	title := "Alignment of " + a.Buyer.Name
	if a.Customer.ID != "" {
		title += " at " + a.Customer.Name
	}
	return h.render(w, r, c, http.StatusOK, "alignment", title, v)
}

func alignmentURL(org, buyerID string) string {
	return "/o/" + org + "/personas/" + buyerID + "/alignment"
}

func (h *Handler) linkPersonas(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	buyer := r.PathValue("id")
	_, err := h.svc.LinkPersonas(r.Context(), c.Actor, c.Org.Slug, buyer, r.PostFormValue("target_id"))
	if msg, ok := userMessage(err); ok {
		return redirect(w, r, alignmentURL(c.Org.Slug, buyer), msg)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, alignmentURL(c.Org.Slug, buyer), "Linked.")
}

func (h *Handler) unlinkPersonas(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	l, err := h.svc.UnlinkPersonas(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, alignmentURL(c.Org.Slug, l.BuyerID), "Link removed.")
}

func (h *Handler) mapClaim(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	buyer := r.PathValue("id")
	claimField, claim, _ := strings.Cut(r.PostFormValue("claim"), "::")
	userField, userItem, _ := strings.Cut(r.PostFormValue("user_item"), "::")
	_, err := h.svc.MapClaim(r.Context(), c.Actor, c.Org.Slug, buyer, app.ClaimMappingInput{
		ClaimField: claimField, Claim: claim, UserID: r.PostFormValue("user_id"), UserField: userField, UserItem: userItem,
		Verdict: persona.Verdict(r.PostFormValue("verdict")), Note: r.PostFormValue("note"), EvidenceID: r.PostFormValue("evidence_id"),
	})
	back := alignmentURL(c.Org.Slug, buyer)
	if q := r.PostFormValue("customer"); q != "" {
		back += "?customer=" + q
	}
	if msg, ok := userMessage(err); ok {
		return redirect(w, r, back, msg)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, back, "Verdict recorded.")
}

func (h *Handler) unmapClaim(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	m, err := h.svc.UnmapClaim(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, alignmentURL(c.Org.Slug, m.BuyerID), "Verdict removed.")
}

// userMessage turns a validation or conflict error into one sentence for a
// flash message.
func userMessage(err error) (string, bool) {
	e, ok := persona.AsError(err)
	if !ok || (e.Code != persona.CodeInvalid && e.Code != persona.CodeConflict) {
		return "", false
	}
	if len(e.Fields) == 0 {
		return sentence(e.Message), true
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, sentence(strings.ReplaceAll(f.Field, "_", " ")+" "+f.Message))
	}
	return strings.Join(parts, " "), true
}

// ---- the organisation's report ----

type alignmentReportView struct {
	Pairs   []app.PairSummary
	Sort    string
	Points  float64
	CanSet  bool
	Columns []reportColumn
}

type reportColumn struct{ Key, Label string }

var reportColumns = []reportColumn{{"buyer", "Buyer"}, {"user", "User"}, {"supported", "Supported"}, {"contradicted", "Contradicted"}, {"unaddressed", "Unaddressed"}, {"divergences", "Divergences"}}

func (h *Handler) report(r *http.Request, c *Ctx) (alignmentReportView, error) {
	pairs, err := h.svc.AlignmentReport(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return alignmentReportView{}, err
	}
	points, err := h.svc.DivergenceThreshold(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return alignmentReportView{}, err
	}
	v := alignmentReportView{Pairs: pairs, Sort: r.URL.Query().Get("sort"), Points: points, CanSet: c.Can(persona.RoleAdmin), Columns: reportColumns}
	// Numbers sort largest first; names alphabetically (the default order).
	num := map[string]func(app.PairSummary) int{
		"supported":    func(p app.PairSummary) int { return p.Tally.Supported },
		"contradicted": func(p app.PairSummary) int { return p.Tally.Contradicted },
		"unaddressed":  func(p app.PairSummary) int { return p.Tally.Unaddressed },
		"divergences":  func(p app.PairSummary) int { return p.Tally.Divergences },
	}
	if f, ok := num[v.Sort]; ok {
		slices.SortStableFunc(v.Pairs, func(a, b app.PairSummary) int { return cmp.Compare(f(b), f(a)) })
	} else if v.Sort == "user" {
		slices.SortStableFunc(v.Pairs, func(a, b app.PairSummary) int { return cmp.Compare(a.User.Name, b.User.Name) })
	} else {
		v.Sort = "buyer"
	}
	return v, nil
}

func (h *Handler) alignmentReportPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.report(r, c)
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "alignment_report", "Alignment report", v)
}

// alignmentReportMarkdown exports the report as a Markdown table.
func (h *Handler) alignmentReportMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	v, err := h.report(r, c)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Alignment report — %s\n\n", persona.EscapeMarkdown(c.Org.Name))
	fmt.Fprintf(&b, "A divergence is a gap of at least %s points on a 1–5 scale (scaled for other ranges).\n\n", formatNumber(v.Points))
	b.WriteString("| Buyer | User | Supported | Contradicted | Unaddressed | Divergences |\n|---|---|---:|---:|---:|---:|\n")
	for _, p := range v.Pairs {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d |\n", mdCell(p.Buyer.Name), mdCell(p.User.Name),
			p.Tally.Supported, p.Tally.Contradicted, p.Tally.Unaddressed, p.Tally.Divergences)
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="alignment-`+c.Org.Slug+`.md"`)
	_, err = w.Write([]byte(b.String()))
	return err
}

// mdCell escapes user text for a Markdown table cell: it reads as the text
// it is (no markup, HTML, entity or cell border of its own), on one line.
func mdCell(s string) string { return persona.EscapeMarkdown(s) }

func (h *Handler) alignmentSettings(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	points, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("divergence_points")), 64)
	if err != nil {
		return redirect(w, r, "/o/"+c.Org.Slug+"/alignment", "The threshold must be a number of points, e.g. 2.")
	}
	err = h.svc.SetDivergenceThreshold(r.Context(), c.Actor, c.Org.Slug, points)
	if msg, ok := userMessage(err); ok {
		return redirect(w, r, "/o/"+c.Org.Slug+"/alignment", msg)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/alignment", "Divergence threshold set to "+formatNumber(points)+" points.")
}
