// Package crashtest holds tests that run the real personapal binary and
// kill it, to prove that acknowledged writes survive a crash.
package crashtest
