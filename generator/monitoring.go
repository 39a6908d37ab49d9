package generator

import (
	"fmt"
	"regexp"
	"strings"

	monitoringv1 "discoursegen.dev/discoursegen/internal/thirdparty/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// metricsPort is the discourse-prometheus collector (GlobalSetting
// prometheus_collector_port, default 9405). It runs in the web pods'
// Unicorn master, so web pods are what Prometheus scrapes.
const metricsPort = 9405

// webPodMonitor scrapes the discourse-prometheus collector of web pods.
func (d *site) webPodMonitor() *monitoringv1.PodMonitor {
	pm := &monitoringv1.PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.GroupVersion, Kind: "PodMonitor"},
		ObjectMeta: d.objectMeta(d.webName(), componentWeb, StageApp),
		Spec: monitoringv1.PodMonitorSpec{
			Selector:            metav1.LabelSelector{MatchLabels: d.selectorLabels(componentWeb)},
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr.To("metrics"), Path: "/metrics", Interval: "30s"}},
		},
	}
	withLabels(&pm.ObjectMeta, d.Spec.Monitoring.Labels)
	return pm
}

// alerts fire on metrics that really exist: discourse_http_requests from
// the discourse-prometheus plugin, and kube-state-metrics' standard series
// for the objects discoursegen owns. Each rule names what breaks for users.
func (d *site) alerts() *monitoringv1.PrometheusRule {
	ns := d.Spec.Namespace
	var rules []monitoringv1.Rule
	if d.scrapesDiscourse() {
		rules = append(rules, monitoringv1.Rule{
			Alert: "DiscourseHigh5xxRate",
			Expr: intstr.FromString(fmt.Sprintf(
				`sum(rate(discourse_http_requests{namespace=%q,status=~"5.."}[5m])) / sum(rate(discourse_http_requests{namespace=%q}[5m])) > 0.05`, ns, ns)),
			For:    ptr.To(monitoringv1.Duration("10m")),
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary": "More than 5% of Discourse requests fail with 5xx.",
			},
		})
	}
	rules = append(rules,
		deploymentDown("DiscourseWebUnavailable", ns, d.webName(), "5m", "critical",
			"No Discourse web pod is available: the forum is down."),
		// The Job's Failed condition, not kube_job_status_failed: that
		// counts failed pods, so a Job that failed once and then
		// succeeded would keep the alert firing until the next release
		// (kube-state-metrics docs/metrics/workload/job-metrics.md:
		// kube_job_failed carries condition="true" only for a Job whose
		// Failed condition is true).
		monitoringv1.Rule{
			Alert: "DiscourseMigrationFailed",
			Expr: intstr.FromString(fmt.Sprintf(
				`kube_job_failed{namespace=%q,job_name=~%q,condition="true"} == 1`, ns, jobNamePattern(d.migrationJobPrefixes()))),
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary": "A migration Job failed; Flux holds the stages after it until a Job of the release succeeds.",
			},
		},
	)
	if d.Spec.HasWorkers() {
		rules = append(rules, deploymentDown("DiscourseSchedulerDown", ns, d.schedulerName(), "10m", "warning",
			"The Sidekiq scheduler is down: scheduled jobs (digests, cleanups, backups) do not run."))
	}
	pr := &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.GroupVersion, Kind: "PrometheusRule"},
		ObjectMeta: d.objectMeta(d.alertsName(), componentWeb, StageApp),
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{Name: "discourse", Rules: rules}}},
	}
	withLabels(&pr.ObjectMeta, d.Spec.Monitoring.Labels)
	return pr
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
