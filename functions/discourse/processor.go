package discourse

import (
	"errors"
	"fmt"

	"discoursegen.dev/discoursegen/generator"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// Processor is the KRM function. As a generator it receives only its own
// config as input; it returns only what it generates, because an echoed
// config would leak into the parent overlay's transformers.
func Processor() framework.ResourceListProcessor {
	return framework.ResourceListProcessorFunc(process)
}

func process(rl *framework.ResourceList) error {
	if rl.FunctionConfig == nil {
		return resultError(rl, &ConfigError{Source: "functionConfig", Problems: []Problem{{Message: "missing: the function needs a Discourse config"}}})
	}
	data, err := rl.FunctionConfig.MarshalJSON()
	if err != nil {
		return fmt.Errorf("reading functionConfig: %w", err)
	}
	source := "Discourse " + rl.FunctionConfig.GetName()
	objs, err := Render(source, data)
	if err != nil {
		return resultError(rl, err)
	}
	items, err := ToRNodes(objs)
	if err != nil {
		return err
	}
	rl.Items = items
	return nil
}

// ToRNodes converts rendered objects to kyaml nodes in block style.
func ToRNodes(objs []generator.Object) ([]*kyaml.RNode, error) {
	items := make([]*kyaml.RNode, 0, len(objs))
	for _, o := range objs {
		m, err := generator.ToMap(o)
		if err != nil {
			return nil, err
		}
		b, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		node, err := kyaml.Parse(string(b))
		if err != nil {
			return nil, err
		}
		items = append(items, node)
	}
	return items, nil
}

// resultError records a config error as error results (one per problem,
// with its field path), which kustomize shows and which make the function
// exit non-zero. The items are cleared: a failed render must produce
// nothing, never a partial site.
func resultError(rl *framework.ResourceList, err error) error {
	rl.Items = nil
	var cerr *ConfigError
	if !errors.As(err, &cerr) {
		rl.Results = append(rl.Results, &framework.Result{Message: err.Error(), Severity: framework.Error})
		return err
	}
	for _, p := range cerr.Problems {
		r := &framework.Result{Message: p.Message, Severity: framework.Error}
		if p.Path != "" {
			r.Field = &framework.Field{Path: p.Path}
		}
		rl.Results = append(rl.Results, r)
	}
	return err
}
