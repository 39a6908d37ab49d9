package v1alpha1

import (
	"slices"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/internal/budget"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestQuotaResourcesMatchBudget: the keys a config may set are the ones
// the generator computes.
func TestQuotaResourcesMatchBudget(t *testing.T) {
	if !slices.Equal(QuotaResources(), budget.QuotaResources()) {
		t.Errorf("api allows %v, internal/budget computes %v", QuotaResources(), budget.QuotaResources())
	}
}

func TestResourceQuotaValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		hard corev1.ResourceList
		// want are field path and detail fragment pairs, in order.
		want [][2]string
	}{
		{"supported-amounts", corev1.ResourceList{
			"requests.cpu": resource.MustParse("16"), "requests.memory": resource.MustParse("64Gi"), "limits.memory": resource.MustParse("128Gi"),
			"pods": resource.MustParse("50"), "persistentvolumeclaims": resource.MustParse("12"), "requests.storage": resource.MustParse("1Ti"),
		}, nil},
		{"alias-cpu", corev1.ResourceList{"cpu": resource.MustParse("16")},
			[][2]string{{"spec.resourceQuota.hard[cpu]", "write requests.cpu"}}},
		{"limits-cpu", corev1.ResourceList{"limits.cpu": resource.MustParse("16")},
			[][2]string{{"spec.resourceQuota.hard[limits.cpu]", "set no CPU limit"}}},
		{"unknown-key", corev1.ResourceList{"count/secrets": resource.MustParse("3")},
			[][2]string{{"spec.resourceQuota.hard[count/secrets]", "the supported keys are requests.cpu, requests.memory, limits.memory, pods, persistentvolumeclaims, requests.storage"}}},
		{"zero-and-negative", corev1.ResourceList{"pods": resource.MustParse("0"), "requests.memory": resource.MustParse("-1Gi")},
			[][2]string{{"spec.resourceQuota.hard[pods]", "must be positive, got 0"}, {"spec.resourceQuota.hard[requests.memory]", "must be positive, got -1Gi"}}},
		{"fractional-count", corev1.ResourceList{"pods": resource.MustParse("2500m")},
			[][2]string{{"spec.resourceQuota.hard[pods]", "whole number"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ResourceQuota{Hard: tc.hard}
			errs := r.validate(field.NewPath("spec", "resourceQuota"))
			if len(errs) != len(tc.want) {
				t.Fatalf("got %v, want %d problems", errs, len(tc.want))
			}
			for i, w := range tc.want {
				if errs[i].Field != w[0] || !strings.Contains(errs[i].Detail, w[1]) {
					t.Errorf("problem %d: got %s: %s; want %s: ...%s...", i, errs[i].Field, errs[i].Detail, w[0], w[1])
				}
			}
		})
	}
}
