package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/mail"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/queue"
	"github.com/personapal/personapal/internal/store"
)

// mailFlags are serve's e-mail and job-queue flags (PERSONAPAL_SMTP_URL
// and so on, like every flag).
type mailFlags struct {
	smtpURL, from, baseURL, caFile string
	// Queue tuning; hidden: the defaults suit production, tests shorten
	// them.
	workers int
	// webhooksAllowPrivate lets webhooks reach private addresses and
	// plain-http endpoints (PERSONAPAL_WEBHOOKS_ALLOW_PRIVATE).
	webhooksAllowPrivate                      bool
	startDelay, rescueAfter, jobTimeout, poll time.Duration
}

func (f *mailFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.smtpURL, "smtp-url", "", "SMTP server for e-mail: smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS), smtp://host:25?starttls=none (plain, no password); without it messages go to the log and the outbox page")
	fl.StringVar(&f.from, "mail-from", "", `sender of e-mail, e.g. "Persona Pal <pp@example.com>" (required with --smtp-url)`)
	f.registerBaseURL(cmd)
	fl.StringVar(&f.caFile, "smtp-ca-file", "", "PEM certificates to trust for the SMTP server instead of the system's (a private relay)")
	fl.BoolVar(&f.webhooksAllowPrivate, "webhooks-allow-private", false, "let webhooks reach loopback and private addresses and plain-http endpoints (tests, closed networks)")
	fl.IntVar(&f.workers, "queue-workers", 4, "background jobs run at once by this instance")
	fl.DurationVar(&f.startDelay, "queue-start-delay", 0, "wait this long before working background jobs")
	fl.DurationVar(&f.rescueAfter, "queue-rescue-after", 5*time.Minute, "retry a job still running after this long (its instance died)")
	fl.DurationVar(&f.jobTimeout, "queue-job-timeout", time.Minute, "time one attempt at a job may take")
	fl.DurationVar(&f.poll, "queue-poll", time.Second, "how often an idle instance looks for new jobs")
	for _, n := range []string{"queue-start-delay", "queue-rescue-after", "queue-job-timeout", "queue-poll"} {
		_ = fl.MarkHidden(n)
	}
}

func (f *mailFlags) registerBaseURL(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.baseURL, "base-url", "", "the address people reach this server at, e.g. https://personas.example.com: every link in e-mail starts with it (required with --smtp-url)")
}

// base checks --base-url; without one, it is made from the address the
// server listens on (fine on one machine, wrong behind a proxy).
func (f *mailFlags) base(listen string, tls bool) (*url.URL, error) {
	if f.baseURL != "" {
		u, err := mail.ParseBaseURL(f.baseURL)
		if err != nil {
			return nil, usageError{"--base-url: " + err.Error()}
		}
		return u, nil
	}
	if f.smtpURL != "" {
		return nil, usageError{"--base-url is required with --smtp-url: links in e-mail must reach this server, e.g. --base-url https://personas.example.com"}
	}
	if listen == "" {
		return mail.ParseBaseURL(app.DefaultBaseURL)
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return mail.ParseBaseURL(app.DefaultBaseURL)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	return mail.ParseBaseURL(scheme + "://" + net.JoinHostPort(host, port))
}

// sender checks the SMTP flags and returns the sender (nil: the log).
func (f *mailFlags) sender(log *slog.Logger) (app.MailSender, error) {
	if f.smtpURL == "" {
		if f.from != "" {
			log.Warn("--mail-from is set but --smtp-url is not: messages go to the log")
		}
		return nil, nil
	}
	cfg, err := mail.ParseSMTPURL(f.smtpURL)
	if err != nil {
		return nil, usageError{"--smtp-url: " + err.Error()}
	}
	if f.from == "" {
		return nil, usageError{`--mail-from is required with --smtp-url, e.g. --mail-from "Persona Pal <pp@example.com>"`}
	}
	cfg.From = f.from
	if f.caFile != "" {
		if cfg.RootCAs, err = mail.LoadRootCAs(f.caFile); err != nil {
			return nil, usageError{"--smtp-ca-file: " + err.Error()}
		}
	}
	s, err := mail.NewSMTP(cfg, log)
	if err != nil {
		return nil, usageError{"--mail-from: " + err.Error()}
	}
	return s, nil
}

// startQueue starts this instance's job queue.
func (f *mailFlags) startQueue(ctx context.Context, db *store.DB, svc *app.Service, sender app.MailSender, log *slog.Logger) (*queue.Queue, error) {
	q, err := queue.New(db, svc, queue.Config{Sender: sender, Workers: f.workers, StartDelay: f.startDelay,
		RescueAfter: f.rescueAfter, JobTimeout: f.jobTimeout, PollInterval: f.poll, Log: log,
		WebhooksAllowPrivate: f.webhooksAllowPrivate})
	if err != nil {
		return nil, usageError{err.Error()}
	}
	if err := q.Start(ctx); err != nil {
		return nil, fmt.Errorf("start the job queue: %w", err)
	}
	return q, nil
}

func outboxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "outbox", Short: "Look at the mail outbox and test e-mail (operators)", Args: cobra.NoArgs}
	var status string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List outbox messages, newest first: status, attempts, recipient, subject, last error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			out, err := svc.ListOutbox(cmd.Context(), app.System, persona.OutboxFilter{Status: persona.MessageStatus(status), Limit: limit})
			if err != nil {
				return err
			}
			var counts []string
			for _, st := range persona.MessageStatuses {
				counts = append(counts, fmt.Sprintf("%s %d", st, out.Counts[st]))
			}
			fmt.Fprintln(g.stdout, strings.Join(counts, " · "))
			w := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tQUEUED\tSTATUS\tATTEMPTS\tTO\tSUBJECT\tLAST ERROR")
			for _, m := range out.Messages {
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.CreatedAt.Format("2006-01-02 15:04:05"), m.Status, m.Attempts, m.To, m.Subject, oneLine(m.LastError, 120))
			}
			return w.Flush()
		},
	}
	list.Flags().StringVar(&status, "status", "", "only messages with this status: queued, retrying, sent, logged, failed")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many (1–500)")

	var id string
	show := &cobra.Command{
		Use:   "show",
		Short: "Print one outbox message with its text (the links in it, while it has not been sent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("id", id); err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			m, err := svc.OutboxMessage(cmd.Context(), app.System, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "id: %s\nstatus: %s\nattempts: %d\nto: %s\nsubject: %s\nmessage-id: %s\n", m.ID, m.Status, m.Attempts, m.To, m.Subject, m.MessageID)
			if m.LastError != "" {
				fmt.Fprintf(g.stdout, "last error: %s\n", m.LastError)
			}
			if m.Text == "" {
				fmt.Fprintln(g.stdout, "\n(the text was removed once the SMTP server accepted the message)")
				return nil
			}
			fmt.Fprintf(g.stdout, "\n%s", m.Text)
			return nil
		},
	}
	show.Flags().StringVar(&id, "id", "", "the message's ID (from outbox list; required)")

	var to string
	mf := &mailFlags{}
	test := &cobra.Command{
		Use:   "test",
		Short: "Queue a test message to an address; a running server sends it (or logs it without SMTP)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("to", to); err != nil {
				return err
			}
			base, err := mf.base("", false)
			if err != nil {
				return err
			}
			g.appOptions = append(g.appOptions, app.WithBaseURL(base))
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			id, err := svc.QueueTestMessage(cmd.Context(), app.System, to)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "queued: %s\nto: %s\n", id, strings.ToLower(strings.TrimSpace(to)))
			return nil
		},
	}
	test.Flags().StringVar(&to, "to", "", "the address to send the test message to (required)")
	mf.registerBaseURL(test)
	cmd.AddCommand(list, show, test)
	return cmd
}

func setOperatorCmd(g *globals) *cobra.Command {
	var email string
	var off bool
	cmd := &cobra.Command{
		Use:   "set-operator",
		Short: "Make a user an operator of this instance (the outbox page), or no longer with --off",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("email", email); err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := svc.SetOperator(cmd.Context(), app.System, email, !off)
			if err != nil {
				return err
			}
			if off {
				fmt.Fprintf(g.stdout, "%s is no longer an operator\n", u.Email)
			} else {
				fmt.Fprintf(g.stdout, "%s is an operator\n", u.Email)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "email address (required)")
	cmd.Flags().BoolVar(&off, "off", false, "withdraw the operator flag")
	return cmd
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
