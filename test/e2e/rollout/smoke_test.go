package rollout

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"discoursegen.dev/discoursegen/test/e2e/internal/sim"
)

var kustomizationResource = schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}

// smokeManifests is a tiny site: a Namespace, a ConfigMap, a Deployment of
// two replicas and a Job, enough to exercise every component of the Sim.
const smokeManifests = `apiVersion: v1
kind: Namespace
metadata:
  name: smoke
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: smoke
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: smoke
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.invalid/web:1
        envFrom:
        - configMapRef: {name: settings}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
  namespace: smoke
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: once
        image: registry.invalid/once:1
`

// TestSmoke checks the harness itself: Flux applies a published directory,
// the Deployment's pods run on kwok nodes and the Job completes.
func TestSmoke(t *testing.T) {
	bins, err := sim.BinariesFromEnv()
	if err != nil {
		t.Skipf("rollout simulation needs its binaries: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	step := time.Now()
	lap := func(what string) {
		t.Logf("%-45s %s", what, time.Since(step).Round(time.Millisecond))
		step = time.Now()
	}

	s := sim.Start(t, sim.Options{Binaries: bins})
	lap("sim started")

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "smoke.yaml"), []byte(smokeManifests), 0o600); err != nil {
		t.Fatal(err)
	}
	rev, err := s.Publish(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	lap("artifact published")

	ks := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "smoke", "namespace": sim.FluxNamespace},
		"spec": map[string]any{
			"sourceRef":     map[string]any{"kind": "ExternalArtifact", "name": sim.ArtifactName},
			"path":          "./",
			"prune":         true,
			"wait":          true,
			"interval":      "1m",
			"retryInterval": "2s",
			"timeout":       "2m",
		},
	}}
	if _, err := s.Dynamic().Resource(kustomizationResource).Namespace(sim.FluxNamespace).Create(ctx, ks, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lap("Kustomization created")

	smokeWait(ctx, t, s, "Kustomization smoke Ready at "+rev, func() (bool, string, error) {
		u, err := s.Dynamic().Resource(kustomizationResource).Namespace(sim.FluxNamespace).Get(ctx, "smoke", metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		applied, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
		ready, msg := smokeCondition(u, "Ready")
		return ready == "True" && applied == rev, fmt.Sprintf("Ready=%s %s (applied %q)", ready, msg, applied), nil
	})
	lap("Kustomization Ready")

	smokeWait(ctx, t, s, "2 ready web pods on kwok nodes", func() (bool, string, error) {
		pods, err := s.Kube().CoreV1().Pods("smoke").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, "", err
		}
		var onKwok []string
		for _, p := range pods.Items {
			if !smokePodReady(&p) {
				continue
			}
			node, err := s.Kube().CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
			if err != nil {
				return false, "", err
			}
			if node.Labels["type"] == "kwok" {
				onKwok = append(onKwok, p.Name+"@"+p.Spec.NodeName)
			}
		}
		return len(onKwok) == 2, strings.Join(onKwok, ", "), nil
	})
	lap("Deployment web: 2 ready pods")

	smokeWait(ctx, t, s, "Job once Complete", func() (bool, string, error) {
		job, err := s.Kube().BatchV1().Jobs("smoke").Get(ctx, "once", metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		for _, c := range job.Status.Conditions {
			if c.Type == "Complete" && c.Status == corev1.ConditionTrue {
				return true, "", nil
			}
		}
		return false, fmt.Sprintf("succeeded=%d failed=%d", job.Status.Succeeded, job.Status.Failed), nil
	})
	lap("Job once Complete")
}

// smokeWait polls check until it is done, failing t with the last status and
// any crashed component when ctx ends.
func smokeWait(ctx context.Context, t *testing.T, s *sim.Sim, what string, check func() (bool, string, error)) {
	t.Helper()
	last := ""
	for {
		ok, status, err := check()
		if err == nil && ok {
			return
		}
		if err != nil {
			status = err.Error()
		}
		last = status
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not reached (last: %s)\n%v\nkustomize-controller log tail:\n%s", what, last, s.CheckAlive(), s.LogTail("kustomize-controller", 4<<10))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// smokeCondition returns the status and message of the condition typ of u.
func smokeCondition(u *unstructured.Unstructured, typ string) (status, message string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == typ {
			status, _ = m["status"].(string)
			message, _ = m["message"].(string)
			return status, message
		}
	}
	return "", ""
}

func smokePodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
