package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// migrationJob runs `rake db:migrate` once per release, before the app
// rolls out: Flux applies it in the migrate stage and waits for it to
// complete before the app stage starts.
//
// Why it looks the way it does:
//   - Its name carries the release and a hash of its pod template. A Job's
//     template is immutable; a new name per change means Flux creates a new
//     Job instead of failing on "field is immutable", and prunes the old one.
//   - No ttlSecondsAfterFinished: once the TTL controller deleted a finished
//     Job that is still in git, Flux would re-create it and migrate again.
//   - It talks to the CNPG -rw Service, never the pooler: DDL and the
//     migration's advisory locks need a real session on the primary.
//   - Init containers wait for PostgreSQL and Valkey: db:migrate takes the
//     "db_migration" mutex in Redis before it touches the schema.
//   - With assets on the S3 CDN it publishes them too, once per release
//     and before any new pod serves a page that links to them.
func (d *site) migrationJob() *batchv1.Job {
	s := &d.Spec
	dbHost := d.databaseHost()
	var extra []corev1.EnvVar
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		dbHost = d.databaseRWService()
		extra = append(extra, corev1.EnvVar{Name: "DISCOURSE_DB_HOST", Value: dbHost})
	}
	volumes, mounts := directRubyVolumes()
	c := corev1.Container{
		Name:            "migrate",
		Image:           d.imageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		Command:         []string{thpoff},
		Args:            append([]string{"bundle", "exec", "rake"}, d.releaseTasks()...),
		WorkingDir:      appRoot,
		EnvFrom:         d.envFrom(),
		Env:             d.discourseEnv(processEnv{schedulerHost: noSchedulerHost, directRuby: true}, extra...),
		Resources:       *s.Migrations.Resources,
		VolumeMounts:    mounts,
		SecurityContext: restrictedContainer(),
	}
	meta := d.podMeta(componentMigrate)
	template := corev1.PodTemplateSpec{
		ObjectMeta: meta,
		Spec: d.podSpec(componentMigrate, corev1.PodSpec{
			// Never, not OnFailure: each retry is a fresh pod with its own
			// logs, and backoffLimit counts them.
			RestartPolicy:   corev1.RestartPolicyNever,
			InitContainers:  d.waitContainers(dbHost),
			Containers:      []corev1.Container{c},
			Volumes:         volumes,
			SecurityContext: nonRootPod(discourseUID),
		}),
	}
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: d.objectMeta(d.migrationJobName(hashJSON(template)), componentMigrate, StageMigrate),
		Spec: batchv1.JobSpec{
			BackoffLimit:          s.Migrations.BackoffLimit,
			ActiveDeadlineSeconds: s.Migrations.ActiveDeadlineSeconds,
			Template:              template,
		},
	}
	return job
}

// releaseTasks are the rake tasks of a release, run by one rake process
// (one Rails boot), in order, stopping at the first failure.
//
// With DISCOURSE_S3_CDN_URL, pages link their scripts and stylesheets to the
// S3 CDN, so the new release's assets must be in the bucket before a new pod
// serves a page: s3:upload_assets, which upstream runs right after compiling
// assets (discourse/docker_manager lib/docker_manager/upgrader.rb, when
// DISCOURSE_USE_S3, DISCOURSE_S3_BUCKET and DISCOURSE_S3_CDN_URL are set; the
// documented app.yml hook after_assets_precompile for launcher builds). It
// needs the database and Redis (it boots Rails and reads site settings),
// which this Job already waits for. s3:expire_missing_assets is left out on
// purpose: upstream runs it only after the post-deploy migrations, when no
// old pod is left to link to the previous release's assets.
func (d *site) releaseTasks() []string {
	tasks := []string{"db:migrate"}
	if d.Spec.PublishesAssetsToS3() {
		tasks = append(tasks, "s3:upload_assets")
	}
	return tasks
}
