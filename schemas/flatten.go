package schemas

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

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

// escapeToken escapes a property name for use in a JSON pointer.
func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
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
