package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/golden"
	"discoursegen.dev/discoursegen/schemas"
)

// runGenerate implements `discoursegen generate [--check] [--force]`.
//
// It holds a lock for the whole run (lockOutput), so concurrent runs
// follow one another, each rendering what clusters/ holds when its turn
// comes. It writes nothing while golden/ holds a file it did not write,
// unless --force keeps such files. It writes by replacing golden/ as a
// whole (golden.Swap), so a run killed at any moment leaves the old tree
// or the new one.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "change nothing; list the files that would change, and the files generate did not write, and exit 1 if there are any")
	force := fs.Bool("force", false, "keep the files in the output directory that generate did not write (with a warning) instead of refusing to write")
	clusters := fs.String("clusters", "clusters", "directory with one kustomization per environment (base/ is skipped)")
	out := fs.String("out", "golden", "output directory, replaced as a whole on every write; generate writes nothing outside it but a hidden staging directory beside it")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: discoursegen generate [--check] [--force] [--clusters DIR] [--out DIR]\n\nRenders every environment in-process (kustomize with exec functions) and writes one file per object.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitError
	}
	// Checked before the lock, which creates the output's parent: an
	// output outside the repository is refused without touching anything.
	root, err := outputRoot(*clusters, *out)
	if err == nil {
		// Every write replaces out whole, so out must hold only output:
		// not the repository, not clusters/, nothing inside clusters/.
		absOut, _ := filepath.Abs(*out)
		absClusters, _ := filepath.Abs(*clusters)
		for _, dirs := range [][2]string{{absOut, absClusters}, {absClusters, absOut}} {
			if rel, relErr := filepath.Rel(dirs[0], dirs[1]); relErr == nil && filepath.IsLocal(rel) {
				err = fmt.Errorf("--out %s and --clusters %s overlap: generate replaces the output directory as a whole, so it must be a directory of its own", *out, *clusters)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen generate:", err)
		fmt.Fprintln(stderr, "nothing was written")
		return exitInvalid
	}
	held, err := lockOutput(*out, root, *check, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen generate:", err)
		return exitError
	}
	defer held.Release()

	files, objects, err := renderAll(*clusters, *out, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen generate:", err)
		fmt.Fprintln(stderr, "nothing was written")
		return exitInvalid
	}
	plan, err := golden.MakePlan(*out, files)
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen generate:", err)
		return exitError
	}
	// A file in golden/ that generate did not write is applied by nobody
	// (no kustomization lists it) and would go unnoticed; most likely it
	// was meant for clusters/. It is named, every one of them, and kept
	// only when asked to.
	foreignRefused := len(plan.Foreign) > 0 && !*force
	if foreignRefused {
		fmt.Fprintf(stderr, "discoursegen generate: these files in %s/ were not written by discoursegen:\n", root)
		for _, f := range plan.Foreign {
			fmt.Fprintf(stderr, "  %s/%s\n", root, f)
		}
		fmt.Fprintf(stderr, "no kustomization lists them, so Flux never applies them: move them out of %s/ (changes belong in %s/), or pass --force to keep them where they are\n", root, filepath.Clean(*clusters))
	} else {
		for _, f := range plan.Foreign {
			fmt.Fprintf(stderr, "warning: %s/%s was not written by discoursegen; it is kept, but no kustomization lists it\n", root, f)
		}
	}
	if *check {
		if plan.Empty() && !foreignRefused {
			fmt.Fprintf(stdout, "%s is up to date (%d objects)\n", *out, objects)
			return exitValid
		}
		if !plan.Empty() {
			fmt.Fprintf(stderr, "%s is stale; run make generate. Files that would change:\n", *out)
			for _, p := range plan.Changes() {
				fmt.Fprintf(stderr, "  %s\n", filepath.Join(*out, p))
			}
		}
		return exitInvalid
	}
	if foreignRefused {
		fmt.Fprintln(stderr, "nothing was written")
		return exitInvalid
	}
	kept, err := golden.Swap(*out, plan)
	for _, k := range kept {
		fmt.Fprintf(stderr, "warning: %s was left beside %s by a discoursegen generate that was killed (or by an edit during one); it was not written by discoursegen and is not in %s, so it is kept: move it where it belongs, or delete it\n", k, *out, *out)
	}
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen generate:", err)
		return exitError
	}
	fmt.Fprintf(stdout, "%s: %d objects, %d files written, %d removed\n", *out, objects, len(plan.Write), len(plan.Remove))
	return exitValid
}

// outputRoot is out relative to the repository root, the directory that
// holds clusters/: Flux resolves a spec.path against that root, so the
// output must be inside it.
func outputRoot(clusters, out string) (string, error) {
	repo, err := filepath.Abs(filepath.Dir(filepath.Clean(clusters)))
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	root, err := filepath.Rel(repo, abs)
	if err != nil || !filepath.IsLocal(root) {
		return "", fmt.Errorf("--out %s: must be a directory inside the repository that holds %s (%s): Flux resolves each stage's spec.path against it", out, clusters, repo)
	}
	return filepath.ToSlash(root), nil
}

// environments are the environments generate renders (build.Environments);
// a clusters directory without any is a mistake, not an empty render.
func environments(clusters string) ([]string, error) {
	envs, err := build.Environments(clusters)
	if err != nil {
		return nil, err
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%s has no environment (a directory with a kustomization.yaml)", clusters)
	}
	return envs, nil
}

// validateBuilt is the output gate: kustomize's bytes, exactly as they will
// be committed, against the strict schemas (exact numbers, duplicate keys
// refused), the same check `discoursegen validate` makes.
func validateBuilt(v *schemas.Validator, env string, objs []build.Resource) error {
	var violations []schemas.Violation
	for _, o := range objs {
		rep, err := v.ValidateYAML("clusters/"+env, o.YAML)
		if err != nil {
			return err
		}
		violations = append(violations, rep.Violations...)
	}
	return schemaFailure("clusters/"+env, violations)
}

// validateOutput checks a rendered YAML stream against the strict schemas.
func validateOutput(source string, data []byte) error {
	v, err := schemas.Default()
	if err != nil {
		return err
	}
	rep, err := v.ValidateYAML(source, data)
	if err != nil {
		return err
	}
	return schemaFailure(source, rep.Violations)
}

// schemaFailure reports every violation of rendered output at once, one
// per line; nil when there is none.
func schemaFailure(source string, violations []schemas.Violation) error {
	if len(violations) == 0 {
		return nil
	}
	lines := make([]string, len(violations))
	for i, viol := range violations {
		lines[i] = viol.Error()
	}
	return fmt.Errorf("%s: rendered objects fail their schemas:\n  %s", source, strings.Join(lines, "\n  "))
}

// selfExecutable is the running build; a variable so that tests, which run
// as a test binary, can name the discoursegen they built.
var selfExecutable = os.Executable

// checkFunctions refuses to render with a function that is not the running
// build: kustomize execs whatever file the config's exec path names, and a
// stale bin/discoursegen would write a stale golden/ without any error.
func checkFunctions(o *build.Overlay) error {
	dir, fns := o.Dir, o.ExecFunctions()
	self, err := selfExecutable()
	if err != nil {
		return fmt.Errorf("finding the running discoursegen: %w", err)
	}
	var errs []error
	for _, fn := range fns {
		same, err := sameBuild(self, fn.Path)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %s runs %s: %w; run make build", dir, fn.Config, fn.Path, err))
		case !same:
			errs = append(errs, fmt.Errorf("%s: %s runs %s, which is not this build of discoursegen (%s): it would render with other code; run make generate, or go build -o bin/ ./cmd/discoursegen first", dir, fn.Config, fn.Path, self))
		case !slices.Equal(fn.Args, []string{"fn"}):
			errs = append(errs, fmt.Errorf("%s: %s runs %s with args %q; discoursegen's function is its fn command: args: [fn]", dir, fn.Config, fn.Path, fn.Args))
		}
	}
	return errors.Join(errs...)
}

// sameBuild says whether two executables are one build: the same file, or
// byte for byte the same program (go build is reproducible).
func sameBuild(a, b string) (bool, error) {
	ia, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	ib, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	if os.SameFile(ia, ib) {
		return true, nil
	}
	if ia.Size() != ib.Size() {
		return false, nil
	}
	da, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	db, err := os.ReadFile(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}
