package build

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Resource is one rendered object as kustomize calls it: its identity and
// its YAML exactly as kustomize prints it.
type Resource struct {
	APIVersion, Kind, Namespace, Name string
	Annotations                       map[string]string
	YAML                              []byte
}

// Run renders the kustomization in dir. It fails on empty output:
// kustomize silently skips exec functions when exec is not enabled, and an
// empty render committed as golden output would make Flux prune the site.
func Run(dir string) ([]Resource, error) {
	opts := krusty.MakeDefaultOptions()
	opts.PluginConfig = types.EnabledPluginConfig(types.BploUseStaticallyLinked)
	opts.PluginConfig.FnpLoadingOptions.EnableExec = true
	k := krusty.MakeKustomizer(opts)
	resMap, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	if resMap.Size() == 0 {
		return nil, fmt.Errorf("kustomize build %s: produced no objects (are exec functions enabled and the function binary built?)", dir)
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
			Annotations: r.GetAnnotations(),
			YAML:        y,
		})
	}
	return objs, nil
}
