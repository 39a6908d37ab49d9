package generator_test

// Each test here pins one behaviour that upstream's own source decides
// (discourse/discourse, discourse_docker, CloudNativePG, KEDA), and each
// failed on the output before the fix it names. They read only the rendered
// objects, never the generator's internals. What can run for real (the init
// scripts, the database bootstrap, Valkey, the Sidekiq probe, the policies)
// runs in test/behaviour and test/netpol; these tests keep the structural
// half fast and next to the code.

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/manifest"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// objectsOf returns the rendered objects of one kind as generic maps.
func objectsOf(t *testing.T, objs []generator.Object, kind string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, o := range objs {
		if o.GetObjectKind().GroupVersionKind().Kind != kind {
			continue
		}
		m, err := manifest.Map(o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// into decodes a generic object into a typed one.
func into(t *testing.T, m map[string]any, target any) {
	t.Helper()
	b, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, target); err != nil {
		t.Fatal(err)
	}
}

// podsOf returns every pod template of a case: Deployments, StatefulSets
// and Jobs, named kind/name.
func podsOf(t *testing.T, objs []generator.Object) map[string]corev1.PodSpec {
	t.Helper()
	d := decode(t, objs)
	pods := map[string]corev1.PodSpec{}
	for _, x := range d.deployments {
		pods["Deployment/"+x.Name] = x.Spec.Template.Spec
	}
	for _, x := range d.statefulSets {
		pods["StatefulSet/"+x.Name] = x.Spec.Template.Spec
	}
	for _, x := range d.jobs {
		pods["Job/"+x.Name] = x.Spec.Template.Spec
	}
	return pods
}

func mountsAt(c corev1.Container, path string) bool {
	return slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == path })
}

func runsSidekiq(c corev1.Container) bool {
	if slices.Contains(append(slices.Clone(c.Command), c.Args...), "sidekiq") {
		return true
	}
	n, _ := env(c, "UNICORN_SIDEKIQS")
	return n != "" && n != "0"
}

// Defect 1: pg_isready as a uid without a passwd entry needs a user name.
func TestWaitForPostgresNamesAUser(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for name, pod := range podsOf(t, objs) {
			for _, c := range pod.InitContainers {
				if !strings.Contains(strings.Join(c.Command, " "), "pg_isready") {
					continue
				}
				if u, _ := env(c, "PGUSER"); u == "" {
					t.Errorf("%s %s/%s: pg_isready without PGUSER gives up before connecting when its uid has no passwd entry", dir, name, c.Name)
				}
			}
		}
	}
}

// Defect 2: every extension Discourse's migrations enable is created by
// the superuser, in template1 and in the app database.
func TestDatabaseHasDiscourseExtensions(t *testing.T) {
	want := []string{"hstore", "pg_trgm", "unaccent", "vector"}
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, c := range objectsOf(t, objs, "Cluster") {
			var cluster struct {
				Spec struct {
					Bootstrap struct {
						InitDB struct {
							PostInitTemplateSQL    []string `json:"postInitTemplateSQL"`
							PostInitApplicationSQL []string `json:"postInitApplicationSQL"`
						} `json:"initdb"`
					} `json:"bootstrap"`
				} `json:"spec"`
			}
			into(t, c, &cluster)
			initdb := cluster.Spec.Bootstrap.InitDB
			for _, ext := range want {
				stmt := `CREATE EXTENSION IF NOT EXISTS "` + ext + `"`
				if !slices.Contains(initdb.PostInitTemplateSQL, stmt) {
					t.Errorf("%s: template1 lacks %s", dir, ext)
				}
				if !slices.Contains(initdb.PostInitApplicationSQL, stmt) {
					t.Errorf("%s: the app database lacks %s", dir, ext)
				}
			}
		}
	}
}

// Defect 3: KEDA dials from its own namespace and must read Sidekiq's
// queues where Discourse keeps them: database 1, keys queue:<name>.
func TestScaledObjectReadsSidekiqQueues(t *testing.T) {
	checked := 0
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, so := range objectsOf(t, objs, "ScaledObject") {
			var obj struct {
				Metadata struct{ Namespace string } `json:"metadata"`
				Spec     struct {
					Triggers []struct{ Metadata map[string]string } `json:"triggers"`
				} `json:"spec"`
			}
			into(t, so, &obj)
			for _, tr := range obj.Spec.Triggers {
				checked++
				host := strings.Split(tr.Metadata["address"], ":")[0]
				if !strings.Contains(host, ".") {
					t.Errorf("%s: address %q is a bare name, which KEDA resolves in its own namespace", dir, tr.Metadata["address"])
				}
				if tr.Metadata["databaseIndex"] != "1" {
					t.Errorf("%s: databaseIndex %q, want 1 (Discourse.sidekiq_redis_config: redis_db + 1)", dir, tr.Metadata["databaseIndex"])
				}
				if !strings.HasPrefix(tr.Metadata["listName"], "queue:") {
					t.Errorf("%s: listName %q", dir, tr.Metadata["listName"])
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no case renders a ScaledObject")
	}
}

// Defect 4: with the S3 CDN, the release's assets are uploaded before the
// app rolls out, and the previous release's are expired only after it, as
// discourse/docker_manager's upgrader orders s3:upload_assets and
// s3:expire_missing_assets around the web server's reload.
func TestS3CDNAssetsArePublished(t *testing.T) {
	checked := 0
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		cm := objectsOf(t, objs, "ConfigMap")[0]
		data, _ := cm["data"].(map[string]any)
		if _, ok := data["DISCOURSE_S3_CDN_URL"]; !ok {
			continue
		}
		checked++
		jobs := decode(t, objs).jobs
		if len(jobs) == 0 {
			t.Fatalf("%s: S3 CDN without a migration Job", dir)
		}
		for _, job := range jobs {
			c := job.Spec.Template.Spec.Containers[0]
			args := strings.Join(append(slices.Clone(c.Command), c.Args...), " ")
			switch stage := job.Annotations[generator.AnnotationStage]; generator.Stage(stage) {
			case generator.StageMigrate:
				if !strings.Contains(args, "db:migrate s3:upload_assets") {
					t.Errorf("%s: the pre-deploy Job runs %q; the S3 CDN would serve no scripts", dir, args)
				}
				if strings.Contains(args, "expire_missing_assets") {
					t.Errorf("%s: the pre-deploy Job runs %q: it would expire assets the old pods still link to", dir, args)
				}
			case generator.StagePostMigrate:
				if !strings.Contains(args, "db:migrate s3:expire_missing_assets") || strings.Contains(args, "upload_assets") {
					t.Errorf("%s: the post-deploy Job runs %q, want db:migrate s3:expire_missing_assets", dir, args)
				}
			default:
				t.Errorf("%s: Job %s in stage %q", dir, job.Name, stage)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no case uses the S3 CDN")
	}
}

// TestMigrationPhases: with twoPhase, the pre-deploy Job skips the
// post-deployment migrations (Discourse.skip_post_deployment_migrations?
// reads "1"), the post-deploy Job runs them, and the post-deploy stage
// follows the app stage in Flux; without it one Job runs everything
// before the rollout.
func TestMigrationPhases(t *testing.T) {
	seen := map[bool]bool{}
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		jobs := decode(t, objs).jobs
		if len(jobs) == 0 {
			continue
		}
		skips := map[generator.Stage]string{}
		for _, job := range jobs {
			stage := generator.Stage(job.Annotations[generator.AnnotationStage])
			if _, dup := skips[stage]; dup {
				t.Errorf("%s: two migration Jobs in stage %s", dir, stage)
			}
			skips[stage] = envValue(job.Spec.Template.Spec.Containers[0].Env, "SKIP_POST_DEPLOYMENT_MIGRATIONS")
			release := job.Labels["app.kubernetes.io/version"]
			if release == "" || !strings.Contains(job.Name, strings.ReplaceAll(release, ".", "-")) {
				t.Errorf("%s: Job %s does not carry its release %q", dir, job.Name, release)
			}
		}
		_, twoPhase := skips[generator.StagePostMigrate]
		seen[twoPhase] = true
		wantChain := []string{"data", "migrate", "app"}
		if twoPhase {
			wantChain = append(wantChain, "post-migrate")
			if skips[generator.StageMigrate] != "1" {
				t.Errorf("%s: the pre-deploy Job has SKIP_POST_DEPLOYMENT_MIGRATIONS=%q, want 1", dir, skips[generator.StageMigrate])
			}
			if v := skips[generator.StagePostMigrate]; v != "" {
				t.Errorf("%s: the post-deploy Job has SKIP_POST_DEPLOYMENT_MIGRATIONS=%q: it would skip the migrations it exists for", dir, v)
			}
		} else if v := skips[generator.StageMigrate]; v != "" {
			t.Errorf("%s: the only migration Job has SKIP_POST_DEPLOYMENT_MIGRATIONS=%q: the post-deploy migrations would never run", dir, v)
		}
		if chain := fluxChain(t, objs); len(chain) > 0 && !slices.Equal(chain, wantChain) {
			t.Errorf("%s: Flux applies %v, want %v", dir, chain, wantChain)
		}
	}
	if !seen[true] || !seen[false] {
		t.Fatalf("the cases must cover both one and two migration phases, covered %v", seen)
	}
}

// envValue is the value of a literal env var, "" when it is absent.
func envValue(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// fluxChain follows the Flux Kustomizations' dependsOn from the one that
// depends on nothing and returns the stages in the order Flux applies them.
func fluxChain(t *testing.T, objs []generator.Object) []string {
	t.Helper()
	next := map[string]string{}
	stageOf := map[string]string{}
	first := ""
	for _, k := range objectsOf(t, objs, "Kustomization") {
		var obj struct {
			Metadata struct{ Name string } `json:"metadata"`
			Spec     struct {
				Path      string                  `json:"path"`
				DependsOn []struct{ Name string } `json:"dependsOn"`
			} `json:"spec"`
		}
		into(t, k, &obj)
		stageOf[obj.Metadata.Name] = path.Base(obj.Spec.Path)
		switch len(obj.Spec.DependsOn) {
		case 0:
			first = obj.Metadata.Name
		case 1:
			next[obj.Spec.DependsOn[0].Name] = obj.Metadata.Name
		default:
			t.Errorf("Kustomization %s depends on %d stages", obj.Metadata.Name, len(obj.Spec.DependsOn))
		}
	}
	var chain []string
	for name := first; name != "" && len(chain) <= len(stageOf); name = next[name] {
		chain = append(chain, stageOf[name])
	}
	if len(chain) != len(stageOf) {
		t.Errorf("the dependsOn chain %v does not reach every Kustomization %v", chain, stageOf)
	}
	return chain
}

// Defect 5: Sidekiq assembles backups under /shared.
func TestSidekiqPodsHaveShared(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for name, pod := range podsOf(t, objs) {
			for _, c := range pod.Containers {
				if runsSidekiq(c) && !mountsAt(c, "/shared") {
					t.Errorf("%s %s: runs Sidekiq without /shared, so backups fail", dir, name)
				}
			}
		}
	}
}

// Defect 6: a local uploads volume is handed to discourse:www-data.
func TestUploadsVolumeIsWritable(t *testing.T) {
	checked := 0
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for name, pod := range podsOf(t, objs) {
			for _, c := range pod.Containers {
				if !mountsAt(c, "/shared/uploads") {
					continue
				}
				checked++
				owned := slices.ContainsFunc(pod.InitContainers, func(i corev1.Container) bool {
					return slices.Equal(i.Command, []string{"chown", "1000:33", "/shared/uploads"}) && mountsAt(i, "/shared/uploads")
				})
				if !owned {
					t.Errorf("%s %s: the uploads volume stays root-owned; Unicorn (discourse:www-data) cannot write", dir, name)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no case mounts an uploads volume")
	}
}

// Defect 7: no pod compiles assets at boot unless it is the only web pod
// and the config says the image has none.
func TestNoPrecompileOnBootByDefault(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, dep := range decode(t, objs).deployments {
			for _, c := range dep.Spec.Template.Spec.Containers {
				if v, _ := env(c, "PRECOMPILE_ON_BOOT"); v == "1" {
					t.Errorf("%s %s: PRECOMPILE_ON_BOOT=1 (no case says its image lacks assets)", dir, dep.Name)
				}
			}
		}
	}
}

// Defect 8: Sidekiq pods get upstream's jemalloc and supervision.
func TestSidekiqIsSupervised(t *testing.T) {
	checked := 0
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, dep := range decode(t, objs).deployments {
			for _, c := range dep.Spec.Template.Spec.Containers {
				if !slices.Contains(c.Args, "sidekiq") {
					continue
				}
				checked++
				if v, _ := env(c, "LD_PRELOAD"); v != "/usr/lib/libjemalloc.so" {
					t.Errorf("%s %s: LD_PRELOAD %q, want the image's jemalloc", dir, dep.Name, v)
				}
				if c.LivenessProbe == nil || c.LivenessProbe.Exec == nil {
					t.Errorf("%s %s: no liveness check: a stuck Sidekiq is never restarted", dir, dep.Name)
				}
				limit := c.Resources.Limits[corev1.ResourceMemory]
				rss, _ := env(c, "UNICORN_SIDEKIQ_MAX_RSS")
				ceiling, err := resource.ParseQuantity(rss + "Mi")
				if err != nil || ceiling.Cmp(limit) >= 0 {
					t.Errorf("%s %s: RSS ceiling %q MB is not below the memory limit %s: the OOM killer comes first", dir, dep.Name, rss, limit.String())
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no case renders a Sidekiq Deployment")
	}
}

// Defect 9: the web pod's application log reaches a container's stdout.
func TestWebLogReachesStdout(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, dep := range decode(t, objs).deployments {
			if !strings.HasSuffix(dep.Name, "-web") {
				continue
			}
			streams := slices.ContainsFunc(dep.Spec.Template.Spec.InitContainers, func(c corev1.Container) bool {
				return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways &&
					mountsAt(c, "/shared") && strings.Contains(strings.Join(c.Command, " "), "unicorn.stdout.log")
			})
			if !streams {
				t.Errorf("%s %s: Unicorn writes its log to files under log/, and nothing copies them to stdout", dir, dep.Name)
			}
		}
	}
}

// Defect 10: no egress rule opens 80 or 443 to private or link-local
// ranges (the metadata address); the policy engine in test/netpol proves
// the whole table.
func TestEgressExcludesPrivateRanges(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, np := range decode(t, objs).policies {
			for _, rule := range np.Spec.Egress {
				web := slices.ContainsFunc(rule.Ports, func(p networkingv1.NetworkPolicyPort) bool {
					return p.Port != nil && (p.Port.IntValue() == 80 || p.Port.IntValue() == 443)
				})
				if !web || np.Name == "forum-database" || np.Name == "forum-pooler" {
					continue // the API server rule is for the operator's pods, and names its CIDRs
				}
				for _, peer := range rule.To {
					if peer.IPBlock == nil {
						continue
					}
					all := peer.IPBlock.CIDR == "0.0.0.0/0" || peer.IPBlock.CIDR == "::/0"
					if all && !slices.Contains(peer.IPBlock.Except, "169.254.0.0/16") && !slices.Contains(peer.IPBlock.Except, "fe80::/10") {
						t.Errorf("%s %s: %s on 80/443 includes the metadata address and private ranges", dir, np.Name, peer.IPBlock.CIDR)
					}
				}
			}
		}
	}
}

// Defect 11: the migration alert follows the Job's Failed condition.
func TestMigrationAlertUsesFailedCondition(t *testing.T) {
	objs, _ := render(t, "testdata/production-separated")
	rules := objectsOf(t, objs, "PrometheusRule")
	if len(rules) != 1 {
		t.Fatal("production renders no PrometheusRule")
	}
	b, _ := yaml.Marshal(rules[0])
	if strings.Contains(string(b), "kube_job_status_failed") || !strings.Contains(string(b), `kube_job_failed{`) {
		t.Errorf("the migration alert must use kube_job_failed{condition=\"true\"}, not the failed-pod count:\n%s", b)
	}
}

// Defect 12: MaxMind downloads need the account id with the key.
func TestMaxmindAccountAndKey(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, dep := range decode(t, objs).deployments {
			c := dep.Spec.Template.Spec.Containers[0]
			_, key := envFrom(c, "DISCOURSE_MAXMIND_LICENSE_KEY")
			_, id := envFrom(c, "DISCOURSE_MAXMIND_ACCOUNT_ID")
			if key != id {
				t.Errorf("%s %s: MaxMind license key without the account id", dir, dep.Name)
			}
		}
	}
}

// Defect 13: Valkey refuses writes below its container limit.
func TestValkeyMaxMemoryUnderLimit(t *testing.T) {
	for _, dir := range cases(t) {
		objs, _ := render(t, dir)
		for _, sts := range decode(t, objs).statefulSets {
			c := sts.Spec.Template.Spec.Containers[0]
			script := strings.Join(c.Command, " ")
			mm, _ := env(c, "MAXMEMORY")
			limit := c.Resources.Limits[corev1.ResourceMemory]
			max, err := resource.ParseQuantity(mm)
			if err != nil || !strings.Contains(script, `--maxmemory "$MAXMEMORY"`) || !strings.Contains(script, "--maxmemory-policy noeviction") ||
				max.IsZero() || max.Cmp(limit) >= 0 {
				t.Errorf("%s %s: Valkey has no maxmemory below its limit %s with noeviction", dir, sts.Name, limit.String())
			}
		}
	}
}

// Defect 16: only what exists is scraped: the Discourse collectors (web,
// and the Sidekiq sidecars) only when the image has the plugin.
func TestScrapesOnlyWhatExists(t *testing.T) {
	for _, dir := range cases(t) {
		var config struct {
			Spec struct {
				Monitoring struct {
					DiscoursePrometheus bool `json:"discoursePrometheus"`
				} `json:"monitoring"`
			} `json:"spec"`
		}
		data, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, &config); err != nil {
			t.Fatal(err)
		}
		objs, _ := render(t, dir)
		plugin := config.Spec.Monitoring.DiscoursePrometheus
		scrapesDiscourse := false
		for _, pm := range objectsOf(t, objs, "PodMonitor") {
			labels, _ := pm["metadata"].(map[string]any)["labels"].(map[string]any)
			if c := labels["app.kubernetes.io/component"]; c == "web" || c == "sidekiq" {
				scrapesDiscourse = true
			}
		}
		if scrapesDiscourse != plugin {
			t.Errorf("%s: Discourse PodMonitor rendered %v, image has discourse-prometheus %v", filepath.Base(dir), scrapesDiscourse, plugin)
		}
	}
}

func envFrom(c corev1.Container, name string) (*corev1.EnvVarSource, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.ValueFrom, true
		}
	}
	return nil, false
}

// Defect 15: the knobs that were accepted and ignored now act, on every
// pod the site runs, Valkey and the database included.
func TestKnobsAreHonoured(t *testing.T) {
	objs, _ := render(t, "testdata/local-knobs")
	for _, o := range objs {
		if o.GetObjectKind().GroupVersionKind().Kind != "Namespace" && o.GetNamespace() != "community" {
			t.Errorf("%s %s: namespace %q, want metadata.namespace community", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), o.GetNamespace())
		}
		if o.GetLabels()["team"] != "community" {
			t.Errorf("%s %s: metadata.labels not applied", o.GetObjectKind().GroupVersionKind().Kind, o.GetName())
		}
	}
	for name, pod := range podsOf(t, objs) {
		if !slices.Contains(pod.ImagePullSecrets, corev1.LocalObjectReference{Name: "regcred"}) {
			t.Errorf("%s: image.pullSecrets not applied", name)
		}
		if pod.Affinity == nil || pod.Affinity.NodeAffinity == nil || len(pod.TopologySpreadConstraints) != 1 {
			t.Errorf("%s: scheduling.affinity or topologySpreadConstraints not applied", name)
		}
	}
	var ing struct {
		Spec struct {
			TLS []struct{ SecretName string } `json:"tls"`
		} `json:"spec"`
	}
	into(t, objectsOf(t, objs, "Ingress")[0], &ing)
	if len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName != "forum-certificate" {
		t.Errorf("ingress.tlsSecretName without clusterIssuer ignored: %+v", ing.Spec.TLS)
	}
	var cluster struct {
		Spec struct {
			ImagePullSecrets []struct{ Name string } `json:"imagePullSecrets"`
			Affinity         struct {
				NodeAffinity *corev1.NodeAffinity `json:"nodeAffinity"`
			} `json:"affinity"`
			TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints"`
		} `json:"spec"`
	}
	into(t, objectsOf(t, objs, "Cluster")[0], &cluster)
	if len(cluster.Spec.ImagePullSecrets) != 1 || cluster.Spec.Affinity.NodeAffinity == nil || len(cluster.Spec.TopologySpreadConstraints) != 1 {
		t.Errorf("the CNPG Cluster ignores pullSecrets, affinity or spread: %+v", cluster.Spec)
	}
}
