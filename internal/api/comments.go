package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var tagComments = []string{"Comments"}

// commentThread is a top-level comment and its replies (one level).
type commentThread struct {
	Comment persona.Comment   `json:"comment"`
	Replies []persona.Comment `json:"replies"`
}

type commentThreadsOutput struct {
	Body struct {
		Items []commentThread `json:"items"`
	}
}

type commentOutput struct {
	Body persona.Comment
}

type newCommentBody struct {
	Body     string `json:"body" doc:"Markdown, rendered without raw HTML; a mention is written @[Name](user:ID), and only members of the organisation are mentioned" maxLength:"20000"`
	Field    string `json:"field,omitempty" doc:"A persona's field key: the comment is on that field (personas only)" maxLength:"200"`
	ParentID string `json:"parent_id,omitempty" doc:"Reply to this comment's thread (the thread's subject is kept)" maxLength:"64"`
}

type editCommentBody struct {
	Body string `json:"body" doc:"Markdown; mentions are resolved again" maxLength:"20000"`
}

type CommentPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Comment ID"`
}

type commentListInput struct {
	PersonaPath
	Field string `query:"field" maxLength:"200" doc:"Only the threads on this field of a persona"`
}

func (s *Server) registerComments(api huma.API) {
	for _, t := range []struct {
		kind persona.CommentSubject
		path string
		what string
	}{
		{persona.CommentOnPersona, "personas", "a persona (and its fields)"},
		{persona.CommentOnVariant, "variants", "a customer variant"},
		{persona.CommentOnLaunchpad, "launchpads", "a Launchpad"},
		{persona.CommentOnProposal, "proposals", "a change proposal"},
	} {
		huma.Register(api, op("list-"+string(t.kind)+"-comments", http.MethodGet, "/api/v1/orgs/{org}/"+t.path+"/{id}/comments",
			"Comment threads on "+t.what+", oldest first", tagComments, 0),
			func(ctx context.Context, in *commentListInput) (*commentThreadsOutput, error) {
				ts, err := s.svc.ListComments(ctx, actorFrom(ctx), in.Org, t.kind, in.ID, in.Field)
				if err != nil {
					return nil, s.fail(ctx, err)
				}
				out := &commentThreadsOutput{}
				out.Body.Items = make([]commentThread, 0, len(ts))
				for _, th := range ts {
					out.Body.Items = append(out.Body.Items, commentThread{Comment: th.Root, Replies: nonNil(th.Replies)})
				}
				return out, nil
			})
		huma.Register(api, viewerWrite(op("add-"+string(t.kind)+"-comment", http.MethodPost, "/api/v1/orgs/{org}/"+t.path+"/{id}/comments",
			"Comment on "+t.what+", or reply to a thread (viewers and above); members mentioned and the persona's owner are notified", tagComments, http.StatusCreated)),
			func(ctx context.Context, in *struct {
				PersonaPath
				Body newCommentBody
			}) (*commentOutput, error) {
				if in.Body.ParentID != "" { // a reply: to a thread on this path's subject only
					parent, err := s.svc.GetComment(ctx, actorFrom(ctx), in.Org, in.Body.ParentID)
					if err != nil {
						return nil, s.fail(ctx, err)
					}
					if parent.Subject != t.kind || parent.SubjectID != in.ID {
						return nil, s.fail(ctx, persona.Errorf(persona.CodeNotFound, "comment not found"))
					}
				}
				c, err := s.svc.AddComment(ctx, actorFrom(ctx), in.Org, app.CommentInput{Subject: t.kind, SubjectID: in.ID,
					FieldKey: in.Body.Field, ParentID: in.Body.ParentID, Body: in.Body.Body})
				if err != nil {
					return nil, s.fail(ctx, err)
				}
				return &commentOutput{Body: c}, nil
			})
	}
	huma.Register(api, op("get-comment", http.MethodGet, "/api/v1/orgs/{org}/comments/{id}", "One comment", tagComments, 0),
		func(ctx context.Context, in *CommentPath) (*commentOutput, error) {
			c, err := s.svc.GetComment(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &commentOutput{Body: c}, nil
		})
	huma.Register(api, viewerWrite(op("update-comment", http.MethodPut, "/api/v1/orgs/{org}/comments/{id}", "Replace a comment's Markdown (its author or an admin)", tagComments, 0)),
		func(ctx context.Context, in *struct {
			CommentPath
			Body editCommentBody
		}) (*commentOutput, error) {
			c, err := s.svc.EditComment(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &commentOutput{Body: c}, nil
		})
	huma.Register(api, viewerWrite(op("delete-comment", http.MethodDelete, "/api/v1/orgs/{org}/comments/{id}",
		"Delete a comment (its author or an admin); a thread's first comment with replies stays as \"deleted\"", tagComments, http.StatusNoContent)),
		func(ctx context.Context, in *CommentPath) (*struct{}, error) {
			if _, err := s.svc.DeleteComment(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
	for _, r := range []struct {
		verb     string
		resolved bool
		summary  string
	}{
		{"resolve", true, "Resolve a comment's thread (the thread's author, editors and above)"},
		{"reopen", false, "Reopen a comment's resolved thread (the thread's author, editors and above)"},
	} {
		huma.Register(api, viewerWrite(op(r.verb+"-comment-thread", http.MethodPost, "/api/v1/orgs/{org}/comments/{id}/"+r.verb, r.summary, tagComments, 0)),
			func(ctx context.Context, in *CommentPath) (*commentOutput, error) {
				c, err := s.svc.ResolveThread(ctx, actorFrom(ctx), in.Org, in.ID, r.resolved)
				if err != nil {
					return nil, s.fail(ctx, err)
				}
				return &commentOutput{Body: c}, nil
			})
	}
}
