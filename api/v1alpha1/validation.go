package v1alpha1

import (
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// placeholderDomains are the RFC 2606 example domains: a site configured
// with one was copied from documentation and never edited.
var placeholderDomains = []string{"example.com", "example.org", "example.net"}

// ownedEnv are the variables the generator sets itself. Letting spec.env
// override them would defeat the guarantees: MIGRATE_ON_BOOT on a
// multi-pod workload races migrations, and UNICORN_SCHEDULER_HOSTNAME
// decides which pod runs the scheduler.
var ownedEnv = []string{
	"MIGRATE_ON_BOOT", "PRECOMPILE_ON_BOOT", "UNICORN_SCHEDULER_HOSTNAME",
	"UNICORN_SIDEKIQS", "UNICORN_WORKERS", "DISCOURSE_HOSTNAME",
	"DISCOURSE_DB_HOST", "DISCOURSE_DB_PORT", "DISCOURSE_DB_NAME", "DISCOURSE_DB_USERNAME",
	"DISCOURSE_DB_PASSWORD", "DISCOURSE_DB_POOL", "DISCOURSE_DB_REPLICA_HOST", "DISCOURSE_DB_REPLICA_PORT", "DISCOURSE_REDIS_HOST", "DISCOURSE_REDIS_PORT",
	"DISCOURSE_REDIS_PASSWORD", "DISCOURSE_SECRET_KEY_BASE", "SKIP_POST_DEPLOYMENT_MIGRATIONS",
	// The KEDA trigger reads Sidekiq's queues in DISCOURSE_REDIS_DB + 1.
	"DISCOURSE_REDIS_DB", "DISCOURSE_REDIS_USE_SSL",
	// The Sidekiq liveness probe and jemalloc are part of the workload.
	"LD_PRELOAD", "UNICORN_SIDEKIQ_MAX_RSS",
	// The maxmind account id comes from the Secret, next to the key.
	"DISCOURSE_MAXMIND_ACCOUNT_ID", "DISCOURSE_MAXMIND_LICENSE_KEY",
}

// ReservedLabelPrefixes are the label keys discoursegen sets and selects
// on; a user's label must not change them.
var ReservedLabelPrefixes = []string{"app.kubernetes.io/", Group + "/"}

// Validate reports every semantic problem of a defaulted config, sorted by
// field path. The JSON schema has already checked types, enums, ranges and
// unknown fields; this checks what a schema cannot express: relations
// between fields and values that are valid syntax but certain mistakes.
// It also re-checks every value a builder relies on, so the generator is
// safe on a config that never met the schema.
func (d *Discourse) Validate() field.ErrorList {
	var errs field.ErrorList
	if d.APIVersion != APIVersion || d.Kind != Kind {
		errs = append(errs, field.Invalid(field.NewPath("apiVersion"), d.APIVersion,
			fmt.Sprintf("must be %s with kind %s, got %q kind %q", APIVersion, Kind, d.APIVersion, d.Kind)))
	}
	if d.Metadata.Name == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "is required: every object name is derived from it"))
	}
	spec := field.NewPath("spec")
	s := &d.Spec
	if _, ok := profiles[s.Profile]; !ok {
		// Without a profile nothing was defaulted; more checks would only
		// report the consequences of this one.
		errs = append(errs, invalid(spec.Child("profile"), s.Profile, "must be one of local, staging, production, got %q", s.Profile))
		return sorted(errs)
	}
	if metaErrs := checkConstraints(reflect.ValueOf(d.Metadata), field.NewPath("metadata"), ""); len(metaErrs) > 0 {
		errs = append(errs, metaErrs...)
	}
	if specErrs := checkConstraints(reflect.ValueOf(*s), spec, ""); len(specErrs) > 0 {
		// Relations between fields mean nothing while a field is out of
		// its own range (a zero pooler size, a negative count), and the
		// builders must never see such a value.
		return sorted(append(errs, specErrs...))
	}
	errs = append(errs, validateHostname(spec.Child("hostname"), s.Hostname)...)
	errs = append(errs, s.Image.validate(spec.Child("image"))...)
	errs = append(errs, s.validatePolicy(spec)...)
	errs = append(errs, s.Secrets.validate(spec.Child("secrets"))...)
	if s.Release != "" && !strings.ContainsFunc(s.Release, isAlphanumeric) {
		errs = append(errs, invalid(spec.Child("release"), s.Release, "must contain letters or digits, got %q", s.Release))
	}
	errs = append(errs, s.validateWorkloads(spec)...)
	errs = append(errs, s.validateData(spec)...)
	errs = append(errs, s.validateNetwork(spec)...)
	errs = append(errs, s.GitOps.validate(spec.Child("gitops"))...)
	errs = append(errs, d.validateMetadata()...)
	errs = append(errs, s.validateEnv(spec.Child("env"))...)
	errs = append(errs, s.Admin.validate(spec.Child("admin"))...)
	errs = append(errs, s.ResourceQuota.validate(spec.Child("resourceQuota"))...)
	return sorted(errs)
}

// sorted orders problems by field path, keeping the order of each field's
// own problems, so the report reads like the config.
func sorted(errs field.ErrorList) field.ErrorList {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs
}

// invalid is field.Invalid with a formatted detail. The detail repeats the
// value where it helps ("got 2"), because discoursegen prints only the
// path and the detail.
func invalid(path *field.Path, value any, format string, args ...any) *field.Error {
	return field.Invalid(path, value, fmt.Sprintf(format, args...))
}

func isAlphanumeric(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func (i *Image) validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if i.Repository == "" {
		errs = append(errs, field.Required(path.Child("repository"), "is required, for example discourse/discourse"))
	}
	switch i.Tag {
	case "":
		errs = append(errs, field.Required(path.Child("tag"), "is required: a release tag, never latest, so a render is reproducible"))
	case "latest":
		errs = append(errs, field.Invalid(path.Child("tag"), i.Tag, "must name a release, not latest: the migration Job name and the rollout depend on it"))
	}
	errs = append(errs, i.validateReference(path)...)
	for n, name := range i.PullSecrets {
		errs = append(errs, validateObjectName(path.Child("pullSecrets").Index(n), "Secret", name)...)
	}
	return errs
}

// validateReference refuses a repository or tag that does not make an
// image reference: the rendered pods would name an image no runtime can
// pull, and the policy rule image-pinned refuses the output (ImageProblem
// parses it the same way). The digest has its own pattern in the schema.
func (i *Image) validateReference(path *field.Path) field.ErrorList {
	if i.Repository == "" || i.Tag == "" {
		return nil // required, reported above
	}
	if _, err := reference.ParseNormalizedNamed(i.Repository); err != nil {
		return field.ErrorList{invalid(path.Child("repository"), i.Repository,
			"%q is not an image repository (%v): a registry host and a path of lowercase letters, digits and . _ - separators, for example ghcr.io/acme/discourse", i.Repository, err)}
	}
	if _, err := reference.ParseNormalizedNamed(i.Repository + ":" + i.Tag); err != nil {
		return field.ErrorList{invalid(path.Child("tag"), i.Tag,
			"%q is not an image tag (%v): up to 128 letters, digits and . _ -, not starting with . or -", i.Tag, err)}
	}
	return nil
}

func (s *Spec) validateEnv(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, e := range s.Env {
		p := path.Index(i)
		if slices.Contains(ownedEnv, e.Name) {
			errs = append(errs, invalid(p.Child("name"), e.Name, "%s is set by discoursegen and cannot be overridden; use the matching spec field", e.Name))
		}
		if why, ok := LooksLikeCredential(e.Name, e.Value); ok {
			errs = append(errs, field.Forbidden(p.Child("value"), fmt.Sprintf(
				"%s looks like a secret (%s) and would be written in plain text into every Deployment and into git; reference it instead: {name: %s, valueFrom: {secretKeyRef: {name: %s, key: <key>}}}",
				e.Name, why, e.Name, s.Secrets.Name)))
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef == nil && e.ValueFrom.ConfigMapKeyRef == nil {
			errs = append(errs, field.Forbidden(p.Child("valueFrom"), "only secretKeyRef and configMapKeyRef are allowed"))
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			errs = append(errs, validateKeyRef(p.Child("valueFrom", "secretKeyRef"), "Secret", ref.Name, ref.Key)...)
		}
		if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
			ref := e.ValueFrom.ConfigMapKeyRef
			errs = append(errs, validateKeyRef(p.Child("valueFrom", "configMapKeyRef"), "ConfigMap", ref.Name, ref.Key)...)
		}
	}
	return errs
}

// validateKeyRef checks a reference to one key of a Secret or ConfigMap
// as the API server does: without a valid name and key, every Deployment
// that carries it is refused at apply time, long after the render passed.
func validateKeyRef(path *field.Path, kind, name, key string) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateObjectName(path.Child("name"), kind, name)...)
	errs = append(errs, validateSecretKey(path.Child("key"), key)...)
	return errs
}

// validateObjectName requires the name of an existing Secret or ConfigMap
// (a DNS subdomain, as the API server requires of both).
func validateObjectName(path *field.Path, kind, name string) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, fmt.Sprintf("is required: the name of an existing %s", kind))}
	}
	if msgs := utilvalidation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return field.ErrorList{invalid(path, name, "must be the name of a %s (a DNS subdomain: lower-case letters, digits, '-' and '.'), got %q", kind, name)}
	}
	return nil
}

// validateSecretKey requires a key a Secret or ConfigMap can hold.
func validateSecretKey(path *field.Path, key string) field.ErrorList {
	if key == "" {
		return field.ErrorList{field.Required(path, "is required: the key to read")}
	}
	if msgs := utilvalidation.IsConfigMapKey(key); len(msgs) > 0 {
		return field.ErrorList{invalid(path, key, "must be a key of letters, digits, '-', '_' and '.', got %q", key)}
	}
	return nil
}

// validate checks the Secret every credential is read from: its name and
// each key, after defaulting, are what the pods reference.
func (s *Secrets) validate(path *field.Path) field.ErrorList {
	errs := validateObjectName(path.Child("name"), "Secret", s.Name)
	keys := reflect.ValueOf(s.Keys)
	for i := range keys.NumField() {
		name, _, _ := strings.Cut(keys.Type().Field(i).Tag.Get("json"), ",")
		errs = append(errs, validateSecretKey(path.Child("keys", name), keys.Field(i).String())...)
	}
	return errs
}

func (d *Discourse) validateMetadata() field.ErrorList {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	m := &d.Metadata
	if m.Namespace != "" && d.Spec.Namespace != m.Namespace {
		errs = append(errs, invalid(meta.Child("namespace"), m.Namespace,
			"is %q but spec.namespace is %q; the site runs in one namespace: set one of them, or both to the same value", m.Namespace, d.Spec.Namespace))
	}
	for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
		for _, prefix := range ReservedLabelPrefixes {
			if strings.HasPrefix(k, prefix) {
				// Child, not Key: users write the path as they see it in
				// YAML, metadata.labels.<key>.
				errs = append(errs, field.Forbidden(meta.Child("labels", k),
					fmt.Sprintf("keys under %s are set by discoursegen (selectors and NetworkPolicies depend on them); use another prefix", prefix)))
			}
		}
	}
	return errs
}

func (s *Spec) validateWorkloads(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	sidekiq := spec.Child("sidekiq")
	if n := *s.Sidekiq.Scheduler.Replicas; n != 1 {
		errs = append(errs, invalid(sidekiq.Child("scheduler", "replicas"), n, "must be 1 (a second scheduler duplicates every scheduled job), got %d", n))
	}
	webScaled := *s.Web.Autoscaling.Enabled
	webMax := s.WebMaxReplicas()
	if a := s.Web.Autoscaling; webScaled && *a.MinReplicas > *a.MaxReplicas {
		errs = append(errs, invalid(spec.Child("web", "autoscaling", "minReplicas"), *a.MinReplicas, "must not exceed maxReplicas (%d), got %d", *a.MaxReplicas, *a.MinReplicas))
	}
	if a := s.Sidekiq.Workers.Autoscaling; *a.Enabled && *a.MinReplicas > *a.MaxReplicas {
		errs = append(errs, invalid(sidekiq.Child("workers", "autoscaling", "minReplicas"), *a.MinReplicas, "must not exceed maxReplicas (%d), got %d", *a.MaxReplicas, *a.MinReplicas))
	}
	webProcesses := sidekiq.Child("webProcesses")
	switch s.Sidekiq.Layout {
	case SidekiqUnified:
		// The scheduler lives in the web pod; two web pods would run two.
		if webScaled || webMax != 1 {
			errs = append(errs, invalid(sidekiq.Child("layout"), s.Sidekiq.Layout, "unified runs the scheduler inside the web pod, which needs exactly 1 web replica and no autoscaling (got up to %d); use separated or hybrid", webMax))
		}
		if *s.Sidekiq.WebProcesses < 1 {
			errs = append(errs, field.Invalid(webProcesses, *s.Sidekiq.WebProcesses, "must be at least 1 with the unified layout, or no pod runs Sidekiq"))
		}
	case SidekiqSeparated:
		if n := *s.Sidekiq.WebProcesses; n != 0 {
			errs = append(errs, invalid(webProcesses, n, "must be 0 with the separated layout (use hybrid for Sidekiq in web pods), got %d", n))
		}
	case SidekiqHybrid:
		if n := *s.Sidekiq.WebProcesses; n < 1 {
			errs = append(errs, invalid(webProcesses, n, "must be at least 1 with the hybrid layout, got %d", n))
		}
	}
	mode := spec.Child("migrations", "mode")
	if s.Migrations.Mode == MigrationsOnBoot {
		// MIGRATE_ON_BOOT in two pods at once races schema changes.
		if webScaled || webMax != 1 {
			errs = append(errs, invalid(mode, s.Migrations.Mode, "onBoot runs db:migrate in every web pod, which needs exactly 1 web replica and no autoscaling (got up to %d); use job", webMax))
		}
		if s.Sidekiq.Layout != SidekiqUnified {
			errs = append(errs, field.Invalid(mode, s.Migrations.Mode, "onBoot needs the unified Sidekiq layout: Sidekiq and scheduler pods would run old code against a schema the web pod is still migrating; use job"))
		}
	}
	if twoPhase := spec.Child("migrations", "twoPhase"); *s.Migrations.TwoPhase {
		if s.Migrations.Mode != MigrationsJob {
			errs = append(errs, field.Invalid(twoPhase, true, "needs spec.migrations.mode job: the post-deploy migrations run in their own Job after the rollout"))
		}
		if !*s.GitOps.Enabled {
			errs = append(errs, field.Invalid(twoPhase, true, "needs spec.gitops.enabled: only Flux's staged Kustomizations run the post-deploy Job after every pod runs the new release; without them it would race the rollout"))
		}
	}
	assets := spec.Child("image", "precompiledAssets")
	if !*s.Image.PrecompiledAssets {
		// PRECOMPILE_ON_BOOT compiles in every web pod on every start and
		// every scale-out. Assets cannot be compiled once elsewhere either:
		// each web pod needs the compiled manifest in its own filesystem to
		// link its pages to them.
		if webScaled || webMax != 1 {
			errs = append(errs, invalid(assets, false, "false compiles assets in every web pod on every start and scale-out (up to %d pods); build the image with its assets (discourse_docker's launcher bootstrap does) or run 1 web replica", webMax))
		}
		if s.PublishesAssetsToS3() {
			errs = append(errs, field.Invalid(assets, false, "false cannot be combined with spec.s3.cdnURL: assets compiled at boot are not in the S3 CDN when the pod serves pages that link to them; build the image with its assets"))
		}
	}
	if s.PublishesAssetsToS3() && s.Migrations.Mode != MigrationsJob {
		errs = append(errs, field.Invalid(spec.Child("s3", "cdnURL"), s.S3.CDNURL, "needs spec.migrations.mode job: the migration Job publishes the release's assets to the S3 CDN (rake s3:upload_assets) before the app rolls out"))
	}
	store := spec.Child("uploads", "store")
	if s.Uploads.Store == UploadsVolume && (webScaled || webMax != 1) {
		errs = append(errs, invalid(store, s.Uploads.Store, "volume uses a ReadWriteOnce claim that only one web pod can mount (got up to %d replicas); use s3", webMax))
	}
	if s.Uploads.Store == UploadsVolume && s.Sidekiq.Layout != SidekiqUnified {
		errs = append(errs, invalid(store, s.Uploads.Store, "volume is only visible to the web pod, but %s Sidekiq pods process uploads too; use s3", s.Sidekiq.Layout))
	}
	if *s.Web.Replicas == 0 && !webScaled && *s.Ingress.Enabled {
		errs = append(errs, field.Invalid(spec.Child("web", "replicas"), 0, "is 0 while the Ingress is enabled: the site would answer 503"))
	}
	return errs
}

func (s *Spec) validateData(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	pg := spec.Child("postgres")
	switch s.Postgres.Mode {
	case DatabaseExternal:
		if s.Postgres.External == nil || s.Postgres.External.Host == "" {
			errs = append(errs, field.Required(pg.Child("external", "host"), "is required when spec.postgres.mode is external"))
		}
		if s.Postgres.CNPG.Restore != nil {
			errs = append(errs, field.Forbidden(pg.Child("cnpg", "restore"), "restores a CloudNativePG cluster, and spec.postgres.mode is external: restore the external database with its provider's tools"))
		}
	case DatabaseCNPG:
		errs = append(errs, s.validateCNPG(pg)...)
	}
	redis := spec.Child("redis")
	switch s.Redis.Mode {
	case RedisExternal:
		if s.Redis.External == nil || s.Redis.External.Host == "" {
			errs = append(errs, field.Required(redis.Child("external", "host"), "is required when spec.redis.mode is external"))
		}
	case RedisValkey:
		if s.Redis.External != nil {
			errs = append(errs, field.Forbidden(redis.Child("external"), "is only used with spec.redis.mode external; remove it or set the mode"))
		}
		if *s.Redis.UseTLS {
			errs = append(errs, field.Invalid(redis.Child("useTLS"), true, "the in-cluster Valkey serves no TLS, so every Discourse pod would fail to connect; TLS is for spec.redis.mode external"))
		}
		if n := *s.Redis.Valkey.Replicas; n != 1 {
			// Discourse cannot follow a Valkey primary failover without
			// Sentinel support; replicas would only be stale copies.
			errs = append(errs, invalid(redis.Child("valkey", "replicas"), n, "must be 1: Discourse has no Sentinel support to follow a failover, got %d", n))
		}
		if p := s.Redis.Valkey.Persistence; *p.Enabled {
			errs = append(errs, validateSize(redis.Child("valkey", "persistence", "size"), p.Size)...)
		}
	}
	s3 := spec.Child("s3")
	if s.Uploads.Store == UploadsS3 {
		if s.S3.Bucket == "" {
			errs = append(errs, field.Required(s3.Child("bucket"), "is required when spec.uploads.store is s3"))
		}
		if s.S3.Region == "" {
			errs = append(errs, field.Required(s3.Child("region"), "is required when spec.uploads.store is s3 (use the provider's region name, or us-east-1 for most S3-compatible stores)"))
		}
	} else {
		errs = append(errs, validateSize(spec.Child("uploads", "volume", "size"), s.Uploads.Volume.Size)...)
	}
	if s.S3.Endpoint != "" {
		errs = append(errs, validateURL(s3.Child("endpoint"), s.S3.Endpoint)...)
	}
	if s.S3.CDNURL != "" {
		errs = append(errs, validateURL(s3.Child("cdnURL"), s.S3.CDNURL)...)
	}
	if s.CDN.URL != "" {
		errs = append(errs, validateURL(spec.Child("cdn", "url"), s.CDN.URL)...)
	}
	return errs
}

func (s *Spec) validateCNPG(pg *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Postgres.External != nil {
		errs = append(errs, field.Forbidden(pg.Child("external"), "is only used with spec.postgres.mode external; remove it or set the mode"))
	}
	cnpg := pg.Child("cnpg")
	c := &s.Postgres.CNPG
	if m := c.MaxConnections; m != nil && *m < s.RequiredConnections() {
		errs = append(errs, invalid(cnpg.Child("maxConnections"), *m, "must be at least %d to fit the pools (%s), got %d", s.RequiredConnections(), s.connectionFormula(), *m))
	}
	for i, e := range c.ExtraExtensions {
		if slices.Contains(BaseExtensions, e) {
			errs = append(errs, invalid(cnpg.Child("extraExtensions").Index(i), e, "%s is always created; remove it", e))
		}
	}
	// cloudnative-pg/postgres-containers docker-bake.hcl: the standard
	// images add pgvector, the minimal ones do not.
	if strings.Contains(c.ImageName, "-minimal-") {
		errs = append(errs, invalid(cnpg.Child("imageName"), c.ImageName, "%q is a minimal CloudNativePG image without pgvector, which Discourse's migrations need (vector extension); use a -standard- image", c.ImageName))
	}
	if *c.Pooler.Enabled && c.Pooler.PoolMode == PoolModeTransaction {
		errs = append(errs, field.Invalid(cnpg.Child("pooler", "poolMode"), c.Pooler.PoolMode, "transaction pooling breaks Discourse's advisory locks and prepared statements; use session"))
	}
	errs = append(errs, s.validateBackup(cnpg)...)
	errs = append(errs, validateSize(cnpg.Child("storage", "size"), c.Storage.Size)...)
	if c.WALStorage != nil {
		errs = append(errs, validateSize(cnpg.Child("walStorage", "size"), c.WALStorage.Size)...)
	}
	return errs
}

// validateSize requires a positive volume size. The schema checks the
// syntax; zero or negative sizes are valid quantities but no volume.
func validateSize(path *field.Path, size *resource.Quantity) field.ErrorList {
	if size == nil || size.Sign() <= 0 {
		got := "nothing"
		if size != nil {
			got = size.String()
		}
		return field.ErrorList{field.Invalid(path, got, "must be a positive size such as 10Gi, got "+got)}
	}
	return nil
}

// validateNetwork checks the addresses NetworkPolicies are built from and
// that strict mode has every range it needs.
func (s *Spec) validateNetwork(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.SMTP.Address != "" {
		errs = append(errs, validateHostname(spec.Child("smtp", "address"), s.SMTP.Address)...)
	}
	cidrs := []struct {
		path   *field.Path
		ranges []string
	}{
		{spec.Child("networkPolicy", "apiServerCIDRs"), s.NetworkPolicy.APIServerCIDRs},
		{spec.Child("networkPolicy", "webEgressCIDRs"), s.NetworkPolicy.WebEgressCIDRs},
		{spec.Child("s3", "egressCIDRs"), s.S3.EgressCIDRs},
		{spec.Child("smtp", "egressCIDRs"), s.SMTP.EgressCIDRs},
		{spec.Child("postgres", "cnpg", "backup", "egressCIDRs"), s.Postgres.CNPG.Backup.EgressCIDRs},
	}
	for _, c := range cidrs {
		for i, r := range c.ranges {
			if _, err := netip.ParsePrefix(r); err != nil {
				errs = append(errs, invalid(c.path.Index(i), r, "must be a CIDR such as 203.0.113.0/24, got %q", r))
			}
		}
	}
	hosts := []struct {
		path *field.Path
		host *ExternalHost
	}{
		{spec.Child("postgres", "external"), s.Postgres.External},
		{spec.Child("redis", "external"), s.Redis.External},
	}
	for _, h := range hosts {
		if h.host != nil && h.host.CIDR != "" {
			if _, err := netip.ParsePrefix(h.host.CIDR); err != nil {
				errs = append(errs, invalid(h.path.Child("cidr"), h.host.CIDR, "must be a CIDR such as 10.0.0.0/16, got %q", h.host.CIDR))
			}
		}
	}
	if *s.NetworkPolicy.Enabled && *s.NetworkPolicy.Strict {
		if s.Uploads.Store == UploadsS3 && len(s.S3.EgressCIDRs) == 0 {
			errs = append(errs, field.Required(spec.Child("s3", "egressCIDRs"), "is required with strict NetworkPolicies and S3 uploads: strict mode allows egress only to listed ranges"))
		}
		if s.SMTP.Address != "" && len(s.SMTP.EgressCIDRs) == 0 {
			errs = append(errs, field.Required(spec.Child("smtp", "egressCIDRs"), "is required with strict NetworkPolicies and SMTP: strict mode allows egress only to listed ranges"))
		}
		if s.UsesObjectStore() && len(s.Postgres.CNPG.Backup.EgressCIDRs) == 0 {
			errs = append(errs, field.Required(spec.Child("postgres", "cnpg", "backup", "egressCIDRs"), "is required with strict NetworkPolicies and database backups or a restore: strict mode allows egress only to listed ranges (it defaults to spec.s3.egressCIDRs)"))
		}
	}
	return errs
}

// validate checks the Secret and keys the admin Job reads.
func (a *Admin) validate(path *field.Path) field.ErrorList {
	if !*a.Enabled {
		return nil
	}
	errs := validateObjectName(path.Child("secretName"), "Secret", a.SecretName)
	errs = append(errs, validateSecretKey(path.Child("emailKey"), a.EmailKey)...)
	errs = append(errs, validateSecretKey(path.Child("usernameKey"), a.UsernameKey)...)
	errs = append(errs, validateSecretKey(path.Child("passwordKey"), a.PasswordKey)...)
	return errs
}

func (g *GitOps) validate(path *field.Path) field.ErrorList {
	if !*g.Enabled {
		return nil
	}
	var errs field.ErrorList
	for name, d := range map[string]*metav1.Duration{"interval": g.Interval, "migrationTimeout": g.MigrationTimeout} {
		if d.Duration <= 0 {
			errs = append(errs, invalid(path.Child(name), d.Duration.String(), "must be a positive duration such as 10m, got %s", d.Duration))
		}
	}
	if g.SourceRef.Name == "" {
		errs = append(errs, field.Required(path.Child("sourceRef", "name"), "is required when gitops is enabled"))
	}
	return errs
}

func validateHostname(path *field.Path, host string) field.ErrorList {
	if host == "" {
		return field.ErrorList{field.Required(path, "is required")}
	}
	h := strings.ToLower(host)
	for _, p := range placeholderDomains {
		if h == p || strings.HasSuffix(h, "."+p) {
			return field.ErrorList{invalid(path, host, "%q is a documentation placeholder (RFC 2606); set the real hostname", host)}
		}
	}
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/: ") {
		return field.ErrorList{invalid(path, host, "must be a bare DNS name without scheme, port or path, got %q", host)}
	}
	for _, label := range strings.Split(h, ".") {
		if len(utilvalidation.IsDNS1123Label(label)) > 0 {
			return field.ErrorList{invalid(path, host, "must be a DNS name of lower-case letters, digits, '-' and '.', got %q", host)}
		}
	}
	return nil
}

// validateURL requires an absolute http(s) URL. Discourse builds asset URLs
// by concatenation, so a CDN URL without a protocol silently breaks every
// script and stylesheet.
func validateURL(path *field.Path, raw string) field.ErrorList {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return field.ErrorList{invalid(path, raw, "must be an absolute URL with its protocol, such as https://cdn.forum.acme.org, got %q", raw)}
	}
	if strings.HasSuffix(raw, "/") {
		return field.ErrorList{invalid(path, raw, "must not end in '/', got %q", raw)}
	}
	return nil
}
