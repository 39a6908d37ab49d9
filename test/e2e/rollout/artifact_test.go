package rollout

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// repoRoot is the repository, from test/e2e/rollout.
var repoRoot = filepath.Join("..", "..", "..")

// The releases the scenarios move between: the one committed in
// clusters/production/site/release.yaml, a next one, and one whose
// migration fails.
const (
	release1 = "v2026.1.0"
	release2 = "v2026.2.0"
	release3 = "v2026.3.0"
)

// committed returns an artifact tree holding the committed golden/: what
// Flux applies at HEAD.
func committed(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "golden"), os.DirFS(filepath.Join(repoRoot, "golden"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rendered returns an artifact tree with golden/ rendered by the built
// discoursegen (make build) from a copy of clusters/ whose production pin
// is moved from release1 to tag: a release as a user makes one, with
// `pin` and `generate`.
func rendered(t *testing.T, tag string) string {
	t.Helper()
	dir, artifact := t.TempDir(), t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "clusters"), os.DirFS(filepath.Join(repoRoot, "clusters"))); err != nil {
		t.Fatal(err)
	}
	bin, err := filepath.Abs(filepath.Join(repoRoot, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	// The configs name the function as ../../bin/discoursegen.
	if err := os.Symlink(bin, filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	pin := filepath.Join(dir, "clusters", "production", "site", "release.yaml")
	data, err := os.ReadFile(pin)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("tag: "+release1)) {
		t.Fatalf("clusters/production/site/release.yaml does not pin %s; the scenarios start from it", release1)
	}
	if err := os.WriteFile(pin, bytes.Replace(data, []byte("tag: "+release1), []byte("tag: "+tag), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "discoursegen"), "generate", "--clusters", filepath.Join(dir, "clusters"), "--out", filepath.Join(dir, "golden"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("discoursegen generate (build it with make build): %v\n%s", err, out)
	}
	// The artifact holds golden/ only, as .sourceignore keeps a real
	// repository's artifact.
	if err := os.Rename(filepath.Join(dir, "golden"), filepath.Join(artifact, "golden")); err != nil {
		t.Fatal(err)
	}
	return artifact
}

// stageFiles are the object files of one stage of production.
func stageFiles(t *testing.T, dir, stage string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "golden", "production", site, stage, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			out = append(out, f)
		}
	}
	return out
}

// readObject reads the one object in file.
func readObject(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return obj
}

// editObject rewrites the one object in file through edit.
func editObject(t *testing.T, file string, edit func(obj map[string]any)) {
	t.Helper()
	obj := readObject(t, file)
	edit(obj)
	out, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// failMigrations makes every migration Job of the artifact fail: kwok's
// stage for pods with this annotation ends them in phase Failed, as a
// migration that raises does.
func failMigrations(t *testing.T, dir string) {
	t.Helper()
	files := stageFiles(t, dir, "migrate")
	if len(files) == 0 {
		t.Fatal("no migration Job in the artifact")
	}
	for _, f := range files {
		editObject(t, f, func(obj map[string]any) {
			meta := nested(obj, "spec", "template", "metadata")
			ann, _ := meta["annotations"].(map[string]any)
			if ann == nil {
				ann = map[string]any{}
			}
			ann[failAnnotation] = "true"
			meta["annotations"] = ann
		})
	}
}

// nested returns the map at path, creating it.
func nested(obj map[string]any, path ...string) map[string]any {
	m := obj
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	return m
}

// fileOf finds the stage file whose name starts with prefix.
func fileOf(t *testing.T, dir, stage, prefix string) string {
	t.Helper()
	for _, f := range stageFiles(t, dir, stage) {
		if strings.HasPrefix(filepath.Base(f), prefix) {
			return f
		}
	}
	t.Fatalf("no %s* in stage %s", prefix, stage)
	return ""
}

// webMinimum is the web autoscaler's minReplicas in the artifact: how
// many web pods serve once the autoscaler has acted.
func webMinimum(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(fileOf(t, dir, "app", "horizontalpodautoscaler-forum-web"))
	if err != nil {
		t.Fatal(err)
	}
	var hpa struct {
		Spec struct {
			MinReplicas int `json:"minReplicas"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &hpa); err != nil || hpa.Spec.MinReplicas < 2 {
		t.Fatalf("the web autoscaler's minReplicas is %d (%v); the rollout checks need at least 2", hpa.Spec.MinReplicas, err)
	}
	return hpa.Spec.MinReplicas
}
