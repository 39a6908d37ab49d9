// Package e2e proves that a real kube-apiserver accepts every object
// discoursegen renders into golden/<env>/.
//
// Why this exists: the generator's unit tests and the JSON-schema checks
// (make schemas) only prove that each object has the right shape. Much of
// what makes Kubernetes reject an object is not in any schema: a Deployment
// whose selector does not match its pod template labels, an immutable or
// mutually exclusive field combination, a CEL rule (x-kubernetes-validations)
// in a CRD, a defaulting step that produces an invalid value, a namespace that
// does not exist. Only the apiserver's own validation code knows all of that,
// so this harness starts one (with etcd, on loopback, no kubelet or
// controllers) and lets it judge every object with server-side apply.
//
// The tests here need the kube-apiserver and etcd binaries that
// test/e2e/run.sh builds into .cache/bin; run that script (or `make e2e`).
package e2e
