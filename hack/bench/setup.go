package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// goBuild builds pkg into out, run in dir (a module root). VCS stamping is
// off: the baseline's tree has no .git of its own, and ours must not
// differ from a build of the same source by where it was made.
func goBuild(dir, out, pkg string) error {
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, b)
	}
	return nil
}

// resolveCommit returns the full hash of rev in the repository at repo.
func resolveCommit(repo, rev string) (string, error) {
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("commit %s is not in this repository (a shallow clone? fetch the history, or pass -baseline): %w", rev, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// baselineTree extracts commit into cache/baseline-<commit>/ (once: a
// directory that is there is complete, being renamed into place only
// after git archive finished) and builds its bin/discoursegen there (once).
// It returns the tree and the binary.
func baselineTree(repo, cache, commit string) (dir, bin string, err error) {
	dir = filepath.Join(cache, "baseline-"+commit[:12])
	bin = filepath.Join(dir, "bin", "discoursegen")
	if _, err := os.Stat(bin); err == nil {
		return dir, bin, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		tmp := dir + ".tmp"
		if err := os.RemoveAll(tmp); err != nil {
			return "", "", err
		}
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return "", "", err
		}
		archive := exec.Command("git", "archive", "--format=tar", commit)
		archive.Dir = repo
		untar := exec.Command("tar", "-x", "-C", tmp)
		pipe, err := archive.StdoutPipe()
		if err != nil {
			return "", "", err
		}
		untar.Stdin = pipe
		var archiveErr, untarErr bytes.Buffer
		archive.Stderr, untar.Stderr = &archiveErr, &untarErr
		if err := untar.Start(); err != nil {
			return "", "", err
		}
		if err := archive.Run(); err != nil {
			_ = untar.Wait()
			return "", "", fmt.Errorf("git archive %s: %w: %s", commit, err, archiveErr.String())
		}
		if err := untar.Wait(); err != nil {
			return "", "", fmt.Errorf("tar -x: %w: %s", err, untarErr.String())
		}
		if err := os.Rename(tmp, dir); err != nil {
			return "", "", err
		}
	}
	if err := goBuild(dir, filepath.Join("bin", "discoursegen"), "./cmd/discoursegen"); err != nil {
		return "", "", err
	}
	return dir, bin, nil
}

// tempRepo makes a fresh repository directory under work: a copy of the
// clusters directory and bin/discoursegen, a symbolic link to bin. The
// configs run ../../bin/discoursegen as their function, and generate
// accepts it because it is the running binary's own file. There is no
// golden/, so generate renders, validates and writes everything.
func tempRepo(work, clusters, bin string) (string, error) {
	dir, err := os.MkdirTemp(work, "repo-")
	if err != nil {
		return "", err
	}
	if err := os.CopyFS(filepath.Join(dir, "clusters"), os.DirFS(clusters)); err != nil {
		return dir, err
	}
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		return dir, err
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return dir, err
	}
	return dir, os.Symlink(abs, filepath.Join(dir, "bin", "discoursegen"))
}

// isManifest is true for the files both validators read.
func isManifest(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// objectFiles lists the manifest files under dir other than
// kustomization.yaml, relative to base, sorted. generate writes one
// object per file, so this is also the object count. kubeconform has no
// schema for kustomize's Kustomization, so both validators get this set.
func objectFiles(base, dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isManifest(d.Name()) || d.Name() == "kustomization.yaml" {
			return nil
		}
		rel, err := filepath.Rel(base, path)
		if err != nil {
			return err
		}
		files = append(files, rel)
		return nil
	})
	slices.Sort(files)
	return files, err
}

// countFiles counts the regular files under dir.
func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	return n, err
}

// siteConfig is the production config of the example site: the base
// config with clusters/production/site/discourse.yaml patched on, built by
// kustomize's own library (plugins off; no CLI needed). The release pin is
// not applied.
func siteConfig(clusters string) (*yaml.RNode, error) {
	mem := filesys.MakeFsInMemory()
	files := map[string]string{
		"/base/kustomization.yaml": "resources:\n- discourse.yaml\n",
		"/prod/kustomization.yaml": "resources:\n- ../base\npatches:\n- path: discourse.yaml\n",
	}
	for dst, src := range map[string]string{
		"/base/discourse.yaml": filepath.Join(clusters, "base", "discourse.yaml"),
		"/prod/discourse.yaml": filepath.Join(clusters, "production", "site", "discourse.yaml"),
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		files[dst] = string(b)
	}
	for name, content := range files {
		if err := mem.WriteFile(name, []byte(content)); err != nil {
			return nil, err
		}
	}
	return buildOne(mem, "/prod")
}

// environmentConfig is what kustomize gives the generator of an
// environment: `kustomize build clusters/<env>/site`, release pin included.
func environmentConfig(clusters, env string) (*yaml.RNode, error) {
	return buildOne(filesys.MakeFsOnDisk(), filepath.Join(clusters, env, "site"))
}

// buildOne runs kustomize on dir and returns its only object.
func buildOne(fsys filesys.FileSystem, dir string) (*yaml.RNode, error) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	if m.Size() != 1 {
		return nil, fmt.Errorf("kustomize build %s: %d objects, want the one site config", dir, m.Size())
	}
	b, err := m.Resources()[0].AsYAML()
	if err != nil {
		return nil, err
	}
	return yaml.Parse(string(b))
}

// resourceList wraps a config as the functionConfig of an empty
// ResourceList: what kustomize writes to a generator's stdin.
func resourceList(config *yaml.RNode) ([]byte, error) {
	rl, err := yaml.Parse("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n")
	if err != nil {
		return nil, err
	}
	if err := rl.PipeE(yaml.SetField("functionConfig", config)); err != nil {
		return nil, err
	}
	s, err := rl.String()
	return []byte(s), err
}

// countItems counts the items of a function's output ResourceList.
func countItems(out []byte) (int, error) {
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(out), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return 0, fmt.Errorf("reading the output ResourceList: %w", err)
	}
	return len(nodes), nil
}

// siteName is the name of the i-th site of a fleet (1-based).
func siteName(i int) string { return fmt.Sprintf("site-%04d", i) }

// makeFleet writes, into dst, a clusters directory with n sites in one
// environment, production: base/ (the source's, policy included), and
// production/site/ listing site-0001.yaml … each the production config of
// the example with its own name and hostname (site-0001.fleet.test), with
// the source's release pin patched onto every one, as the example does.
func makeFleet(src, dst string, n int) error {
	config, err := siteConfig(src)
	if err != nil {
		return err
	}
	if err := os.CopyFS(filepath.Join(dst, "base"), os.DirFS(filepath.Join(src, "base"))); err != nil {
		return err
	}
	site := filepath.Join(dst, "production", "site")
	if err := os.MkdirAll(site, 0o755); err != nil {
		return err
	}
	var k strings.Builder
	k.WriteString("# A fleet made by hack/bench.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
	for i := 1; i <= n; i++ {
		name := siteName(i)
		c := config.Copy()
		if err := c.SetName(name); err != nil {
			return err
		}
		if err := c.PipeE(yaml.Lookup("spec"), yaml.SetField("hostname", yaml.NewStringRNode(name+".fleet.test"))); err != nil {
			return err
		}
		s, err := c.String()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(site, name+".yaml"), []byte(s), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&k, "- %s.yaml\n", name)
	}
	k.WriteString("patches:\n- path: release.yaml\n  target:\n    kind: Discourse\n")
	if err := os.WriteFile(filepath.Join(site, "kustomization.yaml"), []byte(k.String()), 0o644); err != nil {
		return err
	}
	for _, f := range []struct{ from, to string }{
		{filepath.Join(src, "production", "site", "release.yaml"), filepath.Join(site, "release.yaml")},
		{filepath.Join(src, "production", "kustomization.yaml"), filepath.Join(dst, "production", "kustomization.yaml")},
	} {
		b, err := os.ReadFile(f.from)
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.to, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Counts in the tools' summaries: ours prints "79 objects in 79 files: …",
// kubeconform "Summary: 79 resources found in 79 files - Valid: 79, …".
var (
	oursObjects      = regexp.MustCompile(`(\d+) objects in \d+ files`)
	kubeconformValid = regexp.MustCompile(`Summary: (\d+) resources? found .* Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)`)
)

// checkOursValidated checks that ours reported want objects.
func checkOursValidated(want int) func(stdout, stderr []byte) error {
	return func(stdout, stderr []byte) error {
		m := oursObjects.FindSubmatch(append(stdout, stderr...))
		if m == nil {
			return fmt.Errorf("no object count in the output%s", tail(stderr))
		}
		if got, _ := strconv.Atoi(string(m[1])); got != want {
			return fmt.Errorf("validated %d objects, want %d", got, want)
		}
		return nil
	}
}

// checkKubeconformValidated checks that kubeconform found want resources
// and found every one valid.
func checkKubeconformValidated(want int) func(stdout, stderr []byte) error {
	return func(stdout, stderr []byte) error {
		m := kubeconformValid.FindSubmatch(append(stdout, stderr...))
		if m == nil {
			return fmt.Errorf("no summary in kubeconform's output%s", tail(stdout))
		}
		found, _ := strconv.Atoi(string(m[1]))
		valid, _ := strconv.Atoi(string(m[2]))
		if found != want || valid != want {
			return fmt.Errorf("kubeconform found %d resources, %d valid, want %d of %d (%s)", found, valid, want, want, m[0])
		}
		return nil
	}
}
