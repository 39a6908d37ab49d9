package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/schemas"
)

// TestConfigSchemaIsCurrent: the committed schema is what the Go types say.
func TestConfigSchemaIsCurrent(t *testing.T) {
	want, err := configSchema()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "schemas", filepath.FromSlash(schemas.ConfigSchemaFile(v1alpha1.GroupVersionKind)))
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s is stale: run make schemas", path)
	}
}

// TestEverythingIsBounded: every list of the config schema has maxItems,
// every map maxProperties and every integer a minimum and a maximum, the
// lists and maps inside the embedded Kubernetes types included, so no
// field of a config can carry thousands of entries or a number its Go
// type cannot hold. A tag sets the bound where one is given.
func TestEverythingIsBounded(t *testing.T) {
	b, err := configSchema()
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		switch s["type"] {
		case "array":
			counts["array"]++
			if _, ok := s["maxItems"].(float64); !ok {
				t.Errorf("%s: a list without maxItems", path)
			}
		case "integer":
			counts["integer"]++
			if _, ok := s["minimum"].(float64); !ok {
				t.Errorf("%s: an integer without minimum", path)
			}
			if _, ok := s["maximum"].(float64); !ok {
				t.Errorf("%s: an integer without maximum", path)
			}
		case "object":
			if values, ok := s["additionalProperties"].(map[string]any); ok {
				counts["map"]++
				if _, ok := s["maxProperties"].(float64); !ok {
					t.Errorf("%s: a map without maxProperties", path)
				}
				walk(path+"[*]", values)
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(path+"[]", items)
		}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			walk(path+"."+name, p.(map[string]any))
		}
		alts, _ := s["anyOf"].([]any)
		for _, a := range alts {
			walk(path, a.(map[string]any))
		}
	}
	walk("", root)
	// The walk must have seen the schema, not an empty shell.
	if counts["array"] < 20 || counts["map"] < 10 || counts["integer"] < 30 {
		t.Fatalf("walked too little of the schema: %v", counts)
	}

	spec := root["properties"].(map[string]any)["spec"].(map[string]any)["properties"].(map[string]any)
	tagged := []struct {
		got  any
		want float64
	}{
		{spec["env"].(map[string]any)["maxItems"], 200},
		{spec["web"].(map[string]any)["properties"].(map[string]any)["replicas"].(map[string]any)["maximum"], 1000},
		// Untagged: the int32 range, not a wrap-around in decoding.
		{spec["migrations"].(map[string]any)["properties"].(map[string]any)["backoffLimit"].(map[string]any)["maximum"], math.MaxInt32},
		// Untagged inside a Kubernetes type: the default.
		{spec["scheduling"].(map[string]any)["properties"].(map[string]any)["tolerations"].(map[string]any)["maxItems"], 50},
	}
	for i, c := range tagged {
		if c.got != c.want {
			t.Errorf("bound %d: got %v, want %v", i, c.got, c.want)
		}
	}
}
