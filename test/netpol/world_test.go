package netpol

import (
	"fmt"
	"net/netip"
	"sort"
	"testing"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
)

// nsNameLabel is set by the API server on every namespace (immutable since
// Kubernetes 1.22); the rendered policies select namespaces by it.
const nsNameLabel = "kubernetes.io/metadata.name"

// The namespaces of the cluster add-ons the site talks to. They are the
// generator's defaults (NetworkPolicy.*Namespace in generator/spec.go), and
// this test fixes them on purpose: a policy that selects another namespace
// must fail here, not be followed.
const (
	dnsNamespace        = "kube-system"
	ingressNamespace    = "ingress-nginx"
	operatorNamespace   = "cnpg-system"
	monitoringNamespace = "monitoring"
	kedaNamespace       = "keda"
	otherNamespace      = "other"
)

// Addresses outside the pod network. The API server sits on a node address
// (as on kind), so only ipBlock rules can admit it; 203.0.113.10 is
// documentation space standing in for the internet; 169.254.169.254 is the
// cloud metadata service, the classic SSRF target; 10.0.0.5 is a private
// address outside the pod CIDR (a VPC database, another cluster's service).
const (
	podCIDR     = "10.244.0.0/16"
	apiServerIP = "172.18.0.2"
	internetIP  = "203.0.113.10"
	metadataIP  = "169.254.169.254"
	privateIP   = "10.0.0.5"
)

// peer is one end of a flow: a pod (namespace set) or an address outside the
// cluster (namespace empty).
type peer struct {
	name      string // short, for case names: "web", "dns", "internet"
	kind      string // the rendered workload kind that makes the pod, if any
	namespace string
	nsLabels  map[string]string
	labels    map[string]string
	ip        string
	ports     []corev1.ContainerPort
}

// trafficPeer is p as cyclonus sees it. Outside addresses have no Internal
// part, which makes cyclonus skip their (non-existent) policies.
func (p *peer) trafficPeer() *matcher.TrafficPeer {
	if p.namespace == "" {
		return &matcher.TrafficPeer{IP: p.ip}
	}
	return &matcher.TrafficPeer{
		IP: p.ip,
		Internal: &matcher.InternalPeer{
			Namespace:       p.namespace,
			NamespaceLabels: p.nsLabels,
			PodLabels:       p.labels,
		},
	}
}

// portName is the name of p's container port number/proto, which is what a
// policy's named port (`port: http`) resolves against; "" if unnamed.
func (p *peer) portName(number int, proto corev1.Protocol) string {
	for _, cp := range p.ports {
		if int(cp.ContainerPort) == number && protocolOf(cp) == proto {
			return cp.Name
		}
	}
	return ""
}

func protocolOf(cp corev1.ContainerPort) corev1.Protocol {
	if cp.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return cp.Protocol
}

// world is every pod and address one environment's flows involve. Optional
// members are nil when the environment does not render what makes them.
type world struct {
	siteNamespace string
	discourse     []*peer // web, then Sidekiq, scheduler, Jobs: every pod that runs Discourse
	web           *peer
	sidekiq       *peer // nil without a Sidekiq Deployment (local runs Sidekiq in web)
	scheduler     *peer // nil with sidekiq
	valkey        *peer
	instance      *peer // the primary, <cluster>-1
	replica       *peer // <cluster>-2; nil for a one-instance Cluster
	rwPooler      *peer // nil without a Pooler of type rw
	poolers       []*peer
	monitoring    bool // a PrometheusRule is rendered: monitoring is on
	keda          bool // a ScaledObject is rendered
	backups       bool // an ObjectStore is rendered: the instances archive to it
	readsReplica  bool // Discourse is given the replicas' Service

	dns, ingress, operator, prometheus, kedaOperator, other, unlabelled *peer
	apiServer, internet, metadata, private                              *peer

	renderedNS map[string]map[string]string // labels of the rendered namespaces
	all        []*peer
	next       netip.Addr // the next free pod IP
}

// buildWorld derives the pods from the rendered objects and adds the fixed
// outside peers. It fails the test when the output lacks what every
// environment of the example site renders (the web Deployment, Valkey, one
// CloudNativePG Cluster): a table without those rows would pass vacuously.
func buildWorld(t *testing.T, r *rendered) *world {
	t.Helper()
	// Pod IPs start at .10: low addresses are often the CNI's gateways.
	w := &world{next: netip.MustParseAddr("10.244.0.10"), renderedNS: r.namespaces}

	if len(r.namespaces) != 1 {
		t.Fatalf("%s: want exactly one rendered Namespace (the site's), found %d", r.dir, len(r.namespaces))
	}
	for name := range r.namespaces {
		w.siteNamespace = name
	}

	// Discourse pods are found by kind, not by the discoursegen.dev/discourse
	// label: that label is what the policies admit, so selecting pods by it
	// would hide a workload that lost it.
	for _, wl := range r.workloads {
		tmpl := wl.Spec.Template
		p := w.pod(wl.Metadata.Namespace, componentName(wl), tmpl.Labels, containerPorts(tmpl.Spec))
		p.kind = wl.Kind
		switch {
		case wl.Kind == "StatefulSet" && tmpl.Labels["app.kubernetes.io/component"] == "valkey":
			if w.valkey != nil {
				t.Fatalf("%s: two Valkey StatefulSets", r.dir)
			}
			w.valkey = p
		case wl.Kind == "Deployment" || wl.Kind == "Job":
			w.discourse = append(w.discourse, p)
		default:
			t.Fatalf("%s: %s %s is a workload this model does not know; add it to world_test.go",
				r.dir, wl.Kind, wl.Metadata.Name)
		}
		if wl.Metadata.Namespace != w.siteNamespace {
			t.Fatalf("%s: %s %s is in namespace %q, not the site's %q",
				r.dir, wl.Kind, wl.Metadata.Name, wl.Metadata.Namespace, w.siteNamespace)
		}
	}
	sort.SliceStable(w.discourse, func(i, j int) bool { return discourseOrder(w.discourse[i]) < discourseOrder(w.discourse[j]) })
	for _, p := range w.discourse {
		switch p.name {
		case "web":
			w.web = p
		case "sidekiq":
			w.sidekiq = p
		case "scheduler":
			w.scheduler = p
		}
	}
	if w.web == nil || w.valkey == nil {
		t.Fatalf("%s: no web Deployment or no Valkey StatefulSet found; the loader or the model is broken", r.dir)
	}

	// CloudNativePG instance pods, with the labels the operator sets on them:
	// `role` (the older label, still set) and cnpg.io/instanceRole carry the
	// same value, so a policy may select either.
	if len(r.clusters) != 1 {
		t.Fatalf("%s: want exactly one CloudNativePG Cluster, found %d", r.dir, len(r.clusters))
	}
	c := r.clusters[0]
	instancePorts := []corev1.ContainerPort{
		{Name: "postgresql", ContainerPort: 5432, Protocol: corev1.ProtocolTCP},
		{Name: "status", ContainerPort: 8000, Protocol: corev1.ProtocolTCP},
		{Name: "metrics", ContainerPort: 9187, Protocol: corev1.ProtocolTCP},
	}
	instance := func(n int, role string) *peer {
		name := fmt.Sprintf("%s-%d", c.Metadata.Name, n)
		return w.pod(c.Metadata.Namespace, "", map[string]string{
			"cnpg.io/cluster":      c.Metadata.Name,
			"cnpg.io/podRole":      "instance",
			"cnpg.io/instanceName": name,
			"cnpg.io/instanceRole": role,
			"role":                 role,
		}, instancePorts)
	}
	w.instance = instance(1, "primary")
	w.instance.name = "instance"
	if c.Spec.Instances >= 2 {
		w.replica = instance(2, "replica")
		w.replica.name = "replica"
	}

	for _, pl := range r.poolers {
		if pl.Spec.Cluster.Name != c.Metadata.Name {
			t.Fatalf("%s: Pooler %s fronts Cluster %q, not %q", r.dir, pl.Metadata.Name, pl.Spec.Cluster.Name, c.Metadata.Name)
		}
		p := w.pod(pl.Metadata.Namespace, "pooler", map[string]string{
			"cnpg.io/poolerName": pl.Metadata.Name,
			"cnpg.io/cluster":    pl.Spec.Cluster.Name,
			"cnpg.io/podRole":    "pooler",
		}, []corev1.ContainerPort{
			{Name: "pgbouncer", ContainerPort: 5432, Protocol: corev1.ProtocolTCP},
			{Name: "metrics", ContainerPort: 9127, Protocol: corev1.ProtocolTCP},
		})
		if pl.Spec.Type == "" || pl.Spec.Type == "rw" { // CNPG's default type is rw
			if w.rwPooler != nil {
				t.Fatalf("%s: two rw Poolers; the model expects one", r.dir)
			}
			w.rwPooler = p
		} else {
			p.name = "pooler-" + pl.Spec.Type
		}
		w.poolers = append(w.poolers, p)
	}
	w.monitoring = r.prometheusRules > 0
	w.backups = r.objectStores > 0
	w.readsReplica = r.replicaHost
	w.keda = r.scaledObjects > 0

	// Peers outside the site, with the labels their usual charts set; the
	// policies must select them by namespace alone, so the pod labels only
	// make the model realistic.
	w.dns = w.pod(dnsNamespace, "dns", map[string]string{"k8s-app": "kube-dns"}, []corev1.ContainerPort{
		{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP},
		{Name: "dns-tcp", ContainerPort: 53, Protocol: corev1.ProtocolTCP},
		{Name: "metrics", ContainerPort: 9153, Protocol: corev1.ProtocolTCP},
	})
	w.ingress = w.pod(ingressNamespace, "ingress-nginx", map[string]string{
		"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller",
	}, nil)
	w.operator = w.pod(operatorNamespace, "cnpg-operator", map[string]string{"app.kubernetes.io/name": "cloudnative-pg"}, nil)
	w.prometheus = w.pod(monitoringNamespace, "prometheus", map[string]string{"app.kubernetes.io/name": "prometheus"}, nil)
	w.kedaOperator = w.pod(kedaNamespace, "keda", map[string]string{"app": "keda-operator"}, nil)
	w.other = w.pod(otherNamespace, "other-ns", map[string]string{"app": "other"}, nil)
	w.unlabelled = w.pod(w.siteNamespace, "unlabelled", map[string]string{}, nil)

	w.apiServer = w.outside("apiserver", apiServerIP)
	w.internet = w.outside("internet", internetIP)
	w.metadata = w.outside("metadata", metadataIP)
	w.private = w.outside("private "+privateIP, privateIP)

	w.checkAddresses(t)
	return w
}

// pod adds a pod in namespace ns with the next free pod IP.
func (w *world) pod(ns, name string, labels map[string]string, ports []corev1.ContainerPort) *peer {
	p := &peer{
		name:      name,
		namespace: ns,
		nsLabels:  w.namespaceLabels(ns),
		labels:    labels,
		ip:        w.next.String(),
		ports:     ports,
	}
	w.next = w.next.Next()
	w.all = append(w.all, p)
	return p
}

func (w *world) outside(name, ip string) *peer {
	p := &peer{name: name, ip: ip}
	w.all = append(w.all, p)
	return p
}

// namespaceLabels are the labels namespace ns carries in a cluster: those
// rendered for it, if the site renders it, plus the API server's name label.
// The add-on namespaces get only the name label, so a policy that selected
// them by any other label would fail here, as it would in most clusters.
func (w *world) namespaceLabels(ns string) map[string]string {
	labels := map[string]string{}
	for k, v := range w.renderedNS[ns] {
		labels[k] = v
	}
	labels[nsNameLabel] = ns
	return labels
}

// checkAddresses guards the model itself: pod IPs must be distinct and in
// the pod CIDR, outside addresses outside it, or ipBlock verdicts would be
// about a different network than the one described.
func (w *world) checkAddresses(t *testing.T) {
	t.Helper()
	pods := netip.MustParsePrefix(podCIDR)
	seen := map[string]string{}
	for _, p := range w.all {
		if prev, ok := seen[p.ip]; ok {
			t.Fatalf("model error: %s and %s share IP %s", prev, p.name, p.ip)
		}
		seen[p.ip] = p.name
		if in := pods.Contains(netip.MustParseAddr(p.ip)); in != (p.namespace != "") {
			t.Fatalf("model error: %s (%s) in pod CIDR %s: %t", p.name, p.ip, podCIDR, in)
		}
	}
}

// componentName is the short name of a workload's pods: its component label
// (web, sidekiq, scheduler, migrate, valkey), else the object's name.
func componentName(wl workload) string {
	// The pre- and post-deploy migration Jobs are one component; the stage
	// each is applied in tells them apart.
	if wl.Kind == "Job" && wl.Metadata.Annotations["discoursegen.dev/stage"] == "post-migrate" {
		return "post-migrate"
	}
	if c := wl.Spec.Template.Labels["app.kubernetes.io/component"]; c != "" {
		return c
	}
	return wl.Metadata.Name
}

// discourseOrder sorts Discourse pods into the order the table reads best.
func discourseOrder(p *peer) string {
	switch p.name {
	case "web":
		return "0"
	case "sidekiq":
		return "1"
	case "scheduler":
		return "2"
	}
	return "3" + p.kind + p.name
}

func containerPorts(spec corev1.PodSpec) []corev1.ContainerPort {
	var ports []corev1.ContainerPort
	for _, c := range spec.Containers {
		ports = append(ports, c.Ports...)
	}
	return ports
}
