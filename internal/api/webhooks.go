package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// Webhook endpoints, their deliveries and attempts (admins only; see
// docs/webhooks.md). Payload schemas: /api/schemas/webhook-<type>.json.

var tagWebhooks = []string{"Webhooks"}

type webhookBody struct {
	URL         string   `json:"url" maxLength:"2000" doc:"https URL that receives the events"`
	EventTypes  []string `json:"event_types" maxItems:"100" doc:"Event types to send (at least one), e.g. persona.updated"`
	Enabled     *bool    `json:"enabled,omitempty" doc:"Whether events are sent (default true)"`
	Description string   `json:"description,omitempty" maxLength:"500"`
}

func (b webhookBody) input() app.WebhookInput {
	return app.WebhookInput{URL: b.URL, EventTypes: b.EventTypes, Enabled: b.Enabled == nil || *b.Enabled, Description: b.Description}
}

type webhookOutput struct{ Body persona.WebhookEndpoint }

// webhookCreated carries the signing secret, shown this once.
type webhookCreated struct {
	Body struct {
		persona.WebhookEndpoint
		Secret string `json:"secret" doc:"Signing secret (whsec_…): shown only now"`
	}
}

type webhookListOutput struct {
	Body struct {
		Items      []persona.WebhookEndpoint `json:"items"`
		EventTypes []string                  `json:"event_types" doc:"Every event type an endpoint may subscribe to"`
	}
}

type webhookDeliveriesOutput struct {
	Body struct {
		Items []app.WebhookDeliveryView `json:"items"`
	}
}

type webhookAttemptsOutput struct {
	Body struct {
		Items []persona.WebhookAttempt `json:"items"`
	}
}

type webhookQueued struct {
	Body struct {
		DeliveryID string `json:"delivery_id" doc:"The delivery's ID, sent as webhook-id"`
	}
}

type webhookSecretOutput struct {
	Body struct {
		Secret string `json:"secret" doc:"The new signing secret: shown only now"`
	}
}

// WebhookPath names an endpoint.
type WebhookPath struct {
	OrgPath
	ID string `path:"id" maxLength:"64" doc:"Endpoint ID"`
}

// WebhookDeliveryPath names one delivery of an endpoint.
type WebhookDeliveryPath struct {
	WebhookPath
	Delivery string `path:"delivery" maxLength:"80" doc:"Delivery ID (webhook-id)"`
}

func (s *Server) registerWebhooks(api huma.API) {
	const base = "/api/v1/orgs/{org}/webhooks"
	huma.Register(api, op("list-webhooks", http.MethodGet, base, "List webhook endpoints (admins)", tagWebhooks, 0),
		func(ctx context.Context, in *OrgPath) (*webhookListOutput, error) {
			eps, err := s.svc.ListWebhooks(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookListOutput{}
			out.Body.Items, out.Body.EventTypes = nonNil(eps), app.WebhookEventTypes()
			return out, nil
		})
	huma.Register(api, op("create-webhook", http.MethodPost, base, "Register a webhook endpoint (admins); the response holds its secret, shown once", tagWebhooks, http.StatusCreated),
		func(ctx context.Context, in *struct {
			OrgPath
			Body webhookBody
		}) (*webhookCreated, error) {
			ep, err := s.svc.CreateWebhook(ctx, actorFrom(ctx), in.Org, in.Body.input())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookCreated{}
			out.Body.Secret = ep.Secret
			ep.Secret = ""
			out.Body.WebhookEndpoint = ep
			return out, nil
		})
	huma.Register(api, op("get-webhook", http.MethodGet, base+"/{id}", "Get a webhook endpoint (admins)", tagWebhooks, 0),
		func(ctx context.Context, in *WebhookPath) (*webhookOutput, error) {
			ep, err := s.svc.Webhook(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &webhookOutput{Body: ep}, nil
		})
	huma.Register(api, op("update-webhook", http.MethodPut, base+"/{id}", "Replace a webhook endpoint's settings (admins)", tagWebhooks, 0),
		func(ctx context.Context, in *struct {
			WebhookPath
			Body webhookBody
		}) (*webhookOutput, error) {
			ep, err := s.svc.UpdateWebhook(ctx, actorFrom(ctx), in.Org, in.ID, in.Body.input())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &webhookOutput{Body: ep}, nil
		})
	huma.Register(api, op("delete-webhook", http.MethodDelete, base+"/{id}", "Delete a webhook endpoint and its delivery log (admins)", tagWebhooks, http.StatusNoContent),
		func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
			if err := s.svc.DeleteWebhook(ctx, actorFrom(ctx), in.Org, in.ID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
	huma.Register(api, op("rotate-webhook-secret", http.MethodPost, base+"/{id}/secret", "Give an endpoint a new signing secret, shown once (admins)", tagWebhooks, 0),
		func(ctx context.Context, in *WebhookPath) (*webhookSecretOutput, error) {
			secret, err := s.svc.RotateWebhookSecret(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookSecretOutput{}
			out.Body.Secret = secret
			return out, nil
		})
	huma.Register(api, op("test-webhook", http.MethodPost, base+"/{id}/test", "Send a webhook.test event to an endpoint (admins)", tagWebhooks, http.StatusAccepted),
		func(ctx context.Context, in *WebhookPath) (*webhookQueued, error) {
			id, err := s.svc.TestWebhook(ctx, actorFrom(ctx), in.Org, in.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookQueued{}
			out.Body.DeliveryID = id
			return out, nil
		})
	huma.Register(api, op("list-webhook-deliveries", http.MethodGet, base+"/{id}/deliveries", "An endpoint's newest deliveries with their attempts (admins)", tagWebhooks, 0),
		func(ctx context.Context, in *struct {
			WebhookPath
			Limit int `query:"limit" minimum:"0" maximum:"100" doc:"At most this many (default 50)"`
		}) (*webhookDeliveriesOutput, error) {
			ds, err := s.svc.ListWebhookDeliveries(ctx, actorFrom(ctx), in.Org, in.ID, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookDeliveriesOutput{}
			out.Body.Items = nonNil(ds)
			return out, nil
		})
	huma.Register(api, op("list-webhook-attempts", http.MethodGet, base+"/{id}/deliveries/{delivery}/attempts", "A delivery's attempts, first first (admins)", tagWebhooks, 0),
		func(ctx context.Context, in *WebhookDeliveryPath) (*webhookAttemptsOutput, error) {
			as, err := s.svc.WebhookAttempts(ctx, actorFrom(ctx), in.Org, in.ID, in.Delivery)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookAttemptsOutput{}
			out.Body.Items = nonNil(as)
			return out, nil
		})
	huma.Register(api, op("redeliver-webhook", http.MethodPost, base+"/{id}/deliveries/{delivery}/redeliver", "Send a delivery again, same webhook-id (admins)", tagWebhooks, http.StatusAccepted),
		func(ctx context.Context, in *WebhookDeliveryPath) (*webhookQueued, error) {
			if err := s.svc.RedeliverWebhook(ctx, actorFrom(ctx), in.Org, in.ID, in.Delivery); err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookQueued{}
			out.Body.DeliveryID = in.Delivery
			return out, nil
		})
}
