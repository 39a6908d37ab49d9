package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/generator"
)

// runRender implements `discoursegen render FILE`. On any problem it
// prints nothing to stdout, so `discoursegen render x.yaml > out.yaml`
// never leaves a half-written manifest that looks valid.
func runRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: discoursegen render FILE\n\nRenders one Discourse config (without kustomize) to stdout.\n")
	}
	if err := fs.Parse(args); err != nil {
		return exitError
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitError
	}
	file := fs.Arg(0)
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen render:", err)
		return exitError
	}
	objs, err := discourse.Render(file, data)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	out, err := generator.ToYAML(objs)
	if err == nil {
		err = validateObjects(file, objs)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintln(stderr, "discoursegen render:", err)
		return exitError
	}
	return exitValid
}

func runSchema(args []string, stdout, stderr io.Writer) int {
	if len(args) != 0 {
		fmt.Fprint(stderr, "usage: discoursegen schema\n\nPrints the JSON schema of the Discourse config (for editors).\n")
		return exitError
	}
	b, err := generator.ConfigSchema()
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen schema:", err)
		return exitError
	}
	stdout.Write(b)
	return exitValid
}
