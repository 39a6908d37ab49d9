package flux

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/sourceignore/gitignore"
)

// repoRoot is the repository root; go test runs in test/flux.
const repoRoot = "../.."

// goldenOverride is DISCOURSEGEN_GOLDEN: a directory that stands in for
// golden/ (output rendered elsewhere, e.g. a broken copy to prove a test
// fails). Empty when the repository's own golden/ is judged.
func goldenOverride() string { return os.Getenv("DISCOURSEGEN_GOLDEN") }

// onDisk maps a repository-relative slash path ("golden/production/forum/app")
// to where the file really is, honouring DISCOURSEGEN_GOLDEN.
func onDisk(rel string) string {
	if o := goldenOverride(); o != "" {
		if rest, ok := strings.CutPrefix(rel, "golden/"); ok {
			return filepath.Join(o, filepath.FromSlash(rest))
		}
		if rel == "golden" {
			return o
		}
	}
	return filepath.Join(repoRoot, filepath.FromSlash(rel))
}

// shown is how messages name the repository-relative path rel: as it is
// ("golden/production/forum/app/deployment-forum-web.yaml"), or, below a
// DISCOURSEGEN_GOLDEN, as the file to look at.
func shown(rel string) string {
	if goldenOverride() == "" {
		return rel
	}
	return onDisk(rel)
}

// sourceFile is one regular file of the repository as a Git checkout would
// hold it: rel is its slash path from the repository root.
type sourceFile struct {
	rel  string
	disk string
}

// sourceFiles lists every regular file of the repository, like git ls-files
// but from the work tree (untracked files included: whatever a developer
// leaves lying around is what the next commit may carry). .git is skipped.
// With DISCOURSEGEN_GOLDEN set, its files take the place of golden/.
func sourceFiles(t *testing.T) []sourceFile {
	t.Helper()
	var files []sourceFile
	walk := func(diskRoot, relRoot string, skipGolden bool) {
		err := filepath.WalkDir(diskRoot, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			relFromRoot, err := filepath.Rel(diskRoot, p)
			if err != nil {
				return err
			}
			rel := path.Join(relRoot, filepath.ToSlash(relFromRoot))
			if d.IsDir() {
				if d.Name() == ".git" || (skipGolden && rel == "golden") {
					return filepath.SkipDir
				}
				return nil
			}
			// source-controller archives regular files only (symlinks,
			// sockets and the like are dropped), and so does this list.
			if d.Type().IsRegular() {
				files = append(files, sourceFile{rel: rel, disk: p})
			}
			return nil
		})
		if err != nil {
			t.Fatalf("listing the repository: %v", err)
		}
	}
	override := goldenOverride()
	walk(repoRoot, "", override != "")
	if override != "" {
		walk(override, "golden", false)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return files
}

// sourceFilter decides, for a repository-relative slash path, whether
// source-controller leaves it out of the artifact that kustomize-controller
// builds from.
type sourceFilter struct {
	domain   []string // the absolute repository root, split at separators
	matcher  gitignore.Matcher
	patterns int // how many patterns the repository's .sourceignore files hold
}

// excluded reports whether Flux leaves rel out of the artifact. The archive
// walk matches every file on its own path, so a directory pattern such as
// "/clusters/" drops the files below it: the matcher tries each leading
// element of the path.
func (f sourceFilter) excluded(rel string, isDir bool) bool {
	return f.matcher.Match(append(append([]string(nil), f.domain...), strings.Split(rel, "/")...), isDir)
}

// loadSourceFilter reads the repository's .sourceignore files the way
// source-controller does for a GitRepository. The two upstream steps it
// follows, rewritten here rather than imported (they live in packages that
// pull in the whole artifact storage):
//
//   - fluxcd/source-controller internal/controller/gitrepository_controller.go
//     (reconcileArtifact): the ignore domain is the checkout's absolute path
//     split at separators, and sourceignore.LoadIgnorePatterns collects every
//     .sourceignore below it (a GitRepository's spec.ignore would be appended;
//     flux bootstrap's GitRepository has none).
//   - fluxcd/pkg artifact/storage/archive.go (SourceIgnoreFilter): with no
//     patterns, Flux's defaults apply (VCS files, images and archives, CI
//     configs, .sops.yaml and friends); with any pattern, only the VCS
//     exclusions are kept in front of the repository's own. A .sourceignore
//     therefore switches the other defaults off, which is why ours lists .ci/
//     and .github/.
//
// Each path is then matched on its absolute path split at separators
// (archive.go walks the checkout and matches every file and directory).
func loadSourceFilter(t *testing.T) sourceFilter {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	domain := strings.Split(root, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(root, domain)
	if err != nil {
		t.Fatalf("loading .sourceignore patterns: %v", err)
	}
	f := sourceFilter{domain: domain, patterns: len(ps)}
	if len(ps) == 0 {
		f.matcher = sourceignore.NewDefaultMatcher(ps, domain)
	} else {
		f.matcher = sourceignore.NewMatcher(append(sourceignore.VCSPatterns(domain), ps...))
	}
	return f
}

// artifact is the source as kustomize-controller receives it: every file of
// the repository that .sourceignore keeps, by repository-relative path.
type artifact map[string][]byte

// loadArtifact reads the files Flux would pack into the GitRepository's
// artifact. Building from this, rather than from the work tree, means a
// .sourceignore that dropped part of golden/ fails the build tests too.
func loadArtifact(t *testing.T) artifact {
	t.Helper()
	filter := loadSourceFilter(t)
	a := artifact{}
	for _, f := range sourceFiles(t) {
		if filter.excluded(f.rel, false) {
			continue
		}
		data, err := os.ReadFile(f.disk)
		if err != nil {
			t.Fatalf("reading %s: %v", f.disk, err)
		}
		a[f.rel] = data
	}
	return a
}

// extract writes the artifact into a fresh directory and returns it, as
// kustomize-controller untars the artifact into a temporary directory for
// every reconciliation: the generator step rewrites kustomization.yaml in
// place, so no two builds may share one extraction.
func (a artifact) extract(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range a {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// hasDir reports whether the artifact holds any file below rel.
func (a artifact) hasDir(rel string) bool {
	for p := range a {
		if strings.HasPrefix(p, rel+"/") {
			return true
		}
	}
	return false
}

// describeGolden says which golden/ is judged, for the first log line.
func describeGolden() string {
	if o := goldenOverride(); o != "" {
		return fmt.Sprintf("golden/ is DISCOURSEGEN_GOLDEN=%s", o)
	}
	return "golden/ is the repository's"
}
