package genfiles

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree makes every file and directory written under dir durable
// before the swap publishes them. One syncfs(2) of dir's filesystem does
// what an fsync of each file and each directory would, at the cost of one
// call instead of one per file: a fleet's output is tens of thousands of
// files, and their fsyncs were most of the time generate spent writing.
func syncTree(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = unix.Syncfs(int(f.Fd()))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
