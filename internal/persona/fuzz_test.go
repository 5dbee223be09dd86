package persona

import "flag"

// fuzzing reports whether the test binary is fuzzing (-test.fuzz set)
// rather than running the seed corpus.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// tooBigToFuzz reports whether a fuzzer-made input is over max bytes. The
// seed corpus runs at any size (a megabyte string among the seeds), but
// while fuzzing, every input found interesting is minimised by trying to
// cut each substring out of it, a quadratic number of runs; at a few
// kilobytes one minimisation can use up -fuzzminimizetime (60 s) while
// fuzzing stands still. Inputs over max are skipped, so they never count
// as interesting.
func tooBigToFuzz(n, max int) bool { return fuzzing() && n > max }
