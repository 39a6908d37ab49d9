package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSchemaPath(t *testing.T) {
	k := Kubernetes{Version: "v1.34.4"}
	tests := []struct {
		kind Kind
		want string
	}{
		{Kind{"", "v1", "Service"}, "kubernetes/v1.34.4-standalone-strict/service-v1.json"},
		{Kind{"apps", "v1", "Deployment"}, "kubernetes/v1.34.4-standalone-strict/deployment-apps-v1.json"},
		{Kind{"networking.k8s.io", "v1", "NetworkPolicy"}, "kubernetes/v1.34.4-standalone-strict/networkpolicy-networking-v1.json"},
		{Kind{"autoscaling", "v2", "HorizontalPodAutoscaler"}, "kubernetes/v1.34.4-standalone-strict/horizontalpodautoscaler-autoscaling-v2.json"},
	}
	for _, tt := range tests {
		if got := k.SchemaPath(tt.kind); got != tt.want {
			t.Errorf("SchemaPath(%v) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}

func TestCRDSchemaPath(t *testing.T) {
	if got, want := CRDSchemaPath(Kind{"postgresql.cnpg.io", "v1", "ScheduledBackup"}), "crds/postgresql.cnpg.io/scheduledbackup_v1.json"; got != want {
		t.Errorf("CRDSchemaPath = %q, want %q", got, want)
	}
}

func TestAPIVersion(t *testing.T) {
	for k, want := range map[Kind]string{
		{"", "v1", "Service"}:                   "v1",
		{"apps", "v1", "Deployment"}:            "apps/v1",
		{"keda.sh", "v1alpha1", "ScaledObject"}: "keda.sh/v1alpha1",
	} {
		if got := k.APIVersion(); got != want {
			t.Errorf("%v.APIVersion() = %q, want %q", k, got, want)
		}
	}
}

// TestLoadRepositorySources: the committed file must load, so a change to
// its format fails here, with a clear message, before it fails schemagen,
// the schemas tests and the e2e harness.
func TestLoadRepositorySources(t *testing.T) {
	s, err := Load(filepath.Join("..", "sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kubernetes.Module != "k8s.io/kubernetes" || len(s.Kubernetes.Kinds) == 0 || len(s.CRDs) == 0 {
		t.Errorf("kubernetes.module %q, %d kinds, %d CRD modules", s.Kubernetes.Module, len(s.Kubernetes.Kinds), len(s.CRDs))
	}
}

func TestLoadRejects(t *testing.T) {
	const kube = "kubernetes: {module: k8s.io/kubernetes, version: v1.34.4, swagger: api/openapi-spec/swagger.json}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"a misspelt key", kube + "crds:\n- {module: m, version: v1, file: [a.yaml]}\n", `unknown field "file"`},
		{"a misspelt kind key", "kubernetes: {module: k8s.io/kubernetes, version: v1.34.4, swagger: s.json, kinds: [{group: apps, verison: v1, kind: Deployment}]}\n", `unknown field "verison"`},
		{"no swagger", "kubernetes: {module: k8s.io/kubernetes, version: v1.34.4}\n", "kubernetes.module, .version and .swagger are required"},
		{"a CRD module without files", kube + "crds:\n- {module: m, version: v1}\n", "crds[0] needs module, version and files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "sources.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v, want an error with %q", err, tt.want)
			}
		})
	}
}
