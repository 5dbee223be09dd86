package queue

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// riverLog is the logger river gets: warnings and errors only (its info
// lines — client started, job counts — are chatter), and each message at
// most once a minute, with the number left out: a database that is down
// makes every poll fail, and one line a second would bury the log.
func riverLog(l *slog.Logger) *slog.Logger {
	return slog.New(&limited{h: l.Handler().WithAttrs([]slog.Attr{slog.String("component", "queue")}),
		st: &limitState{last: map[string]time.Time{}, quiet: map[string]int{}, now: time.Now}})
}

type limited struct {
	h  slog.Handler
	st *limitState
}

type limitState struct {
	mu    sync.Mutex
	last  map[string]time.Time
	quiet map[string]int
	now   func() time.Time
}

const logEvery = time.Minute

func (l *limited) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= slog.LevelWarn && l.h.Enabled(ctx, lv)
}

func (l *limited) Handle(ctx context.Context, r slog.Record) error {
	st := l.st
	st.mu.Lock()
	now := st.now()
	if last, ok := st.last[r.Message]; ok && now.Sub(last) < logEvery {
		st.quiet[r.Message]++
		st.mu.Unlock()
		return nil
	}
	if len(st.last) > 1000 { // bounded: forget old messages
		clear(st.last)
		clear(st.quiet)
	}
	st.last[r.Message] = now
	quiet := st.quiet[r.Message]
	st.quiet[r.Message] = 0
	st.mu.Unlock()
	if quiet > 0 {
		r.AddAttrs(slog.Int("more_in_the_last_minute", quiet))
	}
	return l.h.Handle(ctx, r)
}

func (l *limited) WithAttrs(as []slog.Attr) slog.Handler {
	return &limited{h: l.h.WithAttrs(as), st: l.st}
}

func (l *limited) WithGroup(g string) slog.Handler { return &limited{h: l.h.WithGroup(g), st: l.st} }
