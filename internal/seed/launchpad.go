package seed

import (
	"context"

	"github.com/personapal/personapal/internal/app"
)

// demoLaunchpad adds the demo's product catalogue (and, optionally, a saved
// Launchpad). ids maps demo persona keys to their IDs. (Filled in by the
// Launchpad feature.)
func demoLaunchpad(ctx context.Context, svc *app.Service, actor app.Actor, org string, ids map[string]string) error {
	return nil
}
