// Package generator turns one site config (api/v1alpha1.Discourse) into
// every Kubernetes object the site needs: Namespace, ServiceAccount,
// ConfigMap, the web, Sidekiq worker and scheduler Deployments, the
// pre- and post-deploy migration Jobs, the admin Job, Services, Ingress,
// PDBs, autoscalers, NetworkPolicies, the CloudNativePG database with its
// Barman Cloud backups or a restore, Valkey, PodMonitors, alerts and a
// Grafana dashboard, the namespace's ResourceQuota and LimitRange, and the
// staged Flux Kustomizations.
//
// Its API is Render and the vocabulary the writer shares with it: Object,
// Stage, ApplyOrder, AnnotationStage and FluxPath. Render takes the config
// by value, defaults and validates a copy through newSite, the only
// constructor of the unexported site type, and every builder is a method of
// site: no builder ever sees a config that was not defaulted and
// validated, and the caller's config is never changed.
//
// The package is pure: it never reads or writes files and never talks to a
// cluster, so the same input gives the same objects on any machine. Encoding
// is internal/manifest's job; the CRD types it builds are the mirrors in
// internal/thirdparty. Two scripts too long to keep in a Go string, the
// Sidekiq liveness probe (probes/sidekiq_alive.rb) and the admin Job's
// (scripts/admin.rb), are embedded at compile time.
//
// Layout: render.go (Render, site, the object list), meta.go (stages,
// components, labels, objectMeta), names.go (every object name and
// cross-reference), then one file per concern: core.go, env.go, pods.go,
// web.go, sidekiq.go, collector.go (the Sidekiq pods' metrics sidecar),
// migration.go, admin.go, valkey.go, postgres.go, backup.go,
// networkpolicy.go, ingress.go, budgets.go (PDBs, the web autoscaler),
// quota.go (ResourceQuota, LimitRange), keda.go, monitoring.go
// (PodMonitors), alerts.go, dashboard.go, metrics.go (the catalog of every
// metric name the alerts and the dashboard use), flux.go.
//
// Where upstream's behaviour decides a choice (discourse/discourse,
// discourse_docker, CloudNativePG, KEDA), the comment names the upstream
// file; upstream_test.go pins those choices on the rendered output.
//
// Its output keeps every DiscoursePolicy rule (package policy), which
// judges the final output again after the user's patches. Three
// annotations carry what the policy cannot read from the objects alone:
// AnnotationProfile on the Namespace, AnnotationUploadSize on the Ingress,
// and one waiver, with its reason, on the web Deployment of a site whose
// uploads are on a volume.
package generator
