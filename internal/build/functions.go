package build

import (
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/fn/runtime/runtimeutil"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// ExecFunction is one exec KRM function a kustomization runs.
type ExecFunction struct {
	// Config names the function config that asks for it, for messages.
	Config string
	// Path is the executable, resolved the way kustomize resolves it:
	// against the directory of the kustomization that lists the generator.
	Path string
	Args []string
}

// ExecFunctions lists the exec functions the generators of the
// kustomization in dir run, without running them: each generator entry is
// built with plugins off, and the config.kubernetes.io/function annotation
// of each resulting object names its function.
func ExecFunctions(dir string) ([]ExecFunction, error) {
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "kustomization.yaml"), err)
	}
	var out []ExecFunction
	for _, g := range k.Generators {
		nodes, err := generatorConfigs(filepath.Join(dir, g))
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			spec, err := runtimeutil.GetFunctionSpec(n)
			if err != nil || spec == nil || spec.Exec.Path == "" {
				continue
			}
			path := spec.Exec.Path
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			out = append(out, ExecFunction{
				Config: n.GetKind() + " " + n.GetName(),
				Path:   path,
				Args:   spec.Exec.Args,
			})
		}
	}
	return out, nil
}

// generatorConfigs reads the function configs of one generators: entry: a
// kustomization (built with plugins off, so patches apply) or a file.
func generatorConfigs(src string) ([]*kyaml.RNode, error) {
	info, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		return kio.FromBytes(data)
	}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), src)
	if err != nil {
		return nil, fmt.Errorf("reading generator %s: %w", src, err)
	}
	return resMap.ToRNodeSlice(), nil
}
