// Command schemagen turns the pinned upstream API definitions listed in
// hack/sources.yaml into strict, standalone JSON schemas under schemas/.
//
// It is run from the repository root as `go run ./hack/schemagen` (the
// `make schemas` target). Inputs come only from the Go module cache: each
// module is located with `go mod download -json MODULE@VERSION`, so the
// schemas are reproducible from sources.yaml alone and nothing else is
// fetched. Reading the file and finding the modules is hack/sources' job,
// shared with the schemas tests.
//
// Two converters share one set of strictness rules (see strict.go):
//
//   - Kubernetes kinds are read from api/openapi-spec/swagger.json of
//     k8s.io/kubernetes. Every $ref is inlined, because kubeconform and our
//     validator load a single file per kind.
//   - CustomResourceDefinitions are read from the CRD YAML files of each
//     operator module. Every served version with an openAPIV3Schema becomes
//     one file, with metadata typed as the Kubernetes ObjectMeta.
//
// The layout follows kubeconform's conventions so the same directory works
// as a -schema-location for kubeconform:
//
//	schemas/kubernetes/<version>-standalone-strict/<kind><-group-version>.json
//	schemas/crds/<group>/<kind>_<version>.json
//
// The JSON files are what kubeconform and editors read; discoursegen's own
// validator does not load them. `make schemas` runs hack/configschema and
// then hack/schemacompile after this command, which compiles every schema
// (these and schemas/config/) into the static table schemas/table_gen.go.
// The README this command writes describes both.
//
// Output is deterministic (sorted keys, two-space indent, trailing newline)
// so `make verify` can detect drift with a plain diff. Every file schemagen
// writes carries a generator marker at its root; files with the marker that
// a run no longer produces are deleted, and nothing without it is touched
// (the rules of internal/genfiles, with schemagen's marker).
package main
