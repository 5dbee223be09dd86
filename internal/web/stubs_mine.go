package web

import (
	"net/http"

	"github.com/personapal/personapal/internal/persona"
)

var errNotYet = persona.ErrNotFound("page")

func (h *Handler) newPersonaPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) createPersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) editPersonaPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) updatePersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) previewMarkdown(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) historyPage(w http.ResponseWriter, r *http.Request, c *Ctx) error { return errNotYet }
func (h *Handler) restoreRevision(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) trashPersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) trashPage(w http.ResponseWriter, r *http.Request, c *Ctx) error { return errNotYet }
func (h *Handler) restoreFromTrash(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
func (h *Handler) purgePersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	return errNotYet
}
