// Package netpol proves, with an independent policy engine, that the
// NetworkPolicies discoursegen renders into golden/<env>/ allow exactly the
// traffic a Discourse site needs and deny the traffic it must not have.
//
// Why this exists: the generator's own tests compare rendered YAML with
// expected YAML, so they can only show that the output is what the generator
// meant to write. Whether that output lets web reach PostgreSQL, or keeps a
// pod from reading the cloud metadata endpoint, is a question about how
// Kubernetes evaluates the union of several policies, and the e2e harness
// cannot answer it (its kube-apiserver has no CNI). Here cyclonus's matcher
// (github.com/mattfenwick/cyclonus/pkg/matcher), which implements the
// NetworkPolicy semantics, judges a truth table of flows.
//
// The package holds only tests:
//
//   - golden_test.go loads golden/<env>/ (or DISCOURSEGEN_GOLDEN/<env>/):
//     the NetworkPolicies, and the objects that say which pods will exist.
//   - world_test.go models those pods (the rendered workloads, the pods the
//     CloudNativePG operator creates) and the peers outside the site.
//   - netpol_test.go holds the truth table, has cyclonus evaluate each row,
//     and explains a failing row with cyclonus's own tables.
//
// The table encodes what must hold, not what the generator happens to
// render: on the output before issue 6 it failed 12 rows (the metadata
// address and private ranges open on 80/443, no internet for web and
// Sidekiq in production). Run it with test/netpol/run.sh (make netpol).
//
// This is a separate module because cyclonus pins its own k8s.io versions
// (k8s.io/api v0.30), which must not leak into the generator's go.mod.
package netpol
