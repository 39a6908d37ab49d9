package v1alpha1

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestConstraintTagsParse: every maxItems, maxProperties, minimum and
// maximum tag of the config types parses and fits its field's type, so
// checkConstraints, which ignores a tag it cannot read, never does.
func TestConstraintTagsParse(t *testing.T) {
	seen := map[reflect.Type]bool{}
	tags := 0
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for f := range ty.Fields() {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for _, name := range []string{"maxItems", "maxProperties", "minimum", "maximum"} {
				if f.Tag.Get(name) != "" {
					tags++
				}
			}
			var err error
			switch ft.Kind() {
			case reflect.Slice:
				_, err = MaxItems(f.Tag)
			case reflect.Map:
				_, err = MaxProperties(f.Tag)
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				_, _, err = IntegerRange(ft.Kind(), f.Tag)
			default:
				if f.Tag.Get("maxItems") != "" || f.Tag.Get("maxProperties") != "" {
					t.Errorf("%s.%s: a count limit on a %s", ty.Name(), f.Name, ft.Kind())
				}
			}
			if err != nil {
				t.Errorf("%s.%s: %v", ty.Name(), f.Name, err)
			}
			for ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map || ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			walk(ft)
		}
	}
	walk(reflect.TypeFor[Discourse]())
	if tags < 30 {
		t.Fatalf("found only %d limit tags", tags)
	}
	if _, _, err := IntegerRange(reflect.Int32, `maximum:"3000000000"`); err == nil {
		t.Error("a maximum beyond int32 is accepted on an int32")
	}
}

// TestLimitsWithoutTheSchema: a library caller's config, which never met
// the schema, gets the same limits from Validate, worded as the loader
// words them.
func TestLimitsWithoutTheSchema(t *testing.T) {
	d := Discourse{Spec: Spec{Profile: ProfileStaging, Hostname: "forum.acme-forums.test", Image: Image{Repository: "r", Tag: "v1"}}}
	d.Metadata.Name = "forum"
	d.Spec.S3 = S3{Bucket: "b", Region: "r"}
	for range 201 {
		d.Spec.Env = append(d.Spec.Env, corev1.EnvVar{Name: "X", Value: "y"})
	}
	d.Spec.Web.TerminationGracePeriodSeconds = new(int64(1 << 60))
	d.Default()
	var got []string
	for _, e := range d.Validate() {
		got = append(got, e.Field+": "+e.Detail)
	}
	for _, want := range []string{
		"spec.env: 201 entries is over the limit of 200",
		"spec.web.terminationGracePeriodSeconds: must be <= 9007199254740991 but found 1152921504606846976",
	} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("Validate lacks %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
}
