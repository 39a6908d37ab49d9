package e2e

import (
	"path/filepath"
	"testing"

	"discoursegen.dev/discoursegen/test/e2e/internal/kube"
)

// TestHarnessSample runs the golden path on a small hand-written fixture
// (testdata/sample/<env>/): a Namespace, a Deployment and Service in one
// multi-document file, a NetworkPolicy, a CNPG Cluster, a KEDA ScaledObject
// and a Flux Kustomization in flux-system (which has no Namespace object), plus
// a kustomization.yaml and a README.md that must be skipped. It proves the
// harness itself works, independently of the generator's current output.
//
// The fixture lives in its own namespace (discourse-sample) so that what it
// persists cannot change the verdict on golden/ objects.
func TestHarnessSample(t *testing.T) {
	root := filepath.Join("testdata", "sample")
	for _, env := range envs {
		t.Run("dry-run/"+env, func(t *testing.T) {
			applyDir(t, filepath.Join(root, env), kube.DryRun)
		})
		t.Run("pods/"+env, func(t *testing.T) {
			applyPodTemplates(t, filepath.Join(root, env))
		})
	}
	t.Run("persist/production", func(t *testing.T) {
		objs := applyDir(t, filepath.Join(root, "production"), kube.Persist)
		getAll(t, objs)
	})
}

// TestKubernetesVersionMatchesSources guards against drift between the
// apiserver this module builds (go.mod) and the Kubernetes version the
// schemas are generated from (hack/sources.yaml).
func TestKubernetesVersionMatchesSources(t *testing.T) {
	got, err := h.client.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if want := h.sources.Kubernetes.Version; got != want {
		t.Fatalf("kube-apiserver is %s but hack/sources.yaml pins %s: bump k8s.io/kubernetes and the k8s.io/* replaces in test/e2e/go.mod together with it", got, want)
	}
	t.Logf("kube-apiserver %s matches hack/sources.yaml", got)
}
