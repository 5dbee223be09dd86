package app

import (
	"context"
	"strings"

	"github.com/personapal/personapal/internal/persona"
)

// commentStore is the part of Store that keeps comment threads.
type commentStore interface {
	CreateComment(ctx context.Context, c persona.Comment) error
	GetComment(ctx context.Context, orgID, id string) (persona.Comment, error)
	// ListComments lists a subject's comments (all its fields'), oldest first.
	ListComments(ctx context.Context, orgID string, subject persona.CommentSubject, subjectID string) ([]persona.Comment, error)
	UpdateComment(ctx context.Context, c persona.Comment) error
	DeleteComment(ctx context.Context, orgID, id string) error
	// CountPersonaComments maps personas with comments to how many.
	CountPersonaComments(ctx context.Context, orgID string) (map[string]int, error)
}

// commentSubject is what a thread is on, resolved and checked live in the
// organisation: a name for titles, the persona concerned (its owner is
// told) and the page that shows it.
type commentSubject struct {
	Name      string
	PersonaID string
	OwnerID   string
	// ProposerID is a proposal's author: told of its comments like the owner.
	ProposerID string
	Path       string // inside /o/{org}
}

// resolveSubject checks a comment's subject. A new subject kind is one
// case here (and a constant in persona).
func (s *Service) resolveSubject(ctx context.Context, orgID string, kind persona.CommentSubject, id, field string) (commentSubject, error) {
	if field != "" && !kind.HasFields() {
		return commentSubject{}, persona.Invalid("invalid comment", []persona.FieldError{{Field: "field", Message: "only a persona's fields take comments"}})
	}
	switch kind {
	case persona.CommentOnPersona:
		p, err := s.store.GetPersona(ctx, orgID, id)
		if err != nil {
			return commentSubject{}, err
		}
		if len(field) > 200 {
			return commentSubject{}, persona.Invalid("invalid comment", []persona.FieldError{{Field: "field", Message: "is not a field of this persona"}})
		}
		return commentSubject{Name: p.Name, PersonaID: p.ID, OwnerID: p.OwnerID, Path: "/personas/" + p.ID}, nil
	case persona.CommentOnVariant:
		v, err := s.store.GetVariant(ctx, orgID, id)
		if err != nil {
			return commentSubject{}, err
		}
		p, err := s.store.GetPersona(ctx, orgID, v.PersonaID)
		if err != nil {
			return commentSubject{}, err
		}
		name := p.Name + " (customer variant)"
		return commentSubject{Name: name, PersonaID: p.ID, OwnerID: p.OwnerID, Path: "/variants/" + v.ID}, nil
	case persona.CommentOnLaunchpad:
		l, err := s.store.GetLaunchpad(ctx, orgID, id)
		if err != nil {
			return commentSubject{}, err
		}
		return commentSubject{Name: l.Name, Path: "/launchpads/" + l.ID}, nil
	case persona.CommentOnProposal:
		pr, err := s.store.GetProposal(ctx, orgID, id)
		if err != nil {
			return commentSubject{}, err
		}
		p, err := s.store.GetPersona(ctx, orgID, pr.PersonaID)
		if err != nil {
			return commentSubject{}, err
		}
		return commentSubject{Name: "the proposal on " + p.Name, PersonaID: p.ID, OwnerID: p.OwnerID,
			ProposerID: pr.AuthorID, Path: "/proposals/" + pr.ID}, nil
	}
	return commentSubject{}, persona.Errorf(persona.CodeNotFound, "comment subject not found")
}

// CommentThread is a top-level comment and its replies, oldest first.
type CommentThread struct {
	Root    persona.Comment
	Replies []persona.Comment
}

// ListComments lists the threads on a subject (viewers), oldest first.
// With field "" every thread (the subject's and its fields') is listed;
// otherwise that field's only.
func (s *Service) ListComments(ctx context.Context, actor Actor, slug string, kind persona.CommentSubject, id, field string) ([]CommentThread, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.resolveSubject(ctx, org.ID, kind, id, field); err != nil {
		return nil, err
	}
	all, err := s.store.ListComments(ctx, org.ID, kind, id)
	if err != nil {
		return nil, err
	}
	return threads(all, field), nil
}

// threads groups comments (oldest first) into threads; a non-empty field
// keeps that field's only. A tombstone with no replies left is dropped.
func threads(all []persona.Comment, field string) []CommentThread {
	var out []CommentThread
	at := map[string]int{}
	for _, c := range all {
		if c.ParentID != "" {
			if i, ok := at[c.ParentID]; ok {
				out[i].Replies = append(out[i].Replies, c)
			}
			continue
		}
		if field != "" && c.FieldKey != field {
			continue
		}
		at[c.ID] = len(out)
		out = append(out, CommentThread{Root: c})
	}
	kept := out[:0]
	for _, t := range out {
		if !t.Root.Deleted || len(t.Replies) > 0 {
			kept = append(kept, t)
		}
	}
	return kept
}

// CommentInput is a new comment: on a subject (and maybe a field), or a
// reply (ParentID set; the subject is the parent's).
type CommentInput struct {
	Subject   persona.CommentSubject
	SubjectID string
	FieldKey  string
	ParentID  string
	Body      string
}

// mentions resolves a body's mention tokens against the organisation's
// members: only members are mentioned, anybody else reads as text.
func (s *Service) mentions(ctx context.Context, orgID, body string) (string, []string, error) {
	members, err := s.store.ListMembers(ctx, orgID)
	if err != nil {
		return "", nil, err
	}
	in := map[string]bool{}
	for _, m := range members {
		in[m.UserID] = true
	}
	out, ids := persona.ResolveMentions(body, func(id string) bool { return in[id] })
	return out, ids, nil
}

// AddComment writes a comment or a reply (viewers may comment) and tells
// the people mentioned, and the persona's owner, in its transaction.
func (s *Service) AddComment(ctx context.Context, actor Actor, slug string, in CommentInput) (persona.Comment, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Comment{}, err
	}
	if in.ParentID != "" {
		parent, err := s.store.GetComment(ctx, org.ID, in.ParentID)
		if err != nil {
			return persona.Comment{}, err
		}
		if parent.ParentID != "" { // one level: a reply to a reply joins the thread
			if parent, err = s.store.GetComment(ctx, org.ID, parent.ParentID); err != nil {
				return persona.Comment{}, err
			}
		}
		in.Subject, in.SubjectID, in.FieldKey, in.ParentID = parent.Subject, parent.SubjectID, parent.FieldKey, parent.ID
	}
	if !in.Subject.Valid() {
		return persona.Comment{}, persona.Errorf(persona.CodeNotFound, "comment subject not found")
	}
	in.FieldKey = strings.TrimSpace(in.FieldKey)
	subj, err := s.resolveSubject(ctx, org.ID, in.Subject, in.SubjectID, in.FieldKey)
	if err != nil {
		return persona.Comment{}, err
	}
	body, err := persona.ValidateCommentBody(in.Body)
	if err != nil {
		return persona.Comment{}, err
	}
	body, ids, err := s.mentions(ctx, org.ID, body)
	if err != nil {
		return persona.Comment{}, err
	}
	now := s.timestamp()
	c := persona.Comment{ID: newID(), OrgID: org.ID, Subject: in.Subject, SubjectID: in.SubjectID, FieldKey: in.FieldKey,
		ParentID: in.ParentID, PersonaID: subj.PersonaID, Body: body, Mentions: ids, AuthorID: actor.UserID,
		AuthorName: actor.Name, CreatedAt: now, UpdatedAt: now}
	ns := commentNotifications(c, subj, actor, "/o/"+org.Slug)
	err = s.inTx(ctx, s.entry(org.ID, actor, "create", "comment", c.ID, "Comment on "+subj.Name), func(tx Store) error {
		if err := tx.CreateComment(ctx, c); err != nil {
			return err
		}
		return s.notify(ctx, tx, org.ID, ns...)
	})
	if err != nil {
		return persona.Comment{}, err
	}
	return c, nil
}

// commentExcerptLength is how much of a comment a notification quotes.
const commentExcerptLength = 140

// commentNotifications is who a new comment tells: each member mentioned
// (NotifyMention), and the persona's owner and a proposal's proposer
// (NotifyComment) unless they are mentioned already or wrote it. Nobody is
// told of their own comment, or twice.
func commentNotifications(c persona.Comment, subj commentSubject, actor Actor, orgBase string) []persona.Notification {
	who := actor.Name
	if who == "" {
		who = "Somebody"
	}
	base := persona.Notification{ActorID: actor.UserID, ObjectKind: "comment", ObjectID: c.ID, PersonaID: subj.PersonaID,
		Excerpt: persona.CommentExcerpt(c.Body, commentExcerptLength), Link: orgBase + subj.Path + "#comment-" + c.ID}
	var out []persona.Notification
	told := map[string]bool{actor.UserID: true}
	for _, id := range c.Mentions {
		if told[id] {
			continue
		}
		told[id] = true
		n := base
		n.Kind, n.UserID, n.Title = persona.NotifyMention, id, who+" mentioned you on "+subj.Name
		out = append(out, n)
	}
	for _, id := range []string{subj.OwnerID, subj.ProposerID} {
		if id == "" || told[id] {
			continue
		}
		told[id] = true
		n := base
		n.Kind, n.UserID, n.Title = persona.NotifyComment, id, who+" commented on "+subj.Name
		out = append(out, n)
	}
	return out
}

// commentForChange returns a comment its caller may change: its author or
// an admin (owners included).
func (s *Service) commentForChange(ctx context.Context, actor Actor, slug, id string) (persona.Org, persona.Comment, error) {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Org{}, persona.Comment{}, err
	}
	c, err := s.store.GetComment(ctx, org.ID, id)
	if err != nil {
		return persona.Org{}, persona.Comment{}, err
	}
	if c.Deleted {
		return persona.Org{}, persona.Comment{}, persona.Errorf(persona.CodeNotFound, "comment not found")
	}
	if c.AuthorID != actor.UserID && !role.AtLeast(persona.RoleAdmin) {
		return persona.Org{}, persona.Comment{}, persona.Errorf(persona.CodeForbidden, "only the comment's author or an admin can change it")
	}
	return org, c, nil
}

// GetComment returns one visible comment (viewers).
func (s *Service) GetComment(ctx context.Context, actor Actor, slug, id string) (persona.Comment, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Comment{}, err
	}
	return s.store.GetComment(ctx, org.ID, id)
}

// EditComment replaces a comment's Markdown (its author or an admin).
// Mentions are resolved again; nobody is notified twice for an edit.
func (s *Service) EditComment(ctx context.Context, actor Actor, slug, id, body string) (persona.Comment, error) {
	org, c, err := s.commentForChange(ctx, actor, slug, id)
	if err != nil {
		return persona.Comment{}, err
	}
	if body, err = persona.ValidateCommentBody(body); err != nil {
		return persona.Comment{}, err
	}
	if c.Body, c.Mentions, err = s.mentions(ctx, org.ID, body); err != nil {
		return persona.Comment{}, err
	}
	c.UpdatedAt = s.timestamp()
	err = s.inTx(ctx, s.entry(org.ID, actor, "update", "comment", c.ID, "Comment edited"), func(tx Store) error { return tx.UpdateComment(ctx, c) })
	return c, err
}

// DeleteComment deletes a comment (its author or an admin). A top-level
// comment with replies becomes a tombstone ("comment deleted") so the
// replies keep their thread.
func (s *Service) DeleteComment(ctx context.Context, actor Actor, slug, id string) (persona.Comment, error) {
	org, c, err := s.commentForChange(ctx, actor, slug, id)
	if err != nil {
		return persona.Comment{}, err
	}
	hasReplies := false
	if c.ParentID == "" {
		all, err := s.store.ListComments(ctx, org.ID, c.Subject, c.SubjectID)
		if err != nil {
			return persona.Comment{}, err
		}
		for _, o := range all {
			if o.ParentID == c.ID && !o.Deleted {
				hasReplies = true
				break
			}
		}
	}
	err = s.inTx(ctx, s.entry(org.ID, actor, "delete", "comment", c.ID, "Comment deleted"), func(tx Store) error {
		if !hasReplies {
			return tx.DeleteComment(ctx, org.ID, c.ID)
		}
		c.Deleted, c.Body, c.Mentions, c.UpdatedAt = true, "", nil, s.timestamp()
		return tx.UpdateComment(ctx, c)
	})
	return c, err
}

// ResolveThread marks a thread resolved (resolved=true) or open again. The
// thread's author, an editor or an admin may; a viewer only their own.
func (s *Service) ResolveThread(ctx context.Context, actor Actor, slug, id string, resolved bool) (persona.Comment, error) {
	org, role, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return persona.Comment{}, err
	}
	c, err := s.store.GetComment(ctx, org.ID, id)
	if err != nil {
		return persona.Comment{}, err
	}
	if c.ParentID != "" {
		if c, err = s.store.GetComment(ctx, org.ID, c.ParentID); err != nil {
			return persona.Comment{}, err
		}
	}
	if c.AuthorID != actor.UserID && !role.AtLeast(persona.RoleEditor) {
		return persona.Comment{}, persona.Errorf(persona.CodeForbidden, "viewers can resolve only their own threads")
	}
	action := "reopen"
	if resolved {
		at := s.timestamp()
		c.ResolvedAt, c.ResolvedBy, action = &at, actor.UserID, "resolve"
	} else {
		c.ResolvedAt, c.ResolvedBy = nil, ""
	}
	err = s.inTx(ctx, s.entry(org.ID, actor, action, "comment", c.ID, "Thread "+action+"d"), func(tx Store) error { return tx.UpdateComment(ctx, c) })
	return c, err
}

// CountPersonaComments maps the organisation's personas to their comment
// counts (viewers): one read for all the cards of a page.
func (s *Service) CountPersonaComments(ctx context.Context, actor Actor, slug string) (map[string]int, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	return s.store.CountPersonaComments(ctx, org.ID)
}

// SuggestMembers lists up to 8 members of the organisation whose name or
// e-mail address contains q (the mention autocomplete; viewers).
func (s *Service) SuggestMembers(ctx context.Context, actor Actor, slug, q string) ([]persona.Member, error) {
	org, _, err := s.scope(ctx, actor, slug, persona.RoleViewer)
	if err != nil {
		return nil, err
	}
	members, err := s.store.ListMembers(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	var out []persona.Member
	for _, m := range members {
		if q == "" || strings.Contains(strings.ToLower(m.Name), q) || strings.Contains(strings.ToLower(m.Email), q) {
			out = append(out, persona.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role})
			if len(out) == 8 {
				break
			}
		}
	}
	return out, nil
}
