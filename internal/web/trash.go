package web

import (
	"net/http"

	"github.com/personapal/personapal/internal/persona"
)

type trashView struct {
	Items    []trashItem
	CanEdit  bool
	CanPurge bool
}

type trashItem struct {
	Card      personaCard
	DeletedBy string
	DeletedAt string
}

func (h *Handler) trashPersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	p, err := h.svc.GetPersona(r.Context(), c.Actor, c.Org.Slug, id)
	if err != nil {
		return err
	}
	if err := h.svc.TrashPersona(r.Context(), c.Actor, c.Org.Slug, id); err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug, "“"+p.Name+"” moved to the trash. You can restore it from the trash.")
}

func (h *Handler) trashPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	items, err := h.svc.ListTrash(r.Context(), c.Actor, c.Org.Slug)
	if err != nil {
		return err
	}
	names, err := h.memberNames(r, c)
	if err != nil {
		return err
	}
	v := trashView{CanEdit: c.Can(persona.RoleEditor), CanPurge: c.Can(persona.RoleAdmin)}
	for _, p := range items {
		it := trashItem{Card: cardOf(p, p.UpdatedAt), DeletedBy: names[p.DeletedBy]}
		if p.DeletedAt != nil {
			it.DeletedAt = ago(*p.DeletedAt)
		}
		v.Items = append(v.Items, it)
	}
	return h.render(w, r, c, http.StatusOK, "trash", "Trash", v)
}

func (h *Handler) restoreFromTrash(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	p, err := h.svc.RestorePersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/personas/"+p.ID, "“"+p.Name+"” restored from the trash.")
}

func (h *Handler) purgePersona(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	if err := h.svc.PurgePersona(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/o/"+c.Org.Slug+"/trash", "Deleted for good.")
}
