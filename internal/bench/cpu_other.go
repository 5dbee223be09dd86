//go:build !unix

package bench

import "time"

// cpuTime is not measured here: the CPU-per-request column reads 0.
func cpuTime() time.Duration { return 0 }
