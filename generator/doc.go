// Package generator turns one Discourse site config (apiVersion
// discoursegen.dev/v1alpha1, kind Discourse) into every Kubernetes object the
// site needs: Namespace, ServiceAccount, ConfigMap, the web, Sidekiq worker
// and scheduler Deployments, the migration Job, Services, Ingress, PDBs,
// autoscalers, NetworkPolicies, the CloudNativePG database, Valkey,
// monitoring and the staged Flux Kustomizations.
//
// The package is pure: Render takes a Spec and returns typed objects. It
// never reads or writes files and never talks to a cluster, so the same
// input gives the same objects on any machine. The one script too long to
// keep in a Go string, the Sidekiq liveness probe, lives in
// probes/sidekiq_alive.rb and is embedded at compile time.
//
// Where upstream's behaviour decides a choice (discourse/discourse,
// discourse_docker, CloudNativePG, KEDA), the comment names the upstream
// file; upstream_test.go pins those choices on the rendered output. Serialising and writing are
// the job of the callers (functions/discourse and cmd/discoursegen).
//
// The flow is always Default, then Validate, then the builders:
//
//   - Default fills every unset field from the profile (local, staging,
//     production); a field the user set always wins.
//   - Validate collects every semantic problem (placeholders, a second
//     scheduler, a pool that does not fit max_connections, ...) and reports
//     them together, each naming its field path.
//   - One builder per resource kind, each a pure function of the defaulted
//     Spec. Names come from the Spec's name methods only, so a
//     NetworkPolicy and the Service it allows cannot drift apart.
package generator
