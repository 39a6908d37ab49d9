package build

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/fn/runtime/runtimeutil"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// Role is what an in-process build does with one function config of a
// kustomization.
type Role int

const (
	// Foreign functions are not discoursegen's: only kustomize can run
	// them, so an environment that lists one is built by Run.
	Foreign Role = iota
	// Generated configs are rendered in-process by the caller; the
	// objects stand in the kustomization where the generator's output
	// would.
	Generated
	// Checked configs change nothing (a validator run as a transformer);
	// the caller runs their check on the output itself.
	Checked
)

// InProcess is an environment whose own functions run in this process: its
// kustomization with discoursegen's function entries taken out, and the
// configs those generators would have been given. Each site's rendered
// objects are then built by krusty from an in-memory copy of the
// kustomization in which they stand as a resource, so every patch and
// transformer of the overlay applies to them as it would to the
// function's output (Build).
type InProcess struct {
	// Dir is the environment's directory, as given.
	Dir string
	// Configs are the generator configs to render, one per site, in the
	// order kustomize would run them.
	Configs []*kyaml.RNode
	// PerSite is true when building each site alone gives the objects one
	// build of every site gives (see together): a fleet then costs one
	// kustomize run per site, which grows linearly, where one run over
	// every site's objects grows with their square (kustomize's resource
	// map finds each id by a linear scan).
	PerSite bool
	// WhyTogether says, when PerSite is false for several sites, which
	// field of the kustomization keeps the sites in one run.
	WhyTogether string
	// Identity is true when the kustomization, without discoursegen's
	// functions, has nothing that changes objects: only its kind,
	// metadata and sort order (see Build).
	Identity bool

	// kustomizationPath is where kustomize reads the kustomization from
	// (symlinks resolved, as kustomize resolves them), and kustomization
	// its in-memory replacement without the in-process functions.
	kustomizationPath string
	kustomization     types.Kustomization
}

// PlanInProcess decides whether the overlay can be built in-process:
// every function it lists must be discoursegen's own (role says which
// are), and nothing may depend on where the generated objects come from
// (buildMetadata records their origin). It returns nil and the reason
// when the environment must be built by Run instead. An error from role
// (a config its function would refuse) is returned.
func PlanInProcess(o *Overlay, role func(*kyaml.RNode) (Role, error)) (*InProcess, string, error) {
	// Strict: kustomize refuses a field it does not know, and a field the
	// typed copy dropped would make the in-memory kustomization accept
	// what kustomize build refuses. Run reports kustomize's own error.
	var k types.Kustomization
	if err := yaml.UnmarshalStrict(o.raw, &k); err != nil {
		return nil, "its kustomization.yaml does not decode strictly (" + err.Error() + ")", nil
	}
	k.FixKustomization()
	if len(k.BuildMetadata) > 0 {
		return nil, "buildMetadata records where each object came from", nil
	}
	plan := &InProcess{Dir: o.Dir}
	for i, configs := range [][]Config{o.Generators, o.Transformers, o.Validators} {
		for _, c := range configs {
			r, err := role(c.Node)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %s: %s %s: %w", o.Dir, c.Generator, c.Node.GetKind(), c.Node.GetName(), err)
			}
			switch r {
			case Foreign:
				return nil, fmt.Sprintf("%s runs %s %s, which is not discoursegen's", c.Generator, c.Node.GetKind(), c.Node.GetName()), nil
			case Generated:
				if i != 0 {
					return nil, fmt.Sprintf("%s lists the generator config %s %s outside generators:", c.Generator, c.Node.GetKind(), c.Node.GetName()), nil
				}
				plan.Configs = append(plan.Configs, c.Node)
			}
		}
	}
	// Every function entry is discoursegen's, so none is left for
	// kustomize to run.
	k.Generators, k.Transformers, k.Validators = nil, nil, nil
	plan.kustomization = k
	bare := k
	bare.TypeMeta, bare.MetaData, bare.SortOptions = types.TypeMeta{}, nil, nil
	plan.Identity = reflect.DeepEqual(bare, types.Kustomization{})
	plan.WhyTogether = together(&k)
	plan.PerSite = len(plan.Configs) <= 1 || plan.WhyTogether == ""

	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, "", err
	}
	plan.kustomizationPath = filepath.Join(real, "kustomization.yaml")
	return plan, "", nil
}

// together names the first field of k that makes a build of each site
// alone differ from one build of them all, or "" when there is none.
// Building sites apart is exact when the kustomization only transforms
// each object on its own, by rules that hold for any subset of them:
//   - it adds no objects (resources, components, generators of its own),
//     which every site's build would repeat;
//   - every patch has a target, which selects nothing in another site's
//     build, where an untargeted strategic merge patch would fail to find
//     its object (kustomize api internal/builtins/PatchTransformer.go,
//     transformStrategicMerge: m.Select for a target, m.GetById, an
//     error when missing, without);
//   - nothing reads one object to change another (replacements, vars)
//     or requires a match (replicas: ReplicaCountTransformer.go errors
//     on a name it does not find).
//
// The order of the output differs (kustomize sorts the whole build by
// kind, SortOrderTransformer.go), which the layout of golden/ does not
// depend on. One build of every site is what grows with the square of
// the objects: resmap/reswrangler.go's Append looks for each new id
// among all the resources before it.
func together(k *types.Kustomization) string {
	switch {
	case len(k.Resources) > 0:
		return "resources"
	case len(k.Components) > 0:
		return "components"
	case len(k.Crds) > 0:
		return "crds"
	case len(k.ConfigMapGenerator) > 0:
		return "configMapGenerator"
	case len(k.SecretGenerator) > 0:
		return "secretGenerator"
	case len(k.HelmCharts) > 0 || len(k.HelmChartInflationGenerator) > 0:
		return "helmCharts"
	case len(k.Replacements) > 0:
		return "replacements"
	//lint:ignore SA1019 vars are deprecated, but kustomize still applies them, across objects
	case len(k.Vars) > 0:
		return "vars"
	case len(k.Replicas) > 0:
		return "replicas"
	//lint:ignore SA1019 deprecated, but kustomize still applies these untargeted patches
	case len(k.PatchesStrategicMerge) > 0:
		return "patchesStrategicMerge"
	}
	for _, p := range k.Patches {
		if p.Target == nil {
			return "a patch without a target"
		}
	}
	return ""
}

// Build builds the environment with the given sites' rendered objects
// (one slice per config, in the order of Configs; one site's when
// PerSite, or every site's) standing as its last resources.
//
// When the kustomization, without discoursegen's functions, changes
// nothing (Identity), the objects are the output: kustomize would only
// parse them and print them again, as manifest.YAML printed them
// (TestLibraryMatchesGolden holds the two printers to the same bytes).
// Otherwise krusty builds an in-memory copy of the kustomization in
// which the objects are a resource file, so every patch and transformer
// of the overlay applies to them as it would to the function's output.
// The order of the objects is not kustomize's (it sorts by kind); the
// output's layout does not depend on it.
func (p *InProcess) Build(sites ...[]Resource) ([]Resource, error) {
	if p.Identity {
		return slices.Concat(sites...), nil
	}
	k := p.kustomization
	k.Resources = slices.Clone(k.Resources)
	dir := filepath.Dir(p.kustomizationPath)
	files := map[string][]byte{}
	for i, objs := range sites {
		name := fmt.Sprintf("discoursegen-generated-%d.yaml", i)
		k.Resources = append(k.Resources, name)
		var stream []byte
		for j, o := range objs {
			if j > 0 {
				stream = append(stream, "---\n"...)
			}
			stream = append(stream, o.YAML...)
		}
		files[filepath.Join(dir, name)] = stream
	}
	data, err := yaml.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Dir, err)
	}
	files[p.kustomizationPath] = data
	return runKustomize(overlayFS{FileSystem: filesys.MakeFsOnDisk(), files: files}, p.Dir, krusty.MakeDefaultOptions())
}

// overlayFS is the disk with some files replaced or added in memory:
// kustomize reads the in-process kustomization and the rendered objects
// from it, and every other file (patches, OpenAPI schemas) from disk.
// Only the calls kustomize makes to load a kustomization and its files
// are overlaid; it is never written to.
type overlayFS struct {
	filesys.FileSystem
	files map[string][]byte
}

func (o overlayFS) file(path string) ([]byte, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false
	}
	data, ok := o.files[abs]
	return data, ok
}

func (o overlayFS) ReadFile(path string) ([]byte, error) {
	if data, ok := o.file(path); ok {
		return slices.Clone(data), nil
	}
	return o.FileSystem.ReadFile(path)
}

func (o overlayFS) Exists(path string) bool {
	if _, ok := o.file(path); ok {
		return true
	}
	return o.FileSystem.Exists(path)
}

func (o overlayFS) IsDir(path string) bool {
	if _, ok := o.file(path); ok {
		return false
	}
	return o.FileSystem.IsDir(path)
}

func (o overlayFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if _, ok := o.file(path); ok {
		abs, _ := filepath.Abs(path)
		return filesys.ConfirmedDir(filepath.Dir(abs)), filepath.Base(abs), nil
	}
	return o.FileSystem.CleanedAbs(path)
}

func (o overlayFS) Open(path string) (filesys.File, error) {
	if _, ok := o.file(path); ok {
		return nil, fmt.Errorf("%s is generated in memory and read whole", path)
	}
	return o.FileSystem.Open(path)
}

// IsInProcessFunction reports whether a function config names an exec
// function run with args [fn] (discoursegen's form); which binary it
// names is checked elsewhere, against the running build.
func IsInProcessFunction(c *kyaml.RNode) bool {
	spec, err := runtimeutil.GetFunctionSpec(c)
	return err == nil && spec != nil && spec.Exec.Path != "" && slices.Equal(spec.Exec.Args, []string{"fn"})
}

// errNoObjects is the refusal of an empty build.
var errNoObjects = errors.New("produced no objects (are exec functions enabled and the function binary built?)")

// runKustomize builds the kustomization in dir from fsys and returns its
// objects as kustomize prints them.
func runKustomize(fsys filesys.FileSystem, dir string, opts *krusty.Options) ([]Resource, error) {
	resMap, err := krusty.MakeKustomizer(opts).Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	if resMap.Size() == 0 {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, errNoObjects)
	}
	objs := make([]Resource, 0, resMap.Size())
	for _, r := range resMap.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %s %s: %w", dir, r.GetKind(), r.GetName(), err)
		}
		objs = append(objs, Resource{
			APIVersion:  r.GetApiVersion(),
			Kind:        r.GetKind(),
			Namespace:   r.GetNamespace(),
			Name:        r.GetName(),
			Labels:      r.GetLabels(),
			Annotations: r.GetAnnotations(),
			YAML:        y,
		})
	}
	return objs, nil
}
