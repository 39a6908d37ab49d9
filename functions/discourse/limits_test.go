package discourse_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
)

// valid is a small config that renders, for the limits to be applied to.
const valid = `apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata:
  name: forum
spec:
  profile: staging
  hostname: forum.staging.acme-forums.test
  image: {repository: ghcr.io/acme-forums/discourse, tag: v2026.1.0}
  s3: {bucket: uploads, backupBucket: backups, region: eu-central-1}
`

// renderProblems renders config and returns its one-line problems; a
// config that renders fails the test.
func renderProblems(t *testing.T, config string) string {
	t.Helper()
	objs, errs := discourse.Render([]byte(config))
	if len(errs) == 0 {
		t.Fatalf("rendered %d objects, want a refusal", len(objs))
	}
	if objs != nil {
		t.Error("objects returned alongside the problems")
	}
	return discourse.Describe("config.yaml", errs)
}

func TestSizeLimit(t *testing.T) {
	// A config padded with a comment to exactly the limit renders: the
	// limit counts bytes, not values.
	padding := discourse.MaxConfigBytes - len(valid) - len("#\n")
	atLimit := valid + "#" + strings.Repeat("x", padding) + "\n"
	if len(atLimit) != discourse.MaxConfigBytes {
		t.Fatalf("padded to %d bytes", len(atLimit))
	}
	if _, errs := discourse.Render([]byte(atLimit)); len(errs) > 0 {
		t.Fatalf("a config of exactly the limit is refused:\n%s", discourse.Describe("config.yaml", errs))
	}
	got := renderProblems(t, atLimit+"#\n")
	for _, want := range []string{"1048578 bytes is over the 1 MiB limit for a config file", "(1 problem)"} {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
	var sizeErr *discourse.SizeError
	if err := discourse.CheckSize(21<<20, false); !errors.As(err, &sizeErr) || !strings.HasPrefix(err.Error(), "21.0 MiB is over the 1 MiB limit") {
		t.Errorf("CheckSize(21 MiB) = %v", err)
	}
	if err := discourse.CheckSize(discourse.MaxConfigBytes+1, true); err == nil || !strings.HasPrefix(err.Error(), "more than 1 MiB, over the limit for a config file") {
		t.Errorf("CheckSize of a stream = %v", err)
	}
}

// TestValueLimit: a document within the byte limit but dense with values
// is refused before anything decodes it, and the message points at the
// list that makes it so.
func TestValueLimit(t *testing.T) {
	n := (discourse.MaxConfigBytes - len(valid) - 100) / 2
	config := valid + "  env: [" + strings.Repeat("1,", n-1) + "1]\n"
	got := renderProblems(t, config)
	for _, want := range []string{"more than 10000 YAML values", "the longest list is spec.env (line 10)", fmt.Sprintf("with %d entries", n), "(1 problem)"} {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
}

// TestAliases: an alias costs what it stands for, measured once per
// anchor; a few small aliases are fine, a bomb is refused without being
// expanded, and an alias inside its own anchor is refused.
func TestAliases(t *testing.T) {
	shared := valid + "  monitoring: {labels: &team {team: forum}}\n  networkPolicy: {ingressPodLabels: *team}\n"
	if _, errs := discourse.Render([]byte(shared)); len(errs) > 0 {
		t.Fatalf("a config with a small alias is refused:\n%s", discourse.Describe("config.yaml", errs))
	}
	// 40 levels of 10: 10^40 values, more than any integer holds.
	got := renderProblems(t, aliasBomb(40))
	if !strings.Contains(got, "YAML aliases expand this to more than 10000 values") {
		t.Errorf("the alias bomb is not named:\n%s", got)
	}
	got = renderProblems(t, valid+"  loop: &loop [*loop]\n")
	if !strings.Contains(got, "the alias *loop refers to a node that contains it") && !strings.Contains(got, "not valid YAML") {
		t.Errorf("an alias inside its own anchor:\n%s", got)
	}
}

// TestListLimitsComeFirst: a list over its limit is reported once, with
// its count and limit, and its entries are not judged one by one (which
// for a long list of wrong entries was 27 MB of messages).
func TestListLimitsComeFirst(t *testing.T) {
	config := valid + "  env: [" + list("1", 301) + "]\n"
	objs, errs := discourse.Render([]byte(config))
	if objs != nil || len(errs) != 1 {
		t.Fatalf("want exactly one problem, got %d:\n%s", len(errs), discourse.Describe("config.yaml", errs))
	}
	if got, want := errs[0].Field+": "+errs[0].Detail, "spec.env: 301 entries is over the limit of 200"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCheckYAML is the pre-scan generate runs on every file of clusters/:
// documents counted, problems named with their line.
func TestCheckYAML(t *testing.T) {
	cases := []struct {
		name, data string
		documents  int
		err        string
	}{
		{"empty", "", 0, ""},
		{"comments only", "# nothing\n---\n", 0, ""},
		{"two documents", valid + "---\n" + valid, 2, ""},
		{"syntax error", valid + "  web: {replicas: [\n", 0, "not valid YAML: yaml: line 10"},
		{"duplicate key", valid + "  s3: {}\n", 1, "spec.s3: duplicate key at line 10 (first at line 9)"},
		{"duplicate in a list entry", "items:\n- {a: 1, a: 2}\n", 1, "items[0].a: duplicate key at line 2"},
		{"merge keys are not duplicates", "base: &b {a: 1}\nx: {<<: *b, c: 2}\n", 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			documents, err := discourse.CheckYAML([]byte(c.data))
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("error %v, want %q", err, c.err)
			}
			if err == nil && documents != c.documents {
				t.Errorf("%d documents, want %d", documents, c.documents)
			}
		})
	}
}

// TestProcessorLimits: the function applies the same limits to the
// functionConfig kyaml parsed, and reports them as results.
func TestProcessorLimits(t *testing.T) {
	cases := map[string]struct{ config, want string }{
		"alias bomb":      {aliasBomb(9), "YAML aliases expand this to more than 10000 values"},
		"over the size":   {valid + "  release: " + strings.Repeat("r", discourse.MaxConfigBytes) + "\n", "functionConfig: 1048"},
		"list over limit": {valid + "  smtp: {developerEmails: [" + list("a@b.test", 51) + "]}\n", "message: 51 entries is over the limit of 50\n  severity: error\n  field:\n    path: spec.smtp.developerEmails"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := execute(resourceList(indent(c.config)))
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(out, c.want) || !strings.Contains(out, "severity: error") {
				t.Errorf("results lack %q:\n%.2000s", c.want, out)
			}
			if strings.Contains(out, "kind: Deployment") {
				t.Error("a refused config still rendered objects")
			}
		})
	}
}

// aliasBomb is valid with levels of lists, each holding ten aliases of the
// level before: 10^levels values in a few hundred bytes.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString(valid + "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [%s]\n", i, i, list(fmt.Sprintf("*a%d", i-1), 10))
	}
	return b.String()
}

// list is n copies of item, comma-separated, for a flow sequence.
func list(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+", ", n), ", ")
}
