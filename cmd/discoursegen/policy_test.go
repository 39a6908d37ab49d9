package main

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// schedulerPatch is the hand patch of the issue: a user doubles the
// scheduler in the production overlay.
const schedulerPatch = `patches:
- target: {kind: Deployment, name: forum-scheduler}
  patch: |
    - op: replace
      path: /spec/replicas
      value: 2
`

// TestPolicyStopsAHandPatch: a patch in clusters/production that breaks a
// rule fails the pinned kustomize CLI's build with the rule's ID and a
// message about the scheduler, and generate fails too and leaves golden/
// as it was.
func TestPolicyStopsAHandPatch(t *testing.T) {
	root := sandbox(t)
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: %d\n%s", code, stderr)
	}
	before := snapshot(t, filepath.Join(root, "golden"))
	k := filepath.Join(root, "clusters", "production", "kustomization.yaml")
	data, err := os.ReadFile(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k, append(data, schedulerPatch...), 0o644); err != nil {
		t.Fatal(err)
	}

	kustomize, err := filepath.Abs(filepath.Join(repoRoot, "bin", "kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join(root, "clusters", "production"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Fatalf("kustomize build passed a doubled scheduler")
	}
	if stdout.Len() != 0 {
		t.Errorf("kustomize printed objects of a failed build")
	}
	for _, want := range []string{"error[single-scheduler] Deployment forum/forum-scheduler spec.replicas: runs the Sidekiq scheduler in up to 2 pods", "DiscoursePolicy: "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("kustomize's stderr lacks %q:\n%s", want, stderr.String())
		}
	}

	// The real binary, as make generate runs it: the function kustomize
	// execs shares its stderr, so the findings show where the user looks.
	gen := exec.Command(builtBinary, "generate", "--clusters", filepath.Join(root, "clusters"), "--out", filepath.Join(root, "golden"))
	stdout.Reset()
	stderr.Reset()
	gen.Stdout, gen.Stderr = &stdout, &stderr
	if err := gen.Run(); err == nil {
		t.Fatalf("generate passed a doubled scheduler:\n%s", stdout.String())
	}
	for _, want := range []string{"error[single-scheduler] Deployment forum/forum-scheduler spec.replicas", "nothing was written"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("generate's stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if after := snapshot(t, filepath.Join(root, "golden")); !maps.Equal(before, after) {
		t.Error("a failed generate changed golden/")
	}
}

// TestGenerateRequiresThePolicy: an overlay that drops the DiscoursePolicy
// is refused, with the lines to add.
func TestGenerateRequiresThePolicy(t *testing.T) {
	root := sandbox(t)
	k := filepath.Join(root, "clusters", "staging", "kustomization.yaml")
	edit(t, k, "transformers:\n- ../base/policy\n", "")
	code, _, stderr := generate(t, root)
	if code == 0 || !strings.Contains(stderr, "runs no DiscoursePolicy") || !strings.Contains(stderr, "- ../base/policy") {
		t.Errorf("generate without the policy: %d\n%s", code, stderr)
	}
}
