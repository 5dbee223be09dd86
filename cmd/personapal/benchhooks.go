package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"

	"github.com/personapal/personapal/internal/app"
)

// The load harness (`personapal bench`, docs/BENCHMARKS.md) runs this
// binary's serve as a child process and sets these variables for it. They
// are not flags, so no help text or configuration file offers them, and
// the routes they add are not in the API (nor its OpenAPI document).
// An operator never sets them; serve logs a warning when one is set.
const (
	// benchBaselineEnv = "1" adds GET /bench/baseline?bytes=N (N spaces
	// from memory, behind the same middleware: the harness's baseline)
	// and POST /bench/usage?on=true|false (usage recording on or off,
	// for bench --usage-ab).
	benchBaselineEnv = "PERSONAPAL_BENCH_BASELINE"
	// benchCPUProfileEnv names a file that receives a CPU profile of the
	// server from its start to its shutdown (bench --cpuprofile).
	benchCPUProfileEnv = "PERSONAPAL_BENCH_CPUPROFILE"
)

// benchRoutes returns the harness's routes when benchBaselineEnv is "1".
func benchRoutes(svc *app.Service, log *slog.Logger) []func(*http.ServeMux) {
	if os.Getenv(benchBaselineEnv) != "1" {
		return nil
	}
	log.Warn("load-harness routes enabled (" + benchBaselineEnv + "=1): never set this in production")
	body := bytes.Repeat([]byte(" "), 1<<20)
	return []func(*http.ServeMux){func(mux *http.ServeMux) {
		mux.HandleFunc("GET /bench/baseline", func(w http.ResponseWriter, r *http.Request) {
			n, err := strconv.Atoi(r.URL.Query().Get("bytes"))
			if err != nil || n < 0 || n > len(body) {
				http.Error(w, "bytes: 0 to 1048576", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body[:n])
		})
		mux.HandleFunc("POST /bench/usage", func(w http.ResponseWriter, r *http.Request) {
			on, err := strconv.ParseBool(r.URL.Query().Get("on"))
			if err != nil {
				http.Error(w, "on: true or false", http.StatusBadRequest)
				return
			}
			svc.SetUsageRecording(on)
			w.WriteHeader(http.StatusNoContent)
		})
	}}
}

// benchProfile starts the CPU profile benchCPUProfileEnv asks for; the
// returned function stops it.
func benchProfile(log *slog.Logger) (stop func(), err error) {
	path := os.Getenv(benchCPUProfileEnv)
	if path == "" {
		return func() {}, nil
	}
	log.Warn("CPU profile of the whole serve run (" + benchCPUProfileEnv + "), for the load harness")
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
