package generator

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Images the generator uses besides Discourse itself. They are pinned by
// tag so that a render is reproducible; users override them in the spec.
const (
	DefaultValkeyImage   = "docker.io/valkey/valkey:8.1.4"
	DefaultPostgresImage = "ghcr.io/cloudnative-pg/postgresql:17.6-standard-bookworm"
)

// profileDefaults is what a profile chooses. Default copies a value into the
// Spec only where the user left the field unset.
type profileDefaults struct {
	webReplicas      int32
	webAutoscale     bool
	webMin, webMax   int32
	layout           SidekiqLayout
	workerReplicas   int32
	workerAutoscale  bool
	workerMin        int32
	workerMax        int32
	migrations       MigrationMode
	dbInstances      int32
	dbStorage        string
	walStorage       string
	pooler           bool
	valkeyPersistent bool
	uploads          UploadsStore
	gitops           bool
	monitoring       bool
	budgets          bool
}

// profiles is the table of issue #2: local is one cheap pod that migrates on
// boot; staging mirrors production's shape at minimum size; production is
// highly available and autoscaled.
var profiles = map[Profile]profileDefaults{
	ProfileLocal: {
		webReplicas: 1, layout: SidekiqUnified, workerReplicas: 1,
		migrations: MigrationsOnBoot, dbInstances: 1, dbStorage: "5Gi",
		uploads: UploadsVolume,
	},
	ProfileStaging: {
		webReplicas: 2, layout: SidekiqSeparated, workerReplicas: 1,
		migrations: MigrationsJob, dbInstances: 2, dbStorage: "20Gi",
		valkeyPersistent: true, uploads: UploadsS3, gitops: true, monitoring: true, budgets: true,
	},
	ProfileProduction: {
		webReplicas: 3, webAutoscale: true, webMin: 3, webMax: 10,
		layout: SidekiqSeparated, workerReplicas: 2, workerAutoscale: true, workerMin: 2, workerMax: 8,
		migrations: MigrationsJob, dbInstances: 3, dbStorage: "100Gi", walStorage: "20Gi",
		pooler: true, valkeyPersistent: true, uploads: UploadsS3,
		gitops: true, monitoring: true, budgets: true,
	},
}

// Default fills every unset field from the profile and from upstream
// Discourse's defaults. It is idempotent and never overrides a set field.
// An unknown profile is left alone for Validate to report.
func (d *Discourse) Default() {
	s := &d.Spec
	p, ok := profiles[s.Profile]
	if !ok {
		return
	}
	// metadata.namespace is where kustomize's namespace transformer puts
	// a namespace; it means the same as spec.namespace.
	setString(&s.Namespace, d.Metadata.Namespace)
	setString(&s.Namespace, d.Metadata.Name)
	if s.Release == "" {
		s.Release = s.Image.Tag
	}
	setString(&s.Image.PullPolicy, corev1.PullIfNotPresent)
	// Upstream's default: a launcher/pups-built image has its assets
	// compiled at bootstrap (discourse_docker templates/web.template.yml
	// then hard-codes PRECOMPILE_ON_BOOT=0 in the unicorn run script).
	setBool(&s.Image.PrecompiledAssets, true)
	s.Secrets.defaults(d.Metadata.Name)

	// Web.
	setInt32(&s.Web.Replicas, p.webReplicas)
	if s.Web.Autoscaling == nil {
		s.Web.Autoscaling = &Autoscaling{}
	}
	setBool(&s.Web.Autoscaling.Enabled, p.webAutoscale)
	setInt32(&s.Web.Autoscaling.MinReplicas, max(p.webMin, *s.Web.Replicas, 1))
	setInt32(&s.Web.Autoscaling.MaxReplicas, max(p.webMax, *s.Web.Autoscaling.MinReplicas))
	setInt32(&s.Web.Autoscaling.TargetCPUUtilization, 70)
	// Upstream web.template: UNICORN_WORKERS 3.
	setInt32(&s.Web.UnicornWorkers, 3)
	setResources(&s.Web.Resources, "500m", "1536Mi", "3Gi")
	// Long polls last up to 25 s and uploads longer; 60 s covers both.
	setInt64(&s.Web.TerminationGracePeriodSeconds, 60)

	// Sidekiq.
	setString(&s.Sidekiq.Layout, p.layout)
	webSidekiqs := int32(0)
	if s.Sidekiq.Layout != SidekiqSeparated {
		webSidekiqs = 1 // upstream web.template: UNICORN_SIDEKIQS 1
	}
	setInt32(&s.Sidekiq.WebProcesses, webSidekiqs)
	// discourse_defaults.conf: sidekiq_workers = 5.
	setInt32(&s.Sidekiq.Concurrency, 5)
	w := &s.Sidekiq.Workers
	setInt32(&w.Replicas, p.workerReplicas)
	if w.Autoscaling == nil {
		w.Autoscaling = &QueueAutoscaling{}
	}
	setBool(&w.Autoscaling.Enabled, p.workerAutoscale)
	setInt32(&w.Autoscaling.MinReplicas, max(p.workerMin, *w.Replicas, 1))
	setInt32(&w.Autoscaling.MaxReplicas, max(p.workerMax, *w.Autoscaling.MinReplicas))
	setInt32(&w.Autoscaling.QueueLength, 100)
	setResources(&w.Resources, "250m", "1Gi", "2Gi")
	// Sidekiq's own shutdown timeout is 25 s; leave room for it.
	setInt64(&w.TerminationGracePeriodSeconds, 60)
	setInt32(&s.Sidekiq.Scheduler.Replicas, 1)
	setString(&s.Sidekiq.Scheduler.Hostname, d.Metadata.Name+"-scheduler")
	setResources(&s.Sidekiq.Scheduler.Resources, "100m", "768Mi", "1536Mi")

	// Migrations.
	setString(&s.Migrations.Mode, p.migrations)
	setInt32(&s.Migrations.BackoffLimit, 2)
	// The db_migration mutex is valid for 300 s per step; a full upgrade of
	// a large forum can take much longer than that.
	setInt64(&s.Migrations.ActiveDeadlineSeconds, 3600)
	setResources(&s.Migrations.Resources, "250m", "1Gi", "2Gi")

	// PostgreSQL.
	setString(&s.Postgres.Mode, DatabaseCNPG)
	setString(&s.Postgres.Database, "discourse")
	setString(&s.Postgres.Username, "discourse")
	// discourse_defaults.conf: db_pool = 8.
	setInt32(&s.Postgres.Pool, 8)
	if s.Postgres.External != nil {
		setInt32(&s.Postgres.External.Port, 5432)
	}
	c := &s.Postgres.CNPG
	setInt32(&c.Instances, p.dbInstances)
	setString(&c.ImageName, DefaultPostgresImage)
	setString(&c.Storage.Size, p.dbStorage)
	setString(&c.Storage.StorageClass, s.StorageClass)
	if c.WALStorage == nil && p.walStorage != "" {
		c.WALStorage = &Volume{Size: p.walStorage}
	}
	if c.WALStorage != nil {
		setString(&c.WALStorage.StorageClass, s.StorageClass)
	}
	setBool(&c.Pooler.Enabled, p.pooler)
	setInt32(&c.Pooler.Instances, 2)
	setString(&c.Pooler.PoolMode, "session")
	setResources(&c.Resources, "500m", "1Gi", "2Gi")

	// Redis.
	setString(&s.Redis.Mode, RedisValkey)
	if s.Redis.External != nil {
		setInt32(&s.Redis.External.Port, 6379)
	}
	setBool(&s.Redis.UseTLS, false)
	v := &s.Redis.Valkey
	setString(&v.Image, DefaultValkeyImage)
	setInt32(&v.Replicas, 1)
	if v.Persistence == nil {
		v.Persistence = &Persistence{}
	}
	setBool(&v.Persistence.Enabled, p.valkeyPersistent)
	setString(&v.Persistence.Size, "2Gi")
	setString(&v.Persistence.StorageClass, s.StorageClass)
	setResources(&v.Resources, "100m", "256Mi", "512Mi")

	// Uploads and S3.
	setString(&s.Uploads.Store, p.uploads)
	setString(&s.Uploads.Volume.Size, "10Gi")
	setString(&s.Uploads.Volume.StorageClass, s.StorageClass)
	// Upstream web.template: upload_size 10m.
	setString(&s.Uploads.MaxSize, "10m")
	setBool(&s.S3.UseIAMProfile, false)

	// SMTP.
	setInt32(&s.SMTP.Port, 587)
	setBool(&s.SMTP.EnableStartTLS, true)

	// Ingress.
	setBool(&s.Ingress.Enabled, true)
	setString(&s.Ingress.ClassName, "nginx")

	// NetworkPolicies are on in every profile: the whole point is that they
	// are right by construction, so local catches a blocked port first.
	setBool(&s.NetworkPolicy.Enabled, true)
	setString(&s.NetworkPolicy.IngressNamespace, "ingress-nginx")
	setString(&s.NetworkPolicy.MonitoringNamespace, "monitoring")
	setString(&s.NetworkPolicy.DNSNamespace, "kube-system")
	setString(&s.NetworkPolicy.OperatorNamespace, "cnpg-system")
	setString(&s.NetworkPolicy.KEDANamespace, "keda")
	if s.NetworkPolicy.APIServerCIDRs == nil {
		s.NetworkPolicy.APIServerCIDRs = []string{"0.0.0.0/0", "::/0"}
	}
	// Not strict in any profile: a forum without link previews, remote
	// images or SSO is broken in ways users notice first; the default
	// egress excludes private ranges instead (networkpolicy.go).
	setBool(&s.NetworkPolicy.Strict, false)

	setBool(&s.Monitoring.Enabled, p.monitoring)
	setBool(&s.Monitoring.DiscoursePrometheus, false)
	setBool(&s.PodDisruptionBudgets, p.budgets)

	setBool(&s.GitOps.Enabled, p.gitops)
	setString(&s.GitOps.Path, "./golden/"+string(s.Profile))
	setString(&s.GitOps.SourceRef.Kind, "GitRepository")
	setString(&s.GitOps.SourceRef.Name, "flux-system")
	setString(&s.GitOps.Namespace, "flux-system")
	setString(&s.GitOps.Interval, "10m")
	setString(&s.GitOps.MigrationTimeout, "60m")
}

func (s *Secrets) defaults(site string) {
	setString(&s.Name, site+"-secrets")
	k := &s.Keys
	setString(&k.SecretKeyBase, "secret-key-base")
	setString(&k.DBPassword, "db-password")
	setString(&k.RedisPassword, "redis-password")
	setString(&k.SMTPPassword, "smtp-password")
	setString(&k.S3AccessKeyID, "s3-access-key-id")
	setString(&k.S3SecretAccessKey, "s3-secret-access-key")
	setString(&k.MaxmindAccountID, "maxmind-account-id")
	setString(&k.MaxmindLicenseKey, "maxmind-license-key")
}

// setResources defaults requests (cpu, memory) and a memory limit. No CPU
// limit on purpose: CFS throttling stalls Ruby's GC and the long-poll
// threads, while a memory limit bounds a leaking worker.
func setResources(r **corev1.ResourceRequirements, cpu, memory, memoryLimit string) {
	if *r != nil {
		return
	}
	*r = &corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(cpu),
			corev1.ResourceMemory: resource.MustParse(memory),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceMemory: resource.MustParse(memoryLimit),
		},
	}
}

func setString[T ~string](field *T, value T) {
	if *field == "" {
		*field = value
	}
}

func setInt32(field **int32, value int32) {
	if *field == nil {
		*field = &value
	}
}

func setInt64(field **int64, value int64) {
	if *field == nil {
		*field = &value
	}
}

func setBool(field **bool, value bool) {
	if *field == nil {
		*field = &value
	}
}
