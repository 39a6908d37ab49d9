// Package monitoring proves the alerts and the dashboard that discoursegen
// renders into golden/<env>/ against the programs that will run them.
//
// Why this exists: the generator's golden tests show the rules are what
// the generator meant to write, not that they fire. A PromQL expression
// that names a metric no exporter publishes is valid and silent forever;
// one with a wrong threshold or label match fires never or always. Here:
//
//   - catalog_test.go reads the metric catalog (generator/metrics.go) and
//     finds each name in the exporter's own source: Go exporters at the
//     pinned module version, from the module cache or proxy; the
//     discourse-prometheus plugin (Ruby) in testdata/discourse-prometheus.txt,
//     a list of its names at one commit.
//   - promql_test.go parses every expression of every PrometheusRule and
//     dashboard with Prometheus' own parser (promql/parser) and checks
//     each selector's metric is in the catalog, and each catalog entry is
//     used.
//   - promtool_test.go runs the real `promtool test rules` (PROMTOOL, built
//     by run.sh from tools/promtool at the version its go.mod pins) on
//     testdata/rules/*.yaml against each environment's rules, and checks
//     every alert has a case where it fires (both severities, for a
//     two-tier alert) and one where it stays quiet.
//
// The test series use the example site's names (namespace forum, cluster
// forum-pg, Valkey forum-valkey). Run it with test/monitoring/run.sh
// (make monitoring).
//
// This is a separate module because Prometheus' parser pins its own
// dependencies, which must not leak into the generator's go.mod.
package monitoring
