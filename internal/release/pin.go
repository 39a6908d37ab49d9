package release

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/internal/build"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Change is what Pin or Promote did to a release file.
type Change struct {
	// File is the release file, clusters/<env>/<generator>/release.yaml.
	File string
	// Old is the pin before, New the pin after.
	Old, New Image
	// Relaid says that kyaml also changed the layout of parts of the file
	// the pin did not touch: yaml.v3, under kyaml, drops blank lines
	// inside a mapping and writes two-space indentation. Comments and key
	// order are always kept.
	Relaid bool
}

// Changed says whether the file was written: false when it already
// pinned New.
func (c Change) Changed() bool { return c.Old != c.New }

// Pin sets the release of env to img.
func Pin(clusters, env string, img Image) (Change, error) {
	f, err := Find(clusters, env)
	if err != nil {
		return Change{}, err
	}
	return f.set(img, func() error {
		return fmt.Errorf("%s has spec.profile: %s, which runs only images pinned by digest, and %s has none: a tag can be moved to other bytes after it was tested, and production must run exactly what staging tested; pin the digest staging runs (discoursegen pin %s %s@sha256:<digest>), or promote from an environment pinned by digest",
			f.Dir, v1alpha1.ProfileProduction, img, env, img)
	})
}

// Promote copies the pin of the environment from (repository, tag and
// digest, exactly) to the environment to.
func Promote(clusters, from, to string) (Change, error) {
	src, err := Find(clusters, from)
	if err != nil {
		return Change{}, err
	}
	img, err := src.Read()
	if err != nil {
		return Change{}, err
	}
	// What is promoted must be what from ran, not only what its file
	// says: a release file that does not take effect pins an image that
	// was never tested there.
	if err := src.verify(img); err != nil {
		return Change{}, fmt.Errorf("nothing to promote from %s: %w", from, err)
	}
	dst, err := Find(clusters, to)
	if err != nil {
		return Change{}, err
	}
	return dst.set(img, func() error {
		return fmt.Errorf("%s has spec.profile: %s, which runs only images pinned by digest, and %s pins %s without one: a tag can be moved to other bytes, and production must run exactly what %s tested; pin %s by digest first (discoursegen pin %s %s@sha256:<digest>), then promote",
			dst.Dir, v1alpha1.ProfileProduction, from, img, from, from, from, img)
	})
}

// set writes img into the release file, unless the environment refuses
// it. refuseTagOnly is the message for an environment with profile
// production and an image without digest.
//
// Whether the pin takes effect is known only from building the
// environment's configs (build.Configs), and build reads from disk. So
// the check is made in two steps: before writing, the generator's
// kustomization must list the file as a patch with target kind Discourse
// (checkWired, which catches a file nothing applies, and leaves the file
// untouched); after the atomic write, every Discourse config that
// build.Configs returns must carry the new image (verify, which catches
// the rest: a later patch setting spec.image, a target that misses a
// site). If verify fails, the old bytes are written back atomically.
// Building from a copy of clusters/ instead would miss kustomizations
// that reach outside it, and building from an in-memory filesystem
// would mean a second copy of build.Configs.
func (f File) set(img Image, refuseTagOnly func() error) (Change, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return Change{}, err
	}
	node, err := parseReleaseFile(f.Path, data)
	if err != nil {
		return Change{}, err
	}
	// Before build.Configs: a patch without target fails the build with
	// kustomize's "no matches for Id", and this says what to change.
	if err := f.checkWired(); err != nil {
		return Change{}, err
	}
	configs, err := build.Configs(f.Dir)
	if err != nil {
		return Change{}, err
	}
	if img.Digest == "" && RunsProduction(configs) {
		return Change{}, refuseTagOnly()
	}
	change := Change{File: f.Path, Old: imageOf(node), New: img}
	if !change.Changed() {
		// Nothing to write, but "already pinned" must still mean "runs".
		return change, f.verify(img)
	}
	updated, err := withImage(f.Path, data, img)
	if err != nil {
		return Change{}, err
	}
	// Re-encoding the file as it is shows whether kyaml keeps everything
	// the pin does not change; when it does not (a blank line inside a
	// mapping, four-space indentation), the user is told to look.
	// An incomplete old pin cannot be written back as it was; there is no
	// layout to compare then.
	if change.Old.Repository != "" && change.Old.Tag != "" {
		if same, err := withImage(f.Path, data, change.Old); err != nil || string(same) != string(data) {
			change.Relaid = true
		}
	}
	if err := writeAtomic(f.Path, updated); err != nil {
		return Change{}, err
	}
	if err := f.verify(img); err != nil {
		if rerr := writeAtomic(f.Path, data); rerr != nil {
			return Change{}, fmt.Errorf("%w; putting back the old %s failed, restore it by hand (git checkout): %v", err, f.Path, rerr)
		}
		return Change{}, fmt.Errorf("%w; %s is unchanged", err, f.Path)
	}
	return change, nil
}

// verify builds the environment's generator configs and checks that
// each Discourse config runs img.
func (f File) verify(img Image) error {
	configs, err := build.Configs(f.Dir)
	if err != nil {
		return err
	}
	sites := 0
	var others []string
	for _, c := range configs {
		if !isDiscourse(c.Node) {
			continue
		}
		sites++
		if got := imageOf(c.Node); got != img {
			others = append(others, fmt.Sprintf("%s runs %s", c.Node.GetName(), got))
		}
	}
	if sites == 0 {
		return fmt.Errorf("%s builds no %s config, so %s reaches no site", f.Dir, v1alpha1.Kind, f.Path)
	}
	if len(others) > 0 {
		return fmt.Errorf("%s pins %s, but it does not take effect: in %s, %s (the patch's target misses a site, or another patch sets spec.image); %s must apply it as %s, and no other patch may set spec.image",
			f.Path, img, f.Dir, strings.Join(others, ", "), filepath.Join(f.Dir, f.Generator, "kustomization.yaml"), wiring)
	}
	return nil
}

// RunsProduction says whether any Discourse config of an environment
// (build.Configs) has profile production: such an environment runs only
// digest-pinned images, and diff flags its image changes.
func RunsProduction(configs []build.Config) bool {
	for _, c := range configs {
		if !isDiscourse(c.Node) {
			continue
		}
		if p, err := c.Node.Pipe(kyaml.Lookup("spec", "profile")); err == nil && p != nil && p.YNode().Value == string(v1alpha1.ProfileProduction) {
			return true
		}
	}
	return false
}

func isDiscourse(node *kyaml.RNode) bool {
	return node.GetApiVersion() == v1alpha1.APIVersion && node.GetKind() == v1alpha1.Kind
}
