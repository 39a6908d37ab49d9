// Package flux proves, with Flux's own code, that what Flux applies from this
// repository is exactly what discoursegen committed under golden/.
//
// Why this exists: golden/ is rendered by the kustomize CLI that the
// generator pins, one object per file, and Flux then builds each stage
// directory again with the kustomize that kustomize-controller links in,
// after rewriting its kustomization.yaml with whatever the Flux
// Kustomization adds. Nothing else checks that the two agree: a file left
// out of a kustomization.yaml, a Flux Kustomization pointing at the wrong
// directory or at another site's objects, a dependsOn that names nothing, a
// kustomize that prints a field differently, or a .sourceignore that hides
// golden/ (or lets Flux read the generator's inputs in clusters/) would all
// pass the generator's tests and fail, or do harm, only in a cluster.
//
// The package holds only tests:
//
//   - source_test.go reads the repository the way source-controller packs
//     it into an artifact: every file, less what .sourceignore excludes
//     (fluxcd/pkg/sourceignore, with the defaults source-controller adds).
//     With DISCOURSEGEN_GOLDEN set, that directory stands in for golden/.
//   - golden_test.go discovers each environment's directories at any depth
//     (golden/<env>/<site>/<stage>/): a stage lists
//     only object files, golden/<env>/flux holds the Flux Kustomizations.
//   - build_test.go builds each stage and each flux directory from that
//     artifact with fluxcd/pkg/kustomize, as kustomize-controller does, and
//     compares every object's YAML with its committed file, byte for byte.
//   - kustomization_test.go checks the Flux Kustomizations: each applies one
//     stage of its own environment and only its own site's objects, each
//     stage is applied by exactly one, and dependsOn is acyclic and closed.
//   - sourceignore_test.go checks .sourceignore: golden/ kept, clusters/
//     and every other YAML file left out, no pattern reaching into golden/.
//
// Run it with test/flux/run.sh (make flux). It is a separate module because
// fluxcd/pkg/kustomize pins its own kustomize (v0.21.1, as Flux ships it) and
// k8s.io versions, which must not leak into the generator's go.mod.
package flux
