package main

import (
	"bytes"
	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/schemas"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// configSchema derives the strict JSON schema (draft 4, like the
// Kubernetes schemas) of the Discourse config from the Go types, so the two
// cannot drift: a test compares it with the committed file.
//
// The rules, applied to every struct, including the Kubernetes types the
// spec embeds (tolerations, affinity, resources):
//   - a field without omitempty is required;
//   - no field outside the struct is allowed (additionalProperties false);
//   - struct tags enum ("a|b"), pattern, minimum and maximum add
//     constraints; on a list of strings they apply to each item;
//   - every list has maxItems, every map maxProperties and every integer
//     minimum and maximum: the field's maxItems, maxProperties, minimum
//     and maximum tags, else v1alpha1's defaults (v1alpha1.MaxItems,
//     MaxProperties, IntegerRange), which checkConstraints applies in Go
//     too. Nothing in a config is unbounded.
func configSchema() ([]byte, error) {
	r := &reflector{visiting: map[reflect.Type]bool{}}
	root, err := r.schema(reflect.TypeFor[v1alpha1.Discourse](), "")
	if err != nil {
		return nil, err
	}
	props := root["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{v1alpha1.APIVersion}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{v1alpha1.Kind}}
	root["required"] = []any{"apiVersion", "kind", "metadata", "spec"}
	root["$schema"] = "http://json-schema.org/draft-04/schema#"
	root["description"] = "Discourse is the config of one Discourse site, rendered by discoursegen. Generated from the Go types in api/v1alpha1/types.go by `make schemas`; do not edit."
	root["x-kubernetes-group-version-kind"] = []any{map[string]any{"group": v1alpha1.Group, "kind": v1alpha1.Kind, "version": v1alpha1.Version}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type reflector struct {
	// visiting guards against recursive types, which a standalone schema
	// cannot express; none exist today, and one added later must fail here
	// rather than loop.
	visiting map[reflect.Type]bool
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	durationType    = reflect.TypeFor[metav1.Duration]()
)

// jsonInteger is the integer branch of a quantity or an int-or-string:
// any integer a JSON number holds exactly.
func jsonInteger() map[string]any {
	lo, hi, _ := v1alpha1.IntegerRange(reflect.Int64, "")
	return map[string]any{"type": "integer", "minimum": lo, "maximum": hi}
}

func (r *reflector) schema(t reflect.Type, tag reflect.StructTag) (map[string]any, error) {
	switch t {
	case quantityType:
		return map[string]any{"anyOf": []any{
			jsonInteger(),
			// The pattern flatten.go recognises, so a bad size gets "not a
			// valid quantity" with its field path, and one that passes
			// always decodes.
			map[string]any{"type": "string", "pattern": schemas.QuantityPattern},
		}}, nil
	case durationType:
		// metav1.Duration is time.ParseDuration's syntax in a string.
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}, nil
	case intOrStringType:
		return map[string]any{"anyOf": []any{jsonInteger(), map[string]any{"type": "string"}}}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return r.schema(t.Elem(), tag)
	case reflect.String:
		s := map[string]any{"type": "string"}
		if e := tag.Get("enum"); e != "" {
			var values []any
			for _, v := range strings.Split(e, "|") {
				values = append(values, v)
			}
			s["enum"] = values
		}
		if p := tag.Get("pattern"); p != "" {
			s["pattern"] = p
		}
		return s, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		lo, hi, err := v1alpha1.IntegerRange(t.Kind(), tag)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "integer", "minimum": lo, "maximum": hi}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}, nil
		}
		limit, err := v1alpha1.MaxItems(tag)
		if err != nil {
			return nil, err
		}
		items, err := r.schema(t.Elem(), tag)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items, "maxItems": limit}, nil
	case reflect.Map:
		limit, err := v1alpha1.MaxProperties(tag)
		if err != nil {
			return nil, err
		}
		values, err := r.schema(t.Elem(), "")
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": values, "maxProperties": limit}, nil
	case reflect.Struct:
		return r.object(t)
	}
	return nil, fmt.Errorf("config schema: unsupported type %s", t)
}

func (r *reflector) object(t reflect.Type) (map[string]any, error) {
	if r.visiting[t] {
		return nil, fmt.Errorf("config schema: recursive type %s", t)
	}
	r.visiting[t] = true
	defer delete(r.visiting, t)

	props := map[string]any{}
	var required []any
	if err := r.fields(t, props, &required); err != nil {
		return nil, err
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s, nil
}

// fields adds t's JSON fields to props, flattening embedded and inline
// structs the way encoding/json does.
func (r *reflector) fields(t reflect.Type, props map[string]any, required *[]any) error {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if err := r.fields(ft, props, required); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s, err := r.schema(f.Type, f.Tag)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
	return nil
}
