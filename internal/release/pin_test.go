package release

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// clustersIn is the repository's example configuration; tests work on a
// copy of it.
const clustersIn = "../../clusters"

// copyClusters copies clusters/ into a temporary directory and returns
// the copy's path.
func copyClusters(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clusters")
	if err := os.CopyFS(dir, os.DirFS(clustersIn)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot maps every file under dir to its content, so a test can tell
// that nothing changed and no temporary file was left behind.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func unchanged(t *testing.T, before, after map[string]string) {
	t.Helper()
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("files changed although the command failed (-before +after):\n%s", diff)
	}
}

// failsWith checks that err is set and that its message says every one
// of wants.
func failsWith(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("succeeded, want an error")
	}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

// overridingPatch is a patch, appended to a kustomization's patches,
// that sets the image after the release file, so the pin does not take
// effect.
const overridingPatch = "- patch: |\n    apiVersion: discoursegen.dev/v1alpha1\n    kind: Discourse\n    metadata: {name: forum}\n    spec: {image: {repository: r/d, tag: hand-set}}\n"

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustParse(t *testing.T, s string) Image {
	t.Helper()
	img, err := ParseImage(s)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func mustFind(t *testing.T, clusters, env string) File {
	t.Helper()
	f, err := Find(clusters, env)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPinKeepsTheFile: pin changes the three values and nothing else of
// the example's staging release file: the header comment, key order and
// layout are byte for byte the same, and the digest goes right after the
// tag.
func TestPinKeepsTheFile(t *testing.T) {
	clusters := copyClusters(t)
	f := mustFind(t, clusters, "staging")
	if want := filepath.Join(clusters, "staging", "site", "release.yaml"); f.Path != want {
		t.Fatalf("release file %s, want %s", f.Path, want)
	}
	before := read(t, f.Path)
	old, err := f.Read()
	if err != nil {
		t.Fatal(err)
	}
	if old.Digest != "" {
		t.Fatalf("the example's staging pin %s has a digest; this test adds one", old)
	}
	oldBlock := "    repository: " + old.Repository + "\n    tag: " + old.Tag + "\n"
	if !strings.Contains(before, oldBlock) {
		t.Fatalf("the staging release file has no block\n%s", oldBlock)
	}
	want := strings.Replace(before, oldBlock,
		"    repository: registry.example.org/discourse\n    tag: v2099.1.0-abc123def456\n    digest: "+testDigest+"\n", 1)

	change, err := Pin(clusters, "staging", mustParse(t, testImage))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, read(t, f.Path)); diff != "" {
		t.Errorf("release file (-want +got):\n%s", diff)
	}
	if !change.Changed() || change.Relaid || change.Old != old || change.New.String() != testImage || change.File != f.Path {
		t.Errorf("change %+v", change)
	}

	// Pinning the old image again takes the digest out and gives the
	// original file back.
	if _, err := Pin(clusters, "staging", old); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, read(t, f.Path)); diff != "" {
		t.Errorf("pinning back did not restore the file (-want +got):\n%s", diff)
	}
}

// TestPinKeepsComments: line and head comments, quoting, other fields of
// spec.image and the file mode survive a pin; a tag that reads as a
// number is quoted so it stays a string.
func TestPinKeepsComments(t *testing.T) {
	clusters := copyClusters(t)
	f := mustFind(t, clusters, "staging")
	write(t, f.Path, `# head comment
apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata:
  name: release # any name: the patch targets by kind
spec:
  # the image every site runs
  image:
    repository: "ghcr.io/acme-forums/discourse" # the launcher build
    tag: v2026.1.0 # bumped by pin
    # before pullPolicy
    pullPolicy: IfNotPresent
    pullSecrets:
    - ghcr
# foot comment
`)
	if err := os.Chmod(f.Path, 0o600); err != nil {
		t.Fatal(err)
	}
	change, err := Pin(clusters, "staging", mustParse(t, "discourse/discourse:2026.2@"+testDigest))
	if err != nil {
		t.Fatal(err)
	}
	if change.Relaid {
		t.Error("reported a layout change where there is none")
	}
	want := `# head comment
apiVersion: discoursegen.dev/v1alpha1
kind: Discourse
metadata:
  name: release # any name: the patch targets by kind
spec:
  # the image every site runs
  image:
    repository: "discourse/discourse" # the launcher build
    tag: "2026.2" # bumped by pin
    digest: ` + testDigest + `
    # before pullPolicy
    pullPolicy: IfNotPresent
    pullSecrets:
    - ghcr
# foot comment
`
	if diff := cmp.Diff(want, read(t, f.Path)); diff != "" {
		t.Errorf("release file (-want +got):\n%s", diff)
	}
	info, err := os.Stat(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the file's own 0600", info.Mode().Perm())
	}
}

// TestPinQuotesNumericTag: a tag that reads as a number is written
// quoted, even over a value YAML read as a number, so the config keeps a
// string.
func TestPinQuotesNumericTag(t *testing.T) {
	clusters := copyClusters(t)
	f := mustFind(t, clusters, "staging")
	write(t, f.Path, "apiVersion: discoursegen.dev/v1alpha1\nkind: Discourse\nmetadata:\n  name: release\nspec:\n  image:\n    repository: r/d\n    tag: 2026\n")
	if _, err := Pin(clusters, "staging", mustParse(t, "r/d:2027")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, f.Path); !strings.Contains(got, "    tag: \"2027\"\n") {
		t.Errorf("tag not quoted:\n%s", got)
	}
}

// TestPinReportsRelayout: a blank line inside a mapping is something
// kyaml does not keep; the pin still succeeds, keeps the comment, and
// says that more than the values changed.
func TestPinReportsRelayout(t *testing.T) {
	clusters := copyClusters(t)
	f := mustFind(t, clusters, "staging")
	write(t, f.Path, "apiVersion: discoursegen.dev/v1alpha1\nkind: Discourse\nmetadata:\n  name: release\nspec:\n  image:\n    repository: r/d\n\n    # the release\n    tag: v1\n")
	change, err := Pin(clusters, "staging", mustParse(t, "r/d:v2"))
	if err != nil {
		t.Fatal(err)
	}
	if !change.Relaid {
		t.Error("a dropped blank line was not reported")
	}
	want := "apiVersion: discoursegen.dev/v1alpha1\nkind: Discourse\nmetadata:\n  name: release\nspec:\n  image:\n    repository: r/d\n    # the release\n    tag: v2\n"
	if diff := cmp.Diff(want, read(t, f.Path)); diff != "" {
		t.Errorf("release file (-want +got):\n%s", diff)
	}
}

// TestPinProductionNeedsDigest: production runs only digest-pinned
// images, and a refused pin writes nothing.
func TestPinProductionNeedsDigest(t *testing.T) {
	clusters := copyClusters(t)
	before := snapshot(t, clusters)
	_, err := Pin(clusters, "production", mustParse(t, "registry.example.org/discourse:v2099.1.0"))
	failsWith(t, err, "spec.profile: production", "pinned by digest", "a tag can be moved", "discoursegen pin production registry.example.org/discourse:v2099.1.0@sha256:<digest>")
	unchanged(t, before, snapshot(t, clusters))

	if _, err := Pin(clusters, "production", mustParse(t, testImage)); err != nil {
		t.Errorf("pin by digest: %v", err)
	}
}

// TestPromoteCopiesExactly: promote copies repository, tag and digest;
// a second promote finds nothing to do and writes nothing.
func TestPromoteCopiesExactly(t *testing.T) {
	clusters := copyClusters(t)
	img := mustParse(t, testImage)
	if _, err := Pin(clusters, "staging", img); err != nil {
		t.Fatal(err)
	}
	change, err := Promote(clusters, "staging", "production")
	if err != nil {
		t.Fatal(err)
	}
	if !change.Changed() || change.New != img {
		t.Errorf("change %+v", change)
	}
	got, err := mustFind(t, clusters, "production").Read()
	if err != nil {
		t.Fatal(err)
	}
	if got != img {
		t.Errorf("production pins %s, want %s", got, img)
	}

	before := snapshot(t, clusters)
	again, err := Promote(clusters, "staging", "production")
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed() {
		t.Errorf("second promote reports a change: %+v", again)
	}
	unchanged(t, before, snapshot(t, clusters))
}

// TestPromoteOnlyWhatRuns: a release file that staging does not apply
// pins nothing staging tested, so it is not promoted.
func TestPromoteOnlyWhatRuns(t *testing.T) {
	clusters := copyClusters(t)
	if _, err := Pin(clusters, "staging", mustParse(t, testImage)); err != nil {
		t.Fatal(err)
	}
	k := filepath.Join(clusters, "staging", "site", "kustomization.yaml")
	write(t, k, read(t, k)+overridingPatch)
	before := snapshot(t, clusters)
	_, err := Promote(clusters, "staging", "production")
	failsWith(t, err, "nothing to promote from staging", "forum runs r/d:hand-set")
	unchanged(t, before, snapshot(t, clusters))
}

// TestPromoteRefusesTagOnlyToProduction: a digest-less staging pin does
// not reach production, and the message says why and what to do.
func TestPromoteRefusesTagOnlyToProduction(t *testing.T) {
	clusters := copyClusters(t)
	if _, err := Pin(clusters, "staging", mustParse(t, "registry.example.org/discourse:v2099.1.0")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, clusters)
	_, err := Promote(clusters, "staging", "production")
	failsWith(t, err, "staging pins registry.example.org/discourse:v2099.1.0 without one", "a tag can be moved", "exactly what staging tested", "pin staging by digest first")
	unchanged(t, before, snapshot(t, clusters))

	// To an environment that is not production, a tag is enough.
	if _, err := Promote(clusters, "staging", "local"); err != nil {
		t.Errorf("promote to local: %v", err)
	}
}

// TestUnknownEnvironment: the error lists the environments there are;
// base holds the shared config and is none.
func TestUnknownEnvironment(t *testing.T) {
	clusters := copyClusters(t)
	for _, env := range []string{"prod", "base", "staging/site", "../clusters/staging"} {
		t.Run(env, func(t *testing.T) {
			_, err := Pin(clusters, env, mustParse(t, testImage))
			failsWith(t, err, "unknown environment", "local, production, staging")
		})
	}
	_, err := Promote(clusters, "stagign", "production")
	failsWith(t, err, `unknown environment "stagign"`)
}

// TestReleaseFileNotApplied: a release file that does not reach the
// configs is found out, and nothing is left changed: either before
// writing (the kustomization does not list it) or by building the
// configs after writing, which restores the file.
func TestReleaseFileNotApplied(t *testing.T) {
	cases := map[string]struct {
		edit func(kustomization string) string
		want []string
	}{
		"not listed": {
			edit: func(k string) string {
				return strings.Replace(k, "- path: release.yaml\n  target:\n    kind: Discourse\n", "", 1)
			},
			want: []string{"release.yaml is not applied", "does not list it", "patches: [{path: release.yaml, target: {kind: Discourse}}]"},
		},
		"no target": {
			edit: func(k string) string {
				return strings.Replace(k, "- path: release.yaml\n  target:\n    kind: Discourse\n", "- path: release.yaml\n", 1)
			},
			want: []string{"without target kind Discourse"},
		},
		"target misses the site": {
			edit: func(k string) string {
				return strings.Replace(k, "    kind: Discourse\n", "    kind: Discourse\n    name: another-forum\n", 1)
			},
			want: []string{"does not take effect", "forum runs no image", "is unchanged"},
		},
		"a later patch sets the image": {
			edit: func(k string) string {
				return k + overridingPatch
			},
			want: []string{"does not take effect", "forum runs r/d:hand-set", "no other patch may set spec.image", "is unchanged"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			clusters := copyClusters(t)
			k := filepath.Join(clusters, "staging", "site", "kustomization.yaml")
			original := read(t, k)
			if !strings.HasSuffix(original, "- path: release.yaml\n  target:\n    kind: Discourse\n") {
				t.Fatalf("%s no longer ends with the release patch; update this test", k)
			}
			edited := c.edit(original)
			if edited == original {
				t.Fatal("the edit changed nothing")
			}
			write(t, k, edited)
			before := snapshot(t, clusters)
			_, err := Pin(clusters, "staging", mustParse(t, testImage))
			failsWith(t, err, c.want...)
			unchanged(t, before, snapshot(t, clusters))
		})
	}
}

// TestFindReleaseFile: no release file, or two, is an error that says
// where the file belongs and how it is applied.
func TestFindReleaseFile(t *testing.T) {
	clusters := copyClusters(t)
	if err := os.Remove(filepath.Join(clusters, "staging", "site", "release.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err := Find(clusters, "staging")
	failsWith(t, err, "has no release file", filepath.Join(clusters, "staging", "site", "release.yaml"), "patches: [{path: release.yaml")

	second := filepath.Join(clusters, "production", "extra")
	if err := os.CopyFS(second, os.DirFS(filepath.Join(clusters, "production", "site"))); err != nil {
		t.Fatal(err)
	}
	k := filepath.Join(clusters, "production", "kustomization.yaml")
	write(t, k, strings.Replace(read(t, k), "generators:\n- site\n", "generators:\n- site\n- extra\n", 1))
	_, err = Find(clusters, "production")
	failsWith(t, err, "has 2 release files")
}
