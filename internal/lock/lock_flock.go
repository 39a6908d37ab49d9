//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lock

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Supported reports whether Dir really locks on this system.
const Supported = true

// Held is a lock this process holds until Release, or until it exits.
type Held struct {
	dir *os.File
}

// Dir locks the directory dir, which must exist, in mode. When another
// process (or another open in this one) holds a lock that conflicts,
// Dir calls waiting, if not nil, once, and then blocks until that lock is
// released.
func Dir(dir string, mode Mode, waiting func()) (*Held, error) {
	// Read-only is enough: flock, unlike fcntl locks, does not care how
	// the file was opened, and a directory cannot be opened for writing.
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	how := unix.LOCK_SH
	if mode == Exclusive {
		how = unix.LOCK_EX
	}
	fd := int(f.Fd())
	err = flock(fd, how|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		if waiting != nil {
			waiting()
		}
		err = flock(fd, how)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s (%s): %w", dir, mode, err)
	}
	return &Held{dir: f}, nil
}

// flock is flock(2), tried again when a signal interrupts it: the Go
// runtime signals its threads (preemption), and a blocked flock returns
// EINTR then.
func flock(fd, how int) error {
	for {
		if err := unix.Flock(fd, how); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// Release releases the lock; closing the only descriptor of the open
// directory is what releases a flock. A nil Held releases nothing.
func (h *Held) Release() error {
	if h == nil || h.dir == nil {
		return nil
	}
	err := h.dir.Close()
	h.dir = nil
	return err
}
