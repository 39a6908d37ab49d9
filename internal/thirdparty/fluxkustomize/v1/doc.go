// Package v1 mirrors kustomize.toolkit.fluxcd.io/v1 of kustomize-controller
// v1.9.5 (api/v1/kustomization_types.go, reference_types.go) and the two
// fluxcd/pkg/apis types its spec uses (meta.DependencyReference,
// kustomize.CustomHealthCheck), reduced to the fields discoursegen sets,
// with upstream's type and field names (docs/api/v1/kustomize.md).
package v1
