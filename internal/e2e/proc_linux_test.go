package e2e_test

import (
	"os/exec"
	"syscall"
)

// dieWithTests makes the server die with the test binary, also when go
// test kills it on a timeout (so no orphan keeps a port).
func dieWithTests(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
