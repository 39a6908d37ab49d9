package cluster

import "syscall"

// sysProcAttr puts the child in its own process group (so stop can signal
// everything it may have spawned) and asks the kernel to SIGKILL it if the
// test binary dies without running its cleanup: a panic in a test, or the
// `go test -timeout` alarm, exits the process without running deferred calls.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
