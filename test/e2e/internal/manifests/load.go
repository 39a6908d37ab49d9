package manifests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Object is one rendered Kubernetes object.
type Object struct {
	// Source says where the object came from: path (relative to the
	// loaded directory) and 1-based document number. Documents are
	// counted as the YAML reader splits them: a comment-only document
	// counts, an empty one between two "---" lines does not.
	Source    string
	GVK       schema.GroupVersionKind
	Namespace string // as written; empty for cluster-scoped kinds or when omitted
	Name      string
	// JSON is the document exactly as rendered, converted to JSON; it is
	// the body sent to the apiserver.
	JSON []byte
}

// String identifies the object the way the reports print it:
// "Kind namespace/name (source)".
func (o Object) String() string {
	id := o.Name
	if o.Namespace != "" {
		id = o.Namespace + "/" + o.Name
	}
	return fmt.Sprintf("%s %s (%s)", o.GVK.Kind, id, o.Source)
}

// IsNamespace reports whether o is a core/v1 Namespace.
func (o Object) IsNamespace() bool {
	return o.GVK.Group == "" && o.GVK.Kind == "Namespace"
}

// skipFiles are kustomize entry points: they tell kustomize how to build the
// directory and are not objects for the apiserver. kustomize accepts all
// three names.
var skipFiles = map[string]bool{
	"kustomization.yaml": true,
	"kustomization.yml":  true,
	"Kustomization":      true,
}

// LoadDir reads every object in the .yaml/.yml files under dir, recursively,
// in lexical path order. kustomization files and non-YAML files (README.md,
// .gitkeep, ...) are skipped. All problems are returned together, each naming
// its file and document.
func LoadDir(dir string) ([]Object, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || skipFiles[d.Name()] {
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)

	var objs []Object
	var errs []error
	for _, path := range files {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			rel = path
		}
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got, err := Parse(filepath.ToSlash(rel), data)
		if err != nil {
			errs = append(errs, err)
		}
		objs = append(objs, got...)
	}
	return objs, errors.Join(errs...)
}

// Parse splits a (possibly multi-document) YAML stream into objects. Empty
// documents are skipped, v1 List documents are expanded into their items,
// and kustomize configuration documents (kustomize.config.k8s.io) are
// skipped because they are build instructions, not API objects.
//
// Duplicate keys are errors: YAML would silently keep one of them and the
// apiserver would never see the other, so that generator bug would pass
// unnoticed.
func Parse(source string, data []byte) ([]Object, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []Object
	var errs []error
	for doc := 1; ; doc++ {
		raw, err := reader.Read()
		if err == io.EOF {
			break
		}
		where := fmt.Sprintf("%s#%d", source, doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			break
		}
		js, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		if t := bytes.TrimSpace(js); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue // empty document, e.g. a leading "---" or comments only
		}
		got, err := decode(where, js)
		if err != nil {
			errs = append(errs, err)
		}
		objs = append(objs, got...)
	}
	return objs, errors.Join(errs...)
}

// header is the part of an object the harness needs to address it.
type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name         string `json:"name"`
		GenerateName string `json:"generateName"`
		Namespace    string `json:"namespace"`
	} `json:"metadata"`
	Items []json.RawMessage `json:"items"`
}

func decode(where string, js []byte) ([]Object, error) {
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return nil, fmt.Errorf("%s: not a Kubernetes object: %w", where, err)
	}
	if h.APIVersion == "" || h.Kind == "" {
		return nil, fmt.Errorf("%s: missing apiVersion or kind", where)
	}
	gv, err := schema.ParseGroupVersion(h.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if gv.Group == "kustomize.config.k8s.io" {
		return nil, nil
	}
	if gv.Group == "" && gv.Version == "v1" && h.Kind == "List" {
		var objs []Object
		var errs []error
		for i, item := range h.Items {
			got, err := decode(fmt.Sprintf("%s.items[%d]", where, i), item)
			if err != nil {
				errs = append(errs, err)
			}
			objs = append(objs, got...)
		}
		return objs, errors.Join(errs...)
	}
	if h.Metadata.Name == "" {
		// Server-side apply addresses objects by name; generateName
		// cannot be applied (and is not reproducible GitOps output).
		return nil, fmt.Errorf("%s: %s has no metadata.name (generateName %q)", where, h.Kind, h.Metadata.GenerateName)
	}
	return []Object{{
		Source:    where,
		GVK:       gv.WithKind(h.Kind),
		Namespace: h.Metadata.Namespace,
		Name:      h.Metadata.Name,
		JSON:      js,
	}}, nil
}

// Namespaces returns the names of the Namespace objects in objs and,
// separately, the namespaces that objects are placed in without a Namespace
// object among objs (flux-system, say, which Flux's own install creates).
// Both are sorted.
func Namespaces(objs []Object) (declared, referencedOnly []string) {
	decl := map[string]bool{}
	for _, o := range objs {
		if o.IsNamespace() {
			decl[o.Name] = true
		}
	}
	ref := map[string]bool{}
	for _, o := range objs {
		if o.Namespace != "" && !decl[o.Namespace] {
			ref[o.Namespace] = true
		}
	}
	return slices.Sorted(maps.Keys(decl)), slices.Sorted(maps.Keys(ref))
}
