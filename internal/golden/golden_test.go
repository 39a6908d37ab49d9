package golden

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/build"
)

// object is a rendered object of a site in stage; an empty site means no
// instance label, an empty stage no stage annotation at all.
func object(kind, namespace, name, site string, stage generator.Stage) build.Resource {
	o := build.Resource{
		APIVersion: "v1", Kind: kind, Namespace: namespace, Name: name,
		YAML: []byte("kind: " + kind + "\nmetadata:\n  name: " + name + "\n"),
	}
	if site != "" {
		o.Labels = map[string]string{generator.LabelInstance: site}
	}
	if stage != "" {
		o.Annotations = map[string]string{generator.AnnotationStage: string(stage)}
	}
	return o
}

// fluxKustomization is a site's Flux Kustomization applying path, as the
// generator renders it.
func fluxKustomization(site, name, path string) build.Resource {
	o := object("Kustomization", "flux-system", name, site, generator.StageFlux)
	o.APIVersion = "kustomize.toolkit.fluxcd.io/v1"
	o.YAML = []byte("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n  namespace: flux-system\nspec:\n  path: " + path + "\n  prune: true\n")
	return o
}

// resources reads the resources list of a kustomization.yaml Layout wrote.
func resources(t *testing.T, data []byte) []string {
	t.Helper()
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v\n%s", err, data)
	}
	if k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml has kind %q", k.Kind)
	}
	return k.Resources
}

func TestLayout(t *testing.T) {
	tests := []struct {
		name string
		objs []build.Resource
		// want maps every file Layout returns, in order, to the resources
		// of a kustomization.yaml, to the spec.path of a Flux
		// Kustomization, or, for another object, nil.
		want [][2]any
		// wantErr lists what the error must name; nil means no error.
		wantErr []string
	}{{
		name: "a site's stages are listed in apply order, not alphabetically",
		objs: []build.Resource{
			object("Deployment", "forum", "web", "forum", generator.StageApp),
			object("Job", "forum", "migrate", "forum", generator.StageMigrate),
			object("Job", "forum", "post-migrate", "forum", generator.StagePostMigrate),
			object("Namespace", "", "forum", "forum", generator.StageData),
			fluxKustomization("forum", "forum-app", "./forum/app"),
		},
		want: [][2]any{
			{"staging/flux/kustomization-forum-app.yaml", "./golden/staging/forum/app"},
			{"staging/flux/kustomization.yaml", []string{"kustomization-forum-app.yaml"}},
			{"staging/forum/app/deployment-web.yaml", nil},
			{"staging/forum/app/kustomization.yaml", []string{"deployment-web.yaml"}},
			{"staging/forum/data/kustomization.yaml", []string{"namespace-forum.yaml"}},
			{"staging/forum/data/namespace-forum.yaml", nil},
			// flux is bootstrapped by the cluster, not applied by the site.
			{"staging/forum/kustomization.yaml", []string{"data", "migrate", "app", "post-migrate"}},
			{"staging/forum/migrate/job-migrate.yaml", nil},
			{"staging/forum/migrate/kustomization.yaml", []string{"job-migrate.yaml"}},
			{"staging/forum/post-migrate/job-post-migrate.yaml", nil},
			{"staging/forum/post-migrate/kustomization.yaml", []string{"job-post-migrate.yaml"}},
			{"staging/kustomization.yaml", []string{"forum"}},
		},
	}, {
		name: "two sites: each its own directories, one flux directory",
		objs: []build.Resource{
			object("Deployment", "forum", "forum-web", "forum", generator.StageApp),
			object("Deployment", "community", "community-web", "community", generator.StageApp),
			object("Namespace", "", "community", "community", generator.StageData),
			fluxKustomization("forum", "forum-app", "./forum/app"),
			fluxKustomization("community", "community-app", "./community/app"),
		},
		want: [][2]any{
			{"staging/community/app/deployment-community-web.yaml", nil},
			{"staging/community/app/kustomization.yaml", []string{"deployment-community-web.yaml"}},
			{"staging/community/data/kustomization.yaml", []string{"namespace-community.yaml"}},
			{"staging/community/data/namespace-community.yaml", nil},
			{"staging/community/kustomization.yaml", []string{"data", "app"}},
			{"staging/flux/kustomization-community-app.yaml", "./golden/staging/community/app"},
			{"staging/flux/kustomization-forum-app.yaml", "./golden/staging/forum/app"},
			{"staging/flux/kustomization.yaml", []string{"kustomization-community-app.yaml", "kustomization-forum-app.yaml"}},
			{"staging/forum/app/deployment-forum-web.yaml", nil},
			{"staging/forum/app/kustomization.yaml", []string{"deployment-forum-web.yaml"}},
			{"staging/forum/kustomization.yaml", []string{"app"}},
			{"staging/kustomization.yaml", []string{"community", "forum"}},
		},
	}, {
		name: "objects without a stage land in app, without a site in the only site",
		objs: []build.Resource{
			object("Service", "forum", "web", "forum", generator.StageApp),
			object("ConfigMap", "forum", "extra", "", ""),
			object("Secret", "forum", "db", "forum", generator.StageData),
		},
		want: [][2]any{
			{"staging/forum/app/configmap-extra.yaml", nil},
			{"staging/forum/app/kustomization.yaml", []string{"configmap-extra.yaml", "service-web.yaml"}},
			{"staging/forum/app/service-web.yaml", nil},
			{"staging/forum/data/kustomization.yaml", []string{"secret-db.yaml"}},
			{"staging/forum/data/secret-db.yaml", nil},
			{"staging/forum/kustomization.yaml", []string{"data", "app"}},
			{"staging/kustomization.yaml", []string{"forum"}},
		},
	}, {
		// Same kind and name in another namespace map to one file name:
		// an error naming both, rather than one replacing the other.
		name: "two objects for one file",
		objs: []build.Resource{
			object("ConfigMap", "forum", "settings", "forum", generator.StageData),
			object("ConfigMap", "other", "settings", "forum", generator.StageData),
		},
		wantErr: []string{"forum/settings", "other/settings", "staging/forum/data/configmap-settings.yaml"},
	}, {
		name: "with two sites, an object must say whose it is",
		objs: []build.Resource{
			object("Deployment", "forum", "forum-web", "forum", generator.StageApp),
			object("Deployment", "community", "community-web", "community", generator.StageApp),
			object("ConfigMap", "forum", "extra", "", generator.StageApp),
		},
		wantErr: []string{"2 sites", "ConfigMap extra", generator.LabelInstance},
	}, {
		name: "a Flux Kustomization may not apply another site's stage",
		objs: []build.Resource{
			object("Deployment", "forum", "forum-web", "forum", generator.StageApp),
			object("Deployment", "community", "community-web", "community", generator.StageApp),
			fluxKustomization("community", "community-app", "./forum/app"),
		},
		wantErr: []string{"community-app", `site "community"`, `"./forum/app"`, `site "forum"`},
	}, {
		name: "a Flux Kustomization must apply a stage generate writes",
		objs: []build.Resource{
			object("Deployment", "forum", "forum-web", "forum", generator.StageApp),
			fluxKustomization("forum", "forum-migrate", "./forum/migrate"),
			fluxKustomization("forum", "forum-prod", "./golden/production/forum/app"),
		},
		wantErr: []string{"forum-migrate", "./forum/migrate", "forum-prod", "./golden/production/forum/app", "not a stage generate writes"},
	}, {
		name: "a site may not be named like the flux directory",
		objs: []build.Resource{
			object("Deployment", "flux", "flux-web", "flux", generator.StageApp),
		},
		wantErr: []string{`site named "flux"`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Layout("golden", "staging", tt.objs)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; files %v", files)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name %s", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][2]any
			for _, f := range files {
				if !generated(f.Data) {
					t.Errorf("%s does not start with the generated marker:\n%s", f.Path, f.Data)
				}
				var res any
				switch {
				case strings.HasSuffix(f.Path, "/kustomization.yaml"):
					res = resources(t, f.Data)
				case strings.Contains(f.Path, "/flux/"):
					var k struct {
						Spec struct{ Path string } `json:"spec"`
					}
					if err := yaml.Unmarshal(f.Data, &k); err != nil {
						t.Fatal(err)
					}
					res = k.Spec.Path
				}
				got = append(got, [2]any{f.Path, res})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			for _, o := range tt.objs {
				if IsFluxKustomization(o) {
					continue
				}
				i := slices.IndexFunc(files, func(f File) bool { return strings.HasSuffix(string(f.Data), string(o.YAML)) })
				if i < 0 {
					t.Errorf("%s %s: no file holds its YAML", o.Kind, o.Name)
				}
			}
		})
	}
}

func TestReadmeIsGenerated(t *testing.T) {
	if r := Readme(); !generated(r.Data) {
		t.Errorf("README.md would be taken for the user's:\n%s", r.Data)
	}
}
