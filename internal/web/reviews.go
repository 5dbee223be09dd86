package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Reviews: "Mark reviewed" on the persona page (editors and above), the
// organisation's review page, and the weekly digest's switch on the
// account page.
func (h *Handler) reviewRoutes() {
	h.org("POST /o/{org}/personas/{id}/reviews", h.markReviewed)
	h.org("GET /o/{org}/reviews", h.reviewsPage)
	h.signedIn("POST /account/review-digest", h.setReviewDigest)
}

// reviewMarkView is the "Mark reviewed" form, shown on a page of its own
// when it was refused (the note kept, the field named).
type reviewMarkView struct {
	P     persona.Persona
	Note  string
	Error string
}

func (h *Handler) markReviewed(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id, note := r.PathValue("id"), r.PostFormValue("note")
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	if _, err := h.svc.MarkReviewed(r.Context(), c.Actor, c.Org.Slug, id, note); err != nil {
		if persona.ErrorCode(err) != persona.CodeInvalid {
			return err
		}
		msg := "The note could not be saved."
		if e, ok := persona.AsError(err); ok && len(e.Fields) > 0 {
			msg = "Note " + e.Fields[0].Message + "."
		}
		return h.render(w, r, c, statusFor(persona.CodeInvalid), "review_mark", "Mark "+p.Name+" reviewed",
			reviewMarkView{P: p, Note: note, Error: msg})
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID, "“"+p.Name+"” marked reviewed today.")
}

// reviewsView is the organisation's review page: who owns what and what
// is overdue, due soon, reviewed lately or unowned, by group.
type reviewsView struct {
	app.ReviewOverview
	CanReview bool
}

func (h *Handler) reviewsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ov, err := h.svc.ReviewOverview(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "reviews", "Reviews — "+c.Org.Name, reviewsView{ReviewOverview: ov, CanReview: c.Can(persona.RoleEditor)})
}

func (h *Handler) setReviewDigest(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	on := strings.TrimSpace(r.PostFormValue("review_digest")) != ""
	if err := h.svc.SetReviewDigest(r.Context(), c.Actor, on); err != nil {
		return err
	}
	msg := "You will get the weekly review digest."
	if !on {
		msg = "No more weekly review digests."
	}
	return redirect(w, r, "/account#review-digest-h", msg)
}

// reviewChip is one choice of the home page's review filter.
type reviewChip struct {
	Value app.ReviewFilter
	Label string
	N     int
}

// reviewChips counts the organisation's personas per review filter. The
// counts are of the whole organisation, not of the other filters'
// selection: the filter bar stays in place while the results change under
// it, so counts that followed the other filters would go stale.
func (h *Handler) reviewChips(r *http.Request, c *Ctx, f persona.PersonaFilter, listed []persona.Persona, now time.Time) ([]reviewChip, error) {
	all := listed
	if f != (persona.PersonaFilter{Limit: f.Limit}) {
		var err error
		if all, err = h.allPersonas(r, c, persona.PersonaFilter{}); err != nil {
			return nil, err
		}
	}
	chips := []reviewChip{{app.ReviewAny, "All", 0}, {app.ReviewMine, "Mine", 0}, {app.ReviewOverdue, "Overdue", 0},
		{app.ReviewDue30, "Due within 30 days", 0}, {app.ReviewUnowned, "No owner", 0}}
	for _, p := range all {
		for i := range chips {
			chips[i].N += b2i(chips[i].Value.Match(p, c.Actor.UserID, now))
		}
	}
	return chips, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
