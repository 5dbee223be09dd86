package web

import (
	"net/http"
	"net/url"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// The outbox page is for operators of the instance (personapal user
// set-operator): every e-mail with its status, attempts and last error,
// and — while it has not reached an SMTP server, as when none is
// configured — its whole text, so a self-hoster can copy a link from it.
// To anyone else the pages do not exist (404).
func (h *Handler) outboxRoutes() {
	h.signedIn("GET /admin/outbox", h.outboxPage)
	h.signedIn("GET /admin/outbox/{id}", h.outboxMessagePage)
	h.signedIn("POST /admin/outbox/test", h.outboxTest)
}

type outboxView struct {
	app.Outbox
	Status   persona.MessageStatus // the filter; "" all
	Statuses []persona.MessageStatus
	Total    int
	// The test form.
	To, Error string
}

func (h *Handler) outboxPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderOutbox(w, r, c, http.StatusOK, outboxView{Status: persona.MessageStatus(r.URL.Query().Get("status"))})
}

func (h *Handler) renderOutbox(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v outboxView) error {
	out, err := h.svc.ListOutbox(r.Context(), c.Actor, persona.OutboxFilter{Status: v.Status, Limit: 200})
	if err != nil {
		return err
	}
	v.Outbox, v.Statuses = out, persona.MessageStatuses
	for _, n := range out.Counts {
		v.Total += n
	}
	return h.render(w, r, c, status, "admin_outbox", "Outbox", v)
}

type outboxMessageView struct {
	M persona.OutboxMessage
}

func (h *Handler) outboxMessagePage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	m, err := h.svc.OutboxMessage(r.Context(), c.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, c, http.StatusOK, "admin_outbox_message", m.Subject, outboxMessageView{M: m})
}

// outboxTest queues a test message (operators).
func (h *Handler) outboxTest(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	to := r.PostFormValue("to")
	id, err := h.svc.QueueTestMessage(r.Context(), c.Actor, to)
	if err != nil {
		if e, ok := persona.AsError(err); ok && e.Code == persona.CodeInvalid {
			msg := "The address is not valid."
			for _, f := range e.Fields {
				if f.Field == "to" {
					msg = "The address " + f.Message + "."
				}
			}
			return h.renderOutbox(w, r, c, http.StatusUnprocessableEntity, outboxView{To: to, Error: msg})
		}
		return err
	}
	setFlash(w, r, "A test message to "+to+" is queued.")
	http.Redirect(w, r, "/admin/outbox/"+url.PathEscape(id), http.StatusSeeOther)
	return nil
}
