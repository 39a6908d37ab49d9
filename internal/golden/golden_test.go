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

// object is a rendered object in stage; an empty stage means no stage
// annotation at all.
func object(kind, namespace, name string, stage generator.Stage) build.Resource {
	o := build.Resource{
		APIVersion: "v1", Kind: kind, Namespace: namespace, Name: name,
		YAML: []byte("kind: " + kind + "\nmetadata:\n  name: " + name + "\n"),
	}
	if stage != "" {
		o.Annotations = map[string]string{generator.AnnotationStage: string(stage)}
	}
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
		// of a kustomization.yaml or, for an object, nil.
		want [][2]any
		// wantErr lists what the error must name; nil means no error.
		wantErr []string
	}{{
		name: "stages are listed in apply order, not alphabetically",
		objs: []build.Resource{
			object("Deployment", "forum", "web", generator.StageApp),
			object("Job", "forum", "migrate", generator.StageMigrate),
			object("Namespace", "", "forum", generator.StageData),
			object("Kustomization", "flux-system", "forum-app", generator.StageFlux),
		},
		want: [][2]any{
			{"staging/app/deployment-web.yaml", nil},
			{"staging/app/kustomization.yaml", []string{"deployment-web.yaml"}},
			{"staging/data/kustomization.yaml", []string{"namespace-forum.yaml"}},
			{"staging/data/namespace-forum.yaml", nil},
			{"staging/flux/kustomization-forum-app.yaml", nil},
			{"staging/flux/kustomization.yaml", []string{"kustomization-forum-app.yaml"}},
			// flux is bootstrapped by the cluster, not applied by the env.
			{"staging/kustomization.yaml", []string{"data", "migrate", "app"}},
			{"staging/migrate/job-migrate.yaml", nil},
			{"staging/migrate/kustomization.yaml", []string{"job-migrate.yaml"}},
		},
	}, {
		name: "objects without a stage land in app; only stages present are listed",
		objs: []build.Resource{
			object("Service", "forum", "web", generator.StageApp),
			object("ConfigMap", "forum", "extra", ""),
			object("Secret", "forum", "db", generator.StageData),
		},
		want: [][2]any{
			{"staging/app/configmap-extra.yaml", nil},
			{"staging/app/kustomization.yaml", []string{"configmap-extra.yaml", "service-web.yaml"}},
			{"staging/app/service-web.yaml", nil},
			{"staging/data/kustomization.yaml", []string{"secret-db.yaml"}},
			{"staging/data/secret-db.yaml", nil},
			{"staging/kustomization.yaml", []string{"data", "app"}},
		},
	}, {
		// Same kind and name in another namespace map to one file name:
		// an error naming both, rather than one replacing the other.
		name: "two objects for one file",
		objs: []build.Resource{
			object("ConfigMap", "forum", "settings", generator.StageData),
			object("ConfigMap", "other", "settings", generator.StageData),
		},
		wantErr: []string{"forum/settings", "other/settings", "staging/data/configmap-settings.yaml"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Layout("staging", tt.objs)
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
				if strings.HasSuffix(f.Path, "/kustomization.yaml") {
					res = resources(t, f.Data)
				}
				got = append(got, [2]any{f.Path, res})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			for _, o := range tt.objs {
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
