package discourse_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

var update = flag.Bool("update", false, "rewrite errors.txt and expected.yaml golden files")

// TestInvalidConfigs: every bad config fails with exactly the message in
// its errors.txt, naming each field, with every problem listed at once.
func TestInvalidConfigs(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/invalid-*")
	if len(dirs) == 0 {
		t.Fatal("no invalid-* cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			objs, errs := discourse.Render(data)
			if len(errs) == 0 {
				t.Fatalf("rendered %d objects, want an error", len(objs))
			}
			if objs != nil {
				t.Errorf("returned objects alongside the error")
			}
			compareGolden(t, filepath.Join(dir, "errors.txt"), discourse.Describe("config.yaml", errs)+"\n")
		})
	}
}

// TestProcessorReportsResults runs the function the way kustomize does:
// a ResourceList on stdin. A bad config yields error results with field
// paths, no items, and an error (non-zero exit).
func TestProcessorReportsResults(t *testing.T) {
	rl := resourceList(`  apiVersion: discoursegen.dev/v1alpha1
  kind: Discourse
  metadata:
    name: forum
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    profile: staging
    hostname: forum.acme-forums.test
    image: {repository: r, tag: v1}
    s3: {bucket: b, region: r}
    sidekiq: {scheduler: {replicas: 2}}
`)
	out, err := execute(rl)
	if err == nil {
		t.Fatal("want an error for two schedulers")
	}
	got := out
	for _, want := range []string{"severity: error", "path: spec.sidekiq.scheduler.replicas", "must be 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "kind: Deployment") {
		t.Error("a failed render still emitted objects")
	}
}

// TestProcessorOutput runs the function exactly as kustomize does, with a
// ResourceList on stdin, and compares everything it writes with
// testdata/processor/expected.yaml: the objects, their order and encoding,
// and that the config itself is not echoed into items (it would leak into
// the parent overlay).
func TestProcessorOutput(t *testing.T) {
	config, err := os.ReadFile("testdata/processor/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := execute(resourceList(indent(string(config))))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "testdata/processor/expected.yaml", got)
}

// compareGolden compares got with the golden file at path, or rewrites the
// file with -update (then review the diff).
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make golden-update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// indent indents a YAML document by two spaces, to nest it under a key.
func indent(doc string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(doc, "\n") {
		if strings.TrimSpace(line) != "" {
			b.WriteString("  ")
		}
		b.WriteString(line)
	}
	return b.String()
}

// resourceList wraps a function config, indented as functionConfig, in the
// ResourceList kustomize sends a generator: no items.
func resourceList(functionConfig string) string {
	return "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n" + functionConfig
}

// execute runs the function on a ResourceList and returns what it wrote.
func execute(rl string) (string, error) {
	var out bytes.Buffer
	err := framework.Execute(discourse.Processor(), &kio.ByteReadWriter{Reader: strings.NewReader(rl), Writer: &out})
	return out.String(), err
}
