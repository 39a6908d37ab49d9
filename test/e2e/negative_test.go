package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"discoursegen.dev/discoursegen/test/e2e/internal/kube"
	"discoursegen.dev/discoursegen/test/e2e/internal/manifests"
)

// TestApiserverRejects proves the harness can fail: objects a JSON schema
// check could let through (or that only the apiserver's own validation
// catches) must come back rejected. Each case is also sent once without its
// defect, and that must be accepted, so a rejection cannot be caused by
// something else (a missing CRD or namespace, a typo in the fixture).
func TestApiserverRejects(t *testing.T) {
	const ns = "e2e-negative"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := h.client.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(kube.Describe(err))
	}

	cases := []struct {
		name string
		good string
		bad  string
		// want are substrings the apiserver's message must contain, so the
		// object is rejected for the planted defect and not another reason.
		want []string
	}{
		{
			name: "cnpg-cluster-unknown-spec-field",
			good: cnpgCluster(""),
			bad:  cnpgCluster("  maxSyncReplicaz: 1\n"), // misspelt maxSyncReplicas
			want: []string{"maxSyncReplicaz"},
		},
		{
			name: "deployment-selector-does-not-match-template-labels",
			good: deployment("web"),
			bad:  deployment("api"),
			want: []string{"selector", "does not match template"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good := parseOne(t, tc.name+"/good", tc.good)
			if _, err := h.client.Apply(ctx, good, kube.DryRun); err != nil {
				t.Fatalf("control object without the defect was rejected, so the case proves nothing: %s", kube.Describe(err))
			}
			bad := parseOne(t, tc.name+"/bad", tc.bad)
			_, err := h.client.Apply(ctx, bad, kube.DryRun)
			if err == nil {
				t.Fatalf("the apiserver accepted %s; the harness would not catch this defect", bad)
			}
			msg := kube.Describe(err)
			t.Logf("rejected as expected: %s", msg)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("rejection message lacks %q, so it may be for another reason: %s", w, msg)
				}
			}
		})
	}
}

func parseOne(t *testing.T, source, doc string) manifests.Object {
	t.Helper()
	objs, err := manifests.Parse(source, []byte(doc))
	if err != nil || len(objs) != 1 {
		t.Fatalf("fixture %s: %v (%d objects)", source, err, len(objs))
	}
	return objs[0]
}

// cnpgCluster is a valid CNPG Cluster; extraSpec is appended under spec.
func cnpgCluster(extraSpec string) string {
	return `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: negative-db
  namespace: e2e-negative
spec:
  instances: 3
  storage:
    size: 1Gi
` + extraSpec
}

// deployment selects app=web; templateApp sets the pod template's app label.
func deployment(templateApp string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: negative-web
  namespace: e2e-negative
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: ` + templateApp + `
    spec:
      containers:
      - name: web
        image: discourse/discourse:3.4.0
`
}

// TestPodSecurityIsJudgedOnPods shows why the harness also sends each
// workload's pod template as a Pod: in a namespace enforcing the "baseline"
// Pod Security level, a Deployment with a privileged container is accepted
// (PodSecurity only warns on workloads), but every Pod it would create is
// rejected.
func TestPodSecurityIsJudgedOnPods(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := parseOne(t, "namespace", `apiVersion: v1
kind: Namespace
metadata:
  name: e2e-negative-baseline
  labels:
    pod-security.kubernetes.io/enforce: baseline
`)
	if _, err := h.client.Apply(ctx, ns, kube.Persist); err != nil {
		t.Fatal(kube.Describe(err))
	}
	deploy := parseOne(t, "privileged", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: privileged
  namespace: e2e-negative-baseline
spec:
  selector:
    matchLabels: {app: privileged}
  template:
    metadata:
      labels: {app: privileged}
    spec:
      containers:
      - name: c
        image: discourse/discourse:3.4.0
        securityContext:
          privileged: true
`)
	warnings, err := h.client.Apply(ctx, deploy, kube.DryRun)
	if err != nil {
		t.Fatalf("expected the Deployment itself to be accepted: %s", kube.Describe(err))
	}
	if len(warnings) == 0 {
		t.Errorf("expected a PodSecurity warning on the Deployment")
	}
	t.Logf("Deployment accepted with warnings: %v", warnings)

	pods, err := manifests.PodsFromTemplates([]manifests.Object{deploy})
	if err != nil || len(pods) != 1 {
		t.Fatalf("pods from template: %v (%d)", err, len(pods))
	}
	_, err = h.client.Apply(ctx, pods[0], kube.DryRun)
	if err == nil {
		t.Fatal("the apiserver accepted a privileged Pod in a baseline namespace")
	}
	msg := kube.Describe(err)
	t.Logf("its Pod rejected as expected: %s", msg)
	if !strings.Contains(msg, "PodSecurity") || !strings.Contains(msg, "privileged") {
		t.Errorf("rejected for another reason: %s", msg)
	}
}
