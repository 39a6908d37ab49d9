//go:build !linux && !darwin

package genfiles

// exchange has no atomic directory exchange to use on this system (the
// BSDs, Windows and the rest lack one that x/sys exposes): it is
// renameAside, two renames with a moment between them at which root does
// not exist. A run killed there leaves the old and the new tree beside a
// missing root; see renameAside.
func exchange(staging, root string) (oldTree string, err error) {
	return renameAside(staging, root)
}
