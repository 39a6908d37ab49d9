package behaviour

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"discoursegen.dev/discoursegen/test/behaviour/internal/harness"
	"discoursegen.dev/discoursegen/test/behaviour/internal/manifests"
)

const (
	// downPhase is how long a script must keep waiting while its server's
	// port is closed. Long enough for two or three retries of a loop that
	// sleeps 2s, which is where a wrong exit status would show.
	downPhase = 5 * time.Second
	// upPhase is how soon a script must exit 0 once its server accepts
	// connections: a few retry intervals, far below any kubelet backoff.
	upPhase = 10 * time.Second
)

// initCase is one init container of one workload of one env, and what it
// did.
type initCase struct {
	env, name string // name: "deployment forum-web/init wait-for-postgres"
	w         manifests.Workload
	c         corev1.Container
	scratch   string
	id        harness.Identity
	environ   []string
	argv      []string
	setupErr  error

	// skip says why the container is not a wait-for-server step, if it is
	// not one; it is then reported as skipped and not run.
	skip string

	proc                 *harness.Process
	downCode             int
	downExited           bool
	upCode               int
	upExited             bool
	upAfter              time.Duration
	diagnosis, runAsNote string
}

// TestInitContainers runs every init container of every env that waits for
// a server exactly as rendered (see doc.go) and asserts the two behaviours
// such a container must have: it keeps waiting while the server is down,
// and it exits 0 soon after the server is up.
//
// All cases run at once against servers shared per env (one PostgreSQL for
// all envs, one Redis per env because each env's Valkey has its own
// password), and are reported afterwards as subtests: the down phase then
// costs its 5s once, not once per container, and no t.Parallel barrier can
// deadlock under go test -parallel or -run.
func TestInitContainers(t *testing.T) {
	t.Parallel()
	pg := harness.NewPostgres(t, harness.PostgresOptions{})
	redises := map[string]*harness.Redis{}
	var cases []*initCase
	for _, env := range envs {
		objs := loadEnv(t, env)
		workloads, err := manifests.Workloads(objs)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		eps, err := manifests.Endpoints(objs, workloads)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		cms, err := manifests.ConfigMapData(objs)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		password, err := valkeyPassword(workloads)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		rd := harness.NewRedis(t, password)
		redises[env] = rd
		servers := map[manifests.Backend]string{manifests.Postgres: pg.Addr(), manifests.Redis: rd.Addr()}
		for _, w := range workloads {
			r := manifests.Resolver{Namespace: w.Namespace, Endpoints: eps, Servers: servers, Secret: secretValue, ConfigMaps: cms}
			for _, c := range w.Pod.InitContainers {
				ic := &initCase{env: env, name: w.ID() + "/init " + c.Name, w: w, c: c, scratch: harness.SharedTempDir(t)}
				ic.setupErr = ic.prepare(r)
				cases = append(cases, ic)
			}
		}
	}
	waiters := 0
	for _, ic := range cases {
		if ic.skip == "" {
			waiters++
		}
	}
	if waiters == 0 {
		t.Fatal("no init container in any env waits for a server: nothing to check")
	}
	t.Cleanup(func() {
		for _, ic := range cases {
			if ic.proc != nil {
				if err := ic.proc.Stop(nil, 0); err != nil {
					t.Error(err)
				}
			}
		}
	})

	// Down phase: every script starts while no server listens.
	for _, ic := range cases {
		if ic.setupErr != nil || ic.skip != "" {
			continue
		}
		cmd, err := harness.RunAs(ic.scratch, ic.id, ic.environ, ic.argv...)
		if err == nil {
			ic.proc, err = harness.Start(ic.name, cmd)
		}
		ic.setupErr = err
	}
	time.Sleep(downPhase)
	for _, ic := range cases {
		if ic.proc != nil {
			ic.downCode, ic.downExited = ic.proc.Exited()
		}
	}

	// Up phase: start the servers, then give every script still waiting
	// upPhase to exit.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, env := range envs {
		if err := redises[env].Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	up := time.Now()
	for _, ic := range cases {
		if ic.proc == nil || ic.downExited {
			continue
		}
		if ic.upExited = ic.proc.WaitFor(time.Until(up.Add(upPhase))); ic.upExited {
			ic.upCode, _ = ic.proc.Exited()
			ic.upAfter = ic.proc.ExitTime().Sub(up).Round(100 * time.Millisecond)
		}
	}
	// Diagnose only once every case has had its full upPhase, so the time
	// the diagnoses take is not taken from another case.
	for _, ic := range cases {
		if ic.proc != nil && !ic.downExited && (!ic.upExited || ic.upCode != 0) {
			ic.diagnosis = ic.diagnose()
		}
	}

	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			for _, ic := range cases {
				if ic.env == env {
					t.Run(ic.name, ic.report)
				}
			}
		})
	}
}

// prepare resolves what the container runs and as whom, or why it is not
// a wait-for-server step.
func (ic *initCase) prepare(r manifests.Resolver) error {
	if ic.c.RestartPolicy != nil && *ic.c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
		ic.skip = "a native sidecar (restartPolicy: Always): it runs for the pod's lifetime instead of finishing before the app starts, so the wait-for-server behaviours do not apply"
		return nil
	}
	vars, backends, err := r.Env(ic.c)
	if err != nil {
		return err
	}
	if ic.argv, err = manifests.Command(ic.c, vars); err != nil {
		return err
	}
	if names := r.ServicesInCommand(ic.argv); len(names) > 0 {
		return fmt.Errorf("its command names Service(s) %v; only hosts in env values can be mapped to the test servers", names)
	}
	if len(backends) == 0 {
		ic.skip = "its env names no Service of the site's servers, so it waits for none; the wait-for-server behaviours do not apply"
		return nil
	}
	img, err := harness.LookupImage(manifests.Repository(ic.c.Image))
	if err != nil {
		return err
	}
	if ic.id, err = runIdentity(ic.w, ic.c, img); err != nil {
		return err
	}
	ic.runAsNote = "with a passwd entry"
	if !ic.id.HasPasswdEntry() {
		ic.runAsNote = "without a passwd entry, as in the image"
	}
	path, err := img.PathDir(ic.scratch)
	if err != nil {
		return err
	}
	// What a container runtime adds: PATH from the image (here: the stand-in
	// programs first), HOME "/" for a uid without a passwd entry, HOSTNAME.
	ic.environ = []string{"PATH=" + path, "HOME=/", "HOSTNAME=" + ic.w.Name}
	for _, v := range vars {
		ic.environ = append(ic.environ, v.Name+"="+v.Value)
	}
	return nil
}

// diagnose re-runs, as the same uid with the same env, the client the
// script polls with but without its -q, so a failure says why the client
// gave up rather than only that the loop never ended.
func (ic *initCase) diagnose() string {
	if !strings.Contains(strings.Join(ic.argv, " "), "pg_isready") {
		return ""
	}
	var b strings.Builder
	for _, argv := range [][]string{{"pg_isready"}, {"psql", "-X", "-w", "-c", "SELECT 1"}} {
		cmd, err := harness.RunAs(ic.scratch, ic.id, ic.environ, argv...)
		if err != nil {
			return err.Error()
		}
		p, err := harness.Start(argv[0], cmd)
		if err != nil {
			return err.Error()
		}
		if !p.WaitFor(15 * time.Second) {
			_ = p.Stop(nil, 0)
		}
		code, _ := p.Exited()
		fmt.Fprintf(&b, "\n      $ %s  (same uid and env) -> exit %d: %s", strings.Join(argv, " "), code, strings.TrimSpace(p.Output()))
	}
	b.WriteString("\n      (pg_isready: 0 accepting, 1 rejecting, 2 no response, 3 no attempt: libpq gave up before connecting)")
	return b.String()
}

func (ic *initCase) report(t *testing.T) {
	if ic.setupErr != nil {
		t.Fatalf("%s (%s): cannot run it faithfully: %v", ic.w.Source, ic.name, ic.setupErr)
	}
	if ic.skip != "" {
		t.Skipf("not run: %s", ic.skip)
	}
	t.Logf("ran %q as %s (%s) with env %q", ic.argv, ic.id, ic.runAsNote, ic.environ)
	if ic.downExited {
		if ic.downCode == 0 {
			t.Fatalf("exited 0 within %s while its server was down: it does not wait, so the pod starts before the server is reachable\noutput:\n%s", downPhase, ic.proc.Output())
		}
		t.Fatalf("exited with status %d within %s while its server was down instead of waiting (the kubelet restarts it with backoff; a Job with backoffLimit counts it as a failure)\noutput:\n%s", ic.downCode, downPhase, ic.proc.Output())
	}
	if !ic.upExited {
		t.Fatalf("still waiting %s after its server accepted connections: the pod would never start\noutput:\n%s\ndiagnosis:%s", upPhase, tail(ic.proc.Output(), 600), ic.diagnosis)
	}
	if ic.upCode != 0 {
		t.Fatalf("exited with status %d after its server came up\noutput:\n%s\ndiagnosis:%s", ic.upCode, tail(ic.proc.Output(), 600), ic.diagnosis)
	}
	t.Logf("kept waiting for %s while the server was down; exited 0 %s after it was up", downPhase, ic.upAfter)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// valkeyPassword is the password the env's Valkey requires: the test value
// of the one Secret key its server container reads. Deriving it from the
// rendered StatefulSet (not from a constant) means a client that reads a
// different Secret key fails to authenticate, as it would in the cluster.
func valkeyPassword(workloads []manifests.Workload) (string, error) {
	refs := map[string]bool{}
	var value string
	for _, w := range workloads {
		for _, c := range w.Pod.Containers {
			if b, ok := manifests.ImageBackend(c.Image); !ok || b != manifests.Redis {
				continue
			}
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					ref := e.ValueFrom.SecretKeyRef
					refs[ref.Name+"/"+ref.Key] = true
					value = secretValue(ref.Name, ref.Key)
				}
			}
		}
	}
	if len(refs) != 1 {
		return "", fmt.Errorf("want exactly one Secret key read by the Valkey server containers (its password), found %d: %v", len(refs), refs)
	}
	return value, nil
}
