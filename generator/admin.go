package generator

import (
	_ "embed"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// adminScript creates or updates the first administrator; see the file.
// Full-line comments are dropped from the rendered Job.
//
//go:embed scripts/admin.rb
var adminScript string

// adminJob creates or updates the first administrator from the Secret
// the user names (spec.admin), in the app stage: after the migrations,
// whose schema the User model needs, and on every release, which the
// script is written for. Its name carries the release and a hash of its
// template, as the migration Jobs' do, and for the same reasons: a Job's
// template is immutable, and a new name per release runs it again.
func (d *site) adminJob() *batchv1.Job {
	s := &d.Spec
	a := &s.Admin
	volumes, mounts := directRubyVolumes()
	c := corev1.Container{
		Name:            "admin",
		Image:           d.imageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		Command:         []string{thpoff},
		Args:            []string{"bundle", "exec", "rails", "runner", stripComments(adminScript)},
		WorkingDir:      appRoot,
		EnvFrom:         d.envFrom(),
		Env: d.discourseEnv(processEnv{schedulerHost: noSchedulerHost, directRuby: true},
			secretKeyEnv("ADMIN_EMAIL", a.SecretName, a.EmailKey, false),
			secretKeyEnv("ADMIN_USERNAME", a.SecretName, a.UsernameKey, false),
			secretKeyEnv("ADMIN_PASSWORD", a.SecretName, a.PasswordKey, false)),
		// Rails boots as for a migration; nothing more.
		Resources:       *s.Migrations.Resources,
		VolumeMounts:    mounts,
		SecurityContext: restrictedContainer(),
	}
	template := corev1.PodTemplateSpec{
		ObjectMeta: d.podMeta(componentAdmin),
		Spec: d.podSpec(componentAdmin, corev1.PodSpec{
			RestartPolicy:   corev1.RestartPolicyNever,
			InitContainers:  d.waitContainers(d.databaseHost()),
			Containers:      []corev1.Container{c},
			Volumes:         volumes,
			SecurityContext: nonRootPod(discourseUID),
		}),
	}
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: d.releaseMeta(d.adminJobName(hashJSON(template)), componentAdmin, StageApp),
		Spec: batchv1.JobSpec{
			// A bad password or a taken username fails the same way
			// every time; two retries cover a database that restarts.
			BackoffLimit:          ptr.To(int32(2)),
			ActiveDeadlineSeconds: ptr.To(int64(600)),
			Template:              template,
		},
	}
}
