package generator

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The monitoring types below mirror monitoring.coreos.com/v1 of Prometheus
// Operator v0.85.0 (pkg/apis/monitoring/v1), reduced to what discoursegen
// sets.

// PodMonitor is monitoring.coreos.com/v1 PodMonitor.
type PodMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PodMonitorSpec `json:"spec"`
}

// PodMonitorSpec selects the pods to scrape.
type PodMonitorSpec struct {
	Selector            metav1.LabelSelector `json:"selector"`
	PodMetricsEndpoints []PodMetricsEndpoint `json:"podMetricsEndpoints"`
}

// PodMetricsEndpoint is one scrape endpoint.
type PodMetricsEndpoint struct {
	Port     *string `json:"port,omitempty"`
	Path     string  `json:"path,omitempty"`
	Interval string  `json:"interval,omitempty"`
}

// PrometheusRule is monitoring.coreos.com/v1 PrometheusRule.
type PrometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PrometheusRuleSpec `json:"spec"`
}

// PrometheusRuleSpec holds rule groups.
type PrometheusRuleSpec struct {
	Groups []RuleGroup `json:"groups"`
}

// RuleGroup is a named list of rules.
type RuleGroup struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is one alerting rule.
type Rule struct {
	Alert       string             `json:"alert"`
	Expr        intstr.IntOrString `json:"expr"`
	For         string             `json:"for,omitempty"`
	Labels      map[string]string  `json:"labels,omitempty"`
	Annotations map[string]string  `json:"annotations,omitempty"`
}

// metricsPort is the discourse-prometheus collector (GlobalSetting
// prometheus_collector_port, default 9405). It runs in the web pods'
// Unicorn master, so web pods are what Prometheus scrapes.
const metricsPort = 9405

// WebPodMonitor scrapes the discourse-prometheus collector of web pods.
func WebPodMonitor(d *Discourse) *PodMonitor {
	port := "metrics"
	pm := &PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PodMonitor"},
		ObjectMeta: d.objectMeta(d.WebName(), ComponentWeb, StageApp),
		Spec: PodMonitorSpec{
			Selector:            metav1.LabelSelector{MatchLabels: d.SelectorLabels(ComponentWeb)},
			PodMetricsEndpoints: []PodMetricsEndpoint{{Port: &port, Path: "/metrics", Interval: "30s"}},
		},
	}
	for k, v := range d.Spec.Monitoring.Labels {
		pm.Labels[k] = v
	}
	return pm
}

// Alerts fire on metrics that really exist: discourse_http_requests from
// the discourse-prometheus plugin, and kube-state-metrics' standard series
// for the objects discoursegen owns. Each rule names what breaks for users.
func Alerts(d *Discourse) *PrometheusRule {
	ns := d.Spec.Namespace
	var rules []Rule
	if d.scrapesDiscourse() {
		rules = append(rules, Rule{
			Alert: "DiscourseHigh5xxRate",
			Expr: intstr.FromString(fmt.Sprintf(
				`sum(rate(discourse_http_requests{namespace=%q,status=~"5.."}[5m])) / sum(rate(discourse_http_requests{namespace=%q}[5m])) > 0.05`, ns, ns)),
			For:    "10m",
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary": "More than 5% of Discourse requests fail with 5xx.",
			},
		})
	}
	rules = append(rules,
		Rule{
			Alert:  "DiscourseWebUnavailable",
			Expr:   intstr.FromString(fmt.Sprintf(`kube_deployment_status_replicas_available{namespace=%q,deployment=%q} < 1`, ns, d.WebName())),
			For:    "5m",
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary": "No Discourse web pod is available: the forum is down.",
			},
		},
		// The Job's Failed condition, not kube_job_status_failed: that
		// counts failed pods, so a Job that failed once and then
		// succeeded would keep the alert firing until the next release
		// (kube-state-metrics docs/metrics/workload/job-metrics.md:
		// kube_job_failed carries condition="true" only for a Job whose
		// Failed condition is true).
		Rule{
			Alert: "DiscourseMigrationFailed",
			Expr: intstr.FromString(fmt.Sprintf(
				`kube_job_failed{namespace=%q,job_name=~%q,condition="true"} == 1`, ns, d.site()+"-migrate-.*")),
			Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{
				"summary": "A migration Job failed; Flux holds the app rollout until it succeeds.",
			},
		},
	)
	if d.Spec.Sidekiq.Layout != SidekiqUnified {
		rules = append(rules, Rule{
			Alert:  "DiscourseSchedulerDown",
			Expr:   intstr.FromString(fmt.Sprintf(`kube_deployment_status_replicas_available{namespace=%q,deployment=%q} < 1`, ns, d.SchedulerName())),
			For:    "10m",
			Labels: map[string]string{"severity": "warning"},
			Annotations: map[string]string{
				"summary": "The Sidekiq scheduler is down: scheduled jobs (digests, cleanups, backups) do not run.",
			},
		})
	}
	pr := &PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
		ObjectMeta: d.objectMeta(d.site(), ComponentWeb, StageApp),
		Spec:       PrometheusRuleSpec{Groups: []RuleGroup{{Name: "discourse", Rules: rules}}},
	}
	for k, v := range d.Spec.Monitoring.Labels {
		pr.Labels[k] = v
	}
	return pr
}
