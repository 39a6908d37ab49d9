// Package build renders a kustomization with kustomize's Go API (krusty),
// with exec KRM functions enabled exactly as `kustomize build
// --enable-alpha-plugins --enable-exec` does, so that `discoursegen
// generate` and the pinned kustomize CLI produce the same objects (Run,
// Resource). krusty runs in this process, but an exec function is still a
// child process: ExecFunctions lists, without running anything, which
// executables a kustomization's generators would exec, so that generate
// can refuse a function that is not its own build.
package build
