package generator

import (
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/internal/budget"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// budgetConfig is a production site. The dashboard is off: this test is
// about the namespace budget, not the monitoring objects.
const budgetConfig = `apiVersion: discoursegen.dev/v1alpha1
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

func budgetSite(t *testing.T, edit func(*v1alpha1.Discourse)) *site {
	t.Helper()
	var cfg v1alpha1.Discourse
	if err := yaml.Unmarshal([]byte(budgetConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&cfg)
	}
	d, errs := newSite(&cfg)
	if errs != nil {
		t.Fatal(errs.ToAggregate())
	}
	return d
}

// budgetObjects finds the ResourceQuota and LimitRange of a render.
func budgetObjects(t *testing.T, objs []Object) (*corev1.ResourceQuota, *corev1.LimitRange) {
	t.Helper()
	var q *corev1.ResourceQuota
	var lr *corev1.LimitRange
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.ResourceQuota:
			q = v
		case *corev1.LimitRange:
			lr = v
		}
	}
	return q, lr
}

// TestNamespaceBudgetProduction: the production profile renders a quota
// that is the need of everything it renders, counted at maximum scale,
// plus the default 25% headroom, and a LimitRange whose defaults that
// need was counted with.
func TestNamespaceBudgetProduction(t *testing.T) {
	d := budgetSite(t, nil)
	objs := d.objects()
	q, lr := budgetObjects(t, objs)
	if q == nil || lr == nil {
		t.Fatalf("production rendered quota %v and LimitRange %v, want both", q != nil, lr != nil)
	}
	for _, meta := range []struct{ kind, name, ns, stage string }{
		{"ResourceQuota", q.Name, q.Namespace, q.Annotations[AnnotationStage]},
		{"LimitRange", lr.Name, lr.Namespace, lr.Annotations[AnnotationStage]},
	} {
		if meta.name != "forum-budget" || meta.ns != "forum" || meta.stage != string(StageData) {
			t.Errorf("%s %s/%s in stage %q, want forum/forum-budget in the data stage", meta.kind, meta.ns, meta.name, meta.stage)
		}
	}
	if got := lr.Spec.Limits[0]; got.Max != nil || got.Min != nil || got.Default.Cpu().Value() != 0 {
		t.Errorf("the LimitRange sets a max, a min or a CPU limit: %+v", got)
	}

	need := d.budgetNeed(objs)
	want := corev1.ResourceList{}
	for _, r := range budget.QuotaResources() {
		want[r] = need.Total[r]
	}
	want = budget.WithHeadroom(want, 25)
	if len(q.Spec.Hard) != len(budget.QuotaResources()) {
		t.Errorf("quota holds %v, want exactly %v", q.Spec.Hard, budget.QuotaResources())
	}
	for r, w := range want {
		if got, n := q.Spec.Hard[r], need.Total[r]; got.Cmp(w) != 0 {
			t.Errorf("%s: quota %s, want %s (need %s: %s)", r, got.String(), w.String(), n.String(), need.Explain(r))
		}
	}
	// The counts the profile promises: web at its HPA maximum (10) with
	// a 25% surge, the database with its extra instance and two claims
	// (data and WAL) per instance.
	pods := map[string]int64{}
	for _, p := range need.Parts {
		pods[p.Kind+"/"+p.Name] = p.Pods
	}
	if pods["Deployment/forum-web"] != 13 || pods["Cluster/forum-pg"] != 4 || pods["Deployment/forum-scheduler"] != 1 {
		t.Errorf("pods per workload %v; want web 13, database 4, scheduler 1", pods)
	}
	if got := need.Total[budget.Claims]; got.Value() < 8 {
		t.Errorf("need %s claims, want at least the database's 4 x 2", got.String())
	}
	if got := q.Spec.Hard[budget.RequestsStorage]; got.Cmp(resource.MustParse("600Gi")) < 0 {
		t.Errorf("requests.storage %s, want at least 4 x (100Gi + 20Gi) x 1.25", got.String())
	}
	var figures []string
	for _, r := range budget.QuotaResources() {
		got := q.Spec.Hard[r]
		figures = append(figures, string(r)+"="+got.String())
	}
	t.Logf("production quota: %s", strings.Join(figures, " "))
}

// TestNamespaceBudgetHard: an amount in spec.resourceQuota.hard replaces
// the computed one; one below the need is refused, with its field.
func TestNamespaceBudgetHard(t *testing.T) {
	d := budgetSite(t, func(cfg *v1alpha1.Discourse) {
		cfg.Spec.ResourceQuota.Hard = corev1.ResourceList{budget.RequestsStorage: resource.MustParse("2Ti")}
	})
	if errs := d.budgetErrors(); len(errs) > 0 {
		t.Errorf("a generous hard amount: %v", errs)
	}
	if q, _ := budgetObjects(t, d.objects()); q.Spec.Hard.Storage().String() != "0" {
		t.Errorf("quota has a bare storage key: %v", q.Spec.Hard)
	} else if got := q.Spec.Hard[budget.RequestsStorage]; got.String() != "2Ti" {
		t.Errorf("requests.storage %s, want the hard 2Ti", got.String())
	}

	// Render, the public way in, refuses it with every other problem.
	var cfg v1alpha1.Discourse
	if err := yaml.Unmarshal([]byte(budgetConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Spec.ResourceQuota.Hard = corev1.ResourceList{budget.Pods: resource.MustParse("10")}
	objs, errs := Render(cfg)
	if objs != nil {
		t.Error("Render returned objects for a quota the site does not fit")
	}
	if len(errs) != 1 || errs[0].Field != "spec.resourceQuota.hard[pods]" || !strings.Contains(errs[0].Detail, "Deployment forum-web 13 pods") {
		t.Errorf("pods 10: got %v, want one error at spec.resourceQuota.hard[pods] naming the web pods", errs)
	}
}

// TestNamespaceBudgetOff: the local profile renders neither object.
func TestNamespaceBudgetOff(t *testing.T) {
	d := budgetSite(t, func(cfg *v1alpha1.Discourse) {
		cfg.Spec.Profile = v1alpha1.ProfileLocal
		cfg.Spec.Image.Digest = ""
	})
	if q, lr := budgetObjects(t, d.objects()); q != nil || lr != nil {
		t.Error("the local profile rendered a namespace budget")
	}
	if errs := d.budgetErrors(); errs != nil {
		t.Errorf("no budget, yet %v", errs)
	}
}
