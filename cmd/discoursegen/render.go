package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/functions/discourse"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/schemas"
	"k8s.io/apimachinery/pkg/util/validation/field"
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
	data, err := readConfig(file)
	var tooLarge *discourse.SizeError
	if errors.As(err, &tooLarge) {
		// A problem of the config, reported as the others are.
		fmt.Fprintln(stderr, discourse.Describe(file, field.ErrorList{{Type: field.ErrorTypeTooLong, Detail: tooLarge.Error()}}))
		return exitInvalid
	}
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen render:", err)
		return exitError
	}
	objs, errs := discourse.Render(data)
	if len(errs) > 0 {
		fmt.Fprintln(stderr, discourse.Describe(file, errs))
		return exitInvalid
	}
	out, err := manifest.YAML(objs)
	if err == nil {
		err = validateOutput(file, out)
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
	b, err := schemas.ConfigSchema(v1alpha1.GroupVersionKind)
	if err == nil {
		_, err = stdout.Write(b)
	}
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen schema:", err)
		return exitError
	}
	return exitValid
}
