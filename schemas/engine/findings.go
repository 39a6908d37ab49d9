package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Finding is one leaf cause of a failed validation: the RFC 6901 pointer
// of the offending value and what is wrong with it.
//
// The wording is the one discoursegen has always printed, which was the
// jsonschema v5 library's messages reworded leaf by leaf (one finding per
// unknown or missing field, merged type messages for alternatives, a
// sentence instead of the Quantity regular expression). The engine builds
// the library's message where a rewording reads it back, so even the odd
// cases (a property name the library's quoting cannot round-trip) come out
// the same; the differential tests in package schemas hold it to that.
type Finding struct {
	Pointer, Reason string
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

// parseTypeError splits "expected integer or null, but got string", the
// form of every type finding, so alternatives can merge them.
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

// alternatives explains a failed oneOf/anyOf at ptr from the findings of
// each branch. Branches the value failed only because of its type are
// noise when another branch had the right type: for "1 GB" in a Quantity
// the useful message is the pattern, not "expected number". When every
// branch fails on type, one merged message lists the accepted types
// ("expected string or integer, but got boolean").
func alternatives(branches [][]Finding, ptr string) []Finding {
	var relevant []Finding
	var expected []string
	got := ""
	for _, leaves := range branches {
		typeOnly := true
		for _, l := range leaves {
			want, g, ok := parseTypeError(l.Reason)
			if !ok || l.Pointer != ptr {
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
	return []Finding{{Pointer: ptr, Reason: typeReason(expected, got)}}
}

// unknownFields words a closed object's extra properties, one finding per
// name at the name's own pointer, from the library's message
// "additionalProperties 'a', 'b' not allowed".
func unknownFields(ptr string, names []string) []Finding {
	msg := "additionalProperties " + quoteList(names) + " not allowed"
	if parsed, ok := parseQuotedList(strings.TrimSuffix(strings.TrimPrefix(msg, "additionalProperties "), " not allowed")); ok {
		out := make([]Finding, 0, len(parsed))
		for _, n := range parsed {
			out = append(out, Finding{Pointer: ptr + "/" + escapeToken(n), Reason: "unknown field " + strconv.Quote(n)})
		}
		return out
	}
	return []Finding{{Pointer: ptr, Reason: msg}}
}

// missingFields words missing required properties, one finding per name,
// from the library's message "missing properties: 'a', 'b'".
func missingFields(ptr string, names []string) []Finding {
	list := quoteList(names)
	if parsed, ok := parseQuotedList(list); ok {
		out := make([]Finding, 0, len(parsed))
		for _, n := range parsed {
			out = append(out, Finding{Pointer: ptr, Reason: "missing required field " + strconv.Quote(n)})
		}
		return out
	}
	return []Finding{{Pointer: ptr, Reason: "missing properties: " + list}}
}

// patternReason words a failed pattern; the Quantity grammars become a
// sentence instead of a wall of regular expression.
func patternReason(pattern string) string {
	quoted := quote(pattern)
	if pats, ok := parseQuotedList(quoted); ok && len(pats) == 1 {
		if isQuantityPattern(pats[0]) {
			return "not a valid quantity (such as 500m, 2Gi or 1.5)"
		}
		return "does not match pattern " + pats[0]
	}
	return "does not match pattern " + quoted
}

// enumReason words a value outside an enum. Nullable enums carry a null
// entry, which the library printed as <nil>; it is left out unless it
// comes first.
func enumReason(values []EnumValue) string {
	items := make([]string, len(values))
	for i, v := range values {
		if v.Null {
			items[i] = fmt.Sprintf("%#v", nil)
		} else {
			items[i] = fmt.Sprintf("%#v", v.Str)
		}
	}
	msg := "value must be " + items[0]
	if len(items) > 1 {
		msg = "value must be one of " + strings.Join(items, ", ")
	}
	return strings.ReplaceAll(msg, ", <nil>", "")
}

// formatNames words the formats the engine asserts.
var formatNames = [...]string{
	FormatByte:     "base64 string",
	FormatInt32:    "int32 (out of range)",
	FormatInt64:    "int64 (out of range)",
	FormatDateTime: "RFC 3339 date-time",
	FormatDuration: "duration",
}

// formatReason words a value that fails its format: "'x' is not a valid
// base64 string", "3000000000 is not a valid int32 (out of range)".
func formatReason(format uint8, v any) string {
	val := fmt.Sprint(v)
	if s, ok := v.(string); ok {
		val = quote(s)
	}
	return val + " is not a valid " + formatNames[format]
}

// controllerGenQuantityPattern is the pattern controller-gen writes into
// CRDs for Quantity fields: QuantityPattern but with a decimal exponent
// allowed. The CRD schemas keep it as upstream wrote it, because it is the
// pattern the apiserver enforces on those custom resources.
const controllerGenQuantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

// isQuantityPattern reports whether pattern is one of the Quantity
// grammars in the schemas.
func isQuantityPattern(pattern string) bool {
	return pattern == QuantityPattern || pattern == controllerGenQuantityPattern
}

// quote quotes s the way the library did in its messages: Go syntax, but
// in single quotes, with " unescaped and ' escaped.
func quote(s string) string {
	s = fmt.Sprintf("%q", s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

// parseQuotedList parses a list made by quoteList back into names. It
// fails for names quote cannot round-trip (one ending in a backslash, for
// one); the callers then keep the message as it is, as the old validator
// did.
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
