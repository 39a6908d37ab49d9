package review

import (
	"bytes"
	"discoursegen.dev/discoursegen/internal/genfiles"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// File is one file of a rendered tree, the type generate writes: Path is
// slash-separated and relative to the tree's root (golden/), so its first
// component is the environment; Data is the file as written, comments
// included.
type File = genfiles.File

// ID identifies an object across the two sides of a diff. It holds no path
// (a file that moves between directories is the same object) and no API
// version (a move from v1beta1 to v1 is a change of the object, not a
// removal and an addition).
type ID struct {
	Env string
	// Group is the apiVersion's group, "" for the core group (v1).
	Group, Kind, Namespace, Name string
}

// String names the object as a reviewer reads it: kind, then
// namespace/name. Kinds outside the built-in groups carry their group
// (Cluster.postgresql.cnpg.io), the way kubectl prints them, so a CNPG
// Cluster and a Flux Kustomization cannot be mistaken for something else.
func (id ID) String() string {
	kind := id.Kind
	if !builtinGroup(id.Group) {
		kind += "." + id.Group
	}
	if id.Namespace == "" {
		return kind + " " + id.Name
	}
	return kind + " " + id.Namespace + "/" + id.Name
}

// builtinGroup reports whether group is one of Kubernetes' own API groups:
// the core group, the unqualified ones (apps, batch, policy, autoscaling)
// and the *.k8s.io ones.
func builtinGroup(group string) bool {
	return group == "" || !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io")
}

// compare orders IDs by environment, kind, namespace, name and group, the
// order reports list objects in.
func (id ID) compare(other ID) int {
	for _, pair := range [][2]string{
		{id.Env, other.Env}, {id.Kind, other.Kind}, {id.Namespace, other.Namespace},
		{id.Name, other.Name}, {id.Group, other.Group},
	} {
		if c := strings.Compare(pair[0], pair[1]); c != 0 {
			return c
		}
	}
	return 0
}

// Object is one parsed object of a rendered tree.
type Object struct {
	ID
	APIVersion string
	// File is where the object was read, for messages: the file's path
	// with the root Parse was given in front of it.
	File string
	// Content is the whole object as YAML decodes it: maps are
	// map[string]any, lists []any, scalars string, bool, int, int64,
	// uint64, float64 or nil. Timestamps are kept as the text they were
	// written as.
	Content map[string]any
}

// skipped are file names that are layout, not objects: the kustomizations
// that list the files, and the README beside the tree.
var skipped = map[string]bool{"kustomization.yaml": true, "README.md": true}

// Parse reads every object of a rendered tree. Every file but the
// kustomization.yaml and README.md files holds YAML documents, one object
// each (comments and empty documents are skipped), and lies under a
// directory named after its environment. root names the tree in messages
// (HEAD:golden, say). Parse reports every bad file, each by name, and an
// object that two files of one environment both define.
func Parse(root string, files []File) ([]Object, error) {
	var objs []Object
	var errs []error
	defined := map[ID]string{}
	for _, f := range files {
		if skipped[path.Base(f.Path)] {
			continue
		}
		name := path.Join(root, f.Path)
		env, _, nested := strings.Cut(f.Path, "/")
		if !nested || env == "" || env == "." || env == ".." {
			errs = append(errs, fmt.Errorf("%s: not inside an environment directory (<env>/...)", name))
			continue
		}
		docs, err := decodeDocuments(f.Data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		for i, doc := range docs {
			o, err := object(env, doc)
			if err != nil {
				if len(docs) > 1 {
					err = fmt.Errorf("document %d: %w", i+1, err)
				}
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			o.File = name
			if first, dup := defined[o.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: %s is defined twice, here and in %s", name, o.ID, first))
				continue
			}
			defined[o.ID] = name
			objs = append(objs, o)
		}
	}
	return objs, errors.Join(errs...)
}

// decodeDocuments decodes every non-empty YAML document of data.
func decodeDocuments(data []byte) (docs []any, err error) {
	// The decoder is third-party code fed with whatever a revision holds;
	// should it panic on some input, diff must still say which file it
	// could not read rather than die.
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("invalid YAML: %v", r)
		}
	}()
	dec := kyaml.NewDecoder(bytes.NewReader(data))
	for i := 1; ; i++ {
		var node kyaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		var v any
		if err := node.Decode(&v); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if v == nil {
			continue // only comments, or an explicit null
		}
		v, err = normalize(v)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		docs = append(docs, v)
	}
}

// normalize turns what the YAML decoder returns into the few types
// Object.Content promises. A map with keys that are not strings (an
// unquoted 80: in a ConfigMap) gets string keys, as it would on its way to
// the API server, which only speaks JSON.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			n, err := normalize(child)
			if err != nil {
				return nil, err
			}
			v[k] = n
		}
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, child := range v {
			key := fmt.Sprint(k)
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("the keys %q collide once written as strings", key)
			}
			n, err := normalize(child)
			if err != nil {
				return nil, err
			}
			out[key] = n
		}
		return out, nil
	case []any:
		for i, child := range v {
			n, err := normalize(child)
			if err != nil {
				return nil, err
			}
			v[i] = n
		}
		return v, nil
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	case string, bool, int, int64, uint64, float64, nil:
		return v, nil
	}
	return nil, fmt.Errorf("unexpected YAML value %v (%T)", v, v)
}

// object reads the identity of one decoded document.
func object(env string, doc any) (Object, error) {
	content, ok := doc.(map[string]any)
	if !ok {
		return Object{}, fmt.Errorf("not an object (a YAML mapping) but %s", describe(doc))
	}
	apiVersion, err := requiredString(content, "apiVersion")
	if err != nil {
		return Object{}, err
	}
	kind, err := requiredString(content, "kind")
	if err != nil {
		return Object{}, err
	}
	meta, ok := content["metadata"].(map[string]any)
	if !ok {
		return Object{}, fmt.Errorf("%s: metadata: missing or not a mapping", kind)
	}
	name, err := requiredString(meta, "name")
	if err != nil {
		return Object{}, fmt.Errorf("%s: metadata.%w", kind, err)
	}
	namespace, ok := meta["namespace"].(string)
	if !ok && meta["namespace"] != nil {
		return Object{}, fmt.Errorf("%s %s: metadata.namespace: not a string but %s", kind, name, describe(meta["namespace"]))
	}
	group, _, versioned := strings.Cut(apiVersion, "/")
	if !versioned {
		group = ""
	}
	return Object{
		ID:         ID{Env: env, Group: group, Kind: kind, Namespace: namespace, Name: name},
		APIVersion: apiVersion,
		Content:    content,
	}, nil
}

func requiredString(m map[string]any, key string) (string, error) {
	s, ok := m[key].(string)
	if !ok || s == "" {
		if m[key] == nil {
			return "", fmt.Errorf("%s: missing", key)
		}
		return "", fmt.Errorf("%s: not a non-empty string but %s", key, describe(m[key]))
	}
	return s, nil
}

// describe names a decoded value's YAML type for messages.
func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case nil:
		return "null"
	}
	return "the scalar " + compact(v)
}
