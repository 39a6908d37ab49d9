package rollout

import (
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/test/e2e/internal/timeline"
)

// The checks on hand-made timelines: each must find the break it exists
// for, and nothing in a timeline that keeps the guarantee. These need no
// cluster.

func pod(rev int64, name, component, version, what string) timeline.Event {
	return timeline.Event{Revision: rev, Kind: "Pod", Name: namespace + "/" + name, What: what,
		Labels: map[string]string{labelComponent: component, labelVersion: version}}
}

func job(rev int64, name, version, what string) timeline.Event {
	return timeline.Event{Revision: rev, Kind: "Job", Name: namespace + "/" + name, What: what,
		Labels: map[string]string{labelComponent: "migrate", labelVersion: version}}
}

func TestMigrationsFirstCheck(t *testing.T) {
	good := []timeline.Event{
		job(10, "forum-migrate-v1-aaaa", "v1", "created"),
		job(20, "forum-migrate-v1-aaaa", "v1", "Complete"),
		pod(30, "forum-web-1", "web", "v1", "created"),
	}
	if broken := migrationsFirst(good, "v1"); len(broken) != 0 {
		t.Errorf("a pod after the Job: %v", broken)
	}
	bad := []timeline.Event{good[0], pod(15, "forum-web-1", "web", "v1", "created"), good[1]}
	if broken := migrationsFirst(bad, "v1"); len(broken) != 1 || !strings.Contains(broken[0], "forum-web-1") {
		t.Errorf("a pod before the Job: %v", broken)
	}
	if broken := migrationsFirst(good[:1], "v1"); len(broken) != 1 {
		t.Errorf("a Job that never completes: %v", broken)
	}
	// Another release's pods and Jobs do not count.
	other := append([]timeline.Event{pod(5, "forum-web-0", "web", "v0", "created")}, good...)
	if broken := migrationsFirst(other, "v1"); len(broken) != 0 {
		t.Errorf("an old release's pod: %v", broken)
	}
}

func TestOneSchedulerCheck(t *testing.T) {
	recreate := []timeline.Event{
		pod(1, "forum-scheduler-a", "scheduler", "v1", "created"),
		pod(2, "forum-scheduler-a", "scheduler", "v1", "deleted"),
		pod(3, "forum-scheduler-b", "scheduler", "v2", "created"),
	}
	if broken := oneScheduler(recreate); len(broken) != 0 {
		t.Errorf("Recreate: %v", broken)
	}
	rolling := []timeline.Event{recreate[0], recreate[2], recreate[1]}
	if broken := oneScheduler(rolling); len(broken) != 1 {
		t.Errorf("a rolling update: %v", broken)
	}
}

func TestNeverBelowCheck(t *testing.T) {
	surge := []timeline.Event{
		pod(1, "a", "web", "v1", "ready"), pod(2, "b", "web", "v1", "ready"),
		pod(3, "c", "web", "v2", "ready"), pod(4, "a", "web", "v1", "deleted"),
		pod(5, "d", "web", "v2", "ready"), pod(6, "b", "web", "v1", "deleted"),
	}
	if broken := neverBelow(surge, "web", 2); len(broken) != 0 {
		t.Errorf("maxUnavailable 0: %v", broken)
	}
	unavailable := []timeline.Event{surge[0], surge[1], surge[3], surge[2]}
	if broken := neverBelow(unavailable, "web", 2); len(broken) != 1 {
		t.Errorf("an old pod gone before a new one is ready: %v", broken)
	}
}
