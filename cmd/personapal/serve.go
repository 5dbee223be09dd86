package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/mail"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
	"github.com/personapal/personapal/internal/web"
)

func serveCmd(g *globals) *cobra.Command {
	var addr string
	var withDemo bool
	var tlsCert, tlsKey string
	var trusted []string
	var signupMode string
	var signupDomains []string
	rl := defaultRateFlags()
	oidcFlags := &oidcFlags{}
	mf := &mailFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (migrates the database first)",
		Long: "Run the Persona Pal server. The database is migrated on start.\n\n" +
			"With --demo, an empty database is first filled with a demo organisation, and the\n" +
			"credentials are printed once: org, email, password and an API token. Without it, a\n" +
			"database with no account prints a one-time setup code: the first visit to the web app\n" +
			"asks for it to create the first owner and organisation.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := g.logger()
			opts, err := serverOptions(rl, trusted)
			if err != nil {
				return err
			}
			tlsConfig, err := loadTLS(tlsCert, tlsKey)
			if err != nil {
				return err
			}
			policy, err := persona.ParseSignupPolicy(signupMode, signupDomains)
			if err != nil {
				return usageError{"--signup/--signup-domains: " + err.Error()}
			}
			g.appOptions = append(g.appOptions, app.WithSignupPolicy(policy))
			sender, err := mf.sender(log)
			if err != nil {
				return err
			}
			// Listen first: without --base-url, links use the address
			// really listened on (a port chosen by the system included).
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			defer ln.Close()
			base, err := mf.base(ln.Addr().String(), tlsConfig != nil)
			if err != nil {
				return err
			}
			g.appOptions = append(g.appOptions, app.WithBaseURL(base), app.WithWebhooksAllowPrivate(mf.webhooksAllowPrivate))
			if oidcFlags.issuer != "" && oidcFlags.redirectURL == "" && mf.baseURL != "" {
				// The provider sends people back to this server's public
				// address, as e-mailed links do.
				oidcFlags.redirectURL = strings.TrimSuffix(base.String(), "/") + web.CallbackPath
			}
			if err := oidcFlags.configure(ctx, g, &opts, log); err != nil { // sso.go
				return err
			}
			db, svc, err := g.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if withDemo {
				n, err := db.CountOrgs(ctx)
				if err != nil {
					return err
				}
				if n == 0 {
					creds, err := seed.Demo(ctx, svc, demo.Data())
					if err != nil {
						return fmt.Errorf("demo data: %w", err)
					}
					fmt.Fprintf(g.stdout, "Demo data created. Sign in with:\norg: %s\nemail: %s\npassword: %s\ntoken: %s\n",
						creds.OrgSlug, creds.Email, creds.Password, creds.Token)
				} else {
					fmt.Fprintln(g.stdout, "The database already holds data; no demo data added (credentials were printed at first start).")
				}
			}
			// A database without any account is set up from the browser
			// with a one-time code printed here, and only here.
			code, err := svc.IssueSetupCode(ctx)
			if err != nil {
				return fmt.Errorf("first-run setup code: %w", err)
			}
			if code != "" {
				fmt.Fprintf(g.stdout, "No account exists yet. Open the url below and set Persona Pal up with this one-time code (a restart prints a new one)\nsetup code: %s\n", code)
			}
			handler, err := server.NewWithOptions(svc, db, log, opts, benchRoutes(svc, log)...) // benchhooks.go
			if err != nil {
				return err
			}
			stopProfile, err := benchProfile(log)
			if err != nil {
				return err
			}
			defer stopProfile()
			srv := &http.Server{
				Handler:           handler,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
				ErrorLog:          nil,
				TLSConfig:         tlsConfig,
			}
			// Open event streams end at shutdown instead of holding it up.
			srv.RegisterOnShutdown(handler.StopStreams)
			scheme := "http"
			if tlsConfig != nil {
				scheme = "https"
			}
			fmt.Fprintf(g.stdout, "url: %s://%s/\n", scheme, ln.Addr())
			log.Info("serving", "addr", ln.Addr().String(), "db", db.Dialect(), "tls", tlsConfig != nil,
				"rate_limits", opts.Limits != (server.Limits{}), "trusted_proxies", len(opts.TrustedProxies))
			errc := make(chan error, 1)
			go func() {
				if tlsConfig != nil {
					errc <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
					return
				}
				errc <- srv.Serve(ln)
			}()
			go sweepSessions(ctx, svc, log)
			q, err := mf.startQueue(ctx, db, svc, sender, log)
			if err != nil {
				return err
			}
			if smtp, ok := sender.(interface{ Config() mail.SMTPConfig }); ok {
				log.Info("mail goes out through SMTP", "smtp", smtp.Config().Redacted(), "from", mf.from, "base_url", base.String())
			} else {
				log.Info("no SMTP server (--smtp-url): e-mail goes to the log and the outbox page", "base_url", base.String())
			}
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			log.Info("shutting down: draining requests")
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			// Views counted in memory but not yet written (usage.go).
			svc.FlushUsage(shutdownCtx)
			log.Info("shutting down: finishing background jobs")
			if err := q.Stop(shutdownCtx); err != nil {
				log.Warn("stopping the job queue", "err", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "fill an empty database with demo data and print its credentials")
	cmd.Flags().Int64Var(&g.maxUploadMB, "max-upload-mb", 20, "largest evidence file accepted, in MB")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	cmd.Flags().StringVar(&tlsKey, "tls-key", "", "the PEM private key for --tls-cert")
	cmd.Flags().StringSliceVar(&trusted, "trusted-proxy", nil,
		"a proxy (address or CIDR) whose X-Forwarded-For and X-Forwarded-Proto are believed; repeat or separate with commas")
	cmd.Flags().StringVar(&signupMode, "signup", string(persona.SignupInvite),
		"who may create an account on the Join page: closed (nobody), invite (addresses with a pending invitation) or open (anyone, or see --signup-domains)")
	cmd.Flags().StringSliceVar(&signupDomains, "signup-domains", nil,
		"with --signup open, only addresses at these domains (exact, comma-separated) may sign up; invited addresses always may")
	rl.register(cmd)
	oidcFlags.register(cmd)
	mf.register(cmd)
	return cmd
}

// rateFlags are serve's rate-limit flags. The defaults are far above what a
// person in a browser or a well-behaved script sends, and low enough that
// one client cannot monopolise an instance.
type rateFlags struct {
	on                             bool
	token, session, ip             float64
	tokenBurst, sessBurst, ipBurst int
}

func defaultRateFlags() *rateFlags {
	return &rateFlags{on: true, token: 20, tokenBurst: 200, session: 10, sessBurst: 100, ip: 50, ipBurst: 500}
}

func (f *rateFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.on, "rate-limits", f.on, "limit request rates (per API token, browser session and client address); false turns all limits off")
	fl.Float64Var(&f.token, "rate-token", f.token, "requests per second per API token (0: unlimited)")
	fl.IntVar(&f.tokenBurst, "rate-token-burst", f.tokenBurst, "requests an API token may send at once")
	fl.Float64Var(&f.session, "rate-session", f.session, "requests per second per browser session (0: unlimited)")
	fl.IntVar(&f.sessBurst, "rate-session-burst", f.sessBurst, "requests a browser session may send at once")
	fl.Float64Var(&f.ip, "rate-ip", f.ip, "requests per second per client address, IPv6 per /64 (0: unlimited)")
	fl.IntVar(&f.ipBurst, "rate-ip-burst", f.ipBurst, "requests a client address may send at once")
}

// serverOptions checks the rate and proxy flags and turns them into the
// server's options.
func serverOptions(f *rateFlags, trusted []string) (server.Options, error) {
	var opts server.Options
	for _, s := range trusted {
		p, err := server.ParseTrustedProxy(s)
		if err != nil {
			return opts, usageError{"--trusted-proxy: " + err.Error()}
		}
		opts.TrustedProxies = append(opts.TrustedProxies, p)
	}
	if !f.on {
		return opts, nil
	}
	for _, c := range []struct {
		name  string
		rate  float64
		burst int
	}{{"token", f.token, f.tokenBurst}, {"session", f.session, f.sessBurst}, {"ip", f.ip, f.ipBurst}} {
		if c.rate < 0 || math.IsNaN(c.rate) || math.IsInf(c.rate, 0) {
			return opts, usageError{fmt.Sprintf("--rate-%s must be a number of requests per second, 0 or more (0: unlimited)", c.name)}
		}
		if c.rate > 0 && c.burst < 1 {
			return opts, usageError{fmt.Sprintf("--rate-%s-burst must be at least 1", c.name)}
		}
	}
	opts.Limits = server.Limits{
		Token:   server.Rate{PerSecond: f.token, Burst: f.tokenBurst},
		Session: server.Rate{PerSecond: f.session, Burst: f.sessBurst},
		IP:      server.Rate{PerSecond: f.ip, Burst: f.ipBurst},
	}
	return opts, nil
}

// loadTLS reads the certificate and key for --tls-cert/--tls-key, before
// anything listens, so a wrong path fails at once. Neither gives nil (plain
// HTTP). A renewed certificate is picked up at the next start.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, usageError{"--tls-cert and --tls-key go together: give both (HTTPS) or neither (plain HTTP)"}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--tls-cert/--tls-key: %v", err)}
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

func demoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Fill an empty database with the demo organisation and print its credentials",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			creds, err := seed.Demo(cmd.Context(), svc, demo.Data())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "org: %s\nemail: %s\npassword: %s\ntoken: %s\n", creds.OrgSlug, creds.Email, creds.Password, creds.Token)
			return nil
		},
	}
}

// sweepSessions deletes expired browser sessions hourly, and purges the
// organisations deleted more than 30 days ago (app.PurgeDeletedOrgs). Every
// instance may run it; both are idempotent.
func sweepSessions(ctx context.Context, svc *app.Service, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := svc.DeleteExpiredSessions(ctx); err != nil {
				log.Warn("sweeping expired sessions", "err", err)
			} else if n > 0 {
				log.Debug("swept expired sessions", "count", n)
			}
			if _, err := svc.PurgeDeletedOrgs(ctx); err != nil {
				log.Warn("purging deleted organisations", "err", err)
			}
		}
	}
}
