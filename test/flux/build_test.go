package flux

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	generator "github.com/fluxcd/pkg/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/resource"
)

// fluxBuild builds the directory rel of the artifact exactly as
// kustomize-controller reconciles a Kustomization whose spec.path is rel.
// The steps follow fluxcd/kustomize-controller
// internal/controller/kustomization_controller.go (reconcile, generate and
// build):
//
//  1. the artifact is extracted into a fresh temporary directory;
//  2. spec.path is joined to it, and a missing directory fails the
//     reconciliation ("kustomization path not found");
//  3. generator.NewGenerator(root, ks).WriteFile(dir) rewrites the
//     directory's kustomization.yaml with what the Flux Kustomization adds
//     (targetNamespace, namePrefix, patches, images, components, ...);
//  4. generator.SecureBuild(root, dir, allowRemoteBases) runs krusty on a
//     file system that refuses to read outside the artifact, with plugins
//     disabled;
//  5. every object must have an apiVersion, a kind and a name.
//
// Remote bases are refused (allowRemoteBases false, as with the controller's
// --no-remote-bases=true): golden/ must build from the repository alone, and
// a test must not reach the network.
// Decryption and postBuild substitution are not run; the Flux Kustomization
// tests fail if a committed Kustomization asks for either.
func fluxBuild(t *testing.T, art artifact, rel string, ks unstructured.Unstructured) []*resource.Resource {
	t.Helper()
	if !art.hasDir(rel) {
		t.Fatalf("kustomization path not found: %s is not in the artifact Flux builds from "+
			"(missing, or excluded by .sourceignore)", rel)
	}
	root := art.extract(t)
	dir := filepath.Join(root, filepath.FromSlash(rel))
	if _, err := generator.NewGenerator(root, ks).WriteFile(dir); err != nil {
		t.Fatalf("%s: Flux's kustomization generator failed: %v", shown(rel), err)
	}
	m, err := generator.SecureBuild(root, dir, false)
	if err != nil {
		t.Fatalf("%s: Flux's kustomize build failed: %v", shown(rel), err)
	}
	objects := m.Resources()
	for _, res := range objects {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			t.Fatalf("%s: Flux rejects an object without apiVersion, kind or name:\n%s", shown(rel), res.MustYaml())
		}
	}
	return objects
}

// bareKustomization is a Flux Kustomization with only spec.path: what
// builds a directory that no committed Flux Kustomization applies (an
// environment without golden/<env>/flux, or the flux directory itself, which
// flux bootstrap's own Kustomization applies). It adds nothing to the build.
func bareKustomization(rel string) unstructured.Unstructured {
	return unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "test-flux", "namespace": "flux-system"},
		"spec":       map[string]any{"path": "./" + rel},
	}}
}

func idOf(res *resource.Resource) objectID {
	return objectID{res.GetApiVersion(), res.GetKind(), res.GetNamespace(), res.GetName()}
}

// TestFluxBuildYieldsCommittedObjects proves that what Flux applies is
// exactly what is committed: for every stage directory of every
// environment, and golden/<env>/flux, Flux's own kustomize build yields one
// object per listed file and nothing else, and each object's YAML is the
// file's content after the two header lines, byte for byte. A stage that a
// committed Flux Kustomization applies is built with that Kustomization, so
// anything it adds to the build (a targetNamespace, a patch) shows up as a
// difference.
func TestFluxBuildYieldsCommittedObjects(t *testing.T) {
	t.Log(describeGolden())
	envs, problems := discoverGolden(t)
	for _, p := range problems {
		t.Error(p)
	}
	art := loadArtifact(t)
	for _, env := range envs {
		t.Run(env.name, func(t *testing.T) {
			dirs := env.stages
			appliedBy := map[string]fluxKustomization{}
			if env.flux != nil {
				dirs = append([]leafDir{*env.flux}, dirs...)
				for _, ks := range loadFluxKustomizations(t, art, env) {
					if rel, err := stagePath(ks.Spec.Path); err == nil {
						// With two Kustomizations on one path the flux tests
						// fail; here either shows whether the build matches.
						appliedBy[rel] = ks
					}
				}
			}
			for _, dir := range dirs {
				t.Run(strings.TrimPrefix(dir.rel, "golden/"+env.name+"/"), func(t *testing.T) {
					ks := bareKustomization(dir.rel)
					if applier, ok := appliedBy[dir.rel]; ok {
						ks = applier.object
						t.Logf("built with Flux Kustomization %s (%s)", applier.Metadata.Name, applier.file)
					}
					compareWithCommitted(t, env.name, dir, fluxBuild(t, art, dir.rel, ks))
				})
			}
		})
	}
}

// compareWithCommitted fails for every object the build yields that no
// listed file holds, every listed file whose object the build does not
// yield, and every byte that differs.
func compareWithCommitted(t *testing.T, env string, dir leafDir, built []*resource.Resource) {
	t.Helper()
	committed, problems := readCommitted(env, dir)
	for _, p := range problems {
		t.Error(p)
	}
	seen := map[objectID]bool{}
	for _, res := range built {
		id := idOf(res)
		seen[id] = true
		c, ok := committed[id]
		if !ok {
			t.Errorf("%s: Flux's build yields %s, which no file listed in %s holds",
				shown(dir.rel), id, shown(kustomizationPath(dir.rel)))
			continue
		}
		if c.body == nil {
			continue // its header is wrong, already reported
		}
		got, err := res.AsYAML()
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !bytes.Equal(got, c.body) {
			t.Errorf("%s differs from the %s Flux's build yields: %s", c.file, id, firstDifference(c.body, got))
		}
	}
	var missing []string
	for id, c := range committed {
		if !seen[id] {
			missing = append(missing, fmt.Sprintf("%s holds %s, which Flux's build of %s does not yield", c.file, id, shown(dir.rel)))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// firstDifference describes where the committed body and the built YAML
// first part, with the line number as the file counts it (two header lines
// come first).
func firstDifference(committed, built []byte) string {
	const headerLines = 2
	c := lines(committed)
	b := lines(built)
	for i := 0; i < len(c) || i < len(b); i++ {
		line := i + 1 + headerLines
		switch {
		case i >= len(b):
			return fmt.Sprintf("line %d: the file goes on with %q, the build has ended", line, c[i])
		case i >= len(c):
			return fmt.Sprintf("line %d: the file has ended, the build goes on with %q", line, b[i])
		case c[i] != b[i]:
			return fmt.Sprintf("line %d: the file has %q, the build %q", line, c[i], b[i])
		}
	}
	return "no line differs (line endings?)"
}

// lines splits text into lines, each with its newline.
func lines(text []byte) []string {
	l := strings.SplitAfter(string(text), "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// stagePath turns a Flux Kustomization's spec.path into the
// repository-relative slash path kustomize-controller builds: the
// controller joins spec.path to the artifact root, so "./golden/x",
// "golden/x" and "golden/x/" all mean golden/x. A path that leaves the
// repository or is not below golden/ is an error.
func stagePath(specPath string) (string, error) {
	p := path.Clean(strings.TrimPrefix(specPath, "./"))
	if specPath == "" || !filepath.IsLocal(p) {
		return "", fmt.Errorf("spec.path %q is not a path inside the repository", specPath)
	}
	if !strings.HasPrefix(p, "golden/") {
		return "", fmt.Errorf("spec.path %q is not below ./golden/, the only directory Flux may apply", specPath)
	}
	return p, nil
}
