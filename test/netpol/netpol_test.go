package netpol

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

const (
	allow = true
	deny  = false
)

// flow is one row of the truth table: from -> to on port/proto, and whether
// the rendered policies must let it through.
type flow struct {
	from, to *peer
	port     int
	proto    corev1.Protocol
	want     bool
}

func (f flow) name() string {
	verdict := "deny"
	if f.want {
		verdict = "allow"
	}
	return fmt.Sprintf("%s -> %s %s/%d: %s", f.from.name, f.to.name, strings.ToLower(string(f.proto)), f.port, verdict)
}

// TestNetworkPolicies has cyclonus judge every row of the truth table
// against the NetworkPolicies of each environment. A row passes when
// cyclonus's combined verdict (the source's egress policies and the
// destination's ingress policies both allow) equals the row's.
func TestNetworkPolicies(t *testing.T) {
	root := goldenDir()
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			r := loadEnv(t, filepath.Join(root, env))
			if len(r.policies) == 0 {
				// Every profile renders policies; none means they were
				// switched off or not found, and every row would be "allow".
				t.Fatalf("%s: no NetworkPolicy found", r.dir)
			}
			w := buildWorld(t, r)
			// simplify=false keeps each rendered rule as its own matcher, so
			// the explanation below shows the rules as written.
			policy := matcher.BuildNetworkPolicies(false, r.policies)

			seen := map[string]bool{}
			for _, f := range truthTable(t, w, policy) {
				name := f.name()
				if seen[name] {
					t.Fatalf("truth table has %q twice", name)
				}
				seen[name] = true
				t.Run(name, func(t *testing.T) {
					traffic := &matcher.Traffic{
						Source:           f.from.trafficPeer(),
						Destination:      f.to.trafficPeer(),
						ResolvedPort:     f.port,
						ResolvedPortName: f.to.portName(f.port, f.proto),
						Protocol:         f.proto,
					}
					result := policy.IsTrafficAllowed(traffic)
					if got := result.IsAllowed(); got != f.want {
						t.Errorf("%s: cyclonus says allowed=%t\n%s", name, got, explain(traffic, result))
					}
				})
			}
			if t.Failed() {
				t.Logf("every rule of %s, as cyclonus reads it:\n%s", r.dir, policy.ExplainTable())
			}
		})
	}
}

// truthTable is what must hold in w's environment. Rows exist only for the
// pods the environment renders; the verdicts never depend on what today's
// policies say.
func truthTable(t *testing.T, w *world, policy *matcher.Policy) []flow {
	t.Helper()
	var rows []flow
	add := func(from, to *peer, want bool, proto corev1.Protocol, ports ...int) {
		if from == nil || to == nil {
			return // not rendered in this environment
		}
		for _, p := range ports {
			rows = append(rows, flow{from: from, to: to, port: p, proto: proto, want: want})
		}
	}
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP

	// What Discourse needs: DNS over UDP and TCP (large answers fall back
	// to TCP), its database, Valkey.
	for _, d := range w.discourse {
		add(d, w.dns, allow, udp, 53)
		add(d, w.dns, allow, tcp, 53)
		add(d, w.databaseFor(d), allow, tcp, 5432)
		add(d, w.valkey, allow, tcp, 6379)
	}
	// Outside in: the ingress controller to web's named http port.
	add(w.ingress, w.web, allow, tcp, 80)

	// CloudNativePG: the operator polls each instance's status port;
	// replicas stream from the primary and instances check each other's
	// status; poolers reach the primary; instance managers and poolers
	// watch the API server.
	add(w.operator, w.instance, allow, tcp, 8000)
	add(w.replica, w.instance, allow, tcp, 5432, 8000)
	add(w.instance, w.replica, allow, tcp, 5432, 8000)
	for _, pl := range w.poolers {
		add(pl, w.instance, allow, tcp, 5432)
		add(pl, w.apiServer, allow, tcp, 443, 6443)
	}
	add(w.instance, w.apiServer, allow, tcp, 443, 6443)

	// Scraping: the discourse-prometheus collector wherever a pod runs one
	// (web, and the Sidekiq and scheduler sidecars), the database's and
	// Valkey's exporters wherever monitoring is on (a PrometheusRule).
	// Every metrics port is open to the monitoring namespace only.
	for _, p := range []*peer{w.web, w.sidekiq, w.scheduler} {
		if p != nil && p.portName(9405, tcp) != "" {
			add(w.prometheus, p, allow, tcp, 9405)
			add(w.other, p, deny, tcp, 9405)
		}
	}
	if w.monitoring {
		add(w.prometheus, w.instance, allow, tcp, 9187)
		add(w.other, w.instance, deny, tcp, 9187)
		for _, pl := range w.poolers {
			add(w.prometheus, pl, allow, tcp, 9127)
			add(w.other, pl, deny, tcp, 9127)
		}
		if w.valkey.portName(9121, tcp) == "" {
			t.Errorf("monitoring is on but Valkey has no exporter port 9121")
		}
		add(w.prometheus, w.valkey, allow, tcp, 9121)
		add(w.other, w.valkey, deny, tcp, 9121)
		// Scraping the exporter never opens Redis itself.
		add(w.prometheus, w.valkey, deny, tcp, 6379)
	}
	// Backups: the Barman Cloud sidecar in each instance writes to the
	// object store (S3 on 443), and never to the metadata service. (The
	// instance managers' API server rule is any address by default, so
	// without backups 443 is open too; apiServerCIDRs narrows it.)
	if w.backups {
		add(w.instance, w.internet, allow, tcp, 443)
	}
	add(w.instance, w.metadata, deny, tcp, 80, 443)
	// The read replica: Discourse's Deployments read from it while the
	// primary fails over (rails_failover), directly, not through the pooler.
	if w.readsReplica {
		if w.replica == nil {
			t.Errorf("DISCOURSE_DB_REPLICA_HOST is set but the Cluster has one instance")
		}
		for _, d := range w.discourse {
			if d.kind == "Deployment" {
				add(d, w.replica, allow, tcp, 5432)
			}
		}
	}
	// KEDA reads Sidekiq's queue lengths from Valkey.
	if w.keda {
		add(w.kedaOperator, w.valkey, allow, tcp, 6379)
	}
	// Web and Sidekiq fetch oneboxes, avatars, and call webhooks over HTTPS.
	add(w.web, w.internet, allow, tcp, 443)
	add(w.sidekiq, w.internet, allow, tcp, 443)

	// Denied: other namespaces and unlabelled pods reach nothing but what
	// is public (web through the ingress controller only).
	add(w.other, w.web, deny, tcp, 80)
	add(w.other, w.instance, deny, tcp, 5432)
	add(w.other, w.valkey, deny, tcp, 6379)
	add(w.unlabelled, w.instance, deny, tcp, 5432)
	add(w.unlabelled, w.valkey, deny, tcp, 6379)
	for _, pl := range w.poolers {
		add(w.unlabelled, pl, deny, tcp, 5432)
	}
	// SSRF: no pod reaches the cloud metadata service (credentials), and
	// Valkey talks to no one outside.
	for _, d := range append(append([]*peer{}, w.discourse...), w.valkey) {
		add(d, w.metadata, deny, tcp, 80)
	}
	add(w.valkey, w.internet, deny, tcp, 443)
	// SSRF into private ranges: denied unless the config lists a range that
	// holds the address, in which case the operator chose to allow it and
	// the row states no requirement.
	for _, d := range w.discourse {
		if cidr, ok := explicitlyListed(policy, d, w.private, 443, tcp); ok {
			t.Logf("%s -> %s tcp/443: not asserted, %s is inside %s, listed in the config",
				d.name, w.private.name, w.private.ip, cidr)
			continue
		}
		add(d, w.private, deny, tcp, 443)
	}
	return rows
}

// databaseFor is where pod d connects for PostgreSQL: with an rw Pooler,
// Deployments go through it while the migration Job goes straight to the
// primary (DDL and advisory locks need a session PgBouncer need not keep).
func (w *world) databaseFor(d *peer) *peer {
	if w.rwPooler != nil && d.kind != "Job" {
		return w.rwPooler
	}
	return w.instance
}

// explicitlyListed reports whether an egress rule selecting src admits dst
// on port/proto through an ipBlock narrower than "any address" (/0), and
// returns that CIDR. The generator writes such blocks only from CIDR lists in
// the config (S3, SMTP, webEgressCIDRs, apiServerCIDRs, external hosts); its
// defaults are 0.0.0.0/0 and ::/0, which are no explicit choice of a private
// range. The match itself is cyclonus's.
func explicitlyListed(policy *matcher.Policy, src, dst *peer, port int, proto corev1.Protocol) (string, bool) {
	for _, target := range policy.TargetsApplyingToPod(false, src.namespace, src.labels) {
		for _, pm := range target.Peers {
			ipm, ok := pm.(*matcher.IPPeerMatcher)
			if !ok {
				continue
			}
			prefix, err := netip.ParsePrefix(ipm.IPBlock.CIDR)
			if err != nil || prefix.Bits() == 0 {
				continue
			}
			if ipm.Allows(dst.trafficPeer(), port, dst.portName(port, proto), proto) {
				return ipm.IPBlock.CIDR, true
			}
		}
	}
	return "", false
}

// explain is what a reader needs to see why a row failed: the flow as
// cyclonus modelled it; cyclonus's verdict table (which policy targets
// applied in each direction, and whether each allowed); the NetworkPolicies
// behind each target (cyclonus merges the policies that select the same pods
// into one target); and, in cyclonus's explain format, the very rules that
// admitted the flow, so an unwanted allow points at its rule.
func explain(traffic *matcher.Traffic, result *matcher.AllowedResult) string {
	var b strings.Builder
	b.WriteString(traffic.Table())
	b.WriteString(result.Table())
	direction := func(dir string, res *matcher.DirectionResult) {
		if len(res.AllowingTargets)+len(res.DenyingTargets) == 0 {
			fmt.Fprintf(&b, "%s: no policy selects the pod (or it is outside the cluster): allowed\n", dir)
			return
		}
		for _, target := range res.AllowingTargets {
			fmt.Fprintf(&b, "%s: allowed by %s\n", dir, policyNames(target.SourceRules))
		}
		for _, target := range res.DenyingTargets {
			fmt.Fprintf(&b, "%s: selected by %s, no rule of which admits the flow\n", dir, policyNames(target.SourceRules))
		}
	}
	direction("egress of the source", result.Egress)
	direction("ingress of the destination", result.Ingress)

	ingress := admittingRules(traffic, traffic.Source, result.Ingress.AllowingTargets)
	egress := admittingRules(traffic, traffic.Destination, result.Egress.AllowingTargets)
	if len(ingress)+len(egress) > 0 {
		b.WriteString("the rules that admit the flow:\n")
		b.WriteString(matcher.NewPolicyWithTargets(ingress, egress).ExplainTable())
	}
	return b.String()
}

// admittingRules narrows each target to the peers (rules) that admit the
// flow from or to other, keeping the target's selector and policies.
func admittingRules(traffic *matcher.Traffic, other *matcher.TrafficPeer, targets []*matcher.Target) []*matcher.Target {
	var out []*matcher.Target
	for _, target := range targets {
		narrowed := &matcher.Target{
			Namespace:   target.Namespace,
			PodSelector: target.PodSelector,
			SourceRules: target.SourceRules,
		}
		for _, pm := range target.Peers {
			if pm.Allows(other, traffic.ResolvedPort, traffic.ResolvedPortName, traffic.Protocol) {
				narrowed.Peers = append(narrowed.Peers, pm)
			}
		}
		out = append(out, narrowed)
	}
	return out
}

func policyNames(policies []*networkingv1.NetworkPolicy) string {
	names := make([]string, 0, len(policies))
	for _, p := range policies {
		names = append(names, p.Namespace+"/"+p.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
