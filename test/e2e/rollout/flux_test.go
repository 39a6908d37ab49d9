package rollout

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"discoursegen.dev/discoursegen/test/e2e/internal/timeline"
)

// stages are production's Flux Kustomizations, in dependsOn order.
var stages = []string{"data", "migrate", "app", "post-migrate"}

func kustomizationName(stage string) string { return site + "-" + stage }

// applyFlux applies the artifact's Flux Kustomizations (golden/production/
// flux) as a cluster's Flux would, with one change the simulation needs:
// their source is the harness's ExternalArtifact, not the GitRepository
// of a real cluster (no source-controller runs here). edit, if set, may
// change each one further, to break a guarantee on purpose.
func applyFlux(ctx context.Context, t *testing.T, cfg *rest.Config, dir string, edit func(stage string, obj map[string]any)) {
	t.Helper()
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range stages {
		file := filepath.Join(dir, "golden", "production", "flux", "kustomization-"+kustomizationName(stage)+".yaml")
		obj := readObject(t, file)
		spec := nested(obj, "spec")
		ref := nested(spec, "sourceRef")
		if ref["kind"] != "GitRepository" || ref["name"] != "flux-system" {
			t.Fatalf("%s: sourceRef %v, want the GitRepository flux-system the harness replaces", file, ref)
		}
		ref["kind"] = "ExternalArtifact"
		if edit != nil {
			edit(stage, obj)
		}
		body, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		body, err = yaml.YAMLToJSON(body)
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Resource(timeline.Watched["Kustomization"]).Namespace("flux-system").Patch(ctx,
			kustomizationName(stage), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "rollout-test", Force: ptr(true)})
		if err != nil {
			t.Fatalf("applying the Flux Kustomization %s: %v", kustomizationName(stage), err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// readyAt reports whether stage's Kustomization is Ready with revision
// applied, and its Ready condition's status, reason and message.
func readyAt(ctx context.Context, client dynamic.Interface, stage, revision string) (ready bool, status, reason, message string, err error) {
	u, err := client.Resource(timeline.Watched["Kustomization"]).Namespace("flux-system").Get(ctx, kustomizationName(stage), metav1.GetOptions{})
	if err != nil {
		return false, "", "", "", err
	}
	applied, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
	conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			status, _ = m["status"].(string)
			reason, _ = m["reason"].(string)
			message, _ = m["message"].(string)
		}
	}
	return status == "True" && applied == revision, status, reason, message, nil
}

// waitStages waits until every stage is Ready at revision.
func waitStages(ctx context.Context, t *testing.T, cfg *rest.Config, revision string, rec *timeline.Recorder, timeout time.Duration) {
	t.Helper()
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(timeout)
	for {
		var waiting []string
		for _, stage := range stages {
			ok, status, reason, message, err := readyAt(ctx, client, stage, revision)
			if err != nil || !ok {
				waiting = append(waiting, fmt.Sprintf("%s: Ready=%s %s %s %v", stage, status, reason, timeline.FirstLine(message), err))
			}
		}
		if len(waiting) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, stages not Ready at %s:\n%s\ntimeline:\n%s", timeout, revision, strings.Join(waiting, "\n"), rec.Format(rec.Events()))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitFor polls until cond holds or the timeout ends.
func waitFor(t *testing.T, what string, timeout time.Duration, rec *timeline.Recorder, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s did not happen\ntimeline:\n%s", timeout, what, rec.Format(rec.Events()))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
