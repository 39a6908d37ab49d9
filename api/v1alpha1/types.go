package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Discourse is the whole config of one site: the only input of the generator.
// Every field except metadata.name, spec.profile, spec.hostname and
// spec.image is optional; the profile supplies the rest.
type Discourse struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        ConfigMeta `json:"metadata"`
	Spec            Spec       `json:"spec"`
}

// ConfigMeta is the part of ObjectMeta a function config may carry. It is
// narrower than metav1.ObjectMeta on purpose: a uid or ownerReferences on a
// config are mistakes, and strict decoding reports them.
type ConfigMeta struct {
	// Name of the site. Every object name is derived from it.
	Name string `json:"name" pattern:"^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$"`
	// Namespace is the namespace of the site, like spec.namespace; set by
	// kustomize's namespace transformer, for example.
	Namespace string `json:"namespace,omitempty"`
	// Labels are added to every object and pod the site renders (never to
	// selectors), for cost allocation or ownership. Each one is copied
	// onto dozens of objects; a site sets a few.
	Labels map[string]string `json:"labels,omitempty" maxProperties:"32"`
	// Annotations of the config itself. kustomize adds its own (the
	// function, the file path and index), about half a dozen.
	Annotations map[string]string `json:"annotations,omitempty" maxProperties:"64"`
}

// Profile selects the defaults of an environment.
type Profile string

// The three profiles. See profiles.go for what each one chooses.
const (
	ProfileLocal      Profile = "local"
	ProfileStaging    Profile = "staging"
	ProfileProduction Profile = "production"
)

// Spec is the desired state of one Discourse site.
type Spec struct {
	// Profile chooses the defaults: replicas, Sidekiq layout, migration mode,
	// database size, autoscaling, budgets and policies.
	Profile Profile `json:"profile" enum:"local|staging|production"`
	// Hostname is the public name of the forum (DISCOURSE_HOSTNAME).
	Hostname string `json:"hostname"`
	// Namespace the site runs in; defaults to metadata.name.
	Namespace string `json:"namespace,omitempty" pattern:"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`
	// Release is the version label of this rollout. It names the migration
	// Job, so a new release always gets a new Job. Defaults to image.tag.
	Release string `json:"release,omitempty"`

	Image      Image      `json:"image"`
	Secrets    Secrets    `json:"secrets,omitempty"`
	Web        Web        `json:"web,omitempty"`
	Sidekiq    Sidekiq    `json:"sidekiq,omitempty"`
	Migrations Migrations `json:"migrations,omitempty"`
	Postgres   Postgres   `json:"postgres,omitempty"`
	Redis      Redis      `json:"redis,omitempty"`
	Uploads    Uploads    `json:"uploads,omitempty"`
	S3         S3         `json:"s3,omitempty"`
	CDN        CDN        `json:"cdn,omitempty"`
	SMTP       SMTP       `json:"smtp,omitempty"`
	Ingress    Ingress    `json:"ingress,omitempty"`
	// NetworkPolicy is spelled like the Kubernetes kind it generates.
	NetworkPolicy NetworkPolicy `json:"networkPolicy,omitempty"`
	Monitoring    Monitoring    `json:"monitoring,omitempty"`
	// Admin creates or updates the first administrator on every release.
	Admin Admin `json:"admin,omitempty"`
	// ResourceQuota is spelled like the kind it generates: the site
	// namespace's budget, with a LimitRange beside it.
	ResourceQuota ResourceQuota `json:"resourceQuota,omitempty"`
	// PodDisruptionBudgets limits voluntary evictions of web and workers.
	PodDisruptionBudgets *bool      `json:"podDisruptionBudgets,omitempty"`
	GitOps               GitOps     `json:"gitops,omitempty"`
	Scheduling           Scheduling `json:"scheduling,omitempty"`
	// StorageClass is the default class of every PersistentVolumeClaim;
	// empty means the cluster default.
	StorageClass string `json:"storageClass,omitempty"`
	// Env adds extra variables to every Discourse container (web, Sidekiq,
	// scheduler, migrations). Variables the generator owns are rejected.
	// Each entry is copied into every one of those containers; a site sets
	// a few dozen site settings this way, never thousands.
	Env []corev1.EnvVar `json:"env,omitempty" maxItems:"200"`
}

// Image is the Discourse container image. It must be a web image built
// by discourse_docker (launcher bootstrap or pups with
// templates/web.template.yml): that template, not discourse/base, creates
// the nginx and Unicorn runit services, the /shared links and compiles the
// assets. A bare discourse/base image starts no web server.
type Image struct {
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	// Digest pins the image; when set it is appended as @sha256:... so a
	// moved tag cannot change what runs.
	Digest     string            `json:"digest,omitempty" pattern:"^sha256:[a-f0-9]{64}$"`
	PullPolicy corev1.PullPolicy `json:"pullPolicy,omitempty" enum:"Always|IfNotPresent|Never"`
	// PullSecrets names existing Secrets of type dockerconfigjson, one
	// per registry the pods pull from: a handful at most.
	PullSecrets []string `json:"pullSecrets,omitempty" maxItems:"20"`
	// PrecompiledAssets says the image already holds compiled assets, as a
	// launcher-built image does (the default). false sets
	// PRECOMPILE_ON_BOOT=1, which only a single web pod may do.
	PrecompiledAssets *bool `json:"precompiledAssets,omitempty"`
}

// Secrets names the one Secret the user provides (SOPS, sealed-secrets,
// external-secrets, ...) and the keys in it. discoursegen never writes
// Secret data; it only references these keys with secretKeyRef.
type Secrets struct {
	// Name of the Secret; defaults to "<site>-secrets".
	Name string `json:"name,omitempty"`
	// Keys maps each secret setting to its key in the Secret.
	Keys SecretKeys `json:"keys,omitempty"`
}

// SecretKeys are the keys of the site Secret. Empty means the default name.
type SecretKeys struct {
	SecretKeyBase     string `json:"secretKeyBase,omitempty"`
	DBPassword        string `json:"dbPassword,omitempty"`
	RedisPassword     string `json:"redisPassword,omitempty"`
	SMTPPassword      string `json:"smtpPassword,omitempty"`
	S3AccessKeyID     string `json:"s3AccessKeyId,omitempty"`
	S3SecretAccessKey string `json:"s3SecretAccessKey,omitempty"`
	// MaxmindAccountID and MaxmindLicenseKey go together: downloads of
	// the GeoIP databases authenticate with both (discourse/discourse
	// lib/discourse_ip_info.rb). Both keys are optional in the Secret.
	MaxmindAccountID  string `json:"maxmindAccountId,omitempty"`
	MaxmindLicenseKey string `json:"maxmindLicenseKey,omitempty"`
}

// Web is the Unicorn web tier (upstream /sbin/boot with nginx on :80).
type Web struct {
	// Replicas when not autoscaled; ignored (and not rendered) otherwise.
	// Pod and process counts are bounded far above any real site (the
	// largest run tens of web pods) so that the connection arithmetic
	// (sizing.go) cannot overflow.
	Replicas    *int32       `json:"replicas,omitempty" minimum:"0" maximum:"1000"`
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	// UnicornWorkers is UNICORN_WORKERS, processes per pod (upstream: 3).
	UnicornWorkers *int32                       `json:"unicornWorkers,omitempty" minimum:"1" maximum:"64"`
	Resources      *corev1.ResourceRequirements `json:"resources,omitempty"`
	// TerminationGracePeriodSeconds lets long polls and uploads finish.
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty" minimum:"0"`
}

// Autoscaling configures a HorizontalPodAutoscaler for web.
type Autoscaling struct {
	Enabled     *bool  `json:"enabled,omitempty"`
	MinReplicas *int32 `json:"minReplicas,omitempty" minimum:"1" maximum:"1000"`
	MaxReplicas *int32 `json:"maxReplicas,omitempty" minimum:"1" maximum:"1000"`
	// TargetCPUUtilization is the average CPU in percent of requests.
	TargetCPUUtilization *int32 `json:"targetCPUUtilization,omitempty" minimum:"1" maximum:"100"`
}

// SidekiqLayout is where Sidekiq runs.
type SidekiqLayout string

// The Sidekiq layouts.
const (
	// SidekiqUnified runs Sidekiq (and the scheduler) inside the single web
	// pod: cheapest, for one-pod sites.
	SidekiqUnified SidekiqLayout = "unified"
	// SidekiqSeparated runs Sidekiq only in worker pods plus one scheduler pod.
	SidekiqSeparated SidekiqLayout = "separated"
	// SidekiqHybrid runs a light Sidekiq in every web pod plus worker pods and
	// one scheduler pod.
	SidekiqHybrid SidekiqLayout = "hybrid"
)

// Sidekiq is the background job tier.
type Sidekiq struct {
	Layout SidekiqLayout `json:"layout,omitempty" enum:"unified|separated|hybrid"`
	// WebProcesses is UNICORN_SIDEKIQS in web pods (unified, hybrid).
	WebProcesses *int32         `json:"webProcesses,omitempty" minimum:"0" maximum:"64"`
	Workers      SidekiqWorkers `json:"workers,omitempty"`
	Scheduler    Scheduler      `json:"scheduler,omitempty"`
	// Concurrency is DISCOURSE_SIDEKIQ_WORKERS, threads per Sidekiq
	// process (upstream: 5).
	Concurrency *int32 `json:"concurrency,omitempty" minimum:"1" maximum:"100"`
}

// SidekiqWorkers is the worker Deployment (separated, hybrid).
type SidekiqWorkers struct {
	Replicas    *int32                       `json:"replicas,omitempty" minimum:"0" maximum:"1000"`
	Autoscaling *QueueAutoscaling            `json:"autoscaling,omitempty"`
	Resources   *corev1.ResourceRequirements `json:"resources,omitempty"`
	// TerminationGracePeriodSeconds lets running jobs finish on rollout.
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty" minimum:"0"`
}

// QueueAutoscaling scales workers with KEDA on Sidekiq queue depth.
type QueueAutoscaling struct {
	Enabled     *bool  `json:"enabled,omitempty"`
	MinReplicas *int32 `json:"minReplicas,omitempty" minimum:"1" maximum:"1000"`
	MaxReplicas *int32 `json:"maxReplicas,omitempty" minimum:"1" maximum:"1000"`
	// QueueLength is the number of queued jobs per worker pod KEDA aims for.
	QueueLength *int32 `json:"queueLength,omitempty" minimum:"1"`
}

// Scheduler is the single pod that runs Discourse's MiniScheduler.
type Scheduler struct {
	// Replicas must be 1: a second scheduler runs every scheduled job twice.
	// The field exists so that a copied manifest saying 2 gets a clear error.
	Replicas *int32 `json:"replicas,omitempty"`
	// Hostname is the fixed pod hostname and UNICORN_SCHEDULER_HOSTNAME.
	Hostname  string                       `json:"hostname,omitempty" pattern:"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"`
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
}

// MigrationMode is how database migrations run.
type MigrationMode string

// The migration modes.
const (
	// MigrationsJob runs db:migrate in a Job that Flux waits for before the
	// app rolls out.
	MigrationsJob MigrationMode = "job"
	// MigrationsOnBoot sets MIGRATE_ON_BOOT=1 in the single web pod; only
	// valid when nothing else can run Discourse at the same time.
	MigrationsOnBoot MigrationMode = "onBoot"
)

// Migrations configures how and with which limits migrations run.
type Migrations struct {
	Mode MigrationMode `json:"mode,omitempty" enum:"job|onBoot"`
	// TwoPhase splits a release's migrations as upstream's zero-downtime
	// upgrade does: a pre-deploy Job (SKIP_POST_DEPLOYMENT_MIGRATIONS=1)
	// before the app rolls out, and a post-deploy Job after every pod runs
	// the new release, for the migrations that drop what old code still
	// reads. Defaults to true with mode job and gitops (only Flux's stages
	// order the second Job after the rollout); false runs every migration
	// before the rollout.
	TwoPhase *bool `json:"twoPhase,omitempty"`
	// BackoffLimit is the Job's retries before Flux reports it failed.
	BackoffLimit *int32 `json:"backoffLimit,omitempty" minimum:"0"`
	// ActiveDeadlineSeconds bounds one migration run.
	ActiveDeadlineSeconds *int64                       `json:"activeDeadlineSeconds,omitempty" minimum:"1"`
	Resources             *corev1.ResourceRequirements `json:"resources,omitempty"`
}

// DatabaseMode is where PostgreSQL comes from.
type DatabaseMode string

// The database modes.
const (
	DatabaseCNPG     DatabaseMode = "cnpg"
	DatabaseExternal DatabaseMode = "external"
)

// Postgres is the database.
type Postgres struct {
	Mode DatabaseMode `json:"mode,omitempty" enum:"cnpg|external"`
	// Database and Username are DISCOURSE_DB_NAME and DISCOURSE_DB_USERNAME.
	Database string `json:"database,omitempty"`
	Username string `json:"username,omitempty"`
	// Pool is DISCOURSE_DB_POOL: connections per Rails process.
	Pool     *int32        `json:"pool,omitempty" minimum:"1" maximum:"1000"`
	CNPG     CNPG          `json:"cnpg,omitempty"`
	External *ExternalHost `json:"external,omitempty"`
}

// CNPG is a CloudNativePG Cluster owned by the site.
type CNPG struct {
	// Name of the Cluster; defaults to "<site>-pg". A restore creates a
	// new cluster under a new name (spec.postgres.cnpg.restore), and a
	// changed name never deletes the old one: Flux does not prune a
	// database.
	Name string `json:"name,omitempty" pattern:"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$"`
	// Instances is the number of PostgreSQL instances: one primary and
	// the rest streaming replicas. With more than one, Discourse reads
	// from a replica while the primary fails over.
	Instances *int32 `json:"instances,omitempty" minimum:"1" maximum:"10"`
	// ImageName is the PostgreSQL operand image. It must ship pgvector
	// (Discourse's bundled discourse-ai plugin needs the vector extension):
	// CloudNativePG's "standard" images do, its "minimal" ones do not.
	ImageName  string  `json:"imageName,omitempty"`
	Storage    Volume  `json:"storage,omitempty"`
	WALStorage *Volume `json:"walStorage,omitempty"`
	// MaxConnections overrides max_connections; it must still fit the
	// pool. PostgreSQL refuses more than 262143 (MAX_BACKENDS).
	MaxConnections *int32 `json:"maxConnections,omitempty" minimum:"10" maximum:"262143"`
	// PodAntiAffinityType is CloudNativePG's affinity.podAntiAffinityType:
	// required never places two instances on one node (a replica on the
	// primary's node is worthless when that node fails), preferred still
	// schedules on a cluster with fewer nodes than instances. The
	// production profile chooses required.
	PodAntiAffinityType PodAntiAffinityType `json:"podAntiAffinityType,omitempty" enum:"preferred|required"`
	// ExtraExtensions are created in template1 and the app database next to
	// hstore, pg_trgm, unaccent and vector (for example pg_cjk_parser).
	// PostgreSQL's contrib ships about fifty.
	ExtraExtensions []string                     `json:"extraExtensions,omitempty" pattern:"^[a-z_][a-z0-9_]*$" maxItems:"50"`
	Pooler          Pooler                       `json:"pooler,omitempty"`
	Resources       *corev1.ResourceRequirements `json:"resources,omitempty"`
	// Parameters are extra postgresql.conf settings; a tuned site sets a
	// few dozen of its few hundred.
	Parameters map[string]string `json:"parameters,omitempty" maxProperties:"100"`
	// Backup archives the WAL continuously and takes base backups on a
	// schedule, with CloudNativePG's Barman Cloud plugin.
	Backup Backup `json:"backup,omitempty"`
	// Restore creates this cluster from the backups of another one.
	Restore *Restore `json:"restore,omitempty"`
}

// Backup is the Barman Cloud plugin's object store of the cluster and
// the schedule of its base backups.
type Backup struct {
	// Enabled archives the WAL and schedules base backups; the staging
	// and production profiles turn it on.
	Enabled *bool `json:"enabled,omitempty"`
	// DestinationPath is where backups go, s3://bucket/prefix; each
	// cluster writes under <prefix>/<cluster name>. Defaults to
	// s3://<s3.backupBucket>/postgres.
	DestinationPath string `json:"destinationPath,omitempty"`
	// Endpoint of an S3-compatible store; defaults to s3.endpoint, and
	// empty means AWS.
	Endpoint string `json:"endpoint,omitempty"`
	// Region defaults to s3.region.
	Region string `json:"region,omitempty"`
	// Credentials are Secret references only.
	Credentials BackupCredentials `json:"credentials,omitempty"`
	// Schedule of base backups, in CloudNativePG's six-field cron format
	// (seconds first). Defaults: production daily, staging weekly.
	Schedule string `json:"schedule,omitempty"`
	// Retention keeps backups and WAL this long: a number and d, w or m.
	Retention string `json:"retention,omitempty" pattern:"^[1-9][0-9]*[dwm]$"`
	// WALCompression and DataCompression are the algorithms the plugin
	// offers for each.
	WALCompression  string `json:"walCompression,omitempty" enum:"bzip2|gzip|lz4|snappy|xz|zstd"`
	DataCompression string `json:"dataCompression,omitempty" enum:"bzip2|gzip|snappy"`
	// EgressCIDRs are where the object store is; the instances may reach
	// them on the endpoint's port. Defaults to s3.egressCIDRs.
	EgressCIDRs []string `json:"egressCIDRs,omitempty" maxItems:"256"`
}

// BackupCredentials are how the plugin authenticates to the store.
type BackupCredentials struct {
	// InheritFromIAMRole uses the instance pods' cloud identity instead of
	// keys; defaults to s3.useIAMProfile.
	InheritFromIAMRole *bool `json:"inheritFromIAMRole,omitempty"`
	// SecretName holds the keys; defaults to the site Secret.
	SecretName string `json:"secretName,omitempty"`
	// AccessKeyIDKey and SecretAccessKeyKey default to the site Secret's
	// S3 keys (secrets.keys.s3AccessKeyId and s3SecretAccessKey).
	AccessKeyIDKey     string `json:"accessKeyIdKey,omitempty"`
	SecretAccessKeyKey string `json:"secretAccessKeyKey,omitempty"`
}

// Restore bootstraps the cluster from the backups of another cluster, in
// the same object store (spec.postgres.cnpg.backup.destinationPath).
type Restore struct {
	// ServerName is the name the source cluster archived under: its
	// cluster name. It must differ from this cluster's name.
	ServerName string `json:"serverName" pattern:"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$"`
	// TargetTime is a point in time to recover to (RFC 3339); empty means
	// the end of the archived WAL.
	TargetTime string `json:"targetTime,omitempty"`
}

// PodAntiAffinityType says whether database instances may share a node.
type PodAntiAffinityType string

// The anti-affinity types, CloudNativePG's values.
const (
	PodAntiAffinityPreferred PodAntiAffinityType = "preferred"
	PodAntiAffinityRequired  PodAntiAffinityType = "required"
)

// Volume is a persistent volume request.
type Volume struct {
	// Size is the capacity requested, such as 10Gi; it must be positive.
	Size         *resource.Quantity `json:"size,omitempty"`
	StorageClass string             `json:"storageClass,omitempty"`
}

// Pooler is a CNPG PgBouncer Pooler in front of the read-write service.
type Pooler struct {
	Enabled   *bool  `json:"enabled,omitempty"`
	Instances *int32 `json:"instances,omitempty" minimum:"1"`
	// PoolMode is session by default: Discourse relies on session state
	// (advisory locks, prepared statements) that transaction pooling breaks.
	// transaction is accepted by the schema only so that a config copied
	// from a generic PgBouncer guide gets that explanation, not a bare enum
	// error.
	PoolMode PoolMode `json:"poolMode,omitempty" enum:"session|transaction"`
}

// PoolMode is PgBouncer's pool_mode.
type PoolMode string

// The pool modes.
const (
	PoolModeSession     PoolMode = "session"
	PoolModeTransaction PoolMode = "transaction"
)

// ExternalHost is a service outside the site (managed PostgreSQL or Redis).
type ExternalHost struct {
	Host string `json:"host"`
	Port *int32 `json:"port,omitempty" minimum:"1" maximum:"65535"`
	// CIDR is the address range NetworkPolicies allow egress to.
	CIDR string `json:"cidr,omitempty"`
}

// RedisMode is where Redis-compatible storage comes from.
type RedisMode string

// The Redis modes.
const (
	RedisValkey   RedisMode = "valkey"
	RedisExternal RedisMode = "external"
)

// Redis is Discourse's Redis: a Valkey StatefulSet owned by the site, or an
// external endpoint.
type Redis struct {
	Mode     RedisMode     `json:"mode,omitempty" enum:"valkey|external"`
	Valkey   Valkey        `json:"valkey,omitempty"`
	External *ExternalHost `json:"external,omitempty"`
	// UseTLS sets DISCOURSE_REDIS_USE_SSL for external endpoints.
	UseTLS *bool `json:"useTLS,omitempty"`
}

// Valkey is the in-cluster Valkey StatefulSet.
type Valkey struct {
	Image string `json:"image,omitempty"`
	// ExporterImage is the redis_exporter sidecar that Prometheus scrapes
	// when monitoring is on.
	ExporterImage string                       `json:"exporterImage,omitempty"`
	Replicas      *int32                       `json:"replicas,omitempty" minimum:"1"`
	Persistence   *Persistence                 `json:"persistence,omitempty"`
	Resources     *corev1.ResourceRequirements `json:"resources,omitempty"`
}

// Persistence is an optional persistent volume.
type Persistence struct {
	Enabled *bool `json:"enabled,omitempty"`
	Volume  `json:",inline"`
}

// UploadsStore is where uploads live.
type UploadsStore string

// The upload stores.
const (
	UploadsVolume UploadsStore = "volume"
	UploadsS3     UploadsStore = "s3"
)

// Uploads configures the upload store and size limit.
type Uploads struct {
	Store UploadsStore `json:"store,omitempty" enum:"volume|s3"`
	// Volume is the ReadWriteOnce claim for store=volume (one web pod only).
	Volume Volume `json:"volume,omitempty"`
	// MaxSize is the largest upload; the Ingress body size follows it.
	MaxSize string `json:"maxSize,omitempty" pattern:"^[0-9]+[kmg]$"`
}

// S3 is the object store for uploads and backups.
type S3 struct {
	Bucket       string `json:"bucket,omitempty"`
	BackupBucket string `json:"backupBucket,omitempty"`
	Region       string `json:"region,omitempty"`
	// Endpoint for S3-compatible stores (MinIO, R2, ...); empty means AWS.
	Endpoint string `json:"endpoint,omitempty"`
	// UseIAMProfile uses the pod's cloud identity instead of access keys.
	UseIAMProfile *bool `json:"useIAMProfile,omitempty"`
	// CDNURL is DISCOURSE_S3_CDN_URL.
	CDNURL string `json:"cdnURL,omitempty"`
	// EgressCIDRs are the ranges NetworkPolicies allow for S3, on the
	// endpoint's port; required in strict mode, and for an endpoint in a
	// private range on 80 or 443. Every CIDR list is bounded by what a
	// provider publishes for one service in one region (a few dozen
	// ranges), with room to spare: each range is a peer in every policy.
	EgressCIDRs []string `json:"egressCIDRs,omitempty" maxItems:"256"`
}

// CDN is the asset CDN (DISCOURSE_CDN_URL).
type CDN struct {
	URL string `json:"url,omitempty"`
}

// SMTP is the outgoing mail server.
type SMTP struct {
	Address        string `json:"address,omitempty"`
	Port           *int32 `json:"port,omitempty" minimum:"1" maximum:"65535"`
	Username       string `json:"username,omitempty"`
	Domain         string `json:"domain,omitempty"`
	EnableStartTLS *bool  `json:"enableStartTLS,omitempty"`
	// EgressCIDRs are the ranges NetworkPolicies allow for SMTP.
	EgressCIDRs []string `json:"egressCIDRs,omitempty" maxItems:"256"`
	// DeveloperEmails is DISCOURSE_DEVELOPER_EMAILS: who becomes admin,
	// the few people who run the site.
	DeveloperEmails []string `json:"developerEmails,omitempty" maxItems:"50"`
}

// Ingress exposes web.
type Ingress struct {
	Enabled   *bool  `json:"enabled,omitempty"`
	ClassName string `json:"className,omitempty"`
	// ClusterIssuer is the cert-manager ClusterIssuer that issues the TLS
	// certificate into TLSSecretName.
	ClusterIssuer string `json:"clusterIssuer,omitempty"`
	// TLSSecretName holds the certificate: one cert-manager issues (with
	// ClusterIssuer; defaults to "<site>-tls") or one you provide. TLS is
	// on when either is set.
	TLSSecretName string `json:"tlsSecretName,omitempty"`
	// Annotations configure the ingress controller: a few, at most a
	// few dozen.
	Annotations map[string]string `json:"annotations,omitempty" maxProperties:"64"`
}

// NetworkPolicy configures the default-deny policies.
type NetworkPolicy struct {
	Enabled *bool `json:"enabled,omitempty"`
	// IngressNamespace is the namespace of the ingress controller.
	IngressNamespace string `json:"ingressNamespace,omitempty"`
	// IngressPodLabels select the controller pods; empty means all its pods.
	IngressPodLabels map[string]string `json:"ingressPodLabels,omitempty" maxProperties:"32"`
	// MonitoringNamespace is where Prometheus scrapes from.
	MonitoringNamespace string `json:"monitoringNamespace,omitempty"`
	// DNSNamespace holds the cluster DNS pods.
	DNSNamespace string `json:"dnsNamespace,omitempty"`
	// OperatorNamespace runs the CloudNativePG operator, which must reach
	// the instances' status port.
	OperatorNamespace string `json:"operatorNamespace,omitempty"`
	// KEDANamespace runs KEDA, which reads queue lengths from Valkey.
	KEDANamespace string `json:"kedaNamespace,omitempty"`
	// APIServerCIDRs are where the Kubernetes API server is reachable;
	// CloudNativePG instance managers talk to it. Defaults to any address,
	// because the API server's address differs per cluster.
	APIServerCIDRs []string `json:"apiServerCIDRs,omitempty" maxItems:"256"`
	// Strict limits egress to the listed CIDRs and named services. The
	// default (false, in every profile) also allows the public internet on
	// 80 and 443, which link previews (oneboxes), remote images, avatars,
	// SSO callbacks and the MaxMind download need; private and link-local
	// ranges (the cloud metadata address among them) are never included.
	Strict *bool `json:"strict,omitempty"`
	// WebEgressCIDRs are extra ranges Discourse pods may reach on 443, in
	// either mode (an internal SSO provider, webhooks in strict mode).
	WebEgressCIDRs []string `json:"webEgressCIDRs,omitempty" maxItems:"256"`
}

// Monitoring configures Prometheus Operator objects and the dashboard.
type Monitoring struct {
	// Enabled renders the PodMonitors of every component that publishes
	// metrics (the database instances, the pooler, Valkey's exporter),
	// the alerts and the dashboard, and opens each metrics port to the
	// monitoring namespace only.
	Enabled *bool `json:"enabled,omitempty"`
	// DiscoursePrometheus says the image has the discourse-prometheus
	// plugin baked in: web pods run its collector, Sidekiq and scheduler
	// pods get one as a sidecar, and the HTTP and Sidekiq alerts and
	// panels use its metrics. Off by default: scraping a port nothing
	// listens on only produces failing targets.
	DiscoursePrometheus *bool `json:"discoursePrometheus,omitempty"`
	// Dashboard renders the Grafana dashboard as a ConfigMap labelled for
	// kube-prometheus-stack's dashboard sidecar; defaults to Enabled.
	Dashboard *bool `json:"dashboard,omitempty"`
	// Labels are added to ServiceMonitor/PodMonitor/PrometheusRule so the
	// Prometheus instance selects them.
	Labels map[string]string `json:"labels,omitempty" maxProperties:"32"`
}

// Admin is the first administrator, created or updated by a Job on every
// release from a Secret the user provides.
type Admin struct {
	// Enabled runs the admin Job; off by default, because the Job needs
	// the three keys in the Secret.
	Enabled *bool `json:"enabled,omitempty"`
	// SecretName holds the keys; defaults to the site Secret.
	SecretName string `json:"secretName,omitempty"`
	// EmailKey, UsernameKey and PasswordKey are the keys in it: defaults
	// admin-email, admin-username and admin-password.
	EmailKey    string `json:"emailKey,omitempty"`
	UsernameKey string `json:"usernameKey,omitempty"`
	PasswordKey string `json:"passwordKey,omitempty"`
}

// ResourceQuota is the site namespace's budget: a ResourceQuota sized
// from the rendered workloads at their maximum scale, and a LimitRange
// that gives containers nobody sized a request and a limit.
type ResourceQuota struct {
	// Enabled renders both; the staging and production profiles do.
	Enabled *bool `json:"enabled,omitempty"`
	// HeadroomPercent is added on top of what the workloads need at
	// maximum scale, rollout surge included.
	HeadroomPercent *int32 `json:"headroomPercent,omitempty" minimum:"0" maximum:"400"`
	// Hard replaces computed amounts (requests.cpu, requests.memory,
	// limits.memory, pods, persistentvolumeclaims, requests.storage).
	// A value below what the site needs is an error.
	Hard corev1.ResourceList `json:"hard,omitempty" maxProperties:"16"`
}

// GitOps configures the staged Flux Kustomizations.
//
// There is no path field: where a stage's objects are committed is the
// writer's choice, not the site's. The function renders each
// Kustomization's spec.path relative to the environment's output
// (./<site>/<stage>), and `discoursegen generate` makes it the repository
// path it writes that stage to, so the two cannot differ.
type GitOps struct {
	Enabled   *bool     `json:"enabled,omitempty"`
	SourceRef SourceRef `json:"sourceRef,omitempty"`
	// Namespace of the Flux objects; defaults to flux-system.
	Namespace string `json:"namespace,omitempty"`
	// Interval is how often Flux reconciles each stage, such as 10m.
	Interval *metav1.Duration `json:"interval,omitempty"`
	// MigrationTimeout bounds how long Flux waits for each migration Job
	// (pre- and post-deploy).
	MigrationTimeout *metav1.Duration `json:"migrationTimeout,omitempty"`
}

// SourceKind is the kind of a Flux source.
type SourceKind string

// SourceRef names the Flux source that holds this repository.
type SourceRef struct {
	Kind SourceKind `json:"kind,omitempty" enum:"GitRepository|OCIRepository|Bucket"`
	Name string     `json:"name,omitempty"`
}

// Scheduling places the pods of every workload.
//
// A pod carries a few node labels, tolerations and spread constraints;
// the limits leave ample room and keep each pod spec (copied into every
// workload) small. Lists inside Affinity have DefaultMaxItems.
type Scheduling struct {
	NodeSelector              map[string]string                 `json:"nodeSelector,omitempty" maxProperties:"32"`
	Tolerations               []corev1.Toleration               `json:"tolerations,omitempty" maxItems:"50"`
	Affinity                  *corev1.Affinity                  `json:"affinity,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty" maxItems:"20"`
	PriorityClassName         string                            `json:"priorityClassName,omitempty"`
}
