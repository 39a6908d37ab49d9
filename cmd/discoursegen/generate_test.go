package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/golden"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/schemas"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

const (
	repoRoot   = "../.."
	clustersIn = repoRoot + "/clusters"
	goldenDir  = repoRoot + "/golden"
)

// builtBinary is the discoursegen TestMain builds where the example
// configs' exec path points.
var builtBinary string

// TestMain builds discoursegen where the example configs point
// (bin/discoursegen), so the tests run the code under test, never a stale
// binary. The test binary is not that build, so generate's check that the
// function is the running build is pointed at it.
func TestMain(m *testing.M) {
	bin, err := filepath.Abs(filepath.Join(repoRoot, "bin", "discoursegen"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", bin, "discoursegen.dev/discoursegen/cmd/discoursegen")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building discoursegen:", err)
		os.Exit(1)
	}
	builtBinary = bin
	selfExecutable = func() (string, error) { return builtBinary, nil }
	os.Exit(m.Run())
}

// TestGoldenIsCurrent: golden/ equals a fresh in-process render.
func TestGoldenIsCurrent(t *testing.T) {
	files, _, err := renderAll(clustersIn, goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := golden.MakePlan(goldenDir, files)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("golden/ is stale, run make generate; changed: %v", plan.Changes())
	}
	if len(plan.Foreign) > 0 {
		t.Errorf("golden/ holds files generate did not write: %v", plan.Foreign)
	}
}

// TestKustomizeCLIMatchesGolden: the pinned kustomize CLI, running the
// exec function, prints exactly the objects committed in golden/<env>.
func TestKustomizeCLIMatchesGolden(t *testing.T) {
	kustomize := filepath.Join(repoRoot, "bin", "kustomize")
	if _, err := os.Stat(kustomize); err != nil {
		t.Fatalf("%v: run make tools to install the pinned kustomize CLI", err)
	}
	envs, err := environments(clustersIn)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			cmd := exec.Command(kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join(clustersIn, env))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr.String())
			}
			fromCLI := map[string]string{}
			for _, doc := range strings.Split(string(out), "\n---\n") {
				doc = strings.TrimPrefix(doc, "---\n")
				if strings.TrimSpace(doc) == "" {
					continue
				}
				var obj struct {
					Kind     string
					Metadata struct{ Name string }
				}
				if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
					t.Fatal(err)
				}
				fromCLI[strings.ToLower(obj.Kind)+"-"+obj.Metadata.Name+".yaml"] = strings.TrimSuffix(doc, "\n") + "\n"
			}
			fromGolden := map[string]string{}
			err = filepath.WalkDir(filepath.Join(goldenDir, env), func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || d.Name() == "kustomization.yaml" {
					return err
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				// Drop the two header comment lines generate adds.
				body := string(data)
				for range 2 {
					_, body, _ = strings.Cut(body, "\n")
				}
				fromGolden[d.Name()] = body
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(fromCLI) == 0 {
				t.Fatal("kustomize printed no objects: exec functions were silently skipped")
			}
			if len(fromCLI) != len(fromGolden) {
				t.Errorf("kustomize printed %d objects, golden/%s holds %d", len(fromCLI), env, len(fromGolden))
			}
			for name, want := range fromGolden {
				if got, ok := fromCLI[name]; !ok {
					t.Errorf("%s: in golden/%s but not in kustomize's output", name, env)
				} else if got != want {
					t.Errorf("%s: kustomize's output differs from golden/%s", name, env)
				}
			}
		})
	}
}

// sandbox copies clusters/ into a temporary repository layout with the
// built function, so generate can be run and broken without touching the
// real tree.
func sandbox(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "clusters"), os.DirFS(clustersIn)); err != nil {
		t.Fatal(err)
	}
	bin, err := filepath.Abs(filepath.Join(repoRoot, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	return root
}

func generate(t *testing.T, root string, extra ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"generate", "--clusters", filepath.Join(root, "clusters"), "--out", filepath.Join(root, "golden")}, extra...)
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// snapshot maps every file under dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGenerateOwnsOnlyItsFiles(t *testing.T) {
	root := sandbox(t)
	out := filepath.Join(root, "golden")
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("first generate: exit %d\n%s", code, stderr)
	}
	mine := filepath.Join(out, "local", "app", "my-extra.yaml")
	stale := filepath.Join(out, "local", "app", "deployment-forum-old.yaml")
	write(t, mine, "# hand-written\nkind: ConfigMap\n")
	write(t, stale, "# Code generated by discoursegen from clusters/local; DO NOT EDIT.\nkind: Deployment\n")

	code, _, stderr := generate(t, root)
	if code != 0 {
		t.Fatalf("second generate: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file generate did not write was removed: %v", err)
	}
	if !strings.Contains(stderr, "my-extra.yaml was not written by discoursegen") {
		t.Errorf("no warning about the foreign file:\n%s", stderr)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale generated file was kept; Flux would never prune its object")
	}

	// A generated file in the way of a hand-written one is refused.
	victim := filepath.Join(out, "local", "app", "service-forum-web.yaml")
	write(t, victim, "# mine now\n")
	if code, _, _ := generate(t, root); code == 0 {
		t.Error("generate overwrote a file without its marker")
	}
}

func TestGenerateWritesNothingOnError(t *testing.T) {
	root := sandbox(t)
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, filepath.Join(root, "golden"))
	// Break one environment, and change another so there would be work.
	patch := filepath.Join(root, "clusters", "staging", "site", "discourse.yaml")
	data, _ := os.ReadFile(patch)
	write(t, patch, strings.Replace(string(data), "hostname: forum.staging.acme-forums.test", "hostname: discourse.example.com", 1))
	local := filepath.Join(root, "clusters", "local", "site", "discourse.yaml")
	data, _ = os.ReadFile(local)
	write(t, local, strings.Replace(string(data), "forum.localtest.me", "chat.localtest.me", 1))

	// kustomize hands the function's stderr straight to the process's, so
	// that is where the user sees the field-level message.
	fnStderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	realStderr := os.Stderr
	os.Stderr = fnStderr
	code, _, stderr := generate(t, root)
	os.Stderr = realStderr
	fromFn, _ := os.ReadFile(fnStderr.Name())
	stderr = string(fromFn) + stderr
	if code == 0 {
		t.Fatal("generate succeeded with a placeholder hostname")
	}
	for _, want := range []string{"spec.hostname", "documentation placeholder", "nothing was written"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	after := snapshot(t, filepath.Join(root, "golden"))
	if len(before) != len(after) {
		t.Fatalf("file count changed from %d to %d", len(before), len(after))
	}
	for p, content := range before {
		if after[p] != content {
			t.Errorf("%s changed although generate failed", p)
		}
	}
}

func TestGenerateCheck(t *testing.T) {
	root := sandbox(t)
	if code, _, _ := generate(t, root, "--check"); code != 1 {
		t.Errorf("--check on an empty tree: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(root, "golden")); err == nil {
		t.Error("--check wrote files")
	}
	generate(t, root)
	if code, _, stderr := generate(t, root, "--check"); code != 0 {
		t.Errorf("--check right after generate: exit %d\n%s", code, stderr)
	}
	edited := filepath.Join(root, "golden", "production", "app", "deployment-forum-web.yaml")
	data, _ := os.ReadFile(edited)
	write(t, edited, string(data)+"# hand edit\n")
	code, _, stderr := generate(t, root, "--check")
	if code != 1 || !strings.Contains(stderr, "deployment-forum-web.yaml") {
		t.Errorf("--check after a hand edit: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestRenderRejects are the acceptance cases of issue #2: each bad config
// is rejected with a message naming the field, and nothing reaches stdout.
func TestRenderRejects(t *testing.T) {
	base := `apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata: {name: forum}
spec:
  profile: staging
  hostname: forum.acme-forums.test
  image: {repository: r, tag: v1}
  s3: {bucket: b, region: r}
`
	cases := map[string]struct{ extra, field string }{
		"unknown field":      {"  colour: blue\n", "spec.colour"},
		"negative replicas":  {"  web: {replicas: -2}\n", "spec.web.replicas"},
		"two schedulers":     {"  sidekiq: {scheduler: {replicas: 2}}\n", "spec.sidekiq.scheduler.replicas"},
		"placeholder host":   {"", "spec.hostname"},
		"CDN without scheme": {"  cdn: {url: cdn.acme-forums.test}\n", "spec.cdn.url"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			config := base + c.extra
			if name == "placeholder host" {
				config = strings.Replace(config, "forum.acme-forums.test", "discourse.example.com", 1)
			}
			file := filepath.Join(t.TempDir(), "site.yaml")
			write(t, file, config)
			var stdout, stderr bytes.Buffer
			if code := run([]string{"render", file}, &stdout, &stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if stdout.Len() != 0 {
				t.Errorf("wrote %d bytes to stdout", stdout.Len())
			}
			if !strings.Contains(stderr.String(), c.field+":") {
				t.Errorf("stderr does not name %s:\n%s", c.field, stderr.String())
			}
		})
	}
}

// TestRenderMatchesLibraryGolden pins the whole CLI path of render (read,
// load, render, encode, validate, print) to the library's golden for the
// same config.
func TestRenderMatchesLibraryGolden(t *testing.T) {
	dir := filepath.Join(repoRoot, "generator", "testdata", "production-separated")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"render", filepath.Join(dir, "config.yaml")}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(dir, "expected.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
		t.Errorf("render differs from the library golden (-want +got):\n%s", diff)
	}
}

// TestLibraryMatchesGolden: for every environment, the library's own
// encoding of each object (the function's config, as kustomize patches
// it, rendered without kustomize) is byte for byte the file in
// golden/<env>. A kyaml or sigs.k8s.io/yaml upgrade that split the two
// encodings would fail here.
func TestLibraryMatchesGolden(t *testing.T) {
	envs, err := environments(clustersIn)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			configs, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), filepath.Join(clustersIn, env, "site"))
			if err != nil {
				t.Fatal(err)
			}
			if configs.Size() != 1 {
				t.Fatalf("clusters/%s/site holds %d configs, want 1", env, configs.Size())
			}
			data, err := configs.Resources()[0].MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			objs, errs := discourse.Render(data)
			if len(errs) > 0 {
				t.Fatal(discourse.Describe(env, errs))
			}
			compared := 0
			for _, o := range objs {
				got, err := manifest.YAML([]generator.Object{o})
				if err != nil {
					t.Fatal(err)
				}
				stage := o.GetAnnotations()[generator.AnnotationStage]
				name := strings.ToLower(o.GetObjectKind().GroupVersionKind().Kind) + "-" + o.GetName() + ".yaml"
				file, err := os.ReadFile(filepath.Join(goldenDir, env, stage, name))
				if err != nil {
					t.Errorf("%s/%s: %v", stage, name, err)
					continue
				}
				body := string(file)
				for range 2 { // the two header lines generate adds
					_, body, _ = strings.Cut(body, "\n")
				}
				if diff := cmp.Diff(body, string(got)); diff != "" {
					t.Errorf("%s/%s: the library's encoding differs from golden (-golden +library):\n%s", stage, name, diff)
				}
				compared++
			}
			if compared == 0 {
				t.Fatal("compared no objects")
			}
		})
	}
}

// TestGenerateRefusesStaleFunction: when the exec function the configs
// name is not the running build, generate writes nothing and says so.
func TestGenerateRefusesStaleFunction(t *testing.T) {
	root := sandbox(t)
	stale := filepath.Join(t.TempDir(), "discoursegen")
	write(t, stale, "#!/bin/sh\necho stale\n")
	if err := os.Chmod(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(stale), filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := generate(t, root)
	if code == 0 {
		t.Fatal("generate rendered with a function that is not its own build")
	}
	for _, want := range []string{"is not this build of discoursegen", "nothing was written"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "golden")); err == nil {
		t.Error("golden/ was written")
	}
}

// TestGenerateChecksFluxPath: an environment directory named prod-eu whose
// config says gitops.path ./golden/production would have Flux apply
// another environment's output; generate refuses it, naming the fix.
func TestGenerateChecksFluxPath(t *testing.T) {
	root := sandbox(t)
	prodEU := filepath.Join(root, "clusters", "prod-eu")
	if err := os.CopyFS(prodEU, os.DirFS(filepath.Join(root, "clusters", "production"))); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := generate(t, root)
	if code == 0 {
		t.Fatal("generate accepted a Flux path that is not where it writes")
	}
	for _, want := range []string{"clusters/prod-eu", "applies ./golden/production/data", "set spec.gitops.path: ./golden/prod-eu", "nothing was written"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	patch := filepath.Join(prodEU, "site", "discourse.yaml")
	data, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	write(t, patch, strings.Replace(string(data), "path: ./golden/production", "path: ./golden/prod-eu", 1))
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("with the path fixed: exit %d\n%s", code, stderr)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkGenerate renders and validates all three environments
// in-process, the work of `make generate` minus the writing.
func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := renderAll(clustersIn, goldenDir); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSchemasCoverGolden: every apiVersion and kind in golden/ has a
// schema, so validation never skips an object.
func TestSchemasCoverGolden(t *testing.T) {
	v, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = filepath.WalkDir(goldenDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" || d.Name() == "kustomization.yaml" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var obj struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(data, &obj); err != nil {
			return err
		}
		seen++
		if !v.Known(obj.APIVersion, obj.Kind) {
			t.Errorf("%s: no schema for %s %s; add it to hack/sources.yaml and run make schemas", p, obj.APIVersion, obj.Kind)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("golden/ has no objects")
	}
}

// TestValidateCatchesBrokenGolden: a copy of golden/production with one
// Deployment's replicas turned into a string fails, naming the object and
// the JSON pointer.
func TestValidateCatchesBrokenGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "production")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(goldenDir, "production"))); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("pristine copy: exit %d\n%s", code, stderr.String())
	}
	file := filepath.Join(dir, "app", "deployment-forum-scheduler.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "\n  replicas: 1\n", "\n  replicas: \"three\"\n", 1)
	if broken == string(data) {
		t.Fatal("the scheduler Deployment has no replicas: 1 to break")
	}
	write(t, file, broken)
	stderr.Reset()
	if code := run([]string{"validate", dir}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"Deployment forum/forum-scheduler", "/spec/replicas", "expected integer, but got string"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stderr.String())
		}
	}
}

// BenchmarkRenderEnvironment renders one environment in-process (kustomize
// plus the exec function) and validates it: the per-environment cost of
// `make generate`.
func BenchmarkRenderEnvironment(b *testing.B) {
	v, err := schemas.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		objs, err := build.Run(filepath.Join(clustersIn, "production"))
		if err != nil {
			b.Fatal(err)
		}
		if err := validateBuilt(v, "production", objs); err != nil {
			b.Fatal(err)
		}
	}
}
