package policy_test

import (
	"testing"

	"discoursegen.dev/discoursegen/policy"
)

// FuzzCheck: whatever objects arrive, parsed from any YAML, Check returns
// a report, never a panic, and the same report every time. The seed
// corpus (testdata/fuzz/FuzzCheck) holds rendered sites, broken ones
// included.
func FuzzCheck(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := policy.ParseObjects(data)
		if err != nil {
			return
		}
		first := policy.Check(objs).String()
		if again := policy.Check(objs).String(); again != first {
			t.Fatalf("two checks of the same objects differ:\n%s\n---\n%s", first, again)
		}
	})
}
