package main

import (
	"path/filepath"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/personapal/personapal/internal/bench"
)

func benchCmd(g *globals) *cobra.Command {
	cfg := bench.Config{}
	var size, only, cpuProfile string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load harness: generate a synthetic dataset, run the server on it and measure each scenario",
		Long: "Generate --orgs organisations of --personas personas (with notes and variants) in a fresh\n" +
			"database (a temporary SQLite file unless --db is given; a PostgreSQL --db must be empty),\n" +
			"run this binary's serve on it as a child process on 127.0.0.1 and drive --clients concurrent\n" +
			"clients for --duration per scenario, then a mixed run (80% reads, 20% writes) for\n" +
			"--mixed-duration. Prints the server's CPU time per request (from /proc, with its PostgreSQL\n" +
			"backends'), throughput, p50/p95/p99 and the share of a baseline route of the same server\n" +
			"that writes a same-size body from memory behind the same middleware, then the peaks of RSS\n" +
			"and WAL size sampled during the mixed run. --size large means 1,000 × 1,000 personas.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if size == "large" {
				cfg.Orgs, cfg.PerOrg = 1000, 1000
			}
			if cmd.Flags().Changed("db") {
				cfg.DB = g.db
			}
			cfg.Out = g.stdout
			if only != "" {
				re, err := regexp.Compile(only)
				if err != nil {
					return usageError{"--scenarios: " + err.Error()}
				}
				cfg.Only = re
			}
			if cpuProfile != "" {
				abs, err := filepath.Abs(cpuProfile)
				if err != nil {
					return err
				}
				cfg.CPUProfile = abs
			}
			_, err := bench.Run(cmd.Context(), cfg)
			return err
		},
	}
	cmd.Flags().IntVar(&cfg.Orgs, "orgs", 1000, "organisations to generate")
	cmd.Flags().IntVar(&cfg.PerOrg, "personas", 100, "personas per organisation")
	cmd.Flags().DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long each scenario runs")
	cmd.Flags().DurationVar(&cfg.MixedDuration, "mixed-duration", 30*time.Second, "how long the mixed run (80% reads, 20% writes, RSS and WAL sampled every 2 s) lasts")
	cmd.Flags().IntVar(&cfg.Clients, "clients", 32, "concurrent clients")
	cmd.Flags().StringVar(&size, "size", "", "default or large (1,000,000 personas)")
	cmd.Flags().StringVar(&only, "scenarios", "", "run only the scenarios matching this regular expression (and the baseline); the mixed run is named \"mixed 80/20 reads/writes\"")
	cmd.Flags().BoolVar(&cfg.Reuse, "reuse", false, "measure the dataset already in --db (from an earlier run) instead of generating one")
	cmd.Flags().BoolVar(&cfg.UsageAB, "usage-ab", false, "also measure the persona page and get persona with usage off and on in turn (docs/usage.md)")
	cmd.Flags().IntVar(&cfg.Rounds, "rounds", 3, "with --usage-ab: off/on pairs per scenario")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the server process (from its start after the dataset generation to its stop) to this file")
	return cmd
}
