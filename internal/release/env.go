package release

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/internal/build"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// FileName is the name of the release file in a generator directory.
const FileName = "release.yaml"

// wiring is how a generator's kustomization applies the release file, for
// messages that tell the user how to fix a missing or unapplied pin.
const wiring = "patches: [{path: " + FileName + ", target: {kind: " + v1alpha1.Kind + "}}]"

// File is the release file of one environment.
type File struct {
	// Env is the environment's name, the directory under clusters.
	Env string
	// Dir is the environment's directory, clusters/<env>, the
	// kustomization build.Configs reads.
	Dir string
	// Generator is the generators: entry that holds the file.
	Generator string
	// Path is clusters/<env>/<generator>/release.yaml.
	Path string
}

// Find locates the release file of env: the release.yaml of the one
// generators: entry of clusters/<env>/kustomization.yaml that has one.
// An environment runs one release, so a second file is an error, not a
// choice.
func Find(clusters, env string) (File, error) {
	envs, err := build.Environments(clusters)
	if err != nil {
		return File{}, err
	}
	// Membership in the list, not a stat of the path, so that "base",
	// "../x" or "staging/site" are refused as environments too.
	if !slices.Contains(envs, env) {
		if len(envs) == 0 {
			return File{}, fmt.Errorf("unknown environment %q: %s has no environment (a directory with a kustomization.yaml)", env, clusters)
		}
		return File{}, fmt.Errorf("unknown environment %q; the environments in %s are %s", env, clusters, strings.Join(envs, ", "))
	}
	dir := filepath.Join(clusters, env)
	k, err := readKustomization(dir)
	if err != nil {
		return File{}, err
	}
	var found []File
	var expected []string
	for _, g := range k.Generators {
		if info, err := os.Stat(filepath.Join(dir, g)); err != nil || !info.IsDir() {
			continue // a config file, or a remote generator: no place for a pin
		}
		path := filepath.Join(dir, g, FileName)
		expected = append(expected, path)
		if _, err := os.Stat(path); err == nil {
			found = append(found, File{Env: env, Dir: dir, Generator: g, Path: path})
		}
	}
	switch {
	case len(expected) == 0:
		return File{}, fmt.Errorf("%s lists no generator directory to hold %s (generators: [site], with site/kustomization.yaml applying it as %s)",
			filepath.Join(dir, "kustomization.yaml"), FileName, wiring)
	case len(found) == 0:
		return File{}, fmt.Errorf("%s has no release file: expected %s, a partial %s config with spec.image {repository, tag, digest}, which that directory's kustomization.yaml applies as %s",
			dir, strings.Join(expected, " or "), v1alpha1.Kind, wiring)
	case len(found) > 1:
		paths := make([]string, len(found))
		for i, f := range found {
			paths[i] = f.Path
		}
		return File{}, fmt.Errorf("%s has %d release files (%s): an environment runs one release; keep one", dir, len(found), strings.Join(paths, ", "))
	}
	return found[0], nil
}

// checkWired says whether the generator's kustomization lists the release
// file as a patch aimed at every Discourse config. It is a check of the
// text, made before anything is written so that the common mistake (the
// file exists but nothing applies it) changes nothing; whether the pin
// really takes effect is then checked by building the configs.
func (f File) checkWired() error {
	dir := filepath.Join(f.Dir, f.Generator)
	k, err := readKustomization(dir)
	if err != nil {
		return err
	}
	for _, p := range k.Patches {
		if filepath.Clean(p.Path) != FileName {
			continue
		}
		if p.Target == nil || p.Target.Kind != v1alpha1.Kind {
			return fmt.Errorf("%s applies %s without target kind %s, so it does not reach every site; write it as %s",
				filepath.Join(dir, "kustomization.yaml"), FileName, v1alpha1.Kind, wiring)
		}
		return nil
	}
	return fmt.Errorf("%s is not applied: %s does not list it; add %s",
		f.Path, filepath.Join(dir, "kustomization.yaml"), wiring)
}

func readKustomization(dir string) (*types.Kustomization, error) {
	path := filepath.Join(dir, "kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &k, nil
}
