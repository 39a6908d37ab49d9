// Package cluster runs a throwaway control plane, etcd plus kube-apiserver,
// on loopback for the e2e harness.
//
// Why a real apiserver rather than a fake client or envtest-style stub: the
// point of the harness is to run Kubernetes' own validation, defaulting,
// admission and CRD schema/CEL checks on discoursegen's output. A fake client
// accepts anything. No kubelet, scheduler or controller-manager is started:
// nothing here needs pods to run, only objects to be judged and stored.
// (internal/sim starts those next to this control plane for the rollout
// simulation.)
//
// The processes are put in their own process groups and tied to the test
// binary with a parent-death signal, so a panicking or timed-out test cannot
// leave an etcd or apiserver behind.
package cluster
