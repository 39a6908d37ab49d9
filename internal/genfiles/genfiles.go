package genfiles

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// File is one generated file. Path is slash-separated and relative to the
// root the file is planned against, so the same File can be planned
// against golden/ in the repository and a temporary directory in a test.
type File struct {
	Path string
	Data []byte
}

// Owner is one generator's claim on files under a root.
type Owner struct {
	// Name names the generator in errors, for the person who has to move
	// a file out of its way.
	Name string
	// Owns reports whether data, read from path (slash-separated, relative
	// to the root), was written by this generator. Only such files are
	// overwritten or removed; the predicate is the whole difference
	// between a generated file and somebody else's.
	Owns func(path string, data []byte) bool
	// Dirs are the directories, slash-separated and relative to the root,
	// searched for files the generator no longer produces; empty means
	// the whole root. A generator that shares its root with other files
	// (schemagen shares schemas/ with Go sources and the config schema)
	// names its own directories, so it never reads, let alone removes,
	// anything beside them.
	Dirs []string
}

// Plan is what writing a set of files would change under a root.
type Plan struct {
	// Write are the files that are new or differ from disk, by path.
	Write []File
	// Unchanged are the paths of the files that disk already holds byte
	// for byte. Apply leaves them alone; Owner.Swap links them into the
	// new tree instead of writing them again.
	Unchanged []string
	// Remove are the owned files under Owner.Dirs that are no longer
	// produced, by path: removing them is how their consumers (Flux, the
	// schema index) learn that they are gone.
	Remove []string
	// Foreign are the files under Owner.Dirs that the generator neither
	// produces nor owns. They are kept; callers report them, since nothing
	// the generator writes refers to them.
	Foreign []string
}

// NotOwnedError is returned by Owner.Plan when a desired file would
// replace a file the generator does not own.
type NotOwnedError struct {
	Path  string // as found on disk, root included
	Owner string // Owner.Name
}

func (e *NotOwnedError) Error() string {
	return fmt.Sprintf("%s exists and was not written by %s; move it away: it is never overwritten", e.Path, e.Owner)
}

// Plan compares files with the tree under root without changing anything.
// A missing root is an empty tree.
func (o Owner) Plan(root string, files []File) (*Plan, error) {
	if o.Owns == nil {
		return nil, errors.New("genfiles: Owner.Owns is nil")
	}
	want := make(map[string]bool, len(files))
	plan := &Plan{}
	for _, f := range files {
		// Checked here, before any I/O, so a generator bug can never write
		// or read outside root.
		if !fs.ValidPath(f.Path) || f.Path == "." {
			return nil, fmt.Errorf("generated file %q: want a slash-separated path inside the output directory", f.Path)
		}
		if want[f.Path] {
			return nil, fmt.Errorf("%s is generated twice", f.Path)
		}
		want[f.Path] = true
		dst := filepath.Join(root, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(dst)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		// Ownership before equality: a desired file that the predicate
		// would not recognise is a generator bug, and it should fail on
		// the first run rather than when the content first changes.
		case !o.Owns(f.Path, old):
			return nil, &NotOwnedError{Path: dst, Owner: o.Name}
		case bytes.Equal(old, f.Data):
			plan.Unchanged = append(plan.Unchanged, f.Path)
			continue
		}
		plan.Write = append(plan.Write, f)
	}
	slices.SortFunc(plan.Write, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(plan.Unchanged)

	dirs := o.Dirs
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	seen := map[string]bool{} // Dirs may overlap
	for _, dir := range dirs {
		if err := o.scan(root, dir, want, seen, plan); err != nil {
			return nil, err
		}
	}
	slices.Sort(plan.Remove)
	slices.Sort(plan.Foreign)
	return plan, nil
}

// scan sorts every file under root/dir that is not wanted into
// plan.Remove or plan.Foreign.
func (o Owner) scan(root, dir string, want, seen map[string]bool, plan *Plan) error {
	top := filepath.Join(root, filepath.FromSlash(dir))
	return filepath.WalkDir(top, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == top {
			return fs.SkipAll // nothing generated here yet
		}
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if want[rel] || seen[rel] {
			return nil
		}
		seen[rel] = true
		// A symlink or device is never something a generator wrote: Apply
		// only ever creates regular files.
		if !e.Type().IsRegular() {
			plan.Foreign = append(plan.Foreign, rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if o.Owns(rel, data) {
			plan.Remove = append(plan.Remove, rel)
		} else {
			plan.Foreign = append(plan.Foreign, rel)
		}
		return nil
	})
}

// Empty reports whether disk already matches: nothing to write or remove.
// Foreign files do not count; they are never changed.
func (p *Plan) Empty() bool { return len(p.Write) == 0 && len(p.Remove) == 0 }

// Changes lists every path the plan writes or removes, sorted, for a
// --check mode to print.
func (p *Plan) Changes() []string {
	out := make([]string, 0, len(p.Write)+len(p.Remove))
	for _, f := range p.Write {
		out = append(out, f.Path)
	}
	out = append(out, p.Remove...)
	slices.Sort(out)
	return out
}

// Apply carries the plan out under root: writes first, each atomically,
// then removals, each followed by removing the directories it emptied (up
// to, not including, root). Writing first means a failed run leaves at
// worst extra files, never a gap in what was there before; but a run
// killed midway leaves some files new and some old. A generator that owns
// its whole root uses Owner.Swap, which does not.
func (p *Plan) Apply(root string) error {
	for _, f := range p.Write {
		if err := WriteAtomic(filepath.Join(root, filepath.FromSlash(f.Path)), f.Data, 0o644); err != nil {
			return err
		}
	}
	for _, rel := range p.Remove {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			return err
		}
		pruneEmptyDirs(root, path.Dir(rel))
	}
	return nil
}

// WriteAtomic replaces dst with data: a temporary file in the same
// directory (so the rename stays on one filesystem), written, synced and
// given perm, then renamed over dst. A reader, or a run killed halfway,
// sees the old file or the new one, never a part. The directory is created
// when missing.
func WriteAtomic(dst string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	// CreateTemp makes the file 0600; generated files are read by tools
	// and people alike.
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

// pruneEmptyDirs removes dir (slash-separated, relative to root) and its
// parents below root for as long as they are empty. os.Remove refuses a
// directory that is not empty, which is exactly the test wanted: a
// directory that still holds anything, foreign files included, stays.
func pruneEmptyDirs(root, dir string) {
	for ; dir != "." && dir != "/"; dir = path.Dir(dir) {
		if os.Remove(filepath.Join(root, filepath.FromSlash(dir))) != nil {
			return
		}
	}
}
