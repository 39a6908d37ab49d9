package v1alpha1

import (
	"cmp"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Images the generator uses besides Discourse itself, pinned by tag and
// digest: a render is reproducible, a pushed-again tag changes nothing,
// and production, where the policy rule image-pinned wants a digest on
// every image, needs no override. Users override them in the spec.
//
// The digests are the multi-arch index digests as published: Valkey's from
// the Valkey project's own registry, as Immich's release docker-compose.yml
// pins it (the same build as docker.io/valkey/valkey), CloudNativePG's as
// Renovate pins it. Refresh them with `crane digest IMAGE:TAG`.
const (
	DefaultValkeyImage   = "ghcr.io/valkey-io/valkey:8.1.5@sha256:e6519c81133f55170dcaf1c7711dea0770dc756a7aef0cb919204c8d6e325776"
	DefaultPostgresImage = "ghcr.io/cloudnative-pg/postgresql:17.6-standard-bookworm@sha256:a62c149a342b2b1955dda3a9d75e2c6851622e43302a577f393271c19a3c8622"
	// DefaultRedisExporterImage is oliver006/redis_exporter, the
	// Prometheus exporter of Redis and Valkey, at the index digest the
	// guided-traffic/valkey-operator pins it by (api/v1/valkey_types.go,
	// DefaultMetricsExporterImage). The image runs as uid 59000 and needs
	// nothing of its filesystem to be writable.
	DefaultRedisExporterImage = "docker.io/oliver006/redis_exporter:v1.66.0@sha256:d98e6db8094f491b95791e9f776b0ba30a20aeacb90e18334935d5e51bf2e6a1"
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
	dbStorage        resource.Quantity
	separateWAL      bool
	dbAntiAffinity   PodAntiAffinityType
	pooler           bool
	valkeyPersistent bool
	uploads          UploadsStore
	gitops           bool
	monitoring       bool
	budgets          bool
	// backupSchedule is CloudNativePG's six-field cron (seconds first);
	// empty means no backups.
	backupSchedule string
	quota          bool
}

// profiles is the table of issue #2: local is one cheap pod that migrates on
// boot; staging mirrors production's shape at minimum size; production is
// highly available and autoscaled.
var profiles = map[Profile]profileDefaults{
	ProfileLocal: {
		webReplicas: 1, layout: SidekiqUnified, workerReplicas: 1,
		migrations: MigrationsOnBoot, dbInstances: 1, dbStorage: resource.MustParse("5Gi"),
		dbAntiAffinity: PodAntiAffinityPreferred, uploads: UploadsVolume,
	},
	ProfileStaging: {
		webReplicas: 2, layout: SidekiqSeparated, workerReplicas: 1,
		migrations: MigrationsJob, dbInstances: 2, dbStorage: resource.MustParse("20Gi"),
		// Staging runs on fewer nodes; its replica is for failover drills,
		// not for surviving a node.
		dbAntiAffinity:   PodAntiAffinityPreferred,
		valkeyPersistent: true, uploads: UploadsS3, gitops: true, monitoring: true, budgets: true,
		// Weekly, Sunday 03:00: enough to rehearse a restore.
		backupSchedule: "0 0 3 * * 0", quota: true,
	},
	ProfileProduction: {
		webReplicas: 3, webAutoscale: true, webMin: 3, webMax: 10,
		layout: SidekiqSeparated, workerReplicas: 2, workerAutoscale: true, workerMin: 2, workerMax: 8,
		migrations: MigrationsJob, dbInstances: 3,
		dbStorage: resource.MustParse("100Gi"), separateWAL: true,
		dbAntiAffinity: PodAntiAffinityRequired,
		pooler:         true, valkeyPersistent: true, uploads: UploadsS3,
		gitops: true, monitoring: true, budgets: true,
		// Daily at 03:00; the WAL in between is archived continuously.
		backupSchedule: "0 0 3 * * *", quota: true,
	},
}

// Default fills every unset field from the profile and from upstream
// Discourse's defaults. It is idempotent and never overrides a set field.
// Defaulting cannot fail (controller-runtime's Defaulter has no error
// either): an unknown profile is left alone for Validate to report.
func (d *Discourse) Default() {
	p, ok := profiles[d.Spec.Profile]
	if !ok {
		return
	}
	s := &d.Spec
	// metadata.namespace is where kustomize's namespace transformer puts
	// a namespace; it means the same as spec.namespace.
	defaultString(&s.Namespace, d.Metadata.Namespace)
	defaultString(&s.Namespace, d.Metadata.Name)
	defaultString(&s.Release, s.Image.Tag)
	s.Image.defaults()
	s.Secrets.defaults(d.Metadata.Name)
	s.Web.defaults(p)
	s.Sidekiq.defaults(p, d.Metadata.Name)
	s.Migrations.defaults(p)
	s.Postgres.defaults(p, d.Metadata.Name, s.StorageClass)
	s.Redis.defaults(p, s.StorageClass)
	s.Uploads.defaults(p, s.StorageClass)
	defaultPtr(&s.S3.UseIAMProfile, false)
	s.SMTP.defaults()
	s.Ingress.defaults()
	s.NetworkPolicy.defaults()
	defaultPtr(&s.Monitoring.Enabled, p.monitoring)
	defaultPtr(&s.Monitoring.DiscoursePrometheus, false)
	defaultPtr(&s.Monitoring.Dashboard, *s.Monitoring.Enabled)
	defaultPtr(&s.PodDisruptionBudgets, p.budgets)
	// After S3 and Secrets: the database's backups default to the site's
	// backup bucket, endpoint and keys.
	s.Postgres.CNPG.Backup.defaults(p, &s.S3, &s.Secrets)
	s.Admin.defaults(s.Secrets.Name)
	defaultPtr(&s.ResourceQuota.Enabled, p.quota)
	defaultPtr(&s.ResourceQuota.HeadroomPercent, 25)
	s.GitOps.defaults(p)
	// After both: the post-deploy Job only runs after the rollout when
	// Flux's stages order it there.
	defaultPtr(&s.Migrations.TwoPhase, s.Migrations.Mode == MigrationsJob && *s.GitOps.Enabled)
}

func (i *Image) defaults() {
	defaultString(&i.PullPolicy, corev1.PullIfNotPresent)
	// Upstream's default: a launcher/pups-built image has its assets
	// compiled at bootstrap (discourse_docker templates/web.template.yml
	// then hard-codes PRECOMPILE_ON_BOOT=0 in the unicorn run script).
	defaultPtr(&i.PrecompiledAssets, true)
}

func (s *Secrets) defaults(site string) {
	defaultString(&s.Name, site+"-secrets")
	k := &s.Keys
	defaultString(&k.SecretKeyBase, "secret-key-base")
	defaultString(&k.DBPassword, "db-password")
	defaultString(&k.RedisPassword, "redis-password")
	defaultString(&k.SMTPPassword, "smtp-password")
	defaultString(&k.S3AccessKeyID, "s3-access-key-id")
	defaultString(&k.S3SecretAccessKey, "s3-secret-access-key")
	defaultString(&k.MaxmindAccountID, "maxmind-account-id")
	defaultString(&k.MaxmindLicenseKey, "maxmind-license-key")
}

func (w *Web) defaults(p profileDefaults) {
	defaultPtr(&w.Replicas, p.webReplicas)
	if w.Autoscaling == nil {
		w.Autoscaling = &Autoscaling{}
	}
	a := w.Autoscaling
	defaultPtr(&a.Enabled, p.webAutoscale)
	defaultPtr(&a.MinReplicas, max(p.webMin, *w.Replicas, 1))
	defaultPtr(&a.MaxReplicas, max(p.webMax, *a.MinReplicas))
	defaultPtr(&a.TargetCPUUtilization, 70)
	// Upstream web.template: UNICORN_WORKERS 3.
	defaultPtr(&w.UnicornWorkers, 3)
	defaultResources(&w.Resources, "500m", "1536Mi", "3Gi")
	// Long polls last up to 25 s and uploads longer; 60 s covers both.
	defaultPtr(&w.TerminationGracePeriodSeconds, 60)
}

func (s *Sidekiq) defaults(p profileDefaults, site string) {
	defaultString(&s.Layout, p.layout)
	webSidekiqs := int32(0)
	if s.Layout != SidekiqSeparated {
		webSidekiqs = 1 // upstream web.template: UNICORN_SIDEKIQS 1
	}
	defaultPtr(&s.WebProcesses, webSidekiqs)
	// discourse_defaults.conf: sidekiq_workers = 5.
	defaultPtr(&s.Concurrency, 5)
	w := &s.Workers
	defaultPtr(&w.Replicas, p.workerReplicas)
	if w.Autoscaling == nil {
		w.Autoscaling = &QueueAutoscaling{}
	}
	defaultPtr(&w.Autoscaling.Enabled, p.workerAutoscale)
	defaultPtr(&w.Autoscaling.MinReplicas, max(p.workerMin, *w.Replicas, 1))
	defaultPtr(&w.Autoscaling.MaxReplicas, max(p.workerMax, *w.Autoscaling.MinReplicas))
	defaultPtr(&w.Autoscaling.QueueLength, 100)
	defaultResources(&w.Resources, "250m", "1Gi", "2Gi")
	// Sidekiq's own shutdown timeout is 25 s; leave room for it.
	defaultPtr(&w.TerminationGracePeriodSeconds, 60)
	defaultPtr(&s.Scheduler.Replicas, 1)
	// The pod's hostname is a config value, not an object name: it is
	// what UNICORN_SCHEDULER_HOSTNAME must match. It defaults to the
	// scheduler Deployment's name only so that it reads naturally.
	defaultString(&s.Scheduler.Hostname, site+"-scheduler")
	defaultResources(&s.Scheduler.Resources, "100m", "768Mi", "1536Mi")
}

func (m *Migrations) defaults(p profileDefaults) {
	defaultString(&m.Mode, p.migrations)
	defaultPtr(&m.BackoffLimit, 2)
	// The db_migration mutex is valid for 300 s per step; a full upgrade of
	// a large forum can take much longer than that.
	defaultPtr(&m.ActiveDeadlineSeconds, 3600)
	defaultResources(&m.Resources, "250m", "1Gi", "2Gi")
}

func (pg *Postgres) defaults(p profileDefaults, site, storageClass string) {
	defaultString(&pg.Mode, DatabaseCNPG)
	defaultString(&pg.Database, "discourse")
	defaultString(&pg.Username, "discourse")
	// discourse_defaults.conf: db_pool = 8.
	defaultPtr(&pg.Pool, 8)
	if pg.External != nil {
		defaultPtr(&pg.External.Port, 5432)
	}
	c := &pg.CNPG
	defaultString(&c.Name, site+"-pg")
	defaultPtr(&c.Instances, p.dbInstances)
	defaultString(&c.ImageName, DefaultPostgresImage)
	defaultString(&c.PodAntiAffinityType, p.dbAntiAffinity)
	c.Storage.defaults(p.dbStorage, storageClass)
	// A WAL volume of its own keeps a burst of WAL from filling the data
	// volume; a user who asks for one in any profile gets the same size.
	if c.WALStorage == nil && p.separateWAL {
		c.WALStorage = &Volume{}
	}
	if c.WALStorage != nil {
		c.WALStorage.defaults(resource.MustParse("20Gi"), storageClass)
	}
	defaultPtr(&c.Pooler.Enabled, p.pooler)
	defaultPtr(&c.Pooler.Instances, 2)
	defaultString(&c.Pooler.PoolMode, PoolModeSession)
	defaultResources(&c.Resources, "500m", "1Gi", "2Gi")
}

func (b *Backup) defaults(p profileDefaults, s3 *S3, secrets *Secrets) {
	defaultPtr(&b.Enabled, p.backupSchedule != "")
	if s3.BackupBucket != "" {
		defaultString(&b.DestinationPath, "s3://"+s3.BackupBucket+"/postgres")
	}
	defaultString(&b.Endpoint, s3.Endpoint)
	defaultString(&b.Region, s3.Region)
	c := &b.Credentials
	defaultPtr(&c.InheritFromIAMRole, *s3.UseIAMProfile)
	defaultString(&c.SecretName, secrets.Name)
	defaultString(&c.AccessKeyIDKey, secrets.Keys.S3AccessKeyID)
	defaultString(&c.SecretAccessKeyKey, secrets.Keys.S3SecretAccessKey)
	// Daily in production, weekly in staging; a user who turns backups
	// on in local gets the daily one.
	defaultString(&b.Schedule, cmp.Or(p.backupSchedule, "0 0 3 * * *"))
	defaultString(&b.Retention, "30d")
	// gzip for both: every algorithm the plugin offers for base backups
	// is also offered for WAL, and gzip needs no extra library in the
	// sidecar (plugin-barman-cloud api/v1 CompressionType).
	defaultString(&b.WALCompression, "gzip")
	defaultString(&b.DataCompression, "gzip")
	if b.EgressCIDRs == nil && len(s3.EgressCIDRs) > 0 {
		b.EgressCIDRs = slices.Clone(s3.EgressCIDRs)
	}
}

func (a *Admin) defaults(secretName string) {
	defaultPtr(&a.Enabled, false)
	defaultString(&a.SecretName, secretName)
	defaultString(&a.EmailKey, "admin-email")
	defaultString(&a.UsernameKey, "admin-username")
	defaultString(&a.PasswordKey, "admin-password")
}

func (v *Volume) defaults(size resource.Quantity, storageClass string) {
	defaultPtr(&v.Size, size)
	defaultString(&v.StorageClass, storageClass)
}

func (r *Redis) defaults(p profileDefaults, storageClass string) {
	defaultString(&r.Mode, RedisValkey)
	if r.External != nil {
		defaultPtr(&r.External.Port, 6379)
	}
	defaultPtr(&r.UseTLS, false)
	v := &r.Valkey
	defaultString(&v.Image, DefaultValkeyImage)
	defaultString(&v.ExporterImage, DefaultRedisExporterImage)
	defaultPtr(&v.Replicas, 1)
	if v.Persistence == nil {
		v.Persistence = &Persistence{}
	}
	defaultPtr(&v.Persistence.Enabled, p.valkeyPersistent)
	v.Persistence.Volume.defaults(resource.MustParse("2Gi"), storageClass)
	defaultResources(&v.Resources, "100m", "256Mi", "512Mi")
}

func (u *Uploads) defaults(p profileDefaults, storageClass string) {
	defaultString(&u.Store, p.uploads)
	u.Volume.defaults(resource.MustParse("10Gi"), storageClass)
	// Upstream web.template: upload_size 10m.
	defaultString(&u.MaxSize, "10m")
}

func (m *SMTP) defaults() {
	defaultPtr(&m.Port, 587)
	defaultPtr(&m.EnableStartTLS, true)
}

func (i *Ingress) defaults() {
	defaultPtr(&i.Enabled, true)
	defaultString(&i.ClassName, "nginx")
}

func (n *NetworkPolicy) defaults() {
	// NetworkPolicies are on in every profile: the whole point is that they
	// are right by construction, so local catches a blocked port first.
	defaultPtr(&n.Enabled, true)
	defaultString(&n.IngressNamespace, "ingress-nginx")
	defaultString(&n.MonitoringNamespace, "monitoring")
	defaultString(&n.DNSNamespace, "kube-system")
	defaultString(&n.OperatorNamespace, "cnpg-system")
	defaultString(&n.KEDANamespace, "keda")
	if n.APIServerCIDRs == nil {
		n.APIServerCIDRs = []string{"0.0.0.0/0", "::/0"}
	}
	// Not strict in any profile: a forum without link previews, remote
	// images or SSO is broken in ways users notice first; the default
	// egress excludes private ranges instead (generator/networkpolicy.go).
	defaultPtr(&n.Strict, false)
}

func (g *GitOps) defaults(p profileDefaults) {
	defaultPtr(&g.Enabled, p.gitops)
	defaultString(&g.SourceRef.Kind, "GitRepository")
	defaultString(&g.SourceRef.Name, "flux-system")
	defaultString(&g.Namespace, "flux-system")
	defaultPtr(&g.Interval, metav1.Duration{Duration: 10 * time.Minute})
	defaultPtr(&g.MigrationTimeout, metav1.Duration{Duration: time.Hour})
}

// defaultResources defaults requests (cpu, memory) and a memory limit. No
// CPU limit on purpose: CFS throttling stalls Ruby's GC and the long-poll
// threads, while a memory limit bounds a leaking worker. The values are
// constants of this file, never input.
func defaultResources(r **corev1.ResourceRequirements, cpu, memory, memoryLimit string) {
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

// defaultString sets an empty string field.
func defaultString[T ~string](field *T, value T) {
	if *field == "" {
		*field = value
	}
}

// defaultPtr sets a nil optional field to a copy of value.
func defaultPtr[T any](field **T, value T) {
	if *field == nil {
		*field = &value
	}
}
