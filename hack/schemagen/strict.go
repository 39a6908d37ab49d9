package main

import (
	"fmt"
	"maps"
	"slices"

	"discoursegen.dev/discoursegen/schemas"
)

// schema is one JSON schema node as decoded with json.Decoder.UseNumber, so
// numbers keep their exact upstream spelling through a round trip.
type schema = map[string]any

// Keys added by schemagen. generatorKey marks every file schemagen owns: it
// is how a later run recognises its own stale output without ever touching a
// file someone else put next to it.
const (
	gvkKey        = "x-kubernetes-group-version-kind"
	generatorKey  = "x-discoursegen-generator"
	generatorName = "hack/schemagen"
	// draft04 is declared explicitly because OpenAPI v2/v3.0 schemas are
	// draft-4 dialects and kubeconform compiles schemas without $schema as
	// draft 4; declaring it keeps our validator and kubeconform in step.
	draft04 = "http://json-schema.org/draft-04/schema#"
)

// intOrString is the schema of intstr.IntOrString and of CRD nodes marked
// x-kubernetes-int-or-string. oneOf (not a type list) mirrors what
// openapi2jsonschema emits, so error messages match kubeconform's.
func intOrString() schema {
	return schema{"oneOf": []any{
		schema{"type": "string"},
		schema{"type": "integer"},
	}}
}

// quantity is the schema of resource.Quantity: the JSON decoder accepts a
// string in Quantity syntax or a plain number. The core swagger only says
// "string", so without the pattern "1 GB" would pass validation and fail
// on the apiserver.
func quantity() schema {
	return schema{
		"oneOf": []any{
			schema{"type": "string"},
			schema{"type": "number"},
		},
		"pattern": schemas.QuantityPattern,
	}
}

// isTrue reports whether key is set to boolean true on s.
func isTrue(s schema, key string) bool {
	b, ok := s[key].(bool)
	return ok && b
}

// closeObject injects additionalProperties: false when the node describes
// an object whose fields are all known. Nodes that already say something
// about additionalProperties are maps (labels, resources.limits) and stay
// maps; x-kubernetes-preserve-unknown-fields marks content upstream chose
// to keep open (RawExtension-like payloads, webhook config), so it stays
// open too.
//
// The rule also closes `type: object` nodes without properties. In a
// structural CRD schema such a node keeps nothing: the apiserver prunes
// every field below it (or rejects them under strict field validation), so
// accepting content there would only hide data loss. In the core swagger
// the only such types are RawExtension and FieldsV1, which closeObject is
// never asked to close (see kubernetesConverter).
func closeObject(s schema, emptyObjectsToo bool) {
	if _, ok := s["additionalProperties"]; ok {
		return
	}
	if isTrue(s, "x-kubernetes-preserve-unknown-fields") {
		return
	}
	if _, ok := s["properties"]; ok {
		s["additionalProperties"] = false
		return
	}
	if emptyObjectsToo && s["type"] == "object" {
		s["additionalProperties"] = false
	}
}

// nullable returns a copy of s that also accepts JSON null.
//
// Kubernetes decodes null in an optional field as "unset" (core types), and
// the CRD apiserver prunes nulls from non-nullable fields before validation,
// so `creationTimestamp: null` or an empty YAML value (`resources:`) in an
// optional field is accepted by the server. Rejecting it here would fail
// manifests the cluster takes, so optional properties may be null, the same
// choice kubeconform's strict schemas make. Required properties, array
// items and map values stay non-null: there a null is either rejected by
// the server or silently becomes an empty string, which is a bug either way.
func nullable(s schema) schema {
	_, hasType := s["type"]
	_, hasEnum := s["enum"]
	_, hasOneOf := s["oneOf"]
	_, hasAnyOf := s["anyOf"]
	_, hasAllOf := s["allOf"]
	_, hasNot := s["not"]
	if !hasType && !hasEnum && !hasOneOf && !hasAnyOf && !hasAllOf && !hasNot {
		// An unconstrained schema already accepts null.
		return s
	}
	if hasAllOf || hasNot || (hasType && (hasOneOf || hasAnyOf)) || (hasOneOf && hasAnyOf) {
		// Combinations where adding null to one keyword would still be
		// rejected by another: wrap instead, keeping the description on
		// the outside where readers look for it.
		inner := maps.Clone(s)
		out := schema{"anyOf": []any{schema{"type": "null"}, inner}}
		if d, ok := inner["description"]; ok {
			out["description"] = d
			delete(inner, "description")
		}
		return out
	}
	out := maps.Clone(s)
	switch t := out["type"].(type) {
	case string:
		if t != "null" {
			out["type"] = []any{t, "null"}
		}
	case []any:
		if !slices.Contains(t, any("null")) {
			out["type"] = append(slices.Clone(t), "null")
		}
	}
	if e, ok := out["enum"].([]any); ok && !slices.Contains(e, nil) {
		out["enum"] = append(slices.Clone(e), nil)
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := out[k].([]any); ok {
			out[k] = append(slices.Clone(alts), schema{"type": "null"})
		}
	}
	return out
}

// requiredSet returns the required property names of an object node.
func requiredSet(s schema) map[string]bool {
	req := map[string]bool{}
	if list, ok := s["required"].([]any); ok {
		for _, r := range list {
			if name, ok := r.(string); ok {
				req[name] = true
			}
		}
	}
	return req
}

// nullOptionalProperties makes every property not listed in required (or
// marked nullable: true, the CRD spelling) accept null. See nullable.
func nullOptionalProperties(s schema) {
	props, ok := s["properties"].(schema)
	if !ok {
		return
	}
	req := requiredSet(s)
	for name, p := range props {
		ps, ok := p.(schema)
		if !ok {
			continue
		}
		if !req[name] || isTrue(ps, "nullable") {
			props[name] = nullable(ps)
		}
	}
}

// dropEmptyRequired removes `required: []`: draft 4's meta-schema demands
// at least one entry, and an empty list means nothing anyway.
func dropEmptyRequired(s schema) {
	if list, ok := s["required"].([]any); ok && len(list) == 0 {
		delete(s, "required")
	}
}

// setIdentity pins apiVersion and kind of a root schema to the exact values
// of its group/version/kind, makes both required (a manifest without them
// cannot be applied) and records the GVK at the root, where kubeconform and
// our validator's index look for it.
func setIdentity(root schema, group, version, kind string) {
	apiVersion := version
	if group != "" {
		apiVersion = group + "/" + version
	}
	props, ok := root["properties"].(schema)
	if !ok {
		props = schema{}
		root["properties"] = props
	}
	setEnum := func(name, value, fallbackDesc string) {
		p := schema{}
		if old, ok := props[name].(schema); ok {
			if d, ok := old["description"]; ok {
				p["description"] = d
			}
		}
		if _, ok := p["description"]; !ok {
			p["description"] = fallbackDesc
		}
		p["type"] = "string"
		p["enum"] = []any{value}
		props[name] = p
	}
	setEnum("apiVersion", apiVersion, "APIVersion of this object.")
	setEnum("kind", kind, "Kind of this object.")

	req := requiredSet(root)
	list, _ := root["required"].([]any)
	for _, name := range []string{"apiVersion", "kind"} {
		if !req[name] {
			list = append(list, name)
		}
	}
	root["required"] = list
	root[gvkKey] = []any{schema{"group": group, "version": version, "kind": kind}}
	root["$schema"] = draft04
	root[generatorKey] = generatorName
}

// convertList converts each subschema of a schema list (allOf, anyOf,
// oneOf) under key, naming the failing item in errors.
func convertList(key string, v any, convert func(schema) (schema, error)) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is %T, want array", key, v)
	}
	out := make([]any, len(list))
	for i, item := range list {
		sub, ok := item.(schema)
		if !ok {
			return nil, fmt.Errorf("%s[%d] is %T, want object", key, i, item)
		}
		converted, err := convert(sub)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
		}
		out[i] = converted
	}
	return out, nil
}

// convertProperties converts each property schema of a properties map,
// naming the failing property in errors.
func convertProperties(v any, convert func(schema) (schema, error)) (schema, error) {
	props, ok := v.(schema)
	if !ok {
		return nil, fmt.Errorf("properties is %T, want object", v)
	}
	out := make(schema, len(props))
	for name, p := range props {
		sub, ok := p.(schema)
		if !ok {
			return nil, fmt.Errorf("property %q is %T, want object", name, p)
		}
		converted, err := convert(sub)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", name, err)
		}
		out[name] = converted
	}
	return out, nil
}
