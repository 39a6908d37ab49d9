// Package sources reads hack/sources.yaml, the one list of pinned upstream
// APIs (the Kubernetes version and the CRDs of CloudNativePG, Flux, KEDA,
// prometheus-operator and cert-manager) that both the schema generator and
// this harness use, and finds the CRD files in the Go module cache.
//
// Why read the same file: the CRDs installed into the test apiserver must be
// exactly the ones the schemas were generated from, or the two checks could
// disagree without anyone noticing.
package sources
