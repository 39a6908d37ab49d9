// Package build renders a kustomization with kustomize's Go API (krusty),
// two ways that give the same objects as `kustomize build
// --enable-alpha-plugins --enable-exec`:
//
//   - Run builds it as the CLI does, exec functions included (a child
//     process each). generate uses it for an overlay that lists a
//     function that is not discoursegen's.
//   - PlanInProcess and InProcess.Build build it with discoursegen's own
//     functions taken out: the caller renders each generator config
//     in-process, and the objects stand as a resource of an in-memory
//     copy of the kustomization (overlayFS), so the overlay's patches and
//     transformers still apply. When that copy has nothing left to do the
//     objects are the output (Identity); when it only transforms each
//     object on its own, each site is built alone (PerSite), so a fleet
//     costs one small build per site instead of one build whose resource
//     map grows with the square of its objects.
//
// ReadOverlay reads a kustomization and its function configs once;
// ExecFunctions lists, without running anything, which executables it
// would exec, so that generate can refuse a function that is not its own
// build. Configs lists an environment's generator configs for pin and diff.
package build
