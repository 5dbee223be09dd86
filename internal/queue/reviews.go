package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/personapal/personapal/internal/app"
)

// reviewDigestArgs runs the weekly review digest. It is scheduled every
// six hours (unique per period, so several instances insert it once); the
// digest itself goes out on the first run of each ISO week, because
// app.SendReviewDigests claims the week in the transaction that queues the
// messages — river's uniqueness lasts only as long as the job's row.
type reviewDigestArgs struct{}

func (reviewDigestArgs) Kind() string { return app.ReviewDigestKind }

func reviewDigestPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) {
			return reviewDigestArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}

type reviewDigestWorker struct {
	river.WorkerDefaults[reviewDigestArgs]
	svc *app.Service
	log *slog.Logger
}

func (w *reviewDigestWorker) Work(ctx context.Context, _ *river.Job[reviewDigestArgs]) error {
	n, err := w.svc.SendReviewDigests(ctx, time.Now())
	if err == nil && n > 0 {
		w.log.Info("queued the weekly review digests", "messages", n)
	}
	return err
}
