package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	cnpgv1 "discoursegen.dev/discoursegen/internal/thirdparty/cnpg/v1"
	"maps"
	"net/url"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// Ports other components listen on, from their upstream defaults.
const (
	postgresPort       = 5432
	cnpgStatusPort     = 8000 // CNPG instance manager: status and probes
	cnpgMetricsPort    = 9187 // CNPG instance metrics exporter
	poolerMetricsPort  = 9127 // CNPG PgBouncer exporter
	valkeyPort         = 6379
	dnsPort            = 53
	httpsPort          = 443
	httpPort           = 80
	apiServerAltPort   = 6443
	namespaceNameLabel = "kubernetes.io/metadata.name"
)

// networkPolicies start from a default deny and then allow, per component,
// exactly the traffic it needs. The classic failures they avoid by
// construction:
//   - DNS allowed on UDP only (resolvers fall back to TCP for large
//     answers) or not at all: both ports are always allowed;
//   - namespaces selected by a hand-set label that the namespace lacks:
//     every namespace is selected by kubernetes.io/metadata.name, which the
//     API server sets on every namespace;
//   - Redis or PostgreSQL blocked for the migration Job or the init
//     containers: every pod that runs Discourse carries one label, and the
//     data policies allow that label, so a new workload cannot be forgotten;
//   - the database operator cut off from its instances, or the instances
//     from the API server they report to.
func (d *site) networkPolicies() []*networkingv1.NetworkPolicy {
	s := &d.Spec
	np := &s.NetworkPolicy
	discourse := &metav1.LabelSelector{MatchLabels: map[string]string{labelDiscourse: "true"}}
	all := &metav1.LabelSelector{}

	policies := []*networkingv1.NetworkPolicy{
		d.networkPolicy("default-deny", all, nil, nil),
		d.networkPolicy("allow-dns", all, nil, []networkingv1.NetworkPolicyEgressRule{{
			To:    []networkingv1.NetworkPolicyPeer{namespacePeer(np.DNSNamespace, nil)},
			Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, dnsPort), port(corev1.ProtocolTCP, dnsPort)},
		}}),
	}

	// Web: from the ingress controller; metrics from monitoring.
	webIngress := []networkingv1.NetworkPolicyIngressRule{{
		From:  []networkingv1.NetworkPolicyPeer{namespacePeer(np.IngressNamespace, np.IngressPodLabels)},
		Ports: []networkingv1.NetworkPolicyPort{namedPort("http")},
	}}
	if d.scrapesDiscourse() {
		webIngress = append(webIngress, d.scrapeRule(metricsPort))
	}
	policies = append(policies, d.networkPolicy("web-ingress",
		&metav1.LabelSelector{MatchLabels: d.selectorLabels(componentWeb)}, webIngress, nil))
	if d.scrapesDiscourse() && s.HasWorkers() {
		// The collector sidecars of Sidekiq and the scheduler; nothing
		// else reaches those pods.
		pods := d.sidekiqPods()
		policies = append(policies, d.networkPolicy("sidekiq-metrics", &pods,
			[]networkingv1.NetworkPolicyIngressRule{d.scrapeRule(metricsPort)}, nil))
	}

	// Every Discourse pod (web, Sidekiq, scheduler, migration Job): out to
	// PostgreSQL, Redis, SMTP, S3 and, unless strict, the web.
	policies = append(policies, d.networkPolicy("discourse-egress", discourse, nil, d.discourseEgress()))

	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		policies = append(policies, d.databasePolicies(discourse)...)
	}
	if s.Redis.Mode == v1alpha1.RedisValkey {
		from := []networkingv1.NetworkPolicyPeer{{PodSelector: discourse}}
		if d.Spec.HasWorkers() && *s.Sidekiq.Workers.Autoscaling.Enabled {
			// KEDA's operator reads the queue lengths.
			from = append(from, namespacePeer(np.KEDANamespace, nil))
		}
		ingress := []networkingv1.NetworkPolicyIngressRule{{From: from, Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, valkeyPort)}}}
		if *s.Monitoring.Enabled {
			ingress = append(ingress, d.scrapeRule(redisExporterPort))
		}
		policies = append(policies, d.networkPolicy("valkey",
			&metav1.LabelSelector{MatchLabels: d.selectorLabels(componentValkey)}, ingress, nil))
	}
	return policies
}

// privateRanges are never part of "the internet" in the default egress:
// RFC 1918, carrier-grade NAT (RFC 6598), IPv6 unique-local, and
// link-local, which holds the clouds' metadata service (169.254.169.254)
// and its credentials. A forum fetches any URL a user posts (oneboxes,
// remote images), so allowing these would make it an SSRF path into the
// cluster's and the VPC's internal services.
var privateRanges = map[string][]string{
	"0.0.0.0/0": {"10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"},
	"::/0":      {"fc00::/7", "fe80::/10"},
}

// internet is every public address.
func internet() []networkingv1.NetworkPolicyPeer {
	var peers []networkingv1.NetworkPolicyPeer
	for _, all := range slices.Sorted(maps.Keys(privateRanges)) {
		peers = append(peers, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: all, Except: privateRanges[all]}})
	}
	return peers
}

// discourseEgress is where Discourse pods may connect. Unless strict, that
// includes the public internet on 80 and 443: link previews (oneboxes),
// remote images and avatars, SSO and OAuth callbacks, webhooks and the
// MaxMind download all go to addresses nobody can list in advance.
// Explicitly listed ranges (S3, SMTP, webEgressCIDRs) are allowed in both
// modes, so a private S3 endpoint or mail relay keeps working.
func (d *site) discourseEgress() []networkingv1.NetworkPolicyEgressRule {
	s := &d.Spec
	tcp := corev1.ProtocolTCP
	var rules []networkingv1.NetworkPolicyEgressRule
	// PostgreSQL.
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		to := []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{cnpgv1.ClusterLabelName: d.databaseClusterName()}}}}
		if *s.Postgres.CNPG.Pooler.Enabled {
			to = append(to, networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{cnpgv1.PgbouncerNameLabel: d.poolerName()}}})
		}
		rules = append(rules, networkingv1.NetworkPolicyEgressRule{To: to, Ports: []networkingv1.NetworkPolicyPort{port(tcp, postgresPort)}})
	} else {
		rules = append(rules, externalRule(s.Postgres.External))
	}
	// Redis.
	if s.Redis.Mode == v1alpha1.RedisValkey {
		rules = append(rules, networkingv1.NetworkPolicyEgressRule{
			To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: d.selectorLabels(componentValkey)}}},
			Ports: []networkingv1.NetworkPolicyPort{port(tcp, valkeyPort)},
		})
	} else {
		rules = append(rules, externalRule(s.Redis.External))
	}
	strict := *s.NetworkPolicy.Strict
	// SMTP: the listed relay, else (not strict) any public address.
	if s.SMTP.Address != "" {
		smtp := port(tcp, *s.SMTP.Port)
		if len(s.SMTP.EgressCIDRs) > 0 {
			rules = append(rules, cidrRule(s.SMTP.EgressCIDRs, smtp))
		} else if !strict {
			rules = append(rules, networkingv1.NetworkPolicyEgressRule{To: internet(), Ports: []networkingv1.NetworkPolicyPort{smtp}})
		}
	}
	// S3: the listed ranges on the endpoint's port. An endpoint on another
	// port with no listed range (MinIO on :9000 in the cluster, say) is
	// allowed on that port alone, as an external database is.
	if s.Uploads.Store == v1alpha1.UploadsS3 {
		// The general internet rule below covers an S3 endpoint on 80
		// or 443 when not strict.
		rules = append(rules, objectStoreRules(s.S3.Endpoint, s.S3.EgressCIDRs, false)...)
	}
	if len(s.NetworkPolicy.WebEgressCIDRs) > 0 {
		rules = append(rules, cidrRule(s.NetworkPolicy.WebEgressCIDRs, port(tcp, httpsPort)))
	}
	if !strict {
		rules = append(rules, networkingv1.NetworkPolicyEgressRule{
			To:    internet(),
			Ports: []networkingv1.NetworkPolicyPort{port(tcp, httpsPort), port(tcp, httpPort)},
		})
	}
	return rules
}

// objectStoreRules allow an S3 endpoint: the listed ranges on the
// endpoint's port. An endpoint on another port with no listed range
// (MinIO on :9000 in the cluster, say) is allowed on that port alone, as
// an external database is. An endpoint on 80 or 443 with no listed range
// is on the public internet: viaInternet allows the public addresses on
// that port, for pods that have no general internet rule (the database
// instances). Strict mode never gets there: Validate requires the ranges.
func objectStoreRules(endpoint string, cidrs []string, viaInternet bool) []networkingv1.NetworkPolicyEgressRule {
	n := endpointPort(endpoint)
	p := port(corev1.ProtocolTCP, n)
	switch {
	case len(cidrs) > 0:
		return []networkingv1.NetworkPolicyEgressRule{cidrRule(cidrs, p)}
	case n != httpsPort && n != httpPort:
		return []networkingv1.NetworkPolicyEgressRule{cidrRule(anyAddress, p)}
	case viaInternet:
		return []networkingv1.NetworkPolicyEgressRule{{To: internet(), Ports: []networkingv1.NetworkPolicyPort{p}}}
	}
	return nil
}

// endpointPort is the port of an S3 endpoint: the URL's, else its
// scheme's default; AWS (no endpoint) is HTTPS.
func endpointPort(endpoint string) int32 {
	u, err := url.Parse(endpoint)
	if err != nil || endpoint == "" {
		return httpsPort
	}
	if p, err := strconv.ParseInt(u.Port(), 10, 32); err == nil {
		return int32(p)
	}
	if u.Scheme == "http" {
		return httpPort
	}
	return httpsPort
}

// anyAddress is every address, private ones included: only for a single
// port of a service the user named (an external database, Redis or S3
// endpoint whose range is not given). Never the cloud metadata services
// (169.254.169.254, and AWS's fd00:ec2::254), which hand out the node's
// cloud credentials to whoever asks; the policy rule network-policy
// refuses any egress that reaches them.
var anyAddress = []string{"0.0.0.0/0", "::/0"}

// metadataAddresses are excepted from every anyAddress block.
var metadataAddresses = map[string][]string{
	"0.0.0.0/0": {"169.254.169.254/32"},
	"::/0":      {"fd00:ec2::254/128"},
}

// databasePolicies let the CNPG instances and poolers work under the
// default deny: the app and the poolers reach 5432, instances replicate to
// each other, the operator reaches the status port, Prometheus the
// exporters, and the instance managers reach the API server.
func (d *site) databasePolicies(discourse *metav1.LabelSelector) []*networkingv1.NetworkPolicy {
	s := &d.Spec
	np := &s.NetworkPolicy
	tcp := corev1.ProtocolTCP
	cluster := &metav1.LabelSelector{MatchLabels: map[string]string{cnpgv1.ClusterLabelName: d.databaseClusterName()}}
	pooler := &metav1.LabelSelector{MatchLabels: map[string]string{cnpgv1.PgbouncerNameLabel: d.poolerName()}}
	apiServer := cidrRule(np.APIServerCIDRs, port(tcp, httpsPort), port(tcp, apiServerAltPort))

	clients := []networkingv1.NetworkPolicyPeer{{PodSelector: discourse}, {PodSelector: cluster}}
	if *s.Postgres.CNPG.Pooler.Enabled {
		clients = append(clients, networkingv1.NetworkPolicyPeer{PodSelector: pooler})
	}
	ingress := []networkingv1.NetworkPolicyIngressRule{
		{From: clients, Ports: []networkingv1.NetworkPolicyPort{port(tcp, postgresPort)}},
		{
			From:  []networkingv1.NetworkPolicyPeer{namespacePeer(np.OperatorNamespace, nil), {PodSelector: cluster}},
			Ports: []networkingv1.NetworkPolicyPort{port(tcp, cnpgStatusPort)},
		},
	}
	if *s.Monitoring.Enabled {
		ingress = append(ingress, d.scrapeRule(cnpgMetricsPort))
	}
	egress := []networkingv1.NetworkPolicyEgressRule{
		{To: []networkingv1.NetworkPolicyPeer{{PodSelector: cluster}}, Ports: []networkingv1.NetworkPolicyPort{port(tcp, postgresPort), port(tcp, cnpgStatusPort)}},
		apiServer,
	}
	if s.UsesObjectStore() {
		// The plugin's sidecar in every instance pod, and in the
		// recovery Job's pod (both carry cnpg.io/cluster), writes WAL and
		// base backups to the store or reads them back.
		b := &s.Postgres.CNPG.Backup
		egress = append(egress, objectStoreRules(b.Endpoint, b.EgressCIDRs, true)...)
	}
	policies := []*networkingv1.NetworkPolicy{d.networkPolicy("database", cluster, ingress, egress)}

	if *s.Postgres.CNPG.Pooler.Enabled {
		pIngress := []networkingv1.NetworkPolicyIngressRule{{
			From:  []networkingv1.NetworkPolicyPeer{{PodSelector: discourse}},
			Ports: []networkingv1.NetworkPolicyPort{port(tcp, postgresPort)},
		}}
		if *s.Monitoring.Enabled {
			pIngress = append(pIngress, d.scrapeRule(poolerMetricsPort))
		}
		pEgress := []networkingv1.NetworkPolicyEgressRule{
			{To: []networkingv1.NetworkPolicyPeer{{PodSelector: cluster}}, Ports: []networkingv1.NetworkPolicyPort{port(tcp, postgresPort)}},
			apiServer,
		}
		policies = append(policies, d.networkPolicy("pooler", pooler, pIngress, pEgress))
	}
	return policies
}

// scrapeRule lets Prometheus, in the monitoring namespace and from
// nowhere else, reach one metrics port.
func (d *site) scrapeRule(metricsPort int32) networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{
		From:  []networkingv1.NetworkPolicyPeer{namespacePeer(d.Spec.NetworkPolicy.MonitoringNamespace, nil)},
		Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, metricsPort)},
	}
}

// networkPolicy builds one policy. The policy types are listed
// explicitly: a policy with only ingress rules must not be read as
// restricting egress, and one with no rules at all is a deny in both
// directions, which is what the default deny means.
func (d *site) networkPolicy(name string, pods *metav1.LabelSelector, ingress []networkingv1.NetworkPolicyIngressRule, egress []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	denyAll := ingress == nil && egress == nil
	types := []networkingv1.PolicyType{}
	if ingress != nil || denyAll {
		types = append(types, networkingv1.PolicyTypeIngress)
	}
	if egress != nil || denyAll {
		types = append(types, networkingv1.PolicyTypeEgress)
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: d.objectMeta(d.networkPolicyName(name), componentNetwork, StageData),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *pods,
			PolicyTypes: types,
			Ingress:     ingress,
			Egress:      egress,
		},
	}
}

// namespacePeer selects a namespace by the name label the API server sets
// on every namespace, and optionally pods in it.
func namespacePeer(namespace string, podLabels map[string]string) networkingv1.NetworkPolicyPeer {
	peer := networkingv1.NetworkPolicyPeer{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{namespaceNameLabel: namespace}},
	}
	if len(podLabels) > 0 {
		peer.PodSelector = &metav1.LabelSelector{MatchLabels: podLabels}
	}
	return peer
}

// cidrRule allows ports to the given ranges.
func cidrRule(cidrs []string, ports ...networkingv1.NetworkPolicyPort) networkingv1.NetworkPolicyEgressRule {
	cidrs = slices.Sorted(slices.Values(cidrs))
	to := make([]networkingv1.NetworkPolicyPeer, len(cidrs))
	for i, c := range cidrs {
		to[i] = networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: c, Except: metadataAddresses[c]}}
	}
	return networkingv1.NetworkPolicyEgressRule{To: to, Ports: ports}
}

// externalRule allows an external database or Redis by its CIDR, or any
// address on its port when the CIDR is not known: managed databases live
// in private ranges, and the rule is limited to that one port.
func externalRule(h *v1alpha1.ExternalHost) networkingv1.NetworkPolicyEgressRule {
	cidrs := anyAddress
	if h.CIDR != "" {
		cidrs = []string{h.CIDR}
	}
	return cidrRule(cidrs, port(corev1.ProtocolTCP, *h.Port))
}

func port(protocol corev1.Protocol, number int32) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: ptr.To(protocol), Port: ptr.To(intstr.FromInt32(number))}
}

func namedPort(name string) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromString(name))}
}
