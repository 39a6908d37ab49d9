package monitoring

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// unitTests is the part of a promtool rule test file this test reads
// (promtool's unit testing format, cmd/promtool/unittest.go upstream).
type unitTests struct {
	RuleFiles []string `json:"rule_files"`
	Tests     []struct {
		Name           string `json:"name"`
		AlertRuleTests []struct {
			EvalTime  string `json:"eval_time"`
			Alertname string `json:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `json:"exp_labels"`
			} `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

// rulesFile is the name every test file gives its rule file; the test
// writes each PrometheusRule's spec there.
const rulesFile = "rules.yaml"

// testFile is one file of testdata/rules.
type testFile struct {
	path  string
	tests unitTests
	// alerts are the alerts it names.
	alerts map[string]bool
}

func loadTestFiles(t *testing.T) []testFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "rules", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no promtool test files in testdata/rules (%v)", err)
	}
	var files []testFile
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := testFile{path: p, alerts: map[string]bool{}}
		if err := yaml.Unmarshal(raw, &f.tests); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(f.tests.RuleFiles) != 1 || f.tests.RuleFiles[0] != rulesFile {
			t.Fatalf("%s: rule_files must be [%s], the rules of the environment under test", p, rulesFile)
		}
		for _, tc := range f.tests.Tests {
			for _, a := range tc.AlertRuleTests {
				f.alerts[a.Alertname] = true
			}
		}
		files = append(files, f)
	}
	return files
}

// alertSeverities maps each alert of the groups to its severities.
func alertSeverities(groups []ruleGroup) map[string][]string {
	out := map[string][]string{}
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out[r.Alert] = append(out[r.Alert], r.Labels["severity"])
			}
		}
	}
	return out
}

// applies says whether a test file is about this rule set: every alert it
// names must exist there. A file about Valkey does not run against a site
// with an external Redis, and the coverage check below then demands
// another file for any alert left untested.
func (f testFile) applies(severities map[string][]string) bool {
	for a := range f.alerts {
		if _, ok := severities[a]; !ok {
			return false
		}
	}
	return true
}

// TestPromtool runs `promtool test rules` on each test file that applies
// to each PrometheusRule of golden/, then checks that every alert has a
// firing case (every severity of it at once, for a two-tier alert) and a
// quiet one.
func TestPromtool(t *testing.T) {
	promtool := os.Getenv("PROMTOOL")
	if promtool == "" {
		t.Fatal("PROMTOOL is not set: run test/monitoring/run.sh (make monitoring), which builds the pinned promtool")
	}
	// promtool runs in a scratch directory.
	promtool, err := filepath.Abs(promtool)
	if err != nil {
		t.Fatal(err)
	}
	files := loadTestFiles(t)
	ran := 0
	for _, m := range loadAll(t) {
		for _, ruleFile := range sortedKeys(m.rules) {
			groups := m.rules[ruleFile]
			t.Run(m.env+"/"+ruleFile, func(t *testing.T) {
				dir := t.TempDir()
				spec, err := yaml.Marshal(map[string][]ruleGroup{"groups": groups})
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, rulesFile), spec, 0o644); err != nil {
					t.Fatal(err)
				}
				severities := alertSeverities(groups)
				var applied []testFile
				for _, f := range files {
					if !f.applies(severities) {
						t.Logf("%s: not about these rules (names an alert they lack)", f.path)
						continue
					}
					applied = append(applied, f)
					raw, err := os.ReadFile(f.path)
					if err != nil {
						t.Fatal(err)
					}
					name := filepath.Base(f.path)
					if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
						t.Fatal(err)
					}
					cmd := exec.Command(promtool, "test", "rules", name)
					cmd.Dir = dir
					out, err := cmd.CombinedOutput()
					if err != nil {
						t.Errorf("promtool test rules %s: %v\n%s", f.path, err, out)
					}
					ran++
				}
				checkCoverage(t, severities, applied)
			})
		}
	}
	if ran == 0 {
		t.Fatal("promtool ran no test file")
	}
}

// checkCoverage: each alert has a case that expects it to fire with all
// its severities, and a case that expects it quiet.
func checkCoverage(t *testing.T, severities map[string][]string, files []testFile) {
	t.Helper()
	for _, alert := range sortedKeys(severities) {
		want := append([]string(nil), severities[alert]...)
		sort.Strings(want)
		fires, quiet := false, false
		for _, f := range files {
			for _, tc := range f.tests.Tests {
				for _, a := range tc.AlertRuleTests {
					if a.Alertname != alert {
						continue
					}
					if len(a.ExpAlerts) == 0 {
						quiet = true
						continue
					}
					seen := map[string]bool{}
					for _, e := range a.ExpAlerts {
						seen[e.ExpLabels["severity"]] = true
					}
					all := true
					for _, s := range want {
						all = all && seen[s]
					}
					fires = fires || all
				}
			}
		}
		if !fires {
			t.Errorf("alert %s: no case fires it with every severity (%s)", alert, strings.Join(want, ", "))
		}
		if !quiet {
			t.Errorf("alert %s: no case expects it quiet", alert)
		}
	}
}
