package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/golden"
	"discoursegen.dev/discoursegen/schemas"
	"sigs.k8s.io/yaml"
)

// runGenerate implements `discoursegen generate [--check]`.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "change nothing; list the files that would change and exit 1 if any would")
	clusters := fs.String("clusters", "clusters", "directory with one kustomization per environment (base/ is skipped)")
	out := fs.String("out", "golden", "output directory; generate touches nothing outside it")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: discoursegen generate [--check] [--clusters DIR] [--out DIR]\n\nRenders every environment in-process (kustomize with exec functions) and writes one file per object.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitError
	}
	files, objects, err := renderAll(*clusters)
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
	for _, f := range plan.Foreign {
		fmt.Fprintf(stderr, "warning: %s was not written by discoursegen; it is kept, but no kustomization lists it\n", filepath.Join(*out, f))
	}
	if *check {
		if plan.Empty() {
			fmt.Fprintf(stdout, "%s is up to date (%d objects)\n", *out, objects)
			return exitValid
		}
		fmt.Fprintf(stderr, "%s is stale; run make generate. Files that would change:\n", *out)
		for _, p := range plan.Changes() {
			fmt.Fprintf(stderr, "  %s\n", filepath.Join(*out, p))
		}
		return exitInvalid
	}
	if err := plan.Apply(*out); err != nil {
		fmt.Fprintln(stderr, "discoursegen generate:", err)
		return exitError
	}
	fmt.Fprintf(stdout, "%s: %d objects, %d files written, %d removed\n", *out, objects, len(plan.Write), len(plan.Remove))
	return exitValid
}

// renderAll renders and validates every environment before anything is
// written, and reports every problem of every environment.
func renderAll(clusters string) ([]golden.File, int, error) {
	envs, err := environments(clusters)
	if err != nil {
		return nil, 0, err
	}
	v, err := schemas.Default()
	if err != nil {
		return nil, 0, err
	}
	files := []golden.File{golden.Readme()}
	objects := 0
	var errs []error
	for _, env := range envs {
		objs, err := build.Kustomization(filepath.Join(clusters, env))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := validateBuilt(v, env, objs); err != nil {
			errs = append(errs, err)
			continue
		}
		envFiles, err := golden.Layout(env, objs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, envFiles...)
		objects += len(objs)
	}
	return files, objects, errors.Join(errs...)
}

// environments are the subdirectories of clusters with a kustomization,
// except base, which only holds the shared config.
func environments(clusters string) ([]string, error) {
	entries, err := os.ReadDir(clusters)
	if err != nil {
		return nil, err
	}
	var envs []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "base" {
			continue
		}
		if _, err := os.Stat(filepath.Join(clusters, e.Name(), "kustomization.yaml")); err == nil {
			envs = append(envs, e.Name())
		}
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%s has no environment (a directory with a kustomization.yaml)", clusters)
	}
	sort.Strings(envs)
	return envs, nil
}

func validateBuilt(v *schemas.Validator, env string, objs []build.Object) error {
	maps := make([]map[string]any, len(objs))
	for i, o := range objs {
		if err := yaml.Unmarshal(o.YAML, &maps[i]); err != nil {
			return fmt.Errorf("%s: %s %s: %w", env, o.Kind, o.Name, err)
		}
	}
	return validateMaps(v, "clusters/"+env, maps)
}

// validateObjects checks generator output against the strict schemas, the
// same gate generate applies.
func validateObjects(source string, objs []generator.Object) error {
	v, err := schemas.Default()
	if err != nil {
		return err
	}
	maps := make([]map[string]any, len(objs))
	for i, o := range objs {
		if maps[i], err = generator.ToMap(o); err != nil {
			return err
		}
	}
	return validateMaps(v, source, maps)
}

// validateMaps reports every schema violation of the objects at once.
func validateMaps(v *schemas.Validator, source string, objs []map[string]any) error {
	var lines []string
	for i, m := range objs {
		violations, err := v.ValidateObject(source, i, m)
		if err != nil {
			return err
		}
		for _, viol := range violations {
			lines = append(lines, viol.Error())
		}
	}
	if len(lines) > 0 {
		return fmt.Errorf("%s: rendered objects fail their schemas:\n  %s", source, strings.Join(lines, "\n  "))
	}
	return nil
}
