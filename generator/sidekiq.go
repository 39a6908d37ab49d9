package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	_ "embed"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// sidekiqQueues are Discourse's queues with upstream's weights (Demon::Sidekiq).
var sidekiqQueues = []string{"-q", "critical,8", "-q", "default,4", "-q", "low,2", "-q", "ultra_low,1"}

// jemalloc is the allocator the upstream image ships (discourse_docker
// image/base/Dockerfile: RUBY_ALLOCATOR=/usr/lib/libjemalloc.so), and
// upstream always preloads it for Ruby (templates/web.template.yml:
// LD_PRELOAD=$RUBY_ALLOCATOR ... thpoff chpst ...); glibc malloc fragments
// a long-running Sidekiq until its RSS hits the memory limit. An image
// without it only gets a warning from the dynamic loader, not a failure.
const jemalloc = "/usr/lib/libjemalloc.so"

// thpoff turns transparent huge pages off for the process it starts, as
// upstream does for every Ruby process; the image builds it into
// /usr/local/sbin (discourse_docker image/base/Dockerfile).
const thpoff = "thpoff"

// defaultSidekiqMaxRSSMegabytes is upstream's ceiling when the container
// has no memory limit (lib/demon/sidekiq.rb
// DEFAULT_MAX_ALLOWED_SIDEKIQ_RSS_MEGABYTES).
const defaultSidekiqMaxRSSMegabytes = 1000

// sidekiqAliveScript is the liveness check of Sidekiq pods; see the file
// for what it checks and why. Full-line comments are dropped from the
// rendered probe, which the file's comments explain.
//
//go:embed probes/sidekiq_alive.rb
var sidekiqAliveScript string

var sidekiqAliveCommand = []string{"ruby", "-e", stripComments(sidekiqAliveScript)}

func stripComments(script string) string {
	var kept []string
	for _, line := range strings.Split(script, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return strings.TrimSpace(strings.Join(kept, "\n")) + "\n"
}

// sidekiqMaxRSSMegabytes restarts Sidekiq at 85% of its memory limit: high
// enough that a busy worker is not restarted for nothing, low enough that
// the kubelet's graceful stop comes before the kernel's OOM kill.
func sidekiqMaxRSSMegabytes(res corev1.ResourceRequirements) int64 {
	limit, ok := res.Limits[corev1.ResourceMemory]
	if !ok {
		return defaultSidekiqMaxRSSMegabytes
	}
	return limit.Value() * 85 / 100 / (1 << 20)
}

// workerDeployment is the Sidekiq worker tier (separated and hybrid
// layouts). Workers never run the scheduler.
func (d *site) workerDeployment() *appsv1.Deployment {
	s := &d.Spec
	w := &s.Sidekiq.Workers
	dep := d.sidekiqDeployment(d.workerName(), componentSidekiq, noSchedulerHost, *w.Resources, w.TerminationGracePeriodSeconds)
	dep.Spec.Strategy = appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxUnavailable: ptr.To(intstr.FromInt32(0)),
			MaxSurge:       ptr.To(intstr.FromInt32(v1alpha1.WorkerSurge)),
		},
	}
	// KEDA owns the replica count of an autoscaled worker Deployment.
	if !*w.Autoscaling.Enabled {
		dep.Spec.Replicas = w.Replicas
	}
	return dep
}

// schedulerDeployment is the one pod that runs Discourse's MiniScheduler.
//
// Exactly one scheduler, by construction:
//   - replicas is 1 and Validate refuses anything else;
//   - Recreate, not RollingUpdate: the old pod is gone before the new one
//     starts, so a rollout never has two;
//   - the pod has a fixed hostname, and UNICORN_SCHEDULER_HOSTNAME names it;
//     every other pod sets a value no hostname can have.
func (d *site) schedulerDeployment() *appsv1.Deployment {
	s := &d.Spec
	sch := &s.Sidekiq.Scheduler
	dep := d.sidekiqDeployment(d.schedulerName(), componentScheduler, sch.Hostname, *sch.Resources, s.Sidekiq.Workers.TerminationGracePeriodSeconds)
	dep.Spec.Replicas = ptr.To(int32(1))
	dep.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	dep.Spec.Template.Spec.Hostname = sch.Hostname
	return dep
}

// sidekiqDeployment runs `bundle exec sidekiq` directly as the discourse
// user: no runit, no nginx, no root, so these pods meet the restricted Pod
// Security level.
func (d *site) sidekiqDeployment(name string, comp component, schedulerHost string, res corev1.ResourceRequirements, grace *int64) *appsv1.Deployment {
	s := &d.Spec
	volumes, mounts := directRubyVolumes()
	shared, sharedMount := sharedVolume()
	volumes = append(volumes, shared)
	mounts = append(mounts, sharedMount)
	args := append([]string{"bundle", "exec", "sidekiq", "-c", itoa(*s.Sidekiq.Concurrency)}, sidekiqQueues...)
	alive := corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: sidekiqAliveCommand}}
	c := corev1.Container{
		Name:            "sidekiq",
		Image:           d.imageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		Command:         []string{thpoff},
		Args:            args,
		WorkingDir:      appRoot,
		EnvFrom:         d.envFrom(),
		// Sidekiq pods run no Unicorn and never migrate.
		Env: d.discourseEnv(processEnv{sidekiqs: 1, schedulerHost: schedulerHost, directRuby: true},
			corev1.EnvVar{Name: "UNICORN_SIDEKIQ_MAX_RSS", Value: fmt.Sprint(sidekiqMaxRSSMegabytes(res))},
			corev1.EnvVar{Name: "SIDEKIQ_REDIS_DB", Value: itoa(sidekiqRedisDB)}),
		Resources:    res,
		VolumeMounts: mounts,
		// Booting Rails and registering with Redis takes up to a few
		// minutes on a cold node; liveness starts after that.
		StartupProbe:    &corev1.Probe{ProbeHandler: alive, PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: 30},
		LivenessProbe:   &corev1.Probe{ProbeHandler: alive, PeriodSeconds: 30, TimeoutSeconds: 5, FailureThreshold: 3},
		SecurityContext: restrictedContainer(),
	}
	containers := []corev1.Container{c}
	if d.scrapesDiscourse() {
		containers = append(containers, d.collectorContainer())
	}
	spec := d.podSpec(comp, corev1.PodSpec{
		InitContainers:                d.waitContainers(d.databaseHost()),
		Containers:                    containers,
		Volumes:                       volumes,
		TerminationGracePeriodSeconds: grace,
		SecurityContext:               nonRootPod(discourseUID),
	})
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: d.releaseMeta(name, comp, StageApp),
		Spec: appsv1.DeploymentSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: d.selectorLabels(comp)},
			RevisionHistoryLimit: ptr.To(int32(5)),
			Template:             corev1.PodTemplateSpec{ObjectMeta: d.podMeta(comp), Spec: spec},
		},
	}
}
