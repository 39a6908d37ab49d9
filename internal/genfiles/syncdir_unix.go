//go:build unix

package genfiles

// syncDir makes dir's entries durable (fsync of the directory), so a file
// created or renamed in it survives a power loss, not only a killed
// process.
func syncDir(dir string) error { return fsync(dir) }
