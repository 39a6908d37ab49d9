package policy

import (
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// endpoint is a set of pods the NetworkPolicy rules reason about: a
// workload's, or the pods CloudNativePG makes for a Cluster or a Pooler.
type endpoint struct {
	ref       Ref
	namespace string
	labels    map[string]string
	ports     []corev1.ContainerPort
}

// The labels CloudNativePG puts on the pods it makes (cloudnative-pg
// pkg/utils/labels_annotations.go: ClusterLabelName, ClusterRoleLabelName,
// PodRoleLabelName, PgbouncerNameLabel).
const (
	cnpgCluster  = "cnpg.io/cluster"
	cnpgRole     = "cnpg.io/instanceRole"
	cnpgPodRole  = "cnpg.io/podRole"
	cnpgPooler   = "cnpg.io/poolerName"
	postgresPort = 5432
)

// Where the cloud metadata services listen: AWS, GCP, Azure and OpenStack
// on the IPv4 link-local address, AWS also on an IPv6 one.
var metadataAddresses = []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254")}

// kubeDNS stands for the cluster DNS pods: kube-dns or CoreDNS, which
// both keep the k8s-app=kube-dns label in kube-system.
var kubeDNS = &endpoint{ref: Ref{Kind: "Pod", Namespace: "kube-system", Name: "kube-dns"}, namespace: "kube-system", labels: map[string]string{"k8s-app": "kube-dns"}}

func (s *site) endpoints() []*endpoint {
	var out []*endpoint
	for _, w := range s.workloads {
		ep := &endpoint{ref: w.ref, namespace: w.ref.Namespace, labels: w.podMeta.Labels}
		for _, c := range w.pod.Containers {
			ep.ports = append(ep.ports, c.Ports...)
		}
		out = append(out, ep)
	}
	for _, c := range s.clusters {
		out = append(out, clusterPods(c))
	}
	for _, p := range s.poolers {
		out = append(out, &endpoint{ref: p.Ref, namespace: p.Ref.Namespace,
			labels: map[string]string{cnpgPooler: p.Ref.Name, cnpgPodRole: "pooler"},
			ports:  []corev1.ContainerPort{{Name: "pgbouncer", ContainerPort: postgresPort, Protocol: corev1.ProtocolTCP}}})
	}
	return out
}

// clusterPods are a Cluster's primary, which is what its -rw Service
// selects.
func clusterPods(c *Object) *endpoint {
	return &endpoint{ref: c.Ref, namespace: c.Ref.Namespace,
		labels: map[string]string{cnpgCluster: c.Ref.Name, cnpgRole: "primary", cnpgPodRole: "instance"},
		ports:  []corev1.ContainerPort{{Name: "postgresql", ContainerPort: postgresPort, Protocol: corev1.ProtocolTCP}}}
}

// namespaceLabels are a namespace's labels as selectors see them: its own
// and kubernetes.io/metadata.name, which the API server sets on every
// namespace.
func (s *site) namespaceLabels(ns string) map[string]string {
	l := map[string]string{"kubernetes.io/metadata.name": ns}
	if n := s.namespaces[ns]; n != nil {
		for k, v := range n.Labels {
			l[k] = v
		}
	}
	return l
}

func selects(sel *metav1.LabelSelector, l map[string]string) bool {
	if sel == nil {
		return true
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(l))
}

// policiesFor are the policies of the given type that select an endpoint.
func (s *site) policiesFor(ep *endpoint, t networkingv1.PolicyType) []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	for i := range s.netpols {
		p := &s.netpols[i].v
		if p.Namespace != ep.namespace || !selects(&p.Spec.PodSelector, ep.labels) {
			continue
		}
		types := p.Spec.PolicyTypes
		if len(types) == 0 {
			types = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			if len(p.Spec.Egress) > 0 {
				types = append(types, networkingv1.PolicyTypeEgress)
			}
		}
		for _, pt := range types {
			if pt == t {
				out = append(out, p)
			}
		}
	}
	return out
}

// peerTo is a destination or a source: pods of an endpoint, or an address.
type peerTo struct {
	ep   *endpoint
	addr netip.Addr
}

func (s *site) peerMatches(peers []networkingv1.NetworkPolicyPeer, policyNS string, to peerTo) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		if p.IPBlock != nil {
			if to.addr.IsValid() && inBlock(p.IPBlock, to.addr) {
				return true
			}
			continue
		}
		if to.ep == nil {
			continue
		}
		nsOK := to.ep.namespace == policyNS
		if p.NamespaceSelector != nil {
			nsOK = selects(p.NamespaceSelector, s.namespaceLabels(to.ep.namespace))
		}
		if nsOK && selects(p.PodSelector, to.ep.labels) {
			return true
		}
	}
	return false
}

func inBlock(b *networkingv1.IPBlock, a netip.Addr) bool {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !cidr.Contains(a) {
		return false
	}
	for _, e := range b.Except {
		if ex, err := netip.ParsePrefix(e); err == nil && ex.Contains(a) {
			return false
		}
	}
	return true
}

// portMatches reads a rule's ports the way NetworkPolicy does: no ports
// means all, no protocol means TCP, a name is the destination container's
// port of that name.
func portMatches(ports []networkingv1.NetworkPolicyPort, port int32, proto corev1.Protocol, dst *endpoint) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.IntValue() != 0 || p.Port.StrVal == "":
			lo := int32(p.Port.IntValue())
			hi := lo
			if p.EndPort != nil {
				hi = *p.EndPort
			}
			if port >= lo && port <= hi {
				return true
			}
		case dst != nil:
			for _, cp := range dst.ports {
				if cp.Name == p.Port.StrVal && cp.ContainerPort == port {
					return true
				}
			}
		}
	}
	return false
}

// egressAllowed: no egress policy selecting src means everything is.
func (s *site) egressAllowed(src *endpoint, to peerTo, port int32, proto corev1.Protocol) bool {
	pols := s.policiesFor(src, networkingv1.PolicyTypeEgress)
	if len(pols) == 0 {
		return true
	}
	for _, p := range pols {
		for _, r := range p.Spec.Egress {
			if portMatches(r.Ports, port, proto, to.ep) && s.peerMatches(r.To, p.Namespace, to) {
				return true
			}
		}
	}
	return false
}

func (s *site) ingressAllowed(dst, src *endpoint, port int32, proto corev1.Protocol) bool {
	pols := s.policiesFor(dst, networkingv1.PolicyTypeIngress)
	if len(pols) == 0 {
		return true
	}
	for _, p := range pols {
		for _, r := range p.Spec.Ingress {
			if portMatches(r.Ports, port, proto, dst) && s.peerMatches(r.From, p.Namespace, peerTo{ep: src}) {
				return true
			}
		}
	}
	return false
}

// reachesAddress says whether any egress of src reaches an address, on
// any port.
func (s *site) reachesAddress(src *endpoint, a netip.Addr) bool {
	pols := s.policiesFor(src, networkingv1.PolicyTypeEgress)
	if len(pols) == 0 {
		return true
	}
	for _, p := range pols {
		for _, r := range p.Spec.Egress {
			if s.peerMatches(r.To, p.Namespace, peerTo{addr: a}) {
				return true
			}
		}
	}
	return false
}

// reachesOutside says whether src may open port to some address outside
// the cluster: a rule with that port and an ipBlock or no destination.
func (s *site) reachesOutside(src *endpoint, port int32) bool {
	pols := s.policiesFor(src, networkingv1.PolicyTypeEgress)
	if len(pols) == 0 {
		return true
	}
	for _, p := range pols {
		for _, r := range p.Spec.Egress {
			if !portMatches(r.Ports, port, corev1.ProtocolTCP, nil) {
				continue
			}
			if len(r.To) == 0 {
				return true
			}
			for _, peer := range r.To {
				if peer.IPBlock != nil {
					return true
				}
			}
		}
	}
	return false
}

func checkNetworkPolicy(s *site) []Finding {
	var fs []Finding
	eps := s.endpoints()
	byRef := map[Ref]*endpoint{}
	for _, ep := range eps {
		byRef[ep.ref] = ep
	}
	for _, ep := range eps {
		if len(s.policiesFor(ep, networkingv1.PolicyTypeIngress))+len(s.policiesFor(ep, networkingv1.PolicyTypeEgress)) == 0 {
			fs = append(fs, Finding{Object: ep.ref,
				Message: "no NetworkPolicy selects its pods: they accept connections from anywhere and open them to anywhere, the cloud metadata service included; a default-deny policy for the namespace covers them"})
			continue
		}
		for _, proto := range []corev1.Protocol{corev1.ProtocolUDP, corev1.ProtocolTCP} {
			if !s.egressAllowed(ep, peerTo{ep: kubeDNS}, 53, proto) {
				fs = append(fs, Finding{Object: ep.ref,
					Message: fmt.Sprintf("its pods cannot reach DNS on %s 53 (kube-dns in kube-system): every name lookup fails%s; allow egress to port 53 over UDP and TCP", proto, map[bool]string{true: " once an answer is too large for UDP", false: ""}[proto == corev1.ProtocolTCP])})
			}
		}
		for _, a := range metadataAddresses {
			if s.reachesAddress(ep, a) {
				fs = append(fs, Finding{Object: ep.ref,
					Message: fmt.Sprintf("its pods can reach the cloud metadata service at %s, which hands out the node's cloud credentials; add %s to the except list of every ipBlock that contains it", a, netip.PrefixFrom(a, a.BitLen()))})
			}
		}
	}
	for _, w := range s.workloads {
		c, ok := s.discourse(w)
		if !ok {
			continue
		}
		src := byRef[w.ref]
		db := s.env(w, c, "DISCOURSE_DB_HOST")
		dbPort := int32(s.envInt(w, c, "DISCOURSE_DB_PORT", postgresPort))
		if db.literal {
			var dst *endpoint
			if t := s.target(db.value); t != nil && t.pooler != nil {
				dst = byRef[t.pooler.Ref]
			} else if t != nil {
				dst = byRef[t.cluster.Ref]
			}
			fs = append(fs, s.reach(src, dst, db.value, dbPort, "PostgreSQL")...)
		}
		redis := s.env(w, c, "DISCOURSE_REDIS_HOST")
		if redis.literal {
			port := int32(s.envInt(w, c, "DISCOURSE_REDIS_PORT", 6379))
			dst, target := s.serviceEndpoint(eps, w.ref.Namespace, redis.value, port)
			fs = append(fs, s.reach(src, dst, redis.value, target, "Valkey")...)
		}
	}
	for _, p := range s.poolers {
		src := byRef[p.Ref]
		for _, c := range s.clusters {
			if c.Ref.Name == nestedString(p.Raw, "spec", "cluster", "name") && c.Ref.Namespace == p.Ref.Namespace {
				fs = append(fs, s.reach(src, byRef[c.Ref], c.Ref.Name+"-rw", postgresPort, "PostgreSQL")...)
			}
		}
	}
	return fs
}

// reach checks that src can connect to a service: to dst's pods when the
// service is in the output, else to some address outside the cluster.
func (s *site) reach(src, dst *endpoint, host string, port int32, what string) []Finding {
	if dst == nil {
		if !s.reachesOutside(src, port) {
			return []Finding{{Object: src.ref,
				Message: fmt.Sprintf("its pods cannot reach %s at %s:%d: no egress rule opens port %d to an address outside the cluster", what, host, port, port)}}
		}
		return nil
	}
	if !s.egressAllowed(src, peerTo{ep: dst}, port, corev1.ProtocolTCP) {
		return []Finding{{Object: src.ref,
			Message: fmt.Sprintf("its pods cannot reach %s at %s:%d: no egress rule of its NetworkPolicies allows the pods of %s on that port", what, host, port, dst.ref)}}
	}
	if !s.ingressAllowed(dst, src, port, corev1.ProtocolTCP) {
		return []Finding{{Object: src.ref,
			Message: fmt.Sprintf("its pods cannot reach %s at %s:%d: the NetworkPolicies of %s admit no connection from them on that port", what, host, port, dst.ref)}}
	}
	return nil
}

// serviceEndpoint resolves a Service of the output to the endpoint its
// selector picks and the target port behind port; nil when the host is
// not a Service of the output.
func (s *site) serviceEndpoint(eps []*endpoint, ns, host string, port int32) (*endpoint, int32) {
	name, _, _ := strings.Cut(host, ".")
	for _, o := range s.objs {
		if o.Ref.Kind != "Service" || o.Ref.Name != name || o.Ref.Namespace != ns {
			continue
		}
		var svc corev1.Service
		if !decode(o, &svc) || len(svc.Spec.Selector) == 0 {
			return nil, port
		}
		for _, ep := range eps {
			if ep.namespace != ns || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(ep.labels)) {
				continue
			}
			target := port
			for _, sp := range svc.Spec.Ports {
				if sp.Port != port {
					continue
				}
				switch {
				case sp.TargetPort.StrVal != "":
					for _, cp := range ep.ports {
						if cp.Name == sp.TargetPort.StrVal {
							target = cp.ContainerPort
						}
					}
				case sp.TargetPort.IntVal != 0:
					target = sp.TargetPort.IntVal
				}
			}
			return ep, target
		}
	}
	return nil, port
}
