// Package release reads and changes the release an environment runs: the
// Discourse image pinned in clusters/<env>/<generator>/release.yaml, a
// partial Discourse config that the generator's kustomization applies as
// a patch to every site of the environment. It is what `discoursegen pin`
// and `discoursegen promote` run.
//
//   - ParseImage turns REGISTRY/REPOSITORY:TAG[@sha256:DIGEST] into an
//     Image (repository, tag, digest), with the distribution reference
//     grammar that docker and containerd use, and refuses references that
//     cannot name a release (no tag, latest).
//   - Find locates an environment (build.Environments) and its one release file.
//   - Pin and Promote edit that file in place with kyaml and write it
//     atomically. Comments and key order always survive, and so does the
//     layout of a file in kyaml's style (two-space indentation, no blank
//     line inside a mapping); Change.Relaid says when it was not. They
//     refuse a digest-less image for an environment with profile
//     production, and check with build.Configs that the written pin
//     reaches every Discourse config of the environment, restoring the old
//     file when it does not.
package release
