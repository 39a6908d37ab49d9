package manifests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMultiDocumentAndList(t *testing.T) {
	in := `# leading comment only
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: ns1
data:
  count: "1"
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: b, namespace: ns2}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: c, namespace: ns1}
---
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
`
	objs, err := Parse("x.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.String())
	}
	want := []string{
		"ConfigMap ns1/a (x.yaml#2)",
		"Service ns2/b (x.yaml#3.items[0])",
		"Deployment ns1/c (x.yaml#3.items[1])",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The body keeps every field as rendered, including the quoted number.
	var m map[string]any
	if err := json.Unmarshal(objs[0].JSON, &m); err != nil {
		t.Fatal(err)
	}
	if m["data"].(map[string]any)["count"] != "1" {
		t.Fatalf("data.count changed: %s", objs[0].JSON)
	}
}

func TestParseRejects(t *testing.T) {
	for name, in := range map[string]string{
		"duplicate key": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nmetadata: {name: b}\n",
		"no kind":       "apiVersion: v1\nmetadata: {name: a}\n",
		"no name":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n",
		"not an object": "- a\n- b\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse("bad.yaml", []byte(in)); err == nil {
				t.Fatal("accepted")
			} else {
				t.Log(err)
			}
		})
	}
}

func TestLoadDirSkipsKustomizationAndNonYAML(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n")
	write("README.md", "# not yaml\n")
	write("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n")
	write("sub/deeper/b.yml", "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: app}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: flux-system}\n")
	write("sub/kustomization.yml", "resources: [deeper/b.yml]\n")

	objs, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3 {
		t.Fatalf("want 3 objects, got %d: %v", len(objs), objs)
	}
	if objs[1].Source != "sub/deeper/b.yml#1" {
		t.Fatalf("source = %q", objs[1].Source)
	}
	decl, ref := Namespaces(objs)
	if strings.Join(decl, ",") != "app" || strings.Join(ref, ",") != "flux-system" {
		t.Fatalf("declared %v, referenced-only %v", decl, ref)
	}
}

// The harness's own fixture must stay loadable: the e2e self-test relies on
// it.
func TestSampleFixtureLoads(t *testing.T) {
	for _, env := range []string{"local", "staging", "production"} {
		objs, err := LoadDir(filepath.Join("..", "..", "testdata", "sample", env))
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		if len(objs) == 0 {
			t.Fatalf("%s: no objects", env)
		}
	}
}

func TestPodsFromTemplates(t *testing.T) {
	objs, err := Parse("w.yaml", []byte(`apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: app}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: nightly}
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: app}
`))
	if err != nil {
		t.Fatal(err)
	}
	pods, err := PodsFromTemplates(objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 1 {
		t.Fatalf("want 1 pod, got %d", len(pods))
	}
	p := pods[0]
	if p.Name != "cronjob-nightly" || p.Namespace != "app" || p.GVK.Kind != "Pod" {
		t.Fatalf("got %s", p)
	}
	var m map[string]any
	if err := json.Unmarshal(p.JSON, &m); err != nil {
		t.Fatal(err)
	}
	if m["spec"].(map[string]any)["restartPolicy"] != "Never" || m["metadata"].(map[string]any)["labels"].(map[string]any)["app"] != "nightly" {
		t.Fatalf("pod lost its template: %s", p.JSON)
	}
}

func TestPodsFromStatefulSetGetClaimVolumes(t *testing.T) {
	objs, err := Parse("sts.yaml", []byte(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: valkey, namespace: app}
spec:
  selector: {matchLabels: {app: valkey}}
  template:
    metadata: {labels: {app: valkey}}
    spec:
      containers:
      - name: c
        image: valkey
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - {name: config, configMap: {name: valkey}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	pods, err := PodsFromTemplates(objs)
	if err != nil || len(pods) != 1 {
		t.Fatalf("%v (%d pods)", err, len(pods))
	}
	var m map[string]any
	if err := json.Unmarshal(pods[0].JSON, &m); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(m["spec"].(map[string]any)["volumes"])
	want := `[{"name":"data","persistentVolumeClaim":{"claimName":"data-valkey-0"}},{"configMap":{"name":"valkey"},"name":"config"}]`
	if string(got) != want {
		t.Fatalf("volumes\n got %s\nwant %s", got, want)
	}
}
