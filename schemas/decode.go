package schemas

import "fmt"

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
