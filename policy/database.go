package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// hashSuffix is the end of a migration Job's name that changes with its
// content (generator: <site>-migrate-<release>-<hash>).
var hashSuffix = regexp.MustCompile(`-[0-9a-f]{8}$`)

// migrates says whether a container runs db:migrate.
func migrates(c *corev1.Container) bool {
	return slices.Contains(c.Command, "db:migrate") || slices.Contains(c.Args, "db:migrate")
}

// skipsPostDeploy says whether a migration defers the post-deployment
// migrations: Discourse reads SKIP_POST_DEPLOYMENT_MIGRATIONS as "1" or
// "true" (discourse/discourse lib/discourse.rb,
// skip_post_deployment_migrations?).
func (s *site) skipsPostDeploy(w *workload, c *corev1.Container) bool {
	v := s.env(w, c, "SKIP_POST_DEPLOYMENT_MIGRATIONS")
	return v.literal && slices.Contains([]string{"1", "true"}, strings.TrimSpace(v.value))
}

// databaseTarget is what a DISCOURSE_DB_HOST names in the output.
type databaseTarget struct {
	cluster *Object // the CloudNativePG Cluster behind it
	pooler  *Object // the Pooler, when the host is one
	service string  // rw, ro or r, for a Cluster's own Service
}

// target resolves a database host: a Pooler's Service (named after the
// Pooler) or one of the Services CloudNativePG makes for a Cluster,
// <cluster>-rw, -ro and -r. nil for a host outside the output.
func (s *site) target(host string) *databaseTarget {
	for _, p := range s.poolers {
		if p.Ref.Name == host {
			t := &databaseTarget{pooler: p}
			clusterName := nestedString(p.Raw, "spec", "cluster", "name")
			for _, c := range s.clusters {
				if c.Ref.Name == clusterName && c.Ref.Namespace == p.Ref.Namespace {
					t.cluster = c
				}
			}
			return t
		}
	}
	for _, c := range s.clusters {
		for _, svc := range []string{"rw", "ro", "r"} {
			if host == c.Ref.Name+"-"+svc {
				return &databaseTarget{cluster: c, service: svc}
			}
		}
	}
	return nil
}

func poolMode(p *Object) string {
	if m := nestedString(p.Raw, "spec", "pgbouncer", "poolMode"); m != "" {
		return m
	}
	return "session" // CNPG's default (api/v1/pooler_types.go)
}

func checkMigrationJob(s *site) []Finding {
	var fs []Finding
	onBoot := false
	pre := map[string][]*workload{} // image -> pre-deploy Jobs
	var jobs []*workload
	twoPhase := false
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			if s.roleOf(w, fc.c) != roleNone && s.bootTaskOn(w, fc.c, "MIGRATE_ON_BOOT") {
				onBoot = true
			}
		}
		c, ok := s.discourse(w)
		if w.job == nil || !ok || !migrates(c) {
			continue
		}
		jobs = append(jobs, w)
		if s.skipsPostDeploy(w, c) {
			twoPhase = true
		}
	}
	for _, w := range jobs {
		c, _ := s.discourse(w)
		if !twoPhase || s.skipsPostDeploy(w, c) {
			pre[c.Image] = append(pre[c.Image], w)
		}
		if !hashSuffix.MatchString(w.ref.Name) {
			fs = append(fs, Finding{Object: w.ref, Field: "metadata.name",
				Message: "a migration Job's name must end in a hash of its content (-<8 hex>): a Job's pod template is immutable, so a new release under the same name cannot be applied"})
		}
		if w.job.Spec.TTLSecondsAfterFinished != nil {
			fs = append(fs, Finding{Object: w.ref, Field: "spec.ttlSecondsAfterFinished",
				Message: "a finished migration Job must stay: once the TTL deletes it, Flux re-creates it from Git and the migrations run again, on every reconcile"})
		}
		host := s.env(w, c, "DISCOURSE_DB_HOST")
		if !host.literal {
			continue
		}
		switch t := s.target(host.value); {
		case t == nil:
		case t.pooler != nil:
			fs = append(fs, Finding{Object: w.ref, Field: w.podField + ".containers.env",
				Message: fmt.Sprintf("runs db:migrate through PgBouncer %s (pool mode %s): migrations take advisory locks and set session state that a pooler can hand to another client; point DISCOURSE_DB_HOST at %s-rw", t.pooler.Ref.Name, poolMode(t.pooler), nestedString(t.pooler.Raw, "spec", "cluster", "name"))})
		case t.service != "rw":
			fs = append(fs, Finding{Object: w.ref, Field: w.podField + ".containers.env",
				Message: fmt.Sprintf("runs db:migrate against %s, a read-only Service; point DISCOURSE_DB_HOST at %s-rw, the primary", host.value, t.cluster.Ref.Name)})
		}
	}
	for image, ws := range pre {
		if len(ws) > 1 {
			for _, w := range ws {
				fs = append(fs, Finding{Object: w.ref,
					Message: fmt.Sprintf("is one of %d pre-deploy migration Jobs for %s: one release needs exactly one, or they race each other", len(ws), image)})
			}
		}
	}
	if onBoot {
		return fs
	}
	for _, w := range s.workloads {
		c, ok := s.discourse(w)
		if !ok || w.job != nil {
			continue
		}
		if len(pre[c.Image]) == 0 {
			fs = append(fs, Finding{Object: w.ref, Field: w.podField + ".containers.image",
				Message: fmt.Sprintf("runs %s, and no pre-deploy migration Job runs that image: the release would start on the previous release's schema", c.Image)})
		}
	}
	return fs
}

// client is one workload's share of the database connections.
type client struct {
	w           *workload
	pods, procs int64
	pool        int64
	target      *databaseTarget
	connections int64
}

func (c client) String() string {
	return fmt.Sprintf("%s %d pods (%s) x %d processes x pool %d", c.w.ref.Name, c.pods, podCount(c.w), c.procs, c.pool)
}

// clients are the database clients of a site. Jobs are counted once, the
// largest: the stages Flux applies one after another never run two
// migration Jobs at once.
func (s *site) clients() []client {
	var out []client
	var biggestJob *client
	for _, w := range s.workloads {
		c, ok := s.discourse(w)
		if !ok {
			continue
		}
		var procs int64
		for i := range w.pod.Containers {
			procs += s.railsProcesses(w, &w.pod.Containers[i])
		}
		// Upstream's default pool: db_pool = 8 (discourse/discourse
		// config/discourse_defaults.conf).
		cl := client{w: w, pods: int64(w.maxPods()), procs: procs, pool: s.envInt(w, c, "DISCOURSE_DB_POOL", 8)}
		if host := s.env(w, c, "DISCOURSE_DB_HOST"); host.literal {
			cl.target = s.target(host.value)
		}
		cl.connections = cl.pods * cl.procs * cl.pool
		if w.job != nil {
			if biggestJob == nil || cl.connections > biggestJob.connections {
				biggestJob = &cl
			}
			continue
		}
		out = append(out, cl)
	}
	if biggestJob != nil {
		out = append(out, *biggestJob)
	}
	return out
}

func sum(cs []client) int64 {
	var n int64
	for _, c := range cs {
		n += c.connections
	}
	return n
}

func formula(cs []client) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, " + ")
}

func checkConnectionBudget(s *site) []Finding {
	var fs []Finding
	clients := s.clients()
	for _, cl := range clients {
		for i := range cl.w.pod.Containers {
			c := &cl.w.pod.Containers[i]
			if s.roleOf(cl.w, c) != roleSidekiq {
				continue
			}
			if n := sidekiqConcurrency(c); n > cl.pool {
				fs = append(fs, Finding{Object: cl.w.ref, Field: fmt.Sprintf("%s.containers[%d].args", cl.w.podField, i),
					Message: fmt.Sprintf("Sidekiq runs %d threads on a database pool of %d: the threads beyond the pool wait for a connection and fail with ActiveRecord::ConnectionTimeoutError; keep -c at most DISCOURSE_DB_POOL", n, cl.pool)})
			}
		}
	}
	for _, p := range s.poolers {
		var via []client
		for _, cl := range clients {
			if cl.target != nil && cl.target.pooler == p {
				via = append(via, cl)
			}
		}
		if len(via) == 0 {
			continue
		}
		n := sum(via)
		// A Service spreads connections, not load: every client may land
		// on the same pooler instance, so each must take them all.
		maxClient := paramInt(p, 100, "spec", "pgbouncer", "parameters", "max_client_conn")
		if n > maxClient {
			fs = append(fs, Finding{Object: p.Ref, Field: "spec.pgbouncer.parameters.max_client_conn",
				Message: fmt.Sprintf("%s = %d clients > max_client_conn %d: at full scale PgBouncer refuses the rest", formula(via), n, maxClient)})
		}
		poolSize := paramInt(p, 20, "spec", "pgbouncer", "parameters", "default_pool_size")
		if poolMode(p) == "session" && n > poolSize {
			fs = append(fs, Finding{Object: p.Ref, Field: "spec.pgbouncer.parameters.default_pool_size",
				Message: fmt.Sprintf("%s = %d clients > default_pool_size %d: in session mode each client holds a server connection for its life, and an instance's clients beyond its pool wait until query_wait_timeout fails them", formula(via), n, poolSize)})
		}
	}
	for _, c := range s.clusters {
		var terms []string
		var total int64
		for _, cl := range clients {
			if cl.target == nil || cl.target.cluster != c {
				continue
			}
			// Through a session-mode pooler every client holds a server
			// connection; other modes are counted by their pool below.
			if cl.target.pooler != nil && poolMode(cl.target.pooler) != "session" {
				continue
			}
			terms = append(terms, cl.String())
			total += cl.connections
		}
		for _, p := range s.poolers {
			if nestedString(p.Raw, "spec", "cluster", "name") != c.Ref.Name || p.Ref.Namespace != c.Ref.Namespace || poolMode(p) == "session" {
				continue
			}
			// In transaction and statement mode the server side is the
			// pool, whatever the number of clients.
			inst := paramInt(p, 1, "spec", "instances")
			size := paramInt(p, 20, "spec", "pgbouncer", "parameters", "default_pool_size")
			total += inst * size
			terms = append(terms, fmt.Sprintf("%s %d instances x default_pool_size %d", p.Ref.Name, inst, size))
		}
		if len(terms) == 0 {
			continue
		}
		total += v1alpha1.ReservedConnections
		maxConn := paramInt(c, 100, "spec", "postgresql", "parameters", "max_connections")
		if total > maxConn {
			fs = append(fs, Finding{Object: c.Ref, Field: "spec.postgresql.parameters.max_connections",
				Message: fmt.Sprintf("%s + %d reserved = %d connections > max_connections %d: at full scale PostgreSQL refuses connections with \"too many clients already\"", strings.Join(terms, " + "), v1alpha1.ReservedConnections, total, maxConn)})
		}
	}
	return fs
}

// paramInt reads an integer parameter (CNPG and PgBouncer parameters are
// strings), with the server's default when unset.
func paramInt(o *Object, def int64, path ...string) int64 {
	if n, ok := nestedInt(o.Raw, path...); ok {
		return n
	}
	return def
}

// sidekiqConcurrency is Sidekiq's -c/--concurrency argument, 5 when absent
// (Sidekiq's default, upstream's sidekiq_workers = 5).
func sidekiqConcurrency(c *corev1.Container) int64 {
	words := append(slices.Clone(c.Command), c.Args...)
	for i, w := range words {
		if (w == "-c" || w == "--concurrency") && i+1 < len(words) {
			if n, err := strconv.ParseInt(words[i+1], 10, 64); err == nil {
				return n
			}
		}
	}
	return 5
}

// createExtension finds the extension a CREATE EXTENSION statement makes.
var createExtension = regexp.MustCompile(`(?i)create\s+extension\s+(?:if\s+not\s+exists\s+)?"?([a-z0-9_]+)"?`)

func checkCloudNativePG(s *site) []Finding {
	var fs []Finding
	production := s.profile() == string(v1alpha1.ProfileProduction)
	for _, c := range s.clusters {
		if n, ok := nestedInt(c.Raw, "spec", "instances"); production && (!ok || n < 3) {
			fs = append(fs, Finding{Object: c.Ref, Field: "spec.instances",
				Message: fmt.Sprintf("a production database has %d instances; it needs at least 3, so that a failover leaves a primary and a replica", n)})
		}
		if on, _ := nested(c.Raw, "spec", "enableSuperuserAccess").(bool); on {
			fs = append(fs, Finding{Object: c.Ref, Field: "spec.enableSuperuserAccess",
				Message: "superuser access is on: the postgres password lands in a Secret any namespace reader may get, and Discourse never needs it; turn it off"})
		}
		initdb, ok := nested(c.Raw, "spec", "bootstrap", "initdb").(map[string]any)
		if !ok {
			continue // recovery or pg_basebackup: the source has the extensions
		}
		created := map[string]bool{}
		sqls, _ := initdb["postInitApplicationSQL"].([]any)
		for _, q := range sqls {
			stmt, _ := q.(string)
			for _, m := range createExtension.FindAllStringSubmatch(stmt, -1) {
				created[strings.ToLower(m[1])] = true
			}
		}
		var missing []string
		for _, e := range v1alpha1.BaseExtensions {
			if !created[e] {
				missing = append(missing, e)
			}
		}
		if len(missing) > 0 {
			fs = append(fs, Finding{Object: c.Ref, Field: "spec.bootstrap.initdb.postInitApplicationSQL",
				Message: fmt.Sprintf("does not create %s in the app database: Discourse's migrations need %s, and the app owner cannot create vector (not a trusted extension), so db:migrate fails", strings.Join(missing, ", "), strings.Join(v1alpha1.BaseExtensions, ", "))})
		}
	}
	return fs
}
