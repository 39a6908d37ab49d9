package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/internal/release"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

const (
	pinDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	pinImage  = "registry.example.org/discourse:v2099.1.0-abc123def456@" + pinDigest
)

func runCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// jobNames lists the metadata.name of every Job generate wrote for env,
// wherever the layout puts it.
func jobNames(t *testing.T, root, env string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(filepath.Join(root, "golden", env), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var obj struct {
			Kind     string
			Metadata struct{ Name string }
		}
		if err := yaml.Unmarshal(data, &obj); err != nil {
			return err
		}
		if obj.Kind == "Job" {
			names = append(names, obj.Metadata.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("golden/%s has no Job", env)
	}
	return names
}

func anyContains(names []string, s string) bool {
	for _, n := range names {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// TestPinAndPromoteEndToEnd: pinning staging and generating changes
// golden/staging only, with a migration Job named after the new release;
// promoting staging to production and generating brings the release to
// production.
func TestPinAndPromoteEndToEnd(t *testing.T) {
	root := sandbox(t)
	clusters := filepath.Join(root, "clusters")
	production, staging := filepath.Join(root, "golden", "production"), filepath.Join(root, "golden", "staging")
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	productionBefore, stagingBefore := snapshot(t, production), snapshot(t, staging)
	if len(productionBefore) == 0 || len(stagingBefore) == 0 {
		t.Fatal("generate wrote no golden/production or golden/staging")
	}
	if anyContains(jobNames(t, root, "staging"), "2099") {
		t.Fatal("staging already runs the release this test pins")
	}

	stagingFile, err := release.Find(clusters, "staging")
	if err != nil {
		t.Fatal(err)
	}
	old, err := stagingFile.Read()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd("pin", "--clusters", clusters, "staging", pinImage)
	if code != exitValid {
		t.Fatalf("pin: exit %d\n%s", code, stderr)
	}
	if want := stagingFile.Path + ": " + old.String() + " -> " + pinImage + "; run make generate\n"; stdout != want {
		t.Errorf("pin printed %q, want %q", stdout, want)
	}
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate after pin: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(productionBefore, snapshot(t, production)); diff != "" {
		t.Errorf("pinning staging changed golden/production (-before +after):\n%s", diff)
	}
	if cmp.Equal(stagingBefore, snapshot(t, staging)) {
		t.Error("pinning staging left golden/staging as it was")
	}
	if names := jobNames(t, root, "staging"); !anyContains(names, "2099") {
		t.Errorf("staging's Jobs %v: none is named after release v2099.1.0", names)
	}
	if anyContains(jobNames(t, root, "production"), "2099") {
		t.Error("production runs staging's new release before any promote")
	}

	code, stdout, stderr = runCmd("promote", "--clusters", clusters, "staging", "production")
	if code != exitValid {
		t.Fatalf("promote: exit %d\n%s", code, stderr)
	}
	if !strings.HasSuffix(stdout, " -> "+pinImage+"; run make generate\n") {
		t.Errorf("promote printed %q", stdout)
	}
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate after promote: exit %d\n%s", code, stderr)
	}
	if names := jobNames(t, root, "production"); !anyContains(names, "2099") {
		t.Errorf("production's Jobs %v: none is named after the promoted release", names)
	}
}

// TestPinRefusals: each refusal has its exit code, names the command,
// and writes nothing.
func TestPinRefusals(t *testing.T) {
	root := sandbox(t)
	clusters := filepath.Join(root, "clusters")
	// local pins a tag only, whatever the example says, for the promote
	// case below.
	if code, _, stderr := runCmd("pin", "--clusters", clusters, "local", "registry.example.org/discourse:v2099.1.0"); code != exitValid {
		t.Fatalf("pin local: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, clusters)
	cases := map[string]struct {
		args []string
		code int
		want []string
	}{
		"malformed reference": {
			[]string{"pin", "--clusters", clusters, "staging", "Registry/Discourse:v1"},
			exitInvalid,
			[]string{`discoursegen pin: "Registry/Discourse:v1": repository must be lowercase; want REGISTRY/REPOSITORY:TAG[@sha256:DIGEST]`},
		},
		"latest": {
			[]string{"pin", "--clusters", clusters, "staging", "discourse/discourse:latest"},
			exitInvalid,
			[]string{"tag latest moves"},
		},
		"unknown environment": {
			[]string{"pin", "--clusters", clusters, "prod", pinImage},
			exitInvalid,
			[]string{`unknown environment "prod"`, "local, production, staging"},
		},
		"production without digest": {
			[]string{"pin", "--clusters", clusters, "production", "registry.example.org/discourse:v2099.1.0"},
			exitInvalid,
			[]string{"pinned by digest", "a tag can be moved"},
		},
		"promote a tag-only pin to production": {
			[]string{"promote", "--clusters", clusters, "local", "production"},
			exitInvalid,
			[]string{"discoursegen promote:", "pin local by digest first"},
		},
		"missing image": {
			[]string{"pin", "--clusters", clusters, "staging"},
			exitError,
			[]string{"usage: discoursegen pin"},
		},
		"promote with one environment": {
			[]string{"promote", "--clusters", clusters, "staging"},
			exitError,
			[]string{"usage: discoursegen promote"},
		},
		"no clusters directory": {
			[]string{"pin", "--clusters", filepath.Join(root, "nowhere"), "staging", pinImage},
			exitError,
			[]string{"nowhere"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCmd(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			if stdout != "" {
				t.Errorf("printed %q on stdout", stdout)
			}
			for _, want := range c.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
	if diff := cmp.Diff(before, snapshot(t, clusters)); diff != "" {
		t.Errorf("a refused command changed clusters/ (-before +after):\n%s", diff)
	}
}

// TestPromoteAlreadyPinned: promoting to an environment that already
// runs the release says so, exits 0 and writes nothing.
func TestPromoteAlreadyPinned(t *testing.T) {
	root := sandbox(t)
	clusters := filepath.Join(root, "clusters")
	if code, _, stderr := runCmd("promote", "--clusters", clusters, "staging", "local"); code != exitValid {
		t.Fatalf("first promote: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, clusters)
	code, stdout, stderr := runCmd("promote", "--clusters", clusters, "staging", "local")
	if code != exitValid {
		t.Fatalf("second promote: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "already pins") || !strings.Contains(stdout, "nothing written") {
		t.Errorf("second promote printed %q", stdout)
	}
	if diff := cmp.Diff(before, snapshot(t, clusters)); diff != "" {
		t.Errorf("second promote changed clusters/ (-before +after):\n%s", diff)
	}
}
