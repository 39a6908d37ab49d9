package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"discoursegen.dev/discoursegen/policy"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// APIVersion and Kind name the function config:
//
//	apiVersion: discoursegen.dev/v1alpha1
//	kind: DiscoursePolicy
const (
	APIVersion = "discoursegen.dev/v1alpha1"
	Kind       = "DiscoursePolicy"
)

// Processor is the validator KRM function. It returns the items unchanged
// and fails the build on any error finding. Overlays list it last under
// transformers:, which kustomize runs after the overlay's patches, not
// under validators:, which kustomize v5 cannot run an exec function as:
// it compares the returned nodes with reflect.DeepEqual, line numbers
// included, so even a function that echoes its input fails with
// "validator shouldn't modify the resource map" (kustomize
// api/resmap/reswrangler.go ErrorIfNotEqualSets;
// kubernetes-sigs/kustomize#5036). The whole
// report, warnings and waived findings included, goes to report (stderr),
// because kustomize shows a function's stderr and drops its results
// unless it fails.
func Processor(report io.Writer) framework.ResourceListProcessor {
	return framework.ResourceListProcessorFunc(func(rl *framework.ResourceList) error {
		return process(rl, report)
	})
}

// config is the DiscoursePolicy. It has no knobs: rules are waived per
// object, with a reason, never switched off for a whole build.
type config struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   map[string]any `json:"metadata"`
	Spec       map[string]any `json:"spec,omitempty"`
}

func process(rl *framework.ResourceList, report io.Writer) error {
	if err := CheckConfig(rl.FunctionConfig); err != nil {
		return fail(rl, err.Error())
	}
	if len(rl.Items) == 0 {
		return fail(rl, "the output holds no objects: an empty render would make Flux prune the site; is the generator listed and exec enabled?")
	}
	objs := make([]policy.Object, 0, len(rl.Items))
	for _, item := range rl.Items {
		o, err := object(item)
		if err != nil {
			return fail(rl, fmt.Sprintf("%s %s: %v", item.GetKind(), item.GetName(), err))
		}
		objs = append(objs, o)
	}
	rep := policy.Check(objs)
	fmt.Fprint(report, rep.String())
	for _, f := range rep.Findings {
		rl.Results = append(rl.Results, result(f))
	}
	if rep.Failed() {
		// The findings are printed above and kept as results; the error
		// is the one line kustomize shows after them.
		return Failure(len(rep.Errors()))
	}
	return nil
}

// Failure is the one line that ends a report with n rule violations:
// the function's error, and generate's when it runs the rules in-process.
func Failure(n int) error {
	return fmt.Errorf("DiscoursePolicy: %d rule violation%s; fix them, or waive a rule on one object with the annotation %s<rule>: <why it does not apply>", n, plural(n), policy.WaiverPrefix)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// object converts a kyaml item without kustomize's internal annotations
// (config.kubernetes.io/index and friends, which kustomize adds for the
// function and strips again).
func object(n *kyaml.RNode) (policy.Object, error) {
	js, err := n.MarshalJSON()
	if err != nil {
		return policy.Object{}, err
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		return policy.Object{}, err
	}
	if meta, ok := raw["metadata"].(map[string]any); ok {
		if ann, ok := meta["annotations"].(map[string]any); ok {
			for k := range ann {
				if strings.HasPrefix(k, "config.kubernetes.io/") || strings.HasPrefix(k, "internal.config.kubernetes.io/") || k == "kustomize.config.k8s.io/id" {
					delete(ann, k)
				}
			}
			if len(ann) == 0 {
				delete(meta, "annotations")
			}
		}
	}
	return policy.NewObject(raw)
}

// CheckConfig refuses a config that is not a DiscoursePolicy, or that
// carries a spec: the policy has no settings, and a field that looks like
// one would be silently ignored.
func CheckConfig(n *kyaml.RNode) error {
	if n == nil {
		return fmt.Errorf("missing functionConfig: the validator needs a %s %s", APIVersion, Kind)
	}
	js, err := n.MarshalJSON()
	if err != nil {
		return err
	}
	var c config
	if err := json.Unmarshal(js, &c); err != nil {
		return fmt.Errorf("functionConfig: %v", err)
	}
	if c.APIVersion != APIVersion || c.Kind != Kind {
		return fmt.Errorf("functionConfig is %s %s; want %s %s", c.APIVersion, c.Kind, APIVersion, Kind)
	}
	if len(c.Spec) > 0 {
		return fmt.Errorf("%s has no settings, so spec must be empty: rules are waived per object with the annotation %s<rule>: <reason>", Kind, policy.WaiverPrefix)
	}
	return nil
}

func fail(rl *framework.ResourceList, msg string) error {
	r := &framework.Result{Message: msg, Severity: framework.Error}
	rl.Results = append(rl.Results, r)
	return framework.Results{r}
}

// result is a finding as a KRM result; a waived finding is info.
func result(f policy.Finding) *framework.Result {
	sev := framework.Error
	switch {
	case f.Waived != "":
		sev = framework.Info
	case f.Severity == policy.Warning:
		sev = framework.Warning
	}
	r := &framework.Result{
		Message:     fmt.Sprintf("[%s] %s", f.Rule, f.Message),
		Severity:    sev,
		ResourceRef: &kyaml.ResourceIdentifier{TypeMeta: kyaml.TypeMeta{Kind: f.Object.Kind}, NameMeta: kyaml.NameMeta{Name: f.Object.Name, Namespace: f.Object.Namespace}},
		Tags:        map[string]string{"rule": f.Rule},
	}
	if f.Waived != "" {
		r.Tags["waived"] = f.Waived
	}
	if f.Field != "" {
		r.Field = &framework.Field{Path: f.Field}
	}
	return r
}
