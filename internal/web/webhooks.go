package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Webhook endpoints (admins): /o/{org}/webhooks lists them with a form to
// add one; /o/{org}/webhooks/{id} edits one and shows its delivery log
// with a "Redeliver" button per delivery. A new or rotated secret is shown
// once, on the page the POST renders (never in a redirect or a flash).

func (h *Handler) webhookRoutes() {
	form := func() int64 { return smallBody }
	h.org("GET /o/{org}/webhooks", h.webhooksPage)
	h.upload("POST /o/{org}/webhooks", persona.RoleAdmin, form, true, h.createWebhook)
	h.org("GET /o/{org}/webhooks/{id}", h.webhookPage)
	h.upload("POST /o/{org}/webhooks/{id}", persona.RoleAdmin, form, true, h.updateWebhook)
	h.upload("POST /o/{org}/webhooks/{id}/delete", persona.RoleAdmin, form, true, h.deleteWebhook)
	h.upload("POST /o/{org}/webhooks/{id}/test", persona.RoleAdmin, form, true, h.testWebhook)
	h.upload("POST /o/{org}/webhooks/{id}/secret", persona.RoleAdmin, form, true, h.rotateWebhookSecret)
	h.upload("POST /o/{org}/webhooks/{id}/deliveries/{delivery}/redeliver", persona.RoleAdmin, form, true, h.redeliverWebhook)
}

// webhookForm is what was typed, kept on a refusal.
type webhookForm struct {
	URL         string
	Description string
	Enabled     bool
	Types       map[string]bool
}

// eventGroup is the event types of one kind of object, for checkboxes.
type eventGroup struct {
	Kind  string
	Types []string
}

func eventGroups() []eventGroup {
	var out []eventGroup
	for _, t := range app.WebhookEventTypes() {
		kind, _, _ := strings.Cut(t, ".")
		if len(out) == 0 || out[len(out)-1].Kind != kind {
			out = append(out, eventGroup{Kind: kind})
		}
		out[len(out)-1].Types = append(out[len(out)-1].Types, t)
	}
	return out
}

type webhooksView struct {
	Endpoints []persona.WebhookEndpoint
	Groups    []eventGroup
	Form      webhookForm
	Error     string
	Errors    map[string]string
}

type webhookView struct {
	Endpoint   persona.WebhookEndpoint
	Secret     string // a new secret, shown this once
	Deliveries []app.WebhookDeliveryView
	Groups     []eventGroup
	Form       webhookForm
	Error      string
	Errors     map[string]string
}

func webhooksPath(c *Ctx) string { return "/o/" + url.PathEscape(c.Org.Slug) + "/webhooks" }

func webhookPath(c *Ctx, id string) string { return webhooksPath(c) + "/" + url.PathEscape(id) }

func readWebhookForm(r *http.Request) (webhookForm, app.WebhookInput) {
	f := webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Enabled: r.PostFormValue("enabled") == "on", Types: map[string]bool{}}
	types := r.PostForm["event_types"]
	for _, t := range types {
		f.Types[t] = true
	}
	return f, app.WebhookInput{URL: f.URL, Description: f.Description, Enabled: f.Enabled, EventTypes: types}
}

func formOfEndpoint(ep persona.WebhookEndpoint) webhookForm {
	f := webhookForm{URL: ep.URL, Description: ep.Description, Enabled: ep.Enabled, Types: map[string]bool{}}
	for _, t := range ep.EventTypes {
		f.Types[t] = true
	}
	if len(ep.EventTypes) == 0 {
		for _, t := range app.WebhookEventTypes() {
			f.Types[t] = true
		}
	}
	return f
}

// webhookRefusal splits a validation error into the page's message and fields;
// ok is false for errors the error page shows.
func webhookRefusal(err error) (string, map[string]string, int, bool) {
	e, ok := persona.AsError(err)
	if !ok || e.Code == "" || e.Code == persona.CodeUnauthenticated || statusFor(e.Code) >= 500 || e.Code == persona.CodeNotFound || e.Code == persona.CodeForbidden {
		return "", nil, 0, false
	}
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Field] = f.Message
	}
	return e.Message, fields, statusFor(e.Code), true
}

func (h *Handler) webhooksPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderWebhooks(w, r, c, http.StatusOK, webhooksView{Form: webhookForm{Enabled: true, Types: map[string]bool{}}})
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, c *Ctx, status int, v webhooksView) error {
	eps, err := h.svc.ListWebhooks(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	v.Endpoints, v.Groups = eps, eventGroups()
	return h.render(w, r, c, status, "webhooks", "Webhooks", v)
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	f, in := readWebhookForm(r)
	ep, err := h.svc.CreateWebhook(r.Context(), c.Actor, c.Org.Slug, in)
	if err != nil {
		msg, fields, status, ok := webhookRefusal(err)
		if !ok {
			return err
		}
		return h.renderWebhooks(w, r, c, status, webhooksView{Form: f, Error: msg, Errors: fields})
	}
	return h.renderWebhook(w, r, c, http.StatusCreated, ep.ID, webhookView{Secret: ep.Secret})
}

func (h *Handler) webhookPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return h.renderWebhook(w, r, c, http.StatusOK, r.PathValue("id"), webhookView{})
}

func (h *Handler) renderWebhook(w http.ResponseWriter, r *http.Request, c *Ctx, status int, id string, v webhookView) error {
	ep, err := h.svc.Webhook(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	if v.Deliveries, err = h.svc.ListWebhookDeliveries(r.Context(), c.Actor, c.Org.Slug, id, 50); err != nil {
		return err
	}
	v.Endpoint, v.Groups = ep, eventGroups()
	if v.Form.Types == nil {
		v.Form = formOfEndpoint(ep)
	}
	return h.render(w, r, c, status, "webhook", "Webhook "+ep.URL, v)
}

func (h *Handler) updateWebhook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	f, in := readWebhookForm(r)
	id := r.PathValue("id")
	if _, err := h.svc.UpdateWebhook(r.Context(), c.Actor, c.Org.Slug, id, in); err != nil {
		msg, fields, status, ok := webhookRefusal(err)
		if !ok {
			return err
		}
		return h.renderWebhook(w, r, c, status, id, webhookView{Form: f, Error: msg, Errors: fields})
	}
	return redirect(w, r, webhookPath(c, id), "Saved.")
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.svc.DeleteWebhook(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, webhooksPath(c), "The endpoint and its delivery log are deleted.")
}

func (h *Handler) testWebhook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	if _, err := h.svc.TestWebhook(r.Context(), c.Actor, c.Org.Slug, id); err != nil {
		return err
	}
	return redirect(w, r, webhookPath(c, id), "A webhook.test event is on its way; it appears in the log below.")
}

func (h *Handler) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	secret, err := h.svc.RotateWebhookSecret(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	return h.renderWebhook(w, r, c, http.StatusOK, id, webhookView{Secret: secret})
}

func (h *Handler) redeliverWebhook(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	if err := h.svc.RedeliverWebhook(r.Context(), c.Actor, c.Org.Slug, id, r.PathValue("delivery")); err != nil {
		return err
	}
	return redirect(w, r, webhookPath(c, id), "Delivery "+r.PathValue("delivery")+" is queued again, with the same webhook-id.")
}
