package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	policyfn "discoursegen.dev/discoursegen/functions/policy"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/policy"
)

// requirePolicy refuses an environment whose kustomization does not run
// the DiscoursePolicy validator: kustomize build of it would pass output
// that breaks Discourse's rules, and only generate would notice.
func requirePolicy(o *build.Overlay) error {
	dir := o.Dir
	if slices.ContainsFunc(o.FunctionConfigs(), func(c build.Config) bool { return c.Node.GetKind() == policyfn.Kind }) {
		return nil
	}
	return fmt.Errorf("%s runs no %s: add it last, after every patch, as\n  transformers:\n  - ../base/policy\nso that kustomize build checks the same rules generate does", dir, policyfn.Kind)
}

// policyGate runs the policy in-process on an environment's output, the
// same rules its DiscoursePolicy ran during the build: the report that
// function printed is the one to read, so only a failure is reported
// here, as one error.
func policyGate(env string, objs []build.Resource) error {
	all := make([]policy.Object, 0, len(objs))
	for _, o := range objs {
		parsed, err := policy.ParseObjects(o.YAML)
		if err != nil {
			return fmt.Errorf("clusters/%s: %s %s: %w", env, o.Kind, o.Name, err)
		}
		all = append(all, parsed...)
	}
	return policyFailure(env, policy.Check(all).Errors())
}

// policyFailure is an environment's failure on the rule violations
// failed, one per line, then the function's own closing line; nil when
// there is none.
func policyFailure(env string, failed []policy.Finding) error {
	if len(failed) == 0 {
		return nil
	}
	lines := make([]string, len(failed))
	for i, f := range failed {
		lines[i] = f.String()
	}
	return fmt.Errorf("clusters/%s breaks the DiscoursePolicy rules:\n  %s\n%w", env, strings.Join(lines, "\n  "), policyfn.Failure(len(failed)))
}

// policyScopes groups the files under paths into the outputs the policy
// judges one at a time: each topmost directory that holds a
// kustomization.yaml (golden/<env>: one environment's output, where "one
// scheduler" is meant), and, for files outside any, the path itself.
// kustomization.yaml files are not objects and are left out.
func policyScopes(paths []string) (map[string][]string, error) {
	scopes := map[string][]string{}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			scopes[root] = append(scopes[root], root)
			continue
		}
		var tops []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if _, err := os.Stat(filepath.Join(p, "kustomization.yaml")); err == nil && !slices.ContainsFunc(tops, func(t string) bool { return within(t, p) }) {
					tops = append(tops, p)
				}
				return nil
			}
			if !isManifest(p) || d.Name() == "kustomization.yaml" {
				return nil
			}
			scope := root
			for _, t := range tops {
				if within(t, p) {
					scope = t
				}
			}
			scopes[scope] = append(scopes[scope], p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return scopes, nil
}

func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}

func isManifest(p string) bool {
	switch filepath.Ext(p) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// checkPolicyPaths runs the policy over every scope under paths and
// returns the reports, by scope, in order.
func checkPolicyPaths(paths []string) ([]string, map[string]policy.Report, error) {
	scopes, err := policyScopes(paths)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(scopes))
	for s := range scopes {
		names = append(names, s)
	}
	slices.Sort(names)
	reports := map[string]policy.Report{}
	var errs []error
	for _, s := range names {
		var objs []policy.Object
		for _, f := range scopes[s] {
			data, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			parsed, err := policy.ParseObjects(data)
			if err != nil {
				// The schema check reports a file it cannot parse.
				continue
			}
			objs = append(objs, parsed...)
		}
		if len(objs) > 0 {
			reports[s] = policy.Check(objs)
		}
	}
	return names, reports, errors.Join(errs...)
}
