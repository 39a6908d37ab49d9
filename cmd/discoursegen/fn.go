package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"sigs.k8s.io/kustomize/kyaml/fn/framework/command"
)

// paceFunctionProcess sets the collector of a process that runs only
// runFn. kustomize starts one function process per site config, and each
// lives for one small ResourceList: at Go's default pace the collector
// ran over and over on a heap of a few MiB, a quarter of the process's
// time (make bench, fn row). A slower pace for small heaps, and a soft
// memory limit near which the collector works as hard as it must, keep
// the process quick and bounded: stdin is capped at 32 MiB (fnInput), and
// TestHostileInput holds the real binary's peak RSS under 300 MB. main
// calls it, not runFn, so that tests running runFn keep their own pace.
func paceFunctionProcess() {
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(192 << 20)
}

// runFn implements `discoursegen fn`: the exec KRM function. kustomize runs
// it for a generators: entry whose config carries
//
//	config.kubernetes.io/function: |
//	  exec:
//	    path: ../../bin/discoursegen
//	    args: [fn]
//
// under `kustomize build --enable-alpha-plugins --enable-exec`. It is a
// subcommand, not a second binary, so that `discoursegen generate` can
// check that the function kustomize runs is the build that is running.
// Run by hand, `discoursegen fn CONFIG.yaml` prints the site's manifests.
func runFn(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Bounded input (limits.go): the config file checked now, stdin
	// capped and its functionConfig measured before kyaml parses it.
	stdin, err := fnInput(args, stdin)
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen fn:", err)
		return exitInvalid
	}
	// noPrintError: kyaml prints the error without a newline, which glues
	// it to kustomize's own message; print it here instead.
	cmd := command.Build(fnProcessor(stderr), command.StandaloneEnabled, true)
	cmd.Use = "discoursegen fn [CONFIG.yaml]"
	cmd.Short = "Generate a Discourse site's manifests (the exec KRM function)"
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	return exitValid
}
