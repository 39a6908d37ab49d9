package netpol

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// envs are the environments clusters/ renders; each must be present.
var envs = []string{"local", "staging", "production"}

// goldenDir is golden/ at the repository root, or DISCOURSEGEN_GOLDEN when
// set (to judge output rendered elsewhere, e.g. a branch's). The relative
// default works because go test runs in the package directory, test/netpol.
func goldenDir() string {
	if d := os.Getenv("DISCOURSEGEN_GOLDEN"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "golden")
}

// header is the part of any object this test reads before knowing its kind.
type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// workload is what Deployments, StatefulSets and Jobs share: the pod template
// under spec.template. Decoding into this one shape instead of the typed
// apps/batch structs keeps one code path for the three kinds, and is lenient
// on purpose: fields newer than the k8s.io/api version cyclonus pins must not
// stop the test, which only needs labels and ports.
type workload struct {
	header
	Spec struct {
		Template corev1.PodTemplateSpec `json:"template"`
	} `json:"spec"`
}

// cnpgCluster is the part of a CloudNativePG Cluster that decides which
// instance pods the operator creates.
type cnpgCluster struct {
	header
	Spec struct {
		Instances int `json:"instances"`
	} `json:"spec"`
}

// cnpgPooler is the part of a CloudNativePG Pooler that decides its pods'
// labels and which instance it fronts.
type cnpgPooler struct {
	header
	Spec struct {
		Cluster struct {
			Name string `json:"name"`
		} `json:"cluster"`
		Type string `json:"type"`
	} `json:"spec"`
}

// rendered is what one environment's golden output says about the network:
// its policies, and every object that implies pods or peers.
type rendered struct {
	dir             string
	policies        []*networkingv1.NetworkPolicy
	namespaces      map[string]map[string]string // name -> labels as rendered
	workloads       []workload                   // Deployments, StatefulSets, Jobs
	clusters        []cnpgCluster
	poolers         []cnpgPooler
	podMonitors     int
	prometheusRules int
	scaledObjects   int
	objectStores    int  // Barman Cloud ObjectStores: the instances back up
	replicaHost     bool // the site ConfigMap sets DISCOURSE_DB_REPLICA_HOST
}

// loadEnv reads every object under dir (one per file, kustomization.yaml
// files skipped: they are kustomize's input, not objects to apply).
func loadEnv(t *testing.T, dir string) *rendered {
	t.Helper()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("golden output %s is missing (err=%v); render it with `make generate`, "+
			"or point DISCOURSEGEN_GOLDEN at a directory holding local/, staging/ and production/", dir, err)
	}
	r := &rendered{dir: dir, namespaces: map[string]map[string]string{}}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".yaml" || d.Name() == "kustomization.yaml" {
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	sort.Strings(files)
	for _, f := range files {
		if err := r.addFile(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return r
}

// addFile decodes one file into the right slot of r.
func (r *rendered) addFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// golden/ promises one object per file. A second document would be
	// silently dropped by yaml.Unmarshal, hiding a policy from the engine, so
	// refuse it instead.
	if n := countDocuments(data); n != 1 {
		return fmt.Errorf("want exactly one YAML document, found %d", n)
	}
	var h header
	if err := yaml.Unmarshal(data, &h); err != nil {
		return err
	}
	switch {
	case h.Kind == "NetworkPolicy" && h.APIVersion == "networking.k8s.io/v1":
		// Strict: a field this k8s.io/api version does not know would be a
		// rule cyclonus cannot see, and the verdict would be wrong.
		np := &networkingv1.NetworkPolicy{}
		if err := yaml.UnmarshalStrict(data, np); err != nil {
			return fmt.Errorf("decoding NetworkPolicy: %w", err)
		}
		r.policies = append(r.policies, np)
	case h.Kind == "Namespace" && h.APIVersion == "v1":
		r.namespaces[h.Metadata.Name] = h.Metadata.Labels
	case h.Kind == "Deployment" || h.Kind == "StatefulSet" || h.Kind == "Job":
		var w workload
		if err := yaml.Unmarshal(data, &w); err != nil {
			return fmt.Errorf("decoding %s: %w", h.Kind, err)
		}
		r.workloads = append(r.workloads, w)
	case h.Kind == "Cluster" && strings.HasPrefix(h.APIVersion, "postgresql.cnpg.io/"):
		var c cnpgCluster
		if err := yaml.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("decoding Cluster: %w", err)
		}
		r.clusters = append(r.clusters, c)
	case h.Kind == "Pooler" && strings.HasPrefix(h.APIVersion, "postgresql.cnpg.io/"):
		var p cnpgPooler
		if err := yaml.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("decoding Pooler: %w", err)
		}
		r.poolers = append(r.poolers, p)
	case h.Kind == "PodMonitor":
		r.podMonitors++
	case h.Kind == "PrometheusRule":
		r.prometheusRules++
	case h.Kind == "ScaledObject":
		r.scaledObjects++
	case h.Kind == "ObjectStore" && strings.HasPrefix(h.APIVersion, "barmancloud.cnpg.io/"):
		r.objectStores++
	case h.Kind == "ConfigMap" && h.APIVersion == "v1":
		var cm struct {
			Data map[string]string `json:"data"`
		}
		if err := yaml.Unmarshal(data, &cm); err != nil {
			return fmt.Errorf("decoding ConfigMap: %w", err)
		}
		if cm.Data["DISCOURSE_DB_REPLICA_HOST"] != "" {
			r.replicaHost = true
		}
	}
	return nil
}

// countDocuments counts the YAML documents in data that hold more than
// comments and blank lines.
func countDocuments(data []byte) int {
	n := 0
	content := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "---" || strings.HasPrefix(line, "--- ") {
			if content {
				n++
			}
			content = false
			continue
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			content = true
		}
	}
	if content {
		n++
	}
	return n
}
