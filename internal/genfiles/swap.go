package genfiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// stagingInfix is in the name of every directory Swap builds a tree in,
// ".<root's name>.discoursegen-<number>": hidden, beside the root, and
// saying which tool left it, for whoever finds one after a killed run.
const stagingInfix = ".discoursegen-"

// stagingPattern is the os.MkdirTemp pattern of root's staging
// directories.
func stagingPattern(root string) string {
	return "." + filepath.Base(root) + stagingInfix + "*"
}

// isStagingName reports whether name is one os.MkdirTemp makes of
// stagingPattern(root): the prefix, then a decimal number. Nothing else
// beside root is ever taken for a leftover of a killed run.
func isStagingName(root, name string) bool {
	number, ok := strings.CutPrefix(name, "."+filepath.Base(root)+stagingInfix)
	return ok && number != "" && strings.Trim(number, "0123456789") == ""
}

// testStep is called at each point of Swap where a killed run leaves
// something different behind. Only the kill test's helper process sets
// it, to stop there and be killed.
var testStep func(step string)

func reached(step string) {
	if testStep != nil {
		testStep(step)
	}
}

// Swap makes root hold exactly the tree plan leads to, and a run killed at
// any moment leaves root as the old tree or the new one, never a mix.
//
// It builds the whole new tree in a staging directory beside root (on the
// same filesystem, so the last step is a rename): the files plan writes,
// written and synced; the files disk already holds, hard-linked from
// root; and plan's Foreign files, hard-linked too (copied, mode kept, where
// the filesystem has no hard links), so a file the generator did not
// write is never lost. Then it exchanges the staging directory with root
// in one rename (exchange), and removes the staging directory, which now
// holds the old tree. A missing root is a plain rename. An empty plan
// writes nothing and swaps nothing.
//
// The staging directories of an earlier run that was killed are removed
// first, under the same rule as the old tree: a file in one is deleted
// only if it carries the generator's mark (Owns) or is the very file
// (os.SameFile) at the same path in root, or, for the old tree of this
// run, an identical copy of it that this run made where a hard link
// failed. Any other file is kept where it is and returned in kept, for
// the caller to report; nothing Swap cannot prove is its own or another
// name of a live file is deleted.
//
// Swap replaces the whole root, so o must own all of it (no Dirs), and
// the plan must be made against root just before, by a caller that keeps
// other writers out meanwhile (cmd/discoursegen takes a lock). Directories
// holding nothing are not carried into the new tree: git does not keep
// them either.
func (o Owner) Swap(root string, plan *Plan) (kept []string, err error) {
	if o.Owns == nil {
		return nil, errors.New("genfiles: Owner.Owns is nil")
	}
	if len(o.Dirs) != 0 {
		return nil, fmt.Errorf("genfiles: %s shares %s with other files (Owner.Dirs); Swap replaces the whole directory, use Plan.Apply", o.Name, root)
	}
	info, err := os.Lstat(root)
	exists := err == nil
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	case !info.IsDir():
		// A symbolic link would be swapped itself, and its target left
		// behind as the "old tree".
		return nil, fmt.Errorf("%s is not a directory (%s); %s writes only a real directory", root, info.Mode().Type(), o.Name)
	}
	kept, err = o.removeLeftovers(root)
	if err != nil || plan.Empty() {
		return kept, err
	}
	// The new root keeps the old one's permissions; MkdirTemp makes 0700.
	perm := fs.FileMode(0o755)
	if exists {
		perm = info.Mode().Perm()
	} else if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
		return kept, err
	}
	staging, err := os.MkdirTemp(filepath.Dir(root), stagingPattern(root))
	if err != nil {
		return kept, err
	}
	staging = filepath.Clean(staging) // "./.golden..." reads badly in a warning
	reached("staging directory created")
	// copied are the files stage carried by copying, not linking; the
	// two copies are not one file, but deleting one of them loses nothing.
	copied := map[string]bool{}
	// failed removes what this run staged, under the usual rule, and
	// reports err with whatever had to be kept.
	failed := func(err error) ([]string, error) {
		left, cerr := o.removeStaging(root, staging, copied)
		return append(kept, left...), errors.Join(err, cerr)
	}
	if err := stage(root, staging, plan, perm, copied); err != nil {
		return failed(err)
	}
	reached("swap")
	oldTree := ""
	if exists {
		oldTree, err = exchange(staging, root)
	} else {
		err = os.Rename(staging, root)
	}
	if err != nil {
		return failed(err)
	}
	reached("swapped")
	if err := syncDir(filepath.Dir(root)); err != nil {
		return kept, fmt.Errorf("%s is written, but syncing its parent failed: %w", root, err)
	}
	if oldTree == "" {
		return kept, nil
	}
	reached("cleanup")
	left, err := o.removeStaging(root, oldTree, copied)
	return append(kept, left...), err
}

// stage builds the tree plan leads to in staging: the files plan writes,
// then those already on disk and the foreign ones, linked from root (and
// added to copied where they had to be copied); then it syncs the tree
// (syncTree), so that after the swap the new tree is on disk as a whole,
// and gives staging root's permissions.
func stage(root, staging string, plan *Plan, perm fs.FileMode, copied map[string]bool) error {
	// made are the directories already made: a fleet's output is tens of
	// thousands of files in a few thousand directories, and asking for
	// each file's directory again costs a stat per file.
	made := map[string]bool{}
	for _, f := range plan.Write {
		dst := filepath.Join(staging, filepath.FromSlash(f.Path))
		if dir := filepath.Dir(dst); !made[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			made[dir] = true
		}
		if err := writeNew(dst, f.Data); err != nil {
			return err
		}
		reached("staged " + f.Path)
	}
	for _, paths := range [][]string{plan.Unchanged, plan.Foreign} {
		for _, p := range paths {
			rel := filepath.FromSlash(p)
			linked, err := carry(filepath.Join(root, rel), filepath.Join(staging, rel))
			if err != nil {
				return err
			}
			if !linked {
				copied[p] = true
			}
			reached("staged " + p)
		}
	}
	if err := syncTree(staging); err != nil {
		return err
	}
	return os.Chmod(staging, perm)
}

// writeNew creates dst, which must not exist and whose directory must,
// holding data, mode 0644 whatever the umask: generated files are read
// by tools and people alike.
func writeNew(dst string, data []byte) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

// fsync opens path, a file or a directory, and syncs it to disk.
func fsync(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// hardLink is os.Link; a test replaces it to take carry's fallback.
var hardLink = os.Link

// carry makes dst a second name of src (a hard link: no copy, the same
// file, nothing to sync) and reports linked, or, where the filesystem
// refuses, a copy with src's mode. A symbolic link is carried as the
// link, never its target.
func carry(src, dst string) (linked bool, err error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, err
	}
	linkErr := hardLink(src, dst)
	if linkErr == nil {
		return true, nil
	}
	info, err := os.Lstat(src)
	if err != nil {
		return false, err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return false, err
		}
		return false, os.Symlink(target, dst)
	case info.Mode().IsRegular():
		return false, copyFile(src, dst, info.Mode())
	}
	return false, fmt.Errorf("keeping %s: %w (and a %s cannot be copied)", src, linkErr, info.Mode().Type())
}

// copyFile copies the regular file src to dst, which must not exist,
// with mode's permission bits (stage syncs the tree after).
func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Chmod(mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky))
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// renameAside is the swap where the system has no exchange: root is
// renamed to a fresh staging name beside it, then staging to root. It is
// NOT atomic: between the two renames root does not exist, and a run
// killed there leaves no root, the old tree and the new one beside it. The
// next run removes their generated files and warns about, and keeps, any
// other (foreign files are then not the same file as one in root, which is
// gone), and writes a new root.
func renameAside(staging, root string) (oldTree string, err error) {
	aside, err := os.MkdirTemp(filepath.Dir(root), stagingPattern(root))
	if err != nil {
		return "", err
	}
	// rename(2) would replace the empty directory on unix but not on
	// Windows: only the name is wanted.
	if err := os.Remove(aside); err != nil {
		return "", err
	}
	if err := os.Rename(root, aside); err != nil {
		return "", err
	}
	if err := os.Rename(staging, root); err != nil {
		if rerr := os.Rename(aside, root); rerr != nil {
			return "", fmt.Errorf("%w; putting the old tree back failed too, it is in %s: %w", err, aside, rerr)
		}
		return "", err
	}
	return aside, nil
}

// removeLeftovers removes the staging directories of root that a killed
// run left, under removeStaging's rule.
func (o Owner) removeLeftovers(root string) (kept []string, err error) {
	parent := filepath.Dir(root)
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		// IsDir is the entry's own type: a symbolic link with a staging
		// name is not followed, and not taken for a leftover.
		if !e.IsDir() || !isStagingName(root, e.Name()) {
			continue
		}
		left, err := o.removeStaging(root, filepath.Join(parent, e.Name()), nil)
		kept = append(kept, left...)
		if err != nil {
			return kept, err
		}
	}
	return kept, nil
}

// removeStaging removes a staging directory of root, or what is left of
// one: a tree being built, or an old tree after the swap. A file in it is
// deleted only if it carries the generator's mark or is the file at the
// same path in root (os.SameFile: a hard link Swap made), or, for a path
// in copied (this run's copies, where hard links failed), is identical to
// it; any other file, and the directories holding it, stay, and the file
// is returned in kept.
func (o Owner) removeStaging(root, dir string, copied map[string]bool) (kept []string, err error) {
	var dirs []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		mine, err := o.disposable(root, p, rel, copied[rel])
		if err != nil {
			return err
		}
		if !mine {
			kept = append(kept, p)
			return nil
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		reached("removed " + rel)
		return nil
	})
	if err != nil {
		return kept, fmt.Errorf("removing %s: %w", dir, err)
	}
	// Deepest first; a directory still holding a kept file stays, which
	// is what os.Remove's refusal of a directory that is not empty does.
	for i := len(dirs) - 1; i > 0; i-- {
		os.Remove(dirs[i])
	}
	if len(kept) > 0 {
		return kept, nil
	}
	if err := os.Remove(dir); err != nil {
		return nil, fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil, nil
}

// disposable reports whether the file p, at rel in a staging directory of
// root, may be deleted: it is the file at rel in root under another name,
// or, when this run copied it, an identical copy of that file, or a
// regular file the generator wrote, or an empty regular file that is not
// a live file's other name: a run killed between creating a file and
// writing it (one write, which a kill does not split) leaves one, and
// deleting it loses nothing.
func (o Owner) disposable(root, p, rel string, copied bool) (bool, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return false, err
	}
	livePath := filepath.Join(root, filepath.FromSlash(rel))
	if live, err := os.Lstat(livePath); err == nil {
		if os.SameFile(info, live) {
			return true, nil
		}
		if copied {
			if same, err := identical(p, info, livePath, live); err != nil || same {
				return same, err
			}
		}
	}
	if !info.Mode().IsRegular() {
		return false, nil
	}
	if info.Size() == 0 {
		return true, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false, err
	}
	return o.Owns(rel, data), nil
}

// identical reports whether the files a and b (as os.Lstat described them)
// are copies of each other as carry makes them: regular files with the
// same mode and bytes, or symbolic links to the same target.
func identical(a string, ia os.FileInfo, b string, ib os.FileInfo) (bool, error) {
	if ia.Mode() != ib.Mode() {
		return false, nil
	}
	switch {
	case ia.Mode()&fs.ModeSymlink != 0:
		ta, err := os.Readlink(a)
		if err != nil {
			return false, err
		}
		tb, err := os.Readlink(b)
		return ta == tb, err
	case ia.Mode().IsRegular():
		if ia.Size() != ib.Size() {
			return false, nil
		}
		da, err := os.ReadFile(a)
		if err != nil {
			return false, err
		}
		db, err := os.ReadFile(b)
		return bytes.Equal(da, db), err
	}
	return false, nil
}
