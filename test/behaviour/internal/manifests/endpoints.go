package manifests

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Backend is the kind of server a Service of the site leads to; the tests
// run one loopback server per backend.
type Backend string

const (
	Postgres Backend = "postgres"
	Redis    Backend = "redis"
)

// ImageBackend tells which backend an image serves, from its repository
// name. Valkey speaks the Redis protocol and redis-server stands in for it.
func ImageBackend(image string) (Backend, bool) {
	repo := Repository(image)
	switch {
	case strings.HasSuffix(repo, "/valkey") || strings.HasSuffix(repo, "/redis"):
		return Redis, true
	case strings.HasSuffix(repo, "/postgresql") || strings.HasSuffix(repo, "/postgres"):
		return Postgres, true
	}
	return "", false
}

// Repository strips the tag and digest from an image reference.
func Repository(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

// Endpoint is what one Service DNS name of the site leads to.
type Endpoint struct {
	Backend Backend // empty when no test server can play it
	Port    int32   // the Service port clients use inside the cluster
	What    string  // where the Service comes from, for messages
}

// Endpoints maps "namespace/name" of every Service the site's pods can
// reach to its Endpoint: the Services in objs (classified by the images of
// the pods they select), and the Services CloudNativePG creates for each
// Cluster (<name>-rw, -ro, -r) and Pooler (<name>), all on 5432.
func Endpoints(objs []Object, workloads []Workload) (map[string]Endpoint, error) {
	eps := map[string]Endpoint{}
	for _, o := range Find(objs, "v1", "Service") {
		var s corev1.Service
		if err := o.Decode(&s); err != nil {
			return nil, err
		}
		backend, err := serviceBackend(s, workloads)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		// A Service with several ports would need the port mapped by name;
		// none of the site's has more than one, so refuse rather than guess.
		if len(s.Spec.Ports) != 1 {
			backend = ""
		}
		var port int32
		if len(s.Spec.Ports) > 0 {
			port = s.Spec.Ports[0].Port
		}
		eps[s.Namespace+"/"+s.Name] = Endpoint{Backend: backend, Port: port, What: "Service " + s.Name + " (" + o.Source + ")"}
	}
	for _, o := range Find(objs, CNPGAPIVersion, "Cluster") {
		for _, suffix := range []string{"-rw", "-ro", "-r"} {
			eps[o.Namespace+"/"+o.Name+suffix] = Endpoint{Backend: Postgres, Port: 5432, What: "CNPG Cluster " + o.Name + " Service " + o.Name + suffix}
		}
	}
	for _, o := range Find(objs, CNPGAPIVersion, "Pooler") {
		eps[o.Namespace+"/"+o.Name] = Endpoint{Backend: Postgres, Port: 5432, What: "CNPG Pooler " + o.Name}
	}
	return eps, nil
}

// serviceBackend classifies s by the images of the workloads whose pods it
// selects; pods running images of different backends make it ambiguous.
func serviceBackend(s corev1.Service, workloads []Workload) (Backend, error) {
	if len(s.Spec.Selector) == 0 {
		return "", nil
	}
	sel := labels.SelectorFromSet(s.Spec.Selector)
	var found Backend
	for _, w := range workloads {
		if w.Namespace != s.Namespace || !sel.Matches(labels.Set(w.PodLabels)) {
			continue
		}
		for _, c := range w.Pod.Containers {
			b, ok := ImageBackend(c.Image)
			if !ok {
				continue
			}
			if found != "" && found != b {
				return "", fmt.Errorf("selects pods of both %s and %s", found, b)
			}
			found = b
		}
	}
	return found, nil
}

// ServiceName parses a host as the cluster DNS resolves it for a pod in
// namespace ns: "svc", "svc.ns", "svc.ns.svc" or "svc.ns.svc.cluster.local".
// ok is false for anything else (an IP, an external name, another domain).
func ServiceName(host, ns string) (key string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	switch {
	case len(parts) == 1:
		return ns + "/" + parts[0], true
	case len(parts) == 2:
		return parts[1] + "/" + parts[0], true
	case len(parts) == 3 && parts[2] == "svc":
		return parts[1] + "/" + parts[0], true
	case len(parts) == 5 && parts[2] == "svc" && parts[3] == "cluster" && parts[4] == "local":
		return parts[1] + "/" + parts[0], true
	}
	return "", false
}
