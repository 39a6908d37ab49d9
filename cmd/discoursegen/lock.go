package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"discoursegen.dev/discoursegen/internal/lock"
)

// lockOutput serializes generate runs that write out. The lock is on the
// directory that holds out (the repository root, for golden/), not on out
// itself: every write replaces out with a new directory (golden.Swap), so
// a lock on it would be on a directory that is gone after the first write,
// and a second run would lock the new one and not wait. The parent stays,
// and it is where the staging directories live, whose leftovers a run
// removes while it holds the lock. A lock on a directory needs no lock
// file to create, ignore in git or clean up after a killed run: the kernel
// drops the lock with the process.
//
// A writing run locks exclusively. A --check run only reads, but it locks
// too, shared: it then compares with a whole tree, before or after a
// concurrent write, never a tree being swapped under its walk; any number
// of checks run together. A check on an out whose parent does not exist
// has nothing to read and takes no lock; a writing run creates the parent.
//
// When another run holds the lock, lockOutput says so on stderr, naming
// the output as shown (relative to the repository), and waits: a run that
// seems to hang names the reason.
func lockOutput(out, shown string, check bool, stderr io.Writer) (*lock.Held, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(abs)
	// Only a writer holds the lock exclusively, so a check waits only for
	// writers, and a writer for either.
	mode, orChecking := lock.Exclusive, " or checking it"
	if check {
		mode, orChecking = lock.Shared, ""
		if _, err := os.Stat(parent); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	} else if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	return lock.Dir(parent, mode, func() {
		fmt.Fprintf(stderr, "another discoursegen generate is writing %s%s; waiting for it to finish (it holds the lock on %s)\n", shown+"/", orChecking, parent)
	})
}
