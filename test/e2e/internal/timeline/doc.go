// Package timeline records what happens in a simulated cluster during a
// rollout: objects created and deleted, pod phases and readiness, Job
// conditions, Flux Kustomization conditions. Each event carries the
// wall-clock time it was seen, for the human-readable timeline, and the
// etcd revision of the write that caused it, for ordering: the
// simulation owns its single etcd, whose revision orders every write to
// every resource, so "this pod was created before that Job completed" is
// a comparison of two integers, not of clocks or of second-granular
// timestamps. (The Kubernetes API calls resourceVersion opaque; the
// harness relies on it only because it owns the one etcd behind it.)
package timeline
