// Package sources reads hack/sources.yaml, the one list of pinned upstream
// APIs (the Kubernetes release and the CRD files of the operators
// discoursegen renders for), and finds those files in the Go module cache.
//
// hack/schemagen, which generates schemas/ from the file, and the schemas
// tests, which check that every listed kind has a schema, both read it
// through this package, so they cannot disagree about what it says, and a
// typo in a key fails both the same way instead of silently dropping a
// kind from one of them.
//
// It also holds the paths below schemas/ that hack/schemagen gives each
// kind (kubeconform's layout), so the tests look a schema up by the rule
// schemagen wrote it with instead of a copy of that rule.
//
// The e2e harness (test/e2e/internal/sources) keeps its own reader of the
// same file. test/e2e is a separate module whose kube-apiserver must be
// built from exactly the dependency versions of the pinned Kubernetes
// release; requiring this module from there would raise those versions to
// this module's (structured-merge-diff, kube-openapi, klog and more).
package sources
