package genfiles

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// swapTo plans files against root and swaps them in, failing the test on
// an error; it returns what Swap kept.
func swapTo(t *testing.T, root string, files []File) []string {
	t.Helper()
	plan, err := testOwner.Plan(root, files)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := testOwner.Swap(root, plan)
	if err != nil {
		t.Fatal(err)
	}
	return kept
}

func stat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	info, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestSwapRefusesSharedRoot(t *testing.T) {
	root := t.TempDir()
	owner := testOwner
	owner.Dirs = []string{"crds"}
	plan, err := owner.Plan(root, []File{{"crds/x.json", []byte(gen("x"))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Swap(root, plan); err == nil || !strings.Contains(err.Error(), "Plan.Apply") {
		t.Errorf("Swap with Dirs: %v, want an error pointing to Plan.Apply", err)
	}
	if got := entries(t, root); len(got) != 0 {
		t.Errorf("Swap with Dirs wrote %v", got)
	}
}

// TestSwapRefusesSymlinkRoot: exchanging a symbolic link would move the
// link, and Swap would then take the linked directory for its old tree.
func TestSwapRefusesSymlinkRoot(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real")
	setUp(t, target, map[string]string{"a.yaml": gen("a")})
	root := filepath.Join(dir, "out")
	if err := os.Symlink("real", root); err != nil {
		t.Skip("no symlinks here:", err)
	}
	plan, err := testOwner.Plan(root, []File{{"a.yaml", []byte(gen("b"))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testOwner.Swap(root, plan); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Swap of a symbolic link: %v", err)
	}
	if stat(t, root).Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced")
	}
	if diff := cmp.Diff([]string{"out", "real"}, names(t, dir)); diff != "" {
		t.Errorf("beside the root (-want +got):\n%s", diff)
	}
}

// TestSwapEmptyPlanChangesNothing: the root directory stays the same
// directory, and no staging directory is made.
func TestSwapEmptyPlanChangesNothing(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "out")
	setUp(t, root, map[string]string{"a.yaml": gen("a"), "mine.txt": "mine"})
	before := stat(t, root)
	swapTo(t, root, []File{{"a.yaml", []byte(gen("a"))}})
	if !os.SameFile(before, stat(t, root)) {
		t.Error("an empty plan replaced the root")
	}
	if diff := cmp.Diff([]string{"out"}, names(t, dir)); diff != "" {
		t.Errorf("beside the root (-want +got):\n%s", diff)
	}
}

// TestSwapReplacesTheRoot: the root is a new directory (the old one's
// inode is gone from the path), with the old root's permissions, or 0755
// when there was none; MkdirTemp's 0700 would lock out every other reader.
func TestSwapReplacesTheRoot(t *testing.T) {
	for _, perm := range []os.FileMode{0, 0o755, 0o750} {
		t.Run(perm.String(), func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "out")
			want := os.FileMode(0o755)
			var before os.FileInfo
			if perm != 0 {
				setUp(t, root, map[string]string{"a.yaml": gen("a")})
				if err := os.Chmod(root, perm); err != nil {
					t.Fatal(err)
				}
				want = perm
				before = stat(t, root)
			}
			swapTo(t, root, []File{{"a.yaml", []byte(gen("b"))}})
			after := stat(t, root)
			if before != nil && os.SameFile(before, after) {
				t.Error("the root was changed in place, not swapped")
			}
			if after.Mode().Perm() != want {
				t.Errorf("root mode %v, want %v", after.Mode().Perm(), want)
			}
			if info := stat(t, filepath.Join(root, "a.yaml")); info.Mode().Perm() != 0o644 {
				t.Errorf("file mode %v, want 0644", info.Mode().Perm())
			}
		})
	}
}

// TestSwapCarriesForeignFiles: a file the generator did not write is in
// the new tree as the same file (a hard link: same inode, same mode), or,
// where hard links fail, as a copy with its mode; a symbolic link as a
// link.
func TestSwapCarriesForeignFiles(t *testing.T) {
	for _, linkFails := range []bool{false, true} {
		name := "hard link"
		if linkFails {
			name = "copy"
		}
		t.Run(name, func(t *testing.T) {
			if linkFails {
				hardLink = func(string, string) error { return errors.ErrUnsupported }
				t.Cleanup(func() { hardLink = os.Link })
			}
			dir := t.TempDir()
			root := filepath.Join(dir, "out")
			setUp(t, root, map[string]string{"app/x.yaml": gen("x"), "app/notes.txt": "mine", "deep/er/key.pem": "secret"})
			if err := os.Chmod(filepath.Join(root, "deep", "er", "key.pem"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("../app/notes.txt", filepath.Join(root, "deep", "link")); err != nil {
				t.Skip("no symlinks here:", err)
			}
			notes := stat(t, filepath.Join(root, "app", "notes.txt"))

			if kept := swapTo(t, root, []File{{"app/x.yaml", []byte(gen("x2"))}}); len(kept) > 0 {
				t.Errorf("kept %v", kept)
			}
			want := []string{"app/", "app/notes.txt", "app/x.yaml", "deep/", "deep/er/", "deep/er/key.pem", "deep/link"}
			if diff := cmp.Diff(want, entries(t, root)); diff != "" {
				t.Errorf("tree after Swap (-want +got):\n%s", diff)
			}
			if data, _ := os.ReadFile(filepath.Join(root, "deep", "er", "key.pem")); string(data) != "secret" {
				t.Errorf("key.pem holds %q", data)
			}
			if info := stat(t, filepath.Join(root, "deep", "er", "key.pem")); info.Mode().Perm() != 0o600 {
				t.Errorf("key.pem mode %v, want 0600", info.Mode().Perm())
			}
			if target, err := os.Readlink(filepath.Join(root, "deep", "link")); err != nil || target != "../app/notes.txt" {
				t.Errorf("deep/link: %q, %v", target, err)
			}
			if same := os.SameFile(notes, stat(t, filepath.Join(root, "app", "notes.txt"))); same == linkFails {
				t.Errorf("notes.txt is the old file: %v, want %v", same, !linkFails)
			}
			if diff := cmp.Diff([]string{"out"}, names(t, dir)); diff != "" {
				t.Errorf("beside the root (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSwapRemovesLeftovers: a staging directory a killed run left is
// removed by the next Swap, even one with nothing to write, as far as the
// rule allows: generated files, empty files and second names of live
// files go; any other file stays, is reported, and keeps its directories. Nothing that
// is not exactly a staging name is looked at.
func TestSwapRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "out")
	setUp(t, root, map[string]string{"a.yaml": gen("a"), "app/mine.txt": "mine"})

	clean := filepath.Join(dir, ".out.discoursegen-123")
	// app/cut.yaml is what a run killed between creating a file and
	// writing it leaves: empty, so deleting it loses nothing.
	setUp(t, clean, map[string]string{"a.yaml": gen("new a"), "app/b.yaml": gen("b"), "app/cut.yaml": ""})
	if err := os.Link(filepath.Join(root, "app", "mine.txt"), filepath.Join(clean, "app", "mine.txt")); err != nil {
		t.Skip("no hard links here:", err)
	}
	mixed := filepath.Join(dir, ".out.discoursegen-4567")
	// app/mine.txt here is a copy, not the live file: it may be the only
	// one left of something, so it is kept.
	setUp(t, mixed, map[string]string{"a.yaml": gen("old a"), "app/mine.txt": "mine", "app/z.yaml": gen("z")})
	others := map[string]string{
		".out.discoursegen-":     "no number",
		".out.discoursegen-12ab": "not a number",
		".other.discoursegen-1":  "another root's",
		"out.discoursegen-1":     "not hidden",
	}
	for name := range others {
		setUp(t, filepath.Join(dir, name), map[string]string{"a.yaml": gen("a")})
	}
	if err := os.Symlink(root, filepath.Join(dir, ".out.discoursegen-9")); err != nil {
		t.Fatal(err)
	}

	kept := swapTo(t, root, []File{{"a.yaml", []byte(gen("a"))}})
	if diff := cmp.Diff([]string{filepath.Join(mixed, "app", "mine.txt")}, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"app/", "app/mine.txt"}, entries(t, mixed)); diff != "" {
		t.Errorf("left of %s (-want +got):\n%s", mixed, diff)
	}
	want := []string{".other.discoursegen-1", ".out.discoursegen-", ".out.discoursegen-12ab", ".out.discoursegen-4567", ".out.discoursegen-9", "out", "out.discoursegen-1"}
	if diff := cmp.Diff(want, names(t, dir)); diff != "" {
		t.Errorf("beside the root (-want +got):\n%s", diff)
	}
	for name, why := range others {
		if diff := cmp.Diff([]string{"a.yaml"}, entries(t, filepath.Join(dir, name))); diff != "" {
			t.Errorf("%s (%s) was changed:\n%s", name, why, diff)
		}
	}
	if diff := cmp.Diff([]string{"a.yaml", "app/", "app/mine.txt"}, entries(t, root)); diff != "" {
		t.Errorf("the root (-want +got):\n%s", diff)
	}
}

// TestSwapKeepsAFileAddedMeanwhile: a file put into the root after the
// plan was made is not in the new tree, but it is not deleted with the
// old one either: Swap cannot tell it from a user's, so it stays in the
// staging directory and is reported.
func TestSwapKeepsAFileAddedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "out")
	setUp(t, root, map[string]string{"a.yaml": gen("a")})
	plan, err := testOwner.Plan(root, []File{{"a.yaml", []byte(gen("b"))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "late.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	kept, err := testOwner.Swap(root, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || filepath.Base(kept[0]) != "late.txt" || !isStagingName(root, filepath.Base(filepath.Dir(kept[0]))) {
		t.Fatalf("kept %v, want late.txt in a staging directory", kept)
	}
	if data, err := os.ReadFile(kept[0]); err != nil || string(data) != "mine" {
		t.Errorf("late.txt: %q, %v", data, err)
	}
}

// TestSwapFailureLeavesTheRoot: when the new tree cannot be built (a
// foreign file vanished after the plan), the root is untouched and the
// staging directory is gone.
func TestSwapFailureLeavesTheRoot(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "out")
	setUp(t, root, map[string]string{"a.yaml": gen("a"), "b.yaml": gen("b"), "z/mine.txt": "mine"})
	before := stat(t, root)
	plan, err := testOwner.Plan(root, []File{{"a.yaml", []byte(gen("a2"))}, {"b.yaml", []byte(gen("b"))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "z", "mine.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := testOwner.Swap(root, plan); err == nil {
		t.Fatal("Swap succeeded without a file it had to keep")
	}
	if !os.SameFile(before, stat(t, root)) {
		t.Error("the root was replaced")
	}
	if data, _ := os.ReadFile(filepath.Join(root, "a.yaml")); string(data) != gen("a") {
		t.Errorf("a.yaml holds %q", data)
	}
	if diff := cmp.Diff([]string{"out"}, names(t, dir), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("beside the root (-want +got):\n%s", diff)
	}
}

func TestIsStagingName(t *testing.T) {
	root := filepath.Join("repo", "golden")
	var got []string
	for _, name := range []string{".golden.discoursegen-0", ".golden.discoursegen-4294967295", ".golden.discoursegen-", ".golden.discoursegen-1x", "golden.discoursegen-1", ".golden.discoursegen-1/", ".gold.discoursegen-1", ".golden.tmp-1"} {
		if isStagingName(root, name) {
			got = append(got, name)
		}
	}
	if want := []string{".golden.discoursegen-0", ".golden.discoursegen-4294967295"}; !slices.Equal(got, want) {
		t.Errorf("staging names %v, want %v", got, want)
	}
}

// TestSwapCreatesMissingParents: like Apply, Swap writes a root whose
// parent does not exist yet.
func TestSwapCreatesMissingParents(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "b", "out")
	swapTo(t, root, []File{{"x.yaml", []byte(gen("x"))}})
	if diff := cmp.Diff([]string{"x.yaml"}, entries(t, root)); diff != "" {
		t.Errorf("tree after Swap (-want +got):\n%s", diff)
	}
}

// TestRenameAside checks the fallback where there is no exchange: the new
// tree takes root's name, and the old one a staging name, where Swap
// removes it from.
func TestRenameAside(t *testing.T) {
	dir := t.TempDir()
	root, staging := filepath.Join(dir, "out"), filepath.Join(dir, ".out.discoursegen-1")
	setUp(t, root, map[string]string{"x.yaml": gen("old")})
	setUp(t, staging, map[string]string{"x.yaml": gen("new")})
	oldTree, err := renameAside(staging, root)
	if err != nil {
		t.Fatal(err)
	}
	if !isStagingName(root, filepath.Base(oldTree)) || filepath.Dir(oldTree) != dir {
		t.Errorf("the old tree went to %s, not a staging directory beside the root", oldTree)
	}
	for p, want := range map[string]string{filepath.Join(root, "x.yaml"): gen("new"), filepath.Join(oldTree, "x.yaml"): gen("old")} {
		if data, err := os.ReadFile(p); err != nil || string(data) != want {
			t.Errorf("%s: %q, %v; want %q", p, data, err, want)
		}
	}
	if _, err := os.Stat(staging); err == nil {
		t.Error("the staging directory is still there")
	}
}
