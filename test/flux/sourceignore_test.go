package flux

import (
	"path"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/sourceignore"
)

// TestSourceIgnoreKeepsGoldenAndDropsClusters proves, with source-controller's
// own matcher, what the repository's .sourceignore lets Flux read: every
// file under golden/ is kept; every file under clusters/ (the generator's
// inputs, which Flux must never apply) is left out; no YAML file outside
// golden/ is kept, so no Flux Kustomization can apply a fixture or a config
// by pointing at the wrong path; and no pattern reaches into golden/, even
// for a site or stage that shares a name with an excluded directory.
func TestSourceIgnoreKeepsGoldenAndDropsClusters(t *testing.T) {
	t.Log(describeGolden())
	filter := loadSourceFilter(t)
	if filter.patterns == 0 {
		t.Fatalf("the repository has no .sourceignore patterns, so Flux applies its defaults, which keep clusters/")
	}
	files := sourceFiles(t)

	t.Run("golden is kept", func(t *testing.T) {
		n := 0
		for _, f := range files {
			if strings.HasPrefix(f.rel, "golden/") {
				n++
				if filter.excluded(f.rel, false) {
					t.Errorf("%s: .sourceignore excludes it, so Flux cannot read it", shown(f.rel))
				}
			}
		}
		if n == 0 {
			t.Fatalf("%s holds no file, so keeping it proves nothing", shown("golden"))
		}
	})

	t.Run("clusters is dropped", func(t *testing.T) {
		n := 0
		for _, f := range files {
			if strings.HasPrefix(f.rel, "clusters/") {
				n++
				if !filter.excluded(f.rel, false) {
					t.Errorf("%s: .sourceignore keeps it, so Flux reads a generator input", shown(f.rel))
				}
			}
		}
		if n == 0 {
			t.Fatalf("the repository has no clusters/ files, so dropping them proves nothing")
		}
	})

	t.Run("no YAML outside golden is kept", func(t *testing.T) {
		for _, f := range files {
			ext := path.Ext(f.rel)
			if (ext == ".yaml" || ext == ".yml") && !strings.HasPrefix(f.rel, "golden/") && !filter.excluded(f.rel, false) {
				t.Errorf("%s: .sourceignore keeps this YAML file, so a Flux Kustomization could apply it; "+
					"add it or its directory to .sourceignore, anchored with a leading /", shown(f.rel))
			}
		}
	})

	// The VCS exclusions (.git/, .gitignore, ...) are Flux's own and match
	// at any depth on purpose; only the repository's patterns are checked.
	vcsOnly := sourceignore.NewMatcher(sourceignore.VCSPatterns(filter.domain))
	t.Run("no pattern reaches into golden", func(t *testing.T) {
		env := firstEnv(files)
		if env == "" {
			t.Fatalf("%s holds no environment", shown("golden"))
		}
		// A site or stage named like an excluded directory, or a file
		// named like an excluded file, must still reach Flux: move every
		// excluded file below golden/<env>/ and match it again. Offenders
		// are reported once per top-level directory.
		reported := map[string]bool{}
		for _, f := range files {
			if strings.HasPrefix(f.rel, "golden/") || !filter.excluded(f.rel, false) ||
				vcsOnly.Match(append(append([]string(nil), filter.domain...), strings.Split(f.rel, "/")...), false) {
				continue
			}
			moved := path.Join("golden", env, f.rel)
			top, _, _ := strings.Cut(f.rel, "/")
			if filter.excluded(moved, false) && !reported[top] {
				reported[top] = true
				t.Errorf(".sourceignore would exclude %s, as it excludes %s: a pattern that is not anchored "+
					"with a leading / reaches into golden/", moved, f.rel)
			}
		}
	})
}

// firstEnv is the name of an environment directory of golden/, or "".
func firstEnv(files []sourceFile) string {
	for _, f := range files {
		if rest, ok := strings.CutPrefix(f.rel, "golden/"); ok {
			if env, _, ok := strings.Cut(rest, "/"); ok {
				return env
			}
		}
	}
	return ""
}
