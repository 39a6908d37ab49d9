package release

import (
	// go-digest validates a sha256 digest only when the hash is linked
	// into the binary (digest.Algorithm.Available); without this import a
	// well-formed digest would be refused as unsupported.
	_ "crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Form is the accepted shape of an image reference, shown in every
// parse error.
const Form = "REGISTRY/REPOSITORY:TAG[@sha256:DIGEST]"

// Image is what a release pin sets: spec.image.repository, tag and
// digest of every Discourse config of an environment.
type Image struct {
	// Repository is the name exactly as the user wrote it: discourse/x
	// stays discourse/x, not docker.io/discourse/x, so that the config
	// and the rendered manifests say what the user said.
	Repository string
	// Tag names the release; the migration Job is named after it.
	Tag string
	// Digest is sha256:<64 hex>, or empty when the pin is a tag only.
	Digest string
}

// String is the reference as a container runtime reads it.
func (i Image) String() string {
	if i == (Image{}) {
		return "no image"
	}
	s := i.Repository + ":" + i.Tag
	if i.Digest != "" {
		s += "@" + i.Digest
	}
	return s
}

// Anchored forms of the library's exported regexps, used only to say
// which part of a reference it refused.
var (
	tagPattern    = regexp.MustCompile(`^(?:` + reference.TagRegexp.String() + `)$`)
	namePattern   = regexp.MustCompile(`^(?:` + reference.NameRegexp.String() + `)$`)
	digestPattern = regexp.MustCompile(`^(?:` + reference.DigestRegexp.String() + `)$`)
)

// ParseImage parses a full image reference with tag, and optional sha256
// digest: registry.example.org:5000/discourse:v1.2.3@sha256:<64 hex>.
//
// The grammar is github.com/distribution/reference's, the parser docker
// and containerd use. reference.Parse is used rather than
// ParseNormalizedNamed because the latter expands discourse/discourse to
// docker.io/discourse/discourse, and the pin keeps what the user wrote.
// `kustomize edit set image` is no model here: it splits on '@' and the
// last ':' without checking the grammar (setimage.go parse calls
// util.SplitImageName, i.e. api/internal/image.Split), so it would pin
// "Registry/Discourse:v1" and leave the failure to the image pull.
//
// Beyond the grammar, a release needs a tag (the tag names the release
// and the migration Job), that tag must not be latest (it moves, so it
// names no release; the config validation refuses it too), and a digest
// must be sha256, the only form spec.image.digest accepts.
func ParseImage(s string) (Image, error) {
	bad := func(format string, args ...any) (Image, error) {
		return Image{}, fmt.Errorf("%q: %s; want %s", s, fmt.Sprintf(format, args...), Form)
	}
	switch {
	case s == "":
		return bad("is empty")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return bad("contains whitespace")
	case strings.Contains(s, "://"):
		return bad("is a URL; an image reference has no scheme")
	}
	ref, err := reference.Parse(s)
	if err != nil {
		return bad("%s", whatIsWrong(s, err))
	}
	named, ok := ref.(reference.Named)
	if !ok {
		return bad("has no repository")
	}
	tagged, ok := ref.(reference.Tagged)
	if !ok {
		return bad("has no tag: the tag names the release and its migration Job")
	}
	if tagged.Tag() == "latest" {
		return bad("tag latest moves with every push, so it names no release (the migration Job is named after the tag); use the release's own tag")
	}
	img := Image{Repository: named.Name(), Tag: tagged.Tag()}
	if d, ok := ref.(reference.Digested); ok {
		if d.Digest().Algorithm() != digest.SHA256 {
			return bad("digest algorithm is %s; spec.image.digest takes sha256 only", d.Digest().Algorithm())
		}
		img.Digest = d.Digest().String()
	}
	return img, nil
}

// whatIsWrong turns the library's error into a sentence about the part
// of s that is wrong. reference.Parse reports most mistakes as "invalid
// reference format", so the parts are checked one by one, split the way
// the grammar splits them: the digest after '@', the tag after the last
// ':' that follows the last '/'.
func whatIsWrong(s string, err error) string {
	switch {
	case errors.Is(err, reference.ErrNameEmpty):
		return "has no repository"
	case errors.Is(err, reference.ErrNameContainsUppercase):
		return "repository must be lowercase"
	case errors.Is(err, reference.ErrNameTooLong):
		return fmt.Sprintf("repository is longer than %d characters", reference.RepositoryNameTotalLengthMax)
	}
	rest, dig, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if msg := digestProblem(dig); msg != "" {
			return msg
		}
	}
	name, tag := rest, ""
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		name, tag = rest[:i], rest[i+1:]
		if tag == "" {
			return "tag is empty"
		}
		if !tagPattern.MatchString(tag) {
			return fmt.Sprintf("tag %q must be letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'", tag)
		}
	}
	if !namePattern.MatchString(name) {
		return fmt.Sprintf("repository %q must be [HOST[:PORT]/]PATH, each path component lowercase letters and digits joined by '.', '_', '__' or '-'", name)
	}
	return err.Error()
}

// digestProblem says what is wrong with the part after '@', or "" when
// the digest is well formed.
func digestProblem(d string) string {
	algorithm, hex, _ := strings.Cut(d, ":")
	if algorithm != string(digest.SHA256) {
		if digestPattern.MatchString(d) {
			return fmt.Sprintf("digest algorithm is %s; spec.image.digest takes sha256 only", algorithm)
		}
		return fmt.Sprintf("digest %q is not sha256:<64 hex>", d)
	}
	switch err := digest.Digest(d).Validate(); {
	case errors.Is(err, digest.ErrDigestInvalidLength):
		return fmt.Sprintf("a sha256 digest has 64 hex characters, this one has %d", len(hex))
	case err != nil:
		return "a sha256 digest is 64 lowercase hex characters (0-9, a-f)"
	}
	return ""
}
