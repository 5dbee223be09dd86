package web

import (
	"net/http"
	"strconv"

	"github.com/personapal/personapal/internal/persona"
)

type auditView struct {
	Items      []persona.AuditEvent
	NextBefore int64
}

const auditPage = 100

// auditLogPage shows the organisation's audit log to admins, newest first.
func (h *Handler) auditLogPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	items, err := h.svc.ListAudit(r.Context(), c.Actor, c.Org.Slug, max(before, 0), auditPage)
	if err != nil {
		return err
	}
	v := auditView{Items: items}
	if len(items) == auditPage {
		v.NextBefore = items[len(items)-1].Seq
	}
	return h.render(w, r, c, http.StatusOK, "audit", "Audit log", v)
}
