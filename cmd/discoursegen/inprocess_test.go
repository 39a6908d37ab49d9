package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// fleetSites are the sites TestInProcessMatchesKustomizeCLI adds to the
// example's production: with the example's forum, three.
var fleetSites = []string{"community", "support"}

// addFleet adds fleetSites to clusters/production of the sandbox at root,
// each a production site of its own.
func addFleet(t *testing.T, root string) {
	t.Helper()
	site := filepath.Join(root, "clusters", "production", "site")
	base, err := os.ReadFile(filepath.Join(root, "clusters", "base", "discourse.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	list := ""
	for _, name := range fleetSites {
		config := strings.NewReplacer(
			"name: forum", "name: "+name,
			"hostname: forum.localtest.me", "hostname: "+name+".acme-forums.test",
			"profile: local", "profile: production",
		).Replace(string(base)) + "  s3:\n    bucket: acme-" + name + "-uploads\n    backupBucket: acme-" + name + "-backups\n    region: eu-central-1\n"
		write(t, filepath.Join(site, name+".yaml"), config)
		list += "- " + name + ".yaml\n"
	}
	kustomization, err := os.ReadFile(filepath.Join(site, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(site, "kustomization.yaml"), strings.Replace(string(kustomization), "- ../../base\n", "- ../../base\n"+list, 1))
}

// TestInProcessMatchesKustomizeCLI: generate, which runs discoursegen's
// functions in-process and builds each site apart when that is exact,
// writes the files the pinned kustomize CLI's build (the functions
// exec'd, every site in one run) lays out, byte for byte, for a fleet of
// three sites under each kind of overlay: one that only runs the
// functions, one whose patches all have targets (each site built on its
// own), one with its own resources and an untargeted patch (every site in
// one run) and one that records build metadata (built by kustomize with
// exec functions). Each case also asserts the way generate chose, so the
// test cannot pass by taking one way for all.
func TestInProcessMatchesKustomizeCLI(t *testing.T) {
	kustomize, err := filepath.Abs(filepath.Join(repoRoot, "bin", "kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		// extra is appended to clusters/production/kustomization.yaml;
		// files are written beside it.
		extra string
		files map[string]string
		// way is how generate must build production, and note what
		// generate must say about it, if anything.
		way, note string
	}{
		{name: "functions only", way: "identity"},
		{
			name: "targeted patches",
			extra: `patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /metadata/annotations/acme.test~1owner
      value: platform
- target:
    kind: ConfigMap
    name: forum-env
  patch: |-
    - op: add
      path: /data/ACME_FLAG
      value: "on"
commonAnnotations:
  acme.test/team: forums
`,
			way: "per site",
		},
		{
			name: "resources and an untargeted patch",
			extra: `resources:
- notes.yaml
patches:
- path: web-replicas.yaml
`,
			files: map[string]string{
				"notes.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: forum-notes
  namespace: forum
  labels:
    app.kubernetes.io/instance: forum
data:
  owner: platform
`,
				"web-replicas.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: community-web
  namespace: community
  annotations:
    acme.test/reviewed: "yes"
`,
			},
			way:  "together",
			note: "clusters/production: note: its 3 sites are built in one kustomize run, whose time grows with the square of their objects, because its kustomization has resources",
		},
		{
			name: "build metadata", extra: "buildMetadata: [originAnnotations]\n", way: "kustomize",
			note: "clusters/production: note: built by kustomize with exec functions, a process per site config, because buildMetadata records",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := sandbox(t)
			addFleet(t, root)
			env := filepath.Join(root, "clusters", "production")
			k, err := os.ReadFile(filepath.Join(env, "kustomization.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(env, "kustomization.yaml"), string(k)+c.extra)
			for name, content := range c.files {
				write(t, filepath.Join(env, name), content)
			}

			if got := wayOf(t, env); got != c.way {
				t.Fatalf("generate builds production %s, want %s", got, c.way)
			}
			code, _, said := generate(t, root)
			if code != 0 {
				t.Fatalf("generate: exit %d\n%s", code, said)
			}
			if notes := strings.Contains(said, "note:"); c.note == "" && notes || c.note != "" && !strings.Contains(said, c.note) {
				t.Errorf("generate's stderr does not say %q:\n%s", c.note, said)
			}
			cmd := exec.Command(kustomize, "build", "--enable-alpha-plugins", "--enable-exec", env)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr.String())
			}
			files, err := golden.Layout("golden", "production", resourcesOf(t, out))
			if err != nil {
				t.Fatal(err)
			}
			written := snapshot(t, filepath.Join(root, "golden", "production"))
			laidOut := map[string]string{}
			for _, f := range files {
				laidOut[strings.TrimPrefix(f.Path, "production/")] = string(f.Data)
			}
			if diff := cmp.Diff(laidOut, written); diff != "" {
				t.Errorf("generate's files differ from the kustomize CLI's build (-CLI +generate):\n%s", diff)
			}
			for _, site := range append([]string{"forum"}, fleetSites...) {
				if _, ok := written[site+"/app/deployment-"+site+"-web.yaml"]; !ok {
					t.Errorf("no web Deployment written for site %s", site)
				}
			}
		})
	}
}

// wayOf names how generate builds the environment in dir.
func wayOf(t *testing.T, dir string) string {
	t.Helper()
	overlay, err := build.ReadOverlay(dir)
	if err != nil {
		t.Fatal(err)
	}
	plan, _, err := build.PlanInProcess(overlay, inProcessRole)
	switch {
	case err != nil:
		t.Fatal(err)
	case plan == nil:
		return "kustomize"
	case plan.Identity:
		return "identity"
	case plan.PerSite:
		return "per site"
	}
	return "together"
}
