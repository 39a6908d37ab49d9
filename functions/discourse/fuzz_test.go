package discourse_test

import (
	"os"
	"path/filepath"
	"testing"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/internal/manifest"
)

// FuzzRender: whatever bytes arrive as a config, loading, rendering and
// encoding return objects or problems, never a panic, and never both.
// Every config in testdata seeds it.
func FuzzRender(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/config.yaml")
	more, _ := filepath.Glob("../../generator/testdata/*/config.yaml")
	for _, p := range append(seeds, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: discoursegen.dev/v1alpha1\nkind: Discourse\nmetadata: {name: f}\nspec: {profile: local, hostname: f.test, image: {repository: r, tag: v1}, uploads: {volume: {size: lots}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, errs := discourse.Render(data)
		if len(errs) > 0 {
			if objs != nil {
				t.Fatal("objects returned with problems")
			}
			_ = discourse.Describe("fuzz", errs)
			return
		}
		if len(objs) == 0 {
			t.Fatal("no objects and no problems")
		}
		if _, err := manifest.YAML(objs); err != nil {
			t.Fatalf("encoding: %v", err)
		}
	})
}
