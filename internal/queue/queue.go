// Package queue runs Persona Pal's background jobs: riverqueue/river on
// the application's own database (SQLite through riversqlite, PostgreSQL
// through riverdatabasesql), so jobs are as durable as the data and shared
// by every instance. Jobs are inserted by the store inside the
// transaction of the change that causes them (app.Job, Store.Enqueue);
// this package owns the river client that works them: workers registered
// by kind, retries with back-off, rescue of jobs whose instance died, and
// a graceful stop.
//
// Workers: send_message (one outbox message, app.DeliverMessage),
// deliver_webhook (one webhook delivery, app.DeliverWebhook), prune
// (daily: expired links, old outbox messages) and review_digest (weekly
// review digests; reviews.go).
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"
)

// Config configures the queue. Zero values take the defaults.
type Config struct {
	// Sender delivers mail; nil: the log (app.LogSender), and the messages
	// stay readable on the outbox page.
	Sender app.MailSender
	// Workers is how many jobs run at once (default 4).
	Workers int
	// PollInterval is how often idle instances look for new jobs (default
	// 1 s; river's database/sql and SQLite drivers have no LISTEN).
	PollInterval time.Duration
	// JobTimeout bounds one attempt (default 1 min).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken
	// for one whose instance died and is tried again (default 5 min;
	// must exceed JobTimeout).
	RescueAfter time.Duration
	// RetryPolicy decides when a failed job runs again (default river's:
	// attempt⁴ seconds plus up to 10 % jitter).
	RetryPolicy river.ClientRetryPolicy
	// StartDelay postpones working (tests kill the server in between).
	StartDelay time.Duration
	// KeepMessages is how long delivered and failed outbox messages are
	// kept (default 30 days).
	KeepMessages time.Duration
	// Webhooks sends webhook deliveries (default: webhook.NewClient with
	// WebhooksAllowPrivate).
	Webhooks             app.WebhookSender
	WebhooksAllowPrivate bool
	// WebhookRetryDelays replaces app.WebhookRetryDelays (tests).
	WebhookRetryDelays []time.Duration
	// ID names this instance's river client (default river's).
	ID  string
	Log *slog.Logger
}

// Queue is the running job queue of one instance.
type Queue struct {
	client *river.Client[*sql.Tx]
	cfg    Config
	log    *slog.Logger
	start  chan struct{}
}

// New makes the queue's river client over db (migrated) with its
// workers; Start starts it.
func New(db *store.DB, svc *app.Service, cfg Config) (*Queue, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = time.Minute
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 5 * time.Minute
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, fmt.Errorf("queue: the rescue time (%s) must exceed the job timeout (%s)", cfg.RescueAfter, cfg.JobTimeout)
	}
	if cfg.KeepMessages <= 0 {
		cfg.KeepMessages = 30 * 24 * time.Hour
	}
	logged := cfg.Sender == nil
	sender := cfg.Sender
	if logged {
		sender = app.LogSender{Log: cfg.Log}
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &mailWorker{svc: svc, sender: sender, logged: logged}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &pruneWorker{svc: svc, keep: cfg.KeepMessages, log: cfg.Log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &notificationDailyWorker{svc: svc, log: cfg.Log}); err != nil { // notifications.go
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &reviewDigestWorker{svc: svc, log: cfg.Log}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, newWebhookWorker(svc, cfg)); err != nil { // webhooks.go
		return nil, err
	}
	rc := &river.Config{
		ID:                   cfg.ID,
		Logger:               riverLog(cfg.Log),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		FetchPollInterval:    cfg.PollInterval,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		RetryPolicy:          cfg.RetryPolicy,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) {
				return pruneArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
			}, &river.PeriodicJobOpts{RunOnStart: true}), reviewDigestPeriodic(), notificationDailyPeriodic()},
	}
	client, err := river.NewClient(db.JobDriver(), rc)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return &Queue{client: client, cfg: cfg, log: cfg.Log, start: make(chan struct{})}, nil
}

// Start starts working jobs (after Config.StartDelay). Running jobs are
// not cancelled when ctx is (river would): call Stop, which lets them
// finish.
func (q *Queue) Start(ctx context.Context) error {
	run := context.WithoutCancel(ctx)
	if q.cfg.StartDelay <= 0 {
		defer close(q.start)
		return q.client.Start(run)
	}
	q.log.Info("queue starts after a delay", "delay", q.cfg.StartDelay)
	go func() {
		defer close(q.start)
		select {
		case <-time.After(q.cfg.StartDelay):
		case <-ctx.Done():
			return
		}
		if err := q.client.Start(run); err != nil {
			q.log.Error("queue did not start", "err", err)
		}
	}()
	return nil
}

// Stop stops fetching jobs and waits for the running ones until ctx is
// done; then it cancels them (they are tried again later, by this or
// another instance).
func (q *Queue) Stop(ctx context.Context) error {
	select {
	case <-q.start:
	default:
		// Not started yet (a delayed start): nothing runs.
		return nil
	}
	err := q.client.Stop(ctx)
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return q.client.StopAndCancel(cctx)
	}
	return err
}

// mailWorker sends one outbox message per job.
type mailWorker struct {
	river.WorkerDefaults[app.SendMessageJob]
	svc    *app.Service
	sender app.MailSender
	logged bool
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[app.SendMessageJob]) error {
	err := w.svc.DeliverMessage(ctx, job.Args.MessageID, app.Attempt{Number: job.Attempt, Max: job.MaxAttempts}, w.sender, w.logged)
	var perm app.PermanentError
	switch {
	case err == nil:
		return nil
	case persona.ErrorCode(err) == persona.CodeNotFound:
		// The message is gone (deleted with its organisation).
		return river.JobCancel(err)
	case errors.As(err, &perm):
		return river.JobCancel(err)
	}
	return err
}

// pruneArgs is the daily clean-up.
type pruneArgs struct{}

func (pruneArgs) Kind() string { return "prune" }

type pruneWorker struct {
	river.WorkerDefaults[pruneArgs]
	svc  *app.Service
	keep time.Duration
	log  *slog.Logger
}

func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[pruneArgs]) error {
	links, msgs, err := w.svc.PruneLinksAndOutbox(ctx, w.keep)
	if err == nil && links+msgs > 0 {
		w.log.Info("pruned expired links and old outbox messages", "links", links, "messages", msgs)
	}
	return err
}

// FixedRetry retries after a fixed delay (tests).
type FixedRetry time.Duration

// NextRetry implements river.ClientRetryPolicy.
func (d FixedRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Duration(d)) }
