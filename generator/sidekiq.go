package generator

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// sidekiqQueues are Discourse's queues with upstream's weights (Demon::Sidekiq).
var sidekiqQueues = []string{"-q", "critical,8", "-q", "default,4", "-q", "low,2", "-q", "ultra_low,1"}

// WorkerDeployment is the Sidekiq worker tier (separated and hybrid
// layouts). Workers never run the scheduler.
func WorkerDeployment(d *Discourse) *appsv1.Deployment {
	s := &d.Spec
	w := &s.Sidekiq.Workers
	dep := d.sidekiqDeployment(d.WorkerName(), ComponentSidekiq, noSchedulerHost, *w.Resources, w.TerminationGracePeriodSeconds)
	dep.Spec.Strategy = appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxUnavailable: ptr.To(intstr.FromInt32(0)),
			MaxSurge:       ptr.To(intstr.FromInt32(1)),
		},
	}
	// KEDA owns the replica count of an autoscaled worker Deployment.
	if !*w.Autoscaling.Enabled {
		dep.Spec.Replicas = w.Replicas
	}
	return dep
}

// SchedulerDeployment is the one pod that runs Discourse's MiniScheduler.
//
// Exactly one scheduler, by construction:
//   - replicas is 1 and Validate refuses anything else;
//   - Recreate, not RollingUpdate: the old pod is gone before the new one
//     starts, so a rollout never has two;
//   - the pod has a fixed hostname, and UNICORN_SCHEDULER_HOSTNAME names it;
//     every other pod sets a value no hostname can have.
func SchedulerDeployment(d *Discourse) *appsv1.Deployment {
	s := &d.Spec
	sch := &s.Sidekiq.Scheduler
	dep := d.sidekiqDeployment(d.SchedulerName(), ComponentScheduler, sch.Hostname, *sch.Resources, s.Sidekiq.Workers.TerminationGracePeriodSeconds)
	dep.Spec.Replicas = ptr.To(int32(1))
	dep.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	dep.Spec.Template.Spec.Hostname = sch.Hostname
	return dep
}

// sidekiqDeployment runs `bundle exec sidekiq` directly as the discourse
// user: no runit, no nginx, no root, so these pods meet the restricted Pod
// Security level.
func (d *Discourse) sidekiqDeployment(name, component, schedulerHost string, res corev1.ResourceRequirements, grace *int64) *appsv1.Deployment {
	s := &d.Spec
	volumes, mounts := railsVolumes()
	volumes = append(volumes, corev1.Volume{Name: "log", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	mounts = append(mounts, corev1.VolumeMount{Name: "log", MountPath: appRoot + "/log"})
	args := append([]string{"exec", "sidekiq", "-c", itoa(*s.Sidekiq.Concurrency)}, sidekiqQueues...)
	c := corev1.Container{
		Name:            "sidekiq",
		Image:           d.ImageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		Command:         []string{"bundle"},
		Args:            args,
		WorkingDir:      appRoot,
		EnvFrom:         d.envFrom(),
		// Sidekiq pods run no Unicorn and never migrate.
		Env:             d.discourseEnv(processEnv{sidekiqs: 1, schedulerHost: schedulerHost}),
		Resources:       res,
		VolumeMounts:    mounts,
		SecurityContext: restrictedContainer(),
	}
	spec := d.podSpec(component, corev1.PodSpec{
		InitContainers:                d.waitContainers(d.DatabaseHost()),
		Containers:                    []corev1.Container{c},
		Volumes:                       volumes,
		TerminationGracePeriodSeconds: grace,
		SecurityContext:               nonRootPod(discourseUID),
	})
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: d.objectMeta(name, component, StageApp),
		Spec: appsv1.DeploymentSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: d.SelectorLabels(component)},
			RevisionHistoryLimit: ptr.To(int32(5)),
			Template:             corev1.PodTemplateSpec{ObjectMeta: d.podMeta(component), Spec: spec},
		},
	}
}
