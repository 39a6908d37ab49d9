package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validate checks v, a JSON value as encoding/json produces it (with
// UseNumber, so json.Number for numbers), against the schema rooted at
// node root, and returns every finding sorted by pointer and reason,
// without duplicates. It returns nil when v is valid.
//
// A valid value is checked in one pass that stops at nothing and builds
// nothing: no pointers, no messages, no allocations. Only when that pass
// fails is the value walked again to collect the findings.
func (t *Table) Validate(root uint32, v any) []Finding {
	c := checker{t: t}
	if c.check(root, v) && c.badType == "" {
		return nil
	}
	c = checker{t: t, collect: true}
	c.check(root, v)
	if c.badType != "" {
		// The library stopped at the first value that is not JSON and
		// reported only that.
		return []Finding{{Reason: "jsonschema: invalid jsonType: " + c.badType}}
	}
	slices.SortFunc(c.out, func(a, b Finding) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return slices.Compact(c.out)
}

// checker is one validation. In the first pass collect is false and a
// check returns at the first failure; in the second it records every
// finding, with path holding the JSON pointer of the value being checked.
type checker struct {
	t       *Table
	collect bool
	path    []byte
	out     []Finding
	// badType is set to the Go type of a value that is not JSON.
	badType string
}

func (c *checker) pointer() string { return string(c.path) }

func (c *checker) add(reason string) {
	c.out = append(c.out, Finding{Pointer: c.pointer(), Reason: reason})
}

// check validates v against node ni and reports whether it is valid. The
// keywords are checked in the order jsonschema v5 checked them, which
// matters only where findings are merged (alternatives).
func (c *checker) check(ni uint32, v any) bool {
	if c.badType != "" {
		return false
	}
	n := &c.t.Nodes[ni]
	if n.Types != 0 {
		vt := jsonType(v)
		if vt == 0 {
			c.badType = fmt.Sprintf("%T", v)
			return false
		}
		if !typeMatches(n.Types, vt, v) {
			// A type mismatch is the only finding for the value: nothing
			// else is checked against a value of the wrong type.
			if c.collect {
				c.add(typeReason(typeList(n.Types), typeNames[vt]))
			}
			return false
		}
	}
	// failAndContinue records that v is invalid and says whether to go
	// on checking: only when collecting findings.
	ok := true
	failAndContinue := func() bool {
		ok = false
		return c.collect
	}

	if n.Enum[1] > n.Enum[0] {
		if jsonType(v) == 0 {
			c.badType = fmt.Sprintf("%T", v)
			return false
		}
		values := c.t.Enums[n.Enum[0]:n.Enum[1]]
		if !enumContains(values, v) {
			if !failAndContinue() {
				return false
			}
			c.add(enumReason(values))
		}
	}
	if n.Format != 0 && !formatValid(n.Format, v) {
		if !failAndContinue() {
			return false
		}
		c.add(formatReason(n.Format, v))
	}

	switch v := v.(type) {
	case map[string]any:
		if n.Has&HasMaxProperties != 0 && len(v) > int(n.MaxProperties) {
			if !failAndContinue() {
				return false
			}
			c.add(fmt.Sprintf("maximum %d properties allowed, but found %d properties", n.MaxProperties, len(v)))
		}
		if n.Required[1] > n.Required[0] {
			var missing []string
			for _, name := range c.t.Names[n.Required[0]:n.Required[1]] {
				if _, present := v[name]; !present {
					if !failAndContinue() {
						return false
					}
					missing = append(missing, name)
				}
			}
			if len(missing) > 0 {
				c.out = append(c.out, missingFields(c.pointer(), missing)...)
			}
		}
		if !c.object(n, v) && !failAndContinue() {
			return false
		}
	case []any:
		if n.Has&HasMinItems != 0 && len(v) < int(n.MinItems) {
			if !failAndContinue() {
				return false
			}
			c.add(fmt.Sprintf("minimum %d items required, but found %d items", n.MinItems, len(v)))
		}
		if n.Has&HasMaxItems != 0 && len(v) > int(n.MaxItems) {
			if !failAndContinue() {
				return false
			}
			c.add(fmt.Sprintf("maximum %d items required, but found %d items", n.MaxItems, len(v)))
		}
		if n.Items != 0 {
			for i, item := range v {
				mark := len(c.path)
				if c.collect {
					c.path = append(c.path, '/')
					c.path = strconv.AppendInt(c.path, int64(i), 10)
				}
				valid := c.check(n.Items-1, item)
				c.path = c.path[:mark]
				if !valid && !failAndContinue() {
					return false
				}
			}
		}
	case string:
		if n.Has&(HasMinLength|HasMaxLength) != 0 {
			length := utf8.RuneCountInString(v)
			if n.Has&HasMinLength != 0 && length < int(n.MinLength) {
				if !failAndContinue() {
					return false
				}
				c.add(fmt.Sprintf("length must be >= %d, but got %d", n.MinLength, length))
			}
			if n.Has&HasMaxLength != 0 && length > int(n.MaxLength) {
				if !failAndContinue() {
					return false
				}
				c.add(fmt.Sprintf("length must be <= %d, but got %d", n.MaxLength, length))
			}
		}
		if n.Pattern != 0 && !c.t.pattern(n.Pattern-1).MatchString(v) {
			if !failAndContinue() {
				return false
			}
			c.add(patternReason(c.t.Patterns[n.Pattern-1]))
		}
	default:
		if isNumber(v) {
			if n.Has&HasMinimum != 0 && compareNumber(v, c.t.Numbers[n.Minimum]) < 0 {
				if !failAndContinue() {
					return false
				}
				c.add(fmt.Sprintf("must be >= %v but found %v", boundFloat(c.t.Numbers[n.Minimum]), v))
			}
			if n.Has&HasMaximum != 0 && compareNumber(v, c.t.Numbers[n.Maximum]) > 0 {
				if !failAndContinue() {
					return false
				}
				c.add(fmt.Sprintf("must be <= %v but found %v", boundFloat(c.t.Numbers[n.Maximum]), v))
			}
		}
	}

	if n.AnyOf[1] > n.AnyOf[0] {
		branches := c.t.Branches[n.AnyOf[0]:n.AnyOf[1]]
		matched := false
		for _, b := range branches {
			if c.valid(b, v) {
				matched = true
				break
			}
		}
		if !matched {
			if !failAndContinue() {
				return false
			}
			c.alternatives(branches, v)
		}
	}
	if n.OneOf[1] > n.OneOf[0] {
		branches := c.t.Branches[n.OneOf[0]:n.OneOf[1]]
		first, second := -1, -1
		for i, b := range branches {
			if c.valid(b, v) {
				if first >= 0 {
					second = i
					break
				}
				first = i
			}
		}
		switch {
		case second >= 0:
			if !failAndContinue() {
				return false
			}
			c.add(fmt.Sprintf("valid against schemas at indexes %d and %d", first, second))
		case first < 0:
			if !failAndContinue() {
				return false
			}
			c.alternatives(branches, v)
		}
	}
	return ok && c.badType == ""
}

// object checks the properties of v, known and unknown.
func (c *checker) object(n *Node, v map[string]any) bool {
	props := c.t.Props[n.Props[0]:n.Props[1]]
	ok := true
	var unknown []string
	for name, val := range v {
		i, found := sort.Find(len(props), func(i int) int { return strings.Compare(name, props[i].Name) })
		var child uint32
		switch {
		case found:
			child = props[i].Node
		case n.Additional == AdditionalAny:
			continue
		case n.Additional == AdditionalNone:
			if !c.collect {
				return false
			}
			ok = false
			unknown = append(unknown, name)
			continue
		default:
			child = n.Additional - AdditionalSchema
		}
		mark := len(c.path)
		if c.collect {
			c.path = append(c.path, '/')
			c.path = appendEscaped(c.path, name)
		}
		valid := c.check(child, val)
		c.path = c.path[:mark]
		if !valid {
			if !c.collect {
				return false
			}
			ok = false
		}
	}
	if len(unknown) > 0 {
		// Sorted so that the one message that keeps the names together
		// (see parseQuotedList) reads the same on every run.
		slices.Sort(unknown)
		c.out = append(c.out, unknownFields(c.pointer(), unknown)...)
	}
	return ok
}

// valid reports whether v is valid against node ni, without findings.
func (c *checker) valid(ni uint32, v any) bool {
	if !c.collect {
		return c.check(ni, v)
	}
	quick := checker{t: c.t}
	ok := quick.check(ni, v)
	if quick.badType != "" {
		c.badType = quick.badType
	}
	return ok
}

// alternatives records the findings of a failed oneOf or anyOf: each
// branch is checked on its own, then merged (see alternatives).
func (c *checker) alternatives(branches []uint32, v any) {
	ptr := c.pointer()
	found := make([][]Finding, len(branches))
	for i, b := range branches {
		mark := len(c.out)
		c.check(b, v)
		found[i] = slices.Clone(c.out[mark:])
		c.out = c.out[:mark]
	}
	c.out = append(c.out, alternatives(found, ptr)...)
}

// appendEscaped appends a property name as a JSON pointer token.
func appendEscaped(b []byte, name string) []byte {
	if !strings.ContainsAny(name, "~/") {
		return append(b, name...)
	}
	return append(b, escapeToken(name)...)
}

// jsonType returns the type code of a JSON value, 0 for anything else.
// Go's numeric types count as numbers, as they did for the library.
func jsonType(v any) uint32 {
	switch v.(type) {
	case nil:
		return TypeNull
	case bool:
		return TypeBoolean
	case string:
		return TypeString
	case map[string]any:
		return TypeObject
	case []any:
		return TypeArray
	}
	if isNumber(v) {
		return TypeNumber
	}
	return 0
}

func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, float64, float32, int, int8, int32, int64, uint, uint8, uint32, uint64:
		return true
	}
	return false
}

// typeMatches reports whether a value of type vt matches one of the packed
// types; an integer is a number without a fractional part (3.0 and 1e3
// count).
func typeMatches(types, vt uint32, v any) bool {
	for t := types; t != 0; t >>= 4 {
		switch code := t & 0xf; {
		case code == vt:
			return true
		case code == TypeInteger && vt == TypeNumber && isInteger(v):
			return true
		}
	}
	return false
}

// typeList unpacks Node.Types into type names.
func typeList(types uint32) []string {
	var out []string
	for t := types; t != 0; t >>= 4 {
		out = append(out, typeNames[t&0xf])
	}
	return out
}

// enumContains reports whether v is one of values.
func enumContains(values []EnumValue, v any) bool {
	s, isString := v.(string)
	for _, e := range values {
		if (e.Null && v == nil) || (!e.Null && isString && e.Str == s) {
			return true
		}
	}
	return false
}
