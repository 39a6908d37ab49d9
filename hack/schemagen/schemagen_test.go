package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustSchema(t *testing.T, s string) schema {
	t.Helper()
	var out schema
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRecursiveRef makes sure a self-referencing definition terminates and
// is left open at the point of recursion.
func TestRecursiveRef(t *testing.T) {
	c := &kubernetesConverter{defs: map[string]schema{
		"a.Node": mustSchema(t, `{"type": "object", "properties": {
			"child": {"$ref": "#/definitions/a.Node"},
			"name": {"type": "string"}}, "required": ["name"]}`),
	}}
	got, err := c.expand("a.Node", nil)
	if err != nil {
		t.Fatal(err)
	}
	child := got["properties"].(schema)["child"].(schema)
	if _, ok := child["properties"]; ok {
		t.Errorf("recursive reference was expanded: %v", child)
	}
	if d, _ := child["description"].(string); !strings.Contains(d, "Recursive reference to a.Node") {
		t.Errorf("recursive reference not marked: %v", child)
	}
	if got["additionalProperties"] != false {
		t.Error("expanded object is not closed")
	}
}

func TestExpandSpecialTypes(t *testing.T) {
	c := &kubernetesConverter{defs: map[string]schema{
		"x.Obj": mustSchema(t, `{"type": "object", "properties": {
			"port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString", "description": "d"},
			"raw": {"$ref": "#/definitions/x.Raw"},
			"labels": {"type": "object", "additionalProperties": {"type": "string"}}},
			"required": ["labels"]}`),
		"x.Raw": mustSchema(t, `{"type": "object"}`),
	}}
	got, err := c.expand("x.Obj", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := mustSchema(t, `{"type": "object", "additionalProperties": false, "required": ["labels"], "properties": {
		"port": {"description": "d", "oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
		"raw": {"type": ["object", "null"]},
		"labels": {"type": "object", "additionalProperties": {"type": "string"}}}}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expanded schema (-want +got):\n%s", diff)
	}
}

func TestConvertCRDNode(t *testing.T) {
	in := mustSchema(t, `{"type": "object", "required": ["spec"], "properties": {
		"spec": {"type": "object", "properties": {
			"size": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true},
			"mode": {"type": "string", "enum": ["a", "b"]},
			"open": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
			"empty": {"type": "object"},
			"map": {"type": "object", "additionalProperties": {"type": "string"}}}}}}`)
	got, err := convertCRDNode(in)
	if err != nil {
		t.Fatal(err)
	}
	want := mustSchema(t, `{"type": "object", "required": ["spec"], "additionalProperties": false, "properties": {
		"spec": {"type": "object", "additionalProperties": false, "properties": {
			"size": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}], "x-kubernetes-int-or-string": true},
			"mode": {"type": ["string", "null"], "enum": ["a", "b", null]},
			"open": {"type": ["object", "null"], "x-kubernetes-preserve-unknown-fields": true},
			"empty": {"type": ["object", "null"], "additionalProperties": false},
			"map": {"type": ["object", "null"], "additionalProperties": {"type": "string"}}}}}}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("converted schema (-want +got):\n%s", diff)
	}
}

func TestNullableWrapsCombinations(t *testing.T) {
	in := mustSchema(t, `{"description": "d", "type": "object", "allOf": [{"required": ["a"]}]}`)
	want := mustSchema(t, `{"description": "d", "anyOf": [{"type": "null"}, {"type": "object", "allOf": [{"required": ["a"]}]}]}`)
	if diff := cmp.Diff(want, nullable(in)); diff != "" {
		t.Errorf("nullable (-want +got):\n%s", diff)
	}
	open := mustSchema(t, `{"description": "anything"}`)
	if diff := cmp.Diff(open, nullable(open)); diff != "" {
		t.Errorf("open schema changed (-want +got):\n%s", diff)
	}
}

func TestSplitYAMLDocuments(t *testing.T) {
	got := splitYAMLDocuments([]byte("---\na: 1\n---\n# c\n---\nb: 2\n"))
	if len(got) != 2 || string(got[0]) != "a: 1\n" || string(got[1]) != "b: 2\n" {
		t.Errorf("got %q", got)
	}
}

// TestTypeMetadata checks that CRD metadata becomes ObjectMeta, and that
// constraints a CRD puts on metadata survive without closing it further.
func TestTypeMetadata(t *testing.T) {
	meta := mustSchema(t, `{"type": "object", "additionalProperties": false, "properties": {
		"name": {"type": ["string", "null"]}, "labels": {"type": ["object", "null"]}}}`)

	plain, err := convertCRDNode(mustSchema(t, `{"type": "object", "properties": {"metadata": {"type": "object"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := typeMetadata(plain, meta); err != nil {
		t.Fatal(err)
	}
	want := mustSchema(t, `{"type": ["object", "null"], "additionalProperties": false, "properties": {
		"name": {"type": ["string", "null"]}, "labels": {"type": ["object", "null"]}}}`)
	if diff := cmp.Diff(want, plain["properties"].(schema)["metadata"]); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}

	constrained, err := convertCRDNode(mustSchema(t, `{"type": "object", "required": ["metadata"], "properties": {
		"metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := typeMetadata(constrained, meta); err != nil {
		t.Fatal(err)
	}
	want = mustSchema(t, `{"allOf": [
		{"type": "object", "additionalProperties": false, "properties": {
			"name": {"type": ["string", "null"]}, "labels": {"type": ["object", "null"]}}},
		{"type": "object", "properties": {"name": {"type": ["string", "null"], "maxLength": 63}}}]}`)
	if diff := cmp.Diff(want, constrained["properties"].(schema)["metadata"]); diff != "" {
		t.Errorf("constrained metadata (-want +got):\n%s", diff)
	}
}
