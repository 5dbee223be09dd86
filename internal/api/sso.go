package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
)

// An organisation's single sign-on settings (admins): e-mail domains whose
// people join automatically at their first single sign-on, and whether
// members must have signed in with single sign-on. A member of an
// organisation that requires it reaches its routes only with a token
// created in a single sign-on session; others get 403 with the problem
// type /problems/sso-required.

// SSODomainJSON is a domain mapping.
type SSODomainJSON struct {
	Domain    string `json:"domain" doc:"An e-mail domain, lower-case"`
	Role      string `json:"role" enum:"viewer,editor" doc:"The role its people get"`
	CreatedAt string `json:"created_at" format:"date-time"`
	CreatedBy string `json:"created_by,omitempty" doc:"The address of the admin who added it"`
}

func ssoDomainJSON(d persona.SSODomain) SSODomainJSON {
	return SSODomainJSON{Domain: d.Domain, Role: string(d.Role), CreatedAt: d.CreatedAt.Format(timeFormat), CreatedBy: d.CreatedBy}
}

// OrgSSOJSON is an organisation's single sign-on settings.
type OrgSSOJSON struct {
	Available     bool            `json:"available" doc:"This server has single sign-on configured"`
	Provider      string          `json:"provider" doc:"How the server calls its provider"`
	RequireSSO    bool            `json:"require_sso" doc:"Members must sign in with single sign-on"`
	RequiredSince *string         `json:"required_since,omitempty" format:"date-time"`
	Domains       []SSODomainJSON `json:"domains" doc:"E-mail domains giving automatic membership, oldest first"`
}

func orgSSOJSON(s app.OrgSSOSettings) OrgSSOJSON {
	out := OrgSSOJSON{Available: s.Available, Provider: s.Provider, RequireSSO: s.Required(), Domains: []SSODomainJSON{}}
	if s.RequiredAt != nil {
		t := s.RequiredAt.Format(timeFormat)
		out.RequiredSince = &t
	}
	for _, d := range s.Domains {
		out.Domains = append(out.Domains, ssoDomainJSON(d))
	}
	return out
}

type orgSSOOutput struct{ Body OrgSSOJSON }

type orgSSOInput struct {
	OrgPath
	Body struct {
		RequireSSO bool `json:"require_sso" doc:"Turning it on needs a token created in a single sign-on session, so that you keep access"`
	}
}

type ssoDomainInput struct {
	OrgPath
	Body struct {
		Domain string `json:"domain" maxLength:"253" doc:"The domain of your own address"`
		Role   string `json:"role" enum:"viewer,editor"`
	}
}

type ssoDomainOutput struct{ Body SSODomainJSON }

type ssoDomainPath struct {
	OrgPath
	Domain string `path:"domain" maxLength:"253"`
}

var tagSSO = []string{"Single sign-on"}

func (s *Server) registerSSO(api huma.API) {
	huma.Register(api, op("get-org-sso", http.MethodGet, "/api/v1/orgs/{org}/sso",
		"Single sign-on settings: domains giving automatic membership, and whether it is required (admins)", tagSSO, 0),
		func(ctx context.Context, in *OrgPath) (*orgSSOOutput, error) {
			st, err := s.svc.GetOrgSSO(ctx, actorFrom(ctx), in.Org)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgSSOOutput{Body: orgSSOJSON(st)}, nil
		})

	huma.Register(api, op("set-org-sso", http.MethodPut, "/api/v1/orgs/{org}/sso",
		"Require single sign-on of members, or stop (admins). Turning it on needs a server with single sign-on "+
			"and a token created in a single sign-on session.", tagSSO, 0),
		func(ctx context.Context, in *orgSSOInput) (*orgSSOOutput, error) {
			st, err := s.svc.SetSSORequired(ctx, actorFrom(ctx), in.Org, in.Body.RequireSSO)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgSSOOutput{Body: orgSSOJSON(st)}, nil
		})

	huma.Register(api, op("add-sso-domain", http.MethodPost, "/api/v1/orgs/{org}/sso/domains",
		"Map the e-mail domain of your own address to automatic membership with a role at single sign-on (admins)",
		tagSSO, http.StatusCreated),
		func(ctx context.Context, in *ssoDomainInput) (*ssoDomainOutput, error) {
			d, err := s.svc.AddSSODomain(ctx, actorFrom(ctx), in.Org, in.Body.Domain, persona.Role(in.Body.Role))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &ssoDomainOutput{Body: ssoDomainJSON(d)}, nil
		})

	huma.Register(api, op("remove-sso-domain", http.MethodDelete, "/api/v1/orgs/{org}/sso/domains/{domain}",
		"Remove a domain mapping (admins); the people it added stay members", tagSSO, http.StatusNoContent),
		func(ctx context.Context, in *ssoDomainPath) (*struct{}, error) {
			if err := s.svc.RemoveSSODomain(ctx, actorFrom(ctx), in.Org, in.Domain); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
}
