package policy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/policy"
)

// render renders a generator test config into policy objects: the real
// output, which every case starts from.
func render(t testing.TB, name string) []policy.Object {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "generator", "testdata", name, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, errs := discourse.Render(data)
	if len(errs) > 0 {
		t.Fatal(discourse.Describe(name, errs))
	}
	out, err := manifest.YAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := policy.ParseObjects(out)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

// TestGeneratorOutputPasses: every generator test config, from local to
// production and external services, renders output that breaks no rule.
// It is the passing case of every rule; the cases below break one each.
func TestGeneratorOutputPasses(t *testing.T) {
	dirs, _ := filepath.Glob("../generator/testdata/*/config.yaml")
	if len(dirs) < 5 {
		t.Fatalf("found %d configs", len(dirs))
	}
	for _, d := range dirs {
		name := filepath.Base(filepath.Dir(d))
		t.Run(name, func(t *testing.T) {
			rep := policy.Check(render(t, name))
			for _, f := range rep.Findings {
				if f.Waived == "" {
					t.Errorf("%s", f)
				}
			}
		})
	}
}

// find returns the object of a kind whose name ends in suffix.
func find(t *testing.T, objs []policy.Object, kind, suffix string) map[string]any {
	t.Helper()
	for _, o := range objs {
		if o.Ref.Kind == kind && strings.HasSuffix(o.Ref.Name, suffix) {
			return o.Raw
		}
	}
	t.Fatalf("no %s *%s in the output", kind, suffix)
	return nil
}

// at walks maps and lists (int steps index a list).
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %q", path, k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no index %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

func set(t *testing.T, v any, value any, path ...any) {
	t.Helper()
	parent := at(t, v, path[:len(path)-1]...)
	switch k := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[k] = value
	case int:
		parent.([]any)[k] = value
	}
}

func del(t *testing.T, v any, path ...any) {
	t.Helper()
	delete(at(t, v, path[:len(path)-1]...).(map[string]any), path[len(path)-1].(string))
}

// container is the first container of a workload's pod.
func container(t *testing.T, o map[string]any) map[string]any {
	return at(t, o, "spec", "template", "spec", "containers", 0).(map[string]any)
}

// setEnv sets or adds a literal variable of a container.
func setEnv(c map[string]any, name, value string) {
	env, _ := c["env"].([]any)
	for _, e := range env {
		if m := e.(map[string]any); m["name"] == name {
			m["value"] = value
			delete(m, "valueFrom")
			return
		}
	}
	c["env"] = append(env, map[string]any{"name": name, "value": value})
}

func delEnv(c map[string]any, name string) {
	env, _ := c["env"].([]any)
	c["env"] = slices.DeleteFunc(env, func(e any) bool { return e.(map[string]any)["name"] == name })
}

func remove(objs []policy.Object, kind, suffix string) []policy.Object {
	return slices.DeleteFunc(objs, func(o policy.Object) bool { return o.Ref.Kind == kind && strings.HasSuffix(o.Ref.Name, suffix) })
}

func add(t *testing.T, objs []policy.Object, yaml string) []policy.Object {
	t.Helper()
	more, err := policy.ParseObjects([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return append(objs, more...)
}

type ruleCase struct {
	name string
	// config is the generator test config the case starts from.
	config string
	// breakIt changes the output the way a user's patch would.
	breakIt func(t *testing.T, objs []policy.Object) []policy.Object
	rule    string
	// want matches the finding: "Kind name-suffix: message words".
	want string
}

var ruleCases = []ruleCase{
	{"quota below the need", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "ResourceQuota", "-budget"), "1Gi", "spec", "hard", "requests.memory")
		return o
	}, "resource-quota", `ResourceQuota forum-budget .*requests.memory`},
	{"scheduler with two replicas", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Deployment", "-scheduler"), float64(2), "spec", "replicas")
		return o
	}, "single-scheduler", `Deployment forum-scheduler spec.replicas: runs the Sidekiq scheduler in up to 2 pods`},
	{"scheduler rolling update", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Deployment", "-scheduler"), map[string]any{"type": "RollingUpdate"}, "spec", "strategy")
		return o
	}, "single-scheduler", `Deployment forum-scheduler spec.strategy.type: .*use Recreate`},
	{"workers without UNICORN_SCHEDULER_HOSTNAME", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		delEnv(container(t, find(t, o, "Deployment", "-sidekiq")), "UNICORN_SCHEDULER_HOSTNAME")
		return o
	}, "single-scheduler", `Deployment forum-sidekiq: runs the Sidekiq scheduler, and so do 2 workloads`},
	{"scheduler hostname mismatch", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		setEnv(container(t, find(t, o, "Deployment", "-scheduler")), "UNICORN_SCHEDULER_HOSTNAME", "somebody-else")
		return o
	}, "single-scheduler", `Deployment forum-\w+: no pod runs the Sidekiq scheduler`},

	{"MIGRATE_ON_BOOT on scaled web", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		setEnv(container(t, find(t, o, "Deployment", "-web")), "MIGRATE_ON_BOOT", "1")
		return o
	}, "boot-tasks", `Deployment forum-web spec.template.spec.containers\[0\].env: container web has MIGRATE_ON_BOOT on, but up to \d+ Discourse pods`},
	{"PRECOMPILE_ON_BOOT unset under /sbin/boot", "staging-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		delEnv(container(t, find(t, o, "Deployment", "-web")), "PRECOMPILE_ON_BOOT")
		return o
	}, "boot-tasks", `Deployment forum-web .*PRECOMPILE_ON_BOOT on`},

	{"migration Job with a TTL", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Job", ""), float64(600), "spec", "ttlSecondsAfterFinished")
		return o
	}, "migration-job", `Job forum-\S+ spec.ttlSecondsAfterFinished: a finished migration Job must stay`},
	{"migration Job without a hash", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Job", ""), "forum-migrate", "metadata", "name")
		return o
	}, "migration-job", `Job forum-migrate metadata.name: .*must end in a hash`},
	{"migration through the pooler", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		setEnv(container(t, find(t, o, "Job", "")), "DISCOURSE_DB_HOST", "forum-pg-pooler-rw")
		return o
	}, "migration-job", `Job forum-\S+ .*runs db:migrate through PgBouncer forum-pg-pooler-rw`},
	{"no pre-deploy migration", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return remove(remove(o, "Job", ""), "Job", "")
	}, "migration-job", `Deployment forum-web spec.template.spec.containers.image: runs \S+, and no pre-deploy migration Job runs that image`},

	{"max_connections too low", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Cluster", "-pg"), "100", "spec", "postgresql", "parameters", "max_connections")
		return o
	}, "connection-budget", `Cluster forum-pg spec.postgresql.parameters.max_connections: .*forum-web \d+ pods .* x 3 processes x pool 8 .* \+ 20 reserved = \d+ connections > max_connections 100`},
	{"pooler too small", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Pooler", ""), "50", "spec", "pgbouncer", "parameters", "default_pool_size")
		return o
	}, "connection-budget", `Pooler forum-pg-pooler-rw spec.pgbouncer.parameters.default_pool_size: .* clients > default_pool_size 50`},
	{"Sidekiq threads beyond the pool", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		c := container(t, find(t, o, "Deployment", "-sidekiq"))
		args := c["args"].([]any)
		i := slices.Index(args, any("-c"))
		args[i+1] = "20"
		return o
	}, "connection-budget", `Deployment forum-sidekiq spec.template.spec.containers\[0\].args: Sidekiq runs 20 threads on a database pool of 8`},

	{"replicas beside an HPA", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Deployment", "-web"), float64(3), "spec", "replicas")
		return o
	}, "autoscaling", `Deployment forum-web spec.replicas: is set to 3 while HorizontalPodAutoscaler forum/forum-web owns the count`},

	{"budget that allows no eviction", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "PodDisruptionBudget", "-web"), float64(0), "spec", "maxUnavailable")
		return o
	}, "disruption-budget", `PodDisruptionBudget forum-web spec.maxUnavailable: allows 0 evictions of Deployment forum-web at its minimum scale`},
	{"budget on the single scheduler", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return add(t, o, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: forum-scheduler, namespace: forum, labels: {app.kubernetes.io/instance: forum}}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app.kubernetes.io/component: scheduler}}\n")
	}, "disruption-budget", `PodDisruptionBudget forum-scheduler: selects Deployment forum-scheduler, which runs a single pod`},

	{"liveness without startup", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		del(t, container(t, find(t, o, "StatefulSet", "-valkey")), "startupProbe")
		return o
	}, "startup-probe", `StatefulSet forum-valkey spec.template.spec.containers\[0\].startupProbe: container valkey has a livenessProbe and no startupProbe`},
	{"startup budget shorter than a boot", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, container(t, find(t, o, "Deployment", "-web")), float64(3), "startupProbe", "failureThreshold")
		return o
	}, "startup-probe", `Deployment forum-web .*startupProbe gives up after 30 s .*less than the 300 s`},

	{"DNS policy dropped", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return remove(o, "NetworkPolicy", "-allow-dns")
	}, "network-policy", `Deployment forum-web: its pods cannot reach DNS on UDP 53`},
	{"DNS over TCP dropped", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		p := find(t, o, "NetworkPolicy", "-allow-dns")
		set(t, p, []any{map[string]any{"port": float64(53), "protocol": "UDP"}}, "spec", "egress", 0, "ports")
		return o
	}, "network-policy", `Job forum-migrate-\S+: its pods cannot reach DNS on TCP 53`},
	{"Valkey ingress dropped", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "NetworkPolicy", "-valkey"), []any{}, "spec", "ingress")
		return o
	}, "network-policy", `Deployment forum-sidekiq: its pods cannot reach Valkey at forum-valkey:6379: the NetworkPolicies of StatefulSet forum/forum-valkey admit no connection`},
	{"PostgreSQL egress dropped", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		p := find(t, o, "NetworkPolicy", "-discourse-egress")
		set(t, p, at(t, p, "spec", "egress").([]any)[1:], "spec", "egress")
		return o
	}, "network-policy", `Deployment forum-web: its pods cannot reach PostgreSQL at forum-pg-pooler-rw:5432: no egress rule`},
	{"metadata service reachable", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return add(t, o, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: forum-anywhere, namespace: forum, labels: {app.kubernetes.io/instance: forum}}\nspec:\n  podSelector: {matchLabels: {app.kubernetes.io/component: web}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n    ports: [{port: 80}]\n")
	}, "network-policy", `Deployment forum-web: its pods can reach the cloud metadata service at 169.254.169.254`},
	{"pods no policy selects", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return remove(o, "NetworkPolicy", "")
	}, "network-policy", `StatefulSet forum-valkey: no NetworkPolicy selects its pods`},

	{"Secret with data", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return add(t, o, "apiVersion: v1\nkind: Secret\nmetadata: {name: forum-secrets, namespace: forum, labels: {app.kubernetes.io/instance: forum}}\nstringData: {redis-password: hunter2}\n")
	}, "secrets", `Secret forum-secrets stringData: a Secret with data in the rendered output is committed to Git`},
	{"password in an env value", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		setEnv(container(t, find(t, o, "Deployment", "-web")), "DISCOURSE_SMTP_PASSWORD", "correct-horse")
		return o
	}, "secrets", `Deployment forum-web spec.template.spec.containers\[0\].env\[\d+\].value: DISCOURSE_SMTP_PASSWORD is written in the clear`},
	{"credential URL in a ConfigMap", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "ConfigMap", "-env"), "postgres://discourse:s3cret@db/discourse", "data", "DATABASE_URL")
		return o
	}, "secrets", `ConfigMap forum-env data.DATABASE_URL: looks like a credential .*shape of a credential`},

	{":latest image", "staging-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, container(t, find(t, o, "Deployment", "-sidekiq")), "discourse/discourse:latest", "image")
		return o
	}, "image-pinned", `Deployment forum-sidekiq spec.template.spec.containers\[0\].image: image "discourse/discourse:latest" uses :latest`},
	{"production image without a digest", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		c := container(t, find(t, o, "Deployment", "-web"))
		image, _, _ := strings.Cut(c["image"].(string), "@")
		c["image"] = image
		return o
	}, "image-pinned", `Deployment forum-web spec.template.spec.containers\[0\].image: image "\S+" is not pinned by digest in production`},

	{"namespace enforcing restricted", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Namespace", "forum"), "restricted", "metadata", "labels", "pod-security.kubernetes.io/enforce")
		return o
	}, "pod-security", `Deployment forum-web spec.template.spec: namespace forum enforces Pod Security "restricted" and would refuse its pods`},
	{"Sidekiq allowed to escalate", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, container(t, find(t, o, "Deployment", "-sidekiq")), true, "securityContext", "allowPrivilegeEscalation")
		return o
	}, "restricted", `Deployment forum-sidekiq spec.template.spec: does not meet Pod Security "restricted": allowPrivilegeEscalation`},

	{"init container without a memory limit", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		del(t, at(t, find(t, o, "Deployment", "-scheduler"), "spec", "template", "spec", "initContainers", 0, "resources"), "limits")
		return o
	}, "resources", `Deployment forum-scheduler spec.template.spec.initContainers\[0\].resources: container wait-for-postgres has no limits.memory`},

	{"one database instance in production", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Cluster", "-pg"), float64(1), "spec", "instances")
		return o
	}, "cloudnative-pg", `Cluster forum-pg spec.instances: a production database has 1 instances`},
	{"superuser access on", "staging-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Cluster", "-pg"), true, "spec", "enableSuperuserAccess")
		return o
	}, "cloudnative-pg", `Cluster forum-pg spec.enableSuperuserAccess: superuser access is on`},
	{"vector not created", "local-unified", func(t *testing.T, o []policy.Object) []policy.Object {
		c := find(t, o, "Cluster", "-pg")
		sqls := at(t, c, "spec", "bootstrap", "initdb", "postInitApplicationSQL").([]any)
		set(t, c, slices.DeleteFunc(sqls, func(s any) bool { return strings.Contains(s.(string), "vector") }), "spec", "bootstrap", "initdb", "postInitApplicationSQL")
		return o
	}, "cloudnative-pg", `Cluster forum-pg spec.bootstrap.initdb.postInitApplicationSQL: does not create vector in the app database`},

	{"placeholder hostname", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "ConfigMap", "-env"), "discourse.example.com", "data", "DISCOURSE_HOSTNAME")
		return o
	}, "upstream-guards", `Deployment forum-web .*DISCOURSE_HOSTNAME is "discourse.example.com", a placeholder`},
	{"placeholder SMTP", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "ConfigMap", "-env"), "smtp.example.com", "data", "DISCOURSE_SMTP_ADDRESS")
		return o
	}, "upstream-guards", `Job forum-migrate-\S+ .*DISCOURSE_SMTP_ADDRESS is "smtp.example.com", a placeholder`},
	{"CDN without a protocol", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "ConfigMap", "-env"), "//cdn.acme-forums.test", "data", "DISCOURSE_CDN_URL")
		return o
	}, "upstream-guards", `Deployment forum-sidekiq .*DISCOURSE_CDN_URL is "//cdn.acme-forums.test", without a protocol`},
	{"body size below the upload size", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "Ingress", "-web"), "1m", "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size")
		return o
	}, "upstream-guards", `Ingress forum-web metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size: the ingress accepts bodies up to 1m, less than the site's upload size 10m`},

	{"ConfigMap over 1 MiB", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		set(t, find(t, o, "ConfigMap", "-env"), strings.Repeat("x", 1<<20), "data", "BIG")
		return o
	}, "object-size", `ConfigMap forum-env data: holds \S+ \(\d+ bytes\) of data, over the 1 MiB`},
	{"object over 1.5 MiB", "production-separated", func(t *testing.T, o []policy.Object) []policy.Object {
		return add(t, o, fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: big, namespace: forum, labels: {app.kubernetes.io/instance: forum}, annotations: {note: %s}}\n", strings.Repeat("y", 1600000)))
	}, "object-size", `ServiceAccount big: is \S+ \(\d+ bytes\) as JSON, over the 1.5 MiB`},
}

// TestRules: each case breaks one rule the way a user's patch would, and
// the rule must report it with its ID, object, field and reason; and the
// output must break no other rule than the ones the case names.
func TestRules(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range ruleCases {
		t.Run(c.name, func(t *testing.T) {
			objs := render(t, c.config)
			objs = c.breakIt(t, objs)
			// Re-measure: a case may change an object's size.
			for i := range objs {
				o, err := policy.NewObject(objs[i].Raw)
				if err != nil {
					t.Fatal(err)
				}
				objs[i] = o
			}
			rep := policy.Check(objs)
			if !rep.Failed() && c.rule != "disruption-budget" {
				t.Errorf("the build passes:\n%s", rep)
			}
			re := regexp.MustCompile(c.want)
			found := false
			for _, f := range rep.Findings {
				line := fmt.Sprintf("%s %s", f.Object.Kind, f.Object.Name)
				if f.Field != "" {
					line += " " + f.Field
				}
				line += ": " + f.Message
				if f.Rule == c.rule && re.MatchString(line) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s finding matches %q; findings:\n%s", c.rule, c.want, rep)
			}
			seen[c.rule] = true
		})
	}
	for _, r := range policy.Rules() {
		if !seen[r.ID] {
			t.Errorf("rule %s has no failing case", r.ID)
		}
	}
}

// TestWaivers: a waiver with a reason turns a rule's errors on its object
// into waived findings that still show; one without a reason, or for an
// unknown rule, is itself an error.
func TestWaivers(t *testing.T) {
	objs := render(t, "production-separated")
	sched := find(t, objs, "Deployment", "-scheduler")
	set(t, sched, float64(2), "spec", "replicas")
	ann := at(t, sched, "metadata", "annotations").(map[string]any)

	ann[policy.WaiverPrefix+"single-scheduler"] = "the second replica runs in a cluster whose Redis is separate"
	ann[policy.WaiverPrefix+"connection-budget"] = "budget reviewed by the DBA"
	rep := policy.Check(objs)
	var waived []string
	for _, f := range rep.Findings {
		if f.Waived != "" {
			waived = append(waived, f.String())
		}
	}
	// The Cluster and the Pooler carry no waiver: their budget findings
	// still fail the build.
	if len(waived) == 0 || !strings.Contains(strings.Join(waived, "\n"), "waived[single-scheduler] Deployment forum/forum-scheduler: the second replica runs") {
		t.Errorf("no waived single-scheduler finding:\n%s", rep)
	}
	for _, f := range rep.Errors() {
		if f.Rule == "single-scheduler" {
			t.Errorf("a waived rule still fails: %s", f)
		}
	}

	ann[policy.WaiverPrefix+"single-scheduler"] = "  "
	ann[policy.WaiverPrefix+"single-schedular"] = "typo"
	rep = policy.Check(objs)
	var msgs []string
	for _, f := range rep.Errors() {
		msgs = append(msgs, f.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"error[waiver] Deployment forum/forum-scheduler metadata.annotations.waive.discoursegen.dev/single-scheduler: a waiver must say why",
		`error[waiver] Deployment forum/forum-scheduler metadata.annotations.waive.discoursegen.dev/single-schedular: waives "single-schedular", which is not a rule`,
		"error[single-scheduler] Deployment forum/forum-scheduler spec.replicas",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
}

// TestRuleTableIsDocumented: docs/policy.md lists every rule, its severity
// and what it prevents, in the order of the table in rules.go.
func TestRuleTableIsDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	last := -1
	for _, r := range policy.Rules() {
		row := fmt.Sprintf("| `%s` | %s | %s |", r.ID, r.Severity, r.Prevents)
		i := strings.Index(doc, row)
		if i < 0 {
			t.Errorf("docs/policy.md lacks the row\n%s", row)
			continue
		}
		if i < last {
			t.Errorf("rule %s is out of order in docs/policy.md", r.ID)
		}
		last = i
	}
}

// TestCheckIsDeterministic: the same objects in another order give the
// same report.
func TestCheckIsDeterministic(t *testing.T) {
	objs := render(t, "production-separated")
	set(t, find(t, objs, "Deployment", "-scheduler"), float64(3), "spec", "replicas")
	want := policy.Check(objs).String()
	slices.Reverse(objs)
	if got := policy.Check(objs).String(); got != want {
		t.Errorf("report depends on object order:\n%s\n---\n%s", want, got)
	}
}

// TestProfileAnnotation: the policy reads the profile from the annotation
// the generator writes.
func TestProfileAnnotation(t *testing.T) {
	if policy.ProfileAnnotation != generator.AnnotationProfile || policy.UploadSizeAnnotation != generator.AnnotationUploadSize {
		t.Error("the policy and the generator disagree on an annotation")
	}
}

func BenchmarkCheck(b *testing.B) {
	objs := render(b, "production-separated")
	b.ResetTimer()
	for b.Loop() {
		policy.Check(objs)
	}
}
