// Command personapal is Persona Pal's single binary: the server and its
// administrative tasks.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/personapal/personapal/internal/api"
	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/fault"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes come from the error table (internal/fault): 0 success, 1
// internal failure, 2 bad usage or input, 3 not found, 4 conflict, 5 the
// database is unavailable or full.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return execute(ctx, root, stderr)
}

// execute runs the command tree and reports its error on stderr, returning
// the exit code. Usage errors are told apart by where cobra stopped, not by
// their wording: an error from parsing flags (cobra's flag error function)
// or from anything before a command's own RunE started (finding the
// command, checking its arguments and required flags) is a usage error.
func execute(ctx context.Context, root *cobra.Command, stderr io.Writer) int {
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	started := false
	var mark func(c *cobra.Command)
	mark = func(c *cobra.Command) {
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				started = true
				return run(cmd, args)
			}
		}
		for _, sub := range c.Commands() {
			mark(sub)
		}
	}
	mark(root)
	err := root.ExecuteContext(ctx)
	if err != nil && !started {
		var usage usageError
		if !errors.As(err, &usage) {
			err = usageError{err.Error()}
		}
	}
	return report(err, stderr)
}

// report writes err to stderr and returns its exit code. Internal errors
// show only the table's message; their detail goes to a log record.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return fault.ExitOK
	}
	var usage usageError
	if errors.As(err, &usage) {
		fmt.Fprintln(stderr, "error:", usage.msg)
		return fault.ExitUsage
	}
	err = fileError(err)
	k, _ := fault.Of(err)
	if k.Internal() {
		slog.New(slog.NewTextHandler(stderr, nil)).Error("command failed", "err", err)
		fmt.Fprintln(stderr, "error:", k.Message)
		return k.Exit
	}
	fmt.Fprintln(stderr, "error:", describe(err))
	return k.Exit
}

// fileError classifies failures to read or write a file named on the
// command line by their type: a missing file is not found, any other file
// error is bad input. Their text (the path and the reason) is the user's
// own and safe to show.
func fileError(err error) error {
	var pe *fs.PathError
	if _, ok := persona.AsError(err); ok || !errors.As(err, &pe) {
		return err
	}
	code := persona.CodeInvalid
	if errors.Is(err, fs.ErrNotExist) {
		code = persona.CodeNotFound
	}
	return &persona.Error{Code: code, Message: err.Error(), Err: err}
}

func describe(err error) string {
	if e, ok := persona.AsError(err); ok {
		return e.Error()
	}
	return err.Error()
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// globals are the options every command shares.
type globals struct {
	db       string
	logLevel string
	// maxUploadMB bounds evidence uploads (serve's --max-upload-mb).
	maxUploadMB int64
	stdout      io.Writer
	stderr      io.Writer
	// appOptions are more options of the service open makes (serve's
	// single sign-on and sign-up policy).
	appOptions []app.Option
}

func (g *globals) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
}

// open opens and migrates the database and returns the service over it.
func (g *globals) open(ctx context.Context) (*store.DB, *app.Service, error) {
	db, err := store.Open(ctx, g.db)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	db.SetLogger(g.logger())
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrate database: %w", err)
	}
	opts := append([]app.Option{app.WithLogger(g.logger()), app.WithMaxUpload(g.maxUploadMB << 20)}, g.appOptions...)
	return db, app.New(db, opts...), nil
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "personapal",
		Short: "Persona Pal: UX, buyer, archetype and AI-agent personas in one versioned schema",
		Long: "Persona Pal keeps UX personas, marketing/sales personas, customer-organisation archetypes and\n" +
			"AI-agent profiles in one versioned template schema.\n\n" +
			"Every flag can also be set with an environment variable: PERSONAPAL_ and the flag name in\n" +
			"upper case with - as _ (for example PERSONAPAL_DB, PERSONAPAL_ADDR).",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       api.Version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd)
		},
	}
	root.PersistentFlags().StringVar(&g.db, "db", "personapal.db", "database: a SQLite file path, or a postgres:// URL")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(serveCmd(g), migrateCmd(g), demoCmd(g), userCmd(g), orgCmd(g), memberCmd(g), tokenCmd(g),
		exportCmd(g), importCmd(g), backupCmd(g), restoreCmd(g), benchCmd(g), copyCmd(g), outboxCmd(g))
	root.AddCommand(personasCmd(g))
	root.AddCommand(reviewsCmd(g))
	root.AddCommand(mcpCmd(g)) // mcp.go
	return root
}

// bindEnv fills every flag the user did not set from PERSONAPAL_<NAME>.
func bindEnv(cmd *cobra.Command) error {
	var err error
	visit := func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" {
			return
		}
		env := "PERSONAPAL_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = usageError{fmt.Sprintf("%s: %v", env, e)}
			}
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	return err
}

func migrateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, _, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			fmt.Fprintf(g.stdout, "database is up to date (%s)\n", db.Dialect())
			return nil
		},
	}
}

func required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return usageError{"--" + name + " is required"}
	}
	return nil
}
