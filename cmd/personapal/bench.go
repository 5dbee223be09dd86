package main

import (
	"os"
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
		Short: "Load harness: generate a synthetic dataset, serve it in-process and measure each scenario",
		Long: "Generate --orgs organisations of --personas personas (with notes and variants) in a fresh\n" +
			"database (a temporary SQLite file unless --db is given), serve them on 127.0.0.1 and drive\n" +
			"--clients concurrent clients for --duration per scenario. Prints throughput, p50/p95/p99 and\n" +
			"the ratio to a baseline handler that writes a same-size body from memory behind the same\n" +
			"middleware, then the peak RSS. --size large means 1,000 × 1,000 personas.",
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
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				cfg.CPUProfile = f
			}
			_, err := bench.Run(cmd.Context(), cfg)
			return err
		},
	}
	cmd.Flags().IntVar(&cfg.Orgs, "orgs", 1000, "organisations to generate")
	cmd.Flags().IntVar(&cfg.PerOrg, "personas", 100, "personas per organisation")
	cmd.Flags().DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long each scenario runs")
	cmd.Flags().IntVar(&cfg.Clients, "clients", 32, "concurrent clients")
	cmd.Flags().StringVar(&size, "size", "", "default or large (1,000,000 personas)")
	cmd.Flags().StringVar(&only, "scenarios", "", "run only the scenarios matching this regular expression (and the baseline)")
	cmd.Flags().BoolVar(&cfg.Reuse, "reuse", false, "measure the dataset already in --db (from an earlier run) instead of generating one")
	cmd.Flags().BoolVar(&cfg.UsageAB, "usage-ab", false, "also measure the persona page and get persona with usage off and on in turn (docs/usage.md)")
	cmd.Flags().IntVar(&cfg.Rounds, "rounds", 3, "with --usage-ab: off/on pairs per scenario")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the measured scenarios to this file")
	return cmd
}
