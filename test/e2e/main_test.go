package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"discoursegen.dev/discoursegen/test/e2e/internal/cluster"
	"discoursegen.dev/discoursegen/test/e2e/internal/kube"
	"discoursegen.dev/discoursegen/test/e2e/internal/sources"
)

// h is the control plane shared by every test in this package. Starting
// etcd and kube-apiserver and installing the CRDs takes several seconds, so
// it is done once in TestMain rather than per test.
var h *harness

type harness struct {
	root    string // repository root
	sources *sources.Sources
	cluster *cluster.Cluster
	client  *kube.Client
}

// minEtcd is the oldest etcd kubeadm accepts for Kubernetes 1.34
// (MinExternalEtcdVersion in cmd/kubeadm/app/constants). Older ones start,
// but are outside what the apiserver is tested with.
var minEtcd = [3]int{3, 5, 24}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain is TestMain's body in a function of its own so that its deferred
// cleanup (stop the control plane, remove the scratch directory) runs before
// os.Exit.
func runMain(m *testing.M) int {
	flag.Parse()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", args...)
		return 1
	}

	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return fail("%v", err)
	}
	src, err := sources.Load(filepath.Join(root, "hack", "sources.yaml"))
	if err != nil {
		return fail("%v", err)
	}
	apiserverBin, etcdBin, err := binaries(root)
	if err != nil {
		return fail("%v", err)
	}

	removeStaleScratchDirs()
	dir, err := os.MkdirTemp("", scratchPrefix)
	if err != nil {
		return fail("%v", err)
	}
	// Mark the directory as ours while this process lives, so a later run
	// can tell it from one left behind by a crash (see
	// removeStaleScratchDirs).
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return fail("%v", err)
	}
	keep := os.Getenv("E2E_KEEP_DIR") != ""
	defer func() {
		if keep {
			// Unmarked, so later runs do not clean it up.
			os.Remove(filepath.Join(dir, ownerFile))
			fmt.Fprintf(os.Stderr, "e2e: kept scratch directory %s (logs, etcd data)\n", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fmt.Printf("e2e: kube-apiserver %s, etcd %s, scratch %s\n", apiserverBin, etcdBin, dir)
	start := time.Now()
	c, err := cluster.Start(ctx, cluster.Options{APIServerBin: apiserverBin, EtcdBin: etcdBin, Dir: dir, Log: os.Stdout})
	if err != nil {
		keep = true
		return fail("start control plane: %v", err)
	}
	stop := func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stop control plane: %v\n", err)
		}
	}
	defer stop()
	fmt.Printf("e2e: control plane ready in %s\n", time.Since(start).Round(time.Millisecond))

	// Ctrl-C or a SIGTERM from make/CI: stop the children before dying.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		fmt.Fprintf(os.Stderr, "e2e: %v received, stopping etcd and kube-apiserver\n", s)
		stop()
		os.RemoveAll(dir)
		os.Exit(1)
	}()
	// `go test -timeout` ends the binary with a panic that runs no deferred
	// call. The children's parent-death signal covers that, but stopping
	// them a little earlier ourselves also shuts them down cleanly and says
	// why.
	if d := testTimeout(); d > 0 {
		margin := min(30*time.Second, d/10)
		t := time.AfterFunc(d-margin-time.Since(start), func() {
			fmt.Fprintf(os.Stderr, "e2e: test timeout %s nearly reached, stopping etcd and kube-apiserver\n", d)
			stop()
			os.RemoveAll(dir)
			os.Exit(1)
		})
		defer t.Stop()
	}

	client, err := kube.New(c.Config())
	if err != nil {
		return fail("%v", err)
	}
	files, err := src.CRDFiles(ctx)
	if err != nil {
		return fail("locate CRDs from hack/sources.yaml: %v", err)
	}
	start = time.Now()
	names, err := client.InstallCRDs(ctx, files, 2*time.Minute)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: end of kube-apiserver log:\n%s\n", c.APIServerLogTail())
		return fail("install CRDs: %v", err)
	}
	fmt.Printf("e2e: %d CRDs from hack/sources.yaml established in %s\n", len(names), time.Since(start).Round(time.Millisecond))

	h = &harness{root: root, sources: src, cluster: c, client: client}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "e2e: end of kube-apiserver log (for context):\n%s\n", c.APIServerLogTail())
	}
	return code
}

const (
	scratchPrefix = "discoursegen-e2e-"
	ownerFile     = "owner.pid"
)

// removeStaleScratchDirs deletes scratch directories of earlier runs whose
// process is gone. A panicking test or an os.Exit skips TestMain's cleanup;
// the children die with the test binary (parent-death signal) but their
// directory, with etcd's data, would stay in the temp dir forever.
func removeStaleScratchDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), scratchPrefix+"*"))
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, ownerFile))
		if err != nil {
			continue // not (yet) marked: leave it alone
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 {
			continue
		}
		// Signal 0 checks existence only. ESRCH: no such process.
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

func testTimeout() time.Duration {
	f := flag.Lookup("test.timeout")
	if f == nil {
		return 0
	}
	d, _ := f.Value.(flag.Getter).Get().(time.Duration)
	return d
}

// binaries finds kube-apiserver and etcd: from E2E_KUBE_APISERVER/E2E_ETCD
// (run.sh sets them), else where run.sh builds them, else (etcd only) on
// PATH if new enough.
func binaries(root string) (apiserver, etcd string, err error) {
	const hint = "run test/e2e/run.sh (make e2e), which builds it into .cache/bin"
	apiserver = os.Getenv("E2E_KUBE_APISERVER")
	if apiserver == "" {
		v, err := moduleVersion(".", "k8s.io/kubernetes")
		if err != nil {
			return "", "", err
		}
		apiserver = filepath.Join(root, ".cache", "bin", "kube-apiserver-"+v)
	}
	if !isExecutable(apiserver) {
		return "", "", fmt.Errorf("kube-apiserver not found at %s: %s", apiserver, hint)
	}

	etcd = os.Getenv("E2E_ETCD")
	if etcd == "" {
		v, err := moduleVersion(filepath.Join("tools", "etcd"), "go.etcd.io/etcd/server/v3")
		if err != nil {
			return "", "", err
		}
		etcd = filepath.Join(root, ".cache", "bin", "etcd-"+v)
		if !isExecutable(etcd) {
			p, lookErr := exec.LookPath("etcd")
			if lookErr != nil {
				return "", "", fmt.Errorf("etcd not found at %s nor on PATH: %s", etcd, hint)
			}
			if err := checkEtcdVersion(p); err != nil {
				return "", "", fmt.Errorf("%v: %s", err, hint)
			}
			etcd = p
		}
	}
	if !isExecutable(etcd) {
		return "", "", fmt.Errorf("etcd not found at %s: %s", etcd, hint)
	}
	return apiserver, etcd, nil
}

// moduleVersion asks the go command which version of module the go.mod in
// dir selects, so the binary names follow go.mod without a second copy of
// the version here.
func moduleVersion(dir, module string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Version}}", module)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s in %s: %v: %s", module, dir, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

var etcdVersionRE = regexp.MustCompile(`etcd Version: (\d+)\.(\d+)\.(\d+)`)

func checkEtcdVersion(bin string) error {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", bin, err)
	}
	m := etcdVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		return fmt.Errorf("%s --version: unrecognised output %q", bin, out)
	}
	var got [3]int
	for i := range got {
		got[i], _ = strconv.Atoi(m[i+1])
	}
	for i := range got {
		if got[i] != minEtcd[i] {
			if got[i] < minEtcd[i] {
				return fmt.Errorf("%s is etcd %d.%d.%d, older than %d.%d.%d which Kubernetes 1.34 requires", bin, got[0], got[1], got[2], minEtcd[0], minEtcd[1], minEtcd[2])
			}
			break
		}
	}
	return nil
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
