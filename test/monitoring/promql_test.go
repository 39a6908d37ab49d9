package monitoring

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// expression is one PromQL expression of the golden output and where it
// is.
type expression struct{ where, expr string }

// grafanaDashboard is the part of a dashboard this test reads.
type grafanaDashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// expressions lists every expression of an environment's rules and
// dashboards.
func expressions(t *testing.T, m monitoring) []expression {
	t.Helper()
	var out []expression
	for _, file := range sortedKeys(m.rules) {
		for _, g := range m.rules[file] {
			for _, r := range g.Rules {
				out = append(out, expression{m.env + "/" + file + " alert " + r.Alert + " (" + r.Labels["severity"] + ")", r.Expr})
			}
		}
	}
	for _, key := range sortedKeys(m.dashboards) {
		var d grafanaDashboard
		if err := json.Unmarshal([]byte(m.dashboards[key]), &d); err != nil {
			t.Errorf("%s/%s: not a dashboard: %v", m.env, key, err)
			continue
		}
		for _, p := range d.Panels {
			for _, target := range p.Targets {
				out = append(out, expression{m.env + "/" + key + " panel " + p.Title, target.Expr})
			}
		}
	}
	return out
}

// metricNames parses expr with Prometheus' own parser and returns the
// metric name of every vector selector (a range selector holds one too).
func metricNames(expr string) ([]string, error) {
	ast, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		names = append(names, name)
		return nil
	})
	return names, nil
}

// TestExpressionsUseOnlyCatalogMetrics: every expression parses, every
// selector names a catalog metric, and every catalog metric is used by
// some environment.
func TestExpressionsUseOnlyCatalogMetrics(t *testing.T) {
	catalog := map[string]bool{}
	for _, m := range loadCatalog(t) {
		catalog[m.Name] = true
	}
	used := map[string]bool{}
	count := 0
	for _, m := range loadAll(t) {
		for _, e := range expressions(t, m) {
			count++
			names, err := metricNames(e.expr)
			if err != nil {
				t.Errorf("%s: %v\n%s", e.where, err, e.expr)
				continue
			}
			if len(names) == 0 {
				t.Errorf("%s: selects no metric: %s", e.where, e.expr)
			}
			for _, n := range names {
				switch {
				case n == "":
					t.Errorf("%s: a selector without a metric name: %s", e.where, e.expr)
				case !catalog[n]:
					t.Errorf("%s: %s is not in the metric catalog (generator/metrics.go)", e.where, n)
				}
				used[n] = true
			}
		}
	}
	if count == 0 {
		t.Fatal("no expression in golden/")
	}
	var unused []string
	for n := range catalog {
		if !used[n] {
			unused = append(unused, n)
		}
	}
	sort.Strings(unused)
	for _, n := range unused {
		t.Errorf("catalog metric %s is used by no rule or dashboard of golden/", n)
	}
}
