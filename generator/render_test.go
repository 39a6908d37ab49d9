package generator_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/manifest"
	kedav1alpha1 "discoursegen.dev/discoursegen/internal/thirdparty/keda/v1alpha1"
	"discoursegen.dev/discoursegen/schemas"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
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

// render loads a case through the KRM function's own loader (schema,
// strict decode, defaults, validation) and renders it, so the positive
// goldens exercise the same path as kustomize does.
func render(t testing.TB, dir string) ([]generator.Object, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, errs := discourse.Render(data)
	if len(errs) > 0 {
		t.Fatalf("%s", discourse.Describe(dir, errs))
	}
	out, err := manifest.YAML(objs)
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
		_, out := render(t, dir)
		rep, err := v.ValidateYAML(dir, out)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Objects == 0 {
			t.Errorf("%s: no objects", dir)
		}
		for _, viol := range rep.Violations {
			t.Error(viol.Error())
		}
	}
}

// decoded is one case's output decoded into typed objects, for invariants.
type decoded struct {
	deployments  []appsv1.Deployment
	statefulSets []appsv1.StatefulSet
	jobs         []batchv1.Job
	policies     []networkingv1.NetworkPolicy
	kinds        []string
	// autoscaled are the Kind/name targets of every autoscaler.
	autoscaled []string
}

// decode sorts a case's typed objects by the kinds the invariants read.
func decode(t *testing.T, objs []generator.Object) decoded {
	t.Helper()
	var d decoded
	for _, o := range objs {
		d.kinds = append(d.kinds, o.GetObjectKind().GroupVersionKind().Kind)
		switch o := o.(type) {
		case *appsv1.Deployment:
			d.deployments = append(d.deployments, *o)
		case *appsv1.StatefulSet:
			d.statefulSets = append(d.statefulSets, *o)
		case *batchv1.Job:
			d.jobs = append(d.jobs, *o)
		case *networkingv1.NetworkPolicy:
			d.policies = append(d.policies, *o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			d.autoscaled = append(d.autoscaled, o.Spec.ScaleTargetRef.Kind+"/"+o.Spec.ScaleTargetRef.Name)
		case *kedav1alpha1.ScaledObject:
			d.autoscaled = append(d.autoscaled, o.Spec.ScaleTargetRef.Kind+"/"+o.Spec.ScaleTargetRef.Name)
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
				release := j.Labels["app.kubernetes.io/version"]
				if release == "" || !strings.Contains(j.Name, "-migrate-"+strings.ToLower(strings.ReplaceAll(release, ".", "-"))+"-") {
					t.Errorf("job name %q does not carry the release %q", j.Name, release)
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
// Deployment makes every Flux reconcile undo the autoscaler. Every case,
// every autoscaler, whatever the names.
func TestAutoscaledHaveNoReplicas(t *testing.T) {
	targets := 0
	for _, dir := range cases(t) {
		d := decode(t, must(render(t, dir)))
		for _, dep := range d.deployments {
			if slices.Contains(d.autoscaled, "Deployment/"+dep.Name) {
				targets++
				if dep.Spec.Replicas != nil {
					t.Errorf("%s: %s is autoscaled but sets replicas", dir, dep.Name)
				}
			}
		}
		for _, target := range d.autoscaled {
			found := slices.ContainsFunc(d.deployments, func(dep appsv1.Deployment) bool { return "Deployment/"+dep.Name == target })
			if !found {
				t.Errorf("%s: an autoscaler targets %s, which the site does not render", dir, target)
			}
		}
	}
	if targets == 0 {
		t.Fatal("no case autoscales a Deployment: the invariant was never checked")
	}
}

func must(objs []generator.Object, _ []byte) []generator.Object { return objs }

// TestDNSBothProtocols: resolvers fall back to TCP for large answers.
func TestDNSBothProtocols(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		if filepath.Base(dir) == "network-policy-off" {
			// No NetworkPolicy at all, so nothing blocks DNS; the
			// waivers it carries instead are the policy's tests.
			continue
		}
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

// BenchmarkRenderProduction is the library path of the KRM function: load
// (schema, decode, validate), render and encode.
func BenchmarkRenderProduction(b *testing.B) {
	data, err := os.ReadFile("testdata/production-separated/config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		objs, errs := discourse.Render(data)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		if _, err := manifest.YAML(objs); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMigrationJobNamesFitALabel: the Job controller copies a Job's name
// into its pods' batch.kubernetes.io/job-name label, so a name longer than
// 63 characters makes the API server refuse the Job. The longest site name
// the schema allows with a long release must still fit, and keep the
// release's leading version.
func TestMigrationJobNamesFitALabel(t *testing.T) {
	site := "a" + strings.Repeat("b", 28) + "c" // 30 characters, the pattern's most
	config := `apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata: {name: ` + site + `}
spec:
  profile: production
  hostname: forum.acme-forums.test
  image: {repository: ghcr.io/acme-forums/discourse, tag: v2099.1.0-abc123def456-build.7, digest: "sha256:` + strings.Repeat("ab", 32) + `"}
  s3: {bucket: uploads, backupBucket: backups, region: eu-central-1}
`
	objs, errs := discourse.Render([]byte(config))
	if len(errs) > 0 {
		t.Fatal(discourse.Describe("config", errs))
	}
	jobs := decode(t, objs).jobs
	if len(jobs) != 2 {
		t.Fatalf("want a pre- and a post-deploy Job, got %d", len(jobs))
	}
	for _, job := range jobs {
		if len(job.Name) > 63 {
			t.Errorf("Job %s has %d characters; its pods' job-name label allows 63", job.Name, len(job.Name))
		}
		if !strings.Contains(job.Name, "v2099") {
			t.Errorf("Job %s lost its release", job.Name)
		}
	}
}
