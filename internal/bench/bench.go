// Package bench is Persona Pal's load harness: it generates a synthetic
// dataset, runs the server as a child process (this binary's serve) on
// 127.0.0.1 and drives concurrent HTTP load per scenario, reporting the
// server's CPU time per request (from /proc, with its PostgreSQL
// backends'), throughput and latency percentiles, and throughput as a share
// of a baseline route of the same server that writes a fixed body from
// memory behind the same middleware.
package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/personapal/personapal/internal/app"
	"github.com/personapal/personapal/internal/persona"
	"github.com/personapal/personapal/internal/store"

	_ "github.com/jackc/pgx/v5/stdlib" // the meter reads pg_stat_activity
)

// Config sizes a run.
type Config struct {
	Orgs     int           // organisations
	PerOrg   int           // personas per organisation
	Duration time.Duration // per scenario
	Clients  int           // concurrent clients
	DB       string        // database; empty: a temporary SQLite file
	Out      io.Writer
	// Only, when set, runs just the scenarios whose names it matches (the
	// baseline always runs, for the ratios).
	Only *regexp.Regexp
	// Reuse, when DB already holds a generated dataset, measures it instead
	// of generating another (for repeated runs while optimising).
	Reuse bool
	// CPUProfile, when set, is a file that receives a CPU profile of the
	// server process from its start (after the dataset generation) to
	// its stop.
	CPUProfile string
	// Executable is the personapal binary whose serve is measured; empty:
	// this process's own executable.
	Executable string
	// MixedDuration is how long the mixed run lasts (zero: Duration).
	MixedDuration time.Duration
	// UsageAB, when set, also measures the persona page and get persona
	// with usage off and on in turn (Rounds pairs each, the order swapped
	// every round so drift of a shared machine falls on both), and
	// reports the medians and their ratio: the "before and after" of
	// view recording, in the same run (docs/usage.md).
	UsageAB bool
	Rounds  int
}

// ABResult is one scenario measured with usage off (before) and on (after).
type ABResult struct {
	Name            string
	Off, On         []Result // one per round
	OffRate, OnRate float64  // medians, req/s
	OffP50, OnP50   time.Duration
	Ratio           float64 // OnRate / OffRate
	P50Ratio        float64 // OnP50 / OffP50
	// PairedRatio is the median of each round's on/off throughput ratio:
	// the two halves of a round are seconds apart, so the load of a
	// shared machine partly cancels.
	PairedRatio float64
	// OffCPU, OnCPU are the medians of CPU time per request, and
	// CPURatio their paired on/off ratio: the steadiest figure on a
	// shared machine (docs/usage.md).
	OffCPU, OnCPU time.Duration
	CPURatio      float64
}

// Result is one scenario's figures.
type Result struct {
	Name          string
	Requests      int
	Errors        int
	FirstError    string // the first error seen, to tell what went wrong
	PerSecond     float64
	P50, P95, P99 time.Duration
	// CPUPerRequest is the server process's CPU time (user and system,
	// all threads), plus on PostgreSQL its backends', per request: unlike
	// throughput it hardly moves when other work on a shared machine
	// takes the cores, and the load generator is not in it.
	CPUPerRequest time.Duration
	// PGCPUPerRequest is the PostgreSQL backends' part of CPUPerRequest.
	PGCPUPerRequest time.Duration
	// NotModified counts the 304 answers (conditional get).
	NotModified int
}

// Report is a run's figures.
type Report struct {
	Results []Result
	// ServerPID is the child process that served the run (stopped and
	// reaped when Run returns).
	ServerPID int
	// ServerPeakRSS is the server process's peak resident set size, kB.
	ServerPeakRSS int64
	// Mixed holds the peaks sampled during the mixed run (nil if it did
	// not run).
	Mixed *Peaks
	// Notes say what the CPU figures leave out, if anything.
	Notes []string
}

// Peaks are the largest values sampled every few seconds during the mixed run.
type Peaks struct {
	Samples  int
	RSS      int64  // kB, the server's VmRSS
	WAL      int64  // bytes: the SQLite -wal file, or pg_wal
	WALWhat  string // what WAL measured, or why it is missing
	Interval time.Duration
}

// Run generates the dataset, starts the server as a child process and
// runs every scenario against it.
func Run(ctx context.Context, cfg Config) (Report, error) {
	var rep Report
	if cfg.DB == "" {
		dir, err := os.MkdirTemp("", "personapal-bench-")
		if err != nil {
			return rep, err
		}
		defer os.RemoveAll(dir)
		cfg.DB = filepath.Join(dir, "bench.db")
	}
	exe := cfg.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return rep, err
		}
	}
	ds, err := prepare(ctx, cfg)
	if err != nil {
		return rep, err
	}
	runtime.GC()

	srv, err := startServer(ctx, exe, cfg.DB, cfg.CPUProfile)
	if err != nil {
		return rep, err
	}
	rep.ServerPID = srv.pid
	defer srv.stop()
	m := &meter{pid: srv.pid}
	if isPostgres(cfg.DB) {
		pg, err := sql.Open("pgx", cfg.DB)
		if err != nil {
			return rep, err
		}
		defer pg.Close()
		pg.SetMaxOpenConns(1)
		m.pg = pg
	}

	c := &client{base: srv.base, token: ds.token, cookie: ds.cookie, http: &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: cfg.Clients * 2, MaxConnsPerHost: cfg.Clients * 2}}}
	api := "/api/v1/orgs/" + ds.org
	one, err := c.get(api + "/personas/" + ds.personas[0])
	if err != nil {
		return rep, err
	}
	baseline := fmt.Sprintf("/bench/baseline?bytes=%d", len(one))
	// The ETags a client saw on a first get, for the conditional gets.
	etags := make([]string, min(len(ds.personas), 50))
	for i := range etags {
		if etags[i], err = c.etag(api + "/personas/" + ds.personas[i]); err != nil {
			return rep, err
		}
	}
	var notModified atomic.Int64
	settled := settle(ctx, m)
	fmt.Fprintf(cfg.Out, "server settled after %s and %s of quiet (its start-up work: the first notification round reads every organisation)\n",
		settled.Round(100*time.Millisecond), settleQuiet)

	known := make([]map[string]map[string]any, cfg.Clients) // per client: persona ID → its last JSON
	for i := range known {
		known[i] = map[string]map[string]any{}
	}
	type scenario struct {
		name string
		do   func(client int, r *rand.Rand) error
	}
	getPersona := func(_ int, r *rand.Rand) error {
		_, err := c.get(api + "/personas/" + pick(r, ds.personas))
		return err
	}
	listGroup := func(_ int, r *rand.Rand) error {
		_, err := c.get(api + "/personas?limit=50&group=" + pick(r, ds.groups))
		return err
	}
	personaPage := func(_ int, r *rand.Rand) error {
		_, err := c.page("/o/" + ds.org + "/personas/" + pick(r, ds.personas))
		return err
	}
	searchCommon := func(_ int, r *rand.Rand) error {
		_, err := c.get(api + "/search?q=" + pick(r, searchWords))
		return err
	}
	create := func(_ int, r *rand.Rand) error {
		body := map[string]any{"name": fmt.Sprintf("Load %d", r.Int64()), "template_id": ds.agentTemplate, "group_id": ds.groups[0],
			"values": map[string]any{"purpose": "Created under load"}}
		_, err := c.send("POST", api+"/personas", body, "")
		return err
	}
	update := func(client int, r *rand.Rand) error {
		// Each client edits its own personas, so the figures measure
		// writes, not If-Match conflicts between the clients.
		// A client keeps what each update returns, as an editor's
		// form does, and reads a persona only the first time it edits
		// it: the scenario measures writes, not reads.
		own := ds.personas[client%len(ds.personas):]
		id := own[(r.IntN(len(own))/cfg.Clients)*cfg.Clients%len(own)]
		p := known[client][id]
		if p == nil {
			raw, err := c.get(api + "/personas/" + id)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				return err
			}
		}
		p["summary"] = fmt.Sprintf("Updated under load %d", r.Int64())
		raw, err := c.send("PUT", api+"/personas/"+id, p, fmt.Sprintf(`"%v"`, p["revision"]))
		if err != nil {
			delete(known[client], id)
			return err
		}
		var next map[string]any
		if err := json.Unmarshal(raw, &next); err != nil {
			return err
		}
		known[client][id] = next
		return nil
	}
	scenarios := []scenario{
		{"baseline (fixed body)", func(int, *rand.Rand) error { _, err := c.get(baseline); return err }},
		{"get persona (JSON)", getPersona},
		{"conditional get (If-None-Match)", func(_ int, r *rand.Rand) error {
			i := r.IntN(len(etags))
			code, err := c.conditional(api+"/personas/"+ds.personas[i], etags[i])
			if code == http.StatusNotModified {
				notModified.Add(1)
			}
			return err
		}},
		{"list 50 of the org (JSON)", func(int, *rand.Rand) error {
			_, err := c.get(api + "/personas?limit=50")
			return err
		}},
		{"list group (JSON)", listGroup},
		{"search rare word", func(_ int, r *rand.Rand) error {
			_, err := c.get(api + "/search?q=" + pick(r, rareWords))
			return err
		}},
		{"search common word", searchCommon},
		{"persona page (HTML)", personaPage},
		{"compare five (HTML)", func(_ int, r *rand.Rand) error {
			ids := make([]string, 5)
			for i := range ids {
				ids[i] = ds.personas[(r.IntN(len(ds.personas))+i)%len(ds.personas)]
			}
			_, err := c.page("/o/" + ds.org + "/compare?ids=" + strings.Join(ids, ","))
			return err
		}},
		{"create persona", create},
		{"update persona (If-Match)", update},
	}
	if cfg.Only != nil && len(ds.personas) > 0 {
		// keep only the baseline and what matches
		kept := scenarios[:1]
		for _, s := range scenarios[1:] {
			if cfg.Only.MatchString(s.name) {
				kept = append(kept, s)
			}
		}
		scenarios = kept
	}
	for _, s := range scenarios {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		// An unmeasured tenth first, so no scenario pays for the warm-up
		// of the server process (its caches, connections and heap).
		drive(ctx, s.name, cfg.Clients, min(cfg.Duration/10, 2*time.Second), s.do, nil)
		notModified.Store(0)
		r := drive(ctx, s.name, cfg.Clients, cfg.Duration, s.do, m)
		r.NotModified = int(notModified.Load())
		rep.Results = append(rep.Results, r)
	}
	const mixedName = "mixed 80/20 reads/writes"
	if cfg.Only == nil || cfg.Only.MatchString(mixedName) {
		reads := []func(int, *rand.Rand) error{getPersona, listGroup, personaPage, searchCommon}
		mixed := func(client int, r *rand.Rand) error {
			switch n := r.IntN(10); {
			case n < 8:
				return reads[r.IntN(len(reads))](client, r)
			case n == 8:
				return update(client, r)
			default:
				return create(client, r)
			}
		}
		d := cfg.MixedDuration
		if d <= 0 {
			d = cfg.Duration
		}
		every := min(2*time.Second, max(d/4, 10*time.Millisecond))
		peaks := &Peaks{Interval: every}
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				samplePeaks(ctx, peaks, srv.pid, cfg.DB, m)
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		r := drive(ctx, mixedName, cfg.Clients, d, mixed, m)
		close(stop)
		<-sampled
		samplePeaks(ctx, peaks, srv.pid, cfg.DB, m)
		rep.Results = append(rep.Results, r)
		rep.Mixed = peaks
	}
	if m.pgErr != "" {
		rep.Notes = append(rep.Notes, m.pgErr)
	}
	report(cfg.Out, rep.Results, m.pg != nil)
	if cfg.UsageAB {
		var ab []scenario
		for _, s := range scenarios {
			if s.name == "persona page (HTML)" || s.name == "get persona (JSON)" {
				ab = append(ab, s)
			}
		}
		if len(ab) < 2 {
			ab = []scenario{{"get persona (JSON)", getPersona}, {"persona page (HTML)", personaPage}}
		}
		rounds := max(cfg.Rounds, 1)
		out := make([]ABResult, len(ab))
		for round := range rounds {
			for i, s := range ab {
				out[i].Name = s.name
				order := []bool{false, true}
				if round%2 == 1 {
					order = []bool{true, false}
				}
				for _, on := range order {
					if ctx.Err() != nil {
						return rep, ctx.Err()
					}
					if _, err := c.send("POST", fmt.Sprintf("/bench/usage?on=%t", on), nil, ""); err != nil {
						return rep, err
					}
					r := drive(ctx, s.name, cfg.Clients, cfg.Duration, s.do, m)
					if on {
						out[i].On = append(out[i].On, r)
					} else {
						out[i].Off = append(out[i].Off, r)
					}
				}
			}
		}
		if _, err := c.send("POST", "/bench/usage?on=true", nil, ""); err != nil {
			return rep, err
		}
		for i := range out {
			out[i].summarise()
		}
		reportAB(cfg.Out, out, rounds)
	}
	rep.ServerPeakRSS = procStatusKB(srv.pid, "VmHWM")
	if rep.Mixed != nil {
		p := rep.Mixed
		fmt.Fprintf(cfg.Out, "mixed run, sampled every %s (%d samples): peak RSS of the server %s, peak %s %s\n",
			p.Interval, p.Samples, mb(p.RSS), p.WALWhat, walSize(p))
	}
	fmt.Fprintf(cfg.Out, "peak RSS: server process %s (pid %d); bench process %s\n", mb(rep.ServerPeakRSS), srv.pid, mb(procStatusKB(os.Getpid(), "VmHWM")))
	for _, n := range rep.Notes {
		fmt.Fprintln(cfg.Out, "note:", n)
	}
	srv.stop()
	return rep, nil
}

func walSize(p *Peaks) string {
	if p.WAL < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(p.WAL)/(1<<20))
}

// samplePeaks reads the server's RSS and the size of the write-ahead log.
func samplePeaks(ctx context.Context, p *Peaks, pid int, db string, m *meter) {
	pg := m.pg
	p.Samples++
	p.RSS = max(p.RSS, procStatusKB(pid, "VmRSS"))
	if pg == nil {
		p.WALWhat = "SQLite WAL file (" + filepath.Base(db) + "-wal)"
		if fi, err := os.Stat(db + "-wal"); err == nil {
			p.WAL = max(p.WAL, fi.Size())
		}
		return
	}
	n, err := pgWALBytes(ctx, pg, m.sample(ctx).pg)
	if err != nil {
		p.WALWhat, p.WAL = "pg_wal (not readable: "+err.Error()+")", -1
		return
	}
	p.WALWhat = "pg_wal (the whole cluster's, shared with other databases)"
	p.WAL = max(p.WAL, n)
}

// prepare generates the dataset (or reads the one to reuse) in the bench
// process and leaves a settled database for the server.
func prepare(ctx context.Context, cfg Config) (dataset, error) {
	var ds dataset
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return ds, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return ds, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.New(db, app.WithLogger(log), app.WithPasswordHasher(app.PasswordHasher{Time: 1, Memory: 64, Threads: 1}))
	start := time.Now()
	if _, err := svc.UserByEmail(ctx, benchEmail); err == nil && cfg.Reuse {
		if ds, err = reuse(ctx, svc); err != nil {
			return ds, fmt.Errorf("reuse dataset: %w", err)
		}
		fmt.Fprintf(cfg.Out, "dataset: reused from %s\n", cfg.DB)
	} else {
		if ds, err = generate(ctx, svc, cfg); err != nil {
			return ds, fmt.Errorf("dataset: %w", err)
		}
		if err := seedViews(ctx, svc, db, ds); err != nil {
			return ds, fmt.Errorf("dataset views: %w", err)
		}
		fmt.Fprintf(cfg.Out, "dataset: %d organisations × %d personas = %d personas (with notes and variants) in %s\n",
			cfg.Orgs, cfg.PerOrg, cfg.Orgs*cfg.PerOrg, time.Since(start).Round(time.Millisecond))
	}
	// Measure a settled database, not the tail of the bulk load.
	return ds, db.Settle(ctx)
}

func (a *ABResult) summarise() {
	rate := func(rs []Result) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = r.PerSecond
		}
		return median(xs)
	}
	p50 := func(rs []Result) time.Duration {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = float64(r.P50)
		}
		return time.Duration(median(xs))
	}
	a.OffRate, a.OnRate, a.OffP50, a.OnP50 = rate(a.Off), rate(a.On), p50(a.Off), p50(a.On)
	if a.OffRate > 0 {
		a.Ratio = a.OnRate / a.OffRate
	}
	if a.OffP50 > 0 {
		a.P50Ratio = float64(a.OnP50) / float64(a.OffP50)
	}
	var pairs []float64
	for i := range min(len(a.Off), len(a.On)) {
		if a.Off[i].PerSecond > 0 {
			pairs = append(pairs, a.On[i].PerSecond/a.Off[i].PerSecond)
		}
	}
	a.PairedRatio = median(pairs)
	cpu := func(rs []Result) time.Duration {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = float64(r.CPUPerRequest)
		}
		return time.Duration(median(xs))
	}
	a.OffCPU, a.OnCPU = cpu(a.Off), cpu(a.On)
	pairs = pairs[:0]
	for i := range min(len(a.Off), len(a.On)) {
		if a.Off[i].CPUPerRequest > 0 {
			pairs = append(pairs, float64(a.On[i].CPUPerRequest)/float64(a.Off[i].CPUPerRequest))
		}
	}
	a.CPURatio = median(pairs)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

func reportAB(w io.Writer, rs []ABResult, rounds int) {
	fmt.Fprintf(w, "\nusage off (before) and on (after), %d rounds each, medians:\n", rounds)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\toff req/s\ton req/s\ton/off\tpaired on/off\toff p50\ton p50\tp50 on/off\toff CPU/req\ton CPU/req\tCPU on/off\terrors\t")
	for _, r := range rs {
		errs := 0
		for _, x := range append(slices.Clone(r.Off), r.On...) {
			errs += x.Errors
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.3f\t%.3f\t%s\t%s\t%.3f\t%s\t%s\t%.3f\t%d\t\n", r.Name, r.OffRate, r.OnRate, r.Ratio, r.PairedRatio,
			ms(r.OffP50), ms(r.OnP50), r.P50Ratio, ms(r.OffCPU), ms(r.OnCPU), r.CPURatio, errs)
	}
	tw.Flush()
	for _, r := range rs {
		var b strings.Builder
		for i := range r.Off {
			fmt.Fprintf(&b, " %.0f/%.0f", r.Off[i].PerSecond, r.On[i].PerSecond)
		}
		fmt.Fprintf(w, "%s rounds (off/on req/s):%s\n", r.Name, b.String())
		for _, x := range append(slices.Clone(r.Off), r.On...) {
			if x.FirstError != "" {
				fmt.Fprintf(w, "%s: %d errors; the first: %s\n", r.Name, x.Errors, x.FirstError)
				break
			}
		}
	}
}

var searchWords = []string{"audit", "reconciliation", "spreadsheet", "approval", "onboarding", "mainframe", "dashboard"}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// drive runs do from clients goroutines for d and gathers latencies, and
// the server's CPU time (with its PostgreSQL backends') over the run; with
// m nil it only runs them (a warm-up).
func drive(ctx context.Context, name string, clients int, d time.Duration, do func(int, *rand.Rand) error, m *meter) Result {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		errs  int
		first string
		wg    sync.WaitGroup
	)
	var cpu0 cpuSample
	if m != nil {
		cpu0 = m.sample(ctx)
	}
	deadline := time.Now().Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 42))
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				if err := do(i, r); err != nil {
					bad++
					mu.Lock()
					if first == "" {
						first = err.Error()
					}
					mu.Unlock()
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	if m == nil {
		return Result{Name: name}
	}
	serverCPU, pgCPU := since(cpu0, m.sample(ctx))
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	r := Result{Name: name, Requests: len(lat), Errors: errs, FirstError: first, PerSecond: float64(len(lat)) / d.Seconds(),
		P50: q(0.50), P95: q(0.95), P99: q(0.99)}
	if n := len(lat) + errs; n > 0 {
		r.CPUPerRequest = (serverCPU + pgCPU) / time.Duration(n)
		r.PGCPUPerRequest = pgCPU / time.Duration(n)
	}
	return r
}

func report(w io.Writer, rs []Result, pg bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "scenario\tCPU/req\t"
	if pg {
		head += "of which PG\t"
	}
	fmt.Fprintln(tw, head+"req/s\tvs baseline\tp50\tp95\tp99\terrors\t")
	var base float64
	for _, r := range rs {
		if base == 0 {
			base = r.PerSecond
		}
		ratio := "-"
		if base > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*r.PerSecond/base)
		}
		pgc := ""
		if pg {
			pgc = ms(r.PGCPUPerRequest) + "\t"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%.0f\t%s\t%s\t%s\t%s\t%d\t\n", r.Name, ms(r.CPUPerRequest), pgc, r.PerSecond, ratio, ms(r.P50), ms(r.P95), ms(r.P99), r.Errors)
	}
	tw.Flush()
	fmt.Fprintln(w, "CPU/req: the server process's CPU time (user and system, all threads, from /proc)"+
		map[bool]string{true: " plus its PostgreSQL backends'", false: ""}[pg]+" per request served")
	for _, r := range rs {
		if strings.HasPrefix(r.Name, "conditional get") {
			fmt.Fprintf(w, "%s: %d of %d answers were 304 Not Modified, the others 200 with the body\n", r.Name, r.NotModified, r.Requests)
		}
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s: %d errors; the first: %s\n", r.Name, r.Errors, r.FirstError)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// ---- HTTP client ----

type client struct {
	base, token string
	cookie      *http.Cookie
	http        *http.Client
}

func (c *client) get(path string) ([]byte, error) { return c.send("GET", path, nil, "") }

func (c *client) page(path string) ([]byte, error) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.AddCookie(c.cookie)
	return c.do(req)
}

// etag gets path and returns its ETag.
func (c *client) etag(path string) (string, error) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return res.Header.Get("ETag"), nil
}

// conditional gets path with If-None-Match: 200 (with the body) and 304
// are both answers.
func (c *client) conditional(path, etag string) (int, error) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("If-None-Match", etag)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotModified {
		return res.StatusCode, fmt.Errorf("GET %s: %d %.300s", path, res.StatusCode, b)
	}
	return res.StatusCode, nil
}

func (c *client) send(method, path string, body any, ifMatch string) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	return c.do(req)
}

func (c *client) do(req *http.Request) ([]byte, error) {
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %.300s", req.Method, req.URL.Path, res.StatusCode, b)
	}
	return b, nil
}

// ---- dataset ----

type dataset struct {
	org           string
	token         string
	cookie        *http.Cookie
	personas      []string // IDs in the measured organisation
	groups        []string
	agentTemplate string
}

// generate creates cfg.Orgs organisations of cfg.PerOrg personas each
// (types in turn, a note on every tenth, a variant on every tenth UX
// persona) through the organisation import, one transaction each.
func generate(ctx context.Context, svc *app.Service, cfg Config) (dataset, error) {
	// The generation keeps little alive (one organisation's document per
	// worker), so the default GC target makes the collector run all the
	// time: a sixth of this process's CPU, on two cores it shares with the
	// database. A higher target trades some memory for that.
	defer debug.SetGCPercent(debug.SetGCPercent(generationGOGC))
	u, err := svc.CreateUser(ctx, benchEmail, "Bench User", benchPassword)
	if err != nil {
		return dataset{}, err
	}
	actor, err := svc.ActorFor(ctx, u.ID)
	if err != nil {
		return dataset{}, err
	}
	// The measured user belongs to the first organisation only (as a real
	// user does to a few); the others belong to another user.
	other, err := svc.CreateUser(ctx, "others@example.com", "Other Tenants", benchPassword)
	if err != nil {
		return dataset{}, err
	}
	otherActor, err := svc.ActorFor(ctx, other.ID)
	if err != nil {
		return dataset{}, err
	}
	var ds dataset
	// Organisations are imported by a few workers at once: checking and
	// encoding an organisation runs beside another one's transaction (on
	// SQLite the transactions themselves still take turns).
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(generators)
	for o := range cfg.Orgs {
		doc := orgDoc(o, cfg.PerOrg)
		if o == 0 {
			ds.org = "bench-0000"
			for _, p := range doc.Personas {
				ds.personas = append(ds.personas, p.ID)
			}
			for _, g := range doc.Groups {
				ds.groups = append(ds.groups, g.ID)
			}
			for _, t := range doc.Templates {
				if t.ProfileType == persona.ProfileAgent {
					ds.agentTemplate = t.ID
				}
			}
		}
		owner := otherActor
		if o == 0 {
			owner = actor
		}
		g.Go(func() error {
			if _, err := svc.ImportOrg(gctx, owner, fmt.Sprintf("bench-%04d", o), "", doc, false); err != nil {
				return fmt.Errorf("organisation %d: %w", o, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return ds, err
	}
	return ds, credentials(ctx, svc, actor, &ds)
}

// settle waits until the server has done its start-up work (the first
// notification round and review digests read every organisation), at most
// settleMax: otherwise the first scenarios' CPU per request carries it.
// Settled means it used under settleShare of one core in each settleEvery
// of settleQuiet in a row: the round starts a moment after the server (the
// job queue elects its leader first), so one quiet half second right after
// the start says nothing (at 1,000,000 personas the round then ran through
// every scenario).
func settle(ctx context.Context, m *meter) time.Duration {
	start := time.Now()
	prev := m.sample(ctx).server
	quietSince := start
	for time.Since(start) < settleMax {
		select {
		case <-ctx.Done():
			return time.Since(start)
		case <-time.After(settleEvery):
		}
		cur := m.sample(ctx).server
		used := cur - prev
		prev = cur
		now := time.Now()
		if used >= time.Duration(float64(settleEvery)*settleShare) {
			quietSince = now
		} else if now.Sub(quietSince) >= settleQuiet {
			return quietSince.Sub(start)
		}
	}
	return time.Since(start)
}

const (
	settleEvery = 500 * time.Millisecond
	settleShare = 0.05
	settleQuiet = 10 * time.Second
	settleMax   = 10 * time.Minute
)

// generators is how many organisations are imported at once: a few more
// than this machine's two cores, because on PostgreSQL the database's own
// processes do much of the work.
const generators = 4

// generationGOGC is the GC target while the dataset is generated.
const generationGOGC = 400

// seedViews gives the measured organisation 30 days of views by
// seedViewers members of every persona, so the persona page's "viewed by"
// count reads a realistic number of rows, not an empty table.
func seedViews(ctx context.Context, svc *app.Service, db *store.DB, ds dataset) error {
	u, err := svc.UserByEmail(ctx, benchEmail)
	if err != nil {
		return err
	}
	actor, err := svc.ActorFor(ctx, u.ID)
	if err != nil {
		return err
	}
	org, _, err := svc.GetOrg(ctx, actor, ds.org)
	if err != nil {
		return err
	}
	today := time.Now().UTC()
	for d := range 30 {
		day := today.AddDate(0, 0, -d-1).Format("2006-01-02")
		views := make([]app.View, 0, len(ds.personas)*seedViewers)
		for _, id := range ds.personas {
			for m := range seedViewers {
				views = append(views, app.View{PersonaID: id, UserID: fmt.Sprintf("bench-viewer-%02d", m), Day: day, Kind: app.ViewPersona})
			}
		}
		if err := db.RecordViews(ctx, org.ID, views); err != nil {
			return err
		}
	}
	return nil
}

const seedViewers = 20

const (
	benchEmail    = "bench@example.com"
	benchPassword = "bench-password-not-common"
)

// credentials gives the measured user a fresh API token and session.
func credentials(ctx context.Context, svc *app.Service, actor app.Actor, ds *dataset) error {
	var err error
	if ds.token, _, err = svc.CreateToken(ctx, actor, "bench"); err != nil {
		return err
	}
	secret, _, err := svc.SignIn(ctx, benchEmail, benchPassword, "bench")
	if err != nil {
		return err
	}
	ds.cookie = &http.Cookie{Name: "pp_session", Value: secret}
	return nil
}

// reuse reads the measured organisation of an earlier run's dataset.
func reuse(ctx context.Context, svc *app.Service) (dataset, error) {
	ds := dataset{org: "bench-0000"}
	u, err := svc.UserByEmail(ctx, benchEmail)
	if err != nil {
		return ds, err
	}
	actor, err := svc.ActorFor(ctx, u.ID)
	if err != nil {
		return ds, err
	}
	for cursor := ""; ; {
		page, err := svc.ListPersonas(ctx, actor, ds.org, persona.PersonaFilter{Limit: 200}, cursor)
		if err != nil {
			return ds, err
		}
		for _, p := range page.Items {
			ds.personas = append(ds.personas, p.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	groups, err := svc.ListGroups(ctx, actor, ds.org)
	if err != nil {
		return ds, err
	}
	for _, g := range groups {
		ds.groups = append(ds.groups, g.ID)
	}
	tmpls, err := svc.ListTemplates(ctx, actor, ds.org)
	if err != nil {
		return ds, err
	}
	for _, t := range tmpls {
		if t.ProfileType == persona.ProfileAgent {
			ds.agentTemplate = t.ID
		}
	}
	return ds, credentials(ctx, svc, actor, &ds)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// orgDoc builds one synthetic organisation as an export document.
func orgDoc(o, perOrg int) persona.OrgExport {
	e := persona.OrgExport{Format: persona.ExportFormat, Version: persona.ExportDocVersion,
		Org: persona.ExportOrgInfo{Name: fmt.Sprintf("Bench org %d", o)}}
	for g := range 4 {
		e.Groups = append(e.Groups, persona.ExportGroup{ID: newID(), Name: fmt.Sprintf("Group %d", g+1)})
	}
	var archetype string
	for _, st := range persona.StarterTemplates() {
		e.Templates = append(e.Templates, persona.ExportTemplate{ID: newID(), Name: st.Name, ProfileType: st.ProfileType,
			Draft: st.Definition, Versions: []persona.ExportVersion{{Version: 1, Definition: st.Definition}}})
	}
	r := rand.New(rand.NewPCG(uint64(o), 7))
	for i := range perOrg {
		t := e.Templates[i%len(e.Templates)]
		def := t.Versions[0].Definition
		p := persona.ExportPersona{ID: newID(), TemplateID: t.ID, TemplateVersion: 1, GroupID: e.Groups[i%4].ID,
			Name: fmt.Sprintf("%s %d", strings.TrimSuffix(t.Name, " persona"), i), Summary: sentence(r, 18) + rare(r), Status: persona.StatusPublished,
			Values: fill(def, r), Dimensions: dims(def, r)}
		if t.ProfileType == persona.ProfileArchetype && archetype == "" {
			archetype = p.ID
		}
		if i%10 == 0 {
			p.Notes = []persona.ExportNote{{ID: newID(), Body: sentence(r, 25)}}
		}
		if t.ProfileType == persona.ProfileUX && archetype != "" && i%10 == 4 {
			p.Variants = []persona.ExportVariant{{ID: newID(), CustomerID: archetype, Note: sentence(r, 12),
				Values: persona.Values{}, Dimensions: persona.Values{"risk_tolerance": 1.0}}}
		}
		e.Personas = append(e.Personas, p)
	}
	return e
}

var words = strings.Fields(`audit reconciliation spreadsheet approval onboarding mainframe dashboard ledger
	breaks matching rules exceptions queue month close regulator evidence workflow team branch payments
	cards treasury controls risk review export import cloud migration analyst operations lead automation`)

// rareWords are each in about 1 persona in 100 (rare): the search for
// one of them finds about 1% of an organisation's personas.
var rareWords = []string{"zeppelin", "quokka", "obsidian", "marzipan", "fjord"}

// rare gives each rare word with probability 1/100, for a summary.
func rare(r *rand.Rand) string {
	var b strings.Builder
	for _, w := range rareWords {
		if r.IntN(100) == 0 {
			b.WriteString(" " + w)
		}
	}
	return b.String()
}

func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[r.IntN(len(words))]
	}
	return strings.Join(ws, " ")
}

// fill gives every field of def a valid value.
func fill(def persona.Definition, r *rand.Rand) persona.Values {
	v := persona.Values{}
	for _, s := range def.Sections {
		for _, f := range s.Fields {
			text := func(n int) string {
				s := sentence(r, n)
				if f.MaxLength > 0 && len(s) > f.MaxLength {
					s = strings.TrimSpace(s[:f.MaxLength])
				}
				return s
			}
			switch f.Kind {
			case persona.KindText, persona.KindMarkdown:
				v[f.Key] = text(6)
			case persona.KindList, persona.KindTags:
				v[f.Key] = []any{text(5), text(4)}
			case persona.KindNumber, persona.KindScale:
				lo, hi := 1.0, 5.0
				if f.Min != nil {
					lo = *f.Min
				}
				if f.Max != nil {
					hi = *f.Max
				}
				v[f.Key] = float64(int(lo) + r.IntN(int(hi-lo)+1))
			case persona.KindChoice:
				v[f.Key] = f.Options[r.IntN(len(f.Options))]
			case persona.KindMultiChoice:
				v[f.Key] = []any{f.Options[0]}
			case persona.KindURL:
				v[f.Key] = "https://example.com/" + url.PathEscape(words[r.IntN(len(words))])
			case persona.KindDate:
				v[f.Key] = "2026-01-15"
			}
		}
	}
	return v
}

func dims(def persona.Definition, r *rand.Rand) persona.Values {
	v := persona.Values{}
	for _, d := range def.Dimensions {
		if d.Kind == persona.DimensionScale {
			v[d.Key] = float64(d.Min + r.IntN(d.Max-d.Min+1))
		} else if len(d.Options) > 0 {
			v[d.Key] = d.Options[r.IntN(len(d.Options))]
		}
	}
	return v
}
