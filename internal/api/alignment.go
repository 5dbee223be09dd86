package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

var tagAlignment = []string{"Alignment"}

// AlignmentJSON is a buyer's alignment with the personas its promise
// reaches.
type AlignmentJSON struct {
	BuyerID           string            `json:"buyer_id"`
	BuyerName         string            `json:"buyer_name"`
	CustomerID        string            `json:"customer_id,omitempty" doc:"The customer archetype viewed, if any"`
	DivergencePoints  float64           `json:"divergence_points" doc:"The threshold, in points on a 1-5 scale"`
	Claims            []persona.Claim   `json:"claims"`
	Users             []AlignedUserJSON `json:"users"`
	Tally             persona.Tally     `json:"tally"`
	UnaddressedClaims []string          `json:"unaddressed_claims" doc:"Claims no linked user addresses"`
}

// AlignedUserJSON is one persona the buyer reaches.
type AlignedUserJSON struct {
	LinkID      string                 `json:"link_id"`
	UserID      string                 `json:"user_id"`
	Name        string                 `json:"name"`
	ProfileType persona.ProfileType    `json:"profile_type"`
	VariantID   string                 `json:"variant_id,omitempty" doc:"The variant compared, when viewing a customer type"`
	Dimensions  persona.Values         `json:"dimensions" doc:"The values compared (the variant's effective ones when viewing a customer type)"`
	Verdicts    []persona.ClaimVerdict `json:"verdicts"`
	Divergences []persona.Divergence   `json:"divergences" doc:"Shared scale dimensions, largest gap first"`
	Tally       persona.Tally          `json:"tally"`
}

func alignmentJSON(a app.Alignment) AlignmentJSON {
	j := AlignmentJSON{BuyerID: a.Buyer.ID, BuyerName: a.Buyer.Name, CustomerID: a.Customer.ID, DivergencePoints: a.Points,
		Claims: nonNil(a.Claims), Tally: a.Tally, Users: []AlignedUserJSON{}, UnaddressedClaims: []string{}}
	addressed := map[string]bool{}
	for _, u := range a.Users {
		uj := AlignedUserJSON{LinkID: u.Link.ID, UserID: u.User.ID, Name: u.User.Name, ProfileType: u.User.ProfileType,
			Dimensions: u.Content.Dimensions, Verdicts: nonNil(u.Verdicts), Divergences: nonNil(u.Divergences), Tally: u.Tally}
		if u.Variant != nil {
			uj.VariantID = u.Variant.ID
		}
		for _, v := range u.Verdicts {
			if v.Verdict != persona.VerdictUnaddressed {
				addressed[v.Claim.Field+"\x00"+v.Claim.Text] = true
			}
		}
		j.Users = append(j.Users, uj)
	}
	for _, c := range a.Claims {
		if !addressed[c.Field+"\x00"+c.Text] {
			j.UnaddressedClaims = append(j.UnaddressedClaims, c.Text)
		}
	}
	return j
}

type alignmentInput struct {
	PersonaPath
	Customer string `query:"customer" maxLength:"64" doc:"View for one customer type: a customer archetype's ID"`
}

type linkBody struct {
	TargetID string `json:"target_id" doc:"A UX persona, customer archetype or AI agent the buyer's promise reaches"`
}

type AlignmentItemPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64"`
}

type claimBody struct {
	ClaimField string          `json:"claim_field" doc:"The buyer's field: messaging, proof_points or value_proposition"`
	Claim      string          `json:"claim" doc:"The claim's text (an item of that field)"`
	UserID     string          `json:"user_id" doc:"A persona linked to the buyer"`
	UserField  string          `json:"user_field" doc:"A field of the user, e.g. pain_points"`
	UserItem   string          `json:"user_item,omitempty" doc:"An item of that field; empty for the field as a whole"`
	Verdict    persona.Verdict `json:"verdict" enum:"supported,contradicted"`
	Note       string          `json:"note,omitempty" maxLength:"2000"`
	EvidenceID string          `json:"evidence_id,omitempty" doc:"An evidence item backing the verdict"`
}

type pairJSON struct {
	BuyerID   string        `json:"buyer_id"`
	BuyerName string        `json:"buyer_name"`
	UserID    string        `json:"user_id"`
	UserName  string        `json:"user_name"`
	Tally     persona.Tally `json:"tally"`
}

func (s *Server) registerAlignment(api huma.API) {
	huma.Register(api, op("get-alignment", http.MethodGet, "/api/v1/orgs/{org}/personas/{id}/alignment", "A buyer persona's alignment: claims with verdicts and dimension divergences per user", tagAlignment, 0),
		func(ctx context.Context, in *alignmentInput) (*struct{ Body AlignmentJSON }, error) {
			a, err := s.svc.AlignmentOf(ctx, actorFrom(ctx), in.Org, in.ID, in.Customer)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body AlignmentJSON }{Body: alignmentJSON(a)}, nil
		})

	huma.Register(api, op("link-personas", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/alignment/links", "Link a buyer to a persona its promise reaches (editors)", tagAlignment, http.StatusCreated),
		func(ctx context.Context, in *struct {
			PersonaPath
			Body linkBody
		}) (*struct{ Body persona.AlignmentLink }, error) {
			l, err := s.svc.LinkPersonas(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.TargetID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body persona.AlignmentLink }{Body: l}, nil
		})

	huma.Register(api, op("unlink-personas", http.MethodDelete, "/api/v1/orgs/{org}/alignment/links/{id}", "Remove an alignment link (editors)", tagAlignment, http.StatusNoContent),
		func(ctx context.Context, in *AlignmentItemPath) (*struct{}, error) {
			if _, err := s.svc.UnlinkPersonas(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("map-claim", http.MethodPost, "/api/v1/orgs/{org}/personas/{id}/alignment/claims", "Record a verdict on one of the buyer's claims for a linked user (editors)", tagAlignment, http.StatusCreated),
		func(ctx context.Context, in *struct {
			PersonaPath
			Body claimBody
		}) (*struct{ Body persona.ClaimMapping }, error) {
			b := in.Body
			m, err := s.svc.MapClaim(ctx, actorFrom(ctx), in.Org, in.ID, app.ClaimMappingInput{ClaimField: b.ClaimField, Claim: b.Claim,
				UserID: b.UserID, UserField: b.UserField, UserItem: b.UserItem, Verdict: b.Verdict, Note: b.Note, EvidenceID: b.EvidenceID})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body persona.ClaimMapping }{Body: m}, nil
		})

	huma.Register(api, op("unmap-claim", http.MethodDelete, "/api/v1/orgs/{org}/alignment/claims/{id}", "Delete a claim verdict (editors)", tagAlignment, http.StatusNoContent),
		func(ctx context.Context, in *AlignmentItemPath) (*struct{}, error) {
			if _, err := s.svc.UnmapClaim(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})

	huma.Register(api, op("alignment-report", http.MethodGet, "/api/v1/orgs/{org}/alignment", "Every buyer-user pair with counts of supported, contradicted and unaddressed claims and of divergences", tagAlignment, 0),
		func(ctx context.Context, in *OrgPath) (*struct {
			Body struct {
				DivergencePoints float64    `json:"divergence_points"`
				Items            []pairJSON `json:"items"`
			}
		}, error) {
			pairs, err := s.svc.AlignmentReport(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			points, err := s.svc.DivergenceThreshold(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					DivergencePoints float64    `json:"divergence_points"`
					Items            []pairJSON `json:"items"`
				}
			}{}
			out.Body.DivergencePoints = points
			out.Body.Items = []pairJSON{}
			for _, p := range pairs {
				out.Body.Items = append(out.Body.Items, pairJSON{BuyerID: p.Buyer.ID, BuyerName: p.Buyer.Name, UserID: p.User.ID, UserName: p.User.Name, Tally: p.Tally})
			}
			return out, nil
		})

	huma.Register(api, op("set-alignment-settings", http.MethodPut, "/api/v1/orgs/{org}/alignment/settings", "Set the divergence threshold (admins)", tagAlignment, 0),
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				DivergencePoints float64 `json:"divergence_points" doc:"Points on a 1-5 scale (0.5-4); other ranges scale proportionally"`
			}
		}) (*struct {
			Body struct {
				DivergencePoints float64 `json:"divergence_points"`
			}
		}, error) {
			if err := s.svc.SetDivergenceThreshold(ctx, actorFrom(ctx), in.Org, in.Body.DivergencePoints); err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					DivergencePoints float64 `json:"divergence_points"`
				}
			}{}
			out.Body.DivergencePoints = in.Body.DivergencePoints
			return out, nil
		})
}
