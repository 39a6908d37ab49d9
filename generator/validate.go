package generator

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// FieldError is one problem with the config, tied to the field that causes
// it. Path is dotted (spec.web.replicas), as users write it in YAML.
type FieldError struct {
	Path    string
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// fieldErrors collects problems so that a user sees all of them at once
// instead of fixing one per run.
type fieldErrors []*FieldError

func (fe *fieldErrors) add(path, format string, args ...any) {
	*fe = append(*fe, &FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	sort.SliceStable(fe, func(i, j int) bool { return fe[i].Path < fe[j].Path })
	errs := make([]error, len(fe))
	for i, e := range fe {
		errs[i] = e
	}
	return errors.Join(errs...)
}

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
	"DISCOURSE_DB_PASSWORD", "DISCOURSE_DB_POOL", "DISCOURSE_REDIS_HOST", "DISCOURSE_REDIS_PORT",
	"DISCOURSE_REDIS_PASSWORD", "DISCOURSE_SECRET_KEY_BASE", "SKIP_POST_DEPLOYMENT_MIGRATIONS",
	// The KEDA trigger reads Sidekiq's queues in DISCOURSE_REDIS_DB + 1.
	"DISCOURSE_REDIS_DB", "DISCOURSE_REDIS_USE_SSL",
	// The Sidekiq liveness probe and jemalloc are part of the workload.
	"LD_PRELOAD", "UNICORN_SIDEKIQ_MAX_RSS",
	// The maxmind account id comes from the Secret, next to the key.
	"DISCOURSE_MAXMIND_ACCOUNT_ID", "DISCOURSE_MAXMIND_LICENSE_KEY",
}

// Validate reports every semantic problem of a defaulted config. The JSON
// schema has already checked types, enums, ranges and unknown fields; this
// checks what a schema cannot express: relations between fields and values
// that are valid syntax but certain mistakes.
func (d *Discourse) Validate() error {
	var fe fieldErrors
	s := &d.Spec

	if d.APIVersion != APIVersion || d.Kind != Kind {
		fe.add("apiVersion", "must be %s with kind %s, got %q kind %q", APIVersion, Kind, d.APIVersion, d.Kind)
	}
	if d.Metadata.Name == "" {
		fe.add("metadata.name", "is required: every object name is derived from it")
	}
	if _, ok := profiles[s.Profile]; !ok {
		fe.add("spec.profile", "must be one of local, staging, production, got %q", s.Profile)
		// Without a profile nothing was defaulted; more checks would only
		// report the consequences of this one.
		return fe.err()
	}
	validateHostname(&fe, "spec.hostname", s.Hostname)
	if s.Image.Repository == "" {
		fe.add("spec.image.repository", "is required, for example discourse/discourse")
	}
	if s.Image.Tag == "" {
		fe.add("spec.image.tag", "is required: a release tag, never latest, so a render is reproducible")
	} else if s.Image.Tag == "latest" {
		fe.add("spec.image.tag", "must name a release, not latest: the migration Job name and the rollout depend on it")
	}
	if s.Release != "" && dnsLabel(s.Release, 24) == "" {
		fe.add("spec.release", "must contain letters or digits, got %q", s.Release)
	}

	d.validateWorkloads(&fe)
	d.validateData(&fe)
	d.validateEdges(&fe)
	d.validateMetadata(&fe)
	for i, e := range s.Env {
		if slices.Contains(ownedEnv, e.Name) {
			fe.add(fmt.Sprintf("spec.env[%d].name", i), "%s is set by discoursegen and cannot be overridden; use the matching spec field", e.Name)
		}
		if e.Value != "" && looksSecret(e.Name) {
			fe.add(fmt.Sprintf("spec.env[%d].value", i),
				"%s looks like a secret and would be written in plain text into every Deployment and into git; reference it instead: {name: %s, valueFrom: {secretKeyRef: {name: %s, key: <key>}}}",
				e.Name, e.Name, s.Secrets.Name)
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef == nil && e.ValueFrom.ConfigMapKeyRef == nil {
			fe.add(fmt.Sprintf("spec.env[%d].valueFrom", i), "only secretKeyRef and configMapKeyRef are allowed")
		}
	}
	return fe.err()
}

// looksSecret is true for the variable names that conventionally hold
// credentials: *PASSWORD*, *SECRET*, *TOKEN* and *_KEY.
func looksSecret(name string) bool {
	n := strings.ToUpper(name)
	return strings.Contains(n, "PASSWORD") || strings.Contains(n, "SECRET") ||
		strings.Contains(n, "TOKEN") || strings.HasSuffix(n, "_KEY")
}

// reservedLabelPrefixes are the label keys discoursegen sets and selects
// on; a user's label must not change them.
var reservedLabelPrefixes = []string{"app.kubernetes.io/", Group + "/"}

func (d *Discourse) validateMetadata(fe *fieldErrors) {
	m := &d.Metadata
	if m.Namespace != "" && d.Spec.Namespace != m.Namespace {
		fe.add("metadata.namespace", "is %q but spec.namespace is %q; the site runs in one namespace: set one of them, or both to the same value", m.Namespace, d.Spec.Namespace)
	}
	for _, k := range sortedKeys(m.Labels) {
		for _, prefix := range reservedLabelPrefixes {
			if strings.HasPrefix(k, prefix) {
				fe.add("metadata.labels."+k, "keys under %s are set by discoursegen (selectors and NetworkPolicies depend on them); use another prefix", prefix)
			}
		}
	}
}

func (d *Discourse) validateWorkloads(fe *fieldErrors) {
	s := &d.Spec
	if n := *s.Sidekiq.Scheduler.Replicas; n != 1 {
		fe.add("spec.sidekiq.scheduler.replicas", "must be 1 (a second scheduler duplicates every scheduled job), got %d", n)
	}
	webScaled := *s.Web.Autoscaling.Enabled
	webMax := d.webMaxReplicas()
	if webScaled && *s.Web.Autoscaling.MinReplicas > *s.Web.Autoscaling.MaxReplicas {
		fe.add("spec.web.autoscaling.minReplicas", "must not exceed maxReplicas (%d), got %d", *s.Web.Autoscaling.MaxReplicas, *s.Web.Autoscaling.MinReplicas)
	}
	wa := s.Sidekiq.Workers.Autoscaling
	if *wa.Enabled && *wa.MinReplicas > *wa.MaxReplicas {
		fe.add("spec.sidekiq.workers.autoscaling.minReplicas", "must not exceed maxReplicas (%d), got %d", *wa.MaxReplicas, *wa.MinReplicas)
	}
	switch s.Sidekiq.Layout {
	case SidekiqUnified:
		// The scheduler lives in the web pod; two web pods would run two.
		if webScaled || webMax != 1 {
			fe.add("spec.sidekiq.layout", "unified runs the scheduler inside the web pod, which needs exactly 1 web replica and no autoscaling (got up to %d); use separated or hybrid", webMax)
		}
		if *s.Sidekiq.WebProcesses < 1 {
			fe.add("spec.sidekiq.webProcesses", "must be at least 1 with the unified layout, or no pod runs Sidekiq")
		}
	case SidekiqSeparated:
		if *s.Sidekiq.WebProcesses != 0 {
			fe.add("spec.sidekiq.webProcesses", "must be 0 with the separated layout (use hybrid for Sidekiq in web pods), got %d", *s.Sidekiq.WebProcesses)
		}
	case SidekiqHybrid:
		if *s.Sidekiq.WebProcesses < 1 {
			fe.add("spec.sidekiq.webProcesses", "must be at least 1 with the hybrid layout, got %d", *s.Sidekiq.WebProcesses)
		}
	}
	if s.Migrations.Mode == MigrationsOnBoot {
		// MIGRATE_ON_BOOT in two pods at once races schema changes.
		if webScaled || webMax != 1 {
			fe.add("spec.migrations.mode", "onBoot runs db:migrate in every web pod, which needs exactly 1 web replica and no autoscaling (got up to %d); use job", webMax)
		}
		if s.Sidekiq.Layout != SidekiqUnified {
			fe.add("spec.migrations.mode", "onBoot needs the unified Sidekiq layout: Sidekiq and scheduler pods would run old code against a schema the web pod is still migrating; use job")
		}
	}
	if !*s.Image.PrecompiledAssets {
		// PRECOMPILE_ON_BOOT compiles in every web pod on every start and
		// every scale-out. Assets cannot be compiled once elsewhere either:
		// each web pod needs the compiled manifest in its own filesystem to
		// link its pages to them.
		if webScaled || webMax != 1 {
			fe.add("spec.image.precompiledAssets", "false compiles assets in every web pod on every start and scale-out (up to %d pods); build the image with its assets (discourse_docker's launcher bootstrap does) or run 1 web replica", webMax)
		}
		if d.publishesAssetsToS3() {
			fe.add("spec.image.precompiledAssets", "false cannot be combined with spec.s3.cdnURL: assets compiled at boot are not in the S3 CDN when the pod serves pages that link to them; build the image with its assets")
		}
	}
	if d.publishesAssetsToS3() && s.Migrations.Mode != MigrationsJob {
		fe.add("spec.s3.cdnURL", "needs spec.migrations.mode job: the migration Job publishes the release's assets to the S3 CDN (rake s3:upload_assets) before the app rolls out")
	}
	if s.Uploads.Store == UploadsVolume && (webScaled || webMax != 1) {
		fe.add("spec.uploads.store", "volume uses a ReadWriteOnce claim that only one web pod can mount (got up to %d replicas); use s3", webMax)
	}
	if s.Uploads.Store == UploadsVolume && s.Sidekiq.Layout != SidekiqUnified {
		fe.add("spec.uploads.store", "volume is only visible to the web pod, but %s Sidekiq pods process uploads too; use s3", s.Sidekiq.Layout)
	}
	if *s.Web.Replicas == 0 && !webScaled && *s.Ingress.Enabled {
		fe.add("spec.web.replicas", "is 0 while the Ingress is enabled: the site would answer 503")
	}
}

func (d *Discourse) validateData(fe *fieldErrors) {
	s := &d.Spec
	switch s.Postgres.Mode {
	case DatabaseExternal:
		if s.Postgres.External == nil || s.Postgres.External.Host == "" {
			fe.add("spec.postgres.external.host", "is required when spec.postgres.mode is external")
		}
	case DatabaseCNPG:
		if s.Postgres.External != nil {
			fe.add("spec.postgres.external", "is only used with spec.postgres.mode external; remove it or set the mode")
		}
		c := &s.Postgres.CNPG
		if m := c.MaxConnections; m != nil && *m < d.requiredConnections() {
			fe.add("spec.postgres.cnpg.maxConnections", "must be at least %d to fit the pools (%s), got %d", d.requiredConnections(), d.connectionFormula(), *m)
		}
		for i, e := range c.ExtraExtensions {
			if slices.Contains(baseExtensions, e) {
				fe.add(fmt.Sprintf("spec.postgres.cnpg.extraExtensions[%d]", i), "%s is always created; remove it", e)
			}
		}
		// cloudnative-pg/postgres-containers docker-bake.hcl: the
		// standard images add pgvector, the minimal ones do not.
		if strings.Contains(c.ImageName, "-minimal-") {
			fe.add("spec.postgres.cnpg.imageName", "%q is a minimal CloudNativePG image without pgvector, which Discourse's migrations need (vector extension); use a -standard- image", c.ImageName)
		}
		if *c.Pooler.Enabled && c.Pooler.PoolMode == "transaction" {
			fe.add("spec.postgres.cnpg.pooler.poolMode", "transaction pooling breaks Discourse's advisory locks and prepared statements; use session")
		}
	}
	switch s.Redis.Mode {
	case RedisExternal:
		if s.Redis.External == nil || s.Redis.External.Host == "" {
			fe.add("spec.redis.external.host", "is required when spec.redis.mode is external")
		}
	case RedisValkey:
		if s.Redis.External != nil {
			fe.add("spec.redis.external", "is only used with spec.redis.mode external; remove it or set the mode")
		}
		if *s.Redis.UseTLS {
			fe.add("spec.redis.useTLS", "the in-cluster Valkey serves no TLS, so every Discourse pod would fail to connect; TLS is for spec.redis.mode external")
		}
		if *s.Redis.Valkey.Replicas != 1 {
			// Discourse cannot follow a Valkey primary failover without
			// Sentinel support; replicas would only be stale copies.
			fe.add("spec.redis.valkey.replicas", "must be 1: Discourse has no Sentinel support to follow a failover, got %d", *s.Redis.Valkey.Replicas)
		}
	}
	if s.Uploads.Store == UploadsS3 {
		if s.S3.Bucket == "" {
			fe.add("spec.s3.bucket", "is required when spec.uploads.store is s3")
		}
		if s.S3.Region == "" {
			fe.add("spec.s3.region", "is required when spec.uploads.store is s3 (use the provider's region name, or us-east-1 for most S3-compatible stores)")
		}
	}
	if s.S3.Endpoint != "" {
		validateURL(fe, "spec.s3.endpoint", s.S3.Endpoint)
	}
	if s.S3.CDNURL != "" {
		validateURL(fe, "spec.s3.cdnURL", s.S3.CDNURL)
	}
	if s.CDN.URL != "" {
		validateURL(fe, "spec.cdn.url", s.CDN.URL)
	}
}

func (d *Discourse) validateEdges(fe *fieldErrors) {
	s := &d.Spec
	if s.SMTP.Address != "" {
		validateHostname(fe, "spec.smtp.address", s.SMTP.Address)
	}
	cidrs := map[string][]string{
		"spec.smtp.egressCIDRs":             s.SMTP.EgressCIDRs,
		"spec.s3.egressCIDRs":               s.S3.EgressCIDRs,
		"spec.networkPolicy.webEgressCIDRs": s.NetworkPolicy.WebEgressCIDRs,
		"spec.networkPolicy.apiServerCIDRs": s.NetworkPolicy.APIServerCIDRs,
	}
	for _, path := range sortedKeys(cidrs) {
		for i, c := range cidrs[path] {
			if _, err := netip.ParsePrefix(c); err != nil {
				fe.add(fmt.Sprintf("%s[%d]", path, i), "must be a CIDR such as 203.0.113.0/24, got %q", c)
			}
		}
	}
	for path, h := range map[string]*ExternalHost{"spec.postgres.external": s.Postgres.External, "spec.redis.external": s.Redis.External} {
		if h != nil && h.CIDR != "" {
			if _, err := netip.ParsePrefix(h.CIDR); err != nil {
				fe.add(path+".cidr", "must be a CIDR such as 10.0.0.0/16, got %q", h.CIDR)
			}
		}
	}
	if *s.NetworkPolicy.Enabled && *s.NetworkPolicy.Strict {
		if s.Uploads.Store == UploadsS3 && len(s.S3.EgressCIDRs) == 0 {
			fe.add("spec.s3.egressCIDRs", "is required with strict NetworkPolicies and S3 uploads: strict mode allows egress only to listed ranges")
		}
		if s.SMTP.Address != "" && len(s.SMTP.EgressCIDRs) == 0 {
			fe.add("spec.smtp.egressCIDRs", "is required with strict NetworkPolicies and SMTP: strict mode allows egress only to listed ranges")
		}
	}
	if *s.GitOps.Enabled && s.GitOps.SourceRef.Name == "" {
		fe.add("spec.gitops.sourceRef.name", "is required when gitops is enabled")
	}
}

func validateHostname(fe *fieldErrors, path, host string) {
	if host == "" {
		fe.add(path, "is required")
		return
	}
	h := strings.ToLower(host)
	for _, p := range placeholderDomains {
		if h == p || strings.HasSuffix(h, "."+p) {
			fe.add(path, "%q is a documentation placeholder (RFC 2606); set the real hostname", host)
			return
		}
	}
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/: ") {
		fe.add(path, "must be a bare DNS name without scheme, port or path, got %q", host)
		return
	}
	for _, label := range strings.Split(h, ".") {
		if dnsLabel(label, 63) != label {
			fe.add(path, "must be a DNS name of lower-case letters, digits, '-' and '.', got %q", host)
			return
		}
	}
}

// validateURL requires an absolute http(s) URL. Discourse builds asset URLs
// by concatenation, so a CDN URL without a protocol silently breaks every
// script and stylesheet.
func validateURL(fe *fieldErrors, path, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe.add(path, "must be an absolute URL with its protocol, such as https://cdn.forum.acme.org, got %q", raw)
		return
	}
	if strings.HasSuffix(raw, "/") {
		fe.add(path, "must not end in '/', got %q", raw)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
