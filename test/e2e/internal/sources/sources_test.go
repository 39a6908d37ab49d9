package sources

import (
	"path/filepath"
	"testing"
)

// The committed hack/sources.yaml must stay readable by the harness: if its
// format changes, this fails here with a clear message instead of inside
// TestMain of the e2e package.
func TestLoadRepositorySources(t *testing.T) {
	s, err := Load(filepath.Join("..", "..", "..", "..", "hack", "sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kubernetes.Module != "k8s.io/kubernetes" {
		t.Errorf("kubernetes.module = %q", s.Kubernetes.Module)
	}
	if len(s.CRDs) == 0 {
		t.Fatal("no crds listed")
	}
	for _, c := range s.CRDs {
		t.Logf("%s@%s: %d files", c.Module, c.Version, len(c.Files))
	}
}
