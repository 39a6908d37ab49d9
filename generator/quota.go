package generator

import (
	"fmt"
	"maps"

	"discoursegen.dev/discoursegen/internal/budget"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The LimitRange's defaults, for containers nobody sized: pods a user or
// a tool adds to the namespace (a `kubectl run` shell, a Job started by
// hand) and the one container discoursegen leaves to the operator, the
// CloudNativePG Pooler's pgbouncer. They are modest on purpose: PgBouncer
// needs a few MiB plus about 2 KiB per connection, a debug shell less, and
// an unsized pod must not take the quota's headroom from a rollout.
// Without a memory limit default, such a container would have none, and
// the quota's limits.memory would make the API server refuse its pod.
var (
	limitRangeDefaultRequest = corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("128Mi"),
	}
	limitRangeDefaultLimit = corev1.ResourceList{
		corev1.ResourceMemory: resource.MustParse("256Mi"),
	}
)

// namespaceBudget is the site namespace's ResourceQuota and LimitRange.
// The quota is what every object rendered so far needs at maximum scale
// (autoscalers at their maximum, a rollout's surge, the migration Job,
// the database's extra instance; internal/budget counts it, the same code
// the policy rule resource-quota judges the final output with), plus
// spec.resourceQuota.headroomPercent, rounded up to readable amounts. The
// headroom is for what no manifest shows: pods terminating during their
// grace period, which the quota still charges but a Deployment's surge
// does not count, a CronJob's overlapping run, a debug pod. Amounts in
// spec.resourceQuota.hard replace the computed ones (budgetErrors refuses
// any below the need).
//
// Both objects are in the data stage: the LimitRange's defaults apply
// only to pods created after it, and the quota must be in place before
// the first pod it is to count. Neither carries a component label: like
// the Namespace, they belong to every component.
func (d *site) namespaceBudget(objs []Object) []Object {
	limits := d.limitRange()
	need := d.budgetNeed(append(objs[:len(objs):len(objs)], limits))
	hard := corev1.ResourceList{}
	for _, r := range budget.QuotaResources() {
		hard[r] = need.Total[r]
	}
	hard = budget.WithHeadroom(hard, *d.Spec.ResourceQuota.HeadroomPercent)
	maps.Copy(hard, d.Spec.ResourceQuota.Hard)
	quota := &corev1.ResourceQuota{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
		ObjectMeta: d.objectMeta(d.budgetName(), componentNone, StageData),
		Spec:       corev1.ResourceQuotaSpec{Hard: hard},
	}
	return []Object{quota, limits}
}

// limitRange gives every container of the namespace that sets no CPU or
// memory request and no memory limit the defaults above. It sets no max
// or min: a max would refuse the site's own pods the day a profile or a
// user sizes them larger, and the quota already bounds the total. It sets
// no CPU limit default either, for the reason the quota has no limits.cpu.
func (d *site) limitRange() *corev1.LimitRange {
	return &corev1.LimitRange{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "LimitRange"},
		ObjectMeta: d.objectMeta(d.budgetName(), componentNone, StageData),
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Default:        limitRangeDefaultLimit.DeepCopy(),
			DefaultRequest: limitRangeDefaultRequest.DeepCopy(),
		}}},
	}
}

// budgetNeed converts the typed objects to the maps internal/budget reads
// (as the API server would receive them) and counts the namespace's need.
func (d *site) budgetNeed(objs []Object) budget.Need {
	raws := make([]map[string]any, 0, len(objs))
	for _, o := range objs {
		// Every Object is a pointer to a struct with JSON tags, which
		// the converter always takes.
		if raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o); err == nil {
			raws = append(raws, raw)
		}
	}
	return budget.Compute(d.Spec.Namespace, raws)
}

// budgetErrors refuses an amount in spec.resourceQuota.hard below what
// the site needs at maximum scale: the API server would refuse pods of a
// rollout or of an autoscaler at its maximum, and the site would stall
// where nobody looks. It renders the site to know the need, so it runs
// after Validate, on a valid site; it is nil without hard amounts.
func (d *site) budgetErrors() field.ErrorList {
	q := &d.Spec.ResourceQuota
	if !*q.Enabled || len(q.Hard) == 0 {
		return nil
	}
	need := d.budgetNeed(d.objects())
	path := field.NewPath("spec", "resourceQuota", "hard")
	var errs field.ErrorList
	for _, r := range budget.QuotaResources() {
		got, ok := q.Hard[r]
		if want := need.Total[r]; ok && got.Cmp(want) < 0 {
			errs = append(errs, field.Invalid(path.Key(string(r)), got.String(), fmt.Sprintf(
				"is below what the site needs at maximum scale, rollouts included: %s (%s); raise it, or remove it to use the computed amount with headroom",
				want.String(), need.Explain(r))))
		}
	}
	return errs
}
