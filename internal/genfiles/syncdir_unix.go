//go:build unix

package genfiles

import "os"

// syncDir makes dir's entries durable (fsync of the directory), so a file
// created or renamed in it survives a power loss, not only a killed
// process.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
