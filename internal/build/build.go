package build

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// Resource is one rendered object as kustomize calls it: its identity and
// its YAML exactly as kustomize prints it.
type Resource struct {
	APIVersion, Kind, Namespace, Name string
	Labels, Annotations               map[string]string
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
			Labels:      r.GetLabels(),
			Annotations: r.GetAnnotations(),
			YAML:        y,
		})
	}
	return objs, nil
}

// SetString sets one string field of the object, creating the maps on the
// way, and re-encodes it the way kustomize's Resource.AsYAML prints a
// resource (JSON through a map, then YAML), so the bytes are what
// kustomize would print for the edited object.
func (r *Resource) SetString(value string, fields ...string) error {
	if len(fields) == 0 {
		return fmt.Errorf("%s %s: no field to set", r.Kind, r.Name)
	}
	node, err := kyaml.Parse(string(r.YAML))
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Kind, r.Name, err)
	}
	parent, last := fields[:len(fields)-1], fields[len(fields)-1]
	if err := node.PipeE(kyaml.LookupCreate(kyaml.MappingNode, parent...), kyaml.SetField(last, kyaml.NewStringRNode(value))); err != nil {
		return fmt.Errorf("%s %s: setting %s: %w", r.Kind, r.Name, strings.Join(fields, "."), err)
	}
	js, err := node.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Kind, r.Name, err)
	}
	out, err := yaml.JSONToYAML(js)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Kind, r.Name, err)
	}
	r.YAML = out
	return nil
}
