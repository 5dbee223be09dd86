package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Comment threads on a persona (and its fields), a variant and a
// Launchpad. Viewers may comment, so every form here is registered with
// the viewer role (the app layer checks who may edit, delete or resolve).
// Each form is a plain POST that redirects back to the thread's anchor;
// with htmx the same POST swaps the comments section in place (the
// section is picked out of the page the redirect leads to). A refused
// comment (empty, too long) is answered with a page that names the field
// and keeps what was typed.
func (h *Handler) commentRoutes() {
	viewerForm := body{limit: func() int64 { return formBody }, parse: true, minRole: persona.RoleViewer}
	h.orgRoute("POST /o/{org}/comments", viewerForm, h.addComment)
	h.orgRoute("POST /o/{org}/comments/{id}", viewerForm, h.editComment)
	h.orgRoute("POST /o/{org}/comments/{id}/delete", viewerForm, h.deleteComment)
	h.orgRoute("POST /o/{org}/comments/{id}/resolve", viewerForm, h.resolveComment)
	h.orgRoute("POST /o/{org}/comments/{id}/reopen", viewerForm, h.reopenComment)
	h.org("GET /o/{org}/comments/{id}", h.commentPage)
	h.org("GET /o/{org}/mentions", h.mentionSuggestions)
}

// commentsView is the comments section of a page.
type commentsView struct {
	Org        string
	Subject    persona.CommentSubject
	SubjectID  string
	Path       string         // the page that shows the threads
	Fields     []commentField // a persona's fields, to comment on one
	General    []threadView   // threads on the subject as a whole
	ByField    []fieldThreads // threads on one field, in the template's order
	Counts     map[string]int // comments (not deleted) per field key
	Total      int
	StartField string // the field the new-comment form starts on (?comment_field=)
	// Marks lists the ids of the page's field markers ("#cm-mark-KEY,…"):
	// an htmx swap of the section swaps them too (hx-select-oob), so their
	// counts follow.
	Marks string
}

type commentField struct{ Key, Label string }

type fieldThreads struct {
	Key, Label string
	Threads    []threadView
}

type threadView struct {
	Root       commentItem
	Replies    []commentItem
	Resolved   bool
	ResolvedBy string
	CanResolve bool
}

type commentItem struct {
	C         persona.Comment
	CanChange bool
	Edited    bool
}

// commentPath is the page (inside /o/{org}) that shows a subject's threads.
func commentPath(kind persona.CommentSubject, id string) string {
	switch kind {
	case persona.CommentOnVariant:
		return "/variants/" + id
	case persona.CommentOnLaunchpad:
		return "/launchpads/" + id
	case persona.CommentOnProposal:
		return "/proposals/" + id
	}
	return "/personas/" + id
}

// commentsFor reads a subject's threads for its page. fields are a
// persona's fields in template order (nil for other subjects).
func (h *Handler) commentsFor(r *http.Request, c *Ctx, kind persona.CommentSubject, id string, fields []commentField) (commentsView, error) {
	ts, err := h.svc.ListComments(r.Context(), c.Actor, c.Org.Slug, kind, id, "")
	if err != nil {
		return commentsView{}, err
	}
	names, err := h.memberNames(r, c)
	if err != nil {
		return commentsView{}, err
	}
	v := commentsView{Org: c.Org.Slug, Subject: kind, SubjectID: id, Path: "/o/" + c.Org.Slug + commentPath(kind, id),
		Fields: fields, Counts: map[string]int{}}
	for _, f := range fields {
		if f.Key == r.URL.Query().Get("comment_field") {
			v.StartField = f.Key
		}
	}
	item := func(cm persona.Comment) commentItem {
		if !cm.Deleted {
			v.Total++
			v.Counts[cm.FieldKey]++
		}
		return commentItem{C: cm, Edited: cm.UpdatedAt.After(cm.CreatedAt) && !cm.Deleted,
			CanChange: !cm.Deleted && (cm.AuthorID == c.Actor.UserID || c.Can(persona.RoleAdmin))}
	}
	byField := map[string][]threadView{}
	for _, t := range ts {
		tv := threadView{Root: item(t.Root), Resolved: t.Root.ResolvedAt != nil,
			CanResolve: t.Root.AuthorID == c.Actor.UserID || c.Can(persona.RoleEditor)}
		if tv.Resolved {
			tv.ResolvedBy = names[t.Root.ResolvedBy]
			if tv.ResolvedBy == "" {
				tv.ResolvedBy = "a former member"
			}
		}
		for _, rep := range t.Replies {
			tv.Replies = append(tv.Replies, item(rep))
		}
		if t.Root.FieldKey == "" {
			v.General = append(v.General, tv)
		} else {
			byField[t.Root.FieldKey] = append(byField[t.Root.FieldKey], tv)
		}
	}
	for _, f := range fields {
		if t, ok := byField[f.Key]; ok {
			v.ByField = append(v.ByField, fieldThreads{Key: f.Key, Label: f.Label, Threads: t})
			delete(byField, f.Key)
		}
	}
	for _, k := range sortedKeys(byField) { // fields the template no longer has
		v.ByField = append(v.ByField, fieldThreads{Key: k, Label: k, Threads: byField[k]})
	}
	return v, nil
}

// personaCommentMarks lists the ids of the field markers a persona page
// shows (its header fields and its filled fields).
func personaCommentMarks(v personaView) string {
	var ids []string
	for _, f := range []*fieldView{v.Role, v.Quote} {
		if f != nil {
			ids = append(ids, "#cm-mark-"+f.Field.Key)
		}
	}
	for _, s := range v.Sections {
		for _, f := range s.Filled {
			ids = append(ids, "#cm-mark-"+f.Field.Key)
		}
	}
	return strings.Join(ids, ",")
}

// personaCommentFields lists a persona page's fields (header ones first)
// for the comments section.
func personaCommentFields(v personaView) []commentField {
	var out []commentField
	for _, f := range []*fieldView{v.Role, v.Quote} {
		if f != nil {
			out = append(out, commentField{Key: f.Field.Key, Label: f.Field.Label})
		}
	}
	for _, s := range v.Sections {
		for _, f := range s.Fields {
			out = append(out, commentField{Key: f.Field.Key, Label: f.Field.Label})
		}
	}
	return out
}

// commentRetryView is the page a refused comment lands on (without
// htmx): the error, naming the field, above the form with what was typed.
type commentRetryView struct {
	Org     string
	Back    string // the thread's page
	Action  string // where the form posts
	Heading string
	Field   string // the persona field commented on ("" for none)
	Subject persona.CommentSubject
	SubID   string
	Parent  string
	Body    string
	Error   string
}

// refuseComment answers an invalid comment with the retry page (422): the
// message names the field (the comment) and the text is kept. htmx swaps
// the page's comments section (the form) in place of the thread's.
func (h *Handler) refuseComment(w http.ResponseWriter, r *http.Request, c *Ctx, err error, v commentRetryView) error {
	e, ok := persona.AsError(err)
	if !ok || e.Code != persona.CodeInvalid {
		return err
	}
	v.Org, v.Body, v.Error = c.Org.Slug, r.PostFormValue("body"), "The comment "+e.Message+"."
	for _, f := range e.Fields {
		switch f.Field {
		case "body":
			v.Error = "The comment " + f.Message + "."
		case "field":
			v.Error = "The field " + f.Message + "."
		}
	}
	if v.Back == "" {
		v.Back = "/o/" + c.Org.Slug
	}
	status := http.StatusUnprocessableEntity
	if r.Header.Get("HX-Request") != "" {
		// htmx swaps the refusal (the form with the error) into the
		// section: an answer to swap, not a failed load in the console.
		status = http.StatusOK
	}
	return h.render(w, r, c, status, "comment_retry", "Comment not saved", v)
}

// backTo redirects to a comment on its page. An htmx request follows the
// 303 itself and swaps the comments section out of the page it lands on.
func backTo(w http.ResponseWriter, r *http.Request, c *Ctx, cm persona.Comment, flash string) error {
	to := "/o/" + c.Org.Slug + commentPath(cm.Subject, cm.SubjectID)
	if cm.FieldKey != "" && r.Header.Get("HX-Request") == "" {
		to += "?comment_field=" + template.URLQueryEscaper(cm.FieldKey)
	}
	if flash != "" {
		setFlash(w, r, flash)
	}
	http.Redirect(w, r, to+"#comment-"+cm.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) addComment(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	in := app.CommentInput{Subject: persona.CommentSubject(r.PostFormValue("subject")), SubjectID: r.PostFormValue("subject_id"),
		FieldKey: r.PostFormValue("field"), ParentID: r.PostFormValue("parent"), Body: r.PostFormValue("body")}
	cm, err := h.svc.AddComment(r.Context(), c.Actor, c.Org.Slug, in)
	if err != nil {
		v := commentRetryView{Action: "/o/" + c.Org.Slug + "/comments", Heading: "New comment", Subject: in.Subject, SubID: in.SubjectID,
			Field: in.FieldKey, Parent: in.ParentID}
		if in.ParentID != "" {
			v.Heading = "Reply"
		}
		if in.Subject.Valid() && in.SubjectID != "" {
			v.Back = "/o/" + c.Org.Slug + commentPath(in.Subject, in.SubjectID) + "#comments"
		}
		return h.refuseComment(w, r, c, err, v)
	}
	msg := "Comment added."
	if cm.ParentID != "" {
		msg = "Reply added."
	}
	return backTo(w, r, c, cm, msg)
}

func (h *Handler) editComment(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	id := r.PathValue("id")
	cm, err := h.svc.EditComment(r.Context(), c.Actor, c.Org.Slug, id, r.PostFormValue("body"))
	if err != nil {
		v := commentRetryView{Action: "/o/" + c.Org.Slug + "/comments/" + id, Heading: "Edit comment"}
		if old, gerr := h.svc.GetComment(r.Context(), c.Actor, c.Org.Slug, id); gerr == nil {
			v.Back = "/o/" + c.Org.Slug + commentPath(old.Subject, old.SubjectID) + "#comment-" + id
		}
		return h.refuseComment(w, r, c, err, v)
	}
	return backTo(w, r, c, cm, "Comment saved.")
}

func (h *Handler) deleteComment(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	cm, err := h.svc.DeleteComment(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	if cm.ParentID != "" { // back to the thread, the reply being gone
		cm.ID = cm.ParentID
	}
	return backTo(w, r, c, cm, "Comment deleted.")
}

func (h *Handler) resolveComment(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	cm, err := h.svc.ResolveThread(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), true)
	if err != nil {
		return err
	}
	return backTo(w, r, c, cm, "Thread resolved.")
}

func (h *Handler) reopenComment(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	cm, err := h.svc.ResolveThread(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"), false)
	if err != nil {
		return err
	}
	return backTo(w, r, c, cm, "Thread reopened.")
}

// commentPage sends the browser to the page that shows a comment (the
// links of notifications and the audit log).
func (h *Handler) commentPage(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	cm, err := h.svc.GetComment(r.Context(), c.Actor, c.Org.Slug, r.PathValue("id"))
	if err != nil {
		return err
	}
	return backTo(w, r, c, cm, "")
}

// mentionSuggestion is one member the mention autocomplete offers; Token
// is what it inserts.
type mentionSuggestion struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Token string `json:"token"`
}

// mentionSuggestions answers the mention autocomplete (?q=letters typed
// after "@") with up to 8 members of this organisation, as JSON.
func (h *Handler) mentionSuggestions(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		q = q[:100]
	}
	ms, err := h.svc.SuggestMembers(r.Context(), c.Actor, c.Org.Slug, q)
	if err != nil {
		return err
	}
	out := make([]mentionSuggestion, 0, len(ms))
	for _, m := range ms {
		name := m.Name
		if name == "" {
			name = m.Email
		}
		out = append(out, mentionSuggestion{ID: m.UserID, Name: name, Email: m.Email, Token: persona.MentionToken(name, m.UserID)})
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(out)
}

// commentMarkdown renders a comment: mention tokens become highlighted
// names, and the rest goes through the notes' renderer and safety rules.
func commentMarkdown(body string) template.HTML {
	return renderMarkdown(persona.MentionMarkdown(body))
}

func init() {
	funcs["commentMarkdown"] = commentMarkdown
	funcs["commentExcerpt"] = func(body string) string { return persona.CommentExcerpt(body, 80) }
	funcs["commentCount"] = func(v commentsView, key string) int { return v.Counts[key] }
}
