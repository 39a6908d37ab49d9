package generator_test

import (
	"os"
	"path/filepath"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/generator"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// FuzzRenderWithoutSchema is the library on its own: a config decoded
// leniently, never checked against the JSON schema (negative counts, zero
// sizes, empty strings, huge numbers), must come back as objects or
// problems, never as a panic.
func FuzzRenderWithoutSchema(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/config.yaml")
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: discoursegen.dev/v1alpha1\nkind: Discourse\nmetadata: {name: f}\nspec: {profile: production, hostname: f.test, image: {repository: r, tag: v1}, web: {replicas: -5, unicornWorkers: 0}, postgres: {pool: -1, cnpg: {instances: 0, pooler: {instances: 0}, storage: {size: '-1'}}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var cfg v1alpha1.Discourse
		if yaml.Unmarshal(data, &cfg) != nil {
			return
		}
		objs, errs := generator.Render(cfg)
		if (len(objs) == 0) == (len(errs) == 0) {
			t.Fatalf("%d objects and %d problems; want exactly one of them", len(objs), len(errs))
		}
	})
}

// TestRenderIsSafeOnItsOwn covers what used to panic or mutate: an empty
// config, sizes no volume can have, and a second render of the same value.
func TestRenderIsSafeOnItsOwn(t *testing.T) {
	if objs, errs := generator.Render(v1alpha1.Discourse{}); objs != nil || len(errs) == 0 {
		t.Errorf("an empty config rendered %d objects and %d problems", len(objs), len(errs))
	}
	cfg := v1alpha1.Discourse{
		TypeMeta: v1alpha1.Discourse{}.TypeMeta,
		Metadata: v1alpha1.ConfigMeta{Name: "forum"},
		Spec: v1alpha1.Spec{
			Profile: v1alpha1.ProfileLocal, Hostname: "forum.localtest.me",
			Image:   v1alpha1.Image{Repository: "r", Tag: "v1"},
			Uploads: v1alpha1.Uploads{Volume: v1alpha1.Volume{Size: resource.NewQuantity(0, resource.BinarySI)}},
		},
	}
	cfg.APIVersion, cfg.Kind = v1alpha1.APIVersion, v1alpha1.Kind
	before := cfg.DeepCopy()
	_, errs := generator.Render(cfg)
	if len(errs) != 1 || errs[0].Field != "spec.uploads.volume.size" {
		t.Errorf("a zero upload volume: got %v, want one problem at spec.uploads.volume.size", errs)
	}
	if diff := cmp.Diff(before, &cfg); diff != "" {
		t.Errorf("Render changed its argument:\n%s", diff)
	}
	cfg.Spec.Uploads.Volume.Size = nil
	first, errs := generator.Render(cfg)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	again, _ := generator.Render(cfg)
	if len(first) != len(again) || cfg.Spec.Web.Replicas != nil {
		t.Error("a second render of the same value differs, or the first filled in its defaults")
	}
}
