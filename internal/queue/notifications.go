package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/personapal/personapal/internal/app"
)

// notificationDailyArgs runs the daily notification work every hour:
// review-due notices (each told once per persona and due date), then the
// daily digest, which app.SendNotificationDigests sends once per day by
// claiming the day in the transaction that queues the messages. Hourly
// runs mean a restart or a missed run delays neither by more than an
// hour.
type notificationDailyArgs struct{}

func (notificationDailyArgs) Kind() string { return app.NotificationDigestKind }

func notificationDailyPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) {
			return notificationDailyArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Minute}}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}

type notificationDailyWorker struct {
	river.WorkerDefaults[notificationDailyArgs]
	svc *app.Service
	log *slog.Logger
}

func (w *notificationDailyWorker) Work(ctx context.Context, _ *river.Job[notificationDailyArgs]) error {
	now := time.Now()
	due, err := w.svc.NotifyReviewsDue(ctx, now)
	if err != nil {
		return err
	}
	n, err := w.svc.SendNotificationDigests(ctx, now)
	if err == nil && due+n > 0 {
		w.log.Info("notification round", "review_due_notices", due, "digests", n)
	}
	return err
}
