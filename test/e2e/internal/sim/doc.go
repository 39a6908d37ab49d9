// Package sim runs a simulated cluster on loopback for rollout tests: the
// real Kubernetes control plane and the real Flux kustomize-controller, with
// kwok standing in for the kubelets.
//
// Started by Start, stopped in t.Cleanup (also when the test fails):
//
//   - etcd and kube-apiserver (internal/cluster), with the ServiceAccount
//     and ResourceQuota admission plugins on, as on a real cluster;
//   - kube-controller-manager and kube-scheduler, same Kubernetes version;
//   - kwok with a few fake Nodes and the Stages in stages.yaml: pods become
//     Ready within ~100ms, Job pods succeed ~300ms later, pods annotated
//     sim.discoursegen.dev/fail: "true" fail with exit code 1, deleted pods
//     go away at once;
//   - Flux's kustomize-controller, reading an ExternalArtifact that Publish
//     fills from a directory, served by an HTTP server of the Sim;
//   - every CRD of hack/sources.yaml plus the ExternalArtifact and Bucket
//     CRDs kustomize-controller needs.
//
// Stand-ins, because the real thing does not run here:
//
//   - CloudNativePG: no operator runs, so every postgresql.cnpg.io Cluster is
//     marked Ready (condition Ready=True at the current generation) shortly
//     after it appears or changes.
//   - Storage: no provisioner runs, so every pending PersistentVolumeClaim
//     gets a hostPath PersistentVolume (Retain) pre-bound to it; the
//     persistentvolume-binder controller completes the binding.
//   - Node lifecycle: the node lifecycle controller does not run (kwok sends
//     no kubelet heartbeats it would trust), so the not-ready taint the
//     apiserver puts on new Nodes is removed by the harness once kwok has
//     marked them Ready.
//
// The binaries come from environment variables set by test/e2e/rollout.sh
// (BinariesFromEnv); the package never builds anything itself.
package sim
