package generator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"sigs.k8s.io/yaml"
)

// monitoredSite is a testdata case's site with monitoring turned on, and
// discourse-prometheus as asked; nil for a case that no longer validates
// (TestGolden reports those).
func monitoredSite(t *testing.T, dir string, discoursePrometheus bool) *site {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg v1alpha1.Discourse
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	// The profiles that back up need a destination; the cases that do
	// not name one get a bucket, so their backup alerts render too.
	if cfg.Spec.S3.BackupBucket == "" {
		cfg.Spec.S3.BackupBucket = "monitoring-test-backups"
	}
	on := true
	cfg.Spec.Monitoring.Enabled = &on
	cfg.Spec.Monitoring.DiscoursePrometheus = &discoursePrometheus
	d, errs := newSite(&cfg)
	if len(errs) > 0 {
		t.Logf("%s: skipped, invalid: %v", dir, errs.ToAggregate())
		return nil
	}
	return d
}

// selectorName finds the metric of each selector of a PromQL expression
// (a name followed by "{"); every selector discoursegen writes has
// matchers. test/monitoring checks the same with Prometheus' parser; this
// keeps the generator's own tests from drifting from the catalog.
var selectorName = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\{`)

// TestAlertsUseCatalogMetrics renders the alerts and the dashboard of every
// testdata case, with and without discourse-prometheus, and checks each
// expression's metrics are in metricCatalog, each rule has a severity and
// a summary, and only the site's components have rules.
func TestAlertsUseCatalogMetrics(t *testing.T) {
	catalog := map[string]bool{}
	for _, m := range metricCatalog {
		catalog[m.Name] = true
	}
	dirs, _ := filepath.Glob("testdata/*/config.yaml")
	if len(dirs) == 0 {
		t.Fatal("no testdata cases")
	}
	used := map[string]bool{}
	for _, cfg := range dirs {
		for _, dp := range []bool{false, true} {
			d := monitoredSite(t, filepath.Dir(cfg), dp)
			if d == nil {
				continue
			}
			var exprs []string
			alerts := map[string]bool{}
			for _, g := range d.alerts().Spec.Groups {
				for _, r := range g.Rules {
					alerts[r.Alert] = true
					exprs = append(exprs, r.Expr.String())
					if r.Labels["severity"] != "warning" && r.Labels["severity"] != "critical" {
						t.Errorf("%s: %s: severity %q", cfg, r.Alert, r.Labels["severity"])
					}
					if r.Annotations["summary"] == "" {
						t.Errorf("%s: %s: no summary", cfg, r.Alert)
					}
				}
			}
			var dash struct {
				Panels []struct {
					Targets []struct{ Expr string }
				}
			}
			cm := d.dashboard()
			if err := json.Unmarshal([]byte(cm.Data[d.name()+".json"]), &dash); err != nil {
				t.Fatalf("%s: dashboard: %v", cfg, err)
			}
			if cm.Labels[labelGrafanaDashboard] != "1" || cm.Namespace != d.Spec.Namespace {
				t.Errorf("%s: dashboard ConfigMap %s/%s labels %v", cfg, cm.Namespace, cm.Name, cm.Labels)
			}
			if again := d.dashboard().Data; again[d.name()+".json"] != cm.Data[d.name()+".json"] {
				t.Errorf("%s: the dashboard's bytes differ between two renders", cfg)
			}
			for _, p := range dash.Panels {
				for _, target := range p.Targets {
					exprs = append(exprs, target.Expr)
				}
			}
			for _, e := range exprs {
				names := selectorName.FindAllStringSubmatch(e, -1)
				if len(names) == 0 {
					t.Errorf("%s: no selector in %s", cfg, e)
				}
				for _, n := range names {
					if !catalog[n[1]] {
						t.Errorf("%s: %s is not in metricCatalog: %s", cfg, n[1], e)
					}
					used[n[1]] = true
				}
			}
			s := &d.Spec
			for alert, want := range map[string]bool{
				"DiscourseHigh5xxRate":             dp,
				"DiscourseSidekiqBacklog":          dp,
				"DiscourseDatabaseConnectionsHigh": s.Postgres.Mode == v1alpha1.DatabaseCNPG,
				"DiscourseDatabaseReplicationLag":  s.Postgres.Mode == v1alpha1.DatabaseCNPG && *s.Postgres.CNPG.Instances > 1,
				"DiscourseWALArchivingFailing":     d.backsUp(),
				"DiscourseValkeyDown":              s.Redis.Mode == v1alpha1.RedisValkey,
				"DiscourseSchedulerDown":           s.HasWorkers(),
			} {
				if alerts[alert] != want {
					t.Errorf("%s (discourse-prometheus %v): alert %s rendered %v, want %v", cfg, dp, alert, alerts[alert], want)
				}
			}
		}
	}
	for name := range catalog {
		if !used[name] {
			t.Errorf("metricCatalog lists %s, which no testdata case uses", name)
		}
	}
	for _, m := range metricCatalog {
		if len(m.Parts) == 0 || m.Exporter == "" || m.Module == "" || m.Version == "" {
			t.Errorf("%s: the catalog entry does not say where the name comes from", m.Name)
		}
	}
}
