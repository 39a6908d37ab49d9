package policy_test

import (
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/policy"
	"sigs.k8s.io/yaml"
)

// productionSite is a production site with a namespace budget, rendered
// by the library (no schema): the output the quota rule starts from.
// The dashboard is off because this test is about the quota, not about
// the monitoring objects.
const productionSite = `apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata: {name: forum}
spec:
  profile: production
  hostname: forum.acme-forums.test
  image:
    repository: ghcr.io/acme-forums/discourse
    tag: v2026.1.0
    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  s3: {bucket: uploads, backupBucket: backups, region: eu-central-1}
  monitoring: {dashboard: false}
`

func renderBudgeted(t *testing.T) []policy.Object {
	t.Helper()
	var cfg v1alpha1.Discourse
	if err := yaml.Unmarshal([]byte(productionSite), &cfg); err != nil {
		t.Fatal(err)
	}
	objs, errs := generator.Render(cfg)
	if len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	out, err := manifest.YAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := policy.ParseObjects(out)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// quotaFindings are the findings of the resource-quota rule.
func quotaFindings(objs []policy.Object) []policy.Finding {
	var out []policy.Finding
	for _, f := range policy.Check(objs).Findings {
		if f.Rule == "resource-quota" {
			out = append(out, f)
		}
	}
	return out
}

func TestResourceQuota(t *testing.T) {
	for _, tc := range []struct {
		name string
		// patch breaks (or keeps) the rendered output.
		patch func(t *testing.T, objs []policy.Object) []policy.Object
		// want are substrings of the one finding expected; none means
		// the rule passes.
		want []string
	}{
		{"computed-quota-passes", func(t *testing.T, objs []policy.Object) []policy.Object { return objs }, nil},
		{"lowered-requests-memory", func(t *testing.T, objs []policy.Object) []policy.Object {
			set(t, find(t, objs, "ResourceQuota", "-budget"), "20Gi", "spec", "hard", "requests.memory")
			return objs
		}, []string{"spec.hard[requests.memory]", "allows 20Gi", "Deployment forum-web 13 pods (HorizontalPodAutoscaler forum-web max 10 + 3 rollout surge)"}},
		{"memory-means-requests-memory", func(t *testing.T, objs []policy.Object) []policy.Object {
			set(t, find(t, objs, "ResourceQuota", "-budget"), "1Gi", "spec", "hard", "memory")
			return objs
		}, []string{"spec.hard[memory]", "allows 1Gi"}},
		{"autoscaler-raised-past-the-quota", func(t *testing.T, objs []policy.Object) []policy.Object {
			// Only pods: set the other amounts far above any need.
			hard := at(t, find(t, objs, "ResourceQuota", "-budget"), "spec", "hard").(map[string]any)
			for k := range hard {
				if k != "pods" {
					hard[k] = "100Ti"
				}
			}
			set(t, find(t, objs, "HorizontalPodAutoscaler", "-web"), float64(40), "spec", "maxReplicas")
			return objs
		}, []string{"spec.hard[pods]", "max 40 + 10 rollout surge"}},
		{"cpu-limit-nobody-sets", func(t *testing.T, objs []policy.Object) []policy.Object {
			set(t, find(t, objs, "ResourceQuota", "-budget"), "100", "spec", "hard", "limits.cpu")
			return objs
		}, []string{"spec.hard[limits.cpu]", "have no CPU limit", "refuses their pods"}},
		{"scoped-quota-not-judged", func(t *testing.T, objs []policy.Object) []policy.Object {
			q := find(t, objs, "ResourceQuota", "-budget")
			set(t, q, "1", "spec", "hard", "pods")
			set(t, q, []any{"Terminating"}, "spec", "scopes")
			return objs
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := quotaFindings(tc.patch(t, renderBudgeted(t)))
			if tc.want == nil {
				for _, f := range fs {
					t.Errorf("unexpected: %s", f)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1:\n%s", len(fs), policy.Report{Findings: fs})
			}
			f := fs[0]
			if f.Severity != policy.Error || f.Object.Kind != "ResourceQuota" || f.Waived != "" {
				t.Errorf("got %s, want an error on the ResourceQuota", f)
			}
			for _, w := range tc.want {
				if !strings.Contains(f.String(), w) {
					t.Errorf("finding lacks %q:\n%s", w, f)
				}
			}
		})
	}
}

// TestResourceQuotaWaiver: the rule is waived on the quota like any other.
func TestResourceQuotaWaiver(t *testing.T) {
	objs := renderBudgeted(t)
	q := find(t, objs, "ResourceQuota", "-budget")
	set(t, q, "1", "spec", "hard", "pods")
	set(t, q, map[string]any{policy.WaiverPrefix + "resource-quota": "the platform team sizes this namespace"}, "metadata", "annotations")
	fs := quotaFindings(objs)
	if len(fs) != 1 || fs[0].Waived == "" {
		t.Errorf("want one waived finding, got:\n%s", policy.Report{Findings: fs})
	}
}
