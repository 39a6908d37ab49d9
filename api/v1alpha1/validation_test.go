package v1alpha1

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConstraintTagsCompile: every pattern tag of the config types is a
// valid regular expression, so checkConstraints can never fail on one.
func TestConstraintTagsCompile(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for f := range ty.Fields() {
			if p := f.Tag.Get("pattern"); p != "" {
				if _, err := regexp.Compile(p); err != nil {
					t.Errorf("%s.%s: pattern %q: %v", ty.Name(), f.Name, p, err)
				}
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Discourse]())
	if len(seen) < 20 {
		t.Fatalf("walked only %d types", len(seen))
	}
}

// TestDefaultIsIdempotent: defaulting a defaulted config changes nothing,
// for every profile, and a field the user set survives.
func TestDefaultIsIdempotent(t *testing.T) {
	for profile := range profiles {
		d := Discourse{Spec: Spec{Profile: profile, Sidekiq: Sidekiq{Concurrency: new(int32(7))}}}
		d.Metadata.Name = "forum"
		d.Default()
		once := d.DeepCopy()
		d.Default()
		if diff := cmp.Diff(once, &d); diff != "" {
			t.Errorf("%s: a second Default changed:\n%s", profile, diff)
		}
		if *d.Spec.Sidekiq.Concurrency != 7 {
			t.Errorf("%s: Default overrode a set field", profile)
		}
	}
}
