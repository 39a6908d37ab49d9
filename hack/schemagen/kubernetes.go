package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"discoursegen.dev/discoursegen/hack/sources"
)

const (
	refPrefix   = "#/definitions/"
	defIntOrStr = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	defQuantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	defMeta     = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	// maxDepth bounds $ref nesting. The deepest chain among the kinds we
	// generate is far below it; it exists so a malformed or unexpectedly
	// recursive spec fails loudly instead of exhausting memory.
	maxDepth = 64
)

// kubernetesConverter inlines the Swagger 2.0 definitions of one Kubernetes
// release into standalone strict schemas.
type kubernetesConverter struct {
	defs map[string]schema
}

func loadSwagger(path string) (*kubernetesConverter, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read swagger: %w", err)
	}
	var doc struct {
		Definitions map[string]schema `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	if len(doc.Definitions) == 0 {
		return nil, fmt.Errorf("decode %s: no definitions", filepath.Base(path))
	}
	return &kubernetesConverter{defs: doc.Definitions}, nil
}

// findKind returns the definition name carrying the given GVK.
func (c *kubernetesConverter) findKind(k sources.Kind) (string, error) {
	var found []string
	for name, def := range c.defs {
		gvks, _ := def[gvkKey].([]any)
		for _, g := range gvks {
			m, _ := g.(schema)
			if m["group"] == k.Group && m["version"] == k.Version && m["kind"] == k.Kind {
				found = append(found, name)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no definition for group %q version %q kind %q", k.Group, k.Version, k.Kind)
	case 1:
		return found[0], nil
	default:
		slices.Sort(found)
		return "", fmt.Errorf("group %q version %q kind %q is defined by %s", k.Group, k.Version, k.Kind, strings.Join(found, ", "))
	}
}

// kind builds the standalone strict schema of one kind.
func (c *kubernetesConverter) kind(k sources.Kind) (schema, error) {
	name, err := c.findKind(k)
	if err != nil {
		return nil, err
	}
	root, err := c.expand(name, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	setIdentity(root, k.Group, k.Version, k.Kind)
	return root, nil
}

// objectMeta returns the strict, inlined ObjectMeta schema; CRD schemas
// reuse it so custom resources get the same metadata checks as core kinds.
func (c *kubernetesConverter) objectMeta() (schema, error) {
	return c.expand(defMeta, nil)
}

// expand inlines definition name. stack holds the definitions being
// expanded on the current path, which is how recursion is detected.
func (c *kubernetesConverter) expand(name string, stack []string) (schema, error) {
	switch name {
	case defIntOrStr:
		return intOrString(), nil
	case defQuantity:
		return quantity(), nil
	}
	if slices.Contains(stack, name) {
		// A recursive type (JSONSchemaProps is the one in the core API)
		// cannot be inlined. Leave that point open rather than fail: it is
		// the only honest schema for a structure of unbounded depth.
		return schema{"description": "Recursive reference to " + name + " left unconstrained."}, nil
	}
	if len(stack) >= maxDepth {
		return nil, fmt.Errorf("$ref nesting deeper than %d at %s", maxDepth, strings.Join(append(stack, name), " -> "))
	}
	def, ok := c.defs[name]
	if !ok {
		return nil, fmt.Errorf("undefined $ref %q", name)
	}
	return c.convert(def, append(slices.Clip(stack), name))
}

// convert returns a converted deep copy of node; the parsed swagger is
// never modified, so a definition can be inlined any number of times.
func (c *kubernetesConverter) convert(node schema, stack []string) (schema, error) {
	if ref, ok := node["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, refPrefix)
		if !found {
			return nil, fmt.Errorf("unsupported $ref %q", ref)
		}
		out, err := c.expand(name, stack)
		if err != nil {
			return nil, err
		}
		// Siblings of $ref (the field's own description, list/patch
		// annotations) describe this use of the type and win over the
		// type's generic description. Draft 4 ignores siblings of $ref,
		// so they must be merged now that the $ref is gone.
		out = maps.Clone(out)
		for k, v := range node {
			if k != "$ref" {
				out[k] = v
			}
		}
		return out, nil
	}

	out := make(schema, len(node)+1)
	for k, v := range node {
		switch k {
		case "properties":
			conv, err := convertProperties(v, func(sub schema) (schema, error) { return c.convert(sub, stack) })
			if err != nil {
				return nil, err
			}
			out[k] = conv
		case "items", "additionalProperties":
			sub, ok := v.(schema)
			if !ok {
				out[k] = v // boolean additionalProperties
				continue
			}
			cs, err := c.convert(sub, stack)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = cs
		case "allOf", "anyOf", "oneOf":
			conv, err := convertList(k, v, func(sub schema) (schema, error) { return c.convert(sub, stack) })
			if err != nil {
				return nil, err
			}
			out[k] = conv
		default:
			out[k] = v
		}
	}
	// Only objects with declared properties are closed: RawExtension and
	// FieldsV1 are `type: object` without properties precisely because
	// they carry arbitrary content.
	closeObject(out, false)
	nullOptionalProperties(out)
	dropEmptyRequired(out)
	return out, nil
}
