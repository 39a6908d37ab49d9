package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	cnpgv1 "discoursegen.dev/discoursegen/internal/thirdparty/cnpg/v1"
	monitoringv1 "discoursegen.dev/discoursegen/internal/thirdparty/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// metricsPort is the discourse-prometheus collector (plugin.rb:
// prometheus_collector_port, default 9405). The Unicorn master of a web
// pod starts it; Sidekiq and scheduler pods run it as a sidecar
// (sidekiq.go, collectorContainer).
const metricsPort = 9405

// redisExporterPort is redis_exporter's default listen address, :9121
// (oliver006/redis_exporter main.go, REDIS_EXPORTER_WEB_LISTEN_ADDRESS).
const redisExporterPort = 9121

// metricsPortName is the container port every scraped container names
// "metrics": the CNPG operator does so for the instances
// (pkg/specs/pods.go) and the poolers (pkg/specs/pgbouncer/deployments.go),
// and discoursegen does the same for its own containers, so every
// PodMonitor scrapes the port by that one name.
const metricsPortName = "metrics"

// podMonitors are the scrape targets of every component that publishes
// metrics. CloudNativePG 1.27 leaves PodMonitors to the user
// (spec.monitoring.enablePodMonitor is deprecated), so the site has its
// own for the instances and the poolers.
func (d *site) podMonitors() []*monitoringv1.PodMonitor {
	s := &d.Spec
	var pms []*monitoringv1.PodMonitor
	if d.scrapesDiscourse() {
		pms = append(pms, d.podMonitor(d.webName(), componentWeb, StageApp, metav1.LabelSelector{MatchLabels: d.selectorLabels(componentWeb)}))
		if s.HasWorkers() {
			// One monitor for both: the same collector, on the same port.
			pms = append(pms, d.podMonitor(d.workerName(), componentSidekiq, StageApp, d.sidekiqPods()))
		}
	}
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		pms = append(pms, d.podMonitor(d.databaseClusterName(), componentDatabase, StageData, metav1.LabelSelector{MatchLabels: map[string]string{
			cnpgv1.ClusterLabelName: d.databaseClusterName(),
			cnpgv1.PodRoleLabelName: cnpgv1.PodRoleInstance,
		}}))
		if *s.Postgres.CNPG.Pooler.Enabled {
			pms = append(pms, d.podMonitor(d.poolerName(), componentPooler, StageData, metav1.LabelSelector{MatchLabels: map[string]string{
				cnpgv1.PgbouncerNameLabel: d.poolerName(),
				cnpgv1.PodRoleLabelName:   cnpgv1.PodRolePooler,
			}}))
		}
	}
	if s.Redis.Mode == v1alpha1.RedisValkey {
		pms = append(pms, d.podMonitor(d.valkeyName(), componentValkey, StageData, metav1.LabelSelector{MatchLabels: d.selectorLabels(componentValkey)}))
	}
	return pms
}

// podMonitor scrapes the "metrics" port of the selected pods.
func (d *site) podMonitor(name string, c component, stage Stage, pods metav1.LabelSelector) *monitoringv1.PodMonitor {
	pm := &monitoringv1.PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.GroupVersion, Kind: "PodMonitor"},
		ObjectMeta: d.objectMeta(name, c, stage),
		Spec: monitoringv1.PodMonitorSpec{
			Selector:            pods,
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr.To(metricsPortName), Path: "/metrics", Interval: "30s"}},
		},
	}
	withLabels(&pm.ObjectMeta, d.Spec.Monitoring.Labels)
	return pm
}

// sidekiqPods selects the worker and scheduler pods, which run the
// collector sidecar.
func (d *site) sidekiqPods() metav1.LabelSelector {
	return metav1.LabelSelector{
		MatchLabels: d.selectorLabels(componentNone),
		MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: labelComponent, Operator: metav1.LabelSelectorOpIn,
			Values: []string{string(componentScheduler), string(componentSidekiq)},
		}},
	}
}
