package rollout

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"

	"discoursegen.dev/discoursegen/test/e2e/internal/timeline"
)

// stageTimeout bounds how long a scenario waits for Flux: kwok's stages
// take tenths of a second, so a healthy rollout is Ready in seconds; the
// bound only stops a broken one.
const stageTimeout = 3 * time.Minute

// recorded starts a simulated cluster and its timeline for t; both end
// with t.
func recorded(t *testing.T) (context.Context, simulation, *timeline.Recorder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := startSim(ctx, t)
	// Registered after the Sim's own cleanup, so it runs first: the
	// timeline stops watching before the apiserver goes away.
	t.Cleanup(cancel)
	rec, err := timeline.Start(ctx, s.config)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, s, rec
}

// report fails the test with every broken guarantee, and the timeline.
func report(t *testing.T, rec *timeline.Recorder, events []timeline.Event, guarantee string, broken []string) {
	t.Helper()
	if len(broken) > 0 {
		t.Errorf("%s is broken:\n  %s\ntimeline:\n%s", guarantee, strings.Join(broken, "\n  "), rec.Format(events))
	}
}

// TestRollout runs production's releases through the real
// kustomize-controller, in one simulated cluster, in the order a site
// lives them: a fresh install of the committed golden/production, an
// upgrade to a new pin, a rollback to the previous artifact, and a
// release whose migration fails.
// Each step asserts its guarantees on the timeline of that step, and the
// whole timeline has never more than one scheduler pod.
func TestRollout(t *testing.T) {
	ctx, s, rec := recorded(t)
	start := time.Now()

	// 1. Fresh install: data, then the migration Job, then the app.
	v1 := committed(t)
	rev1 := s.publish(ctx, t, v1)
	applyFlux(ctx, t, s.config, v1, nil)
	waitStages(ctx, t, s.config, rev1, rec, stageTimeout)
	install := rec.Events()
	t.Logf("fresh install Ready in %s", time.Since(start).Round(10*time.Millisecond))
	report(t, rec, install, "migrations before any pod (fresh install)", migrationsFirst(install, release1))
	if _, ok := timeline.First(install, func(e timeline.Event) bool {
		return e.Kind == "Kustomization" && strings.HasSuffix(e.Name, "/"+kustomizationName("data")) && strings.HasPrefix(e.What, "Ready=True")
	}); !ok {
		t.Error("the data stage never reported Ready")
	}
	postMigrateAfterApp(t, rec, install, release1)
	webReplicas := webAtMinimum(t, rec, v1, release1)
	install = rec.Events()
	mark := install[len(install)-1].Revision

	// 2. Upgrade to a new pin, which gives new Job names: the new
	// migration Job completes before any pod of the release exists, the
	// old Jobs are pruned, web never has fewer ready pods than before
	// (maxUnavailable 0), and the post-deploy Job runs after the app.
	upgrade := rendered(t, release2)
	step := time.Now()
	rev2 := s.publish(ctx, t, upgrade)
	waitStages(ctx, t, s.config, rev2, rec, stageTimeout)
	upgraded := rec.Since(mark)
	t.Logf("upgrade Ready in %s", time.Since(step).Round(10*time.Millisecond))
	report(t, rec, upgraded, "migrations before any new pod (upgrade)", migrationsFirst(upgraded, release2))
	report(t, rec, upgraded, "web keeps serving through the rollout", neverBelow(rec.Events(), "web", webReplicas))
	postMigrateAfterApp(t, rec, upgraded, release2)
	if _, ok := timeline.First(upgraded, func(e timeline.Event) bool {
		return isMigrationJob(e, release1) && e.What == "deleted"
	}); !ok {
		t.Errorf("the migration Job of %s was not pruned:\n%s", release1, rec.Format(upgraded))
	}
	if n := readyPods(rec.Events(), "web", release2); n < webReplicas {
		t.Errorf("%d web pods of %s ready after the upgrade, want %d", n, release2, webReplicas)
	}
	if n := readyPods(rec.Events(), "web", release1); n != 0 {
		t.Errorf("%d web pods of %s still ready after the upgrade", n, release1)
	}
	mark = upgraded[len(upgraded)-1].Revision
	t.Logf("timeline of the upgrade:\n%s", rec.Format(upgraded))

	// 3. Rollback: the previous artifact again. The app returns to the
	// old version, after the old release's own Jobs (pruned by the
	// upgrade, so created again); no other Job is created.
	step = time.Now()
	revBack := s.publish(ctx, t, v1)
	waitStages(ctx, t, s.config, revBack, rec, stageTimeout)
	back := rec.Since(mark)
	t.Logf("rollback Ready in %s", time.Since(step).Round(10*time.Millisecond))
	// The previous release's Jobs are the install's very Jobs, by name
	// (the name hashes the pod template): the upgrade pruned them, so
	// Flux creates them again, and they find nothing to migrate.
	installed := map[string]bool{}
	for _, e := range install {
		if e.Kind == "Job" && e.What == "created" {
			installed[e.Name] = true
		}
	}
	for _, e := range back {
		if e.Kind == "Job" && e.What == "created" && !installed[e.Name] {
			t.Errorf("the rollback created %s (%s), a Job the previous release did not have", e.Name, e.Labels[labelVersion])
		}
	}
	report(t, rec, back, "migrations before any pod (rollback)", migrationsFirst(back, release1))
	report(t, rec, back, "web keeps serving through the rollback", neverBelow(rec.Events(), "web", webReplicas))
	if n := readyPods(rec.Events(), "web", release1); n < webReplicas {
		t.Errorf("%d web pods of %s ready after the rollback, want %d", n, release1, webReplicas)
	}
	mark = back[len(back)-1].Revision
	t.Logf("timeline of the rollback:\n%s", rec.Format(back))

	// 4. A release whose migration fails: the migrate stage reports it,
	// Flux holds the app stage, the running version keeps serving.
	failing := rendered(t, release3)
	failMigrations(t, failing)
	step = time.Now()
	revFail := s.publish(ctx, t, failing)
	waitFor(t, "the migrate stage reports the failed migration", stageTimeout, rec, func() bool {
		_, failed := timeline.First(rec.Since(mark), func(e timeline.Event) bool {
			return e.Kind == "Kustomization" && strings.HasSuffix(e.Name, "/"+kustomizationName("migrate")) &&
				strings.HasPrefix(e.What, "Ready=False") && strings.Contains(e.What, timeline.ShortRevision(revFail))
		})
		return failed
	})
	// Give the app stage every chance to move on: it re-checks its
	// dependency every requeue interval.
	time.Sleep(3 * requeueDependency)
	failed := rec.Since(mark)
	t.Logf("failing migration reported in %s", time.Since(step).Round(10*time.Millisecond))
	report(t, rec, failed, "no new version while its migration fails", noPodOf(failed, release3))
	if _, ok := timeline.First(failed, func(e timeline.Event) bool { return isMigrationJob(e, release3) && e.What == "Failed" }); !ok {
		t.Errorf("the migration Job of %s did not fail:\n%s", release3, rec.Format(failed))
	}
	if n := readyPods(rec.Events(), "web", release1); n < webReplicas {
		t.Errorf("%d web pods of %s ready while the migration fails, want %d:\n%s", n, release1, webReplicas, rec.Format(failed))
	}
	client, err := dynamic.NewForConfig(s.config)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _, _, err := readyAt(ctx, client, "app", revFail); ok || err != nil {
		t.Errorf("the app stage applied %s (%v) although its migration failed", revFail, err)
	}
	t.Logf("timeline of the failing release:\n%s", rec.Format(failed))

	// Throughout: never two schedulers.
	all := rec.Events()
	report(t, rec, all, "one scheduler at any instant", oneScheduler(all))
	t.Logf("whole scenario: %s, %d events", time.Since(start).Round(10*time.Millisecond), len(all))
}

// webAtMinimum waits until the web autoscaler has raised web to its
// minimum (the Deployment has no replicas field, so it starts at one) and
// returns that count: what a release must keep serving.
func webAtMinimum(t *testing.T, rec *timeline.Recorder, dir, version string) int {
	t.Helper()
	want := webMinimum(t, dir)
	waitFor(t, fmt.Sprintf("%d ready web pods of %s", want, version), stageTimeout, rec, func() bool {
		return readyPods(rec.Events(), "web", version) >= want
	})
	return want
}

// postMigrateAfterApp: the post-deploy Job of version is created only
// after the app stage is Ready with the release.
func postMigrateAfterApp(t *testing.T, rec *timeline.Recorder, events []timeline.Event, version string) {
	t.Helper()
	created, ok := timeline.First(events, func(e timeline.Event) bool {
		return e.Kind == "Job" && strings.HasPrefix(e.Name, namespace+"/"+site+"-post-migrate-") && e.Labels[labelVersion] == version && e.What == "created"
	})
	if !ok {
		t.Errorf("no post-deploy migration Job of %s:\n%s", version, rec.Format(events))
		return
	}
	appReady, ok := timeline.First(events, func(e timeline.Event) bool {
		return e.Kind == "Kustomization" && strings.HasSuffix(e.Name, "/"+kustomizationName("app")) && strings.HasPrefix(e.What, "Ready=True")
	})
	if !ok || appReady.Revision > created.Revision {
		t.Errorf("the post-deploy Job %s (revision %d) was created before the app stage was Ready (%v at %d):\n%s",
			created.Name, created.Revision, ok, appReady.Revision, rec.Format(events))
	}
}

// TestBrokenGuaranteesAreDetected breaks each guarantee on purpose and
// checks that the scenario's own check reports it: the app stage without
// its dependsOn (pods before the migration; the same dependsOn is what
// holds a release whose migration fails), a scheduler Deployment with a
// rolling update (two schedulers during a release), and web with
// maxUnavailable 1 (fewer ready pods during a release).
func TestBrokenGuaranteesAreDetected(t *testing.T) {
	t.Run("app without dependsOn", func(t *testing.T) {
		ctx, s, rec := recorded(t)
		v1 := committed(t)
		rev := s.publish(ctx, t, v1)
		applyFlux(ctx, t, s.config, v1, func(stage string, obj map[string]any) {
			if stage == "app" {
				delete(nested(obj, "spec"), "dependsOn")
			}
		})
		waitStages(ctx, t, s.config, rev, rec, stageTimeout)
		if broken := migrationsFirst(rec.Events(), release1); len(broken) == 0 {
			t.Errorf("with the app stage's dependsOn removed, the check found no pod created before the migration:\n%s", rec.Format(rec.Events()))
		} else {
			t.Logf("detected: %s", broken[0])
		}
	})
	t.Run("rolling scheduler and web with maxUnavailable", func(t *testing.T) {
		// Two breaks in one simulated release, each judged by its own
		// check: a scheduler that rolls instead of being recreated, and a
		// web Deployment that may take a pod away before its successor
		// is ready.
		ctx, s, rec := recorded(t)
		breakRollouts := func(dir string) {
			editObject(t, fileOf(t, dir, "app", "deployment-forum-scheduler"), func(obj map[string]any) {
				nested(obj, "spec")["strategy"] = map[string]any{
					"type":          "RollingUpdate",
					"rollingUpdate": map[string]any{"maxSurge": 1, "maxUnavailable": 0},
				}
			})
			editObject(t, fileOf(t, dir, "app", "deployment-forum-web"), func(obj map[string]any) {
				nested(obj, "spec", "strategy")["rollingUpdate"] = map[string]any{"maxSurge": 0, "maxUnavailable": 1}
			})
		}
		v1 := committed(t)
		breakRollouts(v1)
		rev1 := s.publish(ctx, t, v1)
		applyFlux(ctx, t, s.config, v1, nil)
		waitStages(ctx, t, s.config, rev1, rec, stageTimeout)
		webReplicas := webAtMinimum(t, rec, v1, release1)
		v2 := rendered(t, release2)
		breakRollouts(v2)
		rev2 := s.publish(ctx, t, v2)
		waitStages(ctx, t, s.config, rev2, rec, stageTimeout)
		if broken := oneScheduler(rec.Events()); len(broken) == 0 {
			t.Errorf("with a rolling scheduler, the check found no moment with two schedulers:\n%s", rec.Format(rec.Events()))
		} else {
			t.Logf("detected: %s", broken[0])
		}
		if broken := neverBelow(rec.Events(), "web", webReplicas); len(broken) == 0 {
			t.Errorf("with maxUnavailable 1, the check found no moment with fewer than %d ready web pods:\n%s", webReplicas, rec.Format(rec.Events()))
		} else {
			t.Logf("detected: %s", broken[0])
		}
	})
}
