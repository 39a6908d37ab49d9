package v1alpha1

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The struct tags enum, pattern, minimum, maximum, maxItems and
// maxProperties are the constraints the JSON schema publishes
// (hack/configschema derives it from them). checkConstraints applies the
// same tags in Go, so a config that never met the schema (a library
// caller's) cannot reach a builder with a zero divisor, a negative count
// or a list long enough to multiply into megabytes of output. The wording
// is the schema validator's, and a problem the schema already reported at
// a field is not repeated.
//
// Fields without a tag still have limits (MaxItems, MaxProperties,
// IntegerRange): every list, map and number of the config is bounded, the
// ones inside the Kubernetes types the spec embeds included.

// DefaultMaxItems bounds a list without a maxItems tag: the lists inside
// the Kubernetes types the spec embeds (affinity terms, their expressions
// and values, resource claims). A real site writes a handful of each.
const DefaultMaxItems = 100

// DefaultMaxProperties bounds a map without a maxProperties tag, such as
// a label selector's matchLabels or a resource list.
const DefaultMaxProperties = 100

// maxExactJSONInteger is 2^53-1, the largest integer a JSON number decoded
// as float64 holds exactly: beyond it, 9223372036854775807 arrives as
// -9223372036854775808, so a bound checked after decoding would be wrong.
const maxExactJSONInteger = 1<<53 - 1

// MaxItems is the most entries a list field may hold: its maxItems tag, or
// DefaultMaxItems.
func MaxItems(tag reflect.StructTag) (int, error) {
	return tagLimit(tag, "maxItems", DefaultMaxItems)
}

// MaxProperties is the most keys a map field may hold: its maxProperties
// tag, or DefaultMaxProperties.
func MaxProperties(tag reflect.StructTag) (int, error) {
	return tagLimit(tag, "maxProperties", DefaultMaxProperties)
}

func tagLimit(tag reflect.StructTag, name string, def int) (int, error) {
	v := tag.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s tag %q: not a count", name, v)
	}
	return n, nil
}

// IntegerRange is the range of an integer field of kind k: its minimum and
// maximum tags, else what the Go type holds, and for 64-bit integers no
// more than a JSON number holds exactly (maxExactJSONInteger). A number
// out of the Go type's range would otherwise wrap around silently when the
// config is decoded (99999999999 replicas became 1215752191).
func IntegerRange(k reflect.Kind, tag reflect.StructTag) (lo, hi int64, err error) {
	switch k {
	case reflect.Int8:
		lo, hi = math.MinInt8, math.MaxInt8
	case reflect.Int16:
		lo, hi = math.MinInt16, math.MaxInt16
	case reflect.Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	case reflect.Uint8:
		lo, hi = 0, math.MaxUint8
	case reflect.Uint16:
		lo, hi = 0, math.MaxUint16
	case reflect.Uint32:
		lo, hi = 0, math.MaxUint32
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		lo, hi = 0, maxExactJSONInteger
	default:
		lo, hi = -maxExactJSONInteger, maxExactJSONInteger
	}
	for _, b := range []struct {
		name  string
		bound *int64
	}{{"minimum", &lo}, {"maximum", &hi}} {
		if v := tag.Get(b.name); v != "" {
			n, perr := strconv.ParseInt(v, 10, 64)
			if perr != nil || n < lo || n > hi {
				return 0, 0, fmt.Errorf("%s tag %q: not an integer in [%d, %d]", b.name, v, lo, hi)
			}
			*b.bound = n
		}
	}
	return lo, hi, nil
}

// TooMany reports a list or map over its limit, with the count and the
// limit; the loader reports the schema's maxItems and maxProperties the
// same way.
func TooMany(path *field.Path, count, limit int) *field.Error {
	return &field.Error{Type: field.ErrorTypeTooMany, Field: path.String(), BadValue: count,
		Detail: fmt.Sprintf("%d entries is over the limit of %d", count, limit)}
}

var patterns sync.Map // tag -> *regexp.Regexp

func pattern(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(p) // tags are constants; TestConstraintTagsCompile covers each
	patterns.Store(p, re)
	return re
}

func checkConstraints(v reflect.Value, path *field.Path, tag reflect.StructTag) field.ErrorList {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return checkConstraints(v.Elem(), path, tag)
	case reflect.Struct:
		var errs field.ErrorList
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			p := path
			if name != "" && name != "-" {
				p = path.Child(name)
			}
			errs = append(errs, checkConstraints(v.Field(i), p, f.Tag)...)
		}
		return errs
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // []byte is a string in JSON
		}
		// A list over its limit is refused whole: its entries are not
		// judged one by one, as the loader does before the schema runs.
		if limit, _ := MaxItems(tag); v.Len() > limit {
			return field.ErrorList{TooMany(path, v.Len(), limit)}
		}
		var errs field.ErrorList
		for i := range v.Len() {
			errs = append(errs, checkConstraints(v.Index(i), path.Index(i), tag)...)
		}
		return errs
	case reflect.Map:
		if limit, _ := MaxProperties(tag); v.Len() > limit {
			return field.ErrorList{TooMany(path, v.Len(), limit)}
		}
	case reflect.String:
		s := v.String()
		if s == "" {
			return nil
		}
		if e := tag.Get("enum"); e != "" && !strings.Contains("|"+e+"|", "|"+s+"|") {
			return field.ErrorList{field.NotSupported(path, s, strings.Split(e, "|"))}
		}
		if p := tag.Get("pattern"); p != "" && !pattern(p).MatchString(s) {
			return field.ErrorList{field.Invalid(path, s, fmt.Sprintf("%q does not match pattern %s", s, p))}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		lo, hi, _ := IntegerRange(v.Kind(), tag) // TestConstraintTagsParse covers each tag
		if n < lo {
			return field.ErrorList{field.Invalid(path, n, fmt.Sprintf("must be >= %d but found %d", lo, n))}
		}
		if n > hi {
			return field.ErrorList{field.Invalid(path, n, fmt.Sprintf("must be <= %d but found %d", hi, n))}
		}
	}
	return nil
}
