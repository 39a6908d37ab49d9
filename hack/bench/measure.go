package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// job is one side of a row: a name and how to prepare one run of it.
type job struct {
	name string
	// setup prepares one run (fresh directories and the like); its cost
	// is not timed.
	setup func() (*run, error)
}

// run is one prepared process. measure sets its stdout and stderr.
type run struct {
	cmd *exec.Cmd
	// check judges a run that exited 0, from its output; an error makes
	// the whole side of the row an error, so a broken run is never timed
	// as a fast one.
	check func(stdout, stderr []byte) error
	// cleanup, if set, runs after the check.
	cleanup func()
}

// measure runs each job once untimed (the warm-up: page cache, the
// binaries' first load), then runs times each, interleaved (A B A B …) so
// that a slow moment of the machine hits every side alike. It gives up on
// the row at timeout after its start: the job running then reports
// "timeout", the others keep what they have. A job whose run fails is
// dropped from the rest of the row and reports the error.
func measure(jobs []job, runs int, timeout time.Duration, progress func(string)) []result {
	results := make([]result, len(jobs))
	for i, j := range jobs {
		results[i].Name = j.name
	}
	deadline := time.Now().Add(timeout)
	for round := 0; round <= runs; round++ {
		for i, j := range jobs {
			if results[i].Err != "" {
				continue
			}
			wall, rss, err := once(j, deadline)
			switch {
			case errors.Is(err, errTimeout):
				results[i].Err = fmt.Sprintf("timeout (%s for the row)", timeout)
				progress(fmt.Sprintf("%s: timeout after %s", j.name, timeout))
				return results
			case err != nil:
				results[i].Err = "error: " + err.Error()
				progress(fmt.Sprintf("%s: %v", j.name, err))
				continue
			}
			if round == 0 {
				progress(fmt.Sprintf("%s: warm-up %s", j.name, formatDuration(wall)))
				continue
			}
			results[i].Walls = append(results[i].Walls, wall)
			results[i].RSS = append(results[i].RSS, rss)
		}
	}
	return results
}

var errTimeout = errors.New("timeout")

// once prepares, runs, checks and cleans up one run of j. The process
// gets its own process group, so that a timeout kills what it started
// too (kustomize's exec functions).
func once(j job, deadline time.Time) (time.Duration, int64, error) {
	r, err := j.setup()
	if err != nil {
		return 0, 0, fmt.Errorf("setup: %w", err)
	}
	if r.cleanup != nil {
		defer r.cleanup()
	}
	remaining := time.Until(deadline)
	if remaining <= 0 {
		return 0, 0, errTimeout
	}
	var stdout, stderr bytes.Buffer
	r.cmd.Stdout, r.cmd.Stderr = &stdout, &stderr
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r.cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	if err := r.cmd.Start(); err != nil {
		return 0, 0, err
	}
	timedOut := make(chan struct{})
	pid := r.cmd.Process.Pid
	timer := time.AfterFunc(remaining, func() {
		close(timedOut)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	})
	waitErr := r.cmd.Wait()
	wall := time.Since(start)
	stopped := timer.Stop()
	if !stopped {
		<-timedOut
		return 0, 0, errTimeout
	}
	if waitErr != nil {
		return 0, 0, fmt.Errorf("%s: %w%s", commandLine(r.cmd), waitErr, tail(stderr.Bytes()))
	}
	var rss int64
	if ru, ok := r.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// ru_maxrss of a reaped child: the largest resident set of it and
		// of the descendants it waited for, in KiB on Linux.
		rss = ru.Maxrss
	}
	if r.check != nil {
		if err := r.check(stdout.Bytes(), stderr.Bytes()); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", commandLine(r.cmd), err)
		}
	}
	return wall, rss, nil
}

// commandLine names a command for an error: its program and first
// arguments, not the thousands of file names a validate run gets.
func commandLine(c *exec.Cmd) string {
	args := c.Args
	more := ""
	if len(args) > 4 {
		more = fmt.Sprintf(" … (%d arguments)", len(args)-1)
		args = args[:4]
	}
	return strings.Join(args, " ") + more
}

// tail is the last lines of a failed run's stderr, for the error.
func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	s = strings.Join(lines, " / ")
	if len(s) > 400 {
		s = "…" + s[len(s)-400:]
	}
	return ": " + s
}
