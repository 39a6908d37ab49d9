package v1alpha1

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validatePins refuses a production config whose images are not pinned
// by digest: a tag can be pushed again, and the cluster would then run
// what nobody reviewed. The policy rule image-pinned checks the same on
// the rendered output, where a user's patch could still drop a digest;
// this catches it where the config is written, with the field to fix.
func (s *Spec) validatePins(spec *field.Path) field.ErrorList {
	if s.Profile != ProfileProduction {
		return nil
	}
	var errs field.ErrorList
	if s.Image.Digest == "" && s.Image.Repository != "" {
		errs = append(errs, field.Required(spec.Child("image", "digest"),
			"production pins the Discourse image by digest, so a tag pushed again cannot change what runs; set it with discoursegen pin production REGISTRY/REPOSITORY:TAG@sha256:DIGEST"))
	}
	if s.Postgres.Mode == DatabaseCNPG && !digested(s.Postgres.CNPG.ImageName) {
		errs = append(errs, invalid(spec.Child("postgres", "cnpg", "imageName"), s.Postgres.CNPG.ImageName,
			"production pins every image by digest; write %s@sha256:<digest>, or leave it unset for discoursegen's pinned default", s.Postgres.CNPG.ImageName))
	}
	if s.Redis.Mode == RedisValkey && !digested(s.Redis.Valkey.Image) {
		errs = append(errs, invalid(spec.Child("redis", "valkey", "image"), s.Redis.Valkey.Image,
			"production pins every image by digest; write %s@sha256:<digest>, or leave it unset for discoursegen's pinned default", s.Redis.Valkey.Image))
	}
	return errs
}

// digested says whether an image reference carries a digest.
func digested(image string) bool { return strings.Contains(image, "@sha256:") }
