package jsonyaml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// FuzzMarshalMatchesYAML holds Marshal to sigs.k8s.io/yaml.Marshal on
// arbitrary input: the input as a JSON document (an object, or any other
// value under a key), and the input as a string placed as a value and as
// a key at several depths (shapes). The seeds are trickyStrings and the
// files under testdata/fuzz/FuzzMarshalMatchesYAML: JSON documents, and
// every input the fuzzer found a difference with.
func FuzzMarshalMatchesYAML(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			// Long inputs add nothing the folding cases lack, and make each
			// run of the library (and the minimizing) slow.
			return
		}
		if v, ok := decodeJSON(data); ok {
			if m, isMap := v.(map[string]any); isMap {
				checkSame(t, "the input as JSON", m)
			} else {
				checkSame(t, "the input as a JSON value", map[string]any{"v": v})
			}
		}
		s := string(data)
		all := shapes(s)
		for _, shape := range fuzzShapes {
			checkSame(t, fmt.Sprintf("the input as a string, %s", shape), all[shape])
		}
		if parts := strings.Split(s, ","); len(parts) > 1 {
			checkSame(t, "the input split at commas", fromParts(parts))
		}
	})
}

// decodeJSON decodes one JSON value with UseNumber, as kustomize's
// resources hold numbers.
func decodeJSON(data []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// fuzzShapes are the shapes each fuzz input is tried in: fewer than the
// table test uses, to keep each run quick, but covering values and keys
// at the top, deep in mappings and in sequences.
var fuzzShapes = []string{"key and value", "deep key", "sequence", "long key"}

// fromParts builds a mapping with each part as a key, and as a string,
// number or nested value under it: many keys to order, and numbers the
// fuzzer writes.
func fromParts(parts []string) map[string]any {
	m := map[string]any{}
	for i, p := range parts {
		var num any = p
		if validJSONNumber(p) {
			num = json.Number(p)
		}
		switch i % 4 {
		case 0:
			m[p] = p
		case 1:
			m[p] = num
		case 2:
			m[p] = []any{num, map[string]any{p: num, "k": p}}
		case 3:
			m[p] = map[string]any{"k": []any{p, []any{num}}}
		}
	}
	return m
}
