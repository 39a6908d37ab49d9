package release

import (
	"discoursegen.dev/discoursegen/internal/genfiles"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Read returns the image the release file pins, checked with ParseImage
// so that a hand-edited pin is held to the rules of `pin`.
func (f File) Read() (Image, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return Image{}, err
	}
	node, err := parseReleaseFile(f.Path, data)
	if err != nil {
		return Image{}, err
	}
	img := imageOf(node)
	parsed, err := ParseImage(img.String())
	if err != nil || parsed != img {
		return Image{}, fmt.Errorf("%s: spec.image {repository: %q, tag: %q, digest: %q} is not a release pin: %v", f.Path, img.Repository, img.Tag, img.Digest, err)
	}
	return img, nil
}

// parseReleaseFile parses the one Discourse document of a release file.
func parseReleaseFile(path string, data []byte) (*kyaml.RNode, error) {
	// kyaml.Parse reads only the first document; a second one would be
	// dropped on write, so it is refused instead.
	docs, err := kio.FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("%s: holds %d documents; a release file is one partial %s config", path, len(docs), v1alpha1.Kind)
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if node.GetApiVersion() != v1alpha1.APIVersion || node.GetKind() != v1alpha1.Kind {
		return nil, fmt.Errorf("%s: is %s %s, want apiVersion %s, kind %s", path, node.GetApiVersion(), node.GetKind(), v1alpha1.APIVersion, v1alpha1.Kind)
	}
	return node, nil
}

// imageOf reads spec.image's repository, tag and digest of a Discourse
// config; missing fields are empty.
func imageOf(node *kyaml.RNode) Image {
	get := func(field string) string {
		n, err := node.Pipe(kyaml.Lookup("spec", "image", field))
		if err != nil || n == nil {
			return ""
		}
		return n.YNode().Value
	}
	return Image{Repository: get("repository"), Tag: get("tag"), Digest: get("digest")}
}

// withImage returns the release file's bytes with spec.image set to img.
//
// The file is edited as a kyaml node tree, not decoded into a struct and
// marshalled again: every comment (head, line and foot), the key order
// and the other fields of the file stay where they are, and only the
// three values change. That keeps more than `kustomize edit set image`
// does: its kustfile.Write re-marshals the whole Kustomization and keeps
// only the comments above top-level fields (kustomize/v5
// commands/internal/kustfile/kustomizationfile.go, marshal). kyaml writes
// two-space indentation, the style of the files in clusters/; the
// sequence indentation is taken from the file, as kio.ByteReader's
// PreserveSeqIndent does.
func withImage(path string, data []byte, img Image) ([]byte, error) {
	node, err := parseReleaseFile(path, data)
	if err != nil {
		return nil, err
	}
	image, err := node.Pipe(kyaml.LookupCreate(kyaml.MappingNode, "spec", "image"))
	if err != nil {
		return nil, fmt.Errorf("%s: spec.image: %w", path, err)
	}
	setScalar(image, "repository", img.Repository, "")
	setScalar(image, "tag", img.Tag, "repository")
	if img.Digest == "" {
		if _, err := image.Pipe(kyaml.Clear("digest")); err != nil {
			return nil, fmt.Errorf("%s: spec.image.digest: %w", path, err)
		}
	} else {
		setScalar(image, "digest", img.Digest, "tag")
	}
	return kyaml.MarshalWithOptions(node.Document(), &kyaml.EncoderOptions{
		SeqIndent: kyaml.SequenceIndentStyle(kyaml.DeriveSeqIndentStyle(string(data))),
	})
}

// setScalar sets field of mapping to a string value. An existing value
// node is changed in place, so its line comment and quoting stay; a new
// field is inserted right after the field named after (or appended), so
// repository, tag and digest read in that order.
func setScalar(mapping *kyaml.RNode, field, value, after string) {
	content := mapping.YNode().Content
	for i := 0; i+1 < len(content); i += 2 {
		if content[i].Value == field {
			v := content[i+1]
			v.Kind, v.Value, v.Content = kyaml.ScalarNode, value, nil
			// The !!str tag makes the encoder quote a value that would
			// otherwise read as a number (tag 2026.1) or a bool.
			v.Tag = kyaml.NodeTagString
			return
		}
	}
	key := kyaml.NewScalarRNode(field).YNode()
	val := kyaml.NewStringRNode(value).YNode()
	at := len(content)
	for i := 0; i+1 < len(content); i += 2 {
		if content[i].Value == after {
			at = i + 2
		}
	}
	mapping.YNode().Content = slices.Insert(content, at, key, val)
}

// writeAtomic replaces path with data through genfiles.WriteAtomic,
// keeping the old file's mode. A symlink is followed, so the link stays.
func writeAtomic(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	return genfiles.WriteAtomic(target, data, info.Mode().Perm())
}
