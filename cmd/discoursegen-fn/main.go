// Command discoursegen-fn is the discoursegen KRM function as an exec
// binary. kustomize runs it for a generators: entry whose config carries
//
//	config.kubernetes.io/function: |
//	  exec:
//	    path: ../../bin/discoursegen-fn
//
// and `kustomize build --enable-alpha-plugins --enable-exec`. Run by hand,
// `discoursegen-fn CONFIG.yaml` prints the site's manifests.
package main

import (
	"fmt"
	"os"

	"discoursegen.dev/discoursegen/functions/discourse"
	"sigs.k8s.io/kustomize/kyaml/fn/framework/command"
)

func main() {
	// noPrintError: kyaml prints the error without a newline, which glues
	// it to kustomize's own message; print it here instead.
	cmd := command.Build(discourse.Processor(), command.StandaloneEnabled, true)
	cmd.Use = "discoursegen-fn [CONFIG.yaml]"
	cmd.Short = "Generate a Discourse site's manifests (KRM function)"
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
