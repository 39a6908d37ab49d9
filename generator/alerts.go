package generator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	monitoringv1 "discoursegen.dev/discoursegen/internal/thirdparty/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// alerts fire on metrics that really exist (every name is in
// metricCatalog, metrics.go, which test/monitoring proves against the
// exporters' sources), and only for components the site has: no HTTP or
// Sidekiq rules without discourse-prometheus, no database rules with an
// external database, no replication rule with one instance, no Valkey
// rules with an external Redis. Thresholds are the seed design's alert
// table; a metric with two tiers has one rule per severity under one
// alert name, so the critical one fires beside the warning. Each rule
// names what breaks for users. test/monitoring runs the real promtool on
// every rule, firing and quiet.
func (d *site) alerts() *monitoringv1.PrometheusRule {
	s := &d.Spec
	var rules []monitoringv1.Rule
	if d.scrapesDiscourse() {
		rules = append(rules, tiered("DiscourseHigh5xxRate", d.errorRatio(),
			"More than %s of Discourse requests fail with a 5xx status.",
			"Users see error pages; the web pods' logs name the failing requests.",
			tier{"0.02", "2%", "10m"}, tier{"0.05", "5%", "5m"})...)
		rules = append(rules, tiered("DiscourseSlowResponses", d.latencyP95(),
			"Discourse's 95th percentile response time is above %s.",
			"Pages load slowly; look at the database, Valkey and the web pods' CPU.",
			tier{"2", "2 s", "10m"}, tier{"5", "5 s", "5m"})...)
		rules = append(rules, tiered("DiscourseSidekiqBacklog", d.sidekiqQueued(),
			"More than %s Sidekiq jobs wait in the queues.",
			"Emails, notifications and post processing are late; the workers cannot keep up or are stuck.",
			tier{"1000", "1,000", "15m"}, tier{"5000", "5,000", "10m"})...)
		rules = append(rules, tiered("DiscourseSidekiqJobsFailing", d.sidekiqFailuresPerHour(),
			"More than %s Sidekiq jobs failed in the last hour.",
			"Background work (emails, uploads, digests) is being lost; /logs in the admin panel has the errors.",
			tier{"50", "50", ""}, tier{"200", "200", ""})...)
	}
	rules = append(rules,
		deploymentDown("DiscourseWebUnavailable", s.Namespace, d.webName(), "5m", "critical",
			"No Discourse web pod is available: the forum is down."),
		// The Job's Failed condition, not kube_job_status_failed: that
		// counts failed pods, so a Job that failed once and then
		// succeeded would keep the alert firing until the next release
		// (kube-state-metrics docs/metrics/workload/job-metrics.md:
		// kube_job_failed carries condition="true" only for a Job whose
		// Failed condition is true).
		monitoringv1.Rule{
			Alert: "DiscourseMigrationFailed",
			Expr: intstr.FromString(d.selector("kube_job_failed",
				fmt.Sprintf("job_name=~%q", jobNamePattern(d.migrationJobPrefixes())), `condition="true"`) + " == 1"),
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary": "A migration Job failed; Flux holds the stages after it until a Job of the release succeeds.",
			},
		},
	)
	if s.HasWorkers() {
		rules = append(rules, deploymentDown("DiscourseSchedulerDown", s.Namespace, d.schedulerName(), "10m", "warning",
			"The Sidekiq scheduler is down: scheduled jobs (digests, cleanups, backups) do not run."))
	}
	rules = append(rules, tiered("DiscoursePodMemoryNearLimit", d.memoryOfLimit(),
		"A container uses more than %s of its memory limit.",
		"At the limit the kernel kills it (OOMKilled); raise the limit or find the leak.",
		tier{"0.8", "80%", "15m"}, tier{"0.9", "90%", "5m"})...)
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		rules = append(rules, tiered("DiscourseDatabaseConnectionsHigh", d.connectionsOfMax(),
			"A PostgreSQL instance uses more than %s of max_connections.",
			"New connections will be refused; check the pool sizes of web and Sidekiq and the pooler.",
			tier{"0.8", "80%", "10m"}, tier{"0.95", "95%", "5m"})...)
		if *s.Postgres.CNPG.Instances > 1 {
			rules = append(rules, tiered("DiscourseDatabaseReplicationLag", d.replicationLag(),
				"A PostgreSQL replica is more than %s behind the primary.",
				"Reads from the replica are stale, and a failover to it would lose that much.",
				tier{"30", "30 s", "10m"}, tier{"60", "60 s", "5m"})...)
		}
		if d.backsUp() {
			rules = append(rules, d.backupAlerts()...)
		}
	}
	if s.Redis.Mode == v1alpha1.RedisValkey {
		rules = append(rules, monitoringv1.Rule{
			Alert:  "DiscourseValkeyDown",
			Expr:   intstr.FromString(d.valkeyUp() + " == 0"),
			For:    holdFor("5m"),
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary":     "Valkey does not answer its exporter.",
				"description": "Discourse needs Valkey for every request (sessions, MessageBus, Sidekiq): the forum fails.",
			},
		})
		rules = append(rules, tiered("DiscourseValkeyMemoryHigh", d.valkeyMemoryOfMax(),
			"Valkey uses more than %s of its maxmemory.",
			"At maxmemory Valkey refuses writes (noeviction): Sidekiq cannot enqueue and sessions fail.",
			tier{"0.8", "80%", "15m"}, tier{"0.9", "90%", "5m"})...)
	}
	pr := &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.GroupVersion, Kind: "PrometheusRule"},
		ObjectMeta: d.objectMeta(d.alertsName(), componentWeb, StageApp),
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{Name: "discourse", Rules: rules}}},
	}
	withLabels(&pr.ObjectMeta, d.Spec.Monitoring.Labels)
	return pr
}

// backupAlerts watch the Barman Cloud plugin's archive: the WAL, which
// every point-in-time restore needs, and the base backups.
func (d *site) backupAlerts() []monitoringv1.Rule {
	// Twice the longest gap between scheduled backups: one missed backup
	// warns, a late one does not. The plugin reports 0 until the first
	// backup, so a cluster that never backed up fires too.
	maxAge := 2 * d.backupInterval()
	return []monitoringv1.Rule{
		{
			// The WAL archive is what a restore replays: without it the
			// site can only go back to the last base backup.
			Alert:  "DiscourseWALArchivingFailing",
			Expr:   intstr.FromString(d.walArchiveFailing()),
			For:    holdFor("10m"),
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary":     "PostgreSQL fails to archive WAL to the object store.",
				"description": "Point-in-time recovery stops at the last archived segment, and pg_wal fills the volume; check the object store and its credentials.",
			},
		},
		{
			// A warning: the archived WAL still covers the gap, which only
			// makes a restore replay longer.
			Alert:  "DiscourseBackupTooOld",
			Expr:   intstr.FromString(d.backupAge() + " > " + strconv.FormatInt(int64(maxAge/time.Second), 10)),
			For:    holdFor("10m"),
			Labels: map[string]string{"severity": "warning"},
			Annotations: map[string]string{
				"summary":     "No base backup of the database succeeded for twice the backup schedule's interval.",
				"description": "The newest base backup is {{ $value | humanizeDuration }} old; a restore must replay all WAL since. Check the ScheduledBackup and the Backup objects.",
			},
		},
	}
}

// tier is one severity of a two-tier alert: the threshold in the
// expression, as the summary says it, and how long it must hold.
type tier struct {
	value, text string
	after       monitoringv1.Duration
}

// tiered is a warning and a critical rule of one alert: expr above each
// threshold. summary holds a %s for the threshold.
func tiered(alert, expr, summary, description string, warning, critical tier) []monitoringv1.Rule {
	rule := func(severity string, t tier) monitoringv1.Rule {
		r := monitoringv1.Rule{
			Alert:  alert,
			Expr:   intstr.FromString(expr + " > " + t.value),
			Labels: map[string]string{"severity": severity},
			Annotations: map[string]string{
				"summary":     fmt.Sprintf(summary, t.text),
				"description": description,
			},
		}
		if t.after != "" {
			r.For = holdFor(t.after)
		}
		return r
	}
	return []monitoringv1.Rule{rule("warning", warning), rule("critical", critical)}
}

// The quantities the alerts and the dashboard share. Each keeps the
// namespace label, which Alertmanager routes on.

// errorRatio is the share of requests answered with 5xx. The
// discourse-prometheus collector counts every request in
// discourse_http_requests with its status (lib/collector.rb).
func (d *site) errorRatio() string {
	return fmt.Sprintf("sum by (namespace) (rate(%s[5m])) / sum by (namespace) (rate(%s[5m]))",
		d.selector("discourse_http_requests", `status=~"5.."`), d.selector("discourse_http_requests"))
}

// latencyP95 is the 95th percentile request duration, from the
// collector's histogram (lib/collector.rb, buckets up to 30 s). Not its
// Summary discourse_http_duration_seconds: a summary's quantiles are per
// pod and cannot be aggregated.
func (d *site) latencyP95() string {
	return fmt.Sprintf("histogram_quantile(0.95, sum by (namespace, le) (rate(%s[5m])))",
		d.selector("discourse_http_requests_duration_seconds_bucket"))
}

// sidekiqQueued is the number of enqueued jobs. Every collector that runs
// the global reporter reads the same Sidekiq queues from Valkey
// (lib/internal_metric/global.rb), so the queues are deduplicated with
// max before they are summed.
func (d *site) sidekiqQueued() string {
	return fmt.Sprintf("sum by (namespace) (max by (namespace, queue) (%s))", d.selector("discourse_sidekiq_jobs_enqueued"))
}

// sidekiqFailuresPerHour counts jobs that raised: the plugin reports
// each job with success="false" on the sidekiq_job_error event
// (plugin.rb).
func (d *site) sidekiqFailuresPerHour() string {
	return fmt.Sprintf("sum by (namespace) (increase(%s[1h]))", d.selector("discourse_sidekiq_job_count", `success="false"`))
}

// memoryOfLimit is each container's working set (what the kernel's OOM
// killer compares with the limit) over its memory limit. container=""
// is the pod's own cgroup, not a container.
func (d *site) memoryOfLimit() string {
	return fmt.Sprintf("max by (namespace, pod, container) (%s) / max by (namespace, pod, container) (%s)",
		d.selector("container_memory_working_set_bytes", `container!=""`, `container!="POD"`),
		d.selector("kube_pod_container_resource_limits", `resource="memory"`))
}

// instancePods matches the CloudNativePG instance pods of the site's
// cluster, "<cluster>-<n>", and not a cluster restored beside it nor the
// pooler's pods.
func (d *site) instancePods() string {
	return fmt.Sprintf("pod=~%q", regexp.QuoteMeta(d.databaseClusterName())+"-[0-9]+")
}

// connectionsOfMax is each instance's backends over its max_connections.
func (d *site) connectionsOfMax() string {
	return fmt.Sprintf("sum by (namespace, pod) (%s) / max by (namespace, pod) (%s)",
		d.selector("cnpg_backends_total", d.instancePods()),
		d.selector("cnpg_pg_settings_setting", d.instancePods(), `name="max_connections"`))
}

// replicationLag is each replica's replay lag in seconds; CloudNativePG's
// query reports 0 for the primary and for a replica that has replayed
// all it received.
func (d *site) replicationLag() string {
	return fmt.Sprintf("max by (namespace, pod) (%s)", d.selector("cnpg_pg_replication_lag", d.instancePods()))
}

// walArchiveFailing: the last failed archive attempt is newer than the
// last success (both -1 until the first). Only the primary archives, and
// CloudNativePG runs the query there only.
func (d *site) walArchiveFailing() string {
	return fmt.Sprintf("max by (namespace, pod) (%s) > max by (namespace, pod) (%s)",
		d.selector("cnpg_pg_stat_archiver_last_failed_time", d.instancePods()),
		d.selector("cnpg_pg_stat_archiver_last_archived_time", d.instancePods()))
}

// backupAge is the seconds since the newest base backup in the object
// store, which every instance reports from the plugin's ObjectStore
// status.
func (d *site) backupAge() string {
	return fmt.Sprintf("time() - max by (namespace) (%s)",
		d.selector("barman_cloud_cloudnative_pg_io_last_available_backup_timestamp", d.instancePods()))
}

// valkeyPods matches the pods of the Valkey StatefulSet.
func (d *site) valkeyPods() string {
	return fmt.Sprintf("pod=~%q", regexp.QuoteMeta(d.valkeyName())+"-[0-9]+")
}

// valkeyUp is 1 for each Valkey pod whose exporter reached it.
func (d *site) valkeyUp() string {
	return fmt.Sprintf("max by (namespace, pod) (%s)", d.selector("redis_up", d.valkeyPods()))
}

// valkeyMemoryOfMax is used memory over maxmemory, for pods that set one
// (0 means no limit, and would divide by zero).
func (d *site) valkeyMemoryOfMax() string {
	return fmt.Sprintf("max by (namespace, pod) (%s) / max by (namespace, pod) (%s > 0)",
		d.selector("redis_memory_used_bytes", d.valkeyPods()),
		d.selector("redis_memory_max_bytes", d.valkeyPods()))
}

// selector is a metric's series in the site's namespace: the Prometheus
// Operator adds namespace to every PodMonitor target, and
// kube-state-metrics and the kubelet carry the object's namespace.
func (d *site) selector(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(append([]string{fmt.Sprintf("namespace=%q", d.Spec.Namespace)}, matchers...), ",") + "}"
}

// deploymentDown fires when a Deployment has had no available pod for a
// while, on kube-state-metrics' standard series.
func deploymentDown(alert, namespace, deployment string, after monitoringv1.Duration, severity, summary string) monitoringv1.Rule {
	return monitoringv1.Rule{
		Alert:       alert,
		Expr:        intstr.FromString(fmt.Sprintf(`kube_deployment_status_replicas_available{namespace=%q,deployment=%q} < 1`, namespace, deployment)),
		For:         &after,
		Labels:      map[string]string{"severity": severity},
		Annotations: map[string]string{"summary": summary},
	}
}

// jobNamePattern is a PromQL regular expression for a job_name starting
// with any of the prefixes.
func jobNamePattern(prefixes []string) string {
	quoted := make([]string, len(prefixes))
	for i, p := range prefixes {
		quoted[i] = regexp.QuoteMeta(p)
	}
	return "(" + strings.Join(quoted, "|") + ").*"
}

func holdFor(d monitoringv1.Duration) *monitoringv1.Duration { return &d }
