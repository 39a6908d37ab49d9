package budget

import (
	"cmp"
	barmanv1 "discoursegen.dev/discoursegen/internal/thirdparty/barmancloud/v1"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// The resource names Compute counts, as a ResourceQuota spells them.
const (
	RequestsCPU     = corev1.ResourceRequestsCPU
	RequestsMemory  = corev1.ResourceRequestsMemory
	LimitsCPU       = corev1.ResourceLimitsCPU
	LimitsMemory    = corev1.ResourceLimitsMemory
	Pods            = corev1.ResourcePods
	Claims          = corev1.ResourcePersistentVolumeClaims
	RequestsStorage = corev1.ResourceRequestsStorage
)

// QuotaResources are the resources discoursegen's ResourceQuota holds, in
// the order it lists them. limits.cpu is not among them: discoursegen's
// pods deliberately set no CPU limit (a throttled Unicorn misses its
// timeouts while the node has idle cores), and a quota on limits.cpu
// would make the API server refuse every pod without one.
func QuotaResources() []corev1.ResourceName {
	return []corev1.ResourceName{RequestsCPU, RequestsMemory, LimitsMemory, Pods, Claims, RequestsStorage}
}

// Need is what a namespace needs at maximum scale.
type Need struct {
	// Total holds every resource of QuotaResources, and limits.cpu for a
	// quota a user adds it to.
	Total corev1.ResourceList
	// Parts are the objects that count, in the order of the input, each
	// with its share of Total.
	Parts []Part
	// Unset names, per compute resource (requests.cpu, requests.memory,
	// limits.cpu, limits.memory), the containers that have none even after
	// the LimitRange's defaults. A quota that holds the resource makes the
	// API server refuse their pods, whatever the amount.
	Unset map[corev1.ResourceName][]string
}

// Part is one object's share of a Need.
type Part struct {
	Kind, Name string
	// Pods is how many pods of the object can exist at once, and How says
	// why ("HorizontalPodAutoscaler forum-web max 10 + 3 rollout surge").
	Pods int64
	How  string
	// Amounts is the object's share of each resource of Need.Total.
	Amounts corev1.ResourceList
}

// Explain lists the parts that need some of r, largest first, for a
// message: "Deployment forum-web: 13 pods (...) 39Gi".
func (n Need) Explain(r corev1.ResourceName) string {
	parts := slices.Clone(n.Parts)
	slices.SortStableFunc(parts, func(a, b Part) int {
		qa, qb := a.Amounts[r], b.Amounts[r]
		return qb.Cmp(qa)
	})
	var out []string
	for _, p := range parts {
		q := p.Amounts[r]
		if q.IsZero() {
			continue
		}
		s := p.Kind + " " + p.Name
		if p.Pods > 0 {
			s += fmt.Sprintf(" %s (%s)", plural(p.Pods, "pod"), p.How)
		}
		out = append(out, s+" "+q.String())
	}
	return strings.Join(out, ", ")
}

// Compute counts what the objects of one namespace need at maximum scale;
// objects of other namespaces are ignored. An object that does not decode
// into its kind counts nothing: the schemas report it.
func Compute(namespace string, objs []map[string]any) Need {
	var in []*object
	for _, raw := range objs {
		o := newObject(raw)
		if o.namespace == namespace && o.name != "" {
			in = append(in, o)
		}
	}
	c := &counter{
		defaults: limitDefaults(in),
		scalers:  scalers(in),
		stores:   objectStores(in),
		total:    map[corev1.ResourceName]int64{},
		need:     Need{Unset: map[corev1.ResourceName][]string{}},
	}
	for _, o := range in {
		c.count(o)
	}
	c.need.Total = quantities(c.total)
	for _, r := range append(QuotaResources(), LimitsCPU) {
		if _, ok := c.need.Total[r]; !ok {
			c.need.Total[r] = quantity(r, 0)
		}
	}
	return c.need
}

// object is one input map with its identity.
type object struct {
	raw                          map[string]any
	group, kind, name, namespace string
}

func newObject(raw map[string]any) *object {
	apiVersion, _ := raw["apiVersion"].(string)
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		group = ""
	}
	kind, _ := raw["kind"].(string)
	return &object{raw: raw, group: group, kind: kind,
		name: str(raw, "metadata", "name"), namespace: str(raw, "metadata", "namespace")}
}

func (o *object) is(group, kind string) bool { return o.group == group && o.kind == kind }

// decode converts the object, or a part of it, into a typed one.
func decode(v any, into any) bool {
	m, ok := v.(map[string]any)
	return ok && runtime.DefaultUnstructuredConverter.FromUnstructured(m, into) == nil
}

// counter adds up the parts.
type counter struct {
	defaults defaults
	scalers  map[string]scaler
	stores   map[string]corev1.ResourceRequirements
	total    map[corev1.ResourceName]int64
	need     Need
}

// scaler is the largest count an autoscaler may set on a workload.
type scaler struct {
	max int64
	how string
}

// scalers finds the HorizontalPodAutoscalers and KEDA ScaledObjects of
// the namespace, by the kind and name they target. Where two target the
// same workload, the larger maximum counts.
func scalers(in []*object) map[string]scaler {
	out := map[string]scaler{}
	add := func(kind, name string, s scaler) {
		key := kind + "/" + name
		if old, ok := out[key]; !ok || s.max > old.max {
			out[key] = s
		}
	}
	for _, o := range in {
		switch {
		case o.is("autoscaling", "HorizontalPodAutoscaler"):
			var h autoscalingv2.HorizontalPodAutoscaler
			if decode(o.raw, &h) {
				add(h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name,
					scaler{int64(h.Spec.MaxReplicas), fmt.Sprintf("HorizontalPodAutoscaler %s max %d", o.name, h.Spec.MaxReplicas)})
			}
		case o.is("keda.sh", "ScaledObject"):
			// KEDA's defaults: KEDAMaxReplicaCount, a Deployment target.
			hi, ok := integer(o.raw, "spec", "maxReplicaCount")
			if !ok {
				hi = KEDAMaxReplicaCount
			}
			kind := cmp.Or(str(o.raw, "spec", "scaleTargetRef", "kind"), "Deployment")
			add(kind, str(o.raw, "spec", "scaleTargetRef", "name"),
				scaler{hi, fmt.Sprintf("ScaledObject %s max %d", o.name, hi)})
		}
	}
	return out
}

// replicas is a workload's most pods outside a rollout: its autoscaler's
// maximum, else its own count (1 when unset, the API's default).
func (c *counter) replicas(kind, name string, own *int32) (int64, string) {
	if s, ok := c.scalers[kind+"/"+name]; ok {
		return max(s.max, 0), s.how
	}
	n := int64(1)
	if own != nil {
		n = max(int64(*own), 0)
	}
	return n, plural(n, "replica")
}

// Surge is the extra pods a Deployment's rollout adds at n replicas:
// RollingUpdate's maxSurge, 25% when unset (the API's default strategy),
// a percentage rounded up as the Deployment controller rounds it.
// Recreate deletes the old pods before it creates new ones, so adds none.
// The policy's pod counts use it too, so the two cannot disagree.
func Surge(recreate bool, maxSurge *intstr.IntOrString, n int64) int64 {
	if recreate {
		return 0
	}
	ms := intstr.FromString("25%")
	if maxSurge != nil {
		ms = *maxSurge
	}
	v, err := intstr.GetScaledValueFromIntOrPercent(&ms, int(min(max(n, 0), math.MaxInt32)), true)
	if err != nil {
		return 0
	}
	return max(int64(v), 0)
}

// KEDAMaxReplicaCount is a ScaledObject's maxReplicaCount when unset
// (kedacore/keda apis/keda/v1alpha1/scaledobject_types.go).
const KEDAMaxReplicaCount = 100

// surge is Surge for a Deployment's strategy.
func surge(s *appsv1.DeploymentStrategy, n int64) int64 {
	var maxSurge *intstr.IntOrString
	if s != nil && s.RollingUpdate != nil {
		maxSurge = s.RollingUpdate.MaxSurge
	}
	return Surge(s != nil && s.Type == appsv1.RecreateDeploymentStrategyType, maxSurge, n)
}

func withSurge(n int64, how string, s *appsv1.DeploymentStrategy) (int64, string) {
	if extra := surge(s, n); extra > 0 {
		return add(n, extra), fmt.Sprintf("%s + %d rollout surge", how, extra)
	}
	return n, how
}

// The Barman Cloud plugin's name in a Cluster's spec.plugins, and its
// ObjectStore (plugin-barman-cloud api/v1).
const (
	barmanPlugin      = barmanv1.PluginName
	barmanGroup       = "barmancloud.cnpg.io"
	barmanObjectParam = "barmanObjectName"
)

// objectStores are the sidecar resources of each ObjectStore, by name.
func objectStores(in []*object) map[string]corev1.ResourceRequirements {
	out := map[string]corev1.ResourceRequirements{}
	for _, o := range in {
		if o.is(barmanGroup, "ObjectStore") {
			var r corev1.ResourceRequirements
			decode(dig(o.raw, "spec", "instanceSidecarConfiguration", "resources"), &r)
			out[o.name] = r
		}
	}
	return out
}

func (c *counter) count(o *object) {
	switch {
	case o.is("apps", "Deployment"):
		var d appsv1.Deployment
		if decode(o.raw, &d) {
			n, how := c.replicas("Deployment", o.name, d.Spec.Replicas)
			n, how = withSurge(n, how, &d.Spec.Strategy)
			c.pods(o, n, how, &d.Spec.Template.Spec)
		}
	case o.is("apps", "StatefulSet"):
		// No surge: the StatefulSet controller deletes a pod before it
		// creates its replacement. Its claims stay when it scales down,
		// so they count at the maximum too.
		var st appsv1.StatefulSet
		if decode(o.raw, &st) {
			n, how := c.replicas("StatefulSet", o.name, st.Spec.Replicas)
			p := c.pods(o, n, how, &st.Spec.Template.Spec)
			for _, t := range st.Spec.VolumeClaimTemplates {
				c.claims(p, n, t.Spec.Resources.Requests)
			}
		}
	case o.is("batch", "Job"):
		// Every Job counts as running: the migration Job (and an admin
		// Job) run while the app rolls out. A finished Job's pods are
		// Succeeded or Failed, which the quota no longer charges.
		var j batchv1.Job
		if decode(o.raw, &j) {
			n, how := parallelism(&j.Spec)
			c.pods(o, n, how, &j.Spec.Template.Spec)
		}
	case o.is("batch", "CronJob"):
		// One run at a time; overlapping runs (concurrencyPolicy Allow)
		// are what the headroom is for.
		var cj batchv1.CronJob
		if decode(o.raw, &cj) {
			n, how := parallelism(&cj.Spec.JobTemplate.Spec)
			c.pods(o, n, how, &cj.Spec.JobTemplate.Spec.Template.Spec)
		}
	case o.is("", "Pod"):
		var p corev1.Pod
		if decode(o.raw, &p) {
			c.pods(o, 1, "a bare pod", &p.Spec)
		}
	case o.is("", "PersistentVolumeClaim"):
		var pvc corev1.PersistentVolumeClaim
		if decode(o.raw, &pvc) {
			c.claims(c.part(o, 0, ""), 1, pvc.Spec.Resources.Requests)
		}
	case o.is("postgresql.cnpg.io", "Cluster"):
		c.cluster(o)
	case o.is("postgresql.cnpg.io", "Pooler"):
		c.pooler(o)
	}
	// A DaemonSet runs one pod per node, a number the output cannot know;
	// discoursegen renders none.
}

// parallelism is how many pods a Job runs at once: spec.parallelism
// (default 1), at most spec.completions.
func parallelism(s *batchv1.JobSpec) (int64, string) {
	n := int64(1)
	if s.Parallelism != nil {
		n = max(int64(*s.Parallelism), 0)
	}
	if s.Completions != nil {
		n = min(n, max(int64(*s.Completions), 0))
	}
	return n, fmt.Sprintf("parallelism %d", n)
}

// cluster counts a CloudNativePG Cluster: its instances and one more,
// because the operator creates a new instance (a join Job's pod, then
// the instance's pod, with fresh claims) before it removes the one it
// replaces, during a rolling update, a storage change or a recreated
// instance. Each pod runs postgres with spec.resources (the operator gives
// its bootstrap-controller init container the same) and, with the Barman
// Cloud plugin, the plugin's sidecar with its ObjectStore's
// spec.instanceSidecarConfiguration.resources. Claims: PGDATA, the WAL
// volume when there is one, and one per tablespace, per pod.
func (c *counter) cluster(o *object) {
	instances, ok := integer(o.raw, "spec", "instances")
	if !ok {
		instances = 1 // CloudNativePG's default
	}
	instances = max(instances, 0)
	var res corev1.ResourceRequirements
	decode(dig(o.raw, "spec", "resources"), &res)
	spec := corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "bootstrap-controller", Resources: res}},
		Containers:     []corev1.Container{{Name: "postgres", Resources: res}},
	}
	plugins, _ := dig(o.raw, "spec", "plugins").([]any)
	for _, p := range plugins {
		if str(p, "name") != barmanPlugin || dig(p, "enabled") == false {
			continue
		}
		// The plugin injects a native sidecar (an init container that
		// keeps running), which adds to the pod's sum. Without the
		// ObjectStore in the output it is unsized, and the LimitRange's
		// defaults size it, as they would in the cluster.
		always := corev1.ContainerRestartPolicyAlways
		spec.InitContainers = append(spec.InitContainers, corev1.Container{Name: "plugin-barman-cloud",
			RestartPolicy: &always, Resources: c.stores[str(p, "parameters", barmanObjectParam)]})
	}
	n := add(instances, 1)
	part := c.pods(o, n, fmt.Sprintf("%d instances + 1 the operator creates before it removes one", instances), &spec)
	volumes := []any{dig(o.raw, "spec", "storage")}
	if wal := dig(o.raw, "spec", "walStorage"); wal != nil {
		volumes = append(volumes, wal)
	}
	tablespaces, _ := dig(o.raw, "spec", "tablespaces").([]any)
	for _, t := range tablespaces {
		volumes = append(volumes, dig(t, "storage"))
	}
	for _, v := range volumes {
		c.claims(part, n, cnpgStorage(v))
	}
}

// cnpgStorage is the size of a CloudNativePG StorageConfiguration: size,
// else its pvcTemplate's request.
func cnpgStorage(v any) corev1.ResourceList {
	if s := str(v, "size"); s != "" {
		if q, err := resource.ParseQuantity(s); err == nil {
			return corev1.ResourceList{corev1.ResourceStorage: q}
		}
		return nil
	}
	var r corev1.ResourceRequirements
	decode(dig(v, "pvcTemplate", "resources"), &r)
	return r.Requests
}

// pooler counts a CloudNativePG Pooler: the operator runs PgBouncer as a
// Deployment of spec.instances pods (default 1), with
// spec.deploymentStrategy or, without one, the Deployment default (a
// RollingUpdate with 25% surge). Its pod is spec.template merged with the
// operator's pgbouncer container, which has no resources unless the
// template gives them, so the LimitRange's defaults size it.
func (c *counter) pooler(o *object) {
	instances, ok := integer(o.raw, "spec", "instances")
	if !ok {
		instances = 1
	}
	n, how := c.replicas("Pooler", o.name, ptr.To(int32(min(max(instances, 0), math.MaxInt32))))
	var strategy *appsv1.DeploymentStrategy
	if v := dig(o.raw, "spec", "deploymentStrategy"); v != nil {
		strategy = &appsv1.DeploymentStrategy{}
		decode(v, strategy)
	}
	n, how = withSurge(n, how, strategy)
	var spec corev1.PodSpec
	decode(dig(o.raw, "spec", "template", "spec"), &spec)
	if !slices.ContainsFunc(spec.Containers, func(c corev1.Container) bool { return c.Name == "pgbouncer" }) {
		spec.Containers = append(spec.Containers, corev1.Container{Name: "pgbouncer"})
	}
	c.pods(o, n, how, &spec)
}

// part starts an object's share.
func (c *counter) part(o *object, n int64, how string) *Part {
	c.need.Parts = append(c.need.Parts, Part{Kind: o.kind, Name: o.name, Pods: n, How: how})
	return &c.need.Parts[len(c.need.Parts)-1]
}

// pods charges n pods of spec to an object and returns its part, for
// claims to be added to (until the next part starts).
func (c *counter) pods(o *object, n int64, how string, spec *corev1.PodSpec) *Part {
	p := c.part(o, n, how)
	req, lim := c.pod(o, spec)
	c.charge(p, Pods, n)
	c.charge(p, RequestsCPU, mul(n, req[corev1.ResourceCPU]))
	c.charge(p, RequestsMemory, mul(n, req[corev1.ResourceMemory]))
	c.charge(p, LimitsCPU, mul(n, lim[corev1.ResourceCPU]))
	c.charge(p, LimitsMemory, mul(n, lim[corev1.ResourceMemory]))
	return p
}

// claims charges n claims of the requested storage to a part.
func (c *counter) claims(p *Part, n int64, requests corev1.ResourceList) {
	c.charge(p, Claims, n)
	if q, ok := requests[corev1.ResourceStorage]; ok {
		c.charge(p, RequestsStorage, mul(n, max(q.Value(), 0)))
	}
}

func (c *counter) charge(p *Part, r corev1.ResourceName, v int64) {
	if v == 0 && r != Pods && r != Claims {
		return
	}
	c.total[r] = add(c.total[r], v)
	if p.Amounts == nil {
		p.Amounts = corev1.ResourceList{}
	}
	old := p.Amounts[r]
	p.Amounts[r] = quantity(r, add(value(r, old), v))
}

// pod is one pod's requests and limits as the ResourceQuota admission
// plugin charges them (k8s.io/component-helpers resource.PodRequests and
// PodLimits): the containers' sum, or the largest init container if that
// is larger, because init containers run one at a time before the
// containers start; a sidecar (an init container with restartPolicy
// Always) keeps running, so it adds to the sum and to every init
// container after it. Pod overhead (RuntimeClass) is added. CPU is in
// millicores, memory in bytes.
func (c *counter) pod(o *object, spec *corev1.PodSpec) (req, lim map[corev1.ResourceName]int64) {
	req, lim = map[corev1.ResourceName]int64{}, map[corev1.ResourceName]int64{}
	for i := range spec.Containers {
		r, l := c.container(o, &spec.Containers[i])
		addTo(req, r)
		addTo(lim, l)
	}
	initReq, initLim := map[corev1.ResourceName]int64{}, map[corev1.ResourceName]int64{}
	sidecarReq, sidecarLim := map[corev1.ResourceName]int64{}, map[corev1.ResourceName]int64{}
	for i := range spec.InitContainers {
		ic := &spec.InitContainers[i]
		r, l := c.container(o, ic)
		if ic.RestartPolicy != nil && *ic.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			addTo(req, r)
			addTo(lim, l)
			addTo(sidecarReq, r)
			addTo(sidecarLim, l)
			r, l = sidecarReq, sidecarLim
		} else {
			addTo(r, sidecarReq)
			addTo(l, sidecarLim)
		}
		maxTo(initReq, r)
		maxTo(initLim, l)
	}
	maxTo(req, initReq)
	maxTo(lim, initLim)
	for name, q := range spec.Overhead {
		if name == corev1.ResourceCPU || name == corev1.ResourceMemory {
			req[name] = add(req[name], amount(name, q))
			if _, ok := lim[name]; ok {
				lim[name] = add(lim[name], amount(name, q))
			}
		}
	}
	return req, lim
}

// container is one container's CPU and memory requests and limits after
// the API server's defaulting and the LimitRange admission plugin: a
// request left out defaults to the container's own limit (core/v1
// SetDefaults_Pod), then what is still missing comes from the
// LimitRange's default and defaultRequest. What is still missing then is
// recorded in Unset.
func (c *counter) container(o *object, ctr *corev1.Container) (req, lim map[corev1.ResourceName]int64) {
	req, lim = map[corev1.ResourceName]int64{}, map[corev1.ResourceName]int64{}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := ctr.Resources.Limits[name]; ok {
			lim[name] = amount(name, q)
		} else if v, ok := c.defaults.limit[name]; ok {
			lim[name] = v
		}
		if q, ok := ctr.Resources.Requests[name]; ok {
			req[name] = amount(name, q)
		} else if q, ok := ctr.Resources.Limits[name]; ok {
			req[name] = amount(name, q)
		} else if v, ok := c.defaults.request[name]; ok {
			req[name] = v
		}
	}
	who := fmt.Sprintf("%s %s container %s", o.kind, o.name, ctr.Name)
	for name, quota := range map[corev1.ResourceName]corev1.ResourceName{
		corev1.ResourceCPU: RequestsCPU, corev1.ResourceMemory: RequestsMemory} {
		if _, ok := req[name]; !ok {
			c.unset(quota, who)
		}
	}
	for name, quota := range map[corev1.ResourceName]corev1.ResourceName{
		corev1.ResourceCPU: LimitsCPU, corev1.ResourceMemory: LimitsMemory} {
		if _, ok := lim[name]; !ok {
			c.unset(quota, who)
		}
	}
	return req, lim
}

func (c *counter) unset(r corev1.ResourceName, who string) {
	if !slices.Contains(c.need.Unset[r], who) {
		c.need.Unset[r] = append(c.need.Unset[r], who)
	}
}

// defaults are a namespace's LimitRange defaults for containers.
type defaults struct {
	request, limit map[corev1.ResourceName]int64
}

// limitDefaults merges the namespace's LimitRanges of type Container, by
// name: the admission plugin applies each in turn and only fills what is
// still missing, so the first to set a resource wins. A LimitRange's own
// defaulting is applied first (core/v1 SetDefaults_LimitRangeItem):
// default falls back to max, defaultRequest to default.
func limitDefaults(in []*object) defaults {
	d := defaults{request: map[corev1.ResourceName]int64{}, limit: map[corev1.ResourceName]int64{}}
	var ranges []corev1.LimitRange
	for _, o := range in {
		var lr corev1.LimitRange
		if o.is("", "LimitRange") && decode(o.raw, &lr) {
			ranges = append(ranges, lr)
		}
	}
	slices.SortFunc(ranges, func(a, b corev1.LimitRange) int { return cmp.Compare(a.Name, b.Name) })
	for _, lr := range ranges {
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				limit, hasLimit := item.Default[name]
				if !hasLimit {
					limit, hasLimit = item.Max[name]
				}
				request, hasRequest := item.DefaultRequest[name]
				if !hasRequest {
					request, hasRequest = limit, hasLimit
				}
				if _, set := d.limit[name]; hasLimit && !set {
					d.limit[name] = amount(name, limit)
				}
				if _, set := d.request[name]; hasRequest && !set {
					d.request[name] = amount(name, request)
				}
			}
		}
	}
	return d
}

// WithHeadroom is a quota for a need: each amount plus percent, rounded
// up to a step a reader takes in at a glance: CPU to 100m, memory to
// 128Mi below 4Gi and to 1Gi above, storage to 1Gi, counts to the next
// whole number. Resources other than QuotaResources and limits.cpu are
// left out.
func WithHeadroom(need corev1.ResourceList, percent int32) corev1.ResourceList {
	percent = max(percent, 0)
	out := corev1.ResourceList{}
	for r, q := range need {
		var step int64
		switch r {
		case RequestsCPU, LimitsCPU:
			step = 100
		case RequestsMemory, LimitsMemory:
			step = 128 << 20
		case RequestsStorage:
			step = 1 << 30
		case Pods, Claims:
			step = 1
		default:
			continue
		}
		v := max(value(r, q), 0)
		// v × (100 + percent) / 100, rounded up, without overflowing
		// on the way.
		grown := add(mul(v/100, int64(100+percent)), ceilDiv(v%100*int64(100+percent), 100))
		if (r == RequestsMemory || r == LimitsMemory) && grown > 4<<30 {
			step = 1 << 30
		}
		out[r] = quantity(r, mul(ceilDiv(grown, step), step))
	}
	return out
}

// value is a quota amount in Compute's units: millicores for CPU, bytes
// for memory and storage, a count for the rest.
func value(r corev1.ResourceName, q resource.Quantity) int64 {
	if r == RequestsCPU || r == LimitsCPU {
		return q.MilliValue()
	}
	return q.Value()
}

// amount is a container quantity in Compute's units; a negative one,
// which the API server refuses, counts as none.
func amount(name corev1.ResourceName, q resource.Quantity) int64 {
	if name == corev1.ResourceCPU {
		return max(q.MilliValue(), 0)
	}
	return max(q.Value(), 0)
}

func quantity(r corev1.ResourceName, v int64) resource.Quantity {
	switch r {
	case RequestsCPU, LimitsCPU:
		return *resource.NewMilliQuantity(v, resource.DecimalSI)
	case RequestsMemory, LimitsMemory, RequestsStorage:
		return *resource.NewQuantity(v, resource.BinarySI)
	}
	return *resource.NewQuantity(v, resource.DecimalSI)
}

func quantities(m map[corev1.ResourceName]int64) corev1.ResourceList {
	out := corev1.ResourceList{}
	for r, v := range m {
		out[r] = quantity(r, v)
	}
	return out
}

func addTo(dst, src map[corev1.ResourceName]int64) {
	for k, v := range src {
		dst[k] = add(dst[k], v)
	}
}

func maxTo(dst, src map[corev1.ResourceName]int64) {
	for k, v := range src {
		if old, ok := dst[k]; !ok || v > old {
			dst[k] = v
		}
	}
}

// add and mul saturate instead of wrapping: an absurd input (a fuzzed
// replica count, an exabyte volume) gives an absurd need, never a
// negative one.
func add(a, b int64) int64 {
	if s := a + b; (s > a) == (b > 0) {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

func mul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		if (a > 0) == (b > 0) {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return p
}

func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b > 0 {
		q++
	}
	return q
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// dig walks maps; nil when a step is missing.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := dig(v, path...).(string)
	return s
}

// integer reads a count as JSON decodes it (float64), as
// runtime.DefaultUnstructuredConverter writes it (int64), or as a string
// of digits.
func integer(v any, path ...string) (int64, bool) {
	switch n := dig(v, path...).(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n >= math.MinInt64 && n <= math.MaxInt64 && n == math.Trunc(n) {
			return int64(n), true
		}
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}
