package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// release is a small report: a migration Job replaced and a Deployment
// whose image and version label changed, in staging and in prod-eu,
// which runs production.
func release(t *testing.T) Report {
	t.Helper()
	job := func(v string) string { return fmt.Sprintf(migrationJob, "forum-migrate-"+v, "migrate") }
	web := func(v string) string {
		return strings.Replace(fmt.Sprintf(deployment, "replicas: 2", "busybox", "discourse:"+v), "metadata: {", "metadata: {labels: {app.kubernetes.io/version: "+v+"}, ", 1)
	}
	var base, head []Object
	for _, env := range []string{"staging", "prod-eu", "local"} {
		base = append(base, parse(t, env, job("v1"), web("v1"))...)
		if env == "local" {
			head = append(head, parse(t, env, job("v1"), web("v1"))...)
			continue
		}
		head = append(head, parse(t, env, job("v2"), web("v2"))...)
	}
	return Compare(base, head, map[string]bool{"prod-eu": true})
}

func TestText(t *testing.T) {
	got := Text(release(t), Sides{Base: "golden/ at HEAD", Head: "working tree"})
	want := `golden/ at HEAD → working tree
local: no changes
prod-eu (production): 1 removed, 1 added, 1 changed; 2 risky
  removed  Job forum/forum-migrate-v1
  added    Job forum/forum-migrate-v2  [risk: new migration Job]
  changed  Deployment forum/forum-web  [risk: production image (web)]
      metadata.labels["app.kubernetes.io/version"]: v1 → v2
      spec.template.spec.containers[web].image: discourse:v1 → discourse:v2
staging: 1 removed, 1 added, 1 changed; 1 risky
  removed  Job forum/forum-migrate-v1
  added    Job forum/forum-migrate-v2  [risk: new migration Job]
  changed  Deployment forum/forum-web
      metadata.labels["app.kubernetes.io/version"]: v1 → v2
      spec.template.spec.containers[web].image: discourse:v1 → discourse:v2
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}

func TestMarkdown(t *testing.T) {
	got := Markdown(release(t), Sides{Base: "golden/ at main", Head: "working tree"})
	want := `### Manifest diff: <code>golden/ at main</code> → <code>working tree</code>

**local**: no changes

#### prod-eu (production): 1 removed, 1 added, 1 changed; ⚠️ 2 risky

| Risk | Change | Object |
| --- | --- | --- |
|  | removed | <code>Job forum/forum-migrate-v1</code> |
| ⚠️ new migration Job | added | <code>Job forum/forum-migrate-v2</code> |
| ⚠️ production image (web) | changed | <code>Deployment forum/forum-web</code> |

<details><summary>changed <code>Deployment forum/forum-web</code>: 2 fields</summary>

` + "```" + `text
metadata.labels["app.kubernetes.io/version"]: v1 → v2
spec.template.spec.containers[web].image: discourse:v1 → discourse:v2
` + "```" + `

</details>

#### staging: 1 removed, 1 added, 1 changed; ⚠️ 1 risky

| Risk | Change | Object |
| --- | --- | --- |
|  | removed | <code>Job forum/forum-migrate-v1</code> |
| ⚠️ new migration Job | added | <code>Job forum/forum-migrate-v2</code> |
|  | changed | <code>Deployment forum/forum-web</code> |

<details><summary>changed <code>Deployment forum/forum-web</code>: 2 fields</summary>

` + "```" + `text
metadata.labels["app.kubernetes.io/version"]: v1 → v2
spec.template.spec.containers[web].image: discourse:v1 → discourse:v2
` + "```" + `

</details>

`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}

// TestMarkdownEscapes: names and values cannot break the table, the
// <summary> or the code block.
func TestMarkdownEscapes(t *testing.T) {
	base := parse(t, "env", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'a|b<i>', namespace: forum}\ndata: {x: '```'}\n")
	head := parse(t, "env", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'a|b<i>', namespace: forum}\ndata: {x: '````'}\n")
	got := Markdown(Compare(base, head, nil), Sides{"a", "b"})
	for _, want := range []string{
		"<code>ConfigMap forum/a&#124;b&lt;i&gt;</code> |",
		"<summary>changed <code>ConfigMap forum/a&#124;b&lt;i&gt;</code>: 1 field</summary>",
		"`````text\ndata.x: '```' → '````'\n`````\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
}

// TestMarkdownFitsComment: however big the change, the comment fits
// GitHub's limit and says what it left out.
func TestMarkdownFitsComment(t *testing.T) {
	// cm is a ConfigMap with keys long values, each ending in v.
	cm := func(name string, keys, v int) string {
		var data strings.Builder
		for i := range keys {
			fmt.Fprintf(&data, "  key-%d: %s-%d\n", i, strings.Repeat("x", 150), v)
		}
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%s, namespace: forum}\ndata:\n%s", name, data.String())
	}
	// build changes every key of objects ConfigMaps in each of envs
	// environments, and the port of a NetworkPolicy that sorts after
	// them, the one risky change of each environment.
	build := func(envs, objects, keys int) Report {
		var base, head []Object
		for e := range envs {
			env := fmt.Sprintf("env-%04d", e)
			for o := range objects {
				name := fmt.Sprintf("%05d", o)
				base = append(base, parse(t, env, cm(name, keys, 1))...)
				head = append(head, parse(t, env, cm(name, keys, 2))...)
			}
			base = append(base, parse(t, env, fmt.Sprintf(networkPolicy, "v1", 80))...)
			head = append(head, parse(t, env, fmt.Sprintf(networkPolicy, "v1", 81))...)
		}
		return Compare(base, head, nil)
	}
	tests := []struct {
		name                string
		envs, objects, keys int
		want                []string
	}{
		{"everything", 2, 3, 10, []string{"<details>", "data.key-9: ", "#### env-0001: 4 changed; ⚠️ 1 risky"}},
		{"fewer fields", 1, 30, 40, []string{"field changes per object.", "more fields, not shown", "<details>"}},
		{"no fields", 1, 300, 40, []string{"shortened to fit GitHub's comment limit: no field changes.", "<code>ConfigMap forum/cm-00299</code>"}},
		{"fewer objects, risky first", 1, 1300, 1, []string{"at most 200 objects per environment", "| ⚠️ network policy | changed | <code>NetworkPolicy forum/forum-web-ingress</code> |", "… and 1101 more objects"}},
		{"summaries only", 30, 60, 1, []string{"only the summary of each environment", "#### env-0029: 61 changed; ⚠️ 1 risky"}},
		{"cut", 1500, 1, 1, []string{"The report is cut here"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Markdown(build(tt.envs, tt.objects, tt.keys), Sides{"a", "b"})
			if len(got) >= MarkdownLimit {
				t.Errorf("%d bytes, over GitHub's limit of %d characters", len(got), MarkdownLimit)
			}
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("markdown lacks %q", want)
				}
			}
			if tt.name == "everything" && strings.Contains(got, "shortened") {
				t.Error("a small report was shortened")
			}
			if strings.Count(got, "<details>") != strings.Count(got, "</details>") {
				t.Error("a <details> block is not closed")
			}
		})
	}
}

func TestCompact(t *testing.T) {
	long := strings.Repeat("ab", 150)
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"ghcr.io/acme/discourse:v1@sha256:0b6c", "ghcr.io/acme/discourse:v1@sha256:0b6c"},
		{"3", `"3"`},
		{"", `""`},
		{"yes", `"yes"`},
		{"two\nlines", `"two\nlines"`},
		{"a & <b>", "a & <b>"},
		{3, "3"},
		{int64(-4), "-4"},
		{uint64(18446744073709551615), "18446744073709551615"},
		{1.0, "1.0"},
		{0.25, "0.25"},
		{true, "true"},
		{nil, "null"},
		{map[string]any{"b": 1, "a": []any{"x", nil, map[string]any{}}}, `{"a":["x",null,{}],"b":1}`},
		{[]any{}, "[]"},
		{long, long[:valueLimit] + "… (100 more characters)"},
		{strings.Repeat("é", valueLimit+1), strings.Repeat("é", valueLimit) + "… (1 more characters)"},
	} {
		if got := compact(tt.v); got != tt.want {
			t.Errorf("compact(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
