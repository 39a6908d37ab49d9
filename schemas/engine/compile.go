package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"path"
	"regexp"
	"slices"
	"strings"
)

// draft4 is the only dialect the engine implements; the $schema of every
// file says so, and the old validator (jsonschema v5) defaulted to it.
const draft4 = "http://json-schema.org/draft-04/schema#"

// annotations are the keywords that never change whether a value is
// valid, so the compiler drops them before nodes are compared: two
// subtrees that differ only in their descriptions are one node. Listing
// them explicitly, rather than ignoring whatever is unknown, is what
// makes an unsupported keyword in a future schema an error instead of a
// check silently skipped.
var annotations = map[string]bool{
	"description": true,
	"title":       true,
	"default":     true,
	"example":     true,
}

// annotationPrefixes are the vendor extensions in our schemas: Kubernetes'
// (x-kubernetes-list-type, -validations, -int-or-string, ...) and
// schemagen's marker. JSON schema gives x- keys no meaning; the apiserver
// does, but nothing offline can evaluate CEL rules or list-map keys, and
// the old validator ignored them too. The ones that matter for validity
// were turned into keywords by hack/schemagen (int-or-string into oneOf,
// preserve-unknown-fields into an open additionalProperties).
var annotationPrefixes = []string{"x-kubernetes-", "x-discoursegen-"}

// keywords are the validation keywords the engine implements.
var keywords = map[string]bool{
	"$schema":              true, // checked to be draft 4
	"type":                 true,
	"properties":           true,
	"additionalProperties": true,
	"required":             true,
	"items":                true,
	"enum":                 true,
	"format":               true,
	"pattern":              true,
	"minimum":              true,
	"maximum":              true,
	"minLength":            true,
	"maxLength":            true,
	"minItems":             true,
	"maxItems":             true,
	"maxProperties":        true,
	"oneOf":                true,
	"anyOf":                true,
}

// Compile compiles every *.json file below the directories dirs of fsys
// (all of fsys if none are given) whose root declares
// x-kubernetes-group-version-kind into one Table. Files without it are
// not schemas of a kind and are skipped. Files are compiled in lexical
// order of their paths, so the same files always give the same Table. It fails, naming the file and
// the JSON pointer, on any keyword the engine does not implement (see
// annotations for those it deliberately ignores), and when two files
// claim the same kind, since either choice would silently ignore the
// other.
func Compile(fsys fs.FS, dirs ...string) (*Table, error) {
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	dirs = slices.Sorted(slices.Values(dirs))
	c := newCompiler()
	owner := map[[2]string]string{}
	walk := func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		kinds, err := readKinds(p, data)
		if err != nil || len(kinds) == 0 {
			return err
		}
		for _, k := range kinds {
			key := [2]string{k.APIVersion, k.Kind}
			if prev, dup := owner[key]; dup {
				return fmt.Errorf("%s and %s both define %s %s", prev, p, k.APIVersion, k.Kind)
			}
			owner[key] = p
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		c.file = p
		root, err := c.node(doc, "")
		if err != nil {
			return err
		}
		for _, k := range kinds {
			k.File, k.Root = p, root
			c.t.Kinds = append(c.t.Kinds, k)
		}
		return nil
	}
	for _, dir := range dirs {
		if err := fs.WalkDir(fsys, dir, walk); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(c.t.Kinds, func(a, b Kind) int {
		return strings.Compare(a.APIVersion+" "+a.Kind, b.APIVersion+" "+b.Kind)
	})
	return c.t, nil
}

// readKinds returns the kinds a schema file declares at its root. It
// decodes the way the validator always has (encoding/json into a struct,
// so the keys group, version and kind match case-insensitively).
func readKinds(p string, data []byte) ([]Kind, error) {
	var root struct {
		GVK []struct {
			Group, Version, Kind string
		} `json:"x-kubernetes-group-version-kind"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	out := make([]Kind, 0, len(root.GVK))
	for _, g := range root.GVK {
		if g.Version == "" || g.Kind == "" {
			return nil, fmt.Errorf("%s: x-kubernetes-group-version-kind entry without version or kind", p)
		}
		apiVersion := g.Version
		if g.Group != "" {
			apiVersion = g.Group + "/" + g.Version
		}
		out = append(out, Kind{APIVersion: apiVersion, Kind: g.Kind})
	}
	return out, nil
}

// compiler turns schema trees into nodes of one Table, storing each
// distinct node once (hash-consing): a node is looked up by a key made of
// its keywords and its children's indices, and children are compiled
// first, so equal subtrees get equal keys bottom-up.
type compiler struct {
	t        *Table
	file     string
	nodes    map[string]uint32
	numbers  map[string]uint32
	patterns map[string]uint32
}

func newCompiler() *compiler {
	return &compiler{
		t:        &Table{},
		nodes:    map[string]uint32{},
		numbers:  map[string]uint32{},
		patterns: map[string]uint32{},
	}
}

// schemaError names the file and JSON pointer of a schema problem.
func (c *compiler) schemaError(ptr, format string, a ...any) error {
	if ptr == "" {
		ptr = "/"
	}
	return fmt.Errorf("%s: %s: %s", c.file, ptr, fmt.Sprintf(format, a...))
}

// draft4TypeNames maps the type names of draft 4 to type codes.
var draft4TypeNames = map[string]uint32{
	"null": TypeNull, "boolean": TypeBoolean, "object": TypeObject, "array": TypeArray,
	"number": TypeNumber, "string": TypeString, "integer": TypeInteger,
}

// draft4Formats maps the formats the engine asserts to their codes.
var draft4Formats = func() map[string]uint8 {
	m := map[string]uint8{}
	for code, name := range formatKeywords {
		if name != "" {
			m[name] = uint8(code)
		}
	}
	return m
}()

// node compiles the schema object v found at ptr and returns its index.
func (c *compiler) node(v any, ptr string) (uint32, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return 0, c.schemaError(ptr, "a schema must be an object, not %s", Describe(v))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !keywords[k] && !isAnnotation(k) {
			return 0, c.schemaError(ptr+"/"+escapeToken(k), "unsupported keyword %q: the engine (schemas/engine) does not check it; implement it there, or list it among the annotations if it never affects validity", k)
		}
	}

	var n Node
	var props []Prop
	var required []string
	var enum []EnumValue
	var anyOf, oneOf []uint32
	var pattern, minimum, maximum string
	hasPattern := false

	if s, ok := m["$schema"]; ok && s != draft4 {
		return 0, c.schemaError(ptr+"/$schema", "only JSON schema draft 4 (%s) is supported, not %v", draft4, s)
	}
	if t, ok := m["type"]; ok {
		names, err := stringList(t, true)
		if err != nil || len(names) == 0 || len(names) > 7 {
			return 0, c.schemaError(ptr+"/type", "type must be a type name or a non-empty list of distinct type names")
		}
		for i, name := range names {
			code, ok := draft4TypeNames[name]
			if !ok {
				return 0, c.schemaError(ptr+"/type", "unknown type %q", name)
			}
			n.Types |= code << (4 * i)
		}
	}
	if p, ok := m["properties"]; ok {
		pm, ok := p.(map[string]any)
		if !ok {
			return 0, c.schemaError(ptr+"/properties", "properties must be an object")
		}
		names := make([]string, 0, len(pm))
		for name := range pm {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if name == "oneOf" || name == "anyOf" {
				// The old validator told alternatives apart by the end of
				// the keyword path, so a property with this name would be
				// reported as if it were the keyword. Findings must stay
				// the same as its, and no schema of ours has one.
				return 0, c.schemaError(ptr+"/properties/"+escapeToken(name), "a property named %q is not supported", name)
			}
			child, err := c.node(pm[name], ptr+"/properties/"+escapeToken(name))
			if err != nil {
				return 0, err
			}
			props = append(props, Prop{Name: name, Node: child})
		}
	}
	if a, ok := m["additionalProperties"]; ok {
		switch a := a.(type) {
		case bool:
			if !a {
				n.Additional = AdditionalNone
			}
		default:
			child, err := c.node(a, ptr+"/additionalProperties")
			if err != nil {
				return 0, err
			}
			n.Additional = AdditionalSchema + child
		}
	}
	if r, ok := m["required"]; ok {
		names, err := stringList(r, false)
		if err != nil || len(names) == 0 {
			// Draft 4's metaschema wants at least one name.
			return 0, c.schemaError(ptr+"/required", "required must be a non-empty list of distinct property names")
		}
		required = names
	}
	if it, ok := m["items"]; ok {
		if _, isList := it.([]any); isList {
			return 0, c.schemaError(ptr+"/items", "items as a list of schemas (tuple validation) is not supported")
		}
		child, err := c.node(it, ptr+"/items")
		if err != nil {
			return 0, err
		}
		n.Items = child + 1
	}
	if e, ok := m["enum"]; ok {
		list, ok := e.([]any)
		if !ok || len(list) == 0 {
			return 0, c.schemaError(ptr+"/enum", "enum must be a non-empty list")
		}
		for i, item := range list {
			var ev EnumValue
			switch item := item.(type) {
			case nil:
				ev.Null = true
			case string:
				ev.Str = item
			default:
				return 0, c.schemaError(fmt.Sprintf("%s/enum/%d", ptr, i), "enum values must be strings or null, not %s", Describe(item))
			}
			if slices.Contains(enum, ev) {
				return 0, c.schemaError(fmt.Sprintf("%s/enum/%d", ptr, i), "enum values must be distinct")
			}
			enum = append(enum, ev)
		}
	}
	if f, ok := m["format"]; ok {
		name, _ := f.(string)
		code, ok := draft4Formats[name]
		if !ok {
			return 0, c.schemaError(ptr+"/format", "unsupported format %v: the engine asserts only %s", f, strings.Join(formatKeywords[1:], ", "))
		}
		n.Format = code
	}
	if p, ok := m["pattern"]; ok {
		s, ok := p.(string)
		if !ok {
			return 0, c.schemaError(ptr+"/pattern", "pattern must be a string")
		}
		if _, err := regexp.Compile(s); err != nil {
			return 0, c.schemaError(ptr+"/pattern", "pattern is not a Go regular expression: %v", err)
		}
		pattern, hasPattern = s, true
	}
	for _, b := range []struct {
		name string
		flag uint16
		dst  *string
	}{{"minimum", HasMinimum, &minimum}, {"maximum", HasMaximum, &maximum}} {
		v, ok := m[b.name]
		if !ok {
			continue
		}
		num, ok := v.(json.Number)
		if !ok {
			return 0, c.schemaError(ptr+"/"+b.name, "%s must be a number", b.name)
		}
		if _, ok := new(big.Rat).SetString(string(num)); !ok {
			return 0, c.schemaError(ptr+"/"+b.name, "%s %s is out of range", b.name, num)
		}
		n.Has |= b.flag
		*b.dst = string(num)
	}
	for _, l := range []struct {
		name string
		flag uint16
		dst  *uint32
	}{
		{"minLength", HasMinLength, &n.MinLength}, {"maxLength", HasMaxLength, &n.MaxLength},
		{"minItems", HasMinItems, &n.MinItems}, {"maxItems", HasMaxItems, &n.MaxItems},
		{"maxProperties", HasMaxProperties, &n.MaxProperties},
	} {
		v, ok := m[l.name]
		if !ok {
			continue
		}
		num, _ := v.(json.Number)
		r, ok := new(big.Rat).SetString(string(num))
		if !ok || !r.IsInt() || r.Sign() < 0 || !r.Num().IsUint64() || r.Num().Uint64() > math.MaxInt32 {
			return 0, c.schemaError(ptr+"/"+l.name, "%s must be a non-negative integer", l.name)
		}
		n.Has |= l.flag
		*l.dst = uint32(r.Num().Uint64())
	}
	for _, alt := range []struct {
		name string
		dst  *[]uint32
	}{{"anyOf", &anyOf}, {"oneOf", &oneOf}} {
		v, ok := m[alt.name]
		if !ok {
			continue
		}
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return 0, c.schemaError(ptr+"/"+alt.name, "%s must be a non-empty list of schemas", alt.name)
		}
		for i, b := range list {
			child, err := c.node(b, fmt.Sprintf("%s/%s/%d", ptr, alt.name, i))
			if err != nil {
				return 0, err
			}
			*alt.dst = append(*alt.dst, child)
		}
	}

	// The key covers everything that makes the node what it is; children
	// are already interned, so their indices stand for their subtrees.
	var key keyBuilder
	key.uints(n.Types, uint32(n.Has), uint32(n.Format), n.Items, n.Additional,
		n.MinLength, n.MaxLength, n.MinItems, n.MaxItems, n.MaxProperties)
	key.uints(uint32(len(props)))
	for _, p := range props {
		key.str(p.Name)
		key.uints(p.Node)
	}
	key.uints(uint32(len(required)))
	for _, r := range required {
		key.str(r)
	}
	key.uints(uint32(len(enum)))
	for _, e := range enum {
		if e.Null {
			key.uints(1)
		} else {
			key.uints(0)
			key.str(e.Str)
		}
	}
	key.uints(uint32(len(anyOf)))
	key.uints(anyOf...)
	key.uints(uint32(len(oneOf)))
	key.uints(oneOf...)
	if hasPattern {
		key.uints(1)
		key.str(pattern)
	} else {
		key.uints(0)
	}
	key.str(minimum)
	key.str(maximum)
	if i, ok := c.nodes[string(key.b)]; ok {
		return i, nil
	}

	t := c.t
	n.Props = Span{uint32(len(t.Props)), uint32(len(t.Props) + len(props))}
	t.Props = append(t.Props, props...)
	n.Required = Span{uint32(len(t.Names)), uint32(len(t.Names) + len(required))}
	t.Names = append(t.Names, required...)
	n.Enum = Span{uint32(len(t.Enums)), uint32(len(t.Enums) + len(enum))}
	t.Enums = append(t.Enums, enum...)
	n.AnyOf = Span{uint32(len(t.Branches)), uint32(len(t.Branches) + len(anyOf))}
	t.Branches = append(t.Branches, anyOf...)
	n.OneOf = Span{uint32(len(t.Branches)), uint32(len(t.Branches) + len(oneOf))}
	t.Branches = append(t.Branches, oneOf...)
	if hasPattern {
		n.Pattern = intern(c.patterns, &t.Patterns, pattern) + 1
	}
	if n.Has&HasMinimum != 0 {
		n.Minimum = intern(c.numbers, &t.Numbers, minimum)
	}
	if n.Has&HasMaximum != 0 {
		n.Maximum = intern(c.numbers, &t.Numbers, maximum)
	}
	i := uint32(len(t.Nodes))
	t.Nodes = append(t.Nodes, n)
	c.nodes[string(key.b)] = i
	return i, nil
}

// intern returns the index of s in list, appending it if it is new.
func intern(index map[string]uint32, list *[]string, s string) uint32 {
	if i, ok := index[s]; ok {
		return i
	}
	i := uint32(len(*list))
	*list = append(*list, s)
	index[s] = i
	return i
}

// keyBuilder encodes a node unambiguously: numbers as varints, strings
// length-prefixed.
type keyBuilder struct{ b []byte }

func (k *keyBuilder) uints(vs ...uint32) {
	for _, v := range vs {
		k.b = binary.AppendUvarint(k.b, uint64(v))
	}
}

func (k *keyBuilder) str(s string) {
	k.b = binary.AppendUvarint(k.b, uint64(len(s)))
	k.b = append(k.b, s...)
}

func isAnnotation(k string) bool {
	if annotations[k] {
		return true
	}
	for _, p := range annotationPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// stringList reads a list of distinct strings; a single string is accepted
// where the keyword allows one (type).
func stringList(v any, single bool) ([]string, error) {
	if s, ok := v.(string); ok && single {
		return []string{s}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok || slices.Contains(out, s) {
			return nil, fmt.Errorf("not a list of distinct strings")
		}
		out = append(out, s)
	}
	return out, nil
}

// Describe names the JSON type of a decoded value for a message ("a
// number", "a list"): the schema compiler's, and the validator's for a
// document that is not an object.
func Describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// escapeToken escapes a property name for use in a JSON pointer.
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
