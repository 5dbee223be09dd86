package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/app"
)

// reviewsCmd holds the operators' review commands: `reviews digest` runs
// the weekly review digest now, as the server's job does every six hours.
func reviewsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "reviews", Short: "Persona reviews (operators)", Args: cobra.NoArgs}
	var again bool
	mf := &mailFlags{}
	digest := &cobra.Command{
		Use:   "digest",
		Short: "Queue this week's review digests to owners now; a running server sends them",
		Long: "Queue the weekly review digest: to each owner with personas overdue for review or due within a week,\n" +
			"unless they turned it off. It goes out once per ISO week (the server's job and this command share the\n" +
			"claim); --again queues it even when this week's went out already.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			send := svc.SendReviewDigests
			if again {
				send = svc.ResendReviewDigests
			}
			n, err := send(cmd.Context(), time.Now())
			if err != nil {
				return err
			}
			y, w := time.Now().UTC().ISOWeek()
			if n == 0 && !again {
				fmt.Fprintf(g.stdout, "queued 0 digests (week %d-W%02d: already sent, or nothing due)\n", y, w)
				return nil
			}
			fmt.Fprintf(g.stdout, "queued %d digests (week %d-W%02d)\n", n, y, w)
			return nil
		},
	}
	digest.Flags().BoolVar(&again, "again", false, "queue the digests even if this week's were sent")
	mf.registerBaseURL(digest)
	cmd.AddCommand(digest)
	return cmd
}
