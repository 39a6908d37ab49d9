package schemas

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// deprecatedKustomizationFields maps fields kustomize still reads but warns
// about to their replacement (see types.Kustomization.CheckDeprecatedFields).
// Generated kustomizations have no reason to use them, and kustomize may
// drop them in a future major version.
var deprecatedKustomizationFields = map[string]string{
	"bases":                 "resources",
	"commonLabels":          "labels",
	"imageTags":             "images",
	"patchesJson6902":       "patches",
	"patchesStrategicMerge": "patches",
	"vars":                  "replacements",
}

// validateKustomization checks a kustomization file against kustomize's own
// Go type: a kustomization is configuration for kustomize, not a
// Kubernetes object, so no JSON schema describes it better than the type
// kustomize decodes it into. It returns the number of documents (objects)
// and the violations.
func validateKustomization(file string, data []byte) (int, []Violation) {
	docs := splitDocuments(data)
	if len(docs) == 0 {
		return 0, []Violation{{File: file, Kind: types.KustomizationKind, Reason: "kustomization file is empty"}}
	}
	base := Violation{File: file, Line: docs[0].line, Kind: types.KustomizationKind}
	if len(docs) > 1 {
		// kustomize reads only the first document; the rest would be
		// ignored without a word.
		return len(docs), []Violation{base.with("", "kustomization file has "+strconv.Itoa(len(docs))+" documents; kustomize reads only the first")}
	}
	obj, problem := decodeObject(docs[0].data)
	if problem != "" {
		return 1, []Violation{base.with("", problem)}
	}
	if k, ok := obj["kind"].(string); ok && k != "" {
		base.Kind = k
	}
	base.APIVersion, _ = obj["apiVersion"].(string)
	if meta, ok := obj["metadata"].(map[string]any); ok {
		base.Name, _ = meta["name"].(string)
		base.Namespace, _ = meta["namespace"].(string)
	}

	var out []Violation
	// Field names are matched exactly. encoding/json (and so kustomize)
	// matches case-insensitively, which lets "Resources:" through; in a
	// generated file that is a bug worth reporting.
	for _, p := range unknownFields(reflect.TypeFor[types.Kustomization](), obj, "") {
		out = append(out, base.with(p, "unknown field "+strconv.Quote(lastToken(p))))
	}
	if len(out) == 0 {
		// The authoritative check: the same strict decode kustomize does,
		// catching type mismatches the field walk above does not look at.
		var k types.Kustomization
		if err := yaml.UnmarshalStrict(docs[0].data, &k); err != nil {
			out = append(out, base.with("", "invalid kustomization: "+err.Error()))
		} else {
			for _, msg := range k.EnforceFields() {
				ptr := "/kind"
				if strings.HasPrefix(msg, "apiVersion") {
					ptr = "/apiVersion"
				}
				out = append(out, base.with(ptr, msg))
			}
			if err := k.CheckEmpty(); err != nil {
				out = append(out, base.with("", err.Error()))
			}
		}
	}
	for field, repl := range deprecatedKustomizationFields {
		if _, ok := obj[field]; ok {
			out = append(out, base.with("/"+field, "deprecated field; use "+strconv.Quote(repl)+" instead"))
		}
	}
	return 1, out
}

func lastToken(ptr string) string {
	t := ptr[strings.LastIndexByte(ptr, '/')+1:]
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// unknownFields returns the JSON pointers of keys in v that type t has no
// field for, in sorted order. Types with their own JSON decoding and
// interface values are opaque: anything goes there.
func unknownFields(t reflect.Type, v any, ptr string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return nil
	}
	var out []string
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // a type mismatch; the strict decode reports it
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p := ptr + "/" + escapeToken(k)
			ft, ok := fields[k]
			if !ok {
				out = append(out, p)
				continue
			}
			out = append(out, unknownFields(ft, m[k], p)...)
		}
	case reflect.Slice, reflect.Array:
		list, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, e := range list {
			out = append(out, unknownFields(t.Elem(), e, ptr+"/"+strconv.Itoa(i))...)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, unknownFields(t.Elem(), m[k], ptr+"/"+escapeToken(k))...)
		}
	}
	return out
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields returns the JSON field names of struct type t, with embedded
// structs flattened the way encoding/json flattens them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, t := range jsonFields(ft) {
				if _, shadowed := fields[n]; !shadowed {
					fields[n] = t
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	fieldCache.Store(t, fields)
	return fields
}

// escapeToken escapes a property name for use in a JSON pointer.
func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
