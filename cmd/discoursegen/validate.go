package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"discoursegen.dev/discoursegen/policy"
	"discoursegen.dev/discoursegen/schemas"
)

// Exit codes of `discoursegen validate`, following the diff/grep
// convention: 1 means "the answer is no", 2 means "could not answer".
const (
	exitValid   = 0
	exitInvalid = 1
	exitError   = 2
)

// runValidate implements `discoursegen validate [PATH...]`: it validates
// rendered manifests against the embedded schemas, prints one violation per
// line on stderr followed by a summary, and returns the exit code. Nothing
// is written to stdout: the report is for humans, and keeping stdout empty
// lets the command sit in a pipeline.
func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	checkPolicy := fs.Bool("policy", true, "also check the DiscoursePolicy rules; -policy=false checks the schemas alone, for manifests that are not a Discourse site")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: discoursegen validate [-policy=false] [PATH...]

Validates Kubernetes manifests against the strict JSON schemas built into
discoursegen, then against the DiscoursePolicy rules (docs/policy.md).
PATHs are files or directories; directories are searched recursively for
*.yaml, *.yml and *.json. The default PATH is "golden". kustomization.yaml
files are checked against kustomize's Kustomization type. The policy
judges each topmost directory that holds a kustomization.yaml (such as
golden/<env>) as one output.

Every violation and policy finding (warnings and waived ones included) is
printed on its own line to stderr, followed by a summary. A PATH without
any object is refused: an empty render must never pass.

Exit status: 0 all valid, 1 violations found or no objects, 2 usage or I/O error.
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitValid
		}
		return exitError
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"golden"}
	}

	v, err := schemas.Default()
	if err != nil {
		fmt.Fprintf(stderr, "discoursegen validate: %v\n", err)
		return exitError
	}
	rep, ioErr := v.ValidatePaths(paths...)
	for _, vi := range rep.Violations {
		fmt.Fprintln(stderr, vi.Error())
	}
	failed := len(rep.Violations) > 0
	var policyErrors, policyWarnings int
	if ioErr == nil && *checkPolicy {
		scopes, reports, err := checkPolicyPaths(paths)
		ioErr = err
		for _, scope := range scopes {
			r, ok := reports[scope]
			if !ok {
				continue
			}
			for _, f := range r.Findings {
				fmt.Fprintf(stderr, "%s: %s\n", scope, f)
				if f.Waived == "" && f.Severity == policy.Warning {
					policyWarnings++
				}
			}
			policyErrors += len(r.Errors())
		}
	}
	failed = failed || policyErrors > 0
	summary := fmt.Sprintf("%d objects in %d files: %d invalid, %d policy errors, %d policy warnings", rep.Objects, rep.Files, rep.Invalid(), policyErrors, policyWarnings)
	if n := rep.FileProblems(); n > 0 {
		summary += fmt.Sprintf(", %d file problems", n)
	}
	fmt.Fprintln(stderr, summary)
	if ioErr == nil && rep.Objects == 0 {
		fmt.Fprintf(stderr, "discoursegen validate: no objects in %s; an empty render is never valid\n", strings.Join(paths, ", "))
		return exitInvalid
	}
	if ioErr != nil {
		// ValidatePaths joins one error per unreadable path; give each its
		// own line, like the violations above.
		errs := []error{ioErr}
		if j, ok := ioErr.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			fmt.Fprintf(stderr, "discoursegen validate: %v\n", e)
		}
		return exitError
	}
	if failed {
		return exitInvalid
	}
	return exitValid
}
