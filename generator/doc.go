// Package generator turns one site config (api/v1alpha1.Discourse) into
// every Kubernetes object the site needs: Namespace, ServiceAccount,
// ConfigMap, the web, Sidekiq worker and scheduler Deployments, the
// pre- and post-deploy migration Jobs, Services, Ingress, PDBs, autoscalers, NetworkPolicies, the
// CloudNativePG database, Valkey, monitoring and the staged Flux
// Kustomizations.
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
// internal/thirdparty. One script too long to keep in a Go string, the
// Sidekiq liveness probe, lives in probes/sidekiq_alive.rb and is embedded
// at compile time.
//
// Layout: render.go (Render, site, the object list), meta.go (stages,
// components, labels, objectMeta), names.go (every object name and
// cross-reference), then one file per concern: core.go, env.go, pods.go,
// web.go, sidekiq.go, migration.go, valkey.go, postgres.go,
// networkpolicy.go, ingress.go, budgets.go, keda.go, monitoring.go, flux.go.
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
