//go:build unix && !linux

package cluster

import "syscall"

// sysProcAttr puts the child in its own process group. Outside Linux there is
// no parent-death signal, so a test binary killed by a timeout can leave the
// children running; the harness is meant to run on Linux (CI, make e2e).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
