package schemas

import (
	"encoding/json"
	"fmt"
)

// DecodeObject decodes one YAML (or JSON) document as the validator reads
// it: strictly (a duplicate key is an error, not a silent last-one-wins),
// into JSON values with exact numbers (json.Number), through the fast
// reader for the block style generators print (fastyaml.go) and
// sigs.k8s.io/yaml for anything else. generate and the policy decode
// rendered objects with it, so every reader of an object sees the same
// values.
func DecodeObject(doc []byte) (map[string]any, error) {
	obj, problem := decodeObject(doc)
	if problem != "" {
		return nil, fmt.Errorf("%s", problem)
	}
	return obj, nil
}

// DecodeObjects decodes every object of a stream: the documents between
// "---" markers, skipping those with only comments or blank lines. The
// error names the first document that is not an object.
func DecodeObjects(data []byte) ([]map[string]any, error) {
	docs := splitDocuments(data)
	out := make([]map[string]any, 0, len(docs))
	for i, d := range docs {
		obj, problem := decodeObject(d.data)
		if problem != "" {
			return nil, fmt.Errorf("document %d, line %d: %s", i+1, d.line, fileLines(problem, d.line))
		}
		out = append(out, obj)
	}
	return out, nil
}

// GoNumbers is a copy of a decoded value with each json.Number replaced
// by the int64 or float64 encoding/json would have decoded it to, for
// code that reads numbers by type (Kubernetes' unstructured converter,
// the policy's rules) once the schema has judged the exact ones; v is
// left as it was.
func GoNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = GoNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = GoNumbers(e)
		}
		return out
	}
	return v
}
