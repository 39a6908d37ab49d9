//go:build !linux

package genfiles

import (
	"io/fs"
	"path/filepath"
)

// syncTree makes every file and directory written under dir durable
// before the swap publishes them: here, without syncfs(2), by an fsync of
// each file and each directory.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return syncDir(p)
		case !d.Type().IsRegular():
			return nil
		}
		return fsync(p)
	})
}
