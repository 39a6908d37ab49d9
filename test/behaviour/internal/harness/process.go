package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// Process is a child running in its own process group, with stdout and
// stderr captured together.
type Process struct {
	Name string
	cmd  *exec.Cmd
	out  lockedBuffer
	done chan struct{} // closed once the child has been reaped
	err  error         // valid after done is closed
	end  time.Time     // valid after done is closed
}

// Start starts cmd. The child leads a new process group, so Stop can end
// everything it spawned (a script's sleep, PostgreSQL's backends), and it
// gets SIGKILL if the test binary dies without running its cleanups (a
// panic, the go test -timeout alarm).
//
// Pdeathsig fires when the thread that forked the child exits, and the Go
// runtime may retire threads; so the fork happens on a goroutine locked to
// its thread that lives as long as the child does.
func Start(name string, cmd *exec.Cmd) (*Process, error) {
	p := &Process{Name: name, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout = &p.out
	cmd.Stderr = &p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// An orphaned grandchild holding the output pipe must not block Wait.
	cmd.WaitDelay = 2 * time.Second
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked on purpose, see above
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		p.end = time.Now()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return p, nil
}

// Done is closed when the child has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the child has exited and, if so, its exit code
// (-1 when a signal ended it).
func (p *Process) Exited() (code int, exited bool) {
	select {
	case <-p.done:
	default:
		return 0, false
	}
	var ee *exec.ExitError
	if p.err != nil && !errors.As(p.err, &ee) {
		return -1, true
	}
	return p.cmd.ProcessState.ExitCode(), true
}

// ExitTime is when the child was reaped; zero while it runs.
func (p *Process) ExitTime() time.Time {
	select {
	case <-p.done:
		return p.end
	default:
		return time.Time{}
	}
}

// WaitFor waits at most d (none if d <= 0) for the child to exit and
// reports whether it has. A child that has exited always reports true, even
// with the time up: select would pick between two ready cases at random.
func (p *Process) WaitFor(d time.Duration) bool {
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
		}
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output is what the child has printed so far.
func (p *Process) Output() string { return p.out.String() }

// Stop sends sig (if not nil) to the child alone, so a server can shut
// down cleanly and stop its own children, waits at most grace, then
// SIGKILLs the whole process group and waits for the child to be reaped.
func (p *Process) Stop(sig os.Signal, grace time.Duration) error {
	if _, exited := p.Exited(); exited {
		return nil
	}
	pid := p.cmd.Process.Pid
	if sig != nil {
		if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("signal %s: %w", p.Name, err)
		}
		if p.WaitFor(grace) {
			return nil
		}
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("SIGKILL %s: %w", p.Name, err)
	}
	if !p.WaitFor(10 * time.Second) {
		return fmt.Errorf("%s (pid %d) still running 10s after SIGKILL", p.Name, pid)
	}
	return nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is what every test server shares: its process, once started, and
// the lock that guards it.
type server struct {
	mu   sync.Mutex
	proc *Process
}

// stop sends sig, then SIGKILL after a grace period. Stopping a server
// that never started, or twice, is fine.
func (s *server) stop(sig os.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	return s.proc.Stop(sig, 10*time.Second)
}

// Log is what the server has logged so far.
func (s *server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return ""
	}
	return s.proc.Output()
}
