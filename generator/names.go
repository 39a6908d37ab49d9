package generator

import (
	"fmt"
	"strings"
)

// Component values of the app.kubernetes.io/component label. The writer and
// the NetworkPolicies select on them, so they are constants, not literals.
const (
	ComponentWeb       = "web"
	ComponentSidekiq   = "sidekiq"
	ComponentScheduler = "scheduler"
	ComponentMigrate   = "migrate"
	ComponentValkey    = "valkey"
	ComponentDatabase  = "database"
	ComponentPooler    = "pooler"
)

// Label keys. Selectors use only name, instance and component: the version
// label changes every release, and a Deployment's selector is immutable.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelVersion   = "app.kubernetes.io/version"
	// LabelDiscourse marks every pod that runs Discourse code and therefore
	// needs the database and Redis; NetworkPolicies select on it.
	LabelDiscourse = "discoursegen.dev/discourse"
)

// Annotation keys the generator writes.
const (
	// AnnotationConfigHash on a pod template carries the hash of the env
	// ConfigMap, so a settings change rolls the pods.
	AnnotationConfigHash = "discoursegen.dev/config-hash"
	// AnnotationFluxPrune set to "disabled" keeps Flux from deleting the
	// object when it leaves the rendered output (a rename, a typo).
	AnnotationFluxPrune = "kustomize.toolkit.fluxcd.io/prune"
	// AnnotationStage tells the writer which Flux stage an object belongs
	// to. It stays on the object so that kustomize's output and the
	// committed golden files are the same bytes; objects without it (added
	// by a user's own patches) go to the app stage.
	AnnotationStage = "discoursegen.dev/stage"
)

// Stages of a rollout, applied by Flux in this order.
const (
	StageData    = "data"
	StageMigrate = "migrate"
	StageApp     = "app"
	StageFlux    = "flux"
)

// Names of every object and of every cross-reference between them. Builders
// call these and never format a name themselves.
func (d *Discourse) site() string                { return d.Metadata.Name }
func (d *Discourse) WebName() string             { return d.site() + "-web" }
func (d *Discourse) WorkerName() string          { return d.site() + "-sidekiq" }
func (d *Discourse) SchedulerName() string       { return d.site() + "-scheduler" }
func (d *Discourse) ConfigMapName() string       { return d.site() + "-env" }
func (d *Discourse) ServiceAccountName() string  { return d.site() }
func (d *Discourse) UploadsClaimName() string    { return d.site() + "-uploads" }
func (d *Discourse) DatabaseClusterName() string { return d.site() + "-pg" }
func (d *Discourse) PoolerName() string          { return d.DatabaseClusterName() + "-pooler-rw" }
func (d *Discourse) ValkeyName() string          { return d.site() + "-valkey" }
func (d *Discourse) ValkeyHeadlessName() string  { return d.ValkeyName() + "-headless" }

// DatabaseRWService is CNPG's read-write Service, always the primary. The
// migration Job uses it even with a pooler: DDL and advisory locks need a
// real session on the primary.
func (d *Discourse) DatabaseRWService() string { return d.DatabaseClusterName() + "-rw" }

// DatabaseAppSecret is the Secret CNPG creates for the application owner
// during initdb; the operator writes it, so discoursegen never holds the
// password.
func (d *Discourse) DatabaseAppSecret() string { return d.DatabaseClusterName() + "-app" }

// MigrationJobName carries the release and a short hash of the Job's pod
// template: a new release or a changed template gets a new Job, and no Job
// ever has its immutable template changed under the same name.
func (d *Discourse) MigrationJobName(templateHash string) string {
	return fmt.Sprintf("%s-migrate-%s-%s", d.site(), dnsLabel(d.Spec.Release, 24), templateHash[:8])
}

// DatabaseHost is what the app pods connect to: the pooler when there is
// one, else the read-write Service, else the external host.
func (d *Discourse) DatabaseHost() string {
	switch {
	case d.Spec.Postgres.Mode == DatabaseExternal:
		return d.Spec.Postgres.External.Host
	case *d.Spec.Postgres.CNPG.Pooler.Enabled:
		return d.PoolerName()
	default:
		return d.DatabaseRWService()
	}
}

// DatabasePort is the PostgreSQL port of DatabaseHost.
func (d *Discourse) DatabasePort() int32 {
	if d.Spec.Postgres.Mode == DatabaseExternal {
		return *d.Spec.Postgres.External.Port
	}
	return 5432
}

// RedisHost is the Valkey client Service or the external endpoint.
func (d *Discourse) RedisHost() string {
	if d.Spec.Redis.Mode == RedisExternal {
		return d.Spec.Redis.External.Host
	}
	return d.ValkeyName()
}

// ServiceAddress is a Service's name as seen from any namespace. A client
// outside the site's namespace (KEDA's operator, in its own) resolves a
// bare name in its own namespace, where it does not exist. "<svc>.<ns>.svc"
// resolves through every pod's DNS search list (…, svc.<cluster domain>),
// so it works whatever the cluster domain is.
func (d *Discourse) ServiceAddress(service string) string {
	return service + "." + d.Spec.Namespace + ".svc"
}

// RedisPort is the port of RedisHost.
func (d *Discourse) RedisPort() int32 {
	if d.Spec.Redis.Mode == RedisExternal {
		return *d.Spec.Redis.External.Port
	}
	return 6379
}

// scrapesDiscourse is true when Prometheus scrapes the discourse-prometheus
// collector of the web pods.
func (d *Discourse) scrapesDiscourse() bool {
	return *d.Spec.Monitoring.Enabled && *d.Spec.Monitoring.DiscoursePrometheus
}

// ImageRef is the Discourse image reference, pinned by digest when given.
func (d *Discourse) ImageRef() string {
	ref := d.Spec.Image.Repository + ":" + d.Spec.Image.Tag
	if d.Spec.Image.Digest != "" {
		ref += "@" + d.Spec.Image.Digest
	}
	return ref
}

// SelectorLabels select the pods of one component.
func (d *Discourse) SelectorLabels(component string) map[string]string {
	return map[string]string{
		LabelName:      "discourse",
		LabelInstance:  d.site(),
		LabelComponent: component,
	}
}

// Labels are the full label set of an object of one component: the
// user's metadata.labels (Validate keeps them off the keys below), then
// discoursegen's own.
func (d *Discourse) Labels(component string) map[string]string {
	l := d.SelectorLabels(component)
	for k, v := range d.Metadata.Labels {
		l[k] = v
	}
	l[LabelPartOf] = "discourse"
	l[LabelManagedBy] = "discoursegen"
	if d.Spec.Release != "" {
		l[LabelVersion] = labelValue(d.Spec.Release)
	}
	return l
}

// labelValue maps every character a label value cannot hold to '_' and
// trims the result to 63 characters, keeping "v2026.1.0" readable.
func labelValue(s string) string {
	b := []byte(s)
	for i, c := range b {
		alnum := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !alnum && c != '.' && c != '-' && c != '_' {
			b[i] = '_'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return strings.Trim(string(b), "._-")
}

// dnsLabel lower-cases s and maps every character a DNS label or label
// value cannot hold to '-', so "2026.1.0+beta" can name a Job.
func dnsLabel(s string, maxLen int) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			b[i] = '-'
		}
	}
	out := strings.Trim(string(b), "-")
	if len(out) > maxLen {
		out = strings.Trim(out[:maxLen], "-")
	}
	return out
}
