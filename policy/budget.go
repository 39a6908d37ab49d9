package policy

import (
	"fmt"
	"slices"
	"strings"

	"discoursegen.dev/discoursegen/internal/budget"
	corev1 "k8s.io/api/core/v1"
)

// quotaAliases are the ResourceQuota keys that mean the same as another:
// cpu and memory are requests.cpu and requests.memory (Kubernetes
// pkg/quota/v1/evaluator/core/pods.go).
var quotaAliases = map[corev1.ResourceName]corev1.ResourceName{
	corev1.ResourceCPU:    budget.RequestsCPU,
	corev1.ResourceMemory: budget.RequestsMemory,
}

// resourceNoun names a compute resource in a message.
var resourceNoun = map[corev1.ResourceName]string{
	budget.RequestsCPU:    "CPU request",
	budget.RequestsMemory: "memory request",
	budget.LimitsCPU:      "CPU limit",
	budget.LimitsMemory:   "memory limit",
}

// checkResourceQuota judges every ResourceQuota of the site against what
// the objects of its namespace need at maximum scale: autoscalers at
// their maximum, a rollout's surge, the Jobs, the database's extra
// instance. internal/budget counts it, the code the generator sizes its
// own quota with, so a quota discoursegen rendered passes until a patch
// lowers it or grows a workload past it. A quota that is too small does
// not fail a deploy: the API server refuses the pods it does not fit, and
// the Deployment or the autoscaler stalls with an event nobody reads.
//
// A quota with scopes (Terminating, PriorityClass, ...) charges only some
// pods, which the rule cannot tell from the output, so it is not judged.
// The rule sees the site's own objects: a second site in the same
// namespace shares the quota, and its pods are not counted here.
func checkResourceQuota(s *site) []Finding {
	var fs []Finding
	needs := map[string]budget.Need{}
	for _, o := range s.objs {
		if groupKind(o) != "ResourceQuota" {
			continue
		}
		var q corev1.ResourceQuota
		if !decode(o, &q) || len(q.Spec.Scopes) > 0 || q.Spec.ScopeSelector != nil {
			continue
		}
		ns := o.Ref.Namespace
		need, ok := needs[ns]
		if !ok {
			need = budget.Compute(ns, s.namespaceObjects(ns))
			needs[ns] = need
		}
		keys := make([]corev1.ResourceName, 0, len(q.Spec.Hard))
		for k := range q.Spec.Hard {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, key := range keys {
			hard := q.Spec.Hard[key]
			r := key
			if alias, ok := quotaAliases[key]; ok {
				r = alias
			}
			field := fmt.Sprintf("spec.hard[%s]", key)
			if who := need.Unset[r]; len(who) > 0 {
				fs = append(fs, Finding{Object: o.Ref, Field: field,
					Message: fmt.Sprintf("charges %s, but %d containers have no %s and no LimitRange of the namespace gives them one (%s): the API server refuses their pods; remove %s from the quota, or size every container or give the namespace a LimitRange default",
						key, len(who), resourceNoun[r], firstFew(who, 5), key)})
				continue
			}
			want, counted := need.Total[r]
			if !counted || hard.Cmp(want) >= 0 {
				continue
			}
			fs = append(fs, Finding{Object: o.Ref, Field: field,
				Message: fmt.Sprintf("allows %s, but the site needs %s at maximum scale, rollouts included (%s): the API server would refuse the pods that do not fit, and the autoscaler or the rollout stalls; raise it to at least %s",
					hard.String(), want.String(), need.Explain(r), want.String())})
		}
	}
	return fs
}

// namespaceObjects are the site's objects in one namespace, as maps.
func (s *site) namespaceObjects(ns string) []map[string]any {
	var out []map[string]any
	for _, o := range s.objs {
		if o.Ref.Namespace == ns {
			out = append(out, o.Raw)
		}
	}
	return out
}

// firstFew joins the first n items and says how many more there are.
func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
