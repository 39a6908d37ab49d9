package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"

	"sigs.k8s.io/yaml"

	"discoursegen.dev/discoursegen/hack/sources"
)

// crd holds the parts of a CustomResourceDefinition schemagen reads.
type crd struct {
	Kind string `json:"kind"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Served bool   `json:"served"`
			Schema *struct {
				OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// crdSchema is one converted CRD version.
type crdSchema struct {
	Group, Version, Kind string
	Schema               schema
}

// path is where the schema goes, relative to the output directory.
func (c crdSchema) path() string {
	return sources.CRDSchemaPath(sources.Kind{Group: c.Group, Version: c.Version, Kind: c.Kind})
}

// readCRDs converts every served version of every CRD in the file at path.
// meta is the inlined ObjectMeta schema used for the metadata property.
func readCRDs(path string, meta schema) ([]crdSchema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read crd: %w", err)
	}
	var out []crdSchema
	for i, doc := range splitYAMLDocuments(data) {
		var c crd
		// Not strict: a CRD has many fields schemagen has no use for.
		if err := yaml.Unmarshal(doc, &c); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if c.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("document %d: kind %q, want CustomResourceDefinition", i+1, c.Kind)
		}
		if c.Spec.Group == "" || c.Spec.Names.Kind == "" {
			return nil, fmt.Errorf("document %d: spec.group and spec.names.kind are required", i+1)
		}
		for _, v := range c.Spec.Versions {
			// Unserved versions cannot be applied, so a schema for them
			// would only let manifests validate that the cluster rejects.
			if !v.Served || v.Schema == nil || len(v.Schema.OpenAPIV3Schema) == 0 {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(v.Schema.OpenAPIV3Schema))
			dec.UseNumber()
			var root schema
			if err := dec.Decode(&root); err != nil {
				return nil, fmt.Errorf("%s %s: decode openAPIV3Schema: %w", c.Spec.Names.Kind, v.Name, err)
			}
			conv, err := convertCRDNode(root)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", c.Spec.Names.Kind, v.Name, err)
			}
			if err := typeMetadata(conv, meta); err != nil {
				return nil, fmt.Errorf("%s %s: %w", c.Spec.Names.Kind, v.Name, err)
			}
			setIdentity(conv, c.Spec.Group, v.Name, c.Spec.Names.Kind)
			out = append(out, crdSchema{Group: c.Spec.Group, Version: v.Name, Kind: c.Spec.Names.Kind, Schema: conv})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no served version with an openAPIV3Schema")
	}
	return out, nil
}

// convertCRDNode returns a strict deep copy of one structural-schema node.
func convertCRDNode(node schema) (schema, error) {
	out := make(schema, len(node)+1)
	for k, v := range node {
		switch k {
		case "properties":
			conv, err := convertProperties(v, convertCRDNode)
			if err != nil {
				return nil, err
			}
			out[k] = conv
		case "items", "additionalProperties", "not":
			sub, ok := v.(schema)
			if !ok {
				out[k] = v
				continue
			}
			cs, err := convertCRDNode(sub)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = cs
		case "allOf", "anyOf", "oneOf":
			conv, err := convertList(k, v, convertCRDNode)
			if err != nil {
				return nil, err
			}
			out[k] = conv
		default:
			out[k] = v
		}
	}
	if isTrue(out, "x-kubernetes-int-or-string") {
		// controller-gen spells int-or-string as anyOf integer/string; the
		// structural schema forbids a type next to it. Replace the anyOf
		// with the same oneOf the core IntOrString gets. Keywords such as
		// pattern stay on the node: they only constrain strings anyway.
		delete(out, "anyOf")
		delete(out, "type")
		maps.Copy(out, intOrString())
	}
	closeObject(out, true)
	nullOptionalProperties(out)
	dropEmptyRequired(out)
	return out, nil
}

// typeMetadata replaces the loose `metadata: {type: object}` controller-gen
// emits with the full ObjectMeta schema. The apiserver handles CR metadata
// as ObjectMeta, so a misspelled `lables` or a non-string annotation value
// is an error there; the CRD schema alone would accept both.
//
// A CRD that does constrain metadata (names with a maxLength, say) keeps
// its constraints through allOf, so both sets of rules apply.
func typeMetadata(root, meta schema) error {
	props, ok := root["properties"].(schema)
	if !ok {
		return fmt.Errorf("root schema has no properties")
	}
	m := maps.Clone(meta)
	old, ok := props["metadata"].(schema)
	if ok && hasConstraints(old) {
		// ObjectMeta already closes the object; the CRD's branch only adds
		// constraints, so it must not reject the fields it does not list.
		extra := maps.Clone(old)
		if extra["additionalProperties"] == false {
			delete(extra, "additionalProperties")
		}
		delete(extra, "description")
		m = schema{"allOf": []any{m, extra}}
	}
	if ok {
		if d, has := old["description"]; has {
			m["description"] = d
		}
	}
	if !requiredSet(root)["metadata"] {
		m = nullable(m)
	}
	props["metadata"] = m
	return nil
}

// hasConstraints reports whether a CRD's metadata node says more than
// "object" (the nullable and additionalProperties it may have gained from
// conversion count as nothing).
func hasConstraints(s schema) bool {
	for k := range s {
		switch k {
		case "type", "description", "additionalProperties", "nullable":
		default:
			return true
		}
	}
	return false
}
