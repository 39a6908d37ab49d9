package policy_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	policyfn "discoursegen.dev/discoursegen/functions/policy"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

const config = "apiVersion: discoursegen.dev/v1alpha1\nkind: DiscoursePolicy\nmetadata: {name: policy}\n"

// run feeds the function a ResourceList of the committed production
// site, every stage, after edit, and returns the items, the report and the error.
func run(t *testing.T, fnConfig string, edit func(string) string) ([]*kyaml.RNode, string, error) {
	t.Helper()
	var stream bytes.Buffer
	files, err := filepath.Glob("../../golden/production/forum/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		stream.WriteString(edit(string(data)) + "\n---\n")
	}
	items, err := kio.FromBytes(stream.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rl := &framework.ResourceList{Items: items}
	if fnConfig != "" {
		rl.FunctionConfig = kyaml.MustParse(fnConfig)
	}
	var report bytes.Buffer
	err = policyfn.Processor(&report).Process(rl)
	return rl.Items, report.String(), err
}

func same(s string) string { return s }

func TestValidatorPassesAndReturnsItemsUnchanged(t *testing.T) {
	items, report, err := run(t, config, same)
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	before, _, _ := run(t, config, same)
	if len(items) != len(before) || len(items) == 0 {
		t.Fatalf("%d items back", len(items))
	}
	for i := range items {
		if items[i].MustString() != before[i].MustString() {
			t.Errorf("item %d changed", i)
		}
	}
}

func TestValidatorFailsOnABrokenRule(t *testing.T) {
	_, report, err := run(t, config, func(s string) string {
		if strings.Contains(s, "name: forum-scheduler\n") {
			return strings.Replace(s, "replicas: 1", "replicas: 2", 1)
		}
		return s
	})
	if err == nil || !strings.Contains(err.Error(), "DiscoursePolicy: ") || !strings.Contains(err.Error(), "waive.discoursegen.dev/<rule>") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(report, "error[single-scheduler] Deployment forum/forum-scheduler spec.replicas: runs the Sidekiq scheduler in up to 2 pods") {
		t.Errorf("report:\n%s", report)
	}
}

func TestValidatorRefusesBadConfigAndEmptyOutput(t *testing.T) {
	for name, c := range map[string]struct{ config, want string }{
		"no config":  {"", "missing functionConfig"},
		"wrong kind": {"apiVersion: discoursegen.dev/v1alpha1\nkind: Discourse\nmetadata: {name: x}\n", "want discoursegen.dev/v1alpha1 DiscoursePolicy"},
		"settings":   {config + "spec: {disable: [single-scheduler]}\n", "spec must be empty"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := run(t, c.config, same); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
	rl := &framework.ResourceList{FunctionConfig: kyaml.MustParse(config)}
	if err := policyfn.Processor(&bytes.Buffer{}).Process(rl); err == nil || !strings.Contains(err.Error(), "no objects") {
		t.Errorf("empty output: err = %v", err)
	}
}
