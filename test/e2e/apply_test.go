package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"discoursegen.dev/discoursegen/test/e2e/internal/kube"
	"discoursegen.dev/discoursegen/test/e2e/internal/manifests"
)

// envs are the environments discoursegen renders, in the order they are
// checked.
var envs = []string{"local", "staging", "production"}

// requireDir fails the test, with what to do about it, when dir is missing.
// A missing directory must never turn into a silently passing or skipped
// test: "no objects checked" is not "all objects accepted".
func requireDir(t *testing.T, dir, what string) {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("%s: %v\nRender the manifests first (golden/<env>/ is committed generator output), "+
			"or point DISCOURSEGEN_GOLDEN at a directory holding local/, staging/ and production/.", what, err)
	}
	if !st.IsDir() {
		t.Fatalf("%s: %s is not a directory", what, dir)
	}
}

// loadDir reads every object under dir. Read errors fail the test but do not
// stop it, so one bad file does not hide the apiserver's verdict on all the
// others; no objects at all stops it.
func loadDir(t *testing.T, dir string) []manifests.Object {
	t.Helper()
	objs, err := manifests.LoadDir(dir)
	if err != nil {
		t.Errorf("reading %s:\n%v", dir, err)
	}
	if len(objs) == 0 {
		t.Fatalf("no Kubernetes objects found under %s", dir)
	}
	return objs
}

// applyDir loads every object under dir and server-side applies it (see
// applyObjects). It returns the objects the apiserver accepted.
func applyDir(t *testing.T, dir string, mode kube.Mode) []manifests.Object {
	t.Helper()
	return applyObjects(t, dir, loadDir(t, dir), mode)
}

// applyPodTemplates dry-runs, as Pods, the pod templates of the workloads
// under dir (see manifests.PodsFromTemplates for why).
func applyPodTemplates(t *testing.T, dir string) {
	t.Helper()
	objs := loadDir(t, dir)
	pods, err := manifests.PodsFromTemplates(objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) == 0 {
		t.Logf("no workloads with pod templates under %s", dir)
		return
	}
	var set []manifests.Object
	for _, o := range objs {
		if o.IsNamespace() {
			set = append(set, o) // so the pods meet the namespace's PodSecurity labels
		}
	}
	applyObjects(t, dir+" (as Pods from workload templates)", append(set, pods...), kube.DryRun)
}

// applyObjects server-side applies objs. The namespaces go first and are
// always persisted: a dry-run object in a namespace that does not exist is
// rejected by the NamespaceLifecycle admission plugin, which would hide the
// real verdict. Every rejection is reported (not only the first), with the
// object and the apiserver's message. It returns the accepted objects.
func applyObjects(t *testing.T, dir string, objs []manifests.Object, mode kube.Mode) []manifests.Object {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var accepted []manifests.Object
	var rejected []string
	apply := func(o manifests.Object, m kube.Mode) {
		warnings, err := h.client.Apply(ctx, o, m)
		for _, w := range warnings {
			t.Logf("warning for %s: %s", o, w)
		}
		if err != nil {
			rejected = append(rejected, fmt.Sprintf("%s:\n      %s", o, kube.Describe(err)))
			return
		}
		accepted = append(accepted, o)
	}

	for _, o := range objs {
		if o.IsNamespace() {
			apply(o, kube.Persist)
		}
	}
	_, referencedOnly := manifests.Namespaces(objs)
	for _, ns := range referencedOnly {
		if err := h.client.EnsureNamespace(ctx, ns); err != nil {
			t.Fatalf("create namespace %q: %s", ns, kube.Describe(err))
		}
		t.Logf("created namespace %q: objects are placed in it but no Namespace object for it is in %s", ns, dir)
	}
	for _, o := range objs {
		if !o.IsNamespace() {
			apply(o, mode)
		}
	}

	modeName := "dry-run=All"
	if mode == kube.Persist {
		modeName = "persisted"
	}
	t.Logf("%d of %d objects accepted (%s) from %s; by kind: %s", len(accepted), len(objs), modeName, dir, kindSummary(accepted))
	if len(rejected) > 0 {
		t.Errorf("the apiserver rejected %d of %d objects from %s:\n  - %s", len(rejected), len(objs), dir, strings.Join(rejected, "\n  - "))
	}
	return accepted
}

// getAll reads every object back and fails for any the apiserver does not
// return.
func getAll(t *testing.T, objs []manifests.Object) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	found := 0
	for _, o := range objs {
		u, err := h.client.Get(ctx, o)
		if err != nil {
			t.Errorf("GET %s: %s", o, kube.Describe(err))
			continue
		}
		if u.GetUID() == "" || u.GetName() != o.Name {
			t.Errorf("GET %s: got %q with uid %q", o, u.GetName(), u.GetUID())
			continue
		}
		found++
	}
	t.Logf("%d of %d persisted objects read back with GET", found, len(objs))
}

func kindSummary(objs []manifests.Object) string {
	counts := map[string]int{}
	for _, o := range objs {
		counts[o.GVK.Kind]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return strings.Join(parts, " ")
}
