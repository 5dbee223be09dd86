package bench

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is the measured server: this binary's serve, as a child process.
type server struct {
	cmd    *exec.Cmd
	pid    int
	base   string // http://127.0.0.1:port
	stderr *tailBuffer
	done   chan struct{}
}

// pgAppName marks the server's PostgreSQL connections, so the harness
// counts the CPU of their backends and of no other client's.
const pgAppName = "personapal-bench-server"

// startServer runs exe serve on a port the system picks and waits until
// it answers the baseline route.
func startServer(ctx context.Context, exe, db, profile string) (*server, error) {
	if isPostgres(db) {
		db = withAppName(db)
	}
	cmd := exec.Command(exe, "--db", db, "--log-level", "warn", "serve", "--addr", "127.0.0.1:0", "--rate-limits=false")
	cmd.Env = append(os.Environ(), "PERSONAPAL_BENCH_BASELINE=1")
	if profile != "" {
		cmd.Env = append(cmd.Env, "PERSONAPAL_BENCH_CPUPROFILE="+profile)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stderr: &tailBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", exe, err)
	}
	s.pid = cmd.Process.Pid
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "url: "); ok {
				select {
				case urls <- strings.TrimSuffix(u, "/"):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() { _ = cmd.Wait(); close(s.done) }()
	select {
	case s.base = <-urls:
	case <-s.done:
		return nil, fmt.Errorf("server exited before listening: %s", s.stderr)
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, errors.New("server did not print its url within 2 minutes")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	for range 200 {
		res, err := http.Get(s.base + "/bench/baseline?bytes=1")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
			s.stop()
			return nil, fmt.Errorf("server answers the baseline with %d: was it started with PERSONAPAL_BENCH_BASELINE=1?", res.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server at %s does not answer: %s", s.base, s.stderr)
}

// stop ends the server as an operator does (SIGINT: it drains and flushes,
// and writes its CPU profile), killing it if it takes longer than 30 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// tailBuffer keeps the last 4 kB the server wrote to stderr.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

func withAppName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("application_name", pgAppName)
	u.RawQuery = q.Encode()
	return u.String()
}

// ---- CPU time and memory from /proc ----

// procCPU is the CPU time a process has used: the sum of its threads'
// run times from /proc/<pid>/task/*/schedstat (nanoseconds), or, where
// that is missing, utime+stime from /proc/<pid>/stat (clock ticks of
// 10 ms).
func procCPU(pid int) (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err == nil && len(tasks) > 0 {
		var sum time.Duration
		ok := false
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue // a thread that just ended
			}
			f := strings.Fields(string(b))
			if len(f) == 0 {
				continue
			}
			ns, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				continue
			}
			sum += time.Duration(ns)
			ok = true
		}
		if ok {
			return sum, nil
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from after its closing parenthesis (utime is field 14, stime 15).
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond, nil // CLK_TCK is 100 on Linux
}

// procStatusKB reads a "kB" line of /proc/<pid>/status (VmRSS, VmHWM).
func procStatusKB(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func mb(kb int64) string { return fmt.Sprintf("%.0f MB", float64(kb)/1024) }

// meter reads the CPU time of the server and, on PostgreSQL, of the
// backends serving its connections.
type meter struct {
	pid   int
	pg    *sql.DB // nil on SQLite
	pgErr string  // why the backends' CPU is not counted, if it is not
}

type cpuSample struct {
	server time.Duration
	pg     map[int]time.Duration // backend pid → CPU
}

func (m *meter) sample(ctx context.Context) cpuSample {
	s := cpuSample{}
	s.server, _ = procCPU(m.pid)
	if m.pg == nil {
		return s
	}
	rows, err := m.pg.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, pgAppName)
	if err != nil {
		m.pgErr = "pg_stat_activity: " + err.Error()
		return s
	}
	defer rows.Close()
	s.pg = map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			continue
		}
		cpu, err := procCPU(pid)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the backend ended since pg_stat_activity listed it
		}
		if err != nil {
			if m.pgErr == "" {
				m.pgErr = fmt.Sprintf("the PostgreSQL backends' /proc is not readable (%v): CPU/req counts the server process only", err)
			}
			continue
		}
		s.pg[pid] = cpu
	}
	return s
}

// since is the CPU used from a to b: the server's, and its backends'
// (a backend that appeared between counts from zero; one that ended is lost).
func since(a, b cpuSample) (server, pg time.Duration) {
	server = b.server - a.server
	for pid, t := range b.pg {
		pg += t - a.pg[pid]
	}
	return server, pg
}

// pgWALBytes is the size of pg_wal: from pg_ls_waldir() (which needs
// pg_monitor or a superuser), or else from the files in the postmaster's
// data directory (its working directory, /proc/<pid>/cwd, readable when
// the harness runs as root or as the postgres user).
func pgWALBytes(ctx context.Context, db *sql.DB, backends map[int]time.Duration) (int64, error) {
	var n sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT sum(size) FROM pg_ls_waldir()`).Scan(&n)
	if err == nil {
		return n.Int64, nil
	}
	for pid := range backends {
		ppid, perr := parentPID(pid)
		if perr != nil {
			continue
		}
		entries, derr := os.ReadDir(fmt.Sprintf("/proc/%d/cwd/pg_wal", ppid))
		if derr != nil {
			return 0, fmt.Errorf("%v; %v", err, derr)
		}
		var sum int64
		for _, e := range entries {
			if fi, ierr := e.Info(); ierr == nil && fi.Mode().IsRegular() {
				sum += fi.Size()
			}
		}
		return sum, nil
	}
	return 0, err
}

// parentPID reads field 4 of /proc/<pid>/stat.
func parentPID(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return strconv.Atoi(f[1])
}
