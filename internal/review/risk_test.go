package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Objects for the risk cases; each is formatted with the value under test.
const (
	cnpgCluster = `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: forum-pg
  namespace: forum
  labels: {app.kubernetes.io/version: %s}
  annotations: {%s}
spec:
  instances: %d
  storage: {size: %s}
`
	cnpgDatabase = `apiVersion: postgresql.cnpg.io/v1
kind: Database
metadata: {name: forum-pg-discourse, namespace: forum}
spec: {name: discourse, owner: %s, cluster: {name: forum-pg}}
`
	cnpgPooler = `apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: forum-pg-pooler-rw, namespace: forum}
spec: {instances: %d, type: rw}
`
	// A kind named Cluster in another group is not the database.
	otherCluster = `apiVersion: example.com/v1
kind: Cluster
metadata: {name: forum-pg, namespace: forum}
spec: {instances: 3, storage: {size: %s}}
`
	pvc = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: uploads, namespace: forum}
spec: {resources: {requests: {storage: %s}}}
`
	statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: forum-valkey, namespace: forum}
spec:
  replicas: 1
  template:
    spec:
      containers: [{name: valkey, image: %s}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {resources: {requests: {storage: %s}}}
`
	statelessSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: forum}
spec:
  template:
    spec:
      containers: [{name: cache, image: %s}]
`
	migrationJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: %s
  namespace: forum
  labels: {app.kubernetes.io/component: %s}
spec:
  template:
    spec:
      containers: [{name: migrate, image: discourse:v1}]
`
	deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: forum-web, namespace: forum}
spec:
  %s
  template:
    spec:
      initContainers: [{name: wait, image: %s}]
      containers: [{name: web, image: %s}, {name: log, image: busybox}]
`
	hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: forum-web, namespace: forum}
spec: {minReplicas: %d, maxReplicas: %d}
`
	scaledObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: forum-sidekiq, namespace: forum}
spec: {minReplicaCount: %d, maxReplicaCount: %d}
`
	pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: forum-web, namespace: forum}
spec: {%s}
`
	networkPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: forum-web-ingress
  namespace: forum
  labels: {app.kubernetes.io/version: %s}
spec:
  podSelector: {}
  ingress: [{ports: [{port: %d}]}]
`
	configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: forum-env, namespace: forum}
data: {DISCOURSE_HOSTNAME: %s}
`
)

func TestRisks(t *testing.T) {
	tests := []struct {
		name string
		// base and head are the object on each side, "" for none.
		base, head string
		production bool
		// want are the risk reasons, in order; nil for none.
		want []string
	}{
		// The database.
		{name: "CNPG Cluster spec change",
			base: fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"), head: fmt.Sprintf(cnpgCluster, "v1", "", 4, "10Gi"),
			want: []string{"database"}},
		{name: "CNPG Cluster storage change",
			base: fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"), head: fmt.Sprintf(cnpgCluster, "v1", "", 3, "20Gi"),
			want: []string{"database (storage)"}},
		{name: "CNPG Cluster annotation change (cnpg.io/hibernation stops it)",
			base: fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"), head: fmt.Sprintf(cnpgCluster, "v1", "cnpg.io/hibernation: 'on'", 3, "10Gi"),
			want: []string{"database"}},
		{name: "CNPG Cluster label change only is listed, not flagged",
			base: fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"), head: fmt.Sprintf(cnpgCluster, "v2", "", 3, "10Gi")},
		{name: "CNPG Cluster removed",
			base: fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"),
			want: []string{"database"}},
		{name: "CNPG Cluster fewer instances",
			base: fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"), head: fmt.Sprintf(cnpgCluster, "v1", "", 2, "10Gi"),
			want: []string{"database", "scale-down instances 3 → 2"}},
		{name: "CNPG Database added",
			head: fmt.Sprintf(cnpgDatabase, "discourse"),
			want: []string{"database"}},
		{name: "CNPG Database changed",
			base: fmt.Sprintf(cnpgDatabase, "discourse"), head: fmt.Sprintf(cnpgDatabase, "forum"),
			want: []string{"database"}},
		{name: "a Cluster of another group is not the database",
			base: fmt.Sprintf(otherCluster, "10Gi"), head: fmt.Sprintf(otherCluster, "20Gi")},
		{name: "CNPG Pooler fewer instances",
			base: fmt.Sprintf(cnpgPooler, 2), head: fmt.Sprintf(cnpgPooler, 1),
			want: []string{"scale-down instances 2 → 1"}},
		{name: "CNPG Pooler more instances",
			base: fmt.Sprintf(cnpgPooler, 2), head: fmt.Sprintf(cnpgPooler, 3)},

		// Storage.
		{name: "PersistentVolumeClaim changed",
			base: fmt.Sprintf(pvc, "10Gi"), head: fmt.Sprintf(pvc, "20Gi"),
			want: []string{"storage"}},
		{name: "PersistentVolumeClaim added",
			head: fmt.Sprintf(pvc, "10Gi"),
			want: []string{"storage"}},
		{name: "PersistentVolumeClaim removed",
			base: fmt.Sprintf(pvc, "10Gi"),
			want: []string{"storage"}},
		{name: "StatefulSet volumeClaimTemplates changed",
			base: fmt.Sprintf(statefulSet, "valkey:8", "1Gi"), head: fmt.Sprintf(statefulSet, "valkey:8", "2Gi"),
			want: []string{"storage (volumeClaimTemplates)"}},
		{name: "StatefulSet pod template changed only",
			base: fmt.Sprintf(statefulSet, "valkey:8", "1Gi"), head: fmt.Sprintf(statefulSet, "valkey:9", "1Gi")},
		{name: "StatefulSet with claims added",
			head: fmt.Sprintf(statefulSet, "valkey:8", "1Gi"),
			want: []string{"storage (volumeClaimTemplates)"}},
		{name: "StatefulSet with claims removed",
			base: fmt.Sprintf(statefulSet, "valkey:8", "1Gi"),
			want: []string{"storage (volumeClaimTemplates)"}},
		{name: "StatefulSet without claims added",
			head: fmt.Sprintf(statelessSet, "valkey:8")},

		// Migrations.
		{name: "new migration Job",
			head: fmt.Sprintf(migrationJob, "forum-migrate-v2", "migrate"),
			want: []string{"new migration Job"}},
		{name: "a migration Job that existed before is not new",
			base: fmt.Sprintf(migrationJob, "forum-migrate-v2", "migrate"), head: strings.Replace(fmt.Sprintf(migrationJob, "forum-migrate-v2", "migrate"), "discourse:v1", "discourse:v2", 1)},
		{name: "a removed migration Job",
			base: fmt.Sprintf(migrationJob, "forum-migrate-v1", "migrate")},
		{name: "a new Job of another component",
			head: fmt.Sprintf(migrationJob, "forum-backup", "backup")},

		// Scale-downs and budgets.
		{name: "replicas down",
			base: fmt.Sprintf(deployment, "replicas: 3", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1"),
			want: []string{"scale-down replicas 3 → 2"}},
		{name: "replicas up",
			base: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 3", "busybox", "discourse:v1")},
		{name: "replicas dropped: server-side apply resets them to 1",
			base: fmt.Sprintf(deployment, "replicas: 3", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "paused: false", "busybox", "discourse:v1"),
			want: []string{"scale-down replicas 3 → unset (1)"}},
		{name: "replicas set where there were none, above the default",
			base: fmt.Sprintf(deployment, "paused: false", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1")},
		{name: "HPA minReplicas down",
			base: fmt.Sprintf(hpa, 3, 10), head: fmt.Sprintf(hpa, 2, 10),
			want: []string{"scale-down minReplicas 3 → 2"}},
		{name: "HPA maxReplicas down",
			base: fmt.Sprintf(hpa, 3, 10), head: fmt.Sprintf(hpa, 3, 5),
			want: []string{"scale-down maxReplicas 10 → 5"}},
		{name: "HPA bounds up",
			base: fmt.Sprintf(hpa, 3, 10), head: fmt.Sprintf(hpa, 4, 12)},
		{name: "ScaledObject minReplicaCount down",
			base: fmt.Sprintf(scaledObject, 2, 8), head: fmt.Sprintf(scaledObject, 1, 8),
			want: []string{"scale-down minReplicaCount 2 → 1"}},
		{name: "ScaledObject maxReplicaCount down",
			base: fmt.Sprintf(scaledObject, 2, 8), head: fmt.Sprintf(scaledObject, 2, 4),
			want: []string{"scale-down maxReplicaCount 8 → 4"}},
		{name: "ScaledObject bounds up",
			base: fmt.Sprintf(scaledObject, 2, 8), head: fmt.Sprintf(scaledObject, 3, 12)},
		{name: "PDB minAvailable up",
			base: fmt.Sprintf(pdb, "minAvailable: 1"), head: fmt.Sprintf(pdb, "minAvailable: 2"),
			want: []string{"stricter PDB minAvailable 1 → 2"}},
		{name: "PDB minAvailable down",
			base: fmt.Sprintf(pdb, "minAvailable: 2"), head: fmt.Sprintf(pdb, "minAvailable: 1")},
		{name: "PDB minAvailable percentage up",
			base: fmt.Sprintf(pdb, "minAvailable: 50%"), head: fmt.Sprintf(pdb, "minAvailable: 75%"),
			want: []string{"stricter PDB minAvailable 50% → 75%"}},
		{name: "PDB maxUnavailable down",
			base: fmt.Sprintf(pdb, "maxUnavailable: 1"), head: fmt.Sprintf(pdb, "maxUnavailable: 0"),
			want: []string{"stricter PDB maxUnavailable 1 → 0"}},
		{name: "PDB maxUnavailable up",
			base: fmt.Sprintf(pdb, "maxUnavailable: 1"), head: fmt.Sprintf(pdb, "maxUnavailable: 2")},
		{name: "PDB from a number to a percentage cannot be compared",
			base: fmt.Sprintf(pdb, "maxUnavailable: 1"), head: fmt.Sprintf(pdb, "maxUnavailable: 10%"),
			want: []string{"stricter PDB maxUnavailable 1 → 10% (not comparable)"}},
		{name: "PDB from maxUnavailable to minAvailable is a new constraint",
			base: fmt.Sprintf(pdb, "maxUnavailable: 1"), head: fmt.Sprintf(pdb, "minAvailable: 1"),
			want: []string{"stricter PDB minAvailable unset → 1"}},
		{name: "PDB from minAvailable to maxUnavailable",
			base: fmt.Sprintf(pdb, "minAvailable: 1"), head: fmt.Sprintf(pdb, "maxUnavailable: 1")},
		{name: "a new PDB is not a change of bounds",
			head: fmt.Sprintf(pdb, "minAvailable: 5")},

		// Network policies.
		{name: "NetworkPolicy added",
			head: fmt.Sprintf(networkPolicy, "v1", 3000),
			want: []string{"network policy"}},
		{name: "NetworkPolicy removed",
			base: fmt.Sprintf(networkPolicy, "v1", 3000),
			want: []string{"network policy"}},
		{name: "NetworkPolicy changed",
			base: fmt.Sprintf(networkPolicy, "v1", 3000), head: fmt.Sprintf(networkPolicy, "v1", 8080),
			want: []string{"network policy"}},
		{name: "NetworkPolicy label change only is listed, not flagged",
			base: fmt.Sprintf(networkPolicy, "v1", 3000), head: fmt.Sprintf(networkPolicy, "v2", 3000)},

		// Images.
		{name: "image change in staging",
			base: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v2")},
		{name: "image change in production",
			base: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v2"),
			production: true, want: []string{"production image (web)"}},
		{name: "initContainer image change in production",
			base: fmt.Sprintf(deployment, "replicas: 2", "busybox:1", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 2", "busybox:2", "discourse:v1"),
			production: true, want: []string{"production image (wait)"}},
		{name: "image change and scale-down in production",
			base: fmt.Sprintf(deployment, "replicas: 3", "busybox:1", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 2", "busybox:2", "discourse:v2"),
			production: true, want: []string{"scale-down replicas 3 → 2", "production image (wait, web)"}},
		{name: "no image change in production",
			base: fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1"), head: fmt.Sprintf(deployment, "replicas: 3", "busybox", "discourse:v1"),
			production: true},
		{name: "a new object in production is not an image change",
			head:       fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v1"),
			production: true},
		{name: "StatefulSet image change in production",
			base: fmt.Sprintf(statefulSet, "valkey:8", "1Gi"), head: fmt.Sprintf(statefulSet, "valkey:9", "1Gi"),
			production: true, want: []string{"production image (valkey)"}},

		// Everything else.
		{name: "a ConfigMap change",
			base: fmt.Sprintf(configMap, "a.test"), head: fmt.Sprintf(configMap, "b.test"), production: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base, head []Object
			if tt.base != "" {
				base = parse(t, "env", tt.base)
			}
			if tt.head != "" {
				head = parse(t, "env", tt.head)
			}
			r := Compare(base, head, map[string]bool{"env": tt.production})
			if len(r.Envs) != 1 || len(r.Envs[0].Changes) != 1 {
				t.Fatalf("want exactly one change:\n%s", Text(r, Sides{"base", "head"}))
			}
			var got []string
			for _, risk := range r.Envs[0].Changes[0].Risks {
				got = append(got, risk.Reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("risks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRiskRules: each risk carries the rule that raised it, which a
// caller can count on more than on the reason's wording.
func TestRiskRules(t *testing.T) {
	base := parse(t, "production",
		fmt.Sprintf(cnpgCluster, "v1", "", 3, "10Gi"),
		fmt.Sprintf(pvc, "10Gi"),
		fmt.Sprintf(deployment, "replicas: 3", "busybox", "discourse:v1"),
		fmt.Sprintf(networkPolicy, "v1", 3000),
	)
	head := parse(t, "production",
		fmt.Sprintf(cnpgCluster, "v1", "", 3, "20Gi"),
		fmt.Sprintf(pvc, "20Gi"),
		fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:v2"),
		fmt.Sprintf(networkPolicy, "v1", 8080),
		fmt.Sprintf(migrationJob, "forum-migrate-v2", "migrate"),
	)
	r := Compare(base, head, map[string]bool{"production": true})
	var got []Rule
	for _, c := range r.Envs[0].Changes {
		for _, risk := range c.Risks {
			got = append(got, risk.Rule)
			if risk.String() != "risk: "+risk.Reason {
				t.Errorf("String() = %q", risk.String())
			}
		}
	}
	want := []Rule{RuleMigration, RuleDatabase, RuleScaleDown, RuleProductionImage, RuleNetworkPolicy, RuleStorage}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if _, _, _, risky := r.Envs[0].Counts(); risky != 5 {
		t.Errorf("%d risky objects, want 5", risky)
	}
}
