package schemas

// The validator as it was before the engine: each JSON schema file
// compiled at first use by santhosh-tekuri/jsonschema/v5, and the
// library's error tree flattened into findings. It stays, as close to
// verbatim as a test file allows, as the oracle the differential tests
// (engine_diff_test.go) hold the engine to: same findings, same wording,
// same order.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// oracle is the old Validator: an index of schema files by kind, and each
// schema compiled by the library on first use.
type oracle struct {
	fsys  fs.FS
	index map[GVK]string
	kinds []GVK

	mu       sync.Mutex
	compiled map[GVK]*oracleCompiled
}

type oracleCompiled struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

// newOracle indexes fsys as the old New did.
func newOracle(fsys fs.FS) (*oracle, error) {
	o := &oracle{fsys: fsys, index: map[GVK]string{}, compiled: map[GVK]*oracleCompiled{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		gvks, err := readGVKs(fsys, p)
		if err != nil {
			return err
		}
		for _, g := range gvks {
			if prev, dup := o.index[g]; dup {
				return fmt.Errorf("%s and %s both define %s", prev, p, g)
			}
			o.index[g] = p
			o.kinds = append(o.kinds, g)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index schemas: %w", err)
	}
	slices.SortFunc(o.kinds, func(a, b GVK) int {
		return strings.Compare(a.String(), b.String())
	})
	return o, nil
}

func (o *oracle) schemaFor(g GVK) (*jsonschema.Schema, error) {
	p, ok := o.index[g]
	if !ok {
		return nil, nil
	}
	o.mu.Lock()
	c, ok := o.compiled[g]
	if !ok {
		c = &oracleCompiled{}
		o.compiled[g] = c
	}
	o.mu.Unlock()
	c.once.Do(func() {
		c.schema, c.err = compileFile(o.fsys, p)
	})
	return c.schema, c.err
}

// ValidateObject is the old Validator.ValidateObject.
func (o *oracle) ValidateObject(file string, index int, obj map[string]any) ([]Violation, error) {
	if !isJSONValue(obj) {
		norm, err := normalize(obj)
		if err != nil {
			return []Violation{{File: file, Index: index, Reason: err.Error()}}, nil
		}
		obj = norm
	}
	base := Violation{File: file, Index: index}
	base.APIVersion, _ = obj["apiVersion"].(string)
	base.Kind, _ = obj["kind"].(string)
	if meta, ok := obj["metadata"].(map[string]any); ok {
		base.Name, _ = meta["name"].(string)
		base.Namespace, _ = meta["namespace"].(string)
	}
	var out []Violation
	for _, field := range []string{"apiVersion", "kind"} {
		switch val, ok := obj[field]; {
		case !ok || val == nil:
			out = append(out, base.with("/"+field, "missing "+field))
		case !isNonEmptyString(val):
			out = append(out, base.with("/"+field, field+" must be a non-empty string"))
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	g := GVK{APIVersion: base.APIVersion, Kind: base.Kind}
	s, err := o.schemaFor(g)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return []Violation{base.with("", o.unknownKind(g))}, nil
	}
	if err := s.Validate(map[string]any(obj)); err != nil {
		for _, f := range flattenError(err) {
			out = append(out, base.with(f.pointer, f.reason))
		}
	}
	if meta, ok := obj["metadata"].(map[string]any); base.Name == "" && (!ok || meta["name"] == nil) {
		out = append(out, base.with("/metadata", `missing required field "name" (objects are applied by name)`))
		sortViolations(out)
	}
	return out, nil
}

func (o *oracle) unknownKind(g GVK) string {
	known := make([]string, len(o.kinds))
	var sameKind []string
	for i, k := range o.kinds {
		known[i] = k.String()
		if k.Kind == g.Kind {
			sameKind = append(sameKind, k.APIVersion)
		}
	}
	hint := ""
	if len(sameKind) > 0 {
		hint = fmt.Sprintf(" (%s is known with apiVersion %s)", g.Kind, strings.Join(sameKind, ", "))
	}
	return fmt.Sprintf("no schema for apiVersion %s kind %s%s; known kinds are %s",
		g.APIVersion, g.Kind, hint, strings.Join(known, ", "))
}

// readGVKs returns the kinds a schema file declares at its root.
func readGVKs(fsys fs.FS, p string) ([]GVK, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	var root struct {
		GVK []struct {
			Group, Version, Kind string
		} `json:"x-kubernetes-group-version-kind"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	out := make([]GVK, 0, len(root.GVK))
	for _, g := range root.GVK {
		if g.Version == "" || g.Kind == "" {
			return nil, fmt.Errorf("%s: x-kubernetes-group-version-kind entry without version or kind", p)
		}
		apiVersion := g.Version
		if g.Group != "" {
			apiVersion = g.Group + "/" + g.Version
		}
		out = append(out, GVK{APIVersion: apiVersion, Kind: g.Kind})
	}
	return out, nil
}

// schemeURL is a made-up scheme: schemas are addressed by their path in
// the embedded tree, and nothing can ever be fetched for it.
const schemeURL = "discoursegen-schema:///"

// compileFile compiles one standalone schema file.
func compileFile(fsys fs.FS, p string) (*jsonschema.Schema, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("read schema %s: %w", p, err)
	}
	c := jsonschema.NewCompiler()
	// The files declare draft 4; this only matters for a schema that does
	// not, and then matches kubeconform's default.
	c.Draft = jsonschema.Draft4
	// Standalone schemas have no external references. Refusing to load any
	// keeps validation offline and hermetic even for a malformed schema.
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema %s references %s: external references are disabled", p, s)
	}
	for name, f := range kubernetesFormats {
		c.Formats[name] = f
	}
	url := schemeURL + p
	if err := c.AddResource(url, bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("load schema %s: %w", p, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", p, err)
	}
	return s, nil
}

// kubernetesFormats gives OpenAPI formats the meaning the apiserver gives
// them. Draft 4 asserts formats, and the library's own "duration" is ISO
// 8601 while Kubernetes operators write Go durations ("5m").
var kubernetesFormats = map[string]func(any) bool{
	// []byte fields (Secret data) are base64 in JSON; anything else fails
	// to decode on the server.
	"byte": func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return true
		}
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
		_, err := base64.StdEncoding.DecodeString(s)
		return err == nil
	},
	"int32": intRange(32),
	"int64": intRange(64),
	"duration": func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return true
		}
		if _, err := time.ParseDuration(s); err == nil {
			return true
		}
		return jsonschema.Formats["duration"](v)
	},
}

// intRange checks that an integer fits the Go type the field decodes into;
// non-integers are left to the "type" keyword.
func intRange(bits uint) func(any) bool {
	lo := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
	hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1))
	return func(v any) bool {
		var s string
		switch n := v.(type) {
		case json.Number:
			s = n.String()
		case float64:
			s = fmt.Sprint(n)
		default:
			return true
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() {
			return true
		}
		i := r.Num()
		return i.Cmp(lo) >= 0 && i.Cmp(hi) <= 0
	}
}

// finding is one leaf cause of a schema error: where and what.
type finding struct {
	pointer, reason string
}

// flattenError turns the cause tree of a jsonschema error into leaf
// findings. The library nests causes per keyword ($ref, allOf, properties)
// and its Error() shows only the first leaf; a user needs every leaf, with
// the instance location as a JSON pointer.
func flattenError(err error) []finding {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []finding{{reason: err.Error()}}
	}
	var out []finding
	flatten(ve, &out)
	slices.SortFunc(out, func(a, b finding) int {
		if c := strings.Compare(a.pointer, b.pointer); c != 0 {
			return c
		}
		return strings.Compare(a.reason, b.reason)
	})
	return slices.Compact(out)
}

func flatten(ve *jsonschema.ValidationError, out *[]finding) {
	if isAlternatives(ve) {
		*out = append(*out, alternatives(ve)...)
		return
	}
	if len(ve.Causes) == 0 {
		*out = append(*out, leaf(ve)...)
		return
	}
	for _, c := range ve.Causes {
		flatten(c, out)
	}
}

// isAlternatives reports whether ve is a failed oneOf/anyOf, whose causes
// are one error per branch rather than problems to report one by one.
func isAlternatives(ve *jsonschema.ValidationError) bool {
	loc := ve.KeywordLocation
	return len(ve.Causes) > 0 &&
		(strings.HasSuffix(loc, "/oneOf") || strings.HasSuffix(loc, "/anyOf"))
}

// alternatives explains a failed oneOf/anyOf. Branches the value failed
// only because of its type are noise when another branch had the right
// type: for "1 GB" in a Quantity the useful message is the pattern, not
// "expected number". When every branch fails on type, one merged message
// lists the accepted types ("expected string or integer, but got boolean").
func alternatives(ve *jsonschema.ValidationError) []finding {
	var relevant []finding
	var expected []string
	got := ""
	for _, branch := range ve.Causes {
		var leaves []finding
		flatten(branch, &leaves)
		typeOnly := true
		for _, l := range leaves {
			want, g, ok := parseTypeError(l.reason)
			if !ok || l.pointer != pointer(ve.InstanceLocation) {
				typeOnly = false
				break
			}
			got = g
			expected = append(expected, want...)
		}
		if !typeOnly {
			relevant = append(relevant, leaves...)
		}
	}
	if len(relevant) > 0 {
		return relevant
	}
	return []finding{{pointer: pointer(ve.InstanceLocation), reason: typeReason(expected, got)}}
}

// parseTypeError splits "expected integer or null, but got string".
// The library only offers the message, so this is tied to its wording; a
// message it does not recognise is simply passed through unmerged.
func parseTypeError(msg string) (want []string, got string, ok bool) {
	rest, ok := strings.CutPrefix(msg, "expected ")
	if !ok {
		return nil, "", false
	}
	types, got, ok := strings.Cut(rest, ", but got ")
	if !ok {
		return nil, "", false
	}
	return strings.Split(types, " or "), got, true
}

// typeReason renders a type mismatch. "null" is dropped from the expected
// types unless null is what was given: every optional field accepts null,
// so listing it would only distract from the type that was meant.
func typeReason(want []string, got string) string {
	var ws []string
	for _, w := range want {
		if (w != "null" || got == "null") && !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		ws = []string{"null"}
	}
	return "expected " + strings.Join(ws, " or ") + ", but got " + got
}

// leaf converts one leaf error into findings, rewording the messages whose
// default form hides the interesting part: unknown and missing fields get
// one finding per field, with the pointer of the unknown field itself.
func leaf(ve *jsonschema.ValidationError) []finding {
	ptr := pointer(ve.InstanceLocation)
	loc := ve.KeywordLocation
	switch {
	case strings.HasSuffix(loc, "/additionalProperties") || loc == "additionalProperties":
		if inner, ok := strings.CutPrefix(ve.Message, "additionalProperties "); ok {
			if names, ok := parseQuotedList(strings.TrimSuffix(inner, " not allowed")); ok {
				out := make([]finding, 0, len(names))
				for _, n := range names {
					out = append(out, finding{pointer: ptr + "/" + escapeToken(n), reason: "unknown field " + strconv.Quote(n)})
				}
				return out
			}
		}
	case strings.HasSuffix(loc, "/required") || loc == "required":
		if inner, ok := strings.CutPrefix(ve.Message, "missing properties: "); ok {
			if names, ok := parseQuotedList(inner); ok {
				out := make([]finding, 0, len(names))
				for _, n := range names {
					out = append(out, finding{pointer: ptr, reason: "missing required field " + strconv.Quote(n)})
				}
				return out
			}
		}
	case strings.HasSuffix(loc, "/type") || loc == "type":
		if want, got, ok := parseTypeError(ve.Message); ok {
			return []finding{{pointer: ptr, reason: typeReason(want, got)}}
		}
	case strings.HasSuffix(loc, "/pattern") || loc == "pattern":
		if inner, ok := strings.CutPrefix(ve.Message, "does not match pattern "); ok {
			if pats, ok := parseQuotedList(inner); ok && len(pats) == 1 {
				if isQuantityPattern(pats[0]) {
					return []finding{{pointer: ptr, reason: "not a valid quantity (such as 500m, 2Gi or 1.5)"}}
				}
				return []finding{{pointer: ptr, reason: "does not match pattern " + pats[0]}}
			}
		}
	case strings.HasSuffix(loc, "/format") || loc == "format":
		return []finding{{pointer: ptr, reason: formatReason(ve.Message)}}
	case strings.HasSuffix(loc, "/enum") || loc == "enum":
		// Nullable enums carry a nil entry, printed as <nil>.
		msg := strings.ReplaceAll(ve.Message, ", <nil>", "")
		return []finding{{pointer: ptr, reason: msg}}
	}
	return []finding{{pointer: ptr, reason: ve.Message}}
}

// controllerGenQuantityPattern is the pattern controller-gen writes into
// CRDs for Quantity fields: QuantityPattern but with a decimal exponent
// allowed. The CRD schemas keep it as upstream wrote it, because it is the
// pattern the apiserver enforces on those custom resources.
const controllerGenQuantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

// isQuantityPattern reports whether pattern is one of the Quantity
// grammars in the schemas; recognising it turns a wall of regular
// expression into a sentence.
func isQuantityPattern(pattern string) bool {
	return pattern == QuantityPattern || pattern == controllerGenQuantityPattern
}

// formatNames words the OpenAPI formats that appear in our schemas.
var formatNames = map[string]string{
	"byte":      "base64 string",
	"int32":     "int32 (out of range)",
	"int64":     "int64 (out of range)",
	"date-time": "RFC 3339 date-time",
	"duration":  "duration",
}

// formatReason rewords "VALUE is not valid 'FORMAT'".
func formatReason(msg string) string {
	i := strings.LastIndex(msg, " is not valid '")
	if i < 0 || !strings.HasSuffix(msg, "'") {
		return msg
	}
	format := msg[i+len(" is not valid '") : len(msg)-1]
	name, ok := formatNames[format]
	if !ok {
		name = format
	}
	return msg[:i] + " is not a valid " + name
}

// pointer converts the library's instance location into an RFC 6901
// pointer. The library escapes each token as a JSON pointer token and then
// URL-path-escapes it; only the second layer is undone here.
func pointer(loc string) string {
	if loc == "" || !strings.Contains(loc, "%") {
		return loc
	}
	tokens := strings.Split(loc, "/")
	for i, t := range tokens {
		if u, err := url.PathUnescape(t); err == nil {
			tokens[i] = u
		}
	}
	return strings.Join(tokens, "/")
}

// parseQuotedList parses the library's list of quoted names, such as
// 'a', 'it\'s'. Each name is a Go %q string whose \" was turned back into
// " and whose ' was escaped, wrapped in single quotes.
func parseQuotedList(s string) ([]string, bool) {
	var names []string
	for {
		if !strings.HasPrefix(s, "'") {
			return nil, false
		}
		end := -1
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == '\'' {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, false
		}
		inner := strings.ReplaceAll(s[1:end], `\'`, `'`)
		inner = strings.ReplaceAll(inner, `"`, `\"`)
		name, err := strconv.Unquote(`"` + inner + `"`)
		if err != nil {
			return nil, false
		}
		names = append(names, name)
		s = s[end+1:]
		if s == "" {
			return names, true
		}
		var ok bool
		if s, ok = strings.CutPrefix(s, ", "); !ok {
			return nil, false
		}
	}
}
