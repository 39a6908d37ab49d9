package v1alpha1

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The struct tags enum, pattern, minimum and maximum are the constraints
// the JSON schema publishes (hack/configschema derives it from them).
// checkConstraints applies the same tags in Go, so a config that never met
// the schema (a library caller's) cannot reach a builder with a zero
// divisor or a negative count. The wording is the schema validator's, and
// a problem the schema already reported at a field is not repeated.

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
		var errs field.ErrorList
		for i := range v.Len() {
			errs = append(errs, checkConstraints(v.Index(i), path.Index(i), tag)...)
		}
		return errs
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
	case reflect.Int, reflect.Int32, reflect.Int64:
		n := v.Int()
		if m := tag.Get("minimum"); m != "" {
			if bound, _ := strconv.ParseInt(m, 10, 64); n < bound {
				return field.ErrorList{field.Invalid(path, n, fmt.Sprintf("must be >= %d but found %d", bound, n))}
			}
		}
		if m := tag.Get("maximum"); m != "" {
			if bound, _ := strconv.ParseInt(m, 10, 64); n > bound {
				return field.ErrorList{field.Invalid(path, n, fmt.Sprintf("must be <= %d but found %d", bound, n))}
			}
		}
	}
	return nil
}
