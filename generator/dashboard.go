package generator

import (
	"bytes"
	"encoding/json"
	"fmt"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels and annotations of the dashboard ConfigMap.
const (
	// labelGrafanaDashboard is what kube-prometheus-stack's Grafana
	// sidecar looks for (its chart's grafana.sidecar.dashboards.label and
	// labelValue defaults).
	labelGrafanaDashboard = "grafana_dashboard"
	// annotationDashboardNote tells whoever reads the object what the
	// sidecar needs to find it.
	annotationDashboardNote = "discoursegen.dev/dashboard"
)

// dashboard is the site's Grafana dashboard, a ConfigMap that
// kube-prometheus-stack's dashboard sidecar loads. The sidecar only
// watches its own namespace unless the chart sets
// grafana.sidecar.dashboards.searchNamespace (to ALL, or a list holding
// the site's namespace); the annotation says so on the object.
//
// The panels are the alerts' quantities (alerts.go), for the components
// the site has. The JSON is the ConfigMap's payload, so it is built here,
// from structs whose field order fixes the bytes.
func (d *site) dashboard() *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: d.objectMeta(d.dashboardName(), componentWeb, StageApp),
		Data:       map[string]string{d.name() + ".json": d.dashboardJSON()},
	}
	withLabels(&cm.ObjectMeta, d.Spec.Monitoring.Labels)
	withLabels(&cm.ObjectMeta, map[string]string{labelGrafanaDashboard: "1"})
	cm.Annotations[annotationDashboardNote] = "Grafana's dashboard sidecar must watch namespace " + d.Spec.Namespace +
		" (kube-prometheus-stack: grafana.sidecar.dashboards.searchNamespace: ALL)"
	return cm
}

// Grafana's dashboard model, only the fields discoursegen sets (Grafana
// docs, "JSON model"; schemaVersion 39 is Grafana 10.4's and later
// versions migrate it on load).
type grafanaDashboard struct {
	UID           string            `json:"uid"`
	Title         string            `json:"title"`
	Tags          []string          `json:"tags"`
	Timezone      string            `json:"timezone"`
	Editable      bool              `json:"editable"`
	SchemaVersion int               `json:"schemaVersion"`
	Refresh       string            `json:"refresh"`
	Time          grafanaTimeRange  `json:"time"`
	Templating    grafanaTemplating `json:"templating"`
	Panels        []grafanaPanel    `json:"panels"`
}

type grafanaTimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type grafanaTemplating struct {
	List []grafanaVariable `json:"list"`
}

// grafanaVariable is a datasource variable: the viewer picks any
// Prometheus data source, and the first one is the default.
type grafanaVariable struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Type  string `json:"type"`
	Query string `json:"query"`
	Hide  int    `json:"hide"`
}

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type grafanaPanel struct {
	ID          int                `json:"id"`
	Type        string             `json:"type"`
	Title       string             `json:"title"`
	Description string             `json:"description,omitempty"`
	Datasource  grafanaDatasource  `json:"datasource"`
	GridPos     grafanaGridPos     `json:"gridPos"`
	FieldConfig grafanaFieldConfig `json:"fieldConfig"`
	Targets     []grafanaTarget    `json:"targets"`
}

type grafanaGridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type grafanaFieldConfig struct {
	Defaults  grafanaFieldDefaults `json:"defaults"`
	Overrides []struct{}           `json:"overrides"`
}

type grafanaFieldDefaults struct {
	Unit string `json:"unit"`
	Min  *int   `json:"min,omitempty"`
}

type grafanaTarget struct {
	RefID        string            `json:"refId"`
	Datasource   grafanaDatasource `json:"datasource"`
	Expr         string            `json:"expr"`
	LegendFormat string            `json:"legendFormat"`
}

// panelSpec is a panel before it is laid out.
type panelSpec struct {
	title, description, unit string
	targets                  []querySpec
}

type querySpec struct{ expr, legend string }

// dashboardPanels are the panels the site's components allow.
func (d *site) dashboardPanels() []panelSpec {
	s := &d.Spec
	var panels []panelSpec
	if d.scrapesDiscourse() {
		panels = append(panels,
			panelSpec{title: "Requests", unit: "reqps", targets: []querySpec{{
				fmt.Sprintf("sum by (status) (rate(%s[5m]))", d.selector("discourse_http_requests")), "{{status}}"}}},
			panelSpec{title: "5xx ratio", unit: "percentunit", description: "Alert DiscourseHigh5xxRate: 2% warning, 5% critical.",
				targets: []querySpec{{d.errorRatio(), "5xx"}}},
			panelSpec{title: "p95 response time", unit: "s", description: "Alert DiscourseSlowResponses: 2 s warning, 5 s critical.",
				targets: []querySpec{{d.latencyP95(), "p95"}}},
			panelSpec{title: "Sidekiq queue depth", unit: "short", description: "Alert DiscourseSidekiqBacklog: 1,000 warning, 5,000 critical (all queues).",
				targets: []querySpec{{fmt.Sprintf("max by (queue) (%s)", d.selector("discourse_sidekiq_jobs_enqueued")), "{{queue}}"}}},
			panelSpec{title: "Sidekiq jobs", unit: "ops", description: "Jobs run per second; success=false are failures (alert DiscourseSidekiqJobsFailing).",
				targets: []querySpec{{fmt.Sprintf("sum by (success) (rate(%s[5m]))", d.selector("discourse_sidekiq_job_count")), "success={{success}}"}}},
		)
	}
	panels = append(panels, panelSpec{title: "Memory of limit", unit: "percentunit",
		description: "Working set over the memory limit, per container (alert DiscoursePodMemoryNearLimit: 80% / 90%).",
		targets:     []querySpec{{d.memoryOfLimit(), "{{pod}}/{{container}}"}}})
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		panels = append(panels, panelSpec{title: "Database connections", unit: "short",
			description: "Backends per instance against max_connections (alert DiscourseDatabaseConnectionsHigh: 80% / 95%).",
			targets: []querySpec{
				{fmt.Sprintf("sum by (pod) (%s)", d.selector("cnpg_backends_total", d.instancePods())), "{{pod}} backends"},
				{fmt.Sprintf("max by (pod) (%s)", d.selector("cnpg_pg_settings_setting", d.instancePods(), `name="max_connections"`)), "{{pod}} max_connections"},
			}})
		if *s.Postgres.CNPG.Instances > 1 {
			panels = append(panels, panelSpec{title: "Replication lag", unit: "s",
				description: "Alert DiscourseDatabaseReplicationLag: 30 s warning, 60 s critical.",
				targets:     []querySpec{{d.replicationLag(), "{{pod}}"}}})
		}
		if d.backsUp() {
			panels = append(panels, panelSpec{title: "Last base backup age", unit: "s",
				description: "Alert DiscourseBackupTooOld: twice the backup schedule's longest gap.",
				targets:     []querySpec{{d.backupAge(), "age"}}})
		}
	}
	if s.Redis.Mode == v1alpha1.RedisValkey {
		panels = append(panels, panelSpec{title: "Valkey memory", unit: "bytes",
			description: "Used memory against maxmemory (alert DiscourseValkeyMemoryHigh: 80% / 90%).",
			targets: []querySpec{
				{fmt.Sprintf("max by (pod) (%s)", d.selector("redis_memory_used_bytes", d.valkeyPods())), "{{pod}} used"},
				{fmt.Sprintf("max by (pod) (%s)", d.selector("redis_memory_max_bytes", d.valkeyPods())), "{{pod}} maxmemory"},
			}})
	}
	return panels
}

// dashboardJSON lays the panels out two to a row and serializes the
// dashboard.
//
// The data source is a variable of type prometheus rather than
// kube-prometheus-stack's fixed uid "prometheus": the dashboard then works
// in a Grafana whose Prometheus data source has another uid (a second
// Prometheus, Thanos, Mimir), and defaults to the first Prometheus data
// source, which in the stack is its own.
func (d *site) dashboardJSON() string {
	ds := grafanaDatasource{Type: "prometheus", UID: "${datasource}"}
	zero := 0
	var panels []grafanaPanel
	for i, p := range d.dashboardPanels() {
		gp := grafanaPanel{
			ID:          i + 1,
			Type:        "timeseries",
			Title:       p.title,
			Description: p.description,
			Datasource:  ds,
			GridPos:     grafanaGridPos{H: 8, W: 12, X: (i % 2) * 12, Y: (i / 2) * 8},
			FieldConfig: grafanaFieldConfig{Defaults: grafanaFieldDefaults{Unit: p.unit, Min: &zero}, Overrides: []struct{}{}},
		}
		for j, q := range p.targets {
			gp.Targets = append(gp.Targets, grafanaTarget{RefID: string(rune('A' + j)), Datasource: ds, Expr: q.expr, LegendFormat: q.legend})
		}
		panels = append(panels, gp)
	}
	dash := grafanaDashboard{
		// Grafana's uid is at most 40 characters; namespace and site
		// name together are unique in a cluster.
		UID:           dashboardUID(d.Spec.Namespace + "-" + d.name()),
		Title:         "Discourse " + d.name() + " (" + d.Spec.Namespace + ")",
		Tags:          []string{"discourse", "discoursegen"},
		Timezone:      "browser",
		Editable:      false,
		SchemaVersion: 39,
		Refresh:       "1m",
		Time:          grafanaTimeRange{From: "now-6h", To: "now"},
		Templating: grafanaTemplating{List: []grafanaVariable{
			{Name: "datasource", Label: "Data source", Type: "datasource", Query: "prometheus"},
		}},
		Panels: panels,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// PromQL's comparison operators stay readable: no \u003e.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	// Every value is a string, number, bool or struct of them: Encode
	// cannot fail.
	_ = enc.Encode(dash)
	return buf.String()
}

// dashboardUID is s cut to Grafana's 40 characters; a longer one keeps
// its start and a hash of the whole, so two long names stay apart.
func dashboardUID(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:31] + "-" + hashJSON(s)[:8]
}
