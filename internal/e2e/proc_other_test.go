//go:build !linux

package e2e_test

import "os/exec"

// dieWithTests does nothing outside Linux; stop() ends the server.
func dieWithTests(*exec.Cmd) {}
