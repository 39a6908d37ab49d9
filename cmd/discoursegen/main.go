package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: discoursegen COMMAND [ARGS]

Commands:
  generate [--check] [--force]
                       render every environment in clusters/ into golden/
  diff [--base REF]    compare golden/ as committed at REF (default HEAD) with a render of
                       the working tree, flagging risky changes; exit 1 if anything changed
  pin ENV IMAGE        set the release ENV runs (clusters/ENV/site/release.yaml)
  promote FROM TO      copy the release FROM runs to TO
  render FILE          render one Discourse config to stdout
  validate [PATH...]   validate manifests against the strict schemas and the DiscoursePolicy rules
  schema               print the JSON schema of the Discourse config
  fn [CONFIG]          the exec KRM function kustomize runs (reads a ResourceList)

Run "discoursegen COMMAND -h" for a command's flags.
`

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fn" {
		paceFunctionProcess()
		os.Exit(runFn(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command and returns its exit code: 0 success, 1 the
// command's own failure (invalid input, stale output), 2 usage or I/O.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	switch args[0] {
	case "generate":
		return runGenerate(args[1:], stdout, stderr)
	case "pin":
		return runPin(args[1:], stdout, stderr)
	case "promote":
		return runPromote(args[1:], stdout, stderr)
	case "diff":
		return runDiff(args[1:], stdout, stderr)
	case "render":
		return runRender(args[1:], stdout, stderr)
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "schema":
		return runSchema(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitValid
	}
	fmt.Fprintf(stderr, "discoursegen: unknown command %q\n\n%s", args[0], usage)
	return exitError
}
