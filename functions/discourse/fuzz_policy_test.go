package discourse_test

import (
	"bytes"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/policy"
	"discoursegen.dev/discoursegen/schemas"
)

// renderYAML renders a config to the YAML stream render prints; ok is
// false when the config is refused.
func renderYAML(t *testing.T, data []byte) ([]byte, bool) {
	objs, errs := discourse.Render(data)
	if len(errs) > 0 {
		return nil, false
	}
	out, err := manifest.YAML(objs)
	if err != nil {
		t.Fatalf("encoding a rendered config: %v", err)
	}
	return out, true
}

// FuzzRenderPassesPolicy: every config the loader accepts renders output
// that passes the strict schemas and breaks no DiscoursePolicy rule. A
// config that validates but renders a broken site is a validation gap:
// Validate must refuse it with a field error instead. The seed corpus is
// in testdata/fuzz/FuzzRenderPassesPolicy.
func FuzzRenderPassesPolicy(f *testing.F) {
	v, err := schemas.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := renderYAML(t, data)
		if !ok {
			return
		}
		rep, err := v.ValidateYAML("fuzz", out)
		if err != nil {
			t.Fatal(err)
		}
		for _, viol := range rep.Violations {
			t.Errorf("schema: %s", viol.Error())
		}
		objs, err := policy.ParseObjects(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range policy.Check(objs).Errors() {
			t.Errorf("policy: %s", f)
		}
	})
}

// FuzzRenderIsIdempotent: rendering the same config twice gives the same
// bytes, and a config that renders once always does.
func FuzzRenderIsIdempotent(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		first, ok1 := renderYAML(t, data)
		again, ok2 := renderYAML(t, bytes.Clone(data))
		if ok1 != ok2 {
			t.Fatalf("accepted once and refused once")
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("two renders of the same config differ")
		}
	})
}
