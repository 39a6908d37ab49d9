package flux

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/resource"
)

// instanceLabel names the site an object belongs to.
const instanceLabel = "app.kubernetes.io/instance"

// fluxKustomizationGroup is the API group of Flux's Kustomization, not to
// be confused with kustomize's own kustomization.yaml
// (kustomize.config.k8s.io).
const fluxKustomizationGroup = "kustomize.toolkit.fluxcd.io"

// fluxKustomization mirrors the fields this test reads of a Flux
// Kustomization, kustomize.toolkit.fluxcd.io/v1
// (fluxcd/kustomize-controller api/v1/kustomization_types.go).
type fluxKustomization struct {
	Metadata struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Path      string `json:"path"`
		DependsOn []struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"dependsOn"`
		// Each of these changes the objects after the build (variable
		// substitution, SOPS decryption) or while applying them (labels
		// and annotations added to every object): with any of them set,
		// the committed bytes are no longer what Flux applies.
		PostBuild      json.RawMessage `json:"postBuild"`
		Decryption     json.RawMessage `json:"decryption"`
		CommonMetadata json.RawMessage `json:"commonMetadata"`
	} `json:"spec"`

	file   string                    // the committed file that holds it
	object unstructured.Unstructured // as the controller hands it to the generator
}

// key is how dependsOn names a Kustomization.
func (ks fluxKustomization) key() string { return ks.Metadata.Namespace + "/" + ks.Metadata.Name }

// loadFluxKustomizations builds golden/<env>/flux as Flux does and returns
// the Flux Kustomizations it yields, sorted by name.
func loadFluxKustomizations(t *testing.T, art artifact, env goldenEnv) []fluxKustomization {
	t.Helper()
	committed, _ := readCommitted(env.name, *env.flux)
	var out []fluxKustomization
	for _, res := range fluxBuild(t, art, env.flux.rel, bareKustomization(env.flux.rel)) {
		if res.GetKind() != "Kustomization" || !strings.HasPrefix(res.GetApiVersion(), fluxKustomizationGroup+"/") {
			continue
		}
		var ks fluxKustomization
		data, err := res.MarshalJSON()
		if err == nil {
			err = json.Unmarshal(data, &ks)
		}
		var obj map[string]any
		if err == nil {
			obj, err = res.Map()
		}
		if err != nil {
			t.Fatalf("%s: Flux Kustomization %s: %v", shown(env.flux.rel), res.GetName(), err)
		}
		ks.object = unstructured.Unstructured{Object: obj}
		ks.file = shown(env.flux.rel)
		if c, ok := committed[idOf(res)]; ok {
			ks.file = c.file
		}
		out = append(out, ks)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// TestFluxKustomizationsApplyEveryStage proves that golden/<env>/flux
// applies exactly the committed stages, each with the right owner: every
// Flux Kustomization's spec.path is a stage directory of its environment;
// every object built from that directory carries the Kustomization's own
// app.kubernetes.io/instance (a Flux Kustomization never applies another
// site's objects, so pruning one site cannot delete another's); every stage
// directory is the path of exactly one Flux Kustomization (nothing committed
// is left unapplied, and no two Kustomizations fight over one stage); and no
// Kustomization changes the objects after the build.
func TestFluxKustomizationsApplyEveryStage(t *testing.T) {
	t.Log(describeGolden())
	envs, _ := discoverGolden(t)
	art := loadArtifact(t)
	for _, env := range envs {
		if env.flux == nil {
			t.Logf("golden/%s has no %s directory: Flux does not apply it", env.name, fluxDirName)
			continue
		}
		t.Run(env.name, func(t *testing.T) {
			kss := loadFluxKustomizations(t, art, env)
			if len(kss) == 0 {
				t.Fatalf("%s holds no Flux Kustomization (%s), so no stage of golden/%s is applied",
					shown(env.flux.rel), fluxKustomizationGroup, env.name)
			}
			isStage := map[string]bool{}
			var stageList []string
			for _, s := range env.stages {
				isStage[s.rel] = true
				stageList = append(stageList, s.rel)
			}
			appliedBy := map[string][]string{}
			for _, ks := range kss {
				t.Run(ks.Metadata.Name, func(t *testing.T) {
					checkNoPostBuildChanges(t, ks)
					rel, err := stagePath(ks.Spec.Path)
					if err != nil {
						t.Fatalf("%s: %v", ks.file, err)
					}
					if !isStage[rel] {
						t.Fatalf("%s: spec.path %q is not a stage directory of golden/%s; the stage directories are:\n  %s",
							ks.file, ks.Spec.Path, env.name, strings.Join(stageList, "\n  "))
					}
					appliedBy[rel] = append(appliedBy[rel], fmt.Sprintf("%s (%s)", ks.Metadata.Name, ks.file))
					checkSameSite(t, ks, rel, fluxBuild(t, art, rel, ks.object))
				})
			}
			for _, s := range stageList {
				switch by := appliedBy[s]; len(by) {
				case 1:
				case 0:
					t.Errorf("%s is committed but no Flux Kustomization in %s has spec.path ./%s, so Flux never applies it",
						shown(s), shown(env.flux.rel), s)
				default:
					t.Errorf("%s is the spec.path of %d Flux Kustomizations, which would fight over its objects:\n  %s",
						shown(s), len(by), strings.Join(by, "\n  "))
				}
			}
		})
	}
}

// checkNoPostBuildChanges fails if ks changes objects after the build.
func checkNoPostBuildChanges(t *testing.T, ks fluxKustomization) {
	t.Helper()
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"spec.postBuild", ks.Spec.PostBuild},
		{"spec.decryption", ks.Spec.Decryption},
		{"spec.commonMetadata", ks.Spec.CommonMetadata},
	} {
		if len(f.raw) > 0 && string(f.raw) != "null" {
			t.Errorf("%s sets %s, so Flux would apply objects that differ from the committed files", ks.file, f.name)
		}
	}
}

// checkSameSite fails for every object of the stage rel whose site is not
// the Flux Kustomization's.
func checkSameSite(t *testing.T, ks fluxKustomization, rel string, built []*resource.Resource) {
	t.Helper()
	site := ks.Metadata.Labels[instanceLabel]
	if site == "" {
		t.Fatalf("%s has no %s label, so which site it applies cannot be checked", ks.file, instanceLabel)
	}
	for _, res := range built {
		if got := res.GetLabels()[instanceLabel]; got != site {
			t.Errorf("Flux Kustomization %s (%s, %s=%s) applies %s, whose %s has %s=%q: "+
				"a Flux Kustomization must apply only its own site's objects",
				ks.Metadata.Name, ks.file, instanceLabel, site, shown(rel), idOf(res), instanceLabel, got)
		}
	}
}

// TestFluxDependsOnIsAcyclic proves that every Flux Kustomization's
// dependsOn names a Flux Kustomization committed in the same flux directory
// (kustomize-controller waits forever for one that does not exist) and
// that the chain has no cycle (the Kustomizations on it would wait for each
// other forever). A dependsOn without a namespace means the dependant's own
// namespace, as in kustomize-controller's checkDependencies.
func TestFluxDependsOnIsAcyclic(t *testing.T) {
	t.Log(describeGolden())
	envs, _ := discoverGolden(t)
	art := loadArtifact(t)
	for _, env := range envs {
		if env.flux == nil {
			continue
		}
		t.Run(env.name, func(t *testing.T) {
			kss := loadFluxKustomizations(t, art, env)
			byKey := map[string]fluxKustomization{}
			for _, ks := range kss {
				byKey[ks.key()] = ks
			}
			deps := map[string][]string{}
			for _, ks := range kss {
				for _, d := range ks.Spec.DependsOn {
					ns := d.Namespace
					if ns == "" {
						ns = ks.Metadata.Namespace
					}
					dep := ns + "/" + d.Name
					if _, ok := byKey[dep]; !ok {
						t.Errorf("%s: dependsOn %s, which is not a Flux Kustomization in %s, so Flux never applies %s",
							ks.file, dep, shown(env.flux.rel), ks.Metadata.Name)
						continue
					}
					deps[ks.key()] = append(deps[ks.key()], dep)
				}
			}
			for _, cycle := range findCycles(kss, deps) {
				var files []string
				for _, k := range cycle[:len(cycle)-1] {
					files = append(files, byKey[k].file)
				}
				t.Errorf("dependsOn cycle %s: each waits for the next, so none is ever applied (%s)",
					strings.Join(cycle, " -> "), strings.Join(files, ", "))
			}
		})
	}
}

// findCycles returns each cycle of the dependsOn graph once, as the keys
// along it with the first repeated at the end.
func findCycles(kss []fluxKustomization, deps map[string][]string) [][]string {
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var cycles [][]string
	var visit func(k string)
	visit = func(k string) {
		state[k] = onStack
		stack = append(stack, k)
		for _, d := range deps[k] {
			switch state[d] {
			case unvisited:
				visit(d)
			case onStack:
				i := len(stack) - 1
				for stack[i] != d {
					i--
				}
				cycles = append(cycles, append(append([]string(nil), stack[i:]...), d))
			}
		}
		stack = stack[:len(stack)-1]
		state[k] = done
	}
	for _, ks := range kss {
		if state[ks.key()] == unvisited {
			visit(ks.key())
		}
	}
	return cycles
}
