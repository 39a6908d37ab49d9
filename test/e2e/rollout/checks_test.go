package rollout

import (
	"fmt"
	"strings"

	"discoursegen.dev/discoursegen/test/e2e/internal/timeline"
)

// The guarantees, each a pure function of a timeline that returns what
// broke it (nothing when it holds), so a scenario and its deliberately
// broken twin judge with the same code.

const (
	labelComponent = "app.kubernetes.io/component"
	labelVersion   = "app.kubernetes.io/version"
	site           = "forum"
	namespace      = "forum"
)

// appComponents are the pods that run the release's code for users.
var appComponents = []string{"web", "sidekiq", "scheduler"}

func isAppPod(e timeline.Event) bool {
	if e.Kind != "Pod" {
		return false
	}
	for _, c := range appComponents {
		if e.Labels[labelComponent] == c {
			return true
		}
	}
	return false
}

// isMigrationJob is the release's pre-deploy (or only) migration Job.
func isMigrationJob(e timeline.Event, version string) bool {
	return e.Kind == "Job" && strings.HasPrefix(e.Name, namespace+"/"+site+"-migrate-") && e.Labels[labelVersion] == version
}

// migrationsFirst: no pod of version's app is created before version's
// migration Job is Complete, and it does complete.
func migrationsFirst(events []timeline.Event, version string) []string {
	done, ok := timeline.First(events, func(e timeline.Event) bool { return isMigrationJob(e, version) && e.What == "Complete" })
	if !ok {
		return []string{fmt.Sprintf("the migration Job of %s never completed", version)}
	}
	var broken []string
	for _, e := range events {
		if isAppPod(e) && e.What == "created" && e.Labels[labelVersion] == version && e.Revision < done.Revision {
			broken = append(broken, fmt.Sprintf("%s (%s) was created at revision %d, before %s completed at %d",
				e.Name, version, e.Revision, done.Name, done.Revision))
		}
	}
	return broken
}

// noPodOf: no app pod of version is ever created.
func noPodOf(events []timeline.Event, version string) []string {
	var broken []string
	for _, e := range events {
		if isAppPod(e) && e.What == "created" && e.Labels[labelVersion] == version {
			broken = append(broken, fmt.Sprintf("%s of %s was created at revision %d", e.Name, version, e.Revision))
		}
	}
	return broken
}

// oneScheduler: at no instant do two scheduler pods exist.
func oneScheduler(events []timeline.Event) []string {
	most, at := timeline.MaxAlive(events, func(e timeline.Event) bool {
		return e.Kind == "Pod" && e.Labels[labelComponent] == "scheduler"
	})
	if most > 1 {
		return []string{fmt.Sprintf("%d scheduler pods existed at once (revision %d)", most, at)}
	}
	return nil
}

// neverBelow: once component has ready pods of the old version, the
// number of its ready pods (any version) never drops below want until the
// end of events: a rolling update with maxUnavailable 0 takes an old pod
// away only when a new one is ready.
func neverBelow(events []timeline.Event, component string, want int) []string {
	ready := map[string]bool{}
	reached := false
	var broken []string
	for _, e := range events {
		if e.Kind != "Pod" || e.Labels[labelComponent] != component {
			continue
		}
		track(ready, e)
		if len(ready) >= want {
			reached = true
		} else if reached {
			broken = append(broken, fmt.Sprintf("%d ready %s pods after %s %s (revision %d), fewer than %d",
				len(ready), component, e.Name, e.What, e.Revision, want))
		}
	}
	if !reached {
		broken = append(broken, fmt.Sprintf("%s never had %d ready pods", component, want))
	}
	return broken
}

// readyPods is how many pods of component and version are ready at the end.
func readyPods(events []timeline.Event, component, version string) int {
	ready := map[string]bool{}
	for _, e := range events {
		if e.Kind == "Pod" && e.Labels[labelComponent] == component && e.Labels[labelVersion] == version {
			track(ready, e)
		}
	}
	return len(ready)
}

// track keeps the set of ready pods up to date with one pod event.
func track(ready map[string]bool, e timeline.Event) {
	switch e.What {
	case "ready":
		ready[e.Name] = true
	case "not ready", "deleted":
		delete(ready, e.Name)
	}
}
