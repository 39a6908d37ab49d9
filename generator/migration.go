package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// migrationPhase is which of a release's migrations a Job runs.
type migrationPhase int

const (
	// migrateAll runs every migration, the regular and the post-deployment
	// ones, before the app rolls out (spec.migrations.twoPhase: false).
	migrateAll migrationPhase = iota
	// migratePreDeploy runs the regular migrations only, before the app
	// rolls out: what the old code still running can live with.
	migratePreDeploy
	// migratePostDeploy runs what is left, the post-deployment migrations
	// (dropping columns and tables the old code still reads), after every
	// pod runs the new code.
	migratePostDeploy
)

// stage is where the Job of a phase is applied.
func (p migrationPhase) stage() Stage {
	if p == migratePostDeploy {
		return StagePostMigrate
	}
	return StageMigrate
}

// migrationJobs are the release's migration Jobs: one before the rollout,
// or, with twoPhase, one before and one after it. That is upstream's
// zero-downtime upgrade: discourse/docker_manager's
// lib/docker_manager/upgrader.rb runs `multisite:migrate` with
// SKIP_POST_DEPLOYMENT_MIGRATIONS=1, reloads the web server, then runs
// "post deploy migrations" (the same task without it), then
// s3:expire_missing_assets. Flux's dependsOn gives the same order:
// migrate, app (waited for until every pod runs the new release),
// post-migrate.
func (d *site) migrationJobs() []*batchv1.Job {
	var jobs []*batchv1.Job
	for _, phase := range d.migrationPhases() {
		jobs = append(jobs, d.migrationJob(phase))
	}
	return jobs
}

// migrationPhases are the phases the site runs as Jobs: none when it
// migrates on boot, one, or the two of twoPhase.
func (d *site) migrationPhases() []migrationPhase {
	m := &d.Spec.Migrations
	switch {
	case m.Mode != v1alpha1.MigrationsJob:
		return nil
	case *m.TwoPhase:
		return []migrationPhase{migratePreDeploy, migratePostDeploy}
	}
	return []migrationPhase{migrateAll}
}

// migrationJob runs the release's rake tasks of one phase (releaseTasks).
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
func (d *site) migrationJob(phase migrationPhase) *batchv1.Job {
	s := &d.Spec
	dbHost := d.databaseHost()
	var extra []corev1.EnvVar
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		dbHost = d.databaseRWService()
		extra = append(extra, corev1.EnvVar{Name: "DISCOURSE_DB_HOST", Value: dbHost})
	}
	if phase == migratePreDeploy {
		// Discourse leaves db/post_migrate out of the migration paths when
		// this is "1" or "true" (discourse/discourse lib/discourse.rb,
		// Discourse.skip_post_deployment_migrations?, read by
		// config/initializers/000-post_migration.rb).
		extra = append(extra, corev1.EnvVar{Name: "SKIP_POST_DEPLOYMENT_MIGRATIONS", Value: "1"})
	}
	volumes, mounts := directRubyVolumes()
	c := corev1.Container{
		Name:            "migrate",
		Image:           d.imageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		Command:         []string{thpoff},
		Args:            append([]string{"bundle", "exec", "rake"}, d.releaseTasks(phase)...),
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
		ObjectMeta: d.releaseMeta(d.migrationJobName(phase, hashJSON(template)), componentMigrate, phase.stage()),
		Spec: batchv1.JobSpec{
			BackoffLimit:          s.Migrations.BackoffLimit,
			ActiveDeadlineSeconds: s.Migrations.ActiveDeadlineSeconds,
			Template:              template,
		},
	}
	return job
}

// releaseTasks are the rake tasks of one phase, run by one rake process
// (one Rails boot), in order, stopping at the first failure.
//
// With DISCOURSE_S3_CDN_URL, pages link their scripts and stylesheets to the
// S3 CDN, so the new release's assets must be in the bucket before a new pod
// serves a page: s3:upload_assets, which upstream runs right after compiling
// assets (discourse/docker_manager lib/docker_manager/upgrader.rb, when
// DISCOURSE_USE_S3, DISCOURSE_S3_BUCKET and DISCOURSE_S3_CDN_URL are set; the
// documented app.yml hook after_assets_precompile for launcher builds). It
// needs the database and Redis (it boots Rails and reads site settings),
// which this Job already waits for. s3:expire_missing_assets marks the
// previous release's assets for expiry, so it runs only after the rollout,
// in the post-deploy phase, when no old pod is left to link to them, as
// upstream's upgrader runs it after the post-deploy migrations. Without a
// post-deploy phase nothing runs after the rollout, and it is left out.
func (d *site) releaseTasks(phase migrationPhase) []string {
	tasks := []string{"db:migrate"}
	if !d.Spec.PublishesAssetsToS3() {
		return tasks
	}
	if phase == migratePostDeploy {
		return append(tasks, "s3:expire_missing_assets")
	}
	return append(tasks, "s3:upload_assets")
}
