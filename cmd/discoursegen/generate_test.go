package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/golden"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/schemas"
	"github.com/google/go-cmp/cmp"
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
	files, _, err := renderAll(clustersIn, goldenDir, io.Discard)
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
			objs := resourcesOf(t, out)
			if len(objs) == 0 {
				t.Fatal("kustomize printed no objects: exec functions were silently skipped")
			}
			// The CLI's objects laid out as generate lays out its own: the
			// same files, byte for byte, the Flux paths included.
			files, err := golden.Layout("golden", env, objs)
			if err != nil {
				t.Fatal(err)
			}
			compareWithGolden(t, env, files)
		})
	}
}

// resourcesOf splits a YAML stream as kustomize prints it (one document
// per object, each exactly Resource.AsYAML) into resources.
func resourcesOf(t *testing.T, stream []byte) []build.Resource {
	t.Helper()
	var objs []build.Resource
	for _, doc := range strings.Split(string(stream), "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var obj struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name, Namespace     string
				Labels, Annotations map[string]string
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, build.Resource{
			APIVersion: obj.APIVersion, Kind: obj.Kind, Namespace: obj.Metadata.Namespace, Name: obj.Metadata.Name,
			Labels: obj.Metadata.Labels, Annotations: obj.Metadata.Annotations,
			YAML: []byte(strings.TrimSuffix(doc, "\n") + "\n"),
		})
	}
	return objs
}

// compareWithGolden holds one environment's files to golden/<env>: the
// same set of files, each byte for byte.
func compareWithGolden(t *testing.T, env string, files []golden.File) {
	t.Helper()
	want := snapshot(t, filepath.Join(goldenDir, env))
	got := map[string]string{}
	for _, f := range files {
		got[strings.TrimPrefix(f.Path, env+"/")] = string(f.Data)
	}
	for p, content := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("golden/%s/%s is committed but not rendered", env, p)
		} else if diff := cmp.Diff(content, g); diff != "" {
			t.Errorf("golden/%s/%s differs (-golden +rendered):\n%s", env, p, diff)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("golden/%s/%s is rendered but not committed", env, p)
		}
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

// snapshot maps every file under dir, by its slash-separated path
// relative to dir, to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGenerateOwnsOnlyItsFiles: a file in golden/ without generate's
// marker stops generate, which names it and writes nothing; --force keeps
// it (in the new tree) and warns; --check fails on it the same way,
// unless forced too. A stale generated file is removed, so Flux prunes its
// object, and a hand-written file in the way of a generated one is never
// overwritten, forced or not.
func TestGenerateOwnsOnlyItsFiles(t *testing.T) {
	root := sandbox(t)
	out := filepath.Join(root, "golden")
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("first generate: exit %d\n%s", code, stderr)
	}
	mine := filepath.Join(out, "local", "forum", "app", "my-extra.yaml")
	notes := filepath.Join(out, "production", "notes.txt")
	stale := filepath.Join(out, "local", "forum", "app", "deployment-forum-old.yaml")
	write(t, mine, "# hand-written\nkind: ConfigMap\n")
	write(t, notes, "mine\n")
	write(t, stale, "# Code generated by discoursegen from clusters/local; DO NOT EDIT.\nkind: Deployment\n")
	before := snapshot(t, out)

	code, _, stderr := generate(t, root)
	if code != 1 {
		t.Errorf("generate with foreign files: exit %d, want 1\n%s", code, stderr)
	}
	for _, want := range []string{"golden/local/forum/app/my-extra.yaml", "golden/production/notes.txt", "--force", "move them out of golden/", "nothing was written"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
		t.Errorf("generate refused but changed golden/ (-before +after):\n%s", diff)
	}
	if code, _, stderr := generate(t, root, "--check"); code != 1 || !strings.Contains(stderr, "golden/production/notes.txt") || !strings.Contains(stderr, "deployment-forum-old.yaml") {
		t.Errorf("--check with foreign files and a stale one: exit %d, want 1 naming both\n%s", code, stderr)
	}

	code, _, stderr = generate(t, root, "--force")
	if code != 0 {
		t.Fatalf("generate --force: exit %d\n%s", code, stderr)
	}
	for _, p := range []string{mine, notes} {
		if data, err := os.ReadFile(p); err != nil || string(data) != before[relTo(t, out, p)] {
			t.Errorf("%s, not written by generate, was not kept: %q, %v", p, data, err)
		}
		if !strings.Contains(stderr, filepath.Base(p)+" was not written by discoursegen") {
			t.Errorf("no warning about %s:\n%s", p, stderr)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale generated file was kept; Flux would never prune its object")
	}

	// Now only the foreign files differ from a fresh render.
	if code, _, stderr := generate(t, root, "--check"); code != 1 || !strings.Contains(stderr, "golden/local/forum/app/my-extra.yaml") {
		t.Errorf("--check with foreign files: exit %d, want 1 naming them\n%s", code, stderr)
	}
	if code, _, stderr := generate(t, root, "--check", "--force"); code != 0 || !strings.Contains(stderr, "warning: golden/production/notes.txt") {
		t.Errorf("--check --force with foreign files only: exit %d, want 0 and a warning\n%s", code, stderr)
	}

	// A generated file in the way of a hand-written one is refused.
	victim := filepath.Join(out, "local", "forum", "app", "service-forum-web.yaml")
	write(t, victim, "# mine now\n")
	for _, force := range [][]string{nil, {"--force"}} {
		if code, _, _ := generate(t, root, force...); code == 0 {
			t.Errorf("generate %v overwrote a file without its marker", force)
		}
		if data, _ := os.ReadFile(victim); string(data) != "# mine now\n" {
			t.Errorf("generate %v changed a file without its marker: %q", force, data)
		}
	}
}

// relTo is p relative to dir, slash-separated, as snapshot keys it.
func relTo(t *testing.T, dir, p string) string {
	t.Helper()
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

func TestGenerateWritesNothingOnError(t *testing.T) {
	root := sandbox(t)
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, filepath.Join(root, "golden"))
	// Break one environment, and change another so there would be work.
	edit(t, filepath.Join(root, "clusters", "staging", "site", "discourse.yaml"), "hostname: forum.staging.acme-forums.test", "hostname: discourse.example.com")
	edit(t, filepath.Join(root, "clusters", "local", "site", "discourse.yaml"), "hostname: forum.localtest.me", "hostname: chat.localtest.me")

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
	edited := filepath.Join(root, "golden", "production", "forum", "app", "deployment-forum-web.yaml")
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
  s3: {bucket: b, backupBucket: backups, region: r}
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
// it, rendered without kustomize, printed by package jsonyaml) is byte
// for byte the file in golden/<env>. With TestKustomizeCLIMatchesGolden,
// which holds golden/ to kustomize's own printing, a kyaml or
// sigs.k8s.io/yaml upgrade that split the two encodings fails here.
func TestLibraryMatchesGolden(t *testing.T) {
	envs, err := environments(clustersIn)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			configs, err := build.Configs(filepath.Join(clustersIn, env))
			if err != nil {
				t.Fatal(err)
			}
			var objs []build.Resource
			for _, c := range configs {
				data, err := c.Node.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				rendered, errs := discourse.Render(data)
				if len(errs) > 0 {
					t.Fatal(discourse.Describe(env, errs))
				}
				out, err := manifest.YAML(rendered)
				if err != nil {
					t.Fatal(err)
				}
				objs = append(objs, resourcesOf(t, out)...)
			}
			files, err := golden.Layout("golden", env, objs)
			if err != nil {
				t.Fatal(err)
			}
			compareWithGolden(t, env, files)
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

// TestGenerateDerivesFluxPaths: nobody types a Flux path. An environment
// directory named prod-eu, a copy of production, renders into
// golden/prod-eu, and its Flux Kustomizations apply golden/prod-eu, never
// production's directories.
func TestGenerateDerivesFluxPaths(t *testing.T) {
	root := sandbox(t)
	if err := os.CopyFS(filepath.Join(root, "clusters", "prod-eu"), os.DirFS(filepath.Join(root, "clusters", "production"))); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	paths := fluxPaths(t, filepath.Join(root, "golden", "prod-eu", "flux"))
	want := []string{"./golden/prod-eu/forum/app", "./golden/prod-eu/forum/data", "./golden/prod-eu/forum/migrate", "./golden/prod-eu/forum/post-migrate"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("prod-eu's Flux paths (-want +got):\n%s", diff)
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(root, p, "kustomization.yaml")); err != nil {
			t.Errorf("Flux applies %s, which generate did not write: %v", p, err)
		}
	}
}

// fluxPaths lists the spec.path of every Flux Kustomization in dir, sorted.
func fluxPaths(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	for name, content := range snapshot(t, dir) {
		if name == "kustomization.yaml" {
			continue
		}
		var k struct {
			Spec struct{ Path string } `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(content), &k); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, k.Spec.Path)
	}
	slices.Sort(paths)
	return paths
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
		if _, _, err := renderAll(clustersIn, goldenDir, io.Discard); err != nil {
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

// TestCommittedGoldenValidates: the bytes generate wrote, every
// environment, read back from disk, pass the schemas and the policy.
// generate's gate judges each object it printed without reading it back
// (the printer is held to kustomize's bytes by package jsonyaml's
// tests); this reads what is committed, as Flux will.
func TestCommittedGoldenValidates(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", goldenDir}, &stdout, &stderr); code != 0 {
		t.Fatalf("validate %s: exit %d\n%s", goldenDir, code, stderr.String())
	}
	if !strings.Contains(stderr.String(), " 0 invalid, 0 policy errors") {
		t.Errorf("unexpected summary:\n%s", stderr.String())
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
	file := filepath.Join(dir, "forum", "app", "deployment-forum-scheduler.yaml")
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

// TestFleet: a second site added to clusters/production renders into its
// own stage directories and Flux Kustomizations. Every Flux Kustomization
// applies a directory whose objects all belong to its own site, so no
// site's stage prunes, applies or waits for another's; the other
// environments do not change.
func TestFleet(t *testing.T) {
	root := sandbox(t)
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, filepath.Join(root, "golden"))

	site := filepath.Join(root, "clusters", "production", "site")
	base, err := os.ReadFile(filepath.Join(root, "clusters", "base", "discourse.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	community := strings.NewReplacer(
		"name: forum", "name: community",
		"hostname: forum.localtest.me", "hostname: community.acme-forums.test",
		"profile: local", "profile: production",
	).Replace(string(base)) + `  s3:
    bucket: acme-community-uploads
    backupBucket: acme-community-backups
    region: eu-central-1
`
	write(t, filepath.Join(site, "community.yaml"), community)
	kustomization, err := os.ReadFile(filepath.Join(site, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(site, "kustomization.yaml"), strings.Replace(string(kustomization), "- ../../base\n", "- ../../base\n- community.yaml\n", 1))
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate with two sites: exit %d\n%s", code, stderr)
	}
	after := snapshot(t, filepath.Join(root, "golden"))
	for p, content := range before {
		if !strings.HasPrefix(p, "production/") && after[p] != content {
			t.Errorf("%s changed when a site was added to production", p)
		}
		if strings.HasPrefix(p, "production/forum/") && after[p] != content {
			t.Errorf("%s, a file of the first site, changed when a second site was added", p)
		}
	}

	paths := fluxPaths(t, filepath.Join(root, "golden", "production", "flux"))
	var sites []string
	for _, p := range paths {
		site := strings.Split(p, "/")[3] // ./golden/production/<site>/<stage>
		if !slices.Contains(sites, site) {
			sites = append(sites, site)
		}
	}
	if want := []string{"community", "forum"}; !slices.Equal(sites, want) {
		t.Fatalf("the Flux Kustomizations apply the sites %v, want %v (paths %v)", sites, want, paths)
	}
	for name, content := range snapshot(t, filepath.Join(root, "golden", "production", "flux")) {
		if name == "kustomization.yaml" {
			continue
		}
		var meta struct {
			Metadata struct {
				Name   string
				Labels map[string]string
			}
			Spec struct{ Path string }
		}
		if err := yaml.Unmarshal([]byte(content), &meta); err != nil {
			t.Fatal(err)
		}
		owner := meta.Metadata.Labels["app.kubernetes.io/instance"]
		applied := 0
		for file, obj := range snapshot(t, filepath.Join(root, meta.Spec.Path)) {
			if file == "kustomization.yaml" {
				continue
			}
			applied++
			var o struct {
				Metadata struct{ Labels map[string]string }
			}
			if err := yaml.Unmarshal([]byte(obj), &o); err != nil {
				t.Fatal(err)
			}
			if got := o.Metadata.Labels["app.kubernetes.io/instance"]; got != owner {
				t.Errorf("Flux Kustomization %s of site %s applies %s/%s, an object of site %q", meta.Metadata.Name, owner, meta.Spec.Path, file, got)
			}
		}
		if applied == 0 {
			t.Errorf("Flux Kustomization %s applies %s, which holds no object", meta.Metadata.Name, meta.Spec.Path)
		}
	}
}

// TestGenerateRefusesOutputOutsideTheRepository: Flux resolves spec.path
// against the repository that holds clusters/, so an output outside it
// (../x, or an absolute path elsewhere) would give Flux paths that leave
// the repository. generate refuses, naming the flag.
func TestGenerateRefusesOutputOutsideTheRepository(t *testing.T) {
	root := sandbox(t)
	for _, out := range []string{filepath.Join(root, "..", "elsewhere"), t.TempDir()} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"generate", "--clusters", filepath.Join(root, "clusters"), "--out", out}, &stdout, &stderr)
		if code == 0 {
			t.Errorf("--out %s: generate succeeded", out)
		}
		if !strings.Contains(stderr.String(), "--out") || !strings.Contains(stderr.String(), "inside the repository") {
			t.Errorf("--out %s: the error does not name the flag and the rule:\n%s", out, stderr.String())
		}
		if _, err := os.Stat(filepath.Join(out, "production")); err == nil {
			t.Errorf("--out %s: files were written", out)
		}
	}
}
