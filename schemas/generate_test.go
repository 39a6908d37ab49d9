package schemas

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"discoursegen.dev/discoursegen/hack/sources"
)

// repoRoot is where `go run ./hack/schemagen` has to run from.
const repoRoot = ".."

// runSchemagen generates the schemas into a fresh directory.
func runSchemagen(t *testing.T, out string) string {
	t.Helper()
	cmd := exec.Command("go", "run", "./hack/schemagen", "-out", out)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("schemagen: %v\n%s", err, stderr.String())
	}
	return stderr.String()
}

// readTree returns the files below root, keyed by slash path.
func readTree(t *testing.T, root string, subdirs ...string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, sub := range subdirs {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			files[filepath.ToSlash(rel)] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func compareTrees(t *testing.T, wantName string, want map[string][]byte, gotName string, got map[string][]byte) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s is in %s but not in %s", name, wantName, gotName)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs between %s and %s", name, wantName, gotName)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is in %s but not in %s", name, gotName, wantName)
		}
	}
}

// TestSchemagenDeterministic runs the converter twice on the real module
// cache sources: both runs must produce identical bytes, a rerun over its
// own output must change nothing, and the result must match what is
// committed (the same drift check `make verify` does).
func TestSchemagenDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ./hack/schemagen, which may need the module proxy")
	}
	a, b := t.TempDir(), t.TempDir()
	runSchemagen(t, a)
	runSchemagen(t, b)
	treeA := readTree(t, a, "kubernetes", "crds")
	treeA["README.md"], _ = os.ReadFile(filepath.Join(a, "README.md"))
	treeB := readTree(t, b, "kubernetes", "crds")
	treeB["README.md"], _ = os.ReadFile(filepath.Join(b, "README.md"))
	compareTrees(t, "run 1", treeA, "run 2", treeB)

	if msg := runSchemagen(t, a); !strings.Contains(msg, "(0 written, 0 removed)") {
		t.Errorf("rerun over its own output changed files: %s", msg)
	}

	committed := readTree(t, ".", "kubernetes", "crds")
	committed["README.md"], _ = os.ReadFile("README.md")
	compareTrees(t, "generated", treeA, "committed", committed)
	if t.Failed() {
		t.Log("committed schemas are stale: run `make schemas`")
	}
}

// TestSchemagenKeepsForeignFiles checks stale-file removal: a file
// schemagen wrote earlier and no longer produces is deleted, anything else
// (schemas/config/, hand-placed files) is left alone.
func TestSchemagenKeepsForeignFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ./hack/schemagen, which may need the module proxy")
	}
	out := t.TempDir()
	stale := filepath.Join(out, "crds", "example.com", "gone_v1.json")
	foreign := filepath.Join(out, "crds", "example.com", "mine_v1.json")
	config := filepath.Join(out, "config", "discoursegen.json")
	write := func(p, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(stale, `{"x-discoursegen-generator": "hack/schemagen"}`)
	write(foreign, `{"type": "object"}`)
	write(config, `{"x-discoursegen-generator": "hack/schemagen"}`)
	runSchemagen(t, out)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale generated file was not removed (stat: %v)", err)
	}
	for _, p := range []string{foreign, config} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was touched: %v", p, err)
		}
	}
}

// TestEverySourceHasSchema checks that each kind in hack/sources.yaml has a
// committed schema file where schemagen puts it (kubeconform's layout) and
// is known to Default().
func TestEverySourceHasSchema(t *testing.T) {
	src, err := sources.Load(filepath.Join(repoRoot, "hack", "sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v := mustDefault(t)
	check := func(k sources.Kind, file string) {
		t.Helper()
		if _, err := fs.Stat(FS(), file); err != nil {
			t.Errorf("%s %s: no schema file: %v", k.APIVersion(), k.Kind, err)
		}
		if !v.Known(k.APIVersion(), k.Kind) {
			t.Errorf("%s %s: not known to the validator", k.APIVersion(), k.Kind)
		}
	}
	if len(src.Kubernetes.Kinds) == 0 {
		t.Fatal("no kinds in hack/sources.yaml")
	}
	for _, k := range src.Kubernetes.Kinds {
		check(k, src.Kubernetes.SchemaPath(k))
	}

	if testing.Short() {
		t.Skip("CRD kinds need the CRD files from the module cache")
	}
	files, err := src.CRDFiles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		crdData, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd struct {
			Spec struct {
				Group string
				Names struct{ Kind string }
				// Versions lists served flags and names only.
				Versions []struct {
					Name   string
					Served bool
				}
			}
		}
		if err := yaml.Unmarshal(crdData, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ver := range crd.Spec.Versions {
			if ver.Served {
				k := sources.Kind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
				check(k, sources.CRDSchemaPath(k))
			}
		}
	}
}
