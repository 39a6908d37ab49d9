package generator

import (
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
)

// Names of every object and of every cross-reference between them. Builders
// call these and never format a name themselves, so a NetworkPolicy and
// the Service it allows, or a dependsOn and its Kustomization, cannot
// drift apart.
func (d *site) name() string                { return d.Metadata.Name }
func (d *site) webName() string             { return d.name() + "-web" }
func (d *site) workerName() string          { return d.name() + "-sidekiq" }
func (d *site) schedulerName() string       { return d.name() + "-scheduler" }
func (d *site) configMapName() string       { return d.name() + "-env" }
func (d *site) serviceAccountName() string  { return d.name() }
func (d *site) uploadsClaimName() string    { return d.name() + "-uploads" }
func (d *site) databaseClusterName() string { return d.Spec.Postgres.CNPG.Name }
func (d *site) poolerName() string          { return d.databaseClusterName() + "-pooler-rw" }
func (d *site) objectStoreName() string     { return d.name() + "-backups" }
func (d *site) valkeyName() string          { return d.name() + "-valkey" }
func (d *site) valkeyHeadlessName() string  { return d.valkeyName() + "-headless" }

// databaseRWService is CNPG's read-write Service, always the primary. The
// migration Job uses it even with a pooler: DDL and advisory locks need a
// real session on the primary.
func (d *site) databaseRWService() string { return d.databaseClusterName() + "-rw" }

// databaseROService is CNPG's read-only Service: the replicas only.
func (d *site) databaseROService() string { return d.databaseClusterName() + "-ro" }

// databaseAppSecret is the Secret CNPG creates for the application owner
// during initdb; the operator writes it, so discoursegen never holds the
// password.
func (d *site) databaseAppSecret() string { return d.databaseClusterName() + "-app" }

// migrationJobPrefix starts the name of every migration Job of one phase,
// whatever the release.
func (d *site) migrationJobPrefix(phase migrationPhase) string {
	if phase == migratePostDeploy {
		return d.name() + "-post-migrate-"
	}
	return d.name() + "-migrate-"
}

// migrationJobPrefixes start the names of all the site's migration Jobs;
// the alert on failed migrations matches on them.
func (d *site) migrationJobPrefixes() []string {
	return []string{d.migrationJobPrefix(migrateAll), d.migrationJobPrefix(migratePostDeploy)}
}

// migrationJobName carries the release and a short hash of the Job's pod
// template: a new release or a changed template gets a new Job, and no Job
// ever has its immutable template changed under the same name. It stays
// within 63 characters, because the Job controller copies the name into
// the batch.kubernetes.io/job-name label of its pods, and a label value
// longer than that makes the API server refuse the Job; the release is
// shortened to fit, from its end, so its leading version stays readable.
func (d *site) migrationJobName(phase migrationPhase, templateHash string) string {
	return d.releaseJobName(d.migrationJobPrefix(phase), templateHash)
}

// releaseJobName is prefix, the release and a short template hash, as
// migrationJobName explains.
func (d *site) releaseJobName(prefix, templateHash string) string {
	hash := templateHash[:8]
	release := dnsLabel(d.Spec.Release, min(24, maxLabelValue-len(prefix)-len(hash)-1))
	return prefix + release + "-" + hash
}

// adminJobName names the release's admin Job like a migration Job.
func (d *site) adminJobName(templateHash string) string {
	return d.releaseJobName(d.name()+"-admin-", templateHash)
}

// maxLabelValue is the longest label value Kubernetes accepts.
const maxLabelValue = 63

// databaseName names the CNPG Database object of the app database; the
// database's own name is spec.postgres.database.
func (d *site) databaseName() string {
	return d.databaseClusterName() + "-" + dnsLabel(d.Spec.Postgres.Database, 30)
}

// networkPolicyName names the policy of one part of the site
// (default-deny, web, valkey, ...).
func (d *site) networkPolicyName(part string) string { return d.name() + "-" + part }

// tlsSecretName is the Secret of the Ingress certificate: the one the user
// named, else the one cert-manager issues into.
func (d *site) tlsSecretName() string {
	if n := d.Spec.Ingress.TLSSecretName; n != "" {
		return n
	}
	return d.name() + "-tls"
}

// alertsName names the PrometheusRule of the site.
func (d *site) alertsName() string { return d.name() }

// budgetName names the namespace's ResourceQuota and its LimitRange: two
// kinds, so one name serves both.
func (d *site) budgetName() string { return d.name() + "-budget" }

// dashboardName names the ConfigMap of the site's Grafana dashboard.
func (d *site) dashboardName() string { return d.name() + "-dashboard" }

// fluxKustomizationName names the Flux Kustomization of one stage. The
// dependsOn chain refers to the previous stage by this name, so the
// reference and the object cannot drift apart.
func (d *site) fluxKustomizationName(stage Stage) string { return d.name() + "-" + string(stage) }

// databaseHost is what the app pods connect to: the pooler when there is
// one, else the read-write Service, else the external host.
func (d *site) databaseHost() string {
	switch {
	case d.Spec.Postgres.Mode == v1alpha1.DatabaseExternal:
		return d.Spec.Postgres.External.Host
	case *d.Spec.Postgres.CNPG.Pooler.Enabled:
		return d.poolerName()
	default:
		return d.databaseRWService()
	}
}

// databasePort is the PostgreSQL port of DatabaseHost.
func (d *site) databasePort() int32 {
	if d.Spec.Postgres.Mode == v1alpha1.DatabaseExternal {
		return *d.Spec.Postgres.External.Port
	}
	return 5432
}

// redisHost is the Valkey client Service or the external endpoint.
func (d *site) redisHost() string {
	if d.Spec.Redis.Mode == v1alpha1.RedisExternal {
		return d.Spec.Redis.External.Host
	}
	return d.valkeyName()
}

// serviceAddress is a Service's name as seen from any namespace. A client
// outside the site's namespace (KEDA's operator, in its own) resolves a
// bare name in its own namespace, where it does not exist. "<svc>.<ns>.svc"
// resolves through every pod's DNS search list (…, svc.<cluster domain>),
// so it works whatever the cluster domain is.
func (d *site) serviceAddress(service string) string {
	return service + "." + d.Spec.Namespace + ".svc"
}

// redisPort is the port of RedisHost.
func (d *site) redisPort() int32 {
	if d.Spec.Redis.Mode == v1alpha1.RedisExternal {
		return *d.Spec.Redis.External.Port
	}
	return 6379
}

// scrapesDiscourse is true when Prometheus scrapes the discourse-prometheus
// collector of the web pods.
func (d *site) scrapesDiscourse() bool {
	return *d.Spec.Monitoring.Enabled && *d.Spec.Monitoring.DiscoursePrometheus
}

// imageRef is the Discourse image reference, pinned by digest when given.
func (d *site) imageRef() string {
	ref := d.Spec.Image.Repository + ":" + d.Spec.Image.Tag
	if d.Spec.Image.Digest != "" {
		ref += "@" + d.Spec.Image.Digest
	}
	return ref
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
