package build

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

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

// Config is one generator function config a kustomization runs, after
// the patches of its own kustomization.
type Config struct {
	// Generator is the generators: entry it comes from, relative to the
	// kustomization that lists it.
	Generator string
	Node      *kyaml.RNode
}

// Overlay is a kustomization read once, with the function configs of each
// of its generators:, transformers: and validators: entries, for the
// checks generate makes before it builds (ExecFunctions) and for the
// in-process build (PlanInProcess).
type Overlay struct {
	// Dir is the kustomization's directory, as given.
	Dir string
	// Generators, Transformers and Validators hold the configs of each
	// entry of those lists, in order.
	Generators, Transformers, Validators []Config
	// raw is kustomization.yaml's bytes, which PlanInProcess decodes
	// strictly.
	raw []byte
}

// ReadOverlay reads the kustomization in dir and the function configs of
// its function entries, without running any function: each entry is
// built with plugins off, so its patches apply.
func ReadOverlay(dir string) (*Overlay, error) {
	k, data, err := readKustomization(dir)
	if err != nil {
		return nil, err
	}
	o := &Overlay{Dir: dir, raw: data}
	for _, list := range []struct {
		entries []string
		configs *[]Config
	}{
		{k.Generators, &o.Generators},
		{k.Transformers, &o.Transformers},
		{k.Validators, &o.Validators},
	} {
		if *list.configs, err = configsOf(dir, list.entries); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// FunctionConfigs lists the configs of every function entry: every
// function a build of the overlay may run.
func (o *Overlay) FunctionConfigs() []Config {
	return slices.Concat(o.Generators, o.Transformers, o.Validators)
}

// Configs lists the function configs of every generator of the
// kustomization in dir, without running any function: each generators:
// entry is built with plugins off, so its patches apply. They are the
// inputs the generators would get; `pin` and `diff` read the profile and
// image from them.
func Configs(dir string) ([]Config, error) {
	k, _, err := readKustomization(dir)
	if err != nil {
		return nil, err
	}
	return configsOf(dir, k.Generators)
}

// readKustomization reads dir/kustomization.yaml, decoded leniently, and
// its bytes.
func readKustomization(dir string) (*types.Kustomization, []byte, error) {
	path := filepath.Join(dir, "kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return &k, data, nil
}

// configsOf reads the function configs of kustomization entries; an entry
// that is a plain kustomize plugin config (no function annotation) is
// returned too, and skipped by its callers.
func configsOf(dir string, entries []string) ([]Config, error) {
	var out []Config
	for _, g := range entries {
		nodes, err := generatorConfigs(filepath.Join(dir, g))
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			out = append(out, Config{Generator: g, Node: n})
		}
	}
	return out, nil
}

// ExecFunctions lists the exec functions the generators, transformers and
// validators of the overlay run, without running them: the
// config.kubernetes.io/function annotation of each config names its
// function.
func (o *Overlay) ExecFunctions() []ExecFunction {
	var out []ExecFunction
	for _, c := range o.FunctionConfigs() {
		spec, err := runtimeutil.GetFunctionSpec(c.Node)
		if err != nil || spec == nil || spec.Exec.Path == "" {
			continue
		}
		path := spec.Exec.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(o.Dir, path)
		}
		out = append(out, ExecFunction{
			Config: c.Node.GetKind() + " " + c.Node.GetName(),
			Path:   path,
			Args:   spec.Exec.Args,
		})
	}
	return out
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
