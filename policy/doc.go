// Package policy holds the DiscoursePolicy rules: the invariants of a
// Discourse site, judged on the final rendered output, after the user's
// own kustomize patches, where the generator's care at construction time
// no longer reaches.
//
// Check takes the objects of one output (one environment) and returns a
// Report of Findings; each names its rule, severity, object, field and
// why the problem matters. Objects are grouped by site (their
// app.kubernetes.io/instance label). A waiver annotation
// (WaiverPrefix + rule ID, with a reason as its value) turns a rule's
// findings on one object into waived ones, which still show.
//
// Layout: policy.go (Rule, Finding, Report, Check, waivers), rules.go
// (the rule table, documented in docs/policy.md), objects.go (Object, the
// site and workload model: pod counts with autoscalers and rollout surge,
// env resolution through ConfigMaps, what a Discourse container runs),
// then the rules by concern: workloads.go (scheduler, boot tasks,
// autoscaling, disruption budgets, probes, resources, Pod Security through
// k8s.io/pod-security-admission), database.go (migration Jobs, the
// connection budget, CloudNativePG), network.go (NetworkPolicy semantics:
// DNS, PostgreSQL, Valkey, the metadata service), content.go (secrets,
// image pins, upstream's own guards, object sizes) and budget.go (the
// namespace's ResourceQuota against what internal/budget counts).
//
// Where upstream decides what a rule reads (discourse/discourse,
// discourse_docker, CloudNativePG, KEDA), the comment names the file. The
// package never reads files and never talks to a cluster; the KRM function
// (functions/policy), generate and validate feed it.
package policy
