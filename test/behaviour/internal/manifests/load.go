package manifests

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Object is one rendered Kubernetes object, kept as JSON so each caller can
// decode it into the type it needs.
type Object struct {
	Source     string // path relative to the loaded directory, and document number
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	JSON       []byte
}

func (o Object) String() string {
	return fmt.Sprintf("%s %s/%s (%s)", o.Kind, o.Namespace, o.Name, o.Source)
}

// Decode decodes the object into v, rejecting fields v does not have: a
// field the tests do not know about could change what the object does, so
// it must not vanish silently in decoding.
func (o Object) Decode(v any) error {
	if err := yaml.UnmarshalStrict(o.JSON, v); err != nil {
		return fmt.Errorf("%s: %w", o, err)
	}
	return nil
}

// kustomizeFiles tell kustomize how to build a directory; they are not
// objects.
var kustomizeFiles = map[string]bool{"kustomization.yaml": true, "kustomization.yml": true, "Kustomization": true}

// LoadDir reads every object in the .yaml/.yml files under dir, in lexical
// path order. All problems are returned together. An empty directory is an
// error: "nothing checked" must never read as "all behaved".
func LoadDir(dir string) ([]Object, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := filepath.Ext(path)
		if !d.IsDir() && !kustomizeFiles[d.Name()] && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var objs []Object
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rel, _ := filepath.Rel(dir, f)
		for i, doc := range splitDocuments(data) {
			o, ok, err := parse(doc)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s document %d: %w", rel, i+1, err))
				continue
			}
			if ok {
				o.Source = fmt.Sprintf("%s#%d", rel, i+1)
				objs = append(objs, o)
			}
		}
	}
	if len(objs) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("no Kubernetes objects under %s", dir))
	}
	return objs, errors.Join(errs...)
}

// splitDocuments splits a YAML stream on "---" lines. The rendered files are
// machine-written (one object per file), so a line-based split is enough.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if t := strings.TrimRight(string(line), " \t\r\n"); t == "---" || strings.HasPrefix(t, "--- ") {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}

// parse converts one document to an Object; ok is false for a document that
// holds only comments or whitespace.
func parse(doc []byte) (o Object, ok bool, err error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return o, false, err
	}
	if s := strings.TrimSpace(string(js)); s == "null" || s == "" {
		return o, false, nil
	}
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(js, &meta); err != nil {
		return o, false, err
	}
	if meta.Kind == "" || meta.APIVersion == "" {
		return o, false, errors.New("not a Kubernetes object: no apiVersion or kind")
	}
	return Object{
		APIVersion: meta.APIVersion,
		Kind:       meta.Kind,
		Namespace:  meta.Metadata.Namespace,
		Name:       meta.Metadata.Name,
		JSON:       js,
	}, true, nil
}

// Find returns the objects of the given apiVersion and kind.
func Find(objs []Object, apiVersion, kind string) []Object {
	var out []Object
	for _, o := range objs {
		if o.APIVersion == apiVersion && o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}
