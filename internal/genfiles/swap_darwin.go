//go:build darwin

package genfiles

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps the directories staging and root in one step,
// renamex_np(RENAME_SWAP): there is no moment at which root is missing or
// half of either. It returns where the old tree is now: staging.
//
// A filesystem without the swap (ENOTSUP, EINVAL) gets renameAside,
// which is not atomic.
func exchange(staging, root string) (oldTree string, err error) {
	err = unix.RenamexNp(staging, root, unix.RENAME_SWAP)
	switch {
	case errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EINVAL):
		return renameAside(staging, root)
	case err != nil:
		return "", &os.LinkError{Op: "renamex_np RENAME_SWAP", Old: staging, New: root, Err: err}
	}
	return staging, nil
}
