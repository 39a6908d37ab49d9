package behaviour

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discoursegen.dev/discoursegen/test/behaviour/internal/harness"
	"discoursegen.dev/discoursegen/test/behaviour/internal/manifests"
)

// TestCollectorSidecar runs the rendered discourse-prometheus collector
// sidecar of every Sidekiq and scheduler pod, exactly as rendered, as the
// container's uid, with Debian's Ruby playing the image's, in an app root
// laid out as the image's is: plugins/discourse-prometheus with the
// prometheus_exporter gem installed under gems/<RUBY_VERSION>. Two parts
// of the image are stand-ins, and the test says what it proves through
// them: `bundle` only runs its arguments (the app's bundle is not here),
// and bin/collector records its arguments and environment instead of
// serving (the gem is not here). What is proven is the script's part: it
// finds the installed gem's version for the Ruby that runs, hands it to
// bin/collector as PROMETHEUS_EXPORTER_VERSION (without it bin/collector
// cannot load the gem), starts it from the app root with the port and a
// bind address Prometheus can reach, and no parent pid (its watchdog would
// stop it); and it fails, saying why, in an image without the plugin or
// its gems.
func TestCollectorSidecar(t *testing.T) {
	rubyVersion, err := exec1("/usr/bin/ruby", "-e", "print RUBY_VERSION")
	if err != nil {
		t.Fatalf("ruby: %v", err)
	}
	found := 0
	for _, env := range envs {
		workloads, r := envWorkloads(t, env, nil)
		for _, w := range workloads {
			for _, c := range w.Pod.Containers {
				if c.Name != "collector" {
					continue
				}
				found++
				t.Run(env+"/"+w.ID(), func(t *testing.T) {
					r.Namespace = w.Namespace
					vars, _, err := r.Env(c)
					if err != nil {
						t.Fatal(err)
					}
					argv, err := manifests.Command(c, vars)
					if err != nil {
						t.Fatal(err)
					}
					run := func(t *testing.T, layout func(root string)) (*harness.Process, string) {
						scratch := harness.SharedTempDir(t)
						img := discourseImage
						img.Programs = map[string]string{"ruby": "/usr/bin/ruby", "bundle": writeScript(t, scratch, "bundle", "#!/bin/sh\n# bundle exec CMD...: run CMD.\n[ \"$1\" = exec ] && shift\nexec \"$@\"\n")}
						id, err := runIdentity(w, c, img)
						if err != nil {
							t.Fatal(err)
						}
						root := filepath.Join(scratch, "app")
						layout(root)
						out := filepath.Join(scratch, "out")
						if err := harness.MkdirOwned(out, 0o700, id.UID, id.GID); err != nil {
							t.Fatal(err)
						}
						report := filepath.Join(out, "report")
						path, err := img.PathDir(scratch)
						if err != nil {
							t.Fatal(err)
						}
						cmd, err := harness.RunAs(scratch, id, append(environ(vars, path), "REPORT="+report), argv...)
						if err != nil {
							t.Fatal(err)
						}
						cmd.Dir = root // the container's workingDir, the image's app root
						if c.WorkingDir != "/var/www/discourse" {
							t.Fatalf("workingDir is %q, not the image's app root /var/www/discourse", c.WorkingDir)
						}
						proc, err := harness.Start("collector", cmd)
						if err != nil {
							t.Fatal(err)
						}
						t.Cleanup(func() { _ = proc.Stop(os.Interrupt, 5*time.Second) })
						if !proc.WaitFor(30 * time.Second) {
							t.Fatalf("the collector script did not exit:\n%s", proc.Output())
						}
						data, _ := os.ReadFile(report)
						return proc, string(data)
					}
					plugin := func(root string, withGem bool) {
						dir := filepath.Join(root, "plugins", "discourse-prometheus")
						mustWrite(t, filepath.Join(dir, "bin", "collector"),
							"File.write(ENV.fetch(\"REPORT\"), ([Dir.pwd, ENV[\"PROMETHEUS_EXPORTER_VERSION\"].to_s] + ARGV).join(\"\\n\"))\n")
						if withGem {
							mustWrite(t, filepath.Join(dir, "gems", rubyVersion, "specifications", "prometheus_exporter-2.2.0.gemspec"), "")
						}
					}

					t.Run("starts", func(t *testing.T) {
						proc, report := run(t, func(root string) { plugin(root, true) })
						if code, _ := proc.Exited(); code != 0 {
							t.Fatalf("exit %d:\n%s", code, proc.Output())
						}
						lines := strings.Split(report, "\n")
						want := []string{"app", "2.2.0", "9405", "0.0.0.0"}
						if len(lines) != len(want) || filepath.Base(lines[0]) != want[0] || lines[1] != want[1] || lines[2] != want[2] || lines[3] != want[3] {
							t.Errorf("bin/collector ran in %q with PROMETHEUS_EXPORTER_VERSION and arguments %q, want the app root, version %s, port %s, bind %s and no parent pid",
								filepath.Base(lines[0]), lines[1:], want[1], want[2], want[3])
						}
					})
					t.Run("no gem", func(t *testing.T) {
						proc, report := run(t, func(root string) { plugin(root, false) })
						if code, _ := proc.Exited(); code == 0 || report != "" || !strings.Contains(proc.Output(), "no prometheus_exporter gem") {
							t.Errorf("exit %d, collector started: %t; want a failure that names the missing gem:\n%s", code, report != "", proc.Output())
						}
					})
					t.Run("no plugin", func(t *testing.T) {
						proc, _ := run(t, func(root string) {
							if err := os.MkdirAll(root, 0o755); err != nil {
								t.Fatal(err)
							}
						})
						if code, _ := proc.Exited(); code == 0 || !strings.Contains(proc.Output(), "discoursePrometheus") {
							t.Errorf("exit %d; want a failure that says to turn spec.monitoring.discoursePrometheus off:\n%s", code, proc.Output())
						}
					})
				})
			}
		}
	}
	if found == 0 {
		t.Fatal("no collector sidecar in any environment; production scrapes Sidekiq with one")
	}
}

// exec1 runs a program and returns its output.
func exec1(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}

// TestAdminScriptParses has Ruby parse the admin Job's script as
// rendered (the argument of `rails runner`): Discourse is not here to run
// it, but a syntax error would fail every release's app stage.
func TestAdminScriptParses(t *testing.T) {
	workloads, _ := envWorkloads(t, "production", nil)
	found := false
	for _, w := range workloads {
		for _, c := range w.Pod.Containers {
			if c.Name != "admin" {
				continue
			}
			found = true
			n := len(c.Args)
			if n < 5 || strings.Join(c.Args[:n-1], " ") != "bundle exec rails runner" {
				t.Fatalf("%s: args %q, want bundle exec rails runner SCRIPT", w.ID(), c.Args[:n-1])
			}
			cmd := exec.Command("/usr/bin/ruby", "-c", "-e", c.Args[n-1])
			if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "Syntax OK" {
				t.Errorf("%s: ruby -c: %v\n%s", w.ID(), err, out)
			}
		}
	}
	if !found {
		t.Fatal("golden/production has no admin Job; the example enables spec.admin")
	}
}

// writeScript writes an executable stand-in into dir and returns its path.
func writeScript(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, "bin-"+name)
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustWrite writes a world-readable file, creating its directories.
func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
