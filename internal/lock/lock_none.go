//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lock

import (
	"fmt"
	"os"
)

// Supported reports whether Dir really locks on this system: not here
// (Windows, plan9, wasm and the unix systems without a flock x/sys
// exposes). Runs are not serialized.
const Supported = false

// Held stands for a lock that was not taken.
type Held struct{}

// Dir only checks that dir is a directory: this system has no lock Dir
// uses, so it never waits, and never calls waiting.
func Dir(dir string, mode Mode, waiting func()) (*Held, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("locking %s: not a directory", dir)
	}
	return &Held{}, nil
}

// Release does nothing: nothing was locked.
func (h *Held) Release() error { return nil }
