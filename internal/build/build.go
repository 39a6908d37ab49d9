package build

import (
	"fmt"
	"strings"

	"discoursegen.dev/discoursegen/internal/jsonyaml"
	"discoursegen.dev/discoursegen/schemas"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Resource is one rendered object as kustomize calls it: its identity and
// its YAML exactly as kustomize prints it.
type Resource struct {
	APIVersion, Kind, Namespace, Name string
	Labels, Annotations               map[string]string
	YAML                              []byte
	// Object is the object YAML prints, as JSON values with json.Number
	// numbers, when the builder had it before printing (an in-process
	// build that kustomize had nothing to change in); nil otherwise.
	Object map[string]any
}

// Run renders the kustomization in dir. It fails on empty output:
// kustomize silently skips exec functions when exec is not enabled, and an
// empty render committed as golden output would make Flux prune the site.
func Run(dir string) ([]Resource, error) {
	opts := krusty.MakeDefaultOptions()
	opts.PluginConfig = types.EnabledPluginConfig(types.BploUseStaticallyLinked)
	opts.PluginConfig.FnpLoadingOptions.EnableExec = true
	return runKustomize(filesys.MakeFsOnDisk(), dir, opts)
}

// Decoded is the object as JSON values with exact numbers (json.Number):
// Object when the builder kept it, else its YAML decoded as the schema
// validator decodes it (schemas.DecodeObject). The map is the
// resource's own: changing it changes the object, and SetString keeps the
// two in step.
func (r *Resource) Decoded() (map[string]any, error) {
	if r.Object != nil {
		return r.Object, nil
	}
	obj, err := schemas.DecodeObject(r.YAML)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Kind, r.Name, err)
	}
	r.Object = obj
	return obj, nil
}

// SetString sets one string field of the object, creating the maps on the
// way, and prints the object again as kustomize's Resource.AsYAML prints a
// resource (package jsonyaml gives its bytes), so the YAML is what
// kustomize would print for the edited object.
func (r *Resource) SetString(value string, fields ...string) error {
	if len(fields) == 0 {
		return fmt.Errorf("%s %s: no field to set", r.Kind, r.Name)
	}
	obj, err := r.Decoded()
	if err != nil {
		return err
	}
	m := obj
	for _, f := range fields[:len(fields)-1] {
		next, ok := m[f].(map[string]any)
		if !ok {
			if m[f] != nil {
				return fmt.Errorf("%s %s: setting %s: %s is not a mapping", r.Kind, r.Name, strings.Join(fields, "."), f)
			}
			next = map[string]any{}
			m[f] = next
		}
		m = next
	}
	m[fields[len(fields)-1]] = value
	out, err := jsonyaml.Marshal(obj)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Kind, r.Name, err)
	}
	r.YAML = out
	return nil
}
