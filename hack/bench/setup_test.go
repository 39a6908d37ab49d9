package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestMakeFleet: a fleet has one config per site, each named and hosted
// on its own, all listed by the site kustomization with the release pin.
func TestMakeFleet(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "clusters")
	if err := makeFleet(filepath.Join("..", "..", "clusters"), dst, 3); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(dst, "production", "site")
	for i := 1; i <= 3; i++ {
		b, err := os.ReadFile(filepath.Join(site, siteName(i)+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		n, err := yaml.Parse(string(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := n.GetName(); got != siteName(i) {
			t.Errorf("site %d is named %q", i, got)
		}
		host, err := n.GetString("spec.hostname")
		if err != nil || host != siteName(i)+".fleet.test" {
			t.Errorf("site %d: hostname %q (%v)", i, host, err)
		}
		if profile, _ := n.GetString("spec.profile"); profile != "production" {
			t.Errorf("site %d: profile %q, want production's patch applied", i, profile)
		}
		if _, err := n.GetString("spec.image.tag"); err == nil {
			t.Errorf("site %d carries an image; the release pin is the kustomization's patch", i)
		}
	}
	k, err := os.ReadFile(filepath.Join(site, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- site-0001.yaml\n", "- site-0003.yaml\n", "- path: release.yaml\n", "kind: Discourse\n"} {
		if !strings.Contains(string(k), want) {
			t.Errorf("site kustomization lacks %q:\n%s", want, k)
		}
	}
	for _, f := range []string{"base/policy/policy.yaml", "production/kustomization.yaml", "production/site/release.yaml"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Errorf("fleet lacks %s: %v", f, err)
		}
	}
}

// TestObjectFiles: kustomization.yaml files and non-manifests are left
// out; paths are relative to the base.
func TestObjectFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"golden/README.md", "golden/kustomization.yaml", "golden/env/a.yaml", "golden/env/kustomization.yaml", "golden/env/flux/kustomization-b.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := objectFiles(dir, filepath.Join(dir, "golden"))
	want := []string{filepath.Join("golden", "env", "a.yaml"), filepath.Join("golden", "env", "flux", "kustomization-b.yaml")}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("objectFiles = %v, %v; want %v", got, err, want)
	}
}
