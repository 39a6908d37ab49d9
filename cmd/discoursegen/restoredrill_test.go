package main

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite docs/restore-drill from the README's restore drill")

// restoreDrillDir holds what the README's restore drill renders that
// golden/production does not: the objects a reviewer sees added or changed
// in the pull request of a restore. test/e2e applies them to a real
// kube-apiserver after golden/production.
var restoreDrillDir = filepath.Join(repoRoot, "docs", "restore-drill")

// drillPatch is the README's restore patch: the YAML block right after
// the marker, which names the file it goes to.
var drillPatch = regexp.MustCompile("(?s)<!-- restore-drill: clusters/production/site/restore.yaml -->\\s*```yaml\\n(.*?)```")

// TestRestoreDrill runs the README's restore drill as a user would: it
// adds the README's patch to clusters/production/site, lists it under the
// site's patches, renders with generate, and keeps what differs from
// golden/production in docs/restore-drill (-update rewrites it). It then
// checks what makes the drill safe: a new Cluster under a new name that
// recovers from the old one's archive and archives under its own, every
// reference following the new name, and nothing of the old cluster's data
// left for Flux to prune.
func TestRestoreDrill(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := drillPatch.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no restore drill patch (the marker <!-- restore-drill: clusters/production/site/restore.yaml --> and a yaml block)")
	}
	if !bytes.Contains(readme, []byte("- path: restore.yaml")) {
		t.Fatal("README.md's restore drill does not say to list `- path: restore.yaml` under the site's patches")
	}
	root := sandbox(t)
	site := filepath.Join(root, "clusters", "production", "site")
	write(t, filepath.Join(site, "restore.yaml"), string(m[1]))
	k, err := os.ReadFile(filepath.Join(site, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(site, "kustomization.yaml"), strings.Replace(string(k), "- path: discourse.yaml\n", "- path: discourse.yaml\n- path: restore.yaml\n", 1))
	if code, _, said := generate(t, root); code != 0 {
		t.Fatalf("generate with the README's restore patch: exit %d\n%s", code, said)
	}

	drill := snapshot(t, filepath.Join(root, "golden", "production"))
	live := snapshot(t, filepath.Join(goldenDir, "production"))
	changed := map[string]string{}
	for p, content := range drill {
		if live[p] != content {
			changed[p] = content
		}
	}
	if *update {
		if err := os.RemoveAll(restoreDrillDir); err != nil {
			t.Fatal(err)
		}
		for p, content := range changed {
			write(t, filepath.Join(restoreDrillDir, filepath.FromSlash(p)), content)
		}
	}
	if diff := cmp.Diff(snapshot(t, restoreDrillDir), changed); diff != "" {
		t.Errorf("docs/restore-drill is not what the README's drill renders (-committed +rendered); run go test ./cmd/discoursegen -run TestRestoreDrill -update:\n%s", diff)
	}

	var cluster struct {
		Metadata struct {
			Name        string            `json:"name"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec struct {
			Bootstrap struct {
				Recovery *struct {
					Source string `json:"source"`
				} `json:"recovery"`
			} `json:"bootstrap"`
			Plugins []struct {
				Parameters map[string]string `json:"parameters"`
			} `json:"plugins"`
			ExternalClusters []struct {
				Name   string `json:"name"`
				Plugin struct {
					Parameters map[string]string `json:"parameters"`
				} `json:"plugin"`
			} `json:"externalClusters"`
		} `json:"spec"`
	}
	const newCluster, oldCluster = "forum/data/cluster-forum-pg-restored.yaml", "forum/data/cluster-forum-pg.yaml"
	if err := yaml.Unmarshal([]byte(drill[newCluster]), &cluster); err != nil || drill[newCluster] == "" {
		t.Fatalf("the drill renders no %s (%v); it changes: %v", newCluster, err, slices.Sorted(maps.Keys(changed)))
	}
	c := &cluster.Spec
	if c.Bootstrap.Recovery == nil || c.Bootstrap.Recovery.Source != "forum-pg" ||
		len(c.ExternalClusters) != 1 || c.ExternalClusters[0].Name != "forum-pg" ||
		c.ExternalClusters[0].Plugin.Parameters["serverName"] != "forum-pg" {
		t.Errorf("the restored Cluster does not recover from forum-pg's archive:\n%s", drill[newCluster])
	}
	if len(c.Plugins) != 1 || c.Plugins[0].Parameters["serverName"] != "forum-pg-restored" {
		t.Errorf("the restored Cluster does not archive under its own name, forum-pg-restored:\n%s", drill[newCluster])
	}
	if cluster.Metadata.Annotations["kustomize.toolkit.fluxcd.io/prune"] != "disabled" {
		t.Errorf("the restored Cluster may be pruned by Flux")
	}
	// The old Cluster leaves the output; Flux must keep it, which only
	// its own annotation, as applied, can say.
	if _, ok := drill[oldCluster]; ok {
		t.Errorf("the drill still renders %s; the old cluster should leave the output and stay in the cluster", oldCluster)
	}
	if !strings.Contains(live[oldCluster], "kustomize.toolkit.fluxcd.io/prune: disabled") {
		t.Errorf("golden/production/%s is not protected from pruning: the drill would delete the old database", oldCluster)
	}
	// Everything that named the old cluster follows the new one.
	for p, content := range drill {
		if strings.Contains(content, "forum-pg-rw") || strings.Contains(content, "forum-pg-ro") || strings.Contains(content, "forum-pg-pooler") {
			t.Errorf("%s still names a Service of the old cluster", p)
		}
	}
}
