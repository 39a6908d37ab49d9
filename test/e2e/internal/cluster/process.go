package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// process is one child (etcd or kube-apiserver) running in its own process
// group, with its output going to a log file.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed once the child has been reaped
	waitErr error         // valid after done is closed
}

// startProcess starts bin with args, stdout and stderr to logPath. env is
// added to the minimal environment every child gets (later entries win).
//
// The child gets a parent-death signal (see sysProcAttr). On Linux that
// signal fires when the *thread* that forked the child exits, not the
// process, and the Go runtime may retire threads. So the fork happens on a
// goroutine locked to its thread, and that goroutine stays alive (waiting for
// the child) as long as the child does: the thread can only end after the
// child is gone, or together with the whole test binary.
func startProcess(name, logPath, bin string, args, env []string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// A minimal environment: ETCD_* or KUBE* variables of the caller's shell
	// must not change how the throwaway control plane is configured.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, env...)
	cmd.SysProcAttr = sysProcAttr()

	p := &process{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked on purpose, see above
		if err := cmd.Start(); err != nil {
			logFile.Close()
			started <- err
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	return p, nil
}

// exited reports whether the child has already ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the child's whole process group: SIGTERM first so etcd and the
// apiserver can shut down cleanly, SIGKILL if they have not within grace.
func (p *process) stop(grace time.Duration) error {
	if p == nil || p.exited() {
		return nil
	}
	pgid := p.cmd.Process.Pid // the child leads its own group (Setpgid)
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("SIGTERM %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("SIGKILL %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, pgid)
	}
}

// logTail returns the last n bytes of the child's log, for error messages.
func (p *process) logTail(n int64) string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := st.Size() - n
	if off < 0 {
		off = 0
	}
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil {
		return ""
	}
	return string(buf)
}

// Process is a child started by StartProcess: the same process-group and
// parent-death handling as etcd and kube-apiserver, for the other components
// a test starts next to the control plane (internal/sim).
type Process struct{ p *process }

// StartProcess starts bin with args in its own process group, stdout and
// stderr to logPath. The child sees only PATH, HOME (the temp directory) and
// env.
func StartProcess(name, logPath, bin string, args, env []string) (*Process, error) {
	p, err := startProcess(name, logPath, bin, args, env)
	if err != nil {
		return nil, err
	}
	return &Process{p: p}, nil
}

// Pid is the child's process id (and process group id).
func (p *Process) Pid() int { return p.p.cmd.Process.Pid }

// Done is closed once the child has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.p.done }

// ExitErr is how the child ended; valid once Done is closed.
func (p *Process) ExitErr() error { return p.p.waitErr }

// LogPath is the file holding the child's output.
func (p *Process) LogPath() string { return p.p.logPath }

// LogTail returns the last n bytes of the child's log.
func (p *Process) LogTail(n int64) string { return p.p.logTail(n) }

// Stop sends SIGTERM to the child's process group, then SIGKILL after
// grace. Safe to call on an exited child.
func (p *Process) Stop(grace time.Duration) error { return p.p.stop(grace) }
