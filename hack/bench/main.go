package main

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the flags.
type options struct {
	runs, fleetRuns int
	fleets          []int
	rows            map[string]bool
	baseline        string
	baselineFleet   int
	validateFleet   int
	timeout         time.Duration
	kubeconform     string
	cache           string
}

// allRows are the row groups -rows selects from, in table order.
var allRows = []string{"generate", "validate", "policy", "validate-fleet", "fn", "fleet"}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := benchmark(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	fl.IntVar(&o.runs, "runs", 11, "counted runs of each side of the example rows (generate, validate, fn), after one warm-up run")
	fl.IntVar(&o.fleetRuns, "fleet-runs", 3, "counted runs of each side of the fleet rows, after one warm-up run")
	fleets := fl.String("fleets", "10,100,1000", "fleet sizes (site-environments), comma-separated; empty for none")
	rows := fl.String("rows", strings.Join(allRows, ","), "row groups to run, comma-separated: "+strings.Join(allRows, ", ")+" (validate-fleet needs fleet)")
	fl.StringVar(&o.baseline, "baseline", "9da6271", "commit whose discoursegen is the generate peer (built once into the cache)")
	fl.IntVar(&o.baselineFleet, "baseline-fleet", 10, "largest fleet the baseline runs too (its fleet time grows faster than linearly)")
	fl.IntVar(&o.validateFleet, "validate-fleet", 100, "fleet whose output the validate-fleet row validates (the largest fleet run if this one is not)")
	fl.DurationVar(&o.timeout, "timeout", 10*time.Minute, "time limit of one row (warm-up and counted runs of every side); a row over it prints timeout")
	fl.StringVar(&o.kubeconform, "kubeconform", filepath.Join("bin", "kubeconform"), "the kubeconform binary (make bench installs the pinned one)")
	fl.StringVar(&o.cache, "cache", filepath.Join(".cache", "bench"), "directory for the builds, the baseline tree, the work directories and table.md")
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	if fl.NArg() != 0 {
		return o, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	if o.runs < 1 || o.fleetRuns < 1 {
		return o, errors.New("-runs and -fleet-runs must be at least 1")
	}
	var err error
	if o.fleets, err = parseSizes(*fleets); err != nil {
		return o, err
	}
	o.rows = map[string]bool{}
	for _, r := range strings.Split(*rows, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !slices.Contains(allRows, r) {
			return o, fmt.Errorf("-rows: unknown row group %q (known: %s)", r, strings.Join(allRows, ", "))
		}
		o.rows[r] = true
	}
	return o, nil
}

// parseSizes parses "10,100,1000" into sorted, distinct sizes.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ReplaceAll(f, "_", ""))
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 9999 {
			return nil, fmt.Errorf("-fleets: %q is not a size from 1 to 9999", f)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	return slices.Compact(sizes), nil
}

// bench holds what the rows share.
type bench struct {
	o         options
	repo      string // the repository root (the working directory)
	work      string // fresh per invocation, under the cache
	ours      string // our binary
	noop      string // hack/noopfn
	baseDir   string // the baseline's tree, "" when it could not be built
	baseBin   string
	baseName  string
	baseErr   string // why there is no baseline
	kcName    string // "kubeconform v0.8.0"
	kcErr     string // why there is no kubeconform
	k8sVer    string // the Kubernetes version of schemas/kubernetes
	rows      []row
	startTime time.Time
	// trash are directories to delete once nothing is measured any more.
	trash []string
}

// discard marks dir for deletion after the last measurement.
func (b *bench) discard(dir string) { b.trash = append(b.trash, dir) }

// emptyTrash deletes what discard collected, and any work directory an
// earlier invocation left beside the cache's own.
func (b *bench) emptyTrash() {
	if olds, _ := filepath.Glob(filepath.Join(b.o.cache, "work-old-*")); len(olds) > 0 {
		b.trash = append(b.trash, olds...)
	}
	if len(b.trash) == 0 {
		return
	}
	b.progress("deleting the runs' output")
	for _, dir := range b.trash {
		_ = os.RemoveAll(dir)
	}
}

func benchmark(o options) error {
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(filepath.Join(repo, "go.mod")); err != nil || !bytes.Contains(b, []byte("module discoursegen.dev/discoursegen\n")) {
		return errors.New("run from the repository root (make bench does)")
	}
	// Absolute: the runs have their own working directories.
	if o.cache, err = filepath.Abs(o.cache); err != nil {
		return err
	}
	if strings.ContainsRune(o.kubeconform, filepath.Separator) {
		if o.kubeconform, err = filepath.Abs(o.kubeconform); err != nil {
			return err
		}
	}
	b := &bench{o: o, repo: repo, startTime: time.Now()}
	if err := os.MkdirAll(o.cache, 0o755); err != nil {
		return err
	}
	// Every invocation starts from an empty work directory. What a run
	// wrote is deleted only after the last measurement (emptyTrash): on a
	// filesystem mounted with discard (this machine's is), deleting tens
	// of thousands of files keeps the disk busy for seconds, and a run
	// started then measures the deletion, not itself: a 1,000-site
	// generate took 4 s to 11 s to write right after one, 0.5 s without.
	// The previous invocation's work directory is moved aside the same way.
	b.work = filepath.Join(o.cache, "work")
	if _, err := os.Stat(b.work); err == nil {
		old := filepath.Join(o.cache, fmt.Sprintf("work-old-%d", time.Now().UnixNano()))
		if err := os.Rename(b.work, old); err != nil {
			return err
		}
		b.discard(old)
	}
	defer b.emptyTrash()
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return err
	}

	b.progress("building ours and hack/noopfn")
	b.ours = filepath.Join(o.cache, "ours", "discoursegen")
	if err := goBuild(repo, b.ours, "./cmd/discoursegen"); err != nil {
		return err
	}
	b.noop = filepath.Join(o.cache, "noopfn", "noopfn")
	if err := goBuild(repo, b.noop, "./hack/noopfn"); err != nil {
		return err
	}
	b.setupBaseline()
	b.setupKubeconform()

	if o.rows["generate"] {
		b.generateRow()
	}
	if o.rows["validate"] || o.rows["policy"] {
		b.validateGoldenRows()
	}
	if o.rows["fleet"] {
		b.fleetRows()
	}
	if o.rows["validate-fleet"] {
		b.validateFleetRow()
	}
	if o.rows["fn"] {
		b.fnRow()
	}
	b.sortRows()

	table := markdown(b.header(), b.rows)
	if n := failures(b.rows); n > 0 {
		table += fmt.Sprintf("\n**FAIL: %d %s above %s %s goal.**\n", n, plural(n, "row", "rows"), plural(n, "misses", "miss"), plural(n, "its", "their"))
	}
	if missing := b.goalsNotRun(); len(missing) > 0 {
		table += "\nNot measured in this run: " + strings.Join(missing, "; ") + ".\n"
	}
	fmt.Print("\n" + table)
	out := filepath.Join(o.cache, "table.md")
	if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: table written to %s\n", out)
	return nil
}

// progress reports what the harness is doing, on stderr.
func (b *bench) progress(s string) {
	fmt.Fprintf(os.Stderr, "bench %6.1fs: %s\n", time.Since(b.startTime).Seconds(), s)
}

func (b *bench) setupBaseline() {
	commit, err := resolveCommit(b.repo, b.o.baseline)
	if err != nil {
		b.baseName, b.baseErr = "baseline "+b.o.baseline, "error: "+err.Error()
		return
	}
	b.baseName = "baseline " + commit[:7]
	b.progress("extracting and building " + b.baseName + " (once; kept in the cache)")
	b.baseDir, b.baseBin, err = baselineTree(b.repo, b.o.cache, commit)
	if err != nil {
		b.baseErr = "error: " + err.Error()
	}
}

func (b *bench) setupKubeconform() {
	b.kcName = "kubeconform"
	path, err := exec.LookPath(b.o.kubeconform)
	if err != nil {
		b.kcErr = fmt.Sprintf("error: %v (make bench installs it)", err)
		return
	}
	b.o.kubeconform = path
	// go install leaves the version to the build info, not to -v.
	if info, err := buildinfo.ReadFile(path); err == nil && info.Main.Version != "" {
		b.kcName += " " + info.Main.Version
	}
	dirs, _ := filepath.Glob(filepath.Join(b.repo, "schemas", "kubernetes", "v*-standalone-strict"))
	if len(dirs) != 1 {
		b.kcErr = fmt.Sprintf("error: want one schemas/kubernetes/v*-standalone-strict directory, found %d", len(dirs))
		return
	}
	b.k8sVer = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(dirs[0]), "v"), "-standalone-strict")
}

// generateJob is a job running `discoursegen generate` in a fresh repository
// holding a copy of clusters, judging its output with check. keep, if not
// empty, is where the last passing run's repository is moved instead of
// being deleted.
func (b *bench) generateJob(name, bin, clusters string, check func(golden string) error, keep string) job {
	return job{name: name, setup: func() (*run, error) {
		dir, err := tempRepo(b.work, clusters, bin)
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, "generate")
		cmd.Dir = dir
		passed := false
		return &run{
			cmd: cmd,
			check: func(_, _ []byte) error {
				err := check(filepath.Join(dir, "golden"))
				passed = err == nil
				return err
			},
			cleanup: func() {
				if keep != "" && passed {
					if _, err := os.Stat(keep); err == nil {
						aside := fmt.Sprintf("%s-old-%d", keep, time.Now().UnixNano())
						if os.Rename(keep, aside) == nil {
							b.discard(aside)
						}
					}
					if os.Rename(dir, keep) == nil {
						return
					}
				}
				b.discard(dir)
			},
		}, nil
	}}
}

// wantFiles checks that golden holds as many files as ref does.
func wantFiles(ref string) (func(golden string) error, error) {
	want, err := countFiles(ref)
	if err != nil {
		return nil, err
	}
	if want == 0 {
		return nil, fmt.Errorf("%s is empty", ref)
	}
	return func(golden string) error {
		got, err := countFiles(golden)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("wrote %d files, want %d (as in %s)", got, want, ref)
		}
		return nil
	}, nil
}

// wantObjects checks that golden holds want object files.
func wantObjects(want int) func(golden string) error {
	return func(golden string) error {
		files, err := objectFiles(golden, golden)
		if err != nil {
			return err
		}
		if len(files) != want {
			return fmt.Errorf("wrote %d objects, want %d", len(files), want)
		}
		return nil
	}
}

// generateRow: generate of the example, ours against the baseline's.
func (b *bench) generateRow() {
	label := "generate example (every environment of clusters/)"
	b.progress(label)
	jobs := []job{}
	check, err := wantFiles(filepath.Join(b.repo, "golden"))
	if err != nil {
		b.rows = append(b.rows, row{Label: label, Ours: result{Name: "ours", Err: "error: " + err.Error()}})
		return
	}
	jobs = append(jobs, b.generateJob("ours", b.ours, filepath.Join(b.repo, "clusters"), check, ""))
	peer := result{Name: b.baseName, Err: b.baseErr}
	if b.baseErr == "" {
		if pc, err := wantFiles(filepath.Join(b.baseDir, "golden")); err != nil {
			peer.Err = "error: " + err.Error()
		} else {
			jobs = append(jobs, b.generateJob(b.baseName, b.baseBin, filepath.Join(b.baseDir, "clusters"), pc, ""))
		}
	}
	res := measure(jobs, b.o.runs, b.o.timeout, b.jobProgress(label))
	if len(res) > 1 {
		peer = res[1]
	}
	r := row{Label: label, Ours: res[0], Peer: peer, Goal: atMost, Limit: 0.125}
	r.Ratio, r.HasRatio = ratioOf(r.Ours, r.Peer)
	r.Note = "time ours/baseline, fresh clusters/ copy and no golden/ per run"
	b.rows = append(b.rows, r)
}

func (b *bench) jobProgress(label string) func(string) {
	return func(s string) { b.progress(label + ": " + s) }
}

// validateJobs are ours (-policy=false, on the object files) and
// kubeconform (on the directory, kustomization.yaml ignored) validating
// golden, a directory inside base.
func (b *bench) validateJobs(base, golden string, files []string) []job {
	ours := job{name: "ours", setup: func() (*run, error) {
		cmd := exec.Command(b.ours, append([]string{"validate", "-policy=false"}, files...)...)
		cmd.Dir = base
		return &run{cmd: cmd, check: checkOursValidated(len(files))}, nil
	}}
	if b.kcErr != "" {
		return []job{ours}
	}
	schemas := filepath.Join(b.repo, "schemas")
	rel, _ := filepath.Rel(base, golden)
	kc := job{name: b.kcName, setup: func() (*run, error) {
		cmd := exec.Command(b.o.kubeconform, "-strict", "-summary",
			"-ignore-filename-pattern", `(^|/)kustomization\.yaml$`,
			"-kubernetes-version", b.k8sVer,
			"-schema-location", filepath.Join(schemas, "kubernetes", "{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}", "{{.ResourceKind}}{{.KindSuffix}}.json"),
			"-schema-location", filepath.Join(schemas, "crds", "{{.Group}}", "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"),
			rel)
		cmd.Dir = base
		return &run{cmd: cmd, check: checkKubeconformValidated(len(files))}, nil
	}}
	return []job{ours, kc}
}

// validateRow measures one validate row against kubeconform.
func (b *bench) validateRow(label, base, golden string, runs int) row {
	b.progress(label)
	files, err := objectFiles(base, golden)
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no object files in %s", golden)
	}
	if err != nil {
		return row{Label: label, Ours: result{Name: "ours", Err: "error: " + err.Error()}, Goal: atLeast, Limit: 5}
	}
	label = fmt.Sprintf("%s (%d objects)", label, len(files))
	res := measure(b.validateJobs(base, golden, files), runs, b.o.timeout, b.jobProgress(label))
	peer := result{Name: b.kcName, Err: b.kcErr}
	if len(res) > 1 {
		peer = res[1]
	}
	r := row{Label: label, Ours: res[0], Peer: peer, Goal: atLeast, Limit: 5,
		Note: "throughput ×: kubeconform time / ours; same object files, kustomization.yaml left out of both"}
	r.Ratio, r.HasRatio = throughputOf(r.Ours, r.Peer)
	return r
}

// validateGoldenRows: validate of golden/ against kubeconform, and ours
// with the policy (no peer).
func (b *bench) validateGoldenRows() {
	// A copy: make generate replaces golden/ as a whole, and nothing
	// should change it under a run.
	base := filepath.Join(b.work, "example")
	if err := os.CopyFS(filepath.Join(base, "golden"), os.DirFS(filepath.Join(b.repo, "golden"))); err != nil {
		b.rows = append(b.rows, row{Label: "validate golden/", Ours: result{Name: "ours", Err: "error: " + err.Error()}})
		return
	}
	golden := filepath.Join(base, "golden")
	if b.o.rows["validate"] {
		b.rows = append(b.rows, b.validateRow("validate golden/", base, golden, b.o.runs))
	}
	if b.o.rows["policy"] {
		label := "validate golden/ with the policy (ours alone)"
		b.progress(label)
		manifests, err := countManifests(golden)
		if err != nil {
			b.rows = append(b.rows, row{Label: label, Ours: result{Name: "ours", Err: "error: " + err.Error()}})
			return
		}
		j := job{name: "ours", setup: func() (*run, error) {
			cmd := exec.Command(b.ours, "validate", "golden")
			cmd.Dir = base
			return &run{cmd: cmd, check: checkOursValidated(manifests)}, nil
		}}
		res := measure([]job{j}, b.o.runs, b.o.timeout, b.jobProgress(label))
		b.rows = append(b.rows, row{Label: fmt.Sprintf("validate golden/ + policy, ours alone (%d objects, kustomization.yaml included)", manifests), Ours: res[0]})
	}
}

// countManifests counts the manifest files under dir, kustomization.yaml
// included: what `discoursegen validate DIR` reads.
func countManifests(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isManifest(d.Name()) {
			n++
		}
		return err
	})
	return n, err
}

// fnRow: the function on the production config against hack/noopfn
// returning the same items.
func (b *bench) fnRow() {
	label := "fn: production config"
	b.progress(label)
	fail := func(err error) {
		b.rows = append(b.rows, row{Label: label, Ours: result{Name: "ours", Err: "error: " + err.Error()}, Goal: atMost, Limit: 1.5})
	}
	// The items the production site renders to: one object file each in
	// golden/production.
	prodObjects, err := objectFiles(b.repo, filepath.Join(b.repo, "golden", "production"))
	if err != nil {
		fail(err)
		return
	}
	want := len(prodObjects)
	config, err := environmentConfig(filepath.Join(b.repo, "clusters"), "production")
	if err != nil {
		fail(err)
		return
	}
	input, err := resourceList(config)
	if err != nil {
		fail(err)
		return
	}
	dir := filepath.Join(b.work, "fn")
	inputFile, itemsFile := filepath.Join(dir, "resource-list.yaml"), filepath.Join(dir, "items.yaml")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return
	}
	if err := os.WriteFile(inputFile, input, 0o644); err != nil {
		fail(err)
		return
	}
	// Ours' output, once, is what the no-op returns.
	cmd := exec.Command(b.ours, "fn")
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		fail(fmt.Errorf("discoursegen fn: %w%s", err, tail(stderr.Bytes())))
		return
	}
	if n, err := countItems(out); err != nil || n != want {
		fail(fmt.Errorf("discoursegen fn returned %d items (%v), want %d (golden/production)", n, err, want))
		return
	}
	if err := os.WriteFile(itemsFile, out, 0o644); err != nil {
		fail(err)
		return
	}
	checkItems := func(stdout, _ []byte) error {
		n, err := countItems(stdout)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("returned %d items, want %d", n, want)
		}
		return nil
	}
	fnJob := func(name, bin string, args ...string) job {
		return job{name: name, setup: func() (*run, error) {
			in, err := os.Open(inputFile)
			if err != nil {
				return nil, err
			}
			cmd := exec.Command(bin, args...)
			cmd.Stdin = in
			return &run{cmd: cmd, check: checkItems, cleanup: func() { in.Close() }}, nil
		}}
	}
	label = fmt.Sprintf("fn: production config → %d items", want)
	res := measure([]job{fnJob("ours", b.ours, "fn"), fnJob("hack/noopfn", b.noop, itemsFile)}, b.o.runs, b.o.timeout, b.jobProgress(label))
	r := row{Label: label, Ours: res[0], Peer: res[1], Goal: atMost, Limit: 1.5,
		Note: "time ours/no-op; same ResourceList in, same items out"}
	r.Ratio, r.HasRatio = ratioOf(r.Ours, r.Peer)
	b.rows = append(b.rows, r)
}

// fleetRows: generate of fleets of each size; the baseline for the small
// ones; the linearity of ours.
func (b *bench) fleetRows() {
	type measured struct {
		n    int
		wall time.Duration
	}
	var done []measured
	for _, n := range b.o.fleets {
		label := fmt.Sprintf("fleet %d: generate %d site-environments", n, n)
		b.progress(label)
		r := row{Label: label}
		if n == 1000 {
			r.GoalText = "< 10 s, < 1024 MiB"
		}
		jobs, peerErr, err := b.fleetJobs(n)
		if err != nil {
			r.Ours = result{Name: "ours", Err: "error: " + err.Error()}
			r.Verdict = verdictIf(n == 1000, false)
			b.rows = append(b.rows, r)
			continue
		}
		res := measure(jobs, b.o.fleetRuns, b.o.timeout, b.jobProgress(label))
		r.Ours = res[0]
		if len(res) > 1 {
			r.Peer = res[1]
			r.Ratio, r.HasRatio = ratioOf(r.Ours, r.Peer)
		} else {
			r.Peer = result{Name: b.baseName, Err: peerErr}
		}
		if r.Ours.ok() {
			perSite := r.Ours.median() / time.Duration(n)
			r.Note = fmt.Sprintf("%s per site-environment", formatDuration(perSite))
			if r.HasRatio {
				r.Note += "; ratio is time ours/baseline, no goal"
			}
			done = append(done, measured{n, r.Ours.median()})
		}
		if n == 1000 {
			fast, small := r.Ours.ok() && r.Ours.median() < 10*time.Second, r.Ours.ok() && r.Ours.peakMiB() < 1024
			r.Verdict = verdictIf(true, fast && small)
			if r.Ours.ok() && !fast {
				r.Note += "; not under 10 s"
			}
			if r.Ours.ok() && !small {
				r.Note += "; not under 1 GiB"
			}
		}
		b.rows = append(b.rows, r)
	}
	if len(b.o.fleets) < 2 {
		return
	}
	// Linearity: the largest fleet measured against the next smaller one.
	r := row{Label: "fleet linearity: per-site time", Goal: atMost, Limit: 1.3}
	if len(done) < 2 {
		r.Note = "needs two fleets measured"
		b.rows = append(b.rows, r)
		return
	}
	big, small := done[len(done)-1], done[len(done)-2]
	perBig := big.wall / time.Duration(big.n)
	perSmall := small.wall / time.Duration(small.n)
	r.Label = fmt.Sprintf("fleet linearity: per-site(%d) / per-site(%d)", big.n, small.n)
	r.Ratio, r.HasRatio = float64(perBig)/float64(perSmall), perSmall > 0
	r.Note = fmt.Sprintf("%s vs %s per site-environment", formatDuration(perBig), formatDuration(perSmall))
	b.rows = append(b.rows, r)
}

// verdictIf is the result column of a row with a goal that is not a
// ratio: "" (no goal) unless hasGoal.
func verdictIf(hasGoal, pass bool) string {
	switch {
	case !hasGoal:
		return ""
	case pass:
		return "pass"
	}
	return "FAIL"
}

// fleetJobs makes the fleet of n sites for ours (and the baseline, for
// small fleets), each from its own tree's clusters/, and their jobs. The
// last run of ours is kept for the validate-fleet row.
func (b *bench) fleetJobs(n int) (jobs []job, peerErr string, err error) {
	make1 := func(side, tree string) (string, int, error) {
		clusters := filepath.Join(b.work, fmt.Sprintf("fleet-%s-%d", side, n), "clusters")
		if err := makeFleet(filepath.Join(tree, "clusters"), clusters, n); err != nil {
			return "", 0, fmt.Errorf("making the fleet from %s: %w", tree, err)
		}
		// Each site renders what the example's production site renders.
		prod, err := objectFiles(tree, filepath.Join(tree, "golden", "production"))
		if err == nil && len(prod) == 0 {
			err = fmt.Errorf("no objects in %s/golden/production", tree)
		}
		return clusters, n * len(prod), err
	}
	clusters, want, err := make1("ours", b.repo)
	if err != nil {
		return nil, "", err
	}
	keep := filepath.Join(b.work, fmt.Sprintf("fleet-%d-output", n))
	jobs = append(jobs, b.generateJob("ours", b.ours, clusters, wantObjects(want), keep))
	switch {
	case b.baseErr != "":
		peerErr = b.baseErr
	case n > b.o.baselineFleet:
		peerErr = fmt.Sprintf("skipped: the baseline's time grows faster than linearly; it runs fleets up to %d (-baseline-fleet)", b.o.baselineFleet)
	default:
		bc, bwant, err := make1("baseline", b.baseDir)
		if err != nil {
			peerErr = "error: " + err.Error()
			break
		}
		jobs = append(jobs, b.generateJob(b.baseName, b.baseBin, bc, wantObjects(bwant), ""))
	}
	return jobs, peerErr, nil
}

// validateFleetRow validates the output of a fleet, ours against
// kubeconform.
func (b *bench) validateFleetRow() {
	// The fleet runs kept their last output; take the one asked for, or
	// the largest there is.
	outputs := map[int]string{}
	n := 0
	for _, size := range b.o.fleets {
		dir := filepath.Join(b.work, fmt.Sprintf("fleet-%d-output", size))
		if _, err := os.Stat(filepath.Join(dir, "golden")); err == nil {
			outputs[size] = dir
			n = max(n, size)
		}
	}
	if _, ok := outputs[b.o.validateFleet]; ok {
		n = b.o.validateFleet
	}
	if n == 0 {
		b.rows = append(b.rows, row{Label: "validate fleet output", Ours: result{Name: "ours", Err: "skipped: no fleet output (run the fleet rows)"}, Goal: atLeast, Limit: 5})
		return
	}
	base := outputs[n]
	b.rows = append(b.rows, b.validateRow(fmt.Sprintf("validate fleet-%d output", n), base, filepath.Join(base, "golden"), b.o.runs))
}

// sortRows puts the rows in table order: as allRows lists their groups.
func (b *bench) sortRows() {
	group := func(r row) int {
		switch {
		case strings.HasPrefix(r.Label, "generate"):
			return 0
		case strings.HasPrefix(r.Label, "validate golden/ +"):
			return 2
		case strings.HasPrefix(r.Label, "validate golden"):
			return 1
		case strings.HasPrefix(r.Label, "validate fleet"):
			return 3
		case strings.HasPrefix(r.Label, "fn"):
			return 4
		}
		return 5
	}
	slices.SortStableFunc(b.rows, func(x, y row) int { return group(x) - group(y) })
}

// header is the lines above the table: what was measured, where.
func (b *bench) header() []string {
	commit := "unknown"
	if out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			commit += " with uncommitted changes"
		}
	}
	// Other work on the machine slows both sides of a row alike (they are
	// interleaved) but widens the spread; say how busy it was.
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			load = ", load average " + f[0] + " at the end"
		}
	}
	return []string{
		"## discoursegen bench",
		"",
		fmt.Sprintf("ours: working tree at %s; peers: %s, %s, hack/noopfn.", commit, b.baseName, b.kcName),
		fmt.Sprintf("%s %s/%s, GOMAXPROCS %d, nproc %d%s; %d counted runs per side (fleets %d) after one warm-up, interleaved; median wall time, peak RSS of the largest process; %s.",
			runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), load, b.o.runs, b.o.fleetRuns, time.Now().UTC().Format("2006-01-02 15:04 UTC")),
	}
}

// goalsNotRun names the goals this run did not measure.
func (b *bench) goalsNotRun() []string {
	var missing []string
	has := func(prefix string) bool {
		return slices.ContainsFunc(b.rows, func(r row) bool {
			return strings.HasPrefix(r.Label, prefix) && r.verdict() != "not run"
		})
	}
	if !has("fleet 1000:") {
		missing = append(missing, "fleet 1000 (< 10 s, < 1 GiB)")
	}
	if !has("fleet linearity: per-site(1000) / per-site(100)") {
		missing = append(missing, "linearity per-site(1000)/per-site(100) ≤ 1.3")
	}
	for _, g := range []struct{ prefix, goal string }{
		{"generate", "generate ≤ 1/8 of the baseline"},
		{"validate golden/ (", "validate ≥ 5× kubeconform on golden/"},
		{"validate fleet", "validate ≥ 5× kubeconform on a fleet"},
		{"fn", "fn ≤ 1.5× no-op"},
	} {
		if !has(g.prefix) {
			missing = append(missing, g.goal)
		}
	}
	return missing
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
