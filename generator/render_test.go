package generator_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/schemas"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// update rewrites testdata/<case>/expected.yaml from the current output;
// review the diff before committing it. `make golden-update` runs it.
var update = flag.Bool("update", false, "rewrite expected.yaml golden files")

// cases returns the testdata case directories.
func cases(t testing.TB) []string {
	dirs, err := filepath.Glob("testdata/*/config.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no testdata cases: %v", err)
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

func load(t testing.TB, dir string) *generator.Discourse {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var d generator.Discourse
	if err := yaml.UnmarshalStrict(data, &d); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return &d
}

func render(t testing.TB, dir string) ([]generator.Object, []byte) {
	t.Helper()
	objs, err := generator.Render(load(t, dir))
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	out, err := generator.ToYAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	return objs, out
}

func TestGolden(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, got := render(t, dir)
			path := filepath.Join(dir, "expected.yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run make golden-update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("output differs from %s (-want +got); if intended, run make golden-update and review:\n%s", path, diff)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, dir := range cases(t) {
		_, first := render(t, dir)
		for range 4 {
			if _, again := render(t, dir); !bytes.Equal(first, again) {
				t.Fatalf("%s: two renders of the same config differ", dir)
			}
		}
	}
}

// TestOutputValidates checks every case's objects against the strict
// schemas of their kinds.
func TestOutputValidates(t *testing.T) {
	v, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for i, o := range objs {
			m, err := generator.ToMap(o)
			if err != nil {
				t.Fatal(err)
			}
			violations, err := v.ValidateObject(dir, i, m)
			if err != nil {
				t.Fatal(err)
			}
			for _, viol := range violations {
				t.Error(viol.Error())
			}
		}
	}
}

func TestConfigSchemaIsCurrent(t *testing.T) {
	want, err := generator.ConfigSchema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", generator.ConfigSchemaPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s is stale: run make schemas", generator.ConfigSchemaPath)
	}
}

// decoded is one case's output decoded into typed objects, for invariants.
type decoded struct {
	deployments  []appsv1.Deployment
	statefulSets []appsv1.StatefulSet
	jobs         []batchv1.Job
	policies     []networkingv1.NetworkPolicy
	kinds        []string
}

func decode(t *testing.T, objs []generator.Object) decoded {
	t.Helper()
	var d decoded
	for _, o := range objs {
		m, err := generator.ToMap(o)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := yaml.Marshal(m)
		kind := o.GetObjectKind().GroupVersionKind().Kind
		d.kinds = append(d.kinds, kind)
		var target any
		switch kind {
		case "Deployment":
			d.deployments = append(d.deployments, appsv1.Deployment{})
			target = &d.deployments[len(d.deployments)-1]
		case "StatefulSet":
			d.statefulSets = append(d.statefulSets, appsv1.StatefulSet{})
			target = &d.statefulSets[len(d.statefulSets)-1]
		case "Job":
			d.jobs = append(d.jobs, batchv1.Job{})
			target = &d.jobs[len(d.jobs)-1]
		case "NetworkPolicy":
			d.policies = append(d.policies, networkingv1.NetworkPolicy{})
			target = &d.policies[len(d.policies)-1]
		default:
			continue
		}
		// Strict: an output field the typed API does not know is a bug.
		if err := yaml.UnmarshalStrict(b, target); err != nil {
			t.Fatalf("%s %s: %v", kind, o.GetName(), err)
		}
	}
	return d
}

func env(c corev1.Container, name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// TestSingleScheduler is the scheduler guarantee: exactly one pod in the
// whole site can start MiniScheduler, and it can never overlap with its
// successor.
func TestSingleScheduler(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			objs, _ := render(t, dir)
			schedulers := 0
			for _, dep := range decode(t, objs).deployments {
				pod := dep.Spec.Template.Spec
				host, ok := env(pod.Containers[0], "UNICORN_SCHEDULER_HOSTNAME")
				if !ok {
					t.Fatalf("%s: UNICORN_SCHEDULER_HOSTNAME unset: every Sidekiq process would start a scheduler", dep.Name)
				}
				if host != pod.Hostname {
					continue // matches no pod: this workload never schedules
				}
				schedulers++
				if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 1 {
					t.Errorf("%s runs the scheduler but may have more than one replica", dep.Name)
				}
				if dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
					t.Errorf("%s runs the scheduler with strategy %q, want Recreate", dep.Name, dep.Spec.Strategy.Type)
				}
			}
			if schedulers != 1 {
				t.Errorf("%d workloads can run the scheduler, want exactly 1", schedulers)
			}
		})
	}
}

// TestMigrationsNeverRace: MIGRATE_ON_BOOT=1 only on a single-replica,
// Recreate, non-autoscaled Deployment; otherwise a Job without TTL.
func TestMigrationsNeverRace(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			objs, _ := render(t, dir)
			d := decode(t, objs)
			onBoot := false
			for _, dep := range d.deployments {
				for _, c := range dep.Spec.Template.Spec.Containers {
					if v, _ := env(c, "MIGRATE_ON_BOOT"); v == "1" {
						onBoot = true
						single := dep.Spec.Replicas != nil && *dep.Spec.Replicas == 1
						if !single || dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType || slices.Contains(d.kinds, "HorizontalPodAutoscaler") {
							t.Errorf("%s migrates on boot but can run more than one pod", dep.Name)
						}
					}
				}
			}
			if onBoot == (len(d.jobs) > 0) {
				t.Errorf("migrate on boot: %v, migration Jobs: %d; want exactly one mechanism", onBoot, len(d.jobs))
			}
			for _, j := range d.jobs {
				if j.Spec.TTLSecondsAfterFinished != nil {
					t.Errorf("%s has ttlSecondsAfterFinished: Flux would re-create and re-run it", j.Name)
				}
				if !strings.Contains(j.Name, "-migrate-") {
					t.Errorf("job name %q does not carry the release", j.Name)
				}
			}
		})
	}
}

func TestNoSecretData(t *testing.T) {
	for _, dir := range cases(t) {
		objs, out := render(t, dir)
		for _, o := range objs {
			if o.GetObjectKind().GroupVersionKind().Kind == "Secret" {
				t.Errorf("%s: emits Secret %s; secrets must only be referenced", dir, o.GetName())
			}
		}
		if bytes.Contains(out, []byte("stringData")) {
			t.Errorf("%s: output contains stringData", dir)
		}
	}
}

// TestAutoscaledHaveNoReplicas: a replicas field on an autoscaled
// Deployment makes every Flux reconcile undo the autoscaler.
func TestAutoscaledHaveNoReplicas(t *testing.T) {
	objs, _ := render(t, "testdata/production-separated")
	for _, dep := range decode(t, objs).deployments {
		autoscaled := dep.Name == "forum-web" || dep.Name == "forum-sidekiq"
		if autoscaled && dep.Spec.Replicas != nil {
			t.Errorf("%s is autoscaled but sets replicas", dep.Name)
		}
	}
}

// TestDNSBothProtocols: resolvers fall back to TCP for large answers.
func TestDNSBothProtocols(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		var protocols []corev1.Protocol
		for _, np := range decode(t, objs).policies {
			for _, rule := range np.Spec.Egress {
				for _, p := range rule.Ports {
					if p.Port != nil && p.Port.IntValue() == 53 {
						protocols = append(protocols, *p.Protocol)
					}
				}
				for _, peer := range rule.To {
					if peer.NamespaceSelector != nil && len(peer.NamespaceSelector.MatchLabels) > 0 {
						if _, ok := peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]; !ok {
							t.Errorf("%s: %s selects a namespace by a label the API server does not set", dir, np.Name)
						}
					}
				}
			}
		}
		slices.Sort(protocols)
		if !slices.Equal(protocols, []corev1.Protocol{"TCP", "UDP"}) {
			t.Errorf("%s: DNS egress protocols %v, want TCP and UDP", dir, protocols)
		}
	}
}

func BenchmarkRenderProduction(b *testing.B) {
	data, err := os.ReadFile("testdata/production-separated/config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var d generator.Discourse
		if err := yaml.UnmarshalStrict(data, &d); err != nil {
			b.Fatal(err)
		}
		objs, err := generator.Render(&d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := generator.ToYAML(objs); err != nil {
			b.Fatal(err)
		}
	}
}
