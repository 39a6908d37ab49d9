//go:build linux || darwin

package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// describeTree describes dir and everything under it: each directory
// with its mode, each file with its mode and content, so two trees compare
// by every path, mode and byte.
func describeTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = fmt.Sprintf("%v %s", info.Mode(), data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// startGenerate starts the built discoursegen generate on the sandbox
// root in a process group of its own, so that killing the group kills the
// exec functions kustomize runs too. The group is killed and reaped when
// the test ends, whatever happened.
func startGenerate(t *testing.T, root string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(builtBinary, "generate", "--clusters", filepath.Join(root, "clusters"), "--out", filepath.Join(root, "golden"))
	cmd.Dir = root
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Once reaped, its process group id may be another's.
		if cmd.ProcessState == nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
		}
	})
	return cmd, &output
}

// TestGenerateSurvivesKill kills the real discoursegen generate with
// SIGKILL after a range of delays, spread over a whole run, while it
// writes a new release into golden/, and checks after each kill that
// golden/ is exactly the old tree or exactly the new one. Where each kill
// lands depends on timing, so this only adds to genfiles'
// TestSwapSurvivesKill, which stops the swap at every step; it proves the
// binary uses the swap, the lock and the clean-up as a whole.
func TestGenerateSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs generate some 30 times")
	}
	root := sandbox(t)
	out := filepath.Join(root, "golden")
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	pristine := filepath.Join(t.TempDir(), "golden")
	if err := os.CopyFS(pristine, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	restore := func() map[string]string {
		t.Helper()
		if err := os.RemoveAll(out); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(out, os.DirFS(pristine)); err != nil {
			t.Fatal(err)
		}
		return describeTree(t, out)
	}

	// A new release changes the Deployments and renames both migration
	// Jobs: files change, appear and go.
	edit(t, filepath.Join(root, "clusters", "production", "site", "release.yaml"), "tag: v2026.1.0", "tag: v2026.2.0")

	old := restore()
	cmd, output := startGenerate(t, root)
	started := time.Now()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("generate: %v\n%s", err, output)
	}
	// Only to spread the kills over a run; no assertion depends on it.
	runTime := time.Since(started)
	want := describeTree(t, out)
	if diff := cmp.Diff(old, want); diff == "" {
		t.Fatal("the new release changed nothing in golden/")
	}

	// kill runs generate on the old tree, kills it when trigger returns
	// (trigger gets a channel that is closed when the run has ended on
	// its own), and checks golden/.
	outcomes := map[string]int{}
	kill := func(how string, trigger func(ended <-chan struct{})) {
		t.Helper()
		old := restore()
		cmd, output := startGenerate(t, root)
		ended := make(chan struct{})
		var waitErr error
		go func() {
			waitErr = cmd.Wait()
			close(ended)
		}()
		trigger(ended)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-ended
		got := describeTree(t, out)
		switch {
		case cmp.Equal(got, old):
			outcomes["old"]++
		case cmp.Equal(got, want):
			outcomes["new"]++
		default:
			t.Errorf("killed %s (%v), golden/ is neither tree:\nagainst the old one (-old +got):\n%s\nagainst the new one (-new +got):\n%s\noutput:\n%s",
				how, waitErr, cmp.Diff(old, got), cmp.Diff(want, got), output)
		}
	}

	// Kills after delays spread over a whole run, from before it reads
	// anything to after it is done.
	const timedKills = 25
	for i := range timedKills {
		delay := runTime * time.Duration(i) / (timedKills - 5)
		kill(fmt.Sprintf("after %v", delay), func(ended <-chan struct{}) {
			select {
			case <-time.After(delay):
			case <-ended:
			}
		})
	}
	// Kills as soon as the first file of the new tree shows in golden/,
	// which is when a run writing file by file has written some files and
	// not others; a swap shows the new tree whole.
	var firstNew string
	for p := range want {
		if _, ok := old[p]; !ok && !strings.HasSuffix(p, "/") && (firstNew == "" || p < firstNew) {
			firstNew = p
		}
	}
	for range 5 {
		kill("when "+firstNew+" appeared", func(ended <-chan struct{}) {
			for {
				select {
				case <-ended:
					return
				default:
				}
				if _, err := os.Lstat(filepath.Join(out, filepath.FromSlash(firstNew))); err == nil {
					return
				}
			}
		})
	}
	t.Logf("killed over a run of %v: %v", runTime, outcomes)

	// The next run finishes the job and removes what the killed ones
	// left, all of it generated or linked, so without a warning.
	restore()
	code, _, stderr := generate(t, root)
	if code != 0 {
		t.Fatalf("generate after the kills: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("generate after the kills warned:\n%s", stderr)
	}
	if diff := cmp.Diff(want, describeTree(t, out)); diff != "" {
		t.Errorf("golden/ after the kills and a clean run (-want +got):\n%s", diff)
	}
	if left := leftoverNames(t, root); len(left) > 0 {
		t.Errorf("left beside golden/ after a clean run: %v", left)
	}
}
