package main

import (
	"io"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/mcpserver"
)

// mcpCmd serves MCP over stdio for a desktop assistant that starts it
// (docs/mcp.md). It authenticates with an API token like the JSON API and
// /mcp, so the assistant can do what the token's user may do and no more:
// read with a read-only token, propose changes with a read-write one.
func mcpCmd(g *globals) *cobra.Command {
	var org, token string
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve personas to an AI assistant over MCP (stdio)",
		Long: "Serve Persona Pal to an AI assistant over the Model Context Protocol on stdin and stdout, as the\n" +
			"user of an API token (--token or PERSONAPAL_TOKEN; a read-only token can read but not propose\n" +
			"changes). --org is the organisation tools use when they are not given one. The assistant starts\n" +
			"this command itself: see docs/mcp.md for its configuration. Logs go to stderr.",
		Example: "  PERSONAPAL_TOKEN=pp_… personapal mcp --db personapal.db --org acme",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				return usageError{"an API token is required: pass --token or set PERSONAPAL_TOKEN (personapal token create)"}
			}
			db, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			srv := mcpserver.New(svc, g.logger())
			actor, err := srv.AuthenticateToken(cmd.Context(), token, org)
			if err != nil {
				return err
			}
			t := &mcp.IOTransport{Reader: io.NopCloser(cmd.InOrStdin()), Writer: nopWriteCloser{g.stdout}}
			return srv.Serve(cmd.Context(), t, actor, org)
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "the organisation (slug) tools use when they are not given one")
	cmd.Flags().StringVar(&token, "token", "", "an API token (pp_…) of the user the assistant acts as")
	return cmd
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
