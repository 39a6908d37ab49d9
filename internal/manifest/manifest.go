package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/jsonyaml"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Map is the object's JSON form without the fields the API server owns: a
// committed creationTimestamp: null or status: {} would be noise in every
// diff and is not something Flux should apply. Numbers are json.Number, so
// nothing is rounded.
func Map(o generator.Object) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	delete(m, "status")
	// An empty spec (a Namespace's) is the API's default, not a choice.
	if spec, ok := m["spec"].(map[string]any); ok && len(spec) == 0 {
		delete(m, "spec")
	}
	stripServerFields(m)
	return m, nil
}

// stripServerFields removes the null creationTimestamp that
// metav1.ObjectMeta serialises, and empty statuses, at every level that
// embeds object metadata (pod templates, claim templates).
func stripServerFields(v any) {
	switch t := v.(type) {
	case map[string]any:
		if ts, ok := t["creationTimestamp"]; ok && ts == nil {
			delete(t, "creationTimestamp")
		}
		for k, child := range t {
			if k == "metadata" || k == "template" || k == "spec" || k == "volumeClaimTemplates" || k == "jobTemplate" {
				stripServerFields(child)
			}
		}
		if st, ok := t["status"].(map[string]any); ok && len(st) == 0 {
			delete(t, "status")
		}
	case []any:
		for _, child := range t {
			stripServerFields(child)
		}
	}
}

// Encode is the object as a kyaml node: its Map, keys sorted.
func Encode(o generator.Object) (*kyaml.RNode, error) {
	m, err := Map(o)
	if err != nil {
		return nil, err
	}
	return FromMap(m), nil
}

// FromMap builds the node of a JSON value. Scalars carry their YAML tag, so
// kyaml's printer quotes a string that would otherwise read as a number or
// a boolean.
func FromMap(m map[string]any) *kyaml.RNode {
	return kyaml.NewRNode(node(m))
}

func node(v any) *kyaml.Node {
	switch t := v.(type) {
	case map[string]any:
		n := &kyaml.Node{Kind: kyaml.MappingNode, Tag: kyaml.NodeTagMap}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			n.Content = append(n.Content, scalar(kyaml.NodeTagString, k), node(t[k]))
		}
		return n
	case []any:
		n := &kyaml.Node{Kind: kyaml.SequenceNode, Tag: kyaml.NodeTagSeq}
		for _, item := range t {
			n.Content = append(n.Content, node(item))
		}
		return n
	case string:
		n := scalar(kyaml.NodeTagString, t)
		// yes, off, on, ... are strings in YAML 1.2, which kyaml speaks,
		// but booleans to the YAML 1.1 parsers much of the ecosystem
		// still uses; quoting keeps them strings for both.
		if yaml11NonString(n) {
			n.Style = kyaml.DoubleQuotedStyle
		}
		return n
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return scalar(kyaml.NodeTagInt, t.String())
		}
		return scalar(kyaml.NodeTagFloat, t.String())
	case bool:
		if t {
			return scalar(kyaml.NodeTagBool, "true")
		}
		return scalar(kyaml.NodeTagBool, "false")
	default: // nil: json decodes nothing else
		return scalar(kyaml.NodeTagNull, "null")
	}
}

// yaml11NonString is kyaml.IsYaml1_1NonString without its cost for the
// strings objects are made of: that check parses each value as a YAML 1.1
// document, which was most of the function's encoding time. A word that
// starts with a letter and holds only letters, digits and - _ . / can
// only read as something other than a string when it is one of YAML 1.1's
// booleans or null (go.yaml.in/yaml/v2 resolve.go resolves nothing else
// that starts with a letter); anything else takes kyaml's check.
// TestYAML11NonStringMatchesKyaml holds the two to the same answers.
func yaml11NonString(n *kyaml.Node) bool {
	if plainWord(n.Value) && !yaml11Words[strings.ToLower(n.Value)] {
		return false
	}
	return kyaml.IsYaml1_1NonString(n)
}

// yaml11Words are YAML 1.1's booleans and null, lower-cased.
var yaml11Words = map[string]bool{
	"y": true, "yes": true, "n": true, "no": true, "true": true, "false": true,
	"on": true, "off": true, "null": true,
}

// plainWord reports whether s starts with an ASCII letter and holds only
// ASCII letters, digits and - _ . /.
func plainWord(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '.' && c != '/' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func scalar(tag, value string) *kyaml.Node {
	return &kyaml.Node{Kind: kyaml.ScalarNode, Tag: tag, Value: value}
}

// Resources are the objects as kustomize would hold them after a build:
// each one's identity, and its YAML exactly as kustomize prints a
// resource (see YAML).
func Resources(objs []generator.Object) ([]build.Resource, error) {
	out := make([]build.Resource, 0, len(objs))
	for _, o := range objs {
		m, err := Map(o)
		if err != nil {
			return nil, err
		}
		b, err := jsonyaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		gvk := o.GetObjectKind().GroupVersionKind()
		apiVersion, kind := gvk.ToAPIVersionAndKind()
		out = append(out, build.Resource{
			APIVersion:  apiVersion,
			Kind:        kind,
			Namespace:   o.GetNamespace(),
			Name:        o.GetName(),
			Labels:      o.GetLabels(),
			Annotations: o.GetAnnotations(),
			YAML:        b,
			Object:      m,
		})
	}
	return out, nil
}

// YAML prints objects as one stream, separated by "---", each exactly as
// kustomize prints a resource: kustomize's Resource.AsYAML is
// sigs.k8s.io/yaml's JSONToYAML of the object's JSON (keys sorted, YAML
// 1.1 strings quoted, long lines folded at 80 columns), whose bytes
// package jsonyaml gives from the Map (Resources).
func YAML(objs []generator.Object) ([]byte, error) {
	res, err := Resources(objs)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for i, r := range res {
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(r.YAML)
	}
	return buf.Bytes(), nil
}
