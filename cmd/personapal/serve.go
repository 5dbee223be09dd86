package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/demo"
	"github.com/personapal/personapal/internal/seed"
	"github.com/personapal/personapal/internal/server"
)

func serveCmd(g *globals) *cobra.Command {
	var addr string
	var withDemo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (migrates the database first)",
		Long: "Run the Persona Pal server. The database is migrated on start.\n\n" +
			"With --demo, an empty database is first filled with a demo organisation, and the\n" +
			"credentials are printed once: org, email, password and an API token.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := g.logger()
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
			handler, err := server.New(svc, db, log)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			srv := &http.Server{
				Handler:           handler,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
				ErrorLog:          nil,
			}
			fmt.Fprintf(g.stdout, "url: http://%s/\n", ln.Addr())
			log.Info("serving", "addr", ln.Addr().String(), "db", db.Dialect())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			go sweepSessions(ctx, svc, log)
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
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "fill an empty database with demo data and print its credentials")
	cmd.Flags().Int64Var(&g.maxUploadMB, "max-upload-mb", 20, "largest evidence file accepted, in MB")
	return cmd
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

// sweepSessions deletes expired browser sessions hourly. Every instance may
// run it; the delete is idempotent.
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
		}
	}
}
