package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Notifications: the bell in the layout (the unread count of the
// organisation in view), the list, marking read, and each member's
// preferences on the account page. Every member (viewers too) has their
// own, so the posts are open to viewers.
func (h *Handler) notificationRoutes() {
	viewerForm := body{limit: func() int64 { return formBody }, parse: true, minRole: persona.RoleViewer}
	h.org("GET /o/{org}/notifications", h.notificationsPage)
	h.orgRoute("POST /o/{org}/notifications/read", viewerForm, h.markNotificationsRead)
	h.orgRoute("POST /o/{org}/notifications/{id}/open", viewerForm, h.openNotification)
	h.signedIn("POST /account/notifications", h.setNotificationPrefs)
}

// notificationsView is the list page.
type notificationsView struct {
	app.NotificationPage
	UnreadOnly bool
	Before     string // the page's cursor, "" for the first
}

func (h *Handler) notificationsPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query()
	v := notificationsView{UnreadOnly: q.Get("show") == "unread", Before: q.Get("before")}
	page, err := h.svc.Notifications(r.Context(), c.Actor, c.Org.Slug, persona.NotificationFilter{UnreadOnly: v.UnreadOnly, Before: v.Before})
	if err != nil {
		return err
	}
	v.NotificationPage = page
	return h.render(w, r, c, http.StatusOK, "notifications", "Notifications — "+c.Org.Name, v)
}

// markNotificationsRead marks the notifications named by the form's id
// fields read, or all of them without one, and returns to the list.
func (h *Handler) markNotificationsRead(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ids := r.PostForm["id"]
	n, err := h.svc.MarkNotificationsRead(r.Context(), c.Actor, c.Org.Slug, ids)
	if err != nil {
		return err
	}
	msg := ""
	if len(ids) == 0 {
		msg = "All notifications marked read."
		if n == 0 {
			msg = "Nothing was unread."
		}
	}
	back := "/o/" + c.Org.Slug + "/notifications"
	if r.PostFormValue("show") == "unread" {
		back += "?show=unread"
	}
	return redirect(w, r, back, msg)
}

// openNotification marks one notification read and goes where it points
// (a path on this server, written by the application, never by a
// request).
func (h *Handler) openNotification(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	n, err := h.svc.OpenNotification(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	link := n.Link
	if u, err := url.Parse(link); err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
		link = "/o/" + c.Org.Slug + "/notifications"
	}
	return redirect(w, r, link, "")
}

// notificationPrefsView is the preferences section of the account page.
type notificationPrefsView struct {
	Rows     []notificationPrefRow
	Channels []persona.NotifyChannel
}

type notificationPrefRow struct {
	Kind    persona.NotificationKind
	Label   string
	Channel persona.NotifyChannel
}

func (h *Handler) notificationPrefsView(r *http.Request, c *Ctx) (notificationPrefsView, error) {
	prefs, err := h.svc.NotificationPrefs(r.Context(), c.Actor)
	if err != nil {
		return notificationPrefsView{}, err
	}
	v := notificationPrefsView{Channels: persona.NotifyChannels}
	for _, k := range persona.NotificationKinds {
		v.Rows = append(v.Rows, notificationPrefRow{Kind: k, Label: k.Label(), Channel: prefs.Channel(k)})
	}
	return v, nil
}

func (h *Handler) setNotificationPrefs(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	in := map[string]string{}
	for _, k := range persona.NotificationKinds {
		if v := r.PostFormValue(string(k)); v != "" {
			in[string(k)] = v
		}
	}
	if _, err := h.svc.SetNotificationPrefs(r.Context(), c.Actor, in); err != nil {
		e, ok := persona.AsError(err)
		if !ok || e.Code != persona.CodeInvalid || len(e.Fields) == 0 {
			return err
		}
		// Only a hand-made request sends a channel the form does not
		// offer; the page says which kind, and nothing was saved.
		kind := persona.NotificationKind(e.Fields[0].Field)
		return h.renderAccount(w, r, c, statusFor(persona.CodeInvalid), accountView{
			NotifyError: "Nothing was saved: “" + kind.Label() + "” " + e.Fields[0].Message + "."})
	}
	return redirect(w, r, "/account#notifications-h", "Notification settings saved.")
}

// unreadCount is the bell's number for the organisation in view; an
// error leaves the bell without a number rather than failing the page.
func (h *Handler) unreadCount(r *http.Request, c *Ctx) int {
	if c.Org.Slug == "" || c.Actor.UserID == "" {
		return 0
	}
	n, err := h.svc.UnreadNotifications(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return 0
	}
	return n
}
