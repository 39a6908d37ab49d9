package policy

import (
	"cmp"
	"discoursegen.dev/discoursegen/internal/budget"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"discoursegen.dev/discoursegen/schemas"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Object is one rendered object as the rules see it: its identity, its
// content as JSON decodes it, and its size as the API server receives it.
type Object struct {
	Ref Ref
	// Raw is the object as json.Unmarshal decodes it into a map.
	Raw map[string]any
	// Size is the length of its JSON encoding, which is what a client
	// sends and about what etcd stores.
	Size int
}

// NewObject makes an Object of a decoded map. A json.Number in it (a map
// decoded with exact numbers, as schemas.DecodeObject gives it) becomes
// the int64 or float64 json.Unmarshal would have given; raw itself is not
// changed.
func NewObject(raw map[string]any) (Object, error) {
	raw = schemas.GoNumbers(raw).(map[string]any)
	data, err := json.Marshal(raw)
	if err != nil {
		return Object{}, err
	}
	meta, _ := raw["metadata"].(map[string]any)
	kind, _ := raw["kind"].(string)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	if kind == "" || name == "" {
		return Object{}, fmt.Errorf("an object without kind or metadata.name (kind %q, name %q)", kind, name)
	}
	return Object{Ref: Ref{Kind: kind, Namespace: ns, Name: name}, Raw: raw, Size: len(data)}, nil
}

// ReadObjects decodes a stream of YAML or JSON documents; empty documents
// are skipped.
func ReadObjects(r io.Reader) ([]Object, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseObjects(data)
}

// ParseObjects is ReadObjects on bytes. It decodes as the schema
// validator does (schemas.DecodeObjects), so a check of rendered output
// reads each object the way its validation did.
func ParseObjects(data []byte) ([]Object, error) {
	raws, err := schemas.DecodeObjects(data)
	if err != nil {
		return nil, err
	}
	out := make([]Object, 0, len(raws))
	for _, raw := range raws {
		o, err := NewObject(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (o *Object) annotations() map[string]string { return o.stringMap("metadata", "annotations") }
func (o *Object) labels() map[string]string      { return o.stringMap("metadata", "labels") }

func (o *Object) stringMap(path ...string) map[string]string {
	m, _ := nested(o.Raw, path...).(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// nested walks maps; nil when a step is missing or not a map.
func nested(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// nestedInt reads an integer field, as JSON decodes it (float64) or as a
// string of digits (CNPG and PgBouncer parameters are strings).
func nestedInt(v any, path ...string) (int64, bool) {
	switch n := nested(v, path...).(type) {
	case float64:
		return int64(n), n == float64(int64(n))
	case int64:
		return n, true
	case int:
		return int64(n), true
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

func nestedString(v any, path ...string) string {
	s, _ := nested(v, path...).(string)
	return s
}

// decode converts the raw object into a typed one; false when it does not
// fit (the schemas report why).
func decode(o *Object, into any) bool {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(o.Raw, into) == nil
}

// workload is anything that runs pods from a template: Deployment,
// StatefulSet, Job. CronJobs and bare Pods are not rendered by
// discoursegen; a patch that adds one is judged by the rules that read
// objects, not by the pod rules.
type workload struct {
	obj  *Object
	ref  Ref
	kind string
	// podField is the path of the pod spec in the object, for findings.
	podField string
	podMeta  metav1.ObjectMeta
	pod      corev1.PodSpec
	// replicas is spec.replicas as written; nil when absent.
	replicas *int32
	recreate bool
	maxSurge *intstr.IntOrString
	job      *batchv1.Job
	scaler   *scaler
}

// scaler is an HPA or a KEDA ScaledObject that owns a workload's count.
type scaler struct {
	ref      Ref
	min, max int32
}

// ceiling is the most pods the workload runs when no rollout is under way.
func (w *workload) ceiling() int32 {
	switch {
	case w.job != nil:
		if p := w.job.Spec.Parallelism; p != nil {
			return *p
		}
		return 1
	case w.scaler != nil:
		return w.scaler.max
	case w.replicas != nil:
		return *w.replicas
	}
	return 1
}

// floor is the fewest pods the workload runs: the autoscaler's minimum or
// the fixed count.
func (w *workload) floor() int32 {
	if w.scaler != nil {
		return w.scaler.min
	}
	return w.ceiling()
}

// surge is the extra pods a rollout adds at the ceiling: a Deployment's
// RollingUpdate maxSurge (default 25%, a percentage rounded up, as the
// Deployment controller resolves it). Recreate, a StatefulSet and a Job
// never run old and new pods side by side.
func (w *workload) surge() int32 {
	if w.kind != "Deployment" {
		return 0
	}
	return int32(budget.Surge(w.recreate, w.maxSurge, int64(w.ceiling())))
}

// maxPods is the most pods of the workload that can exist at once.
func (w *workload) maxPods() int32 { return w.ceiling() + w.surge() }

// containers are the init containers, then the containers, each with its
// field path.
func (w *workload) containers() []fieldContainer {
	var out []fieldContainer
	for i := range w.pod.InitContainers {
		out = append(out, fieldContainer{c: &w.pod.InitContainers[i], field: fmt.Sprintf("%s.initContainers[%d]", w.podField, i), init: true})
	}
	for i := range w.pod.Containers {
		out = append(out, fieldContainer{c: &w.pod.Containers[i], field: fmt.Sprintf("%s.containers[%d]", w.podField, i)})
	}
	return out
}

type fieldContainer struct {
	c     *corev1.Container
	field string
	init  bool
}

// site is one Discourse site's share of an output: the objects labelled
// with its instance name, and the unlabelled objects of its namespaces.
type site struct {
	name       string
	objs       []*Object
	namespaces map[string]*corev1.Namespace
	configMaps map[Ref]*corev1.ConfigMap
	workloads  []*workload
	pdbs       []typed[policyv1.PodDisruptionBudget]
	netpols    []typed[networkingv1.NetworkPolicy]
	ingresses  []typed[networkingv1.Ingress]
	// CloudNativePG and KEDA objects stay maps: the rules read a handful
	// of fields, and the mirrors in internal/thirdparty hold only what the
	// generator writes.
	clusters []*Object
	poolers  []*Object
}

type typed[T any] struct {
	obj *Object
	v   T
}

// instanceLabel is the label that names the site of an object.
const instanceLabel = "app.kubernetes.io/instance"

// sites groups an output by site. Objects without the instance label go to
// every site that has objects in their namespace (or to every site, for
// cluster-scoped ones); an output without any label is one site.
func sites(objs []Object) []*site {
	byName := map[string]*site{}
	var names []string
	nsSites := map[string][]string{}
	for i := range objs {
		o := &objs[i]
		name := o.labels()[instanceLabel]
		if name == "" {
			continue
		}
		if byName[name] == nil {
			byName[name] = newSite(name)
			names = append(names, name)
		}
		byName[name].objs = append(byName[name].objs, o)
		ns := o.Ref.Namespace
		if o.Ref.Kind == "Namespace" {
			ns = o.Ref.Name
		}
		if !slices.Contains(nsSites[ns], name) {
			nsSites[ns] = append(nsSites[ns], name)
		}
	}
	if len(names) == 0 {
		names = []string{""}
		byName[""] = newSite("")
	}
	slices.Sort(names)
	for i := range objs {
		o := &objs[i]
		if o.labels()[instanceLabel] != "" {
			continue
		}
		targets := nsSites[o.Ref.Namespace]
		if o.Ref.Namespace == "" || len(targets) == 0 {
			targets = names
		}
		for _, n := range targets {
			byName[n].objs = append(byName[n].objs, o)
		}
	}
	out := make([]*site, 0, len(names))
	for _, n := range names {
		s := byName[n]
		s.index()
		out = append(out, s)
	}
	return out
}

func newSite(name string) *site {
	return &site{name: name, namespaces: map[string]*corev1.Namespace{}, configMaps: map[Ref]*corev1.ConfigMap{}}
}

// index decodes the objects the rules read, in a fixed order, so that a
// report never depends on the order of the output.
func (s *site) index() {
	slices.SortStableFunc(s.objs, func(a, b *Object) int {
		return cmp.Or(cmp.Compare(a.Ref.Kind, b.Ref.Kind), cmp.Compare(a.Ref.Namespace, b.Ref.Namespace), cmp.Compare(a.Ref.Name, b.Ref.Name))
	})
	var scalers []typed[scaleTarget]
	for _, o := range s.objs {
		switch gk := groupKind(o); gk {
		case "Namespace":
			var ns corev1.Namespace
			if decode(o, &ns) {
				s.namespaces[ns.Name] = &ns
			}
		case "ConfigMap":
			var cm corev1.ConfigMap
			if decode(o, &cm) {
				s.configMaps[o.Ref] = &cm
			}
		case "apps/Deployment":
			var d appsv1.Deployment
			if decode(o, &d) {
				w := &workload{obj: o, ref: o.Ref, kind: "Deployment", podField: "spec.template.spec",
					podMeta: d.Spec.Template.ObjectMeta, pod: d.Spec.Template.Spec, replicas: d.Spec.Replicas,
					recreate: d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType}
				if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
					w.maxSurge = ru.MaxSurge
				}
				s.workloads = append(s.workloads, w)
			}
		case "apps/StatefulSet":
			var st appsv1.StatefulSet
			if decode(o, &st) {
				s.workloads = append(s.workloads, &workload{obj: o, ref: o.Ref, kind: "StatefulSet", podField: "spec.template.spec",
					podMeta: st.Spec.Template.ObjectMeta, pod: st.Spec.Template.Spec, replicas: st.Spec.Replicas})
			}
		case "batch/Job":
			var j batchv1.Job
			if decode(o, &j) {
				s.workloads = append(s.workloads, &workload{obj: o, ref: o.Ref, kind: "Job", podField: "spec.template.spec",
					podMeta: j.Spec.Template.ObjectMeta, pod: j.Spec.Template.Spec, job: &j})
			}
		case "autoscaling/HorizontalPodAutoscaler":
			var h autoscalingv2.HorizontalPodAutoscaler
			if decode(o, &h) {
				lo := int32(1)
				if h.Spec.MinReplicas != nil {
					lo = *h.Spec.MinReplicas
				}
				scalers = append(scalers, typed[scaleTarget]{o, scaleTarget{h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name, lo, h.Spec.MaxReplicas}})
			}
		case "keda.sh/ScaledObject":
			// KEDA's defaults: minReplicaCount 0, maxReplicaCount
			// budget.KEDAMaxReplicaCount.
			lo, _ := nestedInt(o.Raw, "spec", "minReplicaCount")
			hi, ok := nestedInt(o.Raw, "spec", "maxReplicaCount")
			if !ok {
				hi = budget.KEDAMaxReplicaCount
			}
			kind := nestedString(o.Raw, "spec", "scaleTargetRef", "kind")
			if kind == "" {
				kind = "Deployment"
			}
			scalers = append(scalers, typed[scaleTarget]{o, scaleTarget{kind, nestedString(o.Raw, "spec", "scaleTargetRef", "name"), int32(lo), int32(hi)}})
		case "policy/PodDisruptionBudget":
			var p policyv1.PodDisruptionBudget
			if decode(o, &p) {
				s.pdbs = append(s.pdbs, typed[policyv1.PodDisruptionBudget]{o, p})
			}
		case "networking.k8s.io/NetworkPolicy":
			var p networkingv1.NetworkPolicy
			if decode(o, &p) {
				s.netpols = append(s.netpols, typed[networkingv1.NetworkPolicy]{o, p})
			}
		case "networking.k8s.io/Ingress":
			var in networkingv1.Ingress
			if decode(o, &in) {
				s.ingresses = append(s.ingresses, typed[networkingv1.Ingress]{o, in})
			}
		case "postgresql.cnpg.io/Cluster":
			s.clusters = append(s.clusters, o)
		case "postgresql.cnpg.io/Pooler":
			s.poolers = append(s.poolers, o)
		}
	}
	for _, sc := range scalers {
		for _, w := range s.workloads {
			if w.kind == sc.v.kind && w.ref.Name == sc.v.name && w.ref.Namespace == sc.obj.Ref.Namespace {
				w.scaler = &scaler{ref: sc.obj.Ref, min: sc.v.min, max: sc.v.max}
			}
		}
	}
}

type scaleTarget struct {
	kind, name string
	min, max   int32
}

// groupKind is "group/Kind", or "Kind" for the core group.
func groupKind(o *Object) string {
	apiVersion, _ := o.Raw["apiVersion"].(string)
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return o.Ref.Kind
	}
	return group + "/" + o.Ref.Kind
}

// profile is the site's discoursegen profile, from the annotation the
// generator puts on its Namespace. A site whose profile is unknown is
// judged as production: the stricter rules are the safe guess.
func (s *site) profile() string {
	for _, ns := range s.namespaces {
		if p := ns.Annotations[ProfileAnnotation]; p != "" {
			return p
		}
	}
	return "production"
}

// ProfileAnnotation on a site's Namespace names the profile it was
// rendered with; production turns on the production-only rules.
const ProfileAnnotation = "discoursegen.dev/profile"

// envValue is what a container's variable resolves to.
type envValue struct {
	value string
	set   bool
	// literal is true when the value is written in the object (env value
	// or a ConfigMap of the output), false for secretKeyRef and friends.
	literal bool
}

// env resolves a container variable the way the kubelet does: env
// entries win over envFrom, a later entry over an earlier one, and
// envFrom ConfigMaps are looked up in the output.
func (s *site) env(w *workload, c *corev1.Container, name string) envValue {
	for i := len(c.Env) - 1; i >= 0; i-- {
		e := c.Env[i]
		if e.Name != name {
			continue
		}
		if e.ValueFrom != nil {
			return envValue{set: true}
		}
		return envValue{value: e.Value, set: true, literal: true}
	}
	for i := len(c.EnvFrom) - 1; i >= 0; i-- {
		src := c.EnvFrom[i]
		if src.ConfigMapRef == nil {
			continue
		}
		cm := s.configMaps[Ref{Kind: "ConfigMap", Namespace: w.ref.Namespace, Name: src.ConfigMapRef.Name}]
		if cm == nil {
			continue
		}
		if v, ok := cm.Data[strings.TrimPrefix(name, src.Prefix)]; ok && strings.HasPrefix(name, src.Prefix) {
			return envValue{value: v, set: true, literal: true}
		}
	}
	return envValue{}
}

// envInt is an integer variable, or def when it is unset or not a
// literal integer.
func (s *site) envInt(w *workload, c *corev1.Container, name string, def int64) int64 {
	v := s.env(w, c, name)
	if !v.literal {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.value), 10, 64)
	if err != nil {
		return def
	}
	return n
}

// role is what a Discourse container runs.
type role int

const (
	roleNone    role = iota // not a Discourse container
	roleWeb                 // Unicorn, through /sbin/boot or unicorn_launcher
	roleSidekiq             // bundle exec sidekiq
	roleRake                // bundle exec rake (the migration Jobs)
)

// roleOf tells a Discourse container by its settings: every one needs
// DISCOURSE_HOSTNAME or DISCOURSE_DB_HOST, which no other image reads.
func (s *site) roleOf(w *workload, c *corev1.Container) role {
	if !s.env(w, c, "DISCOURSE_HOSTNAME").set && !s.env(w, c, "DISCOURSE_DB_HOST").set {
		return roleNone
	}
	words := append(slices.Clone(c.Command), c.Args...)
	switch {
	case slices.Contains(words, "sidekiq"):
		return roleSidekiq
	case slices.Contains(words, "rake"):
		return roleRake
	}
	return roleWeb
}

// sidekiqs counts the Sidekiq processes of a container: one for a
// standalone Sidekiq, UNICORN_SIDEKIQS for Unicorn, which forks that many
// (discourse/discourse config/unicorn.conf.rb: sidekiqs =
// ENV["UNICORN_SIDEKIQS"].to_i).
func (s *site) sidekiqs(w *workload, c *corev1.Container) int64 {
	switch s.roleOf(w, c) {
	case roleSidekiq:
		return 1
	case roleWeb:
		return max(0, s.envInt(w, c, "UNICORN_SIDEKIQS", 0))
	}
	return 0
}

// railsProcesses counts the processes of a container that each open their
// own database pool: Unicorn's workers (discourse/discourse
// config/unicorn.conf.rb: worker_processes (ENV["UNICORN_WORKERS"] ||
// 3).to_i) and forked Sidekiqs, or the one Sidekiq or rake process.
func (s *site) railsProcesses(w *workload, c *corev1.Container) int64 {
	switch s.roleOf(w, c) {
	case roleWeb:
		return max(0, s.envInt(w, c, "UNICORN_WORKERS", 3)) + s.sidekiqs(w, c)
	case roleSidekiq, roleRake:
		return 1
	}
	return 0
}

// discourse reports whether a workload runs Discourse, with the first
// Discourse container.
func (s *site) discourse(w *workload) (*corev1.Container, bool) {
	for i := range w.pod.Containers {
		if s.roleOf(w, &w.pod.Containers[i]) != roleNone {
			return &w.pod.Containers[i], true
		}
	}
	return nil, false
}
