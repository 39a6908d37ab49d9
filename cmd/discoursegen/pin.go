package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"discoursegen.dev/discoursegen/internal/release"
)

// runPin implements `discoursegen pin [--clusters DIR] ENV IMAGE`.
func runPin(args []string, stdout, stderr io.Writer) int {
	flags, clusters, ok := releaseFlags("pin", "ENV "+release.Form,
		"Sets the release every site of ENV runs, in its release.yaml. Environments with\nprofile production take only images pinned by digest.", args, stderr)
	if !ok {
		return exitError
	}
	img, err := release.ParseImage(flags.Arg(1))
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen pin:", err)
		return exitInvalid
	}
	change, err := release.Pin(clusters, flags.Arg(0), img)
	return report("pin", change, err, stdout, stderr)
}

// runPromote implements `discoursegen promote [--clusters DIR] FROM TO`.
func runPromote(args []string, stdout, stderr io.Writer) int {
	flags, clusters, ok := releaseFlags("promote", "FROM TO",
		"Copies the release FROM runs (repository, tag and digest) to TO. An environment\nwith profile production takes it only when FROM pins it by digest.", args, stderr)
	if !ok {
		return exitError
	}
	change, err := release.Promote(clusters, flags.Arg(0), flags.Arg(1))
	return report("promote", change, err, stdout, stderr)
}

// releaseFlags parses the flags of pin and promote, which take the same
// flag and two arguments; ok is false after a usage error.
func releaseFlags(cmd, operands, about string, args []string, stderr io.Writer) (flags *flag.FlagSet, clusters string, ok bool) {
	flags = flag.NewFlagSet(cmd, flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&clusters, "clusters", "clusters", "directory with one kustomization per environment (base/ is skipped)")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: discoursegen %s [--clusters DIR] %s\n\n%s\n\n", cmd, operands, about)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return nil, "", false
	}
	if flags.NArg() != 2 {
		flags.Usage()
		return nil, "", false
	}
	return flags, clusters, true
}

// report prints the one line of a pin or promote and returns its exit
// code. A refusal (bad environment, production rule, a pin that would
// not take effect) is the command's own failure; an I/O failure is not.
func report(cmd string, change release.Change, err error, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "discoursegen %s: %v\n", cmd, err)
		var pathErr *fs.PathError
		var linkErr *os.LinkError
		if errors.As(err, &pathErr) || errors.As(err, &linkErr) {
			return exitError
		}
		return exitInvalid
	}
	if !change.Changed() {
		fmt.Fprintf(stdout, "%s: already pins %s; nothing written\n", change.File, change.New)
		return exitValid
	}
	if change.Relaid {
		fmt.Fprintf(stderr, "warning: %s: kyaml also changed its layout (blank lines inside a mapping, indentation); comments and key order are kept; check git diff\n", change.File)
	}
	fmt.Fprintf(stdout, "%s: %s -> %s; run make generate\n", change.File, change.Old, change.New)
	return exitValid
}
