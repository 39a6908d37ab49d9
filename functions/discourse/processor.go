package discourse

import (
	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/manifest"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Processor is the KRM function. As a generator it receives only its own
// config as input; it returns only what it generates, because an echoed
// config would leak into the parent overlay's transformers.
func Processor() framework.ResourceListProcessor {
	return framework.ResourceListProcessorFunc(process)
}

func process(rl *framework.ResourceList) error {
	if rl.FunctionConfig == nil || isEmpty(rl.FunctionConfig.YNode()) {
		return fail(rl, field.ErrorList{problem("missing functionConfig: the function needs a Discourse config")})
	}
	objs, errs := RenderNode(rl.FunctionConfig)
	if len(errs) > 0 {
		return fail(rl, errs)
	}
	items := make([]*kyaml.RNode, 0, len(objs))
	for _, o := range objs {
		n, err := manifest.Encode(o)
		if err != nil {
			return fail(rl, field.ErrorList{problem(err.Error())})
		}
		items = append(items, n)
	}
	rl.Items = items
	return nil
}

// RenderNode renders a config kustomize has already parsed: the
// function's functionConfig, or a generator config `discoursegen
// generate` renders in-process. It is Render with the limits checked on
// the node: the values first, so that no encoding expands an alias bomb,
// then the size as YAML, as the config was written.
func RenderNode(config *kyaml.RNode) ([]generator.Object, field.ErrorList) {
	if errs := checkNode(config.YNode()); len(errs) > 0 {
		return nil, errs
	}
	text, err := config.String()
	if err == nil {
		err = CheckSize(int64(len(text)), false)
	}
	if err != nil {
		return nil, field.ErrorList{problem("functionConfig: " + err.Error())}
	}
	// kyaml's JSON refuses a duplicate key, as YAMLToJSONStrict does.
	data, err := config.MarshalJSON()
	if err != nil {
		return nil, field.ErrorList{problem("reading functionConfig: " + err.Error())}
	}
	return renderJSON(data)
}

// fail records the problems as error results, one per problem with its
// field path, which kustomize shows and which make the function exit
// non-zero; the results are also the error (kyaml's convention). The items
// are cleared: a failed render must produce nothing, never a partial site.
func fail(rl *framework.ResourceList, errs field.ErrorList) error {
	rl.Items = nil
	results := toResults(errs)
	rl.Results = append(rl.Results, results...)
	return results
}

// toResults is the one conversion from field.ErrorList to kyaml's results.
func toResults(errs field.ErrorList) framework.Results {
	results := make(framework.Results, 0, len(errs))
	for _, e := range errs {
		r := &framework.Result{Message: e.Detail, Severity: framework.Error}
		if e.Field != "" {
			r.Field = &framework.Field{Path: e.Field}
		}
		results = append(results, r)
	}
	return results
}
