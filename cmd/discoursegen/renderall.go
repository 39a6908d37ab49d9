package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync"

	"discoursegen.dev/discoursegen/functions/discourse"
	policyfn "discoursegen.dev/discoursegen/functions/policy"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/golden"
	"discoursegen.dev/discoursegen/internal/manifest"
	"discoursegen.dev/discoursegen/policy"
	"discoursegen.dev/discoursegen/schemas"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// renderAll renders and validates every environment before anything is
// written, and reports every problem of every environment. out is where
// the files will go; golden.Layout points the Flux Kustomizations there.
// The policy's warnings and waived findings go to report, one line each,
// named by environment; its errors fail the render.
//
// discoursegen's own functions run in this process (build.PlanInProcess):
// each site's config is rendered and built by krusty on its own, in
// parallel, so that generate costs one small kustomize run per site and
// no child process. An environment that lists a function of someone
// else's is built as kustomize build --enable-exec builds it (build.Run).
// TestKustomizeCLIMatchesGolden and TestInProcessMatchesKustomizeCLI hold
// the two ways to the same bytes.
func renderAll(clusters, out string, report io.Writer) ([]golden.File, int, error) {
	// Before kustomize reads anything (limits.go).
	if err := checkInputs(clusters); err != nil {
		return nil, 0, err
	}
	envs, err := environments(clusters)
	if err != nil {
		return nil, 0, err
	}
	v, err := schemas.Default()
	if err != nil {
		return nil, 0, err
	}
	root, err := outputRoot(clusters, out)
	if err != nil {
		return nil, 0, err
	}

	renders := make([]*envRender, len(envs))
	var units []*renderUnit
	var errs []error
	for i, env := range envs {
		r, err := planEnv(clusters, env)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		renders[i] = r
		units = append(units, r.units...)
		if r.note != "" {
			fmt.Fprintf(report, "clusters/%s: note: %s\n", env, r.note)
		}
	}
	parallel(len(units), func(i int) { units[i].run(v) })

	files := []golden.File{golden.Readme()}
	objects := 0
	for _, r := range renders {
		if r == nil {
			continue
		}
		objs, findings, err := r.result()
		for _, f := range findings {
			fmt.Fprintf(report, "clusters/%s: %s\n", r.env, f)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		envFiles, err := golden.Layout(root, r.env, objs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, envFiles...)
		objects += len(objs)
	}
	return files, objects, errors.Join(errs...)
}

// envRender is one environment: how it is built, and its units of work.
type envRender struct {
	env, dir string
	// plan is nil when kustomize builds the environment with its exec
	// functions (build.Run).
	plan  *build.InProcess
	units []*renderUnit
	// note tells a fleet why its sites are not built one by one, the
	// fast way.
	note string
}

// renderUnit is what one worker builds: one site of an environment whose
// sites build apart, or the whole environment.
type renderUnit struct {
	env *envRender
	// configs are the generator configs rendered in-process; none when
	// the environment is built by kustomize with its exec functions.
	configs []*kyaml.RNode

	objs     []build.Resource
	findings []policy.Finding
	err      error
}

// planEnv checks an environment's functions and decides how to build it.
func planEnv(clusters, env string) (*envRender, error) {
	dir := filepath.Join(clusters, env)
	overlay, err := build.ReadOverlay(dir)
	if err != nil {
		return nil, err
	}
	if err := errors.Join(checkFunctions(overlay), requirePolicy(overlay)); err != nil {
		return nil, err
	}
	plan, why, err := build.PlanInProcess(overlay, inProcessRole)
	if err != nil {
		return nil, err
	}
	r := &envRender{env: env, dir: dir, plan: plan}
	switch {
	case plan == nil:
		r.units = []*renderUnit{{env: r}}
		r.note = "built by kustomize with exec functions, a process per site config, because " + why
	case plan.PerSite:
		for _, c := range plan.Configs {
			r.units = append(r.units, &renderUnit{env: r, configs: []*kyaml.RNode{c}})
		}
	default:
		r.units = []*renderUnit{{env: r, configs: plan.Configs}}
		r.note = fmt.Sprintf("its %d sites are built in one kustomize run, whose time grows with the square of their objects, because its kustomization has %s; without it each site is built on its own", len(plan.Configs), plan.WhyTogether)
	}
	if len(r.units) == 0 {
		return nil, fmt.Errorf("kustomize build %s: produced no objects: it lists no Discourse config", dir)
	}
	return r, nil
}

// inProcessRole says what generate does with a function config: checkFunctions
// has made sure that every exec function with args [fn] is this build of
// discoursegen, whose fn command renders any config but a DiscoursePolicy
// (fnProcessor), so generate does the same in-process.
func inProcessRole(c *kyaml.RNode) (build.Role, error) {
	switch {
	case !build.IsInProcessFunction(c):
		return build.Foreign, nil
	case c.GetKind() == policyfn.Kind:
		return build.Checked, policyfn.CheckConfig(c)
	default:
		return build.Generated, nil
	}
}

// run builds, validates and checks the unit's objects.
func (u *renderUnit) run(v *schemas.Validator) {
	r := u.env
	if r.plan == nil {
		// The DiscoursePolicy ran as kustomize's function and printed its
		// report; this only catches what it would have let through.
		u.objs, u.err = build.Run(r.dir)
		if u.err == nil {
			u.err = errors.Join(validateBuilt(v, r.env, u.objs), policyGate(r.env, u.objs))
		}
		return
	}
	var sites [][]build.Resource
	var errs []error
	for _, c := range u.configs {
		objs, problems := discourse.RenderNode(c)
		if len(problems) > 0 {
			source := fmt.Sprintf("%s: %s %s", r.dir, c.GetKind(), c.GetName())
			errs = append(errs, errors.New(discourse.Describe(source, problems)))
			continue
		}
		site, err := manifest.Resources(objs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sites = append(sites, site)
	}
	if len(errs) > 0 {
		u.err = errors.Join(errs...)
		return
	}
	u.objs, u.err = r.plan.Build(sites...)
	if u.err != nil {
		return
	}
	u.findings, u.err = checkBuilt(v, r.env, u.objs)
}

// result joins the units of an environment in order: its objects, the
// policy findings to print (warnings and waived ones) and every error,
// the policy's errors as one.
func (r *envRender) result() ([]build.Resource, []policy.Finding, error) {
	var objs []build.Resource
	var shown, failed []policy.Finding
	var errs []error
	for _, u := range r.units {
		objs = append(objs, u.objs...)
		if u.err != nil {
			errs = append(errs, u.err)
		}
		for _, f := range u.findings {
			if f.Severity == policy.Error && f.Waived == "" {
				failed = append(failed, f)
			} else {
				shown = append(shown, f)
			}
		}
	}
	errs = append(errs, policyFailure(r.env, failed))
	return objs, shown, errors.Join(errs...)
}

// checkBuilt is the output gate of an in-process build: every object
// against its strict schema, then the DiscoursePolicy rules. Each object
// is decoded once, or not at all when the build kept the object it
// printed (Resource.Object; package jsonyaml's tests hold its printer to
// the bytes kustomize prints, and discoursegen validate in make test
// reads the written files back). The rules judge each site on its own
// (policy.Check groups by site), so checking the sites of an environment
// one by one finds what one check of them all finds.
func checkBuilt(v *schemas.Validator, env string, objs []build.Resource) ([]policy.Finding, error) {
	source := "clusters/" + env
	var violations []schemas.Violation
	checked := make([]policy.Object, 0, len(objs))
	for i := range objs {
		o := &objs[i]
		obj, err := o.Decoded()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		vs, err := v.ValidateObject(source, i, obj)
		if err != nil {
			return nil, err
		}
		violations = append(violations, vs...)
		p, err := policy.NewObject(obj)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", source, o.Kind, o.Name, err)
		}
		checked = append(checked, p)
		// Only the YAML is written. golden.Layout edits the Flux
		// Kustomizations (spec.path), which are small, and reuses their
		// decoded object; every other object's is dropped, so that a
		// fleet's memory is its YAML.
		if !golden.IsFluxKustomization(*o) {
			o.Object = nil
		}
	}
	if err := schemaFailure(source, violations); err != nil {
		return nil, err
	}
	return policy.Check(checked).Findings, nil
}

// parallel calls work(0) … work(n-1) on as many goroutines as there are
// CPUs to run them. Each call writes only its own result, so the output
// does not depend on the schedule.
func parallel(n int, work func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				work(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
