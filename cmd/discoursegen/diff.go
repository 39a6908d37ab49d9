package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/internal/build"
	"discoursegen.dev/discoursegen/internal/release"
	"discoursegen.dev/discoursegen/internal/review"
)

// diff's exit codes are git diff --exit-code's, so CI can branch on them;
// a usage error or a failure is exitError (2).
const (
	exitNoChanges = 0
	exitChanges   = 1
)

const diffUsage = `usage: discoursegen diff [--base REF] [--format text|markdown] [--clusters DIR] [--out DIR]

Shows what a change does to the manifests Flux applies, per environment:
the objects removed, added and changed, every changed field as
path: old → new, and the changes that are risky to apply (database and
storage, a new migration Job, scale-downs and stricter disruption budgets,
NetworkPolicies, images in production).

The base is golden/ (--out) as committed at REF, read from git's objects:
nothing is checked out or written, and uncommitted files do not count.
That tree is REF's render (make verify and the pre-commit hook keep it so)
and exactly what Flux applies at REF; rendering REF's clusters/ instead
would need REF's build of discoursegen. At a REF without the directory,
every object is added.

The head is a fresh render of the working tree's clusters/, as generate
would write it, so config edits show before make generate. Like generate,
it needs the configs' function to be this build (make build), and it
fails, with generate's errors, when the working tree does not render.

Objects are matched by environment, API group, kind, namespace and name,
never by file, so moving a file is not a change. An environment runs
production when one of its configs in clusters/ has
spec.profile: production; an environment that only exists at REF runs
production when it is named production.

Exit status: 0 no changes, 1 changes, 2 usage error or failure.

`

// runDiff implements `discoursegen diff`.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "HEAD", "the commit whose golden/ is the base (a branch, tag or hash)")
	format := fs.String("format", "text", "text, for a terminal, or markdown, for a pull request comment")
	clusters := fs.String("clusters", "clusters", "directory with one kustomization per environment (base/ is skipped)")
	out := fs.String("out", "golden", "the output directory of generate; its committed copy at --base is the base")
	fs.Usage = func() {
		fmt.Fprint(stderr, diffUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitError
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "discoursegen diff: unexpected argument %q\n\n", fs.Arg(0))
		fs.Usage()
		return exitError
	}
	if *format != "text" && *format != "markdown" {
		fmt.Fprintf(stderr, "discoursegen diff: --format %q: must be text or markdown\n", *format)
		return exitError
	}
	report, tree, err := diff(*base, *clusters, *out)
	if err != nil {
		fmt.Fprintln(stderr, "discoursegen diff:", err)
		return exitError
	}
	sides := review.Sides{Base: tree + "/ at " + *base, Head: "working tree"}
	text := review.Text(report, sides)
	if *format == "markdown" {
		text = review.Markdown(report, sides)
	}
	if _, err := io.WriteString(stdout, text); err != nil {
		fmt.Fprintln(stderr, "discoursegen diff:", err)
		return exitError
	}
	if report.Changed() {
		return exitChanges
	}
	return exitNoChanges
}

// diff compares out as committed at ref with a render of clusters. It
// also returns out's path in the repository, to name the base.
func diff(ref, clusters, out string) (review.Report, string, error) {
	committed, tree, err := committedFiles(out, ref)
	if err != nil {
		return review.Report{}, "", err
	}
	base, err := review.Parse(ref+":"+tree, committed)
	if err != nil {
		return review.Report{}, "", fmt.Errorf("reading %s/ at %s:\n%w", tree, ref, err)
	}
	// The policy's warnings and waivers are generate's to print; its
	// errors fail the render either way.
	rendered, _, err := renderAll(clusters, out, io.Discard)
	if err != nil {
		return review.Report{}, "", fmt.Errorf("rendering the working tree: %w", err)
	}
	head, err := review.Parse("render:"+tree, rendered)
	if err != nil {
		return review.Report{}, "", err
	}
	production, err := productionEnvs(clusters, base, head)
	if err != nil {
		return review.Report{}, "", err
	}
	return review.Compare(base, head, production), tree, nil
}

// productionEnvs says which environments run production. The head side's
// configs decide: an environment with a config whose spec.profile is
// production. An environment that only exists at the base has no config
// left to ask, so its name decides.
func productionEnvs(clusters string, sides ...[]review.Object) (map[string]bool, error) {
	production := map[string]bool{}
	for _, objs := range sides {
		for _, o := range objs {
			production[o.Env] = false
		}
	}
	current, err := build.Environments(clusters)
	if err != nil {
		return nil, err
	}
	for env := range production {
		if !slices.Contains(current, env) {
			production[env] = env == string(v1alpha1.ProfileProduction)
			continue
		}
		dir := filepath.Join(clusters, env)
		configs, err := build.Configs(dir)
		if err != nil {
			return nil, fmt.Errorf("reading the configs of %s: %w", dir, err)
		}
		production[env] = release.RunsProduction(configs)
	}
	return production, nil
}

// committedFiles reads every file under dir as committed at ref, from
// git's object database: git ls-tree lists the blobs, one git cat-file
// --batch reads them all. Nothing is checked out or written, and the
// working tree and index are never looked at. (git archive would do the
// same, but it applies the export-ignore and export-subst attributes of
// .gitattributes, which could drop or rewrite files.) Paths are relative
// to dir, slash-separated; tree is dir's path in the repository. A dir
// that does not exist at ref gives no files.
func committedFiles(dir, ref string) (files []review.File, tree string, err error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return nil, "", fmt.Errorf("--base %q: not a revision", ref)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", err
	}
	// The parent exists even when dir was deleted in the working tree.
	parent := filepath.Dir(abs)
	top, err := git(parent, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", fmt.Errorf("finding the git repository of %s: %w", dir, err)
	}
	top = strings.TrimSuffix(top, "\n")
	prefix, err := git(parent, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, "", fmt.Errorf("finding the git repository of %s: %w", dir, err)
	}
	tree = strings.TrimSuffix(prefix, "\n") + filepath.Base(abs)
	commit, err := git(top, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return nil, "", fmt.Errorf("--base %s: unknown revision (not a commit of the repository in %s)", ref, top)
	}
	commit = strings.TrimSuffix(commit, "\n")
	listing, err := git(top, nil, "--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit, "--", tree)
	if err != nil {
		return nil, "", fmt.Errorf("listing %s at %s: %w", tree, ref, err)
	}
	var request bytes.Buffer
	for entry := range strings.SplitSeq(strings.TrimSuffix(listing, "\x00"), "\x00") {
		if entry == "" {
			continue
		}
		meta, name, ok := strings.Cut(entry, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			return nil, "", fmt.Errorf("listing %s at %s: unexpected git ls-tree output %q", tree, ref, entry)
		}
		rel, ok := strings.CutPrefix(name, tree+"/")
		if !ok {
			continue // the pathspec also matches a file named like dir
		}
		mode, kind, object := fields[0], fields[1], fields[2]
		if kind != "blob" || (mode != "100644" && mode != "100755") {
			return nil, "", fmt.Errorf("%s:%s: a %s (mode %s); diff reads only regular files", ref, name, kind, mode)
		}
		files = append(files, review.File{Path: path.Clean(rel)})
		request.WriteString(object + "\n")
	}
	if len(files) == 0 {
		return nil, tree, nil
	}
	blobs, err := git(top, &request, "cat-file", "--batch")
	if err != nil {
		return nil, "", fmt.Errorf("reading %s at %s: %w", tree, ref, err)
	}
	r := bufio.NewReader(strings.NewReader(blobs))
	for i := range files {
		data, err := readBatchBlob(r)
		if err != nil {
			return nil, "", fmt.Errorf("reading %s:%s/%s: %w", ref, tree, files[i].Path, err)
		}
		files[i].Data = data
	}
	return files, tree, nil
}

// readBatchBlob reads one object of git cat-file --batch's output:
// "<oid> blob <size>\n<content>\n".
func readBatchBlob(r *bufio.Reader) ([]byte, error) {
	header, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	fields := strings.Fields(header)
	if len(fields) != 3 || fields[1] != "blob" {
		return nil, fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(header))
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil || size < 0 {
		return nil, fmt.Errorf("git cat-file: unexpected size in %q", strings.TrimSpace(header))
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return data[:size], nil
}

// git runs git in dir and returns its stdout; its stderr is in the error.
func git(dir string, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		name := args[0]
		for _, a := range args {
			if !strings.HasPrefix(a, "-") {
				name = a
				break
			}
		}
		msg := strings.TrimSpace(stderr.String())
		var exit *exec.ExitError
		if msg != "" && errors.As(err, &exit) {
			return "", fmt.Errorf("git %s: %s", name, msg)
		}
		return "", fmt.Errorf("git %s: %w", name, err)
	}
	return stdout.String(), nil
}
