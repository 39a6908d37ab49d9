package sim

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"discoursegen.dev/discoursegen/test/e2e/internal/cluster"
	"discoursegen.dev/discoursegen/test/e2e/internal/kube"
	"discoursegen.dev/discoursegen/test/e2e/internal/sources"
)

// Binaries are the programs a Sim runs. BinariesFromEnv fills them from the
// environment test/e2e/rollout.sh sets.
type Binaries struct {
	APIServer           string // E2E_KUBE_APISERVER
	Etcd                string // E2E_ETCD
	ControllerManager   string // SIM_KUBE_CONTROLLER_MANAGER
	Scheduler           string // SIM_KUBE_SCHEDULER
	Kwok                string // SIM_KWOK
	KustomizeController string // SIM_KUSTOMIZE_CONTROLLER
}

// BinariesFromEnv reads the binaries' paths from the environment and
// reports every variable that is missing.
func BinariesFromEnv() (Binaries, error) {
	var errs []error
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is not set (run test/e2e/rollout.sh)", name))
		}
		return v
	}
	b := Binaries{
		APIServer:           get("E2E_KUBE_APISERVER"),
		Etcd:                get("E2E_ETCD"),
		ControllerManager:   get("SIM_KUBE_CONTROLLER_MANAGER"),
		Scheduler:           get("SIM_KUBE_SCHEDULER"),
		Kwok:                get("SIM_KWOK"),
		KustomizeController: get("SIM_KUSTOMIZE_CONTROLLER"),
	}
	return b, errors.Join(errs...)
}

// Options configure Start. The zero value (plus Binaries) is usable.
type Options struct {
	Binaries Binaries
	// Nodes is how many fake Nodes kwok plays; 0 means DefaultNodes.
	Nodes int
	// Log receives progress lines; nil means os.Stdout.
	Log io.Writer
}

const (
	// DefaultNodes is enough for the CNPG instances' hostname
	// anti-affinity plus the web pods' spread.
	DefaultNodes = 4
	// FailAnnotation on a pod (set it on a pod template) makes kwok fail
	// the pod with exit code 1 once it runs; see stages.yaml.
	FailAnnotation = "sim.discoursegen.dev/fail"
	// FluxNamespace holds the ExternalArtifact Publish writes, and is where
	// tests put their Flux Kustomizations.
	FluxNamespace = "flux-system"
	// ArtifactName is the name of the ExternalArtifact Publish writes; a
	// Kustomization's spec.sourceRef is {kind: ExternalArtifact, name:
	// ArtifactName, namespace: FluxNamespace}.
	ArtifactName = "flux-system"
)

// fluxSourceCRDs are the source kinds kustomize-controller watches that
// hack/sources.yaml does not list (it has GitRepository and OCIRepository):
// ExternalArtifact, which Publish writes, and Bucket, without which the
// controller's cache never syncs and it exits. They come from the
// source-controller release whose api module kustomize-controller v1.9.5
// requires (github.com/fluxcd/source-controller/api v1.9.0 in its go.mod).
var fluxSourceCRDs = struct {
	module, version string
	files           []string
}{
	"github.com/fluxcd/source-controller", "v1.9.0",
	[]string{
		"config/crd/bases/source.toolkit.fluxcd.io_externalartifacts.yaml",
		"config/crd/bases/source.toolkit.fluxcd.io_buckets.yaml",
	},
}

//go:embed stages.yaml
var stagesYAML []byte

// Sim is a running simulated cluster.
type Sim struct {
	dir     string
	log     io.Writer
	cluster *cluster.Cluster
	config  *rest.Config
	kube    kubernetes.Interface
	dyn     dynamic.Interface

	components []*component

	server   *http.Server
	baseURL  string
	mu       sync.Mutex
	blobs    map[string][]byte // URL path -> tarball
	releases int               // Publish calls so far

	cancel   context.CancelFunc // stops the stand-in loops
	loops    sync.WaitGroup
	stopOnce sync.Once
}

// component is one process of the Sim besides etcd and kube-apiserver.
type component struct {
	name string
	proc *cluster.Process
}

// Start brings the whole simulation up and registers its shutdown with
// t.Cleanup; it fails t if anything does not come up. The scratch directory
// (logs, certificates, etcd data) is removed afterwards unless the test
// failed or SIM_KEEP_DIR is set, in which case its path is logged.
func Start(t testing.TB, opts Options) *Sim {
	t.Helper()
	if opts.Nodes == 0 {
		opts.Nodes = DefaultNodes
	}
	if opts.Log == nil {
		opts.Log = os.Stdout
	}
	dir, err := os.MkdirTemp("", "discoursegen-sim-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sim{dir: dir, log: opts.Log, blobs: map[string][]byte{}}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("sim: stop: %v", err)
		}
		if t.Failed() || os.Getenv("SIM_KEEP_DIR") != "" {
			t.Logf("sim: kept scratch directory %s (component logs)", dir)
			return
		}
		os.RemoveAll(dir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := s.start(ctx, opts); err != nil {
		t.Fatalf("sim: start: %v", err)
	}
	return s
}

func (s *Sim) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "sim: "+format+"\n", args...)
}

func (s *Sim) start(ctx context.Context, opts Options) error {
	begin := time.Now()
	step := func(what string, since time.Time) {
		s.logf("%s in %s", what, time.Since(since).Round(time.Millisecond))
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	src, err := sources.Load(filepath.Join(root, "hack", "sources.yaml"))
	if err != nil {
		return err
	}
	crdFiles, err := src.CRDFiles(ctx)
	if err != nil {
		return fmt.Errorf("crds: %w", err)
	}
	fluxDir, err := sources.ModuleDir(ctx, fluxSourceCRDs.module, fluxSourceCRDs.version)
	if err != nil {
		return fmt.Errorf("crds: %w", err)
	}
	for _, f := range fluxSourceCRDs.files {
		crdFiles = append(crdFiles, filepath.Join(fluxDir, filepath.FromSlash(f)))
	}

	t0 := time.Now()
	c, err := cluster.Start(ctx, cluster.Options{
		APIServerBin:   opts.Binaries.APIServer,
		EtcdBin:        opts.Binaries.Etcd,
		Dir:            s.dir,
		ControllersRun: true,
	})
	if err != nil {
		return err
	}
	s.cluster = c
	step("etcd + kube-apiserver ready", t0)
	s.config = c.Config()
	if s.kube, err = kubernetes.NewForConfig(s.config); err != nil {
		return err
	}
	if s.dyn, err = dynamic.NewForConfig(s.config); err != nil {
		return err
	}

	t0 = time.Now()
	kc, err := kube.New(s.config)
	if err != nil {
		return err
	}
	names, err := kc.InstallCRDs(ctx, crdFiles, time.Minute)
	if err != nil {
		return err
	}
	step(fmt.Sprintf("%d CRDs established", len(names)), t0)

	if err := s.startServer(); err != nil {
		return err
	}
	if err := s.startComponents(opts.Binaries); err != nil {
		return err
	}

	loopCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.startStandIns(loopCtx)

	t0 = time.Now()
	if err := s.createNodes(ctx, opts.Nodes); err != nil {
		return s.withLogs(err)
	}
	step(fmt.Sprintf("%d kwok nodes Ready and schedulable", opts.Nodes), t0)

	t0 = time.Now()
	if err := s.ensureNamespace(ctx, FluxNamespace); err != nil {
		return s.withLogs(err)
	}
	// The "default" ServiceAccount appears once kube-controller-manager's
	// serviceaccount controller runs: proof that the controllers are up.
	if err := s.waitServiceAccount(ctx, FluxNamespace, "default"); err != nil {
		return s.withLogs(err)
	}
	step("kube-controller-manager serving (default ServiceAccount created)", t0)
	if err := s.CheckAlive(); err != nil {
		return err
	}
	step("simulation ready", begin)
	return nil
}

// repoRoot walks up from the working directory (a package directory of
// test/e2e under go test) to the directory holding hack/sources.yaml.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "sources.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("hack/sources.yaml not found above the working directory")
		}
		dir = parent
	}
}

// startComponents starts kube-controller-manager, kube-scheduler, kwok and
// kustomize-controller against the apiserver.
func (s *Sim) startComponents(b Binaries) error {
	kubeconfig := s.cluster.KubeconfigPath()
	stages := filepath.Join(s.dir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, stagesYAML, 0o600); err != nil {
		return err
	}
	specs := []struct {
		name, bin string
		args, env []string
	}{
		{"kube-controller-manager", b.ControllerManager, []string{
			"--kubeconfig=" + kubeconfig,
			"--leader-elect=false",
			// No serving endpoint (healthz, metrics): nothing scrapes it,
			// and it would need a port and delegated authentication.
			"--secure-port=0",
			// Only what the rollout needs. Left out: the node lifecycle
			// controller (see doc.go), the service-account token
			// controller (no pod mounts tokens here, so no key flags),
			// and the ones that need a cloud or a kubelet.
			"--controllers=" + strings.Join([]string{
				"deployment-controller",
				"replicaset-controller",
				"job-controller",
				"cronjob-controller",
				"ttl-after-finished-controller",
				"statefulset-controller",
				"disruption-controller",
				"garbage-collector-controller",
				"namespace-controller",
				"serviceaccount-controller",
				"resourcequota-controller",
				"persistentvolume-binder-controller",
				// Without metrics it never scales on CPU, but it raises
				// an autoscaled Deployment (web has no replicas field) to
				// the autoscaler's minimum, as in a real cluster.
				"horizontal-pod-autoscaler-controller",
			}, ","),
			// The autoscaler acts within a second, not the default 15 s.
			"--horizontal-pod-autoscaler-sync-period=1s",
			"--kube-api-qps=100",
			"--kube-api-burst=200",
			"--v=1",
		}, nil},
		{"kube-scheduler", b.Scheduler, []string{
			"--kubeconfig=" + kubeconfig,
			"--leader-elect=false",
			"--secure-port=0",
			"--kube-api-qps=100",
			"--kube-api-burst=200",
		}, nil},
		{"kwok", b.Kwok, []string{
			"--kubeconfig=" + kubeconfig,
			"--config=" + stages,
			// Every Node in this cluster is a fake one, created by
			// createNodes.
			"--manage-all-nodes=true",
			"--cidr=10.244.0.0/16",
			"--node-ip=10.255.0.1",
		}, nil},
		// kustomize-controller has no --kubeconfig flag; controller-runtime
		// reads KUBECONFIG.
		{"kustomize-controller", b.KustomizeController, []string{
			"--enable-leader-election=false",
			"--watch-all-namespaces=true",
			"--feature-gates=ExternalArtifact=true",
			// "0" disables the metrics and health listeners
			// (controller-runtime's convention).
			"--metrics-addr=0",
			"--health-addr=0",
			"--requeue-dependency=2s",
			"--no-remote-bases=true",
			"--log-level=info",
		}, []string{"KUBECONFIG=" + kubeconfig, "RUNTIME_NAMESPACE=" + FluxNamespace}},
	}
	for _, sp := range specs {
		t0 := time.Now()
		p, err := cluster.StartProcess(sp.name, filepath.Join(s.dir, sp.name+".log"), sp.bin, sp.args, sp.env)
		if err != nil {
			return err
		}
		s.components = append(s.components, &component{name: sp.name, proc: p})
		s.logf("%s started (pid %d) in %s", sp.name, p.Pid(), time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// CheckAlive returns an error naming every component that has exited, with
// the end of its log. Tests call it when a wait times out, to tell a
// crashed controller from a slow rollout.
func (s *Sim) CheckAlive() error {
	var errs []error
	for _, c := range s.components {
		select {
		case <-c.proc.Done():
			errs = append(errs, fmt.Errorf("%s exited (%v); end of %s:\n%s", c.name, c.proc.ExitErr(), filepath.Base(c.proc.LogPath()), c.proc.LogTail(3<<10)))
		default:
		}
	}
	return errors.Join(errs...)
}

// withLogs adds to err the exited components, if any.
func (s *Sim) withLogs(err error) error {
	if alive := s.CheckAlive(); alive != nil {
		return errors.Join(err, alive)
	}
	return err
}

// LogTail returns the last n bytes of a component's log: one of
// "kube-controller-manager", "kube-scheduler", "kwok",
// "kustomize-controller", or "kube-apiserver".
func (s *Sim) LogTail(name string, n int64) string {
	if name == "kube-apiserver" {
		return s.cluster.APIServerLogTail()
	}
	for _, c := range s.components {
		if c.name == name {
			return c.proc.LogTail(n)
		}
	}
	return ""
}

// Config returns a cluster-admin client configuration (a copy).
func (s *Sim) Config() *rest.Config { return rest.CopyConfig(s.config) }

// Kube is a typed client with cluster-admin rights.
func (s *Sim) Kube() kubernetes.Interface { return s.kube }

// Dynamic is a dynamic client with cluster-admin rights, for CRDs.
func (s *Sim) Dynamic() dynamic.Interface { return s.dyn }

// Dir is the scratch directory: each component's log is <name>.log there.
func (s *Sim) Dir() string { return s.dir }

// stop ends everything Start started, the controllers first so none of them
// logs a storm of errors while the apiserver goes away.
func (s *Sim) stop() error {
	var errs []error
	s.stopOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			s.loops.Wait()
		}
		for i := len(s.components) - 1; i >= 0; i-- {
			if err := s.components[i].proc.Stop(10 * time.Second); err != nil {
				errs = append(errs, err)
			}
		}
		if s.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			errs = append(errs, s.server.Shutdown(ctx))
			cancel()
		}
		if s.cluster != nil {
			errs = append(errs, s.cluster.Stop())
		}
	})
	return errors.Join(errs...)
}

// startServer serves the published tarballs on a free loopback port.
func (s *Sim) startServer() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.baseURL = "http://" + l.Addr().String()
	s.server = &http.Server{Handler: http.HandlerFunc(s.serveArtifact), ReadHeaderTimeout: 10 * time.Second}
	go s.server.Serve(l) //nolint:errcheck // ends with ErrServerClosed in stop
	s.logf("artifact server on %s", s.baseURL)
	return nil
}
