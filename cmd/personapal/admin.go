package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/seed"
)

func userCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage user accounts", Args: cobra.NoArgs}
	var email, name, password string
	var operator bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user (a password is generated and printed when --password is not given)",
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
			generated := password == ""
			if generated {
				password = seed.RandomPassword()
			}
			if name == "" {
				name = email
			}
			create := svc.CreateUser
			if operator {
				create = svc.CreateOperator
			}
			u, err := create(cmd.Context(), email, name, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "user: %s\nemail: %s\n", u.ID, u.Email)
			if operator {
				fmt.Fprintln(g.stdout, "operator: yes")
			}
			if generated {
				fmt.Fprintf(g.stdout, "password: %s\n", password)
			}
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "email address (required)")
	create.Flags().StringVar(&name, "name", "", "display name (default: the email)")
	create.Flags().StringVar(&password, "password", "", "password, at least 10 characters (default: generated)")
	create.Flags().BoolVar(&operator, "operator", false, "make the user an operator of this instance (the outbox page)")

	var setEmail, setPassword string
	var keepTokens bool
	setPw := &cobra.Command{
		Use:   "set-password",
		Short: "Reset a user's password: signs them out everywhere and revokes their API tokens unless --keep-tokens (a password is generated and printed when --password is not given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("email", setEmail); err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			generated := setPassword == ""
			if generated {
				setPassword = seed.RandomPassword()
			}
			revoked, err := svc.SetPassword(cmd.Context(), setEmail, setPassword, !keepTokens)
			if err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, "password changed; signed out everywhere")
			if !keepTokens {
				fmt.Fprintf(g.stdout, "API tokens revoked: %d\n", revoked)
			}
			if generated {
				fmt.Fprintf(g.stdout, "password: %s\n", setPassword)
			}
			return nil
		},
	}
	setPw.Flags().StringVar(&setEmail, "email", "", "email address (required)")
	setPw.Flags().StringVar(&setPassword, "password", "", "new password (default: generated)")
	setPw.Flags().BoolVar(&keepTokens, "keep-tokens", false, "keep the user's API tokens working (by default a reset revokes them)")
	cmd.AddCommand(create, setPw, setOperatorCmd(g))
	return cmd
}

func orgCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage organisations", Args: cobra.NoArgs}
	var name, slug, owner string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an organisation owned by an existing user (starter templates are copied in)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("name", name); err != nil {
				return err
			}
			if err := required("owner", owner); err != nil {
				return err
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			actor, err := actorByEmail(cmd, svc, owner)
			if err != nil {
				return err
			}
			org, err := svc.CreateOrg(cmd.Context(), actor, name, slug)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "org: %s\nname: %s\n", org.Slug, org.Name)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "organisation name (required)")
	create.Flags().StringVar(&slug, "slug", "", "URL slug (default: derived from the name)")
	create.Flags().StringVar(&owner, "owner", "", "email of the user who owns it (required)")
	cmd.AddCommand(create, orgSSOCmd(g)) // sso.go
	return cmd
}

func memberCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "member", Short: "Manage organisation members", Args: cobra.NoArgs}
	var org, email, role string
	add := &cobra.Command{
		Use:   "add",
		Short: "Add an existing user to an organisation with a role, without an invitation (operators only: in the app, admins invite and people join by accepting)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, v := range map[string]string{"org": org, "email": email, "role": role} {
				if err := required(flag, v); err != nil {
					return err
				}
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			m, err := svc.AddMember(cmd.Context(), app.System, org, email, persona.Role(role))
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "member: %s\nrole: %s\n", m.Email, m.Role)
			return nil
		},
	}
	add.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	add.Flags().StringVar(&email, "email", "", "the user's email (required)")
	add.Flags().StringVar(&role, "role", "viewer", "viewer, editor, admin or owner")
	cmd.AddCommand(add)
	return cmd
}

func tokenCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens", Args: cobra.NoArgs}
	var email, name, scope, expires string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for a user and print it (shown only once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("email", email); err != nil {
				return err
			}
			if scope != string(persona.ScopeRead) && scope != string(persona.ScopeWrite) {
				return usageError{"--scope must be read or write"}
			}
			lifetime, err := parseLifetime(expires)
			if err != nil {
				return usageError{"--expires: " + err.Error()}
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			actor, err := actorByEmail(cmd, svc, email)
			if err != nil {
				return err
			}
			secret, tok, err := svc.CreateScopedToken(cmd.Context(), actor, app.TokenOptions{Name: name, Scope: persona.TokenScope(scope), ExpiresIn: lifetime})
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "token: %s\nscope: %s\n", secret, tok.Scope)
			if tok.ExpiresAt != nil {
				fmt.Fprintf(g.stdout, "expires: %s\n", tok.ExpiresAt.UTC().Format(time.RFC3339))
			} else {
				fmt.Fprintln(g.stdout, "expires: never")
			}
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "the user's email (required)")
	create.Flags().StringVar(&name, "name", "CLI token", "a name to recognise the token by")
	create.Flags().StringVar(&scope, "scope", "write", "read (every write is refused with 403) or write")
	create.Flags().StringVar(&expires, "expires", "", "the token stops working after this long: 90d, 12h, 30m (default: never)")
	cmd.AddCommand(create)
	return cmd
}

// parseLifetime reads a token's lifetime: a number of days ("90d"), or a
// Go duration ("12h", "90m"); "" or "never" is none.
func parseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "never" {
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days such as 90d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a lifetime such as 90d or 12h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be longer than nothing", s)
	}
	if d > persona.MaxTokenLifetime {
		return 0, fmt.Errorf("%q is more than the ten years a token may last", s)
	}
	return d, nil
}

func actorByEmail(cmd *cobra.Command, svc *app.Service, email string) (app.Actor, error) {
	u, err := svc.UserByEmail(cmd.Context(), email)
	if err != nil {
		return app.Actor{}, err
	}
	return app.Actor{UserID: u.ID, Email: u.Email, Name: u.Name}, nil
}
