package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The attach page: evidence for one field of one persona (or of one of its
// variants), reached from the field's marker on the persona page. It offers
// two ways at once: write a new quote in place, or pick an item from the
// library (searchable). Saving links it to the field and goes back to the
// persona page at that field.

func (h *Handler) evidenceAttachRoutes() {
	h.org("GET /o/{org}/personas/{id}/evidence/attach", h.attachPage)
	h.org("POST /o/{org}/personas/{id}/evidence/attach", h.attachSave)
}

// attachURL is the attach page for one target of a persona.
func attachURL(org, personaID, target string) string {
	u := "/o/" + org + "/personas/" + personaID + "/evidence/attach"
	if target != "" {
		u += "?" + url.Values{"target": {target}}.Encode()
	}
	return u
}

func init() {
	funcs["evAttachURL"] = attachURL
}

// pickForm is what the "from the library" form holds.
type pickForm struct {
	EvidenceID string
	Stance     string
	Excerpt    string
	Errors     map[string]string
}

type attachPageView struct {
	P           persona.Persona
	Target      string // "values.<key>" or "variant:<id>:values.<key>"
	Known       bool   // the target is a place of this persona
	Field       persona.Field
	Section     string
	Value       any
	VariantName string
	Targets     []targetGroup // to choose the place when it is not known
	Links       []persona.EvidenceLink
	Items       []persona.Evidence
	Library     int // items in the library (before the search)
	Q           string
	Quote       evidenceDraft
	QuoteStance string
	Pick        pickForm
	Mode        string // the form the error belongs to: "quote" or "pick"
	Focus       string // the input that takes the focus: the first at fault, or the quote
	Error       string
	Action      string
	Back        string
	PersonaURL  string
	LibraryURL  string
}

// attachPlace resolves a target on a persona: its field, section label and
// current value, the variant's name, and whether it is a real place.
func (h *Handler) attachPlace(r *http.Request, c *Ctx, pid, target string) (attachPageView, error) {
	ctx := r.Context()
	pe, err := h.svc.PersonaEvidence(ctx, c.Actor, c.Org.Slug, pid)
	if err != nil {
		return attachPageView{}, err
	}
	p := pe.Persona
	base := "/o/" + c.Org.Slug + "/personas/" + p.ID
	v := attachPageView{P: p, Target: target, Action: base + "/evidence/attach", PersonaURL: base,
		Back: base, LibraryURL: "/o/" + c.Org.Slug + "/evidence"}
	variantID, path := parseTarget(target)
	key, isField := strings.CutPrefix(path, "values.")
	values, links := p.Values, pe.Links
	if variantID != "" {
		found := false
		for _, ve := range pe.Variants {
			if ve.Detail.Variant.ID == variantID {
				found, v.VariantName, links = true, ve.Detail.CustomerName(), ve.Links
				if val, ok := ve.Detail.Variant.Values[key]; ok {
					values = persona.Values{key: val}
				}
				v.Back = "/o/" + c.Org.Slug + "/variants/" + variantID
			}
		}
		isField = isField && found
	}
	if isField {
		for _, s := range pe.Definition.Sections {
			for _, f := range s.Fields {
				if f.Key == key {
					v.Known, v.Field, v.Section, v.Value = true, f, s.LabelFor(p.ProfileType), values[key]
				}
			}
		}
	}
	if v.Known {
		if variantID == "" {
			v.Back += "#field-" + key
		}
		for _, l := range links {
			if l.FieldKey() == key && l.VariantID == variantID {
				v.Links = append(v.Links, l)
			}
		}
	} else if v.Targets, err = h.targetsFor(r, c, p.ID, target); err != nil {
		return attachPageView{}, err
	}
	return v, nil
}

// withLibrary fills the "from the library" list, narrowed by q (title,
// quote, source, speaker, summary or tags).
func (h *Handler) withLibrary(r *http.Request, c *Ctx, v *attachPageView, q string) error {
	page, err := h.svc.ListEvidence(r.Context(), c.Actor, c.Org.Slug, persona.EvidenceFilter{Limit: app.MaxEvidencePage}, "")
	if err != nil {
		return err
	}
	v.Library, v.Q = len(page.Items), strings.TrimSpace(q)
	words := strings.Fields(strings.ToLower(v.Q))
	for _, e := range page.Items {
		hay := strings.ToLower(strings.Join(append([]string{e.Title, e.Quote, e.Source, e.Speaker, e.Summary, e.Kind.Label()}, e.Tags...), " "))
		keep := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				keep = false
				break
			}
		}
		if keep {
			v.Items = append(v.Items, e)
		}
	}
	return nil
}

func (h *Handler) attachPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if !c.Can(persona.RoleEditor) {
		return persona.Errorf(persona.CodeForbidden, "viewers can read the evidence but not attach it")
	}
	q := r.URL.Query()
	v, err := h.attachPlace(r, c, r.PathValue("id"), q.Get("target"))
	if err != nil {
		return err
	}
	if err := h.withLibrary(r, c, &v, q.Get("q")); err != nil {
		return err
	}
	v.Quote.Kind = persona.EvidenceQuote
	v.Mode = "quote"
	if v.Q != "" {
		v.Mode = "pick"
	}
	v.Focus = v.focus()
	return h.render(w, r, c, http.StatusOK, "evidence_attach", "Attach evidence to "+v.placeName(), v)
}

// focus picks the input that takes the focus: the first one at fault, or
// the quote box (the search box once a search was made).
func (v attachPageView) focus() string {
	if v.Mode == "pick" {
		if _, bad := v.Pick.Errors["evidence_id"]; bad || v.Q == "" {
			return "pick-item"
		}
		return "pick-q"
	}
	for _, f := range []string{"quote", "speaker", "source", "title", "collected_on", "tags"} {
		if _, bad := v.Quote.Errors[f]; bad {
			return f
		}
	}
	return "quote"
}

// placeName names the target for titles and messages.
func (v attachPageView) placeName() string {
	if !v.Known {
		return v.P.Name
	}
	s := v.Field.Label + " (" + v.P.Name
	if v.VariantName != "" {
		s += " at " + v.VariantName
	}
	return s + ")"
}

// quoteTitle makes a title from a quote when none is given: its first
// line in quotation marks, cut at a word near 60 characters (as the
// library's quotes are titled).
func quoteTitle(quote string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(quote), "\n")
	line = strings.Trim(strings.TrimSpace(line), "“”\"")
	if utf8.RuneCountInString(line) <= 60 {
		return "“" + line + "”"
	}
	cut := string([]rune(line)[:60])
	if i := strings.LastIndex(cut, " "); i > 30 {
		cut = cut[:i]
	}
	return "“" + strings.TrimRight(cut, " ,;:.") + "…”"
}

// attachSave writes a new quote and links it, or links a picked item, to
// the page's target. Any error gives the page back with what was typed and
// a message that names the field; nothing is stored before the target is
// known to be a place of this persona.
func (h *Handler) attachSave(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	target := r.PostFormValue("target")
	v, err := h.attachPlace(r, c, r.PathValue("id"), target)
	if err != nil {
		return err
	}
	v.Mode = r.PostFormValue("mode")
	if v.Mode != "pick" {
		v.Mode = "quote"
	}
	stance := persona.Stance(r.PostFormValue("stance"))
	if stance == "" {
		stance = persona.StanceSupports
	}
	d := draftFromForm(r)
	d.Kind = persona.EvidenceQuote
	v.Quote, v.QuoteStance = d, string(stance)
	v.Pick = pickForm{EvidenceID: r.PostFormValue("evidence_id"), Stance: string(stance), Excerpt: r.PostFormValue("excerpt")}
	if v.Mode == "pick" {
		v.QuoteStance, v.Quote = "", evidenceDraft{Kind: persona.EvidenceQuote}
	}
	again := func(msg string) error {
		if err := h.withLibrary(r, c, &v, r.PostFormValue("q")); err != nil {
			return err
		}
		v.Error = msg
		v.Focus = v.focus()
		return h.render(w, r, c, http.StatusUnprocessableEntity, "evidence_attach", "Attach evidence to "+v.placeName(), v)
	}
	if !v.Known {
		return again("Choose the field to attach the evidence to: nothing was saved.")
	}
	variantID, field := parseTarget(target)
	place := "“" + v.Field.Label + "”"
	link := func(eid string) (persona.EvidenceLink, error) {
		return h.svc.LinkEvidence(ctx, c.Actor, c.Org.Slug, eid, app.EvidenceLinkInput{PersonaID: v.P.ID,
			VariantID: variantID, Field: field, Stance: stance, Excerpt: v.Pick.Excerpt})
	}
	var (
		l   persona.EvidenceLink
		msg string
	)
	if v.Mode == "pick" {
		if v.Pick.EvidenceID == "" {
			v.Pick.Errors = map[string]string{"evidence_id": "choose an item"}
			return again("Not attached to " + place + ": choose an item from the library.")
		}
		l, err = link(v.Pick.EvidenceID)
		switch code := persona.ErrorCode(err); {
		case err == nil:
			msg = "“" + l.EvidenceTitle + "” attached to " + linkPlace(l) + "."
		case code == persona.CodeInvalid || code == persona.CodeConflict:
			v.Pick.Errors = fieldErrorMap(err)
			return again("Not attached to " + place + ": " + errorSentence(err))
		case code == persona.CodeNotFound:
			v.Pick.Errors = map[string]string{"evidence_id": "is no longer in the library"}
			return again("Not attached to " + place + ": that item is no longer in the library.")
		default:
			return err
		}
	} else {
		if strings.TrimSpace(d.Quote) == "" {
			v.Quote.Errors = map[string]string{"quote": "is required"}
			return again("The quote was not saved for " + place + ": write the quote first.")
		}
		if strings.TrimSpace(d.Title) == "" {
			d.Title = quoteTitle(d.Quote)
		}
		in, _ := d.input()
		l, err = func() (persona.EvidenceLink, error) {
			_, l, err := h.svc.AddEvidenceAndLink(ctx, c.Actor, c.Org.Slug, in, app.EvidenceLinkInput{PersonaID: v.P.ID,
				VariantID: variantID, Field: field, Stance: stance, Excerpt: v.Pick.Excerpt})
			return l, err
		}()
		if err != nil {
			if !v.Quote.fail(err) {
				return err
			}
			return again("The quote was not saved for " + place + ": " + errorSentence(err))
		}
		msg = "Quote added and attached to " + linkPlace(l) + "."
	}
	return redirect(w, r, v.Back, msg)
}
