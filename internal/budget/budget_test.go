package budget_test

import (
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/internal/budget"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// parse decodes YAML documents the way JSON decodes them (numbers are
// float64), as the policy's objects are.
func parse(t *testing.T, docs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, doc := range strings.Split(docs, "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%v in\n%s", err, doc)
		}
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// deployment is a Deployment in namespace ns with one container of the
// given CPU request and the rest of the spec as YAML.
func deployment(name, cpu, spec string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, namespace: ns}
spec:
` + spec + `
  template:
    spec:
      containers: [{name: c, resources: {requests: {cpu: ` + cpu + `, memory: 1Gi}, limits: {memory: 2Gi}}}]`
}

// pod is a Deployment of one replica, Recreate, with the given pod spec,
// so that its totals are one pod's.
func pod(spec string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: p, namespace: ns}
spec:
  replicas: 1
  strategy: {type: Recreate}
  template:
    spec:
` + spec
}

const limitRange = `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: ns}
spec:
  limits:
  - type: Container
    default: {memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}`

func TestCompute(t *testing.T) {
	for _, tc := range []struct {
		name string
		objs string
		want map[corev1.ResourceName]string
	}{
		{"replicas-default-surge-rounds-up", deployment("web", "100m", "  replicas: 3"),
			// 25% of 3 is 0.75: the controller rounds surge up, to 1.
			map[corev1.ResourceName]string{budget.Pods: "4", budget.RequestsCPU: "400m", budget.RequestsMemory: "4Gi", budget.LimitsMemory: "8Gi"}},
		{"surge-percent-rounds-up", deployment("web", "100m", "  replicas: 3\n  strategy: {rollingUpdate: {maxSurge: 34%}}"),
			map[corev1.ResourceName]string{budget.Pods: "5"}},
		{"surge-absolute", deployment("web", "100m", "  replicas: 3\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2}}"),
			map[corev1.ResourceName]string{budget.Pods: "5"}},
		{"recreate-no-surge", deployment("web", "100m", "  replicas: 3\n  strategy: {type: Recreate}"),
			map[corev1.ResourceName]string{budget.Pods: "3"}},
		{"replicas-unset-is-one", deployment("web", "100m", "  strategy: {type: Recreate}"),
			map[corev1.ResourceName]string{budget.Pods: "1"}},
		{"hpa-max-wins-over-replicas", deployment("web", "100m", "  replicas: 3") + `
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: ns}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 3, maxReplicas: 10}`,
			// 10 + 25% of 10 rounded up (3).
			map[corev1.ResourceName]string{budget.Pods: "13", budget.RequestsCPU: "1300m"}},
		{"keda-max-replica-count", deployment("sidekiq", "100m", "  strategy: {rollingUpdate: {maxSurge: 1}}") + `
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: sidekiq, namespace: ns}
spec: {scaleTargetRef: {name: sidekiq}, maxReplicaCount: 8}`,
			map[corev1.ResourceName]string{budget.Pods: "9"}},
		{"keda-default-max-is-100", deployment("sidekiq", "100m", "  strategy: {type: Recreate}") + `
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: sidekiq, namespace: ns}
spec: {scaleTargetRef: {name: sidekiq}}`,
			map[corev1.ResourceName]string{budget.Pods: "100"}},
		{"hpa-of-another-workload-ignored", deployment("web", "100m", "  replicas: 2\n  strategy: {type: Recreate}") + `
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: other, namespace: ns}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: other}, maxReplicas: 10}`,
			map[corev1.ResourceName]string{budget.Pods: "2"}},
		{"init-container-larger-than-sum", pod(`      initContainers: [{name: i, resources: {requests: {cpu: 500m, memory: 3Gi}, limits: {memory: 3Gi}}}]
      containers:
      - {name: a, resources: {requests: {cpu: 100m, memory: 1Gi}, limits: {memory: 1Gi}}}
      - {name: b, resources: {requests: {cpu: 200m, memory: 1Gi}, limits: {memory: 1Gi}}}`),
			// cpu max(300m, 500m), memory max(2Gi, 3Gi).
			map[corev1.ResourceName]string{budget.RequestsCPU: "500m", budget.RequestsMemory: "3Gi", budget.LimitsMemory: "3Gi"}},
		{"sum-larger-than-init-container", pod(`      initContainers: [{name: i, resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 64Mi}}}]
      containers:
      - {name: a, resources: {requests: {cpu: 100m, memory: 1Gi}, limits: {memory: 1Gi}}}
      - {name: b, resources: {requests: {cpu: 200m, memory: 1Gi}, limits: {memory: 1Gi}}}`),
			map[corev1.ResourceName]string{budget.RequestsCPU: "300m", budget.RequestsMemory: "2Gi"}},
		{"sidecar-adds-to-sum-and-later-inits", pod(`      initContainers:
      - {name: sidecar, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}}
      - {name: late, resources: {requests: {cpu: 400m, memory: 128Mi}, limits: {memory: 128Mi}}}
      containers:
      - {name: a, resources: {requests: {cpu: 200m, memory: 1Gi}, limits: {memory: 1Gi}}}`),
			// containers 200m + sidecar 100m = 300m; the init container
			// after the sidecar runs beside it: 400m + 100m = 500m.
			map[corev1.ResourceName]string{budget.RequestsCPU: "500m", budget.RequestsMemory: "1152Mi"}},
		{"limitrange-defaults-fill-unsized-containers", limitRange + "\n---\n" + pod(`      containers:
      - {name: unsized}
      - {name: limit-only, resources: {limits: {memory: 1Gi}}}`),
			// limit-only: its request defaults to its own limit (the
			// API's defaulting), its CPU request to the LimitRange's.
			map[corev1.ResourceName]string{budget.RequestsCPU: "200m", budget.RequestsMemory: "1152Mi", budget.LimitsMemory: "1280Mi"}},
		{"job-counts-one-pod-statefulset-claims", `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: ns}
spec:
  template:
    spec:
      containers: [{name: m, resources: {requests: {cpu: 250m, memory: 1Gi}, limits: {memory: 2Gi}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: valkey, namespace: ns}
spec:
  replicas: 2
  template:
    spec:
      containers: [{name: v, resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 512Mi}}}]
  volumeClaimTemplates:
  - spec: {resources: {requests: {storage: 2Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: uploads, namespace: ns}
spec: {resources: {requests: {storage: 10Gi}}}`,
			map[corev1.ResourceName]string{budget.Pods: "3", budget.RequestsCPU: "450m", budget.Claims: "3", budget.RequestsStorage: "14Gi"}},
		{"cnpg-cluster-counts-one-more-instance", limitRange + `
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg, namespace: ns}
spec:
  instances: 3
  storage: {size: 100Gi}
  walStorage: {size: 20Gi}
  resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 2Gi}}
  plugins:
  - name: barman-cloud.cloudnative-pg.io
    parameters: {barmanObjectName: store}
---
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata: {name: store, namespace: ns}
spec:
  instanceSidecarConfiguration:
    resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 192Mi}}`,
			// 4 pods of postgres + the plugin's sidecar; 4 × 2 claims.
			map[corev1.ResourceName]string{budget.Pods: "4", budget.RequestsCPU: "2200m", budget.RequestsMemory: "4352Mi",
				budget.LimitsMemory: "8960Mi", budget.Claims: "8", budget.RequestsStorage: "480Gi"}},
		{"cnpg-sidecar-without-objectstore-gets-defaults", limitRange + `
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg, namespace: ns}
spec:
  instances: 1
  storage: {pvcTemplate: {resources: {requests: {storage: 5Gi}}}}
  resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 2Gi}}
  plugins: [{name: barman-cloud.cloudnative-pg.io, parameters: {barmanObjectName: missing}}]`,
			map[corev1.ResourceName]string{budget.Pods: "2", budget.RequestsCPU: "1200m", budget.Claims: "2", budget.RequestsStorage: "10Gi"}},
		{"cnpg-pooler-defaults-and-surge", limitRange + `
---
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: pooler, namespace: ns}
spec: {cluster: {name: pg}, type: rw, instances: 2, pgbouncer: {poolMode: session}}`,
			// 2 + 25% of 2 rounded up; pgbouncer sized by the LimitRange.
			map[corev1.ResourceName]string{budget.Pods: "3", budget.RequestsCPU: "300m", budget.RequestsMemory: "384Mi", budget.LimitsMemory: "768Mi"}},
		{"cnpg-pooler-template-resources", `apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: pooler, namespace: ns}
spec:
  cluster: {name: pg}
  instances: 1
  deploymentStrategy: {type: Recreate}
  pgbouncer: {poolMode: session}
  template:
    spec:
      containers: [{name: pgbouncer, resources: {requests: {cpu: 20m, memory: 32Mi}, limits: {memory: 64Mi}}}]`,
			map[corev1.ResourceName]string{budget.Pods: "1", budget.RequestsCPU: "20m", budget.LimitsMemory: "64Mi"}},
		{"other-namespace-ignored", strings.Replace(deployment("web", "100m", "  replicas: 3"), "namespace: ns", "namespace: other", 1),
			map[corev1.ResourceName]string{budget.Pods: "0", budget.RequestsCPU: "0", budget.Claims: "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			need := budget.Compute("ns", parse(t, tc.objs))
			for r, want := range tc.want {
				got := need.Total[r]
				if got.Cmp(resource.MustParse(want)) != 0 {
					t.Errorf("%s: got %s, want %s (%s)", r, got.String(), want, need.Explain(r))
				}
			}
		})
	}
}

// TestUnset: without a LimitRange, a container without a memory limit is
// one a quota on limits.memory refuses; with one, nothing is unset but
// the CPU limit, which neither sets.
func TestUnset(t *testing.T) {
	objs := pod("      containers: [{name: bare}]")
	need := budget.Compute("ns", parse(t, objs))
	for _, r := range []corev1.ResourceName{budget.RequestsCPU, budget.RequestsMemory, budget.LimitsMemory, budget.LimitsCPU} {
		if got := need.Unset[r]; len(got) != 1 || got[0] != "Deployment p container bare" {
			t.Errorf("%s: unset %v, want the bare container", r, got)
		}
	}
	need = budget.Compute("ns", parse(t, limitRange+"\n---\n"+objs))
	for r, who := range need.Unset {
		if r != budget.LimitsCPU {
			t.Errorf("%s: unset %v despite the LimitRange", r, who)
		}
	}
}

func TestWithHeadroom(t *testing.T) {
	need := corev1.ResourceList{
		budget.RequestsCPU:     resource.MustParse("12490m"),
		budget.RequestsMemory:  resource.MustParse("1000Mi"),
		budget.LimitsMemory:    resource.MustParse("77Gi"),
		budget.Pods:            resource.MustParse("33"),
		budget.Claims:          resource.MustParse("0"),
		budget.RequestsStorage: resource.MustParse("482Gi"),
		"count/secrets":        resource.MustParse("3"),
	}
	want := map[corev1.ResourceName]string{
		budget.RequestsCPU:     "15700m", // 15612.5m up to 100m
		budget.RequestsMemory:  "1280Mi", // 1250Mi up to 128Mi
		budget.LimitsMemory:    "97Gi",   // 96.25Gi up to 1Gi
		budget.Pods:            "42",     // 41.25
		budget.Claims:          "0",
		budget.RequestsStorage: "603Gi", // 602.5Gi
	}
	got := budget.WithHeadroom(need, 25)
	if len(got) != len(want) {
		t.Errorf("got %v, want only %v", got, want)
	}
	for r, w := range want {
		if q := got[r]; q.String() != w {
			t.Errorf("%s: got %s, want %s", r, q.String(), w)
		}
	}
	if q := budget.WithHeadroom(corev1.ResourceList{budget.Pods: resource.MustParse("7")}, 0)[budget.Pods]; q.String() != "7" {
		t.Errorf("no headroom: got %s pods, want 7", q.String())
	}
}
