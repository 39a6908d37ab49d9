package genfiles

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// marker is what the test generator puts at the top of its files.
const marker = "# generated\n"

func gen(s string) string { return marker + s }

var testOwner = Owner{
	Name: "the test generator",
	Owns: func(_ string, data []byte) bool { return bytes.HasPrefix(data, []byte(marker)) },
}

// setUp creates root (unless disk is nil) holding the files in disk,
// keyed by slash path. Apply writes whatever a plan lists, owned or not.
func setUp(t *testing.T, root string, disk map[string]string) {
	t.Helper()
	if disk == nil {
		return
	}
	plan := &Plan{}
	for p, content := range disk {
		plan.Write = append(plan.Write, File{p, []byte(content)})
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(root); err != nil {
		t.Fatal(err)
	}
}

// entries lists every name under root, directories with a trailing slash,
// so a test sees pruned directories and stray temporary files too.
func entries(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		if d.IsDir() {
			p += "/"
		}
		out = append(out, p)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// names lists the names in dir, so a test sees a staging directory left
// beside a root.
func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range des {
		out = append(out, d.Name())
	}
	return out
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

// TestPlanAndApply checks the plan for each tree, and that both ways of
// carrying it out, Apply file by file and Swap as a whole, leave the same
// tree.
func TestPlanAndApply(t *testing.T) {
	tests := []struct {
		name  string
		disk  map[string]string // nil: root does not exist
		dirs  []string
		files []File
		// The plan, by path.
		write, unchanged, remove, foreign []string
		// after is the tree Apply and Swap leave, as entries lists it;
		// every file in it not in disk or files is an error, temporary
		// ones included.
		after []string
	}{{
		name:  "missing root",
		files: []File{{"a.yaml", []byte(gen("a"))}, {"env/app/b.yaml", []byte(gen("b"))}},
		write: []string{"a.yaml", "env/app/b.yaml"},
		after: []string{"a.yaml", "env/", "env/app/", "env/app/b.yaml"},
	}, {
		name:  "empty root",
		disk:  map[string]string{},
		files: []File{{"a.yaml", []byte(gen("a"))}},
		write: []string{"a.yaml"},
		after: []string{"a.yaml"},
	}, {
		name: "only new and changed files are written",
		disk: map[string]string{"same.yaml": gen("same"), "old.yaml": gen("old")},
		files: []File{
			{"same.yaml", []byte(gen("same"))},
			{"old.yaml", []byte(gen("changed"))},
			{"new.yaml", []byte(gen("new"))},
		},
		write:     []string{"new.yaml", "old.yaml"},
		unchanged: []string{"same.yaml"},
		after:     []string{"new.yaml", "old.yaml", "same.yaml"},
	}, {
		name:      "foreign file is kept and reported",
		disk:      map[string]string{"app/mine.yaml": "kind: Mine\n", "app/x.yaml": gen("x")},
		files:     []File{{"app/x.yaml", []byte(gen("x"))}},
		unchanged: []string{"app/x.yaml"},
		foreign:   []string{"app/mine.yaml"},
		after:     []string{"app/", "app/mine.yaml", "app/x.yaml"},
	}, {
		name:      "stale owned file is removed and the directories it emptied pruned",
		disk:      map[string]string{"env/gone/a.yaml": gen("a"), "env/keep/b.yaml": gen("b"), "env/keep/c.yaml": gen("c")},
		files:     []File{{"env/keep/b.yaml", []byte(gen("b"))}},
		unchanged: []string{"env/keep/b.yaml"},
		remove:    []string{"env/gone/a.yaml", "env/keep/c.yaml"},
		after:     []string{"env/", "env/keep/", "env/keep/b.yaml"},
	}, {
		name:   "pruning stops below root",
		disk:   map[string]string{"env/app/a.yaml": gen("a")},
		remove: []string{"env/app/a.yaml"},
		after:  nil,
	}, {
		name:    "a directory holding a foreign file is not pruned",
		disk:    map[string]string{"d/stale.yaml": gen("s"), "d/notes.txt": "mine"},
		remove:  []string{"d/stale.yaml"},
		foreign: []string{"d/notes.txt"},
		after:   []string{"d/", "d/notes.txt"},
	}, {
		name:   "Dirs limits the search for stale files",
		disk:   map[string]string{"crds/x/stale.json": gen("s"), "config/other.json": gen("o"), "doc.go": "package x\n"},
		dirs:   []string{"crds", "kubernetes"},
		files:  []File{{"README.md", []byte(gen("r"))}},
		write:  []string{"README.md"},
		remove: []string{"crds/x/stale.json"},
		after:  []string{"README.md", "config/", "config/other.json", "doc.go"},
	}}
	for _, tt := range tests {
		for _, method := range []string{"Apply", "Swap"} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				if method == "Swap" && tt.dirs != nil {
					t.Skip("Swap replaces the whole root; TestSwapRefusesSharedRoot")
				}
				dir := t.TempDir()
				root := filepath.Join(dir, "out")
				setUp(t, root, tt.disk)
				owner := testOwner
				owner.Dirs = tt.dirs
				before := entries(t, root)
				plan, err := owner.Plan(root, tt.files)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string][]string{"write": paths(plan.Write), "unchanged": plan.Unchanged, "remove": plan.Remove, "foreign": plan.Foreign}
				want := map[string][]string{"write": tt.write, "unchanged": tt.unchanged, "remove": tt.remove, "foreign": tt.foreign}
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("plan (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(before, entries(t, root)); diff != "" {
					t.Errorf("Plan changed the tree (-before +after):\n%s", diff)
				}

				if method == "Apply" {
					err = plan.Apply(root)
				} else {
					var kept []string
					kept, err = owner.Swap(root, plan)
					if len(kept) > 0 {
						t.Errorf("Swap kept %v beside the root", kept)
					}
					if names := names(t, dir); !slices.Equal(names, []string{"out"}) {
						t.Errorf("beside the root after Swap: %v, want only out", names)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.after, entries(t, root), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("tree after %s (-want +got):\n%s", method, diff)
				}
				for _, f := range tt.files {
					data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
					if err != nil || !bytes.Equal(data, f.Data) {
						t.Errorf("%s after %s: %q, %v; want %q", f.Path, method, data, err, f.Data)
					}
				}
				for p, content := range tt.disk {
					if !testOwner.Owns(p, []byte(content)) {
						if data, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(data) != content {
							t.Errorf("foreign %s changed: %q, %v", p, data, err)
						}
					}
				}

				again, err := owner.Plan(root, tt.files)
				if err != nil {
					t.Fatal(err)
				}
				if !again.Empty() {
					t.Errorf("a second plan after %s still changes %v", method, again.Changes())
				}
			})
		}
	}
}

// TestPlanRefuses checks the files Plan will not plan for, and that it
// fails before changing anything.
func TestPlanRefuses(t *testing.T) {
	tests := []struct {
		name     string
		disk     map[string]string
		files    []File
		notOwned string // the path a *NotOwnedError names, if that is the error
		errText  string // otherwise, part of the error message
	}{
		{name: "overwriting a foreign file",
			disk:     map[string]string{"app/x.yaml": "kind: Mine\n"},
			files:    []File{{"app/x.yaml", []byte(gen("x"))}},
			notOwned: "app/x.yaml"},
		{name: "overwriting a foreign file with the same content",
			disk:     map[string]string{"x.yaml": "kind: Mine\n"},
			files:    []File{{"x.yaml", []byte("kind: Mine\n")}},
			notOwned: "x.yaml"},
		{name: "a path above root", files: []File{{"../x.yaml", nil}}, errText: `"../x.yaml"`},
		{name: "an absolute path", files: []File{{"/x.yaml", nil}}, errText: `"/x.yaml"`},
		{name: "an unclean path", files: []File{{"a//x.yaml", nil}}, errText: `"a//x.yaml"`},
		{name: "the root itself", files: []File{{".", nil}}, errText: `"."`},
		{name: "a path twice", files: []File{{"x.yaml", nil}, {"x.yaml", nil}}, errText: "x.yaml is generated twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			setUp(t, root, tt.disk)
			before := entries(t, root)
			plan, err := testOwner.Plan(root, tt.files)
			if err == nil {
				t.Fatalf("Plan succeeded: %+v", plan)
			}
			var notOwned *NotOwnedError
			switch {
			case tt.notOwned != "":
				if !errors.As(err, &notOwned) || notOwned.Path != filepath.Join(root, tt.notOwned) || notOwned.Owner != testOwner.Name {
					t.Errorf("error %q, want a NotOwnedError for %s", err, tt.notOwned)
				}
			case !strings.Contains(err.Error(), tt.errText):
				t.Errorf("error %q does not mention %s", err, tt.errText)
			}
			if diff := cmp.Diff(before, entries(t, root)); diff != "" {
				t.Errorf("Plan changed the tree (-before +after):\n%s", diff)
			}
		})
	}
}

// TestSymlinkIsForeign: Apply only creates regular files, so anything else
// was put there by someone else, whatever it points to.
func TestSymlinkIsForeign(t *testing.T) {
	root := t.TempDir()
	setUp(t, root, map[string]string{"real.yaml": gen("r")})
	if err := os.Symlink("real.yaml", filepath.Join(root, "link.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	plan, err := testOwner.Plan(root, []File{{"real.yaml", []byte(gen("r"))}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"link.yaml"}, plan.Foreign); diff != "" || len(plan.Remove) != 0 {
		t.Errorf("foreign (-want +got):\n%s\nremove: %v", diff, plan.Remove)
	}
}

// TestApplyReplacesAtomically checks that an existing file is replaced by
// a rename, not rewritten in place: a hard link to the old file keeps the
// old content, which a write into the open file would have changed.
func TestApplyReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "out")
	setUp(t, root, map[string]string{"x.yaml": gen("old")})
	link := filepath.Join(dir, "old-x.yaml")
	if err := os.Link(filepath.Join(root, "x.yaml"), link); err != nil {
		t.Skip("no hard links here:", err)
	}
	plan, err := testOwner.Plan(root, []File{{"x.yaml", []byte(gen("new"))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(root); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(link); string(data) != gen("old") {
		t.Errorf("the old file was rewritten in place: %q", data)
	}
	info, err := os.Stat(filepath.Join(root, "x.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	if diff := cmp.Diff([]string{"x.yaml"}, entries(t, root)); diff != "" {
		t.Errorf("tree after Apply (-want +got):\n%s", diff)
	}
}

// TestFailedWriteLeavesNoTemporaryFile: when the rename fails (here the
// destination is a directory that is not empty), the temporary file goes.
func TestFailedWriteLeavesNoTemporaryFile(t *testing.T) {
	root := t.TempDir()
	setUp(t, root, map[string]string{"d/x.yaml/inside": "mine"})
	plan := &Plan{Write: []File{{"d/x.yaml", []byte(gen("x"))}}}
	if err := plan.Apply(root); err == nil {
		t.Fatal("Apply over a directory succeeded")
	}
	if diff := cmp.Diff([]string{"d/", "d/x.yaml/", "d/x.yaml/inside"}, entries(t, root)); diff != "" {
		t.Errorf("tree after the failed Apply (-want +got):\n%s", diff)
	}
}
