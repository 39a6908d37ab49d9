package generator

// The metric catalog: every series name the alerts (alerts.go) and the
// dashboard (dashboard.go) use, with the exporter that publishes it and
// the upstream file that defines it. test/monitoring proves each entry
// against the upstream source at the pinned version (Go modules from the
// module proxy, the Ruby plugin against a checked-in list of its names at
// one commit) and parses every expression of golden/'s PrometheusRules
// and dashboards with Prometheus' own parser: a selector of a name not in
// this table, or an entry nobody uses, fails it. The test reads this file
// as Go source, so the table holds only literals.

// metricSource is one series name and where it comes from.
type metricSource struct {
	// Name is the series name as Prometheus stores it.
	Name string
	// Type is the exposition type: counter, gauge or histogram.
	Type string
	// Exporter is the program that serves it.
	Exporter string
	// Module is the Go module of the exporter; for the Ruby plugin, its
	// repository (github.com/owner/name).
	Module string
	// Version is the module version, or the repository's commit.
	Version string
	// Sum is the module's h1: hash, for a module the Go checksum database
	// does not know: the test then downloads it past the database and
	// checks this hash instead, as hack/sources.yaml does.
	Sum string
	// Parts spell Name: joined with "_", and followed by Suffix, they are
	// Name. An exporter that writes the whole name has one part.
	Parts []namePart
	// Suffix is the series suffix the exposition format adds to a
	// histogram ("_bucket"); empty otherwise.
	Suffix string
	// Joins are where the exporter joins the parts, for a composed name.
	Joins []sourceText
}

// namePart is a piece of a metric name and the file that writes it.
type namePart struct {
	// Text is the piece as it appears in the name.
	Text string
	// File is relative to the module (or repository) root.
	File string
	// Written is how File writes the piece when that is not Text in
	// double quotes (a YAML key, a name the exporter sanitizes).
	Written string
}

// sourceText is a string a file of the module must contain.
type sourceText struct {
	File string
	Text string
}

// metricCatalog is sorted by exporter, then name.
var metricCatalog = []metricSource{
	// discourse-prometheus: the collector registers each metric without a
	// prefix (lib/collector.rb) and bin/collector sets the prometheus_exporter
	// gem's default prefix, which the gem prepends to every name.
	{
		Name: "discourse_http_requests", Type: "counter", Exporter: "discourse-prometheus",
		Module: "github.com/discourse/discourse-prometheus", Version: "8850b2ee1acb69266f8697c3741f34cca80cad61",
		Parts: []namePart{
			{Text: "discourse", File: "bin/collector", Written: `default_prefix = "discourse_"`},
			{Text: "http_requests", File: "lib/collector.rb"},
		},
	},
	{
		Name: "discourse_http_requests_duration_seconds_bucket", Type: "histogram", Exporter: "discourse-prometheus",
		Module: "github.com/discourse/discourse-prometheus", Version: "8850b2ee1acb69266f8697c3741f34cca80cad61",
		Parts: []namePart{
			{Text: "discourse", File: "bin/collector", Written: `default_prefix = "discourse_"`},
			{Text: "http_requests_duration_seconds", File: "lib/collector.rb"},
		},
		Suffix: "_bucket",
	},
	{
		Name: "discourse_sidekiq_job_count", Type: "counter", Exporter: "discourse-prometheus",
		Module: "github.com/discourse/discourse-prometheus", Version: "8850b2ee1acb69266f8697c3741f34cca80cad61",
		Parts: []namePart{
			{Text: "discourse", File: "bin/collector", Written: `default_prefix = "discourse_"`},
			{Text: "sidekiq_job_count", File: "lib/collector.rb"},
		},
	},
	{
		Name: "discourse_sidekiq_jobs_enqueued", Type: "gauge", Exporter: "discourse-prometheus",
		Module: "github.com/discourse/discourse-prometheus", Version: "8850b2ee1acb69266f8697c3741f34cca80cad61",
		Parts: []namePart{
			{Text: "discourse", File: "bin/collector", Written: `default_prefix = "discourse_"`},
			{Text: "sidekiq_jobs_enqueued", File: "lib/collector.rb"},
		},
	},

	// CloudNativePG's instance manager: a default monitoring query's
	// metric is "<collector>_<query>_<column>" (collector "cnpg").
	{
		Name: "cnpg_backends_total", Type: "gauge", Exporter: "cloudnative-pg instance manager",
		Module: "github.com/cloudnative-pg/cloudnative-pg", Version: "v1.27.4",
		Parts: []namePart{
			{Text: "cnpg", File: "internal/management/controller/instance_controller.go", Written: `NewQueriesCollector("cnpg"`},
			{Text: "backends", File: "config/manager/default-monitoring.yaml", Written: "\n    backends:\n"},
			{Text: "total", File: "config/manager/default-monitoring.yaml", Written: "- total:"},
		},
		Joins: cnpgJoins,
	},
	{
		Name: "cnpg_pg_replication_lag", Type: "gauge", Exporter: "cloudnative-pg instance manager",
		Module: "github.com/cloudnative-pg/cloudnative-pg", Version: "v1.27.4",
		Parts: []namePart{
			{Text: "cnpg", File: "internal/management/controller/instance_controller.go", Written: `NewQueriesCollector("cnpg"`},
			{Text: "pg_replication", File: "config/manager/default-monitoring.yaml", Written: "\n    pg_replication:\n"},
			{Text: "lag", File: "config/manager/default-monitoring.yaml", Written: "- lag:"},
		},
		Joins: cnpgJoins,
	},
	{
		Name: "cnpg_pg_settings_setting", Type: "gauge", Exporter: "cloudnative-pg instance manager",
		Module: "github.com/cloudnative-pg/cloudnative-pg", Version: "v1.27.4",
		Parts: []namePart{
			{Text: "cnpg", File: "internal/management/controller/instance_controller.go", Written: `NewQueriesCollector("cnpg"`},
			{Text: "pg_settings", File: "config/manager/default-monitoring.yaml", Written: "\n    pg_settings:\n"},
			{Text: "setting", File: "config/manager/default-monitoring.yaml", Written: "- setting:"},
		},
		Joins: cnpgJoins,
	},
	{
		Name: "cnpg_pg_stat_archiver_last_archived_time", Type: "gauge", Exporter: "cloudnative-pg instance manager",
		Module: "github.com/cloudnative-pg/cloudnative-pg", Version: "v1.27.4",
		Parts: []namePart{
			{Text: "cnpg", File: "internal/management/controller/instance_controller.go", Written: `NewQueriesCollector("cnpg"`},
			{Text: "pg_stat_archiver", File: "config/manager/default-monitoring.yaml", Written: "\n    pg_stat_archiver:\n"},
			{Text: "last_archived_time", File: "config/manager/default-monitoring.yaml", Written: "- last_archived_time:"},
		},
		Joins: cnpgJoins,
	},
	{
		Name: "cnpg_pg_stat_archiver_last_failed_time", Type: "gauge", Exporter: "cloudnative-pg instance manager",
		Module: "github.com/cloudnative-pg/cloudnative-pg", Version: "v1.27.4",
		Parts: []namePart{
			{Text: "cnpg", File: "internal/management/controller/instance_controller.go", Written: `NewQueriesCollector("cnpg"`},
			{Text: "pg_stat_archiver", File: "config/manager/default-monitoring.yaml", Written: "\n    pg_stat_archiver:\n"},
			{Text: "last_failed_time", File: "config/manager/default-monitoring.yaml", Written: "- last_failed_time:"},
		},
		Joins: cnpgJoins,
	},

	// The Barman Cloud plugin's metrics, which the instance manager serves
	// under the plugin's own names: the plugin name with "." and "-" made
	// "_", then "_" and the metric.
	{
		Name: "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp", Type: "gauge", Exporter: "plugin-barman-cloud (via the instance manager)",
		Module: "github.com/cloudnative-pg/plugin-barman-cloud", Version: "v0.7.0", Sum: "h1:ACA/1Yqmltt5QQ8HdmYQi7qcPRbg4VR1mG8Cqds1Cv8=",
		Parts: []namePart{
			{Text: "barman_cloud_cloudnative_pg_io", File: "internal/cnpgi/metadata/constants.go", Written: `"barman-cloud.cloudnative-pg.io"`},
			{Text: "last_available_backup_timestamp", File: "internal/cnpgi/instance/metrics.go"},
		},
		Joins: []sourceText{
			{File: "internal/cnpgi/instance/metrics.go", Text: `strings.NewReplacer(".", "_", "-", "_").Replace(metadata.PluginName)`},
			{File: "internal/cnpgi/instance/metrics.go", Text: `fmt.Sprintf("%s_%s", metricsDomain,`},
		},
	},

	// kube-state-metrics writes whole names.
	{
		Name: "kube_deployment_status_replicas_available", Type: "gauge", Exporter: "kube-state-metrics",
		Module: "k8s.io/kube-state-metrics/v2", Version: "v2.15.0",
		Parts: []namePart{{Text: "kube_deployment_status_replicas_available", File: "internal/store/deployment.go"}},
	},
	{
		Name: "kube_job_failed", Type: "gauge", Exporter: "kube-state-metrics",
		Module: "k8s.io/kube-state-metrics/v2", Version: "v2.15.0",
		Parts: []namePart{{Text: "kube_job_failed", File: "internal/store/job.go"}},
	},
	{
		Name: "kube_pod_container_resource_limits", Type: "gauge", Exporter: "kube-state-metrics",
		Module: "k8s.io/kube-state-metrics/v2", Version: "v2.15.0",
		Parts: []namePart{{Text: "kube_pod_container_resource_limits", File: "internal/store/pod.go"}},
	},

	// cAdvisor, as the kubelet serves it: v0.52.1 is the version
	// Kubernetes v1.34 builds the kubelet with (its go.mod).
	{
		Name: "container_memory_working_set_bytes", Type: "gauge", Exporter: "cAdvisor (kubelet)",
		Module: "github.com/google/cadvisor", Version: "v0.52.1",
		Parts: []namePart{{Text: "container_memory_working_set_bytes", File: "metrics/prometheus.go"}},
	},

	// redis_exporter: its -namespace flag (default "redis"), "_", and the
	// metric; Valkey answers the same INFO fields. The names are checked at
	// v1.82.0, the oldest release the module proxy serves here; the
	// sidecar runs v1.66.0 (api/v1alpha1 DefaultRedisExporterImage), whose
	// digest is the one pinned in public; both publish these three, which
	// date from the exporter's first releases.
	{
		Name: "redis_memory_max_bytes", Type: "gauge", Exporter: "redis_exporter",
		Module: "github.com/oliver006/redis_exporter", Version: "v1.82.0",
		Parts: []namePart{
			{Text: "redis", File: "main.go", Written: `getEnv("REDIS_EXPORTER_NAMESPACE", "redis")`},
			{Text: "memory_max_bytes", File: "exporter/exporter.go"},
		},
		Joins: redisJoins,
	},
	{
		Name: "redis_memory_used_bytes", Type: "gauge", Exporter: "redis_exporter",
		Module: "github.com/oliver006/redis_exporter", Version: "v1.82.0",
		Parts: []namePart{
			{Text: "redis", File: "main.go", Written: `getEnv("REDIS_EXPORTER_NAMESPACE", "redis")`},
			{Text: "memory_used_bytes", File: "exporter/exporter.go"},
		},
		Joins: redisJoins,
	},
	{
		Name: "redis_up", Type: "gauge", Exporter: "redis_exporter",
		Module: "github.com/oliver006/redis_exporter", Version: "v1.82.0",
		Parts: []namePart{
			{Text: "redis", File: "main.go", Written: `getEnv("REDIS_EXPORTER_NAMESPACE", "redis")`},
			{Text: "up", File: "exporter/exporter.go"},
		},
		Joins: redisJoins,
	},
}

// cnpgJoins: the queries collector names a query's metrics
// "<collector>_<query>", then each column "<that>_<column>".
var cnpgJoins = []sourceText{
	{File: "pkg/management/postgres/metrics/collector.go", Text: `fmt.Sprintf("%v_%v", q.Name(), name)`},
	{File: "pkg/management/postgres/metrics/mappings.go", Text: `fmt.Sprintf("%s_%s", namespace, columnName)`},
}

// redisJoins: every description is prometheus.BuildFQName(namespace, "",
// name), which joins the two with "_".
var redisJoins = []sourceText{
	{File: "exporter/metrics.go", Text: `prometheus.BuildFQName(namespace, "", metricName)`},
}
