//go:build !unix

package genfiles

// syncDir does nothing here: Windows and the other systems without unix
// semantics cannot sync a directory opened for reading. A killed process
// is still safe (the kernel has every rename); a power loss may lose the
// last renames.
func syncDir(dir string) error { return nil }
