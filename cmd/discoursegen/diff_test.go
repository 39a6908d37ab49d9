package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/internal/review"
	"github.com/google/go-cmp/cmp"
)

// isolateGit keeps the machine's and the user's git configuration, and a
// repository an outer git hook points at, away from the test's git and
// from the git diff runs.
func isolateGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES"} {
		t.Setenv(v, "") // restores the variable after the test
		os.Unsetenv(v)
	}
}

// gitIn runs git in dir with a committer identity of its own, so it works
// on a machine where git was never configured.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{
		"-c", "user.name=discoursegen test", "-c", "user.email=test@discoursegen.invalid",
		"-c", "init.defaultBranch=main", "-c", "commit.gpgSign=false",
	}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// diffRepo is a git repository with two commits: clusters/ alone, then
// the golden/ that generate writes from it. golden/ is generated here
// rather than copied, so the base is this build's render even while the
// repository's own golden/ is stale.
func diffRepo(t *testing.T) string {
	t.Helper()
	isolateGit(t)
	root := sandbox(t)
	gitIn(t, root, "init", "-q")
	gitIn(t, root, "add", "clusters")
	gitIn(t, root, "commit", "-q", "-m", "clusters only")
	if code, _, stderr := generate(t, root); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	gitIn(t, root, "add", "golden")
	gitIn(t, root, "commit", "-q", "-m", "golden")
	return root
}

// runDiffIn runs discoursegen diff on the repository at root.
func runDiffIn(root string, extra ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	args := append([]string{"diff", "--clusters", filepath.Join(root, "clusters"), "--out", filepath.Join(root, "golden")}, extra...)
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// section is the part of a text report about env: its summary line and
// the object and field lines under it.
func section(report, env string) string {
	var lines []string
	in := false
	for _, line := range strings.Split(report, "\n") {
		if !strings.HasPrefix(line, " ") {
			in = strings.HasPrefix(line, env+":") || strings.HasPrefix(line, env+" (")
		}
		if in {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// edit replaces old with new in the file at path, once, and fails when
// old is not there.
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	write(t, path, strings.Replace(string(data), old, new, 1))
}

// TestDiffStagingRelease is the acceptance case of the issue: a new
// release for staging shows, before make generate, as a new migration Job
// (flagged) and changed Deployments in staging, and nothing anywhere else.
func TestDiffStagingRelease(t *testing.T) {
	root := diffRepo(t)

	code, stdout, stderr := runDiffIn(root)
	if code != exitNoChanges {
		t.Fatalf("right after a commit: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	for _, env := range []string{"local", "production", "staging"} {
		if !strings.Contains(stdout, "\n"+env+": no changes\n") {
			t.Errorf("no %q line:\n%s", env+": no changes", stdout)
		}
	}

	edit(t, filepath.Join(root, "clusters", "staging", "site", "release.yaml"), "tag: v2026.1.0", "tag: v2026.2.0")
	golden := snapshot(t, filepath.Join(root, "golden"))
	code, stdout, stderr = runDiffIn(root, "--base", "HEAD")
	if code != exitChanges {
		t.Fatalf("after a release bump: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	staging := section(stdout, "staging")
	for _, want := range []string{
		"  removed  Job forum/forum-migrate-v2026-1-0-",
		"  added    Job forum/forum-migrate-v2026-2-0-",
		"  added    Job forum/forum-post-migrate-v2026-2-0-",
		"  changed  Deployment forum/forum-web",
		"  changed  Deployment forum/forum-sidekiq",
		"  changed  Deployment forum/forum-scheduler",
		"      spec.template.spec.containers[web].image: ghcr.io/acme-forums/discourse:v2026.1.0 → ghcr.io/acme-forums/discourse:v2026.2.0",
	} {
		if !strings.Contains(staging, want) {
			t.Errorf("the staging section lacks %q:\n%s", want, staging)
		}
	}
	for _, line := range strings.Split(staging, "\n") {
		newJob := strings.Contains(line, "added    Job forum/")
		if newJob != strings.Contains(line, "[risk: new migration Job]") {
			t.Errorf("only the new migration Job is flagged as one: %q", line)
		}
		if strings.Contains(line, "production image") {
			t.Errorf("an image change in staging is flagged as production: %q", line)
		}
	}
	for _, env := range []string{"local", "production"} {
		if got := section(stdout, env); got != env+": no changes" {
			t.Errorf("%s changed:\n%s", env, got)
		}
	}

	code, md, stderr := runDiffIn(root, "--format", "markdown")
	if code != exitChanges {
		t.Errorf("markdown: exit %d, want 1\n%s", code, stderr)
	}
	for _, want := range []string{"<details>", "| ⚠️ new migration Job | added | <code>Job forum/forum-migrate-v2026-2-0-", "**production**: no changes"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if len(md) >= review.MarkdownLimit {
		t.Errorf("markdown is %d bytes, over GitHub's comment limit", len(md))
	}

	// diff wrote nothing: golden/ and git's view of the tree are as before.
	if diff := cmp.Diff(golden, snapshot(t, filepath.Join(root, "golden"))); diff != "" {
		t.Errorf("diff changed golden/ (-before +after):\n%s", diff)
	}
	if got, want := gitIn(t, root, "status", "--porcelain", "--", "clusters", "golden"), " M clusters/staging/site/release.yaml\n"; got != want {
		t.Errorf("git status after diff:\n%s\nwant:\n%s", got, want)
	}
}

// TestDiffProductionImage: the same bump in production is flagged on
// every workload whose image changes, because production's config says
// profile: production.
func TestDiffProductionImage(t *testing.T) {
	root := diffRepo(t)
	edit(t, filepath.Join(root, "clusters", "production", "site", "release.yaml"), "tag: v2026.1.0", "tag: v2026.2.0")
	code, stdout, stderr := runDiffIn(root)
	if code != exitChanges {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	production := section(stdout, "production")
	for _, want := range []string{
		"  changed  Deployment forum/forum-web  [risk: production image (app-log, web)]",
		"  changed  Deployment forum/forum-sidekiq  [risk: production image (collector, sidekiq)]",
		"[risk: new migration Job]",
	} {
		if !strings.Contains(production, want) {
			t.Errorf("the production section lacks %q:\n%s", want, production)
		}
	}
	if got := section(stdout, "staging"); got != "staging: no changes" {
		t.Errorf("staging changed:\n%s", got)
	}
}

// TestDiffBase: what the base is. Only committed files count, a file
// that moved is no change, and at a commit without golden/ everything is
// added.
func TestDiffBase(t *testing.T) {
	root := diffRepo(t)

	// An uncommitted edit of golden/ is neither side: the base is the
	// commit, the head a fresh render.
	write(t, filepath.Join(root, "golden", "staging", "forum", "app", "deployment-forum-web.yaml"), "not even YAML: [\n")
	if code, stdout, stderr := runDiffIn(root); code != exitNoChanges {
		t.Errorf("an uncommitted edit of golden/: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	gitIn(t, root, "checkout", "--", "golden")

	// The same object at another path, and a layout file gone.
	gitIn(t, root, "mv", "golden/staging/forum/app/deployment-forum-web.yaml", "golden/staging/deployment-forum-web.yaml")
	gitIn(t, root, "rm", "-q", "golden/staging/forum/app/kustomization.yaml")
	gitIn(t, root, "commit", "-q", "-m", "move")
	if code, stdout, stderr := runDiffIn(root); code != exitNoChanges {
		t.Errorf("a moved file: exit %d, want 0\n%s%s", code, stdout, stderr)
	}

	// The first commit has clusters/ but no golden/.
	code, stdout, stderr := runDiffIn(root, "--base", "HEAD~2")
	if code != exitChanges {
		t.Fatalf("against a commit without golden/: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "removed") || strings.Contains(stdout, "changed  ") || !strings.Contains(stdout, "  added    Deployment forum/forum-web") {
		t.Errorf("against a commit without golden/, everything is added:\n%s", stdout)
	}
}

// TestDiffErrors: a usage error, a revision that does not exist and a
// committed file that is not YAML exit 2 with a message that says which,
// and print no report.
func TestDiffErrors(t *testing.T) {
	root := diffRepo(t)
	broken := filepath.Join(root, "golden", "staging", "forum", "app", "broken.yaml")
	tests := []struct {
		name  string
		setup func(t *testing.T)
		args  []string
		want  []string
	}{
		{name: "unknown format", args: []string{"--format", "html"}, want: []string{`--format "html": must be text or markdown`}},
		{name: "an argument", args: []string{"main"}, want: []string{`unexpected argument "main"`, "usage: discoursegen diff"}},
		{name: "an unknown flag", args: []string{"--against", "main"}, want: []string{"flag provided but not defined: -against"}},
		{name: "unknown revision", args: []string{"--base", "no-such-ref"}, want: []string{"--base no-such-ref: unknown revision"}},
		{name: "a revision that looks like a flag", args: []string{"--base", "--output=x"}, want: []string{`--base "--output=x": not a revision`}},
		{name: "a malformed file at the base", setup: func(t *testing.T) {
			write(t, broken, "apiVersion: v1\nkind: [\n")
			gitIn(t, root, "add", "golden")
			gitIn(t, root, "commit", "-q", "-m", "broken")
		}, want: []string{"reading golden/ at HEAD", "HEAD:golden/staging/forum/app/broken.yaml: invalid YAML"}},
		{name: "a config that does not render", setup: func(t *testing.T) {
			edit(t, filepath.Join(root, "clusters", "staging", "site", "discourse.yaml"), "hostname: forum.staging.acme-forums.test", "hostname: discourse.example.com")
		}, args: []string{"--base", "HEAD~1"}, want: []string{"rendering the working tree", "clusters/staging"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			code, stdout, stderr := runDiffIn(root, tt.args...)
			if code != exitError {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("a report on stdout:\n%s", stdout)
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestDiffProductionEnvironments: an environment runs production when
// one of its configs says profile: production, whatever its name; one
// that only exists at the base, when it is named production.
func TestDiffProductionEnvironments(t *testing.T) {
	clusters := filepath.Join(sandbox(t), "clusters")
	if err := os.CopyFS(filepath.Join(clusters, "prod-eu"), os.DirFS(filepath.Join(clusters, "production"))); err != nil {
		t.Fatal(err)
	}
	objs := func(envs ...string) []review.Object {
		var out []review.Object
		for _, env := range envs {
			out = append(out, review.Object{ID: review.ID{Env: env, Kind: "Namespace", Name: "forum"}})
		}
		return out
	}
	got, err := productionEnvs(clusters, objs("production", "qa", "staging"), objs("prod-eu", "staging", "local"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"production": true, "prod-eu": true, "qa": false, "staging": false, "local": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("production environments (-want +got):\n%s", diff)
	}
}
