package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/sso"
	"github.com/personapal/personapal/internal/web"
)

// oidcFlags are serve's single sign-on flags (PERSONAPAL_OIDC_* in the
// environment: keep the client secret there rather than on the command
// line, where other users of the machine can read it).
type oidcFlags struct {
	issuer, clientID, clientSecret, name, redirectURL string
}

func (f *oidcFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.issuer, "oidc-issuer", "", "single sign-on: the OpenID Connect provider's issuer URL (https; http only on loopback)")
	fl.StringVar(&f.clientID, "oidc-client-id", "", "single sign-on: this server's client ID at the provider")
	fl.StringVar(&f.clientSecret, "oidc-client-secret", "", "single sign-on: the client secret (better: PERSONAPAL_OIDC_CLIENT_SECRET); empty for a public client")
	fl.StringVar(&f.name, "oidc-name", sso.DefaultName, "single sign-on: the provider's name on the button \"Sign in with …\"")
	fl.StringVar(&f.redirectURL, "oidc-redirect-url", "",
		"single sign-on: the callback address registered at the provider (default: this server's address + "+web.CallbackPath+")")
}

// configure checks the flags and, when single sign-on is configured, adds
// it to the service (g's app options) and the web app (opts). The
// provider is asked for its discovery document now; when it does not
// answer, serve starts anyway and asks again at the first sign-in.
func (f *oidcFlags) configure(ctx context.Context, g *globals, opts *server.Options, log *slog.Logger) error {
	if f.issuer == "" && f.clientID == "" && f.clientSecret == "" && f.redirectURL == "" {
		return nil
	}
	if f.issuer == "" || f.clientID == "" {
		return usageError{"single sign-on needs both --oidc-issuer and --oidc-client-id"}
	}
	if f.redirectURL != "" {
		u, err := url.Parse(f.redirectURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.HasSuffix(u.Path, web.CallbackPath) {
			return usageError{"--oidc-redirect-url must be this server's address followed by " + web.CallbackPath +
				" (such as https://personas.example.com" + web.CallbackPath + ")"}
		}
	}
	p, err := sso.New(sso.Config{Issuer: f.issuer, ClientID: f.clientID, ClientSecret: f.clientSecret, Name: f.name})
	if err != nil {
		return usageError{"--oidc-issuer/--oidc-client-id/--oidc-name: " + err.Error()}
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.Discover(dctx); err != nil {
		log.Warn("single sign-on: the provider did not answer; it is asked again at the next sign-in", "issuer", f.issuer, "err", err)
	} else {
		log.Info("single sign-on", "issuer", f.issuer, "name", p.Name())
	}
	g.appOptions = append(g.appOptions, app.WithSSO(p.Issuer(), p.Name()))
	opts.Web = append(opts.Web, web.WithSSO(p, f.redirectURL))
	return nil
}

// orgSSOCmd shows and changes an organisation's single sign-on settings
// from the command line: the way back in when an organisation requires
// single sign-on and its provider is gone (--require=false).
func orgSSOCmd(g *globals) *cobra.Command {
	var org, addDomain, removeDomain, role string
	var require bool
	cmd := &cobra.Command{
		Use:   "sso",
		Short: "Show or change an organisation's single sign-on settings (--require=false lets members use passwords again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			if addDomain != "" && removeDomain != "" {
				return usageError{"give --add-domain or --remove-domain, not both"}
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := cmd.Context()
			if cmd.Flags().Changed("require") {
				if _, err := svc.SetSSORequired(ctx, app.System, org, require); err != nil {
					return err
				}
			}
			if addDomain != "" {
				if _, err := svc.AddSSODomain(ctx, app.System, org, addDomain, persona.Role(role)); err != nil {
					return err
				}
			}
			if removeDomain != "" {
				if err := svc.RemoveSSODomain(ctx, app.System, org, removeDomain); err != nil {
					return err
				}
			}
			s, err := svc.GetOrgSSO(ctx, app.System, org)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "org: %s\nrequire_sso: %t\n", org, s.Required())
			for _, d := range s.Domains {
				fmt.Fprintf(g.stdout, "domain: %s %s\n", d.Domain, d.Role)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	cmd.Flags().BoolVar(&require, "require", false, "require single sign-on of members (true needs a server with it configured: set it in the app)")
	cmd.Flags().StringVar(&addDomain, "add-domain", "", "map an e-mail domain to automatic membership at single sign-on")
	cmd.Flags().StringVar(&role, "role", "viewer", "the role --add-domain gives: viewer or editor")
	cmd.Flags().StringVar(&removeDomain, "remove-domain", "", "remove a domain mapping")
	return cmd
}
