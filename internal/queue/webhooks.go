package queue

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/webhook"
)

// webhookWorker makes one attempt at a webhook delivery per job run. Its
// retry schedule is its own (app.WebhookRetryDelays: 5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 6 h 25 min — the last attempt about 24 h after the
// first). A delivery waiting for an earlier one of the same persona and
// endpoint is snoozed, which river does not count as an attempt.
type webhookWorker struct {
	river.WorkerDefaults[app.DeliverWebhookJob]
	svc    *app.Service
	sender app.WebhookSender
	delays []time.Duration
}

func newWebhookWorker(svc *app.Service, cfg Config) *webhookWorker {
	w := &webhookWorker{svc: svc, sender: cfg.Webhooks, delays: cfg.WebhookRetryDelays}
	if w.sender == nil {
		w.sender = webhook.NewClient(cfg.WebhooksAllowPrivate)
	}
	if len(w.delays) == 0 {
		w.delays = app.WebhookRetryDelays
	}
	return w
}

// waitSnooze is how long a delivery waits for an earlier one.
const waitSnooze = time.Second

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[app.DeliverWebhookJob]) error {
	err := w.svc.DeliverWebhook(ctx, job.Args.OrgID, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts, w.sender)
	var perm app.PermanentError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, app.ErrWebhookWait):
		return river.JobSnooze(waitSnooze)
	case errors.As(err, &perm):
		return river.JobCancel(err)
	}
	return err
}

// NextRetry is the webhook back-off after attempt job.Attempt failed.
func (w *webhookWorker) NextRetry(job *river.Job[app.DeliverWebhookJob]) time.Time {
	i := max(job.Attempt-1, 0)
	if i >= len(w.delays) {
		i = len(w.delays) - 1
	}
	return time.Now().Add(w.delays[i])
}

// Timeout bounds one attempt: the request's own bound and a margin.
func (w *webhookWorker) Timeout(*river.Job[app.DeliverWebhookJob]) time.Duration {
	return webhook.Timeout + 20*time.Second
}
