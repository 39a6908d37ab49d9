//go:build linux || darwin

package genfiles

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The kill test runs Swap in a child process (this test binary again, in
// TestHelperProcess), stops it at each step in turn and kills it there with
// SIGKILL: no deferred function, no cleanup, exactly what a killed
// `make generate` leaves. Only linux and darwin, which have an atomic
// exchange; elsewhere Swap's two renames leave a moment without a root.

// helperRootEnv names the root the helper process swaps; it is set only
// for the helper.
const helperRootEnv = "GENFILES_KILL_TEST_ROOT"

// oldTree is what the root holds before the swap: files that stay, one
// that changes, one in a directory that goes, and a foreign file with its
// own mode, which must survive whatever happens.
var oldTree = map[string]string{
	"README.md":      gen("readme"),
	"a/x.yaml":       gen("x, first version"),
	"a/y.yaml":       gen("y"),
	"stale/z.yaml":   gen("z"),
	"a/notes.txt":    "the user's notes\n",
	"stale/keep.txt": "the user's other notes\n",
}

// foreignModes are the modes the foreign files of oldTree are given.
var foreignModes = map[string]os.FileMode{"a/notes.txt": 0o640, "stale/keep.txt": 0o600}

// newFiles are what the generator produces now: x changed, z gone, a new
// file in a new directory.
var newFiles = []File{
	{"README.md", []byte(gen("readme"))},
	{"a/x.yaml", []byte(gen("x, second version"))},
	{"a/y.yaml", []byte(gen("y"))},
	{"b/new.yaml", []byte(gen("new"))},
}

// tree describes root and everything under it: each directory (with a
// trailing slash) with its mode, each file with its mode and content.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			info, err := d.Info()
			out["./"] = info.Mode().String()
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = fmt.Sprintf("%v %q", info.Mode(), data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setUpOld makes root hold oldTree and returns its description.
func setUpOld(t *testing.T, root string) map[string]string {
	t.Helper()
	setUp(t, root, oldTree)
	for p, mode := range foreignModes {
		if err := os.Chmod(filepath.Join(root, filepath.FromSlash(p)), mode); err != nil {
			t.Fatal(err)
		}
	}
	return tree(t, root)
}

// wantNew is the description of the new tree: newFiles and the foreign
// files, with their modes, in the directories that hold them.
func wantNew(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "expected")
	disk := map[string]string{}
	for _, f := range newFiles {
		disk[f.Path] = string(f.Data)
	}
	for p := range foreignModes {
		disk[p] = oldTree[p]
	}
	setUp(t, root, disk)
	for p, mode := range foreignModes {
		if err := os.Chmod(filepath.Join(root, filepath.FromSlash(p)), mode); err != nil {
			t.Fatal(err)
		}
	}
	return tree(t, root)
}

// TestHelperProcess is the child of TestSwapSurvivesKill: it swaps the root
// named in its environment from oldTree to newFiles, printing each step
// Swap reaches and waiting for a line on stdin before going on, so the
// parent can kill it exactly there.
func TestHelperProcess(t *testing.T) {
	root := os.Getenv(helperRootEnv)
	if root == "" {
		t.Skip("the helper process of TestSwapSurvivesKill")
	}
	in := bufio.NewReader(os.Stdin)
	testStep = func(step string) {
		fmt.Printf("step %s\n", step)
		if _, err := in.ReadString('\n'); err != nil {
			os.Exit(3) // the parent is gone
		}
	}
	plan, err := testOwner.Plan(root, newFiles)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	kept, err := testOwner.Swap(root, plan)
	if err != nil || len(kept) > 0 {
		fmt.Println("error", err, kept)
		os.Exit(1)
	}
	fmt.Println("done")
	os.Exit(0)
}

// runHelper runs TestHelperProcess on root and lets it go on through every
// step but the one numbered killAt, where it kills it; killAt < 0 lets it
// finish. It returns the steps the helper reached.
func runHelper(t *testing.T, root string, killAt int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperRootEnv+"="+root)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	t.Cleanup(func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	var steps []string
	var output []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		output = append(output, line)
		step, ok := strings.CutPrefix(line, "step ")
		if !ok {
			continue
		}
		if len(steps) == killAt {
			steps = append(steps, step)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
		steps = append(steps, step)
		if _, err := io.WriteString(stdin, "go on\n"); err != nil {
			t.Fatal(err)
		}
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	waited = true
	if killAt < 0 && (err != nil || !strings.Contains(strings.Join(output, "\n"), "done")) {
		t.Fatalf("helper: %v\n%s", err, strings.Join(output, "\n"))
	}
	if killAt >= 0 && len(steps) <= killAt {
		t.Fatalf("helper ended (%v) after %d steps, before step %d:\n%s", err, len(steps), killAt, strings.Join(output, "\n"))
	}
	return steps
}

// TestSwapSurvivesKill kills Swap at every step and checks that the root
// is then exactly the old tree or exactly the new one, every path, mode
// and byte, the foreign files included and nothing extra; and that the
// next Swap then writes the new tree and removes what the killed one left.
func TestSwapSurvivesKill(t *testing.T) {
	want := wantNew(t)
	// A run to the end counts the steps, and is the first proof that an
	// undisturbed Swap writes the new tree.
	full := filepath.Join(t.TempDir(), "out")
	setUpOld(t, full)
	steps := runHelper(t, full, -1)
	if diff := cmp.Diff(want, tree(t, full)); diff != "" {
		t.Fatalf("after an undisturbed Swap (-want +got):\n%s", diff)
	}
	if len(steps) < len(newFiles)+3 {
		t.Fatalf("the helper reached only the steps %q", steps)
	}
	for k, step := range steps {
		t.Run(fmt.Sprintf("%02d %s", k, step), func(t *testing.T) {
			dir := t.TempDir()
			root := filepath.Join(dir, "out")
			old := setUpOld(t, root)
			if got := runHelper(t, root, k); got[k] != step {
				t.Fatalf("killed at %q, want %q", got[k], step)
			}

			got := tree(t, root)
			diffOld, diffNew := cmp.Diff(old, got), cmp.Diff(want, got)
			if diffOld != "" && diffNew != "" {
				t.Errorf("killed at %q, the root is neither tree:\nagainst the old one (-old +got):\n%s\nagainst the new one (-new +got):\n%s", step, diffOld, diffNew)
			}

			plan, err := testOwner.Plan(root, newFiles)
			if err != nil {
				t.Fatal(err)
			}
			kept, err := testOwner.Swap(root, plan)
			if err != nil {
				t.Fatal(err)
			}
			if len(kept) > 0 {
				t.Errorf("the next Swap kept %v", kept)
			}
			if diff := cmp.Diff(want, tree(t, root)); diff != "" {
				t.Errorf("after the next Swap (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"out"}, names(t, dir)); diff != "" {
				t.Errorf("beside the root after the next Swap (-want +got):\n%s", diff)
			}
		})
	}
}
