package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "kustomize.toolkit.fluxcd.io/v1"

// Kustomization is kustomize.toolkit.fluxcd.io/v1 Kustomization.
type Kustomization struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              KustomizationSpec `json:"spec"`
}

// KustomizationSpec is the subset of KustomizationSpec discoursegen sets.
// Upstream types the intervals as metav1.Duration as well.
type KustomizationSpec struct {
	Interval         metav1.Duration               `json:"interval"`
	RetryInterval    *metav1.Duration              `json:"retryInterval,omitempty"`
	Timeout          *metav1.Duration              `json:"timeout,omitempty"`
	Path             string                        `json:"path"`
	Prune            bool                          `json:"prune"`
	Wait             bool                          `json:"wait,omitempty"`
	SourceRef        CrossNamespaceSourceReference `json:"sourceRef"`
	DependsOn        []DependencyReference         `json:"dependsOn,omitempty"`
	HealthCheckExprs []CustomHealthCheck           `json:"healthCheckExprs,omitempty"`
}

// CrossNamespaceSourceReference names the source artifact.
type CrossNamespaceSourceReference struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// DependencyReference is a Kustomization that must be ready first
// (fluxcd/pkg/apis/meta).
type DependencyReference struct {
	Name string `json:"name"`
}

// CustomHealthCheck is a CEL health check for a custom resource
// (fluxcd/pkg/apis/kustomize; upstream embeds HealthCheckExpressions).
type CustomHealthCheck struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Current    string `json:"current"`
	Failed     string `json:"failed,omitempty"`
}
