package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Change proposals (docs/proposals.md): anyone who may read a persona
// proposes a revision of it; owners, admins and editors accept (with a
// resolution per conflicting field when the persona changed meanwhile:
// 409 names the fields until each has one) or decline; the proposer
// withdraws.

var tagProposals = []string{"Change proposals"}

type variantProposalCreateInput struct {
	VariantPath
	Body struct {
		Variant      variantBody `json:"variant" doc:"The proposed overrides and note, as a variant update would send them; the customer stays the variant's"`
		BaseRevision int         `json:"base_revision,omitempty" minimum:"0" doc:"The variant revision the proposal was made from; the current one when omitted"`
		Message      string      `json:"message,omitempty" maxLength:"2000" doc:"Why the change"`
	}
}

type ProposalPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Proposal ID"`
}

type proposalCreateInput struct {
	PersonaPath
	Body struct {
		Persona      personaBody `json:"persona" doc:"The full proposed content, as an update would send it (its message is ignored)"`
		BaseRevision int         `json:"base_revision,omitempty" minimum:"0" doc:"The revision the proposal was made from; the current one when omitted"`
		Message      string      `json:"message,omitempty" maxLength:"2000" doc:"Why the change: shown with the proposal and in the history"`
	}
}

type proposalListInput struct {
	OrgPath
	Status  string `query:"status" enum:"open,accepted,declined,withdrawn" doc:"Only proposals with this status"`
	Persona string `query:"persona" maxLength:"64" doc:"Only this persona's proposals"`
}

type personaProposalListInput struct {
	PersonaPath
	Status string `query:"status" enum:"open,accepted,declined,withdrawn" doc:"Only proposals with this status"`
}

type proposalAcceptInput struct {
	ProposalPath
	Body struct {
		Resolutions map[string]persona.Resolution `json:"resolutions,omitempty" doc:"Per conflicting path (\"values.<key>\", \"summary\"…): \"current\" keeps the persona's value, \"proposed\" takes the proposal's"`
	}
}

type proposalDeclineInput struct {
	ProposalPath
	Body struct {
		Reason string `json:"reason,omitempty" maxLength:"2000" doc:"Why it was declined; the proposer is told"`
	}
}

// ProposalJSON is a proposal with what it changes and, while open, what
// an accept would do.
type ProposalJSON struct {
	persona.Proposal
	Changes         []persona.Change        `json:"changes" doc:"What the proposal changes against the revision it was made from"`
	Changed         bool                    `json:"persona_changed" doc:"The persona has revisions after the proposal's base"`
	CurrentRevision int                     `json:"current_revision" doc:"The persona's current revision"`
	Conflicts       []persona.MergeConflict `json:"conflicts" doc:"Fields both the proposal and a later revision changed; an accept needs a resolution for each"`
	Applied         []string                `json:"applied" doc:"Paths an accept takes from the proposal without a resolution"`
}

func proposalJSON(v app.ProposalView) ProposalJSON {
	return ProposalJSON{Proposal: v.Proposal, Changes: nonNil(v.AgainstBase), Changed: v.Changed, CurrentRevision: v.Persona.Revision,
		Conflicts: nonNil(v.Merge.Conflicts), Applied: nonNil(v.Merge.Applied)}
}

type proposalOutput struct {
	Location string `header:"Location"`
	Body     ProposalJSON
}

type proposalSummaryOutput struct{ Body persona.Proposal }

type proposalListOutput struct {
	Body struct {
		Items []persona.Proposal `json:"items"`
	}
}

type proposalAcceptOutput struct {
	Body struct {
		Proposal persona.Proposal `json:"proposal"`
		Persona  PersonaJSON      `json:"persona" doc:"The persona as the accept saved it (a new revision by the proposer)"`
	}
}

type proposalSettingBody struct {
	RequireProposals bool `json:"require_proposals" doc:"Published personas change only through accepted proposals"`
}

type proposalSettingOutput struct{ Body proposalSettingBody }

type proposalSettingInput struct {
	OrgPath
	Body proposalSettingBody
}

func filterProposals(list []persona.Proposal, status string) []persona.Proposal {
	out := make([]persona.Proposal, 0, len(list))
	for _, p := range list {
		if status == "" || string(p.Status) == status {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) registerProposals(api huma.API) {
	huma.Register(api, viewerWrite(op("create-proposal", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/proposals", "Propose a change to a persona (viewers too)", tagProposals, http.StatusCreated)),
		func(ctx context.Context, in *proposalCreateInput) (*proposalOutput, error) {
			actor := actorFrom(ctx)
			pr, err := s.svc.CreateProposal(ctx, actor, in.Org, in.ID, app.ProposalInput{Persona: in.Body.Persona.input(),
				BaseRevision: in.Body.BaseRevision, Message: in.Body.Message})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			v, err := s.svc.GetProposal(ctx, actor, in.Org, pr.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalOutput{Location: "/api/v1/orgs/" + in.Org + "/proposals/" + pr.ID, Body: proposalJSON(v)}, nil
		})

	huma.Register(api, viewerWrite(op("create-variant-proposal", http.MethodPost, "/api/v1/orgs/{org}/variants/{id}/proposals", "Propose a change to a customer variant's overrides (viewers too)", tagProposals, http.StatusCreated)),
		func(ctx context.Context, in *variantProposalCreateInput) (*proposalOutput, error) {
			actor := actorFrom(ctx)
			pr, err := s.svc.CreateVariantProposal(ctx, actor, in.Org, in.ID, app.VariantProposalInput{Variant: in.Body.Variant.input(),
				BaseRevision: in.Body.BaseRevision, Message: in.Body.Message})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			v, err := s.svc.GetProposal(ctx, actor, in.Org, pr.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalOutput{Location: "/api/v1/orgs/" + in.Org + "/proposals/" + pr.ID, Body: proposalJSON(v)}, nil
		})

	huma.Register(api, op("list-persona-proposals", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/proposals", "A persona's proposals, open ones first", tagProposals, 0),
		func(ctx context.Context, in *personaProposalListInput) (*proposalListOutput, error) {
			list, err := s.svc.ListProposals(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &proposalListOutput{}
			out.Body.Items = filterProposals(list, in.Status)
			return out, nil
		})

	huma.Register(api, op("list-proposals", http.MethodGet, "/api/v1/orgs/{org}/proposals", "The organisation's proposals, open ones first", tagProposals, 0),
		func(ctx context.Context, in *proposalListInput) (*proposalListOutput, error) {
			list, err := s.svc.ListProposals(ctx, actorFrom(ctx), in.Org, in.Persona)
			if err != nil {
				return nil, s.failQuery(ctx, err)
			}
			out := &proposalListOutput{}
			out.Body.Items = filterProposals(list, in.Status)
			return out, nil
		})

	huma.Register(api, op("get-proposal", http.MethodGet, "/api/v1/orgs/{org}/proposals/{id}", "A proposal with its diff and, while open, its conflicts", tagProposals, 0),
		func(ctx context.Context, in *ProposalPath) (*proposalOutput, error) {
			v, err := s.svc.GetProposal(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalOutput{Body: proposalJSON(v)}, nil
		})

	huma.Register(api, op("accept-proposal", http.MethodPost, "/api/v1/orgs/{org}/proposals/{id}/accept", "Accept a proposal as a new revision (owners, admins, editors); 409 names the fields that need a resolution", tagProposals, 0),
		func(ctx context.Context, in *proposalAcceptInput) (*proposalAcceptOutput, error) {
			pr, p, err := s.svc.AcceptProposal(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.Resolutions)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &proposalAcceptOutput{}
			out.Body.Proposal, out.Body.Persona = pr, personaJSON(p)
			return out, nil
		})

	huma.Register(api, op("decline-proposal", http.MethodPost, "/api/v1/orgs/{org}/proposals/{id}/decline", "Decline a proposal with a reason (owners, admins, editors)", tagProposals, 0),
		func(ctx context.Context, in *proposalDeclineInput) (*proposalSummaryOutput, error) {
			pr, err := s.svc.DeclineProposal(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.Reason)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalSummaryOutput{Body: pr}, nil
		})

	huma.Register(api, viewerWrite(op("withdraw-proposal", http.MethodPost, "/api/v1/orgs/{org}/proposals/{id}/withdraw", "Withdraw your own proposal", tagProposals, 0)),
		func(ctx context.Context, in *ProposalPath) (*proposalSummaryOutput, error) {
			pr, err := s.svc.WithdrawProposal(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalSummaryOutput{Body: pr}, nil
		})

	huma.Register(api, op("get-proposal-settings", http.MethodGet, "/api/v1/orgs/{org}/proposal-settings", "Whether published personas change only through accepted proposals", tagProposals, 0),
		func(ctx context.Context, in *OrgPath) (*proposalSettingOutput, error) {
			on, err := s.svc.RequiresProposals(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalSettingOutput{Body: proposalSettingBody{RequireProposals: on}}, nil
		})

	huma.Register(api, op("set-proposal-settings", http.MethodPut, "/api/v1/orgs/{org}/proposal-settings", "Turn sign-off for published personas on or off (owners, admins)", tagProposals, 0),
		func(ctx context.Context, in *proposalSettingInput) (*proposalSettingOutput, error) {
			if err := s.svc.SetRequiresProposals(ctx, actorFrom(ctx), in.Org, in.Body.RequireProposals); err != nil {
				return nil, s.fail(ctx, err)
			}
			return &proposalSettingOutput{Body: in.Body}, nil
		})
}
