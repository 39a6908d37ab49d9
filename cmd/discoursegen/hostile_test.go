//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"discoursegen.dev/discoursegen/functions/discourse"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// hostileHead is a config that renders, with the function annotation
// generate's kustomize needs to run it as a generator; the cases add to
// it or replace it.
const hostileHead = `apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata:
  name: forum
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: ../../bin/discoursegen
        args: [fn]
spec:
  profile: staging
  hostname: forum.staging.acme-forums.test
  image: {repository: ghcr.io/acme-forums/discourse, tag: v2026.1.0}
  s3: {bucket: uploads, region: eu-central-1}
`

// hostileCase is one input every command must refuse: exit non-zero,
// say what is wrong (want, or wantBy for one command), print nothing on
// stdout, write nothing, never panic, and, for the big ones, stay under
// maxPeakRSS.
type hostileCase struct {
	name   string
	config func() string
	want   []string
	wantBy map[string][]string
	// modes limits the case to some commands; nil is all of them.
	modes []string
	big   bool
	// patch, for generate, makes the case from production's own patch
	// (clusters/production/site/discourse.yaml), which stays a patch of
	// the base config; without it, the case replaces the site's config.
	patch func(original string) string
}

// The commands the cases run, each with the real binary.
const (
	modeRender   = "render FILE"
	modeFn       = "fn <ResourceList"
	modeFnFile   = "fn FILE"
	modeGenerate = "generate"
)

// maxPeakRSS is the acceptance: a 20 MB config is refused under
// 300 MB.
const maxPeakRSS = 300 << 20

func withHead(extra string) func() string {
	return func() string { return hostileHead + extra }
}

func replaceHead(old, new string) func() string {
	return func() string { return strings.Replace(hostileHead, old, new, 1) }
}

// envEntries is the config of the issue: n env entries, about 75 bytes
// each.
func envEntries(n int) func() string {
	return func() string {
		var b strings.Builder
		b.WriteString(hostileHead + "  env:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - name: DISCOURSE_EXTRA_SETTING_%07d\n    value: \"some value %07d, abcdefghij\"\n", i, i)
		}
		return b.String()
	}
}

var hostileCases = []hostileCase{
	{name: "YAML syntax error", config: withHead("  web: {replicas: [\n"),
		want: []string{"yaml: line ", "did not find expected node content"}},
	{name: "empty file", config: func() string { return "" },
		wantBy: map[string][]string{
			modeRender:   {"empty document; expected a Discourse config"},
			modeFn:       {"missing functionConfig"},
			modeFnFile:   {"empty document; expected a Discourse config"},
			modeGenerate: {"discourse.yaml: empty"},
		}},
	{name: "duplicate keys", config: withHead("  hostname: forum.acme-forums.test\n"),
		want: []string{"spec.hostname: duplicate key at line"}},
	{name: "alias bomb", config: withHead(strings.Join([]string{
		`  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`,
		`  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]`,
		`  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]`,
		`  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]`,
		`  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]`,
		`  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]`,
		`  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]`,
		`  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]`,
		`  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]`,
	}, "\n") + "\n"),
		want: []string{"YAML aliases expand this to more than 10000 values"}, big: true},
	{name: "wrong apiVersion", config: replaceHead("discoursegen.dev/v1alpha1", "discoursegen.dev/v1beta9"),
		want: []string{`unsupported apiVersion "discoursegen.dev/v1beta9"`}},
	{name: "wrong kind", config: replaceHead("kind: Discourse", "kind: DiscourseSite"),
		want: []string{`kind "DiscourseSite"; supported: discoursegen.dev/v1alpha1 Discourse`}},
	{name: "unknown field", config: withHead("  colour: blue\n"),
		want: []string{`spec.colour: unknown field "colour"`}},
	{name: "wrong types", config: withHead("  web: {replicas: three}\n  ingress: {enabled: maybe}\n"),
		want: []string{"spec.web.replicas: expected integer", "spec.ingress.enabled: expected boolean"}},
	{name: "out-of-range numbers", config: withHead("  web: {replicas: 99999999999}\n  postgres: {pool: 2147483647}\n"),
		want: []string{"spec.web.replicas: must be <= 1000 but found 99999999999", "spec.postgres.pool: must be <= 1000 but found 2147483647"}},
	{name: "missing Secret references", config: withHead("  env:\n  - {name: DISCOURSE_OPENAI_API_KEY, valueFrom: {secretKeyRef: {key: openai}}}\n  secrets: {keys: {dbPassword: \"\"}, name: Forum_Secrets}\n"),
		want: []string{"spec.env[0].valueFrom.secretKeyRef.name: is required", "spec.secrets.name: must be the name of a Secret"}},
	{name: "contradicting options", config: withHead("  sidekiq: {layout: unified}\n  web: {autoscaling: {enabled: true}}\n"),
		want: []string{"spec.sidekiq.layout: unified runs the scheduler inside the web pod"}},
	{name: "a list over its limit", config: envEntries(201),
		want: []string{"spec.env: 201 entries is over the limit of 200"}},
	// kustomize takes an empty patch as no patch, and production would
	// be rendered from the base config (profile local); of two equal keys
	// in a patch it keeps one. Both used to pass.
	{name: "an empty patch", patch: func(string) string { return "" },
		want: []string{"discourse.yaml: empty"}, modes: []string{modeGenerate}},
	{name: "duplicate keys in a patch", patch: func(original string) string { return original + "  cdn:\n    url: https://cdn.other.test\n" },
		want: []string{"discourse.yaml: spec.cdn: duplicate key at line"}, modes: []string{modeGenerate}},
	{name: "two documents", config: func() string { return hostileHead + "---\n" + hostileHead },
		want: []string{"2 YAML documents"}, modes: []string{modeRender, modeFnFile}},
	{name: "a megabyte of values", config: func() string {
		n := (discourse.MaxConfigBytes - len(hostileHead) - 100) / 2
		return hostileHead + "  env: [" + strings.Repeat("1,", n-1) + "1]\n"
	}, want: []string{"more than 10000 YAML values", "the longest list is spec.env"}, big: true},
	{name: "tens of MB", config: envEntries(300_000),
		want: []string{"MiB is over the 1 MiB limit for a config file"}, big: true},
	{name: "a ResourceList over 32 MiB", config: func() string {
		return hostileHead + strings.Repeat("# "+strings.Repeat("x", 98)+"\n", 34<<20/100)
	}, want: []string{"stdin: more than 32 MiB, over the 32 MiB limit for a ResourceList"}, modes: []string{modeFn}, big: true},
}

// TestHostileInput runs the real binary on every hostile case, as render,
// as the function (a ResourceList on stdin, and a config file) and under
// generate (the case is the production site's config in a sandbox).
func TestHostileInput(t *testing.T) {
	template := generatedSandbox(t)
	for _, mode := range []string{modeRender, modeFn, modeFnFile, modeGenerate} {
		t.Run(mode, func(t *testing.T) {
			for _, c := range hostileCases {
				if c.modes != nil && !slices.Contains(c.modes, mode) {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					runHostile(t, template, mode, c)
				})
			}
		})
	}
}

func runHostile(t *testing.T, template, mode string, c hostileCase) {
	var config string
	if c.config != nil {
		config = c.config()
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "site.yaml")
	write(t, file, config)
	var args []string
	var stdin string
	var root string
	switch mode {
	case modeRender:
		args = []string{"render", file}
	case modeFnFile:
		args = []string{"fn", file}
	case modeFn:
		args = []string{"fn"}
		stdin = asResourceList(config)
	case modeGenerate:
		root = copySandbox(t, template)
		site := filepath.Join(root, "clusters", "production", "site")
		if c.patch != nil {
			original, err := os.ReadFile(filepath.Join(site, "discourse.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			config = c.patch(string(original))
		} else {
			// The case is the whole config of production's site.
			write(t, filepath.Join(site, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- discourse.yaml\n")
		}
		write(t, filepath.Join(site, "discourse.yaml"), config)
		args = []string{"generate", "--clusters", "clusters", "--out", "golden"}
	}
	if root == "" {
		root = dir
	}
	before := filesUnder(t, root)
	code, stdout, stderr, peak, elapsed := runMeasured(t, root, stdin, args...)
	t.Logf("%s, %s: %v, peak RSS %d MB (input %d bytes)", mode, c.name, elapsed.Round(time.Millisecond), peak>>20, len(config))

	if code <= 0 {
		t.Errorf("exit %d, want a refusal", code)
	}
	want := c.want
	if w, ok := c.wantBy[mode]; ok {
		want = w
	}
	for _, w := range want {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr lacks %q:\n%.3000s", w, stderr.String())
		}
	}
	if mode == modeGenerate && !strings.Contains(stderr.String(), "nothing was written") {
		t.Errorf("generate does not say that nothing was written:\n%.3000s", stderr.String())
	}
	for _, p := range []string{"panic:", "goroutine "} {
		if strings.Contains(stderr.String(), p) {
			t.Errorf("stderr holds %q:\n%.3000s", p, stderr.String())
		}
	}
	checkNoObjects(t, mode, stdout.Bytes())
	if after := filesUnder(t, root); !maps.Equal(before, after) {
		t.Errorf("files changed although the command failed")
	}
	if c.big && peak >= maxPeakRSS {
		t.Errorf("peak RSS %d MB, want under %d MB", peak>>20, maxPeakRSS>>20)
	}
}

// runMeasured runs the built binary with args in dir through a launcher
// (see init), and returns its exit code, what it printed, its peak RSS,
// and how long it took (for the log: the tests assert no timing). A
// context kills the whole process group after minutes, a guard against a
// hang, not a timing.
func runMeasured(t *testing.T, dir, stdin string, args ...string) (code int, stdout, stderr *bytes.Buffer, peak int64, elapsed time.Duration) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rssFile := filepath.Join(t.TempDir(), "peak-rss")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, append([]string{builtBinary}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), measureEnv+"="+rssFile)
	cmd.Stdin = strings.NewReader(stdin)
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	runErr := cmd.Run()
	elapsed = time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("still running after %v: killed (%v)", elapsed, runErr)
	}
	data, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatalf("the launcher measured nothing: %v (%v)\n%s", err, runErr, stderr)
	}
	peak, err = strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout, stderr, peak, elapsed
}

// measureEnv, when set, makes the test binary a launcher that runs its
// arguments and writes their peak RSS to the file it names.
const measureEnv = "DISCOURSEGEN_TEST_PEAK_RSS_FILE"

// init makes the test binary the launcher when measureEnv is set. The
// test cannot measure its own children: os/exec starts a child in the
// parent's address space until exec (vfork), and Linux counts that space
// toward the child's peak, so every child of a test holding a few hundred
// MB would seem to peak there. The launcher is a fresh process of a few
// MB, and its child is measured from there.
func init() {
	if out := os.Getenv(measureEnv); out != "" {
		os.Exit(launch(out, os.Args[1:]))
	}
}

func launch(out string, args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, measureEnv+"=") })
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	if err := os.WriteFile(out, []byte(strconv.FormatInt(peakRSS(cmd.ProcessState), 10)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	if code := cmd.ProcessState.ExitCode(); code >= 0 {
		return code
	}
	return 125 // killed by a signal
}

// checkNoObjects: a refusal prints nothing on stdout. The function is the
// exception the KRM protocol makes: once it has parsed its input, it
// answers with the ResourceList, which then carries error results and no
// items (kpt shows the results; kustomize reads none but the exit code).
func checkNoObjects(t *testing.T, mode string, stdout []byte) {
	t.Helper()
	if len(stdout) == 0 {
		return
	}
	if mode != modeFn {
		t.Errorf("wrote %d bytes to stdout:\n%.1000s", len(stdout), stdout)
		return
	}
	// A node tree, not a decode: the echoed functionConfig may be the
	// alias bomb itself.
	rl, err := kyaml.Parse(string(stdout))
	if err != nil {
		t.Fatalf("stdout is not a ResourceList: %v\n%.1000s", err, stdout)
	}
	var items, results []*kyaml.RNode
	if n := rl.Field("items"); n != nil {
		items, _ = n.Value.Elements()
	}
	if n := rl.Field("results"); n != nil {
		results, _ = n.Value.Elements()
	}
	if rl.GetKind() != "ResourceList" || len(items) > 0 || len(results) == 0 || results[0].Field("severity") == nil || results[0].Field("severity").Value.YNode().Value != "error" {
		t.Errorf("stdout is not a ResourceList with error results and no items:\n%.1000s", stdout)
	}
}

// asResourceList wraps a config as the functionConfig of a ResourceList, as
// kustomize sends a generator its config.
func asResourceList(config string) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n")
	for _, line := range strings.SplitAfter(config, "\n") {
		if line != "" {
			b.WriteString("  " + line)
		}
	}
	return b.String()
}

// generatedSandbox is a sandbox (clusters/, bin/ linked to the built
// binary) in which the real binary has generated golden/, for the
// generate cases to copy: they check that a refusal leaves it as it was.
func generatedSandbox(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "clusters"), os.DirFS(clustersIn)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(builtBinary), filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(builtBinary, "generate", "--clusters", "clusters", "--out", "golden")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate in the sandbox: %v\n%s", err, out)
	}
	return root
}

// copySandbox copies the generated sandbox for one case, with bin/ linked
// to the built binary as the example configs' exec path expects.
func copySandbox(t *testing.T, template string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"clusters", "golden"} {
		if err := os.CopyFS(filepath.Join(root, d), os.DirFS(filepath.Join(template, d))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Dir(builtBinary), filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	return root
}

// filesUnder maps every file under root but bin/ to its content, and every
// directory to "/", so that a new empty directory counts as a change.
func filesUnder(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case rel == "bin":
			return nil
		case d.IsDir():
			files[rel] = "/"
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// peakRSS is the largest resident set of the child and of the children
// it waited for (the function kustomize runs under generate): wait4
// reports the maximum over the process and its reaped descendants, not
// their sum.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // bytes
	}
	return int64(ru.Maxrss) << 10 // KiB
}
