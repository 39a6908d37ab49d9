package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"discoursegen.dev/discoursegen/internal/lock"
)

// watchedWriter collects what a run writes from another goroutine, and
// closes seen once the text holds want.
type watchedWriter struct {
	want string
	seen chan struct{}

	mu   sync.Mutex
	text strings.Builder
}

func newWatchedWriter(want string) *watchedWriter {
	return &watchedWriter{want: want, seen: make(chan struct{})}
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	hadIt := strings.Contains(w.text.String(), w.want)
	w.text.Write(p)
	if !hadIt && strings.Contains(w.text.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *watchedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.String()
}

// TestGenerateWaitsForTheLock holds the lock a run of generate takes (on
// the directory holding golden/; a second open in this process conflicts
// like another process) and runs generate: a writing run waits for any
// holder, saying so, and finishes only after the release; a --check waits
// for a writer but not for another check.
func TestGenerateWaitsForTheLock(t *testing.T) {
	if !lock.Supported {
		t.Skip("generate takes no lock on this system")
	}
	tests := []struct {
		name  string
		held  lock.Mode
		args  []string
		waits string // the message it prints, or "" when it must not wait
	}{
		{"generate waits for generate", lock.Exclusive, nil, "another discoursegen generate is writing golden/ or checking it; waiting"},
		{"generate waits for a check", lock.Shared, nil, "another discoursegen generate is writing golden/ or checking it; waiting"},
		{"a check waits for generate", lock.Exclusive, []string{"--check"}, "another discoursegen generate is writing golden/; waiting"},
		{"checks run together", lock.Shared, []string{"--check"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := sandbox(t)
			out := filepath.Join(root, "golden")
			held, err := lock.Dir(root, tt.held, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { held.Release() })

			stderr := newWatchedWriter("waiting")
			done := make(chan int, 1)
			go func() {
				var stdout bytes.Buffer
				args := append([]string{"generate", "--clusters", filepath.Join(root, "clusters"), "--out", out}, tt.args...)
				done <- run(args, &stdout, stderr)
			}()

			var code int
			select {
			case <-stderr.seen:
				if tt.waits == "" {
					t.Errorf("a check waited for another check:\n%s", stderr)
					held.Release()
					<-done
					return
				}
			case code = <-done:
				if tt.waits != "" {
					t.Fatalf("ran (exit %d) while the lock was held, without waiting:\n%s", code, stderr)
				}
				// The check is not blocked by another; golden/ does not
				// exist, so it finds everything to write.
				if code != 1 {
					t.Errorf("--check on an empty tree: exit %d, want 1\n%s", code, stderr)
				}
				return
			}
			if !strings.Contains(stderr.String(), tt.waits) {
				t.Errorf("stderr lacks %q:\n%s", tt.waits, stderr)
			}
			// It said it waits, and it does: it has neither finished nor
			// written anything while the lock is held.
			select {
			case code := <-done:
				t.Fatalf("finished (exit %d) while the lock was held:\n%s", code, stderr)
			default:
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("golden/ was written while the lock was held")
			}
			if err := held.Release(); err != nil {
				t.Fatal(err)
			}
			code = <-done
			want, wantOut := 0, true
			if len(tt.args) > 0 {
				want, wantOut = 1, false // a check of a tree that does not exist yet
			}
			if code != want {
				t.Errorf("exit %d after the release, want %d\n%s", code, want, stderr)
			}
			if _, err := os.Stat(filepath.Join(out, "production")); (err == nil) != wantOut {
				t.Errorf("golden/production after the run: %v, want it written: %v", err, wantOut)
			}
		})
	}
}
