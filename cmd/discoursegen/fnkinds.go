package main

import (
	"fmt"
	"io"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/functions/discourse"
	policyfn "discoursegen.dev/discoursegen/functions/policy"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
)

// fnProcessor is the one exec function behind `discoursegen fn`: the kind
// of its config picks the role, so that every overlay runs the same
// binary, the build generate checks. A Discourse config makes it the
// generator; a DiscoursePolicy makes it the validator of the final output,
// which reports on report.
func fnProcessor(report io.Writer) framework.ResourceListProcessor {
	return framework.ResourceListProcessorFunc(func(rl *framework.ResourceList) error {
		if rl.FunctionConfig != nil && rl.FunctionConfig.GetKind() == policyfn.Kind {
			return policyfn.Processor(report).Process(rl)
		}
		if rl.FunctionConfig != nil && rl.FunctionConfig.GetKind() != v1alpha1.Kind {
			// The generator's own error names the supported kinds; say
			// that the validator is one too.
			fmt.Fprintf(report, "discoursegen fn: a config of kind %s %s is neither a %s nor a %s\n", rl.FunctionConfig.GetApiVersion(), rl.FunctionConfig.GetKind(), v1alpha1.Kind, policyfn.Kind)
		}
		return discourse.Processor().Process(rl)
	})
}
