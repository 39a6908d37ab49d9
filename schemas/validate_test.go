package schemas

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustDefault(t testing.TB) *Validator {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatalf("Default(): %v", err)
	}
	return v
}

// TestStrictness checks the strictness rules end to end on small
// manifests in testdata/strict. want lists "pointer: reason" for every
// violation, in the sorted order the validator returns them.
func TestStrictness(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"deployment-unknown-container-field.yaml", []string{
			`/spec/template/spec/containers/0/imagePullPolcy: unknown field "imagePullPolcy"`,
		}},
		{"cluster-unknown-spec-field.yaml", []string{
			`/spec/instancez: unknown field "instancez"`,
		}},
		{"cluster-unknown-metadata-field.yaml", []string{
			`/metadata/lables: unknown field "lables"`,
		}},
		{"labels-any-keys.yaml", nil},
		{"labels-non-string-value.yaml", []string{
			`/metadata/labels/replicas: expected string, but got number`,
		}},
		{"preserve-unknown-fields.yaml", nil},
		{"int-or-string.yaml", nil},
		{"int-or-string-wrong-type.yaml", []string{
			`/spec/strategy/rollingUpdate/maxSurge: expected string or integer, but got boolean`,
			`/spec/template/spec/containers/0/resources/limits/memory: not a valid quantity (such as 500m, 2Gi or 1.5)`,
		}},
		{"quantity.yaml", []string{
			`/spec/template/spec/containers/0/resources/limits/memory: not a valid quantity (such as 500m, 2Gi or 1.5)`,
			`/spec/resources/limits/memory: not a valid quantity (such as 500m, 2Gi or 1.5)`,
		}},
		{"replicas-string.yaml", []string{
			`/spec/replicas: expected integer, but got string`,
		}},
		{"null-optional.yaml", nil},
		{"null-required.yaml", []string{
			`/spec/template/spec/containers/0/name: expected string, but got null`,
		}},
		{"missing-required.yaml", []string{
			`/spec: missing required field "selector"`,
			`/spec/template/spec/containers/0: missing required field "name"`,
		}},
		{"missing-name.yaml", []string{
			`/metadata: missing required field "name" (objects are applied by name)`,
		}},
		{"duplicate-key.yaml", []string{
			`: invalid YAML: yaml: unmarshal errors: line 5: key "name" already set in map`,
		}},
		{"missing-apiversion-kind.yaml", []string{
			`/apiVersion: missing apiVersion`,
			`/kind: missing kind`,
		}},
		{"secret-bad-base64.yaml", []string{
			`/data/bad: 'hello world' is not a valid base64 string`,
		}},
		{"not-an-object.yaml", []string{
			`: document is a list, not an object`,
			`: document is a string, not an object`,
		}},
		{"kustomize/kustomization.yaml", []string{
			`/patches/0/targett: unknown field "targett"`,
			`/resourcs: unknown field "resourcs"`,
		}},
	}
	v := mustDefault(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "strict", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := v.ValidateYAML(path, data)
			if err != nil {
				t.Fatalf("ValidateYAML: %v", err)
			}
			var got []string
			for _, vi := range rep.Violations {
				got = append(got, vi.Pointer+": "+vi.Reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnknownKind(t *testing.T) {
	v := mustDefault(t)
	path := filepath.Join("testdata", "strict", "unknown-kind.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v.ValidateYAML(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) != 1 {
		t.Fatalf("got %d violations, want 1: %v", len(rep.Violations), rep.Violations)
	}
	msg := rep.Violations[0].Error()
	for _, want := range []string{
		"no schema for apiVersion autoscaling/v1 kind HorizontalPodAutoscaler",
		"known with apiVersion autoscaling/v2",
		"known kinds are apps/v1 Deployment,",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
}

func TestViolationError(t *testing.T) {
	tests := []struct {
		v    Violation
		want string
	}{
		{
			Violation{File: "golden/production/app/deployment-web.yaml", Kind: "Deployment", Namespace: "discourse", Name: "discourse-web", Pointer: "/spec/replicas", Reason: "expected integer, but got string"},
			"golden/production/app/deployment-web.yaml: Deployment discourse/discourse-web: /spec/replicas: expected integer, but got string",
		},
		{
			Violation{File: "ns.yaml", Kind: "Namespace", Name: "discourse", Pointer: "/spec/x", Reason: "r"},
			"ns.yaml: Namespace discourse: /spec/x: r",
		},
		{
			Violation{File: "a.yaml", Index: 2, Line: 14, Reason: "invalid YAML: x"},
			"a.yaml: document 3, line 14: invalid YAML: x",
		},
		{
			Violation{File: "a.yaml", Index: 1, Line: 5, Kind: "Job", Pointer: "/metadata", Reason: "r"},
			"a.yaml: Job (document 2, line 5): /metadata: r",
		},
		{
			Violation{File: "empty.yaml", Index: -1, Reason: "no objects in file"},
			"empty.yaml: no objects in file",
		},
	}
	for _, tt := range tests {
		if got := tt.v.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestFixture validates the realistic production-like fixture, which must
// be clean: it guards against schemas that are strict in the wrong places.
func TestFixture(t *testing.T) {
	v := mustDefault(t)
	rep, err := v.ValidatePaths(filepath.Join("testdata", "production"))
	if err != nil {
		t.Fatal(err)
	}
	for _, vi := range rep.Violations {
		t.Errorf("unexpected violation: %v", vi)
	}
	if rep.Files != 20 || rep.Objects != 22 {
		t.Errorf("got %d objects in %d files, want 22 in 20", rep.Objects, rep.Files)
	}
}

func TestValidatePathsErrors(t *testing.T) {
	v := mustDefault(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "empty.yaml"), []byte("# nothing\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a manifest"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := v.ValidatePaths(dir, filepath.Join(dir, "missing"))
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("err = %v, want an error naming the missing path", err)
	}
	if rep.Files != 1 || rep.FileProblems() != 1 || rep.Invalid() != 0 {
		t.Errorf("report = %+v, want one file with one file problem", rep)
	}
}

func TestValidateObject(t *testing.T) {
	v := mustDefault(t)
	// Go values that are not JSON values (int, []string) are converted.
	obj := map[string]any{
		"apiVersion": "v1",
		"kind":       "Service",
		"metadata":   map[string]any{"name": "web", "namespace": "discourse"},
		"spec": map[string]any{
			"ports":    []map[string]any{{"port": 80, "targetPort": "http"}},
			"selector": map[string]string{"app": "web"},
			"typo":     true,
		},
	}
	got, err := v.ValidateObject("svc.yaml", 0, obj)
	if err != nil {
		t.Fatal(err)
	}
	want := []Violation{{File: "svc.yaml", APIVersion: "v1", Kind: "Service", Namespace: "discourse", Name: "web", Pointer: "/spec/typo", Reason: `unknown field "typo"`}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

func TestKnownAndKinds(t *testing.T) {
	v := mustDefault(t)
	if !v.Known("apps/v1", "Deployment") || !v.Known("postgresql.cnpg.io/v1", "Cluster") {
		t.Error("Deployment or Cluster not known")
	}
	if !v.Known("discoursegen.dev/v1alpha1", "Discourse") {
		t.Error("the Discourse config schema (schemas/config) is not known")
	}
	if v.Known("apps/v1beta1", "Deployment") || v.Known("v1", "Pod") {
		t.Error("unlisted kinds reported as known")
	}
	// 18 Kubernetes kinds and 17 CRD versions from hack/sources.yaml, plus
	// the Discourse config.
	kinds := v.Kinds()
	if len(kinds) != 36 {
		t.Errorf("Kinds() has %d entries, want 36", len(kinds))
	}
}

// TestAllSchemasCompile compiles every embedded schema, so a schema that
// the library rejects fails here rather than on the first object of its
// kind.
func TestAllSchemasCompile(t *testing.T) {
	v, err := New(FS())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CompileAll(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentUse exercises the lazy compile cache from many goroutines
// (run with -race).
func TestConcurrentUse(t *testing.T) {
	v, err := New(FS())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			rep, err := v.ValidatePaths(filepath.Join("testdata", "production"))
			if err != nil || len(rep.Violations) != 0 {
				t.Errorf("err = %v, violations = %v", err, rep.Violations)
			}
		})
	}
	wg.Wait()
}

func TestDuplicateGVK(t *testing.T) {
	dir := t.TempDir()
	doc := `{"x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "X"}]}`
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := New(os.DirFS(dir)); err == nil || !strings.Contains(err.Error(), "both define v1 X") {
		t.Errorf("New() error = %v, want duplicate kind error", err)
	}
}

func TestSplitDocuments(t *testing.T) {
	in := "# header\n---\na: 1\n...\nb: 2\n--- c: 3\n---\n\n# only a comment\n---\nd: |\n  ---\n"
	var got []string
	var lines []int
	for _, d := range splitDocuments([]byte(in)) {
		got = append(got, strings.TrimSpace(string(d.data)))
		lines = append(lines, d.line)
	}
	want := []string{"a: 1", "b: 2", "c: 3", "d: |\n  ---"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 5, 6, 11}, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
