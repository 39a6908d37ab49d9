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

var update = flag.Bool("update", false, "rewrite errors.txt golden files")

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
			objs, err := discourse.Render("config.yaml", data)
			if err == nil {
				t.Fatalf("rendered %d objects, want an error", len(objs))
			}
			if objs != nil {
				t.Errorf("returned objects alongside the error")
			}
			got := err.Error() + "\n"
			path := filepath.Join(dir, "errors.txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("error message (-want +got):\n%s", diff)
			}
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

// TestProcessorGeneratesOnlyItsObjects: a generator must not echo its own
// config back (it would leak into the parent overlay).
func TestProcessorGeneratesOnlyItsObjects(t *testing.T) {
	rl := resourceList(`  apiVersion: discoursegen.dev/v1alpha1
  kind: Discourse
  metadata: {name: forum}
  spec:
    profile: local
    hostname: forum.localtest.me
    image: {repository: r, tag: v1}
`)
	got, err := execute(rl)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(got, "kind: Discourse") != 1 { // the functionConfig itself
		t.Errorf("the config was echoed into items:\n%s", got)
	}
	if !strings.Contains(got, "name: forum-web") {
		t.Errorf("no web Deployment generated:\n%s", got)
	}
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
