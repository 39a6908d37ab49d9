package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Options says which binaries to run and where to keep their state.
type Options struct {
	APIServerBin string // kube-apiserver built by run.sh
	EtcdBin      string // etcd >= 3.5.24 (see run.sh)
	Dir          string // scratch directory: certs, keys, etcd data, logs
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// ControllersRun says a kube-controller-manager will run next to this
	// control plane (internal/sim). The ServiceAccount and ResourceQuota
	// admission plugins then stay on, as on a real cluster, since the
	// controllers they wait for are there.
	ControllersRun bool
}

// Cluster is a running etcd + kube-apiserver pair.
type Cluster struct {
	dir        string
	kubeconfig string
	creds      *credentials
	etcd       *process
	apiserver  *process
	config     *rest.Config
	stopOnce   sync.Once
	stopErr    error
}

const (
	// startAttempts covers the small race between choosing a free port
	// and the child binding it.
	startAttempts = 3
	readyTimeout  = 90 * time.Second
	stopGrace     = 15 * time.Second
)

// Start generates credentials in opts.Dir, starts etcd and kube-apiserver on
// free loopback ports and waits until the apiserver reports ready.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	creds, err := writeCredentials(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		c, err := startOnce(ctx, opts, creds, attempt, logf)
		if err == nil {
			return c, nil
		}
		lastErr = err
		logf("control plane start attempt %d failed: %v", attempt, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func startOnce(ctx context.Context, opts Options, creds *credentials, attempt int, logf func(string, ...any)) (_ *Cluster, err error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	clientPort, peerPort, securePort := ports[0], ports[1], ports[2]
	c := &Cluster{dir: opts.Dir, creds: creds}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()

	etcdURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	dataDir := filepath.Join(opts.Dir, fmt.Sprintf("etcd-data-%d", attempt))
	c.etcd, err = startProcess("etcd", filepath.Join(opts.Dir, fmt.Sprintf("etcd-%d.log", attempt)), opts.EtcdBin, []string{
		"--name=e2e",
		"--data-dir=" + dataDir,
		"--listen-client-urls=" + etcdURL,
		"--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=e2e=" + peerURL,
		"--initial-cluster-state=new",
		// The data is thrown away after the run; fsync only slows it down.
		"--unsafe-no-fsync",
		"--log-level=warn",
	}, nil)
	if err != nil {
		return nil, err
	}
	logf("etcd started (pid %d) on %s", c.etcd.cmd.Process.Pid, etcdURL)
	if err := waitEtcd(ctx, c.etcd, etcdURL); err != nil {
		return nil, err
	}

	c.apiserver, err = startProcess("kube-apiserver", filepath.Join(opts.Dir, fmt.Sprintf("kube-apiserver-%d.log", attempt)), opts.APIServerBin, append([]string{
		"--etcd-servers=" + etcdURL,
		"--etcd-prefix=/discoursegen-e2e",
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(securePort),
		"--cert-dir=" + filepath.Join(opts.Dir, "apiserver-certs"),
		"--tls-cert-file=" + creds.servingCert,
		"--tls-private-key-file=" + creds.servingKey,
		"--token-auth-file=" + creds.tokenFile,
		// RBAC as on a real cluster; the harness's token is in
		// system:masters, which RBAC always allows.
		"--authorization-mode=RBAC",
		// Required since 1.20: the keys that sign and verify service
		// account tokens, generated per run.
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + creds.saPublicKey,
		"--service-account-signing-key-file=" + creds.saPrivateKey,
		// Services get cluster IPs from this range; they are only numbers
		// stored in etcd here, nothing routes to them.
		"--service-cluster-ip-range=10.96.0.0/12",
		// The default reconciler publishes the advertise address as the
		// endpoint of the "kubernetes" Service; a loopback address is not a
		// valid endpoint, and nothing here needs that Service to resolve.
		"--endpoint-reconciler-type=none",
		// Real clusters (kubeadm, managed ones) allow privileged
		// containers; the apiserver default does not. Match real clusters
		// so the harness judges what production would.
		"--allow-privileged=true",
		"--profiling=false",
	}, admissionArgs(opts.ControllersRun)...), nil)
	if err != nil {
		return nil, err
	}
	host := "https://127.0.0.1:" + strconv.Itoa(securePort)
	logf("kube-apiserver started (pid %d) on %s", c.apiserver.cmd.Process.Pid, host)

	c.config = &rest.Config{
		Host:            host,
		BearerToken:     creds.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: creds.caPEM},
		QPS:             100,
		Burst:           200,
		Timeout:         60 * time.Second,
	}
	if err := waitAPIServer(ctx, c, creds); err != nil {
		return nil, err
	}
	logf("kube-apiserver ready")
	c.kubeconfig = filepath.Join(opts.Dir, "admin.kubeconfig")
	if err := writeFile(c.kubeconfig, kubeconfig(host, creds)); err != nil {
		return nil, err
	}
	return c, nil
}

// admissionArgs turns off, unless controllersRun, the admission plugins
// whose answer depends on controllers a bare control plane does not run.
func admissionArgs(controllersRun bool) []string {
	if controllersRun {
		return nil
	}
	return []string{
		// Every default admission plugin stays on except two whose answer
		// depends on controllers this control plane does not run:
		// - ServiceAccount rejects Pods whose service account does not
		//   exist yet; the "default" account is created by
		//   kube-controller-manager, which is not here.
		// - ResourceQuota rejects any object counted by a quota until the
		//   quota controller has filled in the quota's status, so one
		//   rendered ResourceQuota would block the rest of its namespace
		//   forever in the real (non-dry-run) apply.
		// Neither judges whether an object is valid, which is the question
		// this harness asks.
		"--disable-admission-plugins=ServiceAccount,ResourceQuota",
	}
}

// Config returns a client configuration with cluster-admin rights. Callers
// may modify the copy they get.
func (c *Cluster) Config() *rest.Config { return rest.CopyConfig(c.config) }

// KubeconfigPath is a kubeconfig file with the same cluster-admin
// credentials as Config, for components started as separate processes.
func (c *Cluster) KubeconfigPath() string { return c.kubeconfig }

// ServiceAccountKeyFiles are the PEM files of the key pair the apiserver
// signs (private) and verifies (public) service account tokens with, for
// kube-controller-manager's token controller.
func (c *Cluster) ServiceAccountKeyFiles() (private, public string) {
	return c.creds.saPrivateKey, c.creds.saPublicKey
}

// Dir is the scratch directory holding the logs.
func (c *Cluster) Dir() string { return c.dir }

// APIServerLogTail returns the end of the apiserver log, for diagnostics.
func (c *Cluster) APIServerLogTail() string {
	if c.apiserver == nil {
		return ""
	}
	return c.apiserver.logTail(4 << 10)
}

// Stop ends the apiserver, then etcd. It is safe to call more than once and
// from several goroutines (a signal handler and the normal exit path).
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = errors.Join(c.apiserver.stop(stopGrace), c.etcd.stop(stopGrace))
	})
	return c.stopErr
}

// freePorts asks the kernel for n distinct free loopback ports. They are
// released before the children bind them, hence startAttempts.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func waitEtcd(ctx context.Context, p *process, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	return poll(ctx, p, func() (bool, string) {
		resp, err := client.Get(url + "/health")
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		var h struct {
			Health string `json:"health"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
			return false, err.Error()
		}
		return h.Health == "true", "health=" + h.Health
	})
}

func waitAPIServer(ctx context.Context, c *Cluster, creds *credentials) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(creds.caPEM)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}
	defer client.CloseIdleConnections()
	return poll(ctx, c.apiserver, func() (bool, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.config.Host+"/readyz", nil)
		if err != nil {
			return false, err.Error()
		}
		req.Header.Set("Authorization", "Bearer "+creds.token)
		resp, err := client.Do(req)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return resp.StatusCode == http.StatusOK, strings.TrimSpace(string(body))
	})
}

// poll calls check until it reports ready, the process dies, or the
// readiness timeout (or ctx) ends.
func poll(ctx context.Context, p *process, check func() (bool, string)) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for {
		ok, status := check()
		if ok {
			return nil
		}
		last = status
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before becoming ready (%v); end of %s:\n%s", p.name, p.waitErr, p.logPath, p.logTail(4<<10))
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s (last status: %s); end of %s:\n%s", p.name, readyTimeout, last, p.logPath, p.logTail(4<<10))
		case <-tick.C:
		}
	}
}

// writeFile writes data with owner-only permissions: the directory holds
// private keys and the admin token.
func writeFile(path string, data []byte) error {
	return os.WriteFile(path, data, 0o600)
}
