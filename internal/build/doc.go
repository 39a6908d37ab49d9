// Package build renders a kustomization in-process with kustomize's Go API
// (krusty), with exec KRM functions enabled exactly as
// `kustomize build --enable-alpha-plugins --enable-exec` does, so that
// `discoursegen generate` and the pinned kustomize CLI produce the same
// objects.
package build
