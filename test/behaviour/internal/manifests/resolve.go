package manifests

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Resolver computes a container's environment the way the kubelet does and
// then moves it from the cluster onto the test machine: Service DNS names of
// the site become the loopback address of the test server playing that
// Service's backend, and the Service's port becomes that server's port.
type Resolver struct {
	// Namespace is the pod's; bare Service names resolve in it.
	Namespace string
	// Endpoints is what Endpoints returns for the env's objects.
	Endpoints map[string]Endpoint
	// Servers are the test servers, "127.0.0.1:port" per backend.
	Servers map[Backend]string
	// Secret returns the test's value for key of Secret name (the tests
	// never see real Secret data; discoursegen never renders any).
	Secret func(name, key string) string
	// ConfigMaps holds the data of the env's ConfigMaps by "namespace/name".
	ConfigMaps map[string]map[string]string
	// Unreached are variables whose hosts the check never contacts (the
	// site's public CDN, say); they keep their rendered values.
	Unreached map[string]bool
}

// ConfigMapData collects the data of every ConfigMap in objs, for
// Resolver.ConfigMaps.
func ConfigMapData(objs []Object) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, o := range Find(objs, "v1", "ConfigMap") {
		var cm corev1.ConfigMap
		if err := o.Decode(&cm); err != nil {
			return nil, err
		}
		out[cm.Namespace+"/"+cm.Name] = cm.Data
	}
	return out, nil
}

// EnvVar is one resolved variable.
type EnvVar struct{ Name, Value string }

// Env returns c's environment as the process would see it, mapped onto the
// test servers, and the backends whose Services it names (so a caller can
// tell a container that talks to a server from one that does not). It fails
// on every source or value it cannot reproduce faithfully.
func (r Resolver) Env(c corev1.Container) ([]EnvVar, []Backend, error) {
	var vars []EnvVar
	set := func(name, value string) {
		for i := range vars {
			if vars[i].Name == name {
				vars[i].Value = value
				return
			}
		}
		vars = append(vars, EnvVar{name, value})
	}
	lookup := func(name string) (string, bool) {
		for _, v := range vars {
			if v.Name == name {
				return v.Value, true
			}
		}
		return "", false
	}
	var errs []error
	// The kubelet applies envFrom first and env after it, so env wins.
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			data, ok := r.ConfigMaps[r.Namespace+"/"+from.ConfigMapRef.Name]
			if !ok {
				if from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional {
					continue
				}
				errs = append(errs, fmt.Errorf("envFrom: ConfigMap %s is not among the rendered objects", from.ConfigMapRef.Name))
				continue
			}
			for k, v := range data {
				set(from.Prefix+k, v)
			}
		default:
			errs = append(errs, fmt.Errorf("envFrom %+v: only configMapRef is modelled (a Secret's keys are unknown to the tests)", from))
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			set(e.Name, expand(e.Value, lookup))
		case e.ValueFrom.SecretKeyRef != nil:
			set(e.Name, r.Secret(e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key))
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			v, ok := r.ConfigMaps[r.Namespace+"/"+ref.Name][ref.Key]
			if !ok {
				if ref.Optional != nil && *ref.Optional {
					continue
				}
				errs = append(errs, fmt.Errorf("env %s: key %q of ConfigMap %s is not among the rendered objects", e.Name, ref.Key, ref.Name))
				continue
			}
			set(e.Name, v)
		default:
			errs = append(errs, fmt.Errorf("env %s: valueFrom %+v is not modelled", e.Name, *e.ValueFrom))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return r.mapToServers(vars)
}

var (
	hostPortRE = regexp.MustCompile(`^([A-Za-z0-9.-]+):([0-9]+)$`)
	// hostVarRE matches variable names that hold a host or an address. A
	// value in one of them that no Service of the site explains is an error.
	// *_HOSTNAME is left out on purpose: Discourse uses it for its own
	// public name and for the scheduler's pod hostname, not for a peer.
	hostVarRE = regexp.MustCompile(`(HOST|HOSTS|ADDR|ADDRESS|SERVER|SERVERS|ENDPOINT|URL)$`)
)

// mapToServers rewrites Service names and their ports to the test servers,
// and returns the backends named.
func (r Resolver) mapToServers(vars []EnvVar) ([]EnvVar, []Backend, error) {
	var errs []error
	used := map[int32]Backend{} // Service ports of the endpoints this container names
	server := func(host string) (string, bool, error) {
		key, ok := ServiceName(host, r.Namespace)
		if !ok {
			return "", false, nil
		}
		ep, ok := r.Endpoints[key]
		if !ok {
			return "", false, nil
		}
		if ep.Backend == "" {
			return "", true, fmt.Errorf("%s names %s, which no test server can play", host, ep.What)
		}
		addr, ok := r.Servers[ep.Backend]
		if !ok {
			return "", true, fmt.Errorf("%s names %s (%s), but the test started no %s server", host, ep.What, ep.Backend, ep.Backend)
		}
		if b, dup := used[ep.Port]; dup && b != ep.Backend {
			return "", true, fmt.Errorf("port %d belongs to both a %s and a %s Service; cannot tell which test server it means", ep.Port, b, ep.Backend)
		}
		used[ep.Port] = ep.Backend
		return addr, true, nil
	}
	out := make([]EnvVar, len(vars))
	copy(out, vars)
	for i, v := range out {
		switch {
		case r.Unreached[v.Name]:
		case strings.Contains(v.Value, "://"):
			u, err := url.Parse(v.Value)
			if err != nil || u.Hostname() == "" {
				errs = append(errs, fmt.Errorf("env %s=%q: a URL the tests cannot parse", v.Name, v.Value))
				continue
			}
			addr, ok, err := server(u.Hostname())
			if err != nil || !ok {
				errs = append(errs, fmt.Errorf("env %s=%q: cannot map host %q to a test server: %v", v.Name, v.Value, u.Hostname(), err))
				continue
			}
			u.Host = addr
			out[i].Value = u.String()
		case hostPortRE.MatchString(v.Value):
			m := hostPortRE.FindStringSubmatch(v.Value)
			addr, ok, err := server(m[1])
			if err != nil || !ok {
				errs = append(errs, fmt.Errorf("env %s=%q: cannot map host %q to a test server: %v", v.Name, v.Value, m[1], err))
				continue
			}
			out[i].Value = addr
		default:
			addr, ok, err := server(v.Value)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("env %s: %w", v.Name, err))
			case ok:
				host, _, _ := net.SplitHostPort(addr)
				out[i].Value = host
			case looksLikeHost(v.Name, v.Value):
				errs = append(errs, fmt.Errorf("env %s=%q looks like a host, but it is no Service, Pooler or CNPG Cluster Service of the site; the tests cannot map it to a test server", v.Name, v.Value))
			}
		}
	}
	// Ports second, once it is known which Services the container talks to:
	// a bare "5432" only means the PostgreSQL server if the container also
	// names a PostgreSQL Service.
	for i, v := range out {
		n, err := strconv.ParseInt(v.Value, 10, 32)
		if err != nil {
			continue
		}
		if b, ok := used[int32(n)]; ok {
			_, port, _ := net.SplitHostPort(r.Servers[b])
			out[i].Value = port
		}
	}
	var backends []Backend
	for _, b := range used {
		if !slices.Contains(backends, b) {
			backends = append(backends, b)
		}
	}
	slices.Sort(backends)
	return out, backends, errors.Join(errs...)
}

func looksLikeHost(name, value string) bool {
	if value == "" {
		return false
	}
	return strings.Contains(value, ".svc") || strings.HasSuffix(value, ".cluster.local") ||
		net.ParseIP(value) != nil || value == "localhost" || hostVarRE.MatchString(name)
}

// Command returns c's command and args with $(VAR) references expanded as
// the kubelet does. A container without a command runs the image's
// ENTRYPOINT, which the manifests do not say, so that is an error.
func Command(c corev1.Container, env []EnvVar) ([]string, error) {
	if len(c.Command) == 0 {
		return nil, fmt.Errorf("container %s has no command: it runs the image's ENTRYPOINT, which the tests cannot know", c.Name)
	}
	lookup := func(name string) (string, bool) {
		for _, v := range env {
			if v.Name == name {
				return v.Value, true
			}
		}
		return "", false
	}
	var argv []string
	for _, s := range append(append([]string{}, c.Command...), c.Args...) {
		argv = append(argv, expand(s, lookup))
	}
	return argv, nil
}

// expand implements the kubelet's $(VAR) syntax: $(NAME) becomes NAME's
// value when NAME is defined and stays as written otherwise, "$$" is a
// literal "$", and any other "$" is left alone. Shell syntax such as "$VAR"
// or "${VAR}" is untouched: the shell sees it.
func expand(s string, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

// ServicesInCommand returns the Service names of the site that appear as
// words in argv. Hosts are only mapped in env values, so a script that
// names a Service in its text would run against the wrong host; callers
// treat a non-empty result as an error.
func (r Resolver) ServicesInCommand(argv []string) []string {
	var found []string
	for _, a := range argv {
		words := strings.FieldsFunc(a, func(c rune) bool {
			return !(c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
		})
		for _, w := range words {
			if key, ok := ServiceName(w, r.Namespace); ok {
				if _, ok := r.Endpoints[key]; ok && !slices.Contains(found, w) {
					found = append(found, w)
				}
			}
		}
	}
	return found
}
