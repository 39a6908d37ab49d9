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

// RequiredConnections is the pool-size formula: every Rails process (each
// Unicorn worker, each Sidekiq process) may open DISCOURSE_DB_POOL
// connections, at the largest scale the autoscalers allow. PgBouncer in
// session mode holds a server connection per client, so a pooler does not
// lower this.
func (s *Spec) RequiredConnections() int32 {
	processes := s.WebMaxReplicas()*s.WebProcesses() + s.WorkerMaxReplicas() + 2
	return *s.Postgres.Pool*processes + ReservedConnections
}

// connectionFormula explains RequiredConnections in an error message.
func (s *Spec) connectionFormula() string {
	return fmt.Sprintf("pool %d x (web %d pods x %d processes + workers %d + scheduler 1 + migration 1) + %d reserved",
		*s.Postgres.Pool, s.WebMaxReplicas(), s.WebProcesses(), s.WorkerMaxReplicas(), ReservedConnections)
}

// MaxConnections rounds the requirement up to a multiple of 10, unless the
// user set it (Validate has checked that it fits).
func (s *Spec) MaxConnections() int32 {
	if m := s.Postgres.CNPG.MaxConnections; m != nil {
		return *m
	}
	return (s.RequiredConnections() + 9) / 10 * 10
}
