package v1alpha1

import (
	"fmt"
	"slices"
)

// These methods read a defaulted Spec: Default has filled every pointer.
// They are the config's own arithmetic, shared by validation (does the pool
// fit?) and by the generator (what max_connections to render).

// BaseExtensions are the extensions Discourse's own migrations enable:
// hstore, pg_trgm and unaccent by core, and vector by the bundled
// discourse-ai plugin (discourse/discourse
// plugins/discourse-ai/db/migrate/20230710171141_enable_pg_vector_extension.rb).
// pgvector is not a trusted extension (pgvector/pgvector vector.control has
// no "trusted = true"), so the app owner, who is not a superuser, cannot
// create it and db:migrate fails. Upstream's own database template creates
// them as superuser in template1 and in the app database
// (discourse/discourse_docker templates/postgres.template.yml: psql
// template1 -c "create extension if not exists vector;" and the same for
// $db_name); CNPG's postInit*SQL runs as superuser, so the cluster does the
// same. template1 too, so that a database created or restored later has
// them.
var BaseExtensions = []string{"hstore", "pg_trgm", "unaccent", "vector"}

// Extensions are the base extensions plus the user's, in a fixed order.
func (s *Spec) Extensions() []string {
	return append(slices.Clone(BaseExtensions), s.Postgres.CNPG.ExtraExtensions...)
}

// ReservedConnections covers superuser_reserved_connections, the replicas'
// streaming connections, CNPG's own and an operator's psql session.
const ReservedConnections = 20

// HasWorkers says whether the layout has worker and scheduler Deployments.
func (s *Spec) HasWorkers() bool { return s.Sidekiq.Layout != SidekiqUnified }

// PublishesAssetsToS3 is upstream's using_s3_assets condition: uploads in
// S3 with a CDN in front, so assets are served from the bucket.
func (s *Spec) PublishesAssetsToS3() bool {
	return s.Uploads.Store == UploadsS3 && s.S3.CDNURL != ""
}

// WebMaxReplicas is the most web pods that can run: the autoscaler's
// ceiling, or the fixed count.
func (s *Spec) WebMaxReplicas() int32 {
	if *s.Web.Autoscaling.Enabled {
		return *s.Web.Autoscaling.MaxReplicas
	}
	return *s.Web.Replicas
}

// WebSurgePercent is the web Deployment's RollingUpdate maxSurge.
const WebSurgePercent = 25

// WebRecreates says whether web rolls out with Recreate: a single pod
// that runs the scheduler (the unified layout) or migrates on boot must
// never overlap with its successor.
func (s *Spec) WebRecreates() bool {
	return !s.HasWorkers() || s.Migrations.Mode == MigrationsOnBoot
}

// WebMaxPods is the most web pods that can exist at once: the ceiling
// plus the rollout's surge, a percentage of it rounded up as the
// Deployment controller rounds it.
func (s *Spec) WebMaxPods() int32 {
	n := s.WebMaxReplicas()
	if s.WebRecreates() {
		return n
	}
	return n + (n*WebSurgePercent+99)/100
}

// WorkerSurge is the Sidekiq worker Deployment's RollingUpdate maxSurge.
const WorkerSurge = 1

// WorkerMaxPods is the most Sidekiq worker pods that can exist at once,
// a rollout's surge included.
func (s *Spec) WorkerMaxPods() int32 {
	if !s.HasWorkers() {
		return 0
	}
	return s.WorkerMaxReplicas() + WorkerSurge
}

// WebProcesses counts the Rails processes of one web pod.
func (s *Spec) WebProcesses() int32 {
	return *s.Web.UnicornWorkers + *s.Sidekiq.WebProcesses
}

// WorkerMaxReplicas is the most Sidekiq worker pods that can run.
func (s *Spec) WorkerMaxReplicas() int32 {
	if !s.HasWorkers() {
		return 0
	}
	w := &s.Sidekiq.Workers
	if *w.Autoscaling.Enabled {
		return *w.Autoscaling.MaxReplicas
	}
	return *w.Replicas
}

// PooledConnections are the connections of the long-running pods, which
// reach the database through the pooler when there is one: every Rails
// process (each Unicorn worker, each Sidekiq process) may open
// DISCOURSE_DB_POOL connections, at the largest scale the autoscalers
// allow and in the middle of a rollout, when the surge pods run beside
// the old ones. The scheduler is one more process.
func (s *Spec) PooledConnections() int32 {
	return *s.Postgres.Pool * (s.WebMaxPods()*s.WebProcesses() + s.WorkerMaxPods() + 1)
}

// RequiredConnections is the pool-size formula: the pooled connections,
// the migration Job's pool (it connects to the primary directly, and Flux
// never runs two migration Jobs at once) and the reserve. PgBouncer in
// session mode holds a server connection per client, so a pooler does not
// lower this. The policy rule connection-budget checks the same sum on
// the rendered output.
func (s *Spec) RequiredConnections() int32 {
	return s.PooledConnections() + *s.Postgres.Pool + ReservedConnections
}

// connectionFormula explains RequiredConnections in an error message.
func (s *Spec) connectionFormula() string {
	return fmt.Sprintf("pool %d x (web %d pods x %d processes + workers %d pods + scheduler 1 + migration 1) + %d reserved",
		*s.Postgres.Pool, s.WebMaxPods(), s.WebProcesses(), s.WorkerMaxPods(), ReservedConnections)
}

// MaxConnections rounds the requirement up to a multiple of 10, unless the
// user set it (Validate has checked that it fits).
func (s *Spec) MaxConnections() int32 {
	if m := s.Postgres.CNPG.MaxConnections; m != nil {
		return *m
	}
	return (s.RequiredConnections() + 9) / 10 * 10
}
