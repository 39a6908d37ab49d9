package behaviour

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"discoursegen.dev/discoursegen/test/behaviour/internal/harness"
	"discoursegen.dev/discoursegen/test/behaviour/internal/manifests"
)

// discourseImage is what the probes of the Discourse image need: its
// discourse (1000) and www-data (33) accounts (discourse_docker
// image/base/Dockerfile) and a Ruby, played by Debian's.
var discourseImage = harness.Image{
	Accounts: []harness.Account{{Name: "discourse", UID: 1000, GID: 1000}, {Name: "www-data", UID: 33, GID: 33}},
	Programs: map[string]string{"ruby": "/usr/bin/ruby"},
}

// envWorkloads returns the env's objects, workloads and a resolver onto
// the given servers.
func envWorkloads(t *testing.T, env string, servers map[manifests.Backend]string) ([]manifests.Workload, manifests.Resolver) {
	t.Helper()
	objs := loadEnv(t, env)
	workloads, err := manifests.Workloads(objs)
	if err != nil {
		t.Fatal(err)
	}
	eps, err := manifests.Endpoints(objs, workloads)
	if err != nil {
		t.Fatal(err)
	}
	cms, err := manifests.ConfigMapData(objs)
	if err != nil {
		t.Fatal(err)
	}
	return workloads, manifests.Resolver{Endpoints: eps, Servers: servers, Secret: secretValue, ConfigMaps: cms}
}

func environ(vars []manifests.EnvVar, path string) []string {
	out := []string{"PATH=" + path, "HOME=/tmp"}
	for _, v := range vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

func redisCLI(ctx context.Context, addr, password string, args ...string) (string, error) {
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.CommandContext(ctx, "/usr/bin/redis-cli", append([]string{"-h", host, "-p", port}, args...)...)
	cmd.Env = []string{"REDISCLI_AUTH=" + password}
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// TestValkeyRefusesWritesAtItsLimit runs the rendered Valkey command (Debian's
// redis-server plays valkey-server) as the image's uid and checks what the
// generator promises: it authenticates with the Secret's password, runs with
// the rendered maxmemory and the noeviction policy, and at the limit refuses
// writes with an error instead of growing into the container's memory limit.
//
// Two things differ from the pod, and only these: the volume mount paths
// (/data, /run/valkey) are directories of the test, and the server listens
// on 127.0.0.1 and a free port (appended flags, which win over earlier ones)
// because a pod listens on its own address and a test only on loopback.
func TestValkeyRefusesWritesAtItsLimit(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			workloads, r := envWorkloads(t, env, nil)
			var sts *manifests.Workload
			for i, w := range workloads {
				if w.Kind == "StatefulSet" {
					sts = &workloads[i]
				}
			}
			if sts == nil {
				t.Fatal("no Valkey StatefulSet rendered")
			}
			c := sts.Pod.Containers[0]
			r.Namespace = sts.Namespace
			vars, _, err := r.Env(c)
			if err != nil {
				t.Fatal(err)
			}
			argv, err := manifests.Command(c, vars)
			if err != nil {
				t.Fatal(err)
			}
			scratch := harness.SharedTempDir(t)
			img, err := harness.LookupImage(manifests.Repository(c.Image))
			if err != nil {
				t.Fatal(err)
			}
			id, err := runIdentity(*sts, c, img)
			if err != nil {
				t.Fatal(err)
			}
			script := argv[len(argv)-1]
			for _, m := range c.VolumeMounts {
				dir := filepath.Join(scratch, m.Name)
				if err := harness.MkdirOwned(dir, 0o700, id.UID, id.GID); err != nil {
					t.Fatal(err)
				}
				script = strings.ReplaceAll(script, m.MountPath, dir)
			}
			port, err := harness.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			argv[len(argv)-1] = script + " --bind 127.0.0.1 --port " + strconv.Itoa(port)
			path, err := img.PathDir(scratch)
			if err != nil {
				t.Fatal(err)
			}
			cmd, err := harness.RunAs(scratch, id, environ(vars, path), argv...)
			if err != nil {
				t.Fatal(err)
			}
			proc, err := harness.Start("valkey", cmd)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = proc.Stop(os.Interrupt, 5*time.Second) })

			addr := "127.0.0.1:" + strconv.Itoa(port)
			password := secretValue(c.Env[0].ValueFrom.SecretKeyRef.Name, c.Env[0].ValueFrom.SecretKeyRef.Key)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for {
				if out, _ := redisCLI(ctx, addr, password, "PING"); out == "PONG" {
					break
				}
				if _, exited := proc.Exited(); exited || ctx.Err() != nil {
					t.Fatalf("Valkey never answered PING with the Secret's password:\n%s", proc.Output())
				}
				time.Sleep(100 * time.Millisecond)
			}
			want := ""
			for _, v := range vars {
				if v.Name == "MAXMEMORY" {
					want = v.Value
				}
			}
			got, err := redisCLI(ctx, addr, password, "CONFIG", "GET", "maxmemory")
			if err != nil || got != "maxmemory\n"+want || want == "0" || want == "" {
				t.Errorf("maxmemory: got %q (%v), want the rendered MAXMEMORY %q, above 0", got, err, want)
			}
			got, err = redisCLI(ctx, addr, password, "CONFIG", "GET", "maxmemory-policy")
			if err != nil || got != "maxmemory-policy\nnoeviction" {
				t.Errorf("maxmemory-policy: got %q (%v), want noeviction: Sidekiq's queued jobs must never be evicted", got, err)
			}

			// The policy at work: shrink the limit so the test need not fill
			// hundreds of megabytes, then write until Valkey refuses.
			if _, err := redisCLI(ctx, addr, password, "CONFIG", "SET", "maxmemory", "2mb"); err != nil {
				t.Fatal(err)
			}
			srv := &harness.Redis{Host: "127.0.0.1", Port: port, Password: password}
			value := strings.Repeat("x", 4096)
			for i := range 5000 {
				_, err := srv.Do(ctx, "SET", fmt.Sprintf("key:%d", i), value)
				if err == nil {
					continue
				}
				if !strings.Contains(err.Error(), "OOM") {
					t.Fatalf("write %d failed with %v, want Valkey's OOM refusal", i, err)
				}
				if n, err := srv.Do(ctx, "EXISTS", "key:0"); err != nil || n != "1" {
					t.Errorf("the first key was evicted (EXISTS %q, %v): the policy is not noeviction", n, err)
				}
				return
			}
			t.Fatal("5000 writes of 4 KiB above a 2 MB maxmemory were all accepted")
		})
	}
}

// TestSidekiqProbe runs the rendered liveness probe of every Sidekiq
// container (the scheduler's too) against a real Redis, as the container's
// uid, with Debian's Ruby playing the image's. The probe must do what
// upstream's Unicorn master does for the Sidekiqs it forks
// (discourse/discourse lib/demon/sidekiq.rb): pass while this host's Sidekiq
// beats in Redis, fail when its beat is older than 100 s or gone, fail above
// the RSS ceiling, and pass when Redis itself is down (a restart would not
// help). The fake Sidekiq process is registered as Sidekiq registers itself:
// its identity "<hostname>:<pid>:<nonce>" in the "processes" set and a hash
// with a "beat" timestamp, in database SIDEKIQ_REDIS_DB.
func TestSidekiqProbe(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			rd := harness.StartRedis(t, "test-probe-password")
			servers := map[manifests.Backend]string{manifests.Redis: rd.Addr(), manifests.Postgres: "127.0.0.1:1"}
			workloads, r := envWorkloads(t, env, servers)
			checked := 0
			for _, w := range workloads {
				for _, c := range w.Pod.Containers {
					if c.LivenessProbe == nil || c.LivenessProbe.Exec == nil || !slices.Contains(c.Args, "sidekiq") {
						continue
					}
					checked++
					t.Run(w.ID(), func(t *testing.T) { probeCases(t, w, c, r, rd, host) })
				}
			}
			if checked == 0 && env != "local" {
				t.Fatal("no Sidekiq container with a liveness probe")
			}
		})
	}
}

func probeCases(t *testing.T, w manifests.Workload, c corev1.Container, r manifests.Resolver, rd *harness.Redis, host string) {
	r.Namespace = w.Namespace
	// The test's Redis has its own password; the Secret stand-in gives the
	// container the same one.
	r.Secret = func(string, string) string { return rd.Password }
	// The probe talks to Redis only.
	r.Unreached = map[string]bool{"DISCOURSE_CDN_URL": true, "DISCOURSE_S3_CDN_URL": true, "DISCOURSE_S3_ENDPOINT": true, "DISCOURSE_SMTP_ADDRESS": true, "DISCOURSE_PROMETHEUS_WEBSERVER_BIND": true}
	vars, _, err := r.Env(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := runIdentity(w, c, discourseImage)
	if err != nil {
		t.Fatal(err)
	}
	scratch := harness.SharedTempDir(t)
	path, err := discourseImage.PathDir(scratch)
	if err != nil {
		t.Fatal(err)
	}
	db := ""
	for _, v := range vars {
		if v.Name == "SIDEKIQ_REDIS_DB" {
			db = v.Value
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	identity := host + ":1:0123456789ab"
	beat := func(age time.Duration) {
		t.Helper()
		at := strconv.FormatFloat(float64(time.Now().Add(-age).UnixNano())/1e9, 'f', 3, 64)
		for _, args := range [][]string{{"SADD", "processes", identity}, {"HSET", identity, "beat", at}} {
			if out, err := redisCLI(ctx, rd.Addr(), rd.Password, append([]string{"-n", db}, args...)...); err != nil {
				t.Fatalf("%v: %v %s", args, err, out)
			}
		}
	}
	forget := func() {
		t.Helper()
		if out, err := redisCLI(ctx, rd.Addr(), rd.Password, "-n", db, "DEL", identity); err != nil {
			t.Fatalf("%v %s", err, out)
		}
	}
	run := func(override map[string]string) (int, string) {
		t.Helper()
		env := environ(vars, path)
		for k, v := range override {
			env = append(env, k+"="+v)
		}
		cmd, err := harness.RunAs(scratch, id, env, c.LivenessProbe.Exec.Command...)
		if err != nil {
			t.Fatal(err)
		}
		proc, err := harness.Start("probe", cmd)
		if err != nil {
			t.Fatal(err)
		}
		timeout := time.Duration(c.LivenessProbe.TimeoutSeconds) * time.Second
		if !proc.WaitFor(timeout) {
			_ = proc.Stop(os.Kill, time.Second)
			t.Fatalf("the probe ran longer than its timeoutSeconds (%s):\n%s", timeout, proc.Output())
		}
		code, _ := proc.Exited()
		return code, proc.Output()
	}
	closed, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		setup    func()
		override map[string]string
		want     int
	}{
		{"beating: passes", func() { beat(2 * time.Second) }, nil, 0},
		{"beat 200s old: fails", func() { beat(200 * time.Second) }, nil, 1},
		{"no beat at all: fails", forget, nil, 1},
		{"above the RSS ceiling: fails", func() { beat(0) }, map[string]string{"UNICORN_SIDEKIQ_MAX_RSS": "0"}, 1},
		{"redis down: passes", forget, map[string]string{"DISCOURSE_REDIS_PORT": strconv.Itoa(closed)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			if code, out := run(tc.override); code != tc.want {
				t.Errorf("exit %d, want %d:\n%s", code, tc.want, out)
			}
		})
	}
}
