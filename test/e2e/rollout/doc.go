// Package rollout proves the order of a release under Flux with the real
// parts: the Kubernetes control plane, Flux's kustomize-controller and kwok
// nodes (internal/sim), applying golden/production stage by stage. Each
// scenario records a timeline (internal/timeline) and judges it with
// checks that are pure functions of the timeline (checks_test.go), so a
// guarantee broken on purpose (TestBrokenGuaranteesAreDetected) is judged
// by the same code:
//
//   - fresh install: the data stage becomes Ready, the migration Job
//     completes, and only then is any web, Sidekiq or scheduler pod
//     created; the post-deploy Job runs after the app stage is Ready;
//   - upgrade to a new pin: no pod of the new release before its migration
//     Job completes, the old Job is pruned, web never has fewer ready pods
//     (maxUnavailable 0);
//   - rollback to the previous artifact: the old release returns, after
//     its own Jobs, and no Job of another release is created;
//   - a failing migration: the migrate stage reports it, the app stage
//     never applies the release, the running one keeps serving;
//   - throughout, at most one scheduler pod exists at any instant.
//
// The tests need the binaries test/e2e/rollout.sh builds (make rollout).
package rollout
