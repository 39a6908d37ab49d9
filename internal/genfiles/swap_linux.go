//go:build linux

package genfiles

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps the directories staging and root in one step,
// renameat2(RENAME_EXCHANGE): there is no moment at which root is missing
// or half of either. It returns where the old tree is now: staging.
//
// Kernels before 3.15 (ENOSYS) and filesystems without the exchange
// (EINVAL: some network and FUSE ones) get renameAside, which is not
// atomic.
func exchange(staging, root string) (oldTree string, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, staging, unix.AT_FDCWD, root, unix.RENAME_EXCHANGE)
	switch {
	case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL):
		return renameAside(staging, root)
	case err != nil:
		return "", &os.LinkError{Op: "renameat2 RENAME_EXCHANGE", Old: staging, New: root, Err: err}
	}
	return staging, nil
}
