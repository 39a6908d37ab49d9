package v1alpha1

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// QuotaResources are the keys spec.resourceQuota.hard may set: the
// amounts the generator computes for the site's ResourceQuota, in the
// order it lists them (internal/budget.QuotaResources, which a test keeps
// equal). limits.cpu is not among them: discoursegen's pods set no CPU
// limit (defaultResources), and a quota on it would make the API server
// refuse every one of them.
func QuotaResources() []corev1.ResourceName {
	return []corev1.ResourceName{
		corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceLimitsMemory,
		corev1.ResourcePods, corev1.ResourcePersistentVolumeClaims, corev1.ResourceRequestsStorage,
	}
}

// quotaCounts are the QuotaResources that count objects, so take whole
// numbers only.
var quotaCounts = []corev1.ResourceName{corev1.ResourcePods, corev1.ResourcePersistentVolumeClaims}

// validate checks the keys and amounts of hard. Whether an amount is
// large enough for the site is the generator's to judge: it needs the
// rendered workloads.
func (r *ResourceQuota) validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	hard := path.Child("hard")
	supported := QuotaResources()
	names := make([]string, len(supported))
	for i, n := range supported {
		names[i] = string(n)
	}
	keys := make([]corev1.ResourceName, 0, len(r.Hard))
	for k := range r.Hard {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := hard.Key(string(k))
		q := r.Hard[k]
		switch {
		case k == corev1.ResourceCPU || k == corev1.ResourceMemory:
			errs = append(errs, invalid(p, string(k), "is not a key discoursegen sets: write requests.%s, which a ResourceQuota means by %s", k, k))
		case k == corev1.ResourceLimitsCPU:
			errs = append(errs, invalid(p, string(k), "is not allowed: discoursegen's pods set no CPU limit, and a quota on limits.cpu would make the API server refuse every one of them; the supported keys are %s", strings.Join(names, ", ")))
		case !slices.Contains(supported, k):
			errs = append(errs, invalid(p, string(k), "is not a resource discoursegen computes a quota for; the supported keys are %s", strings.Join(names, ", ")))
		case q.Sign() <= 0:
			errs = append(errs, invalid(p, q.String(), "must be positive, got %s: a quota of none refuses every pod or claim; remove the key to use the computed amount", q.String()))
		case slices.Contains(quotaCounts, k) && q.MilliValue()%1000 != 0:
			errs = append(errs, invalid(p, q.String(), "must be a whole number of objects, got %s", q.String()))
		}
	}
	return errs
}
