package v1alpha1

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/distribution/reference"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The checks in this file keep a config that validates from rendering
// output that breaks a DiscoursePolicy rule (package policy), which judges
// the output again after the user's patches: the config is where the
// problem is reported with the field to fix. FuzzRenderPassesPolicy holds
// the two in step.

// validatePolicy runs them.
func (s *Spec) validatePolicy(spec *field.Path) field.ErrorList {
	errs := s.validatePins(spec)
	errs = append(errs, s.validateImages(spec)...)
	// Every Sidekiq thread needs a connection of its process's pool
	// (policy rule connection-budget).
	if c, p := s.Sidekiq.Concurrency, s.Postgres.Pool; c != nil && p != nil && *c > *p {
		errs = append(errs, invalid(spec.Child("sidekiq", "concurrency"), *c,
			"%d Sidekiq threads need a database connection each, but spec.postgres.pool gives each process %d; the rest would fail with ActiveRecord::ConnectionTimeoutError: raise the pool or lower the concurrency", *c, *p))
	}
	return errs
}

// validateImages refuses the supporting images' references that the
// policy rule image-pinned refuses: unparsable, untagged or :latest.
func (s *Spec) validateImages(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Postgres.Mode == DatabaseCNPG && s.Postgres.CNPG.ImageName != "" {
		if msg := ImageProblem(s.Postgres.CNPG.ImageName, false); msg != "" {
			errs = append(errs, invalid(spec.Child("postgres", "cnpg", "imageName"), s.Postgres.CNPG.ImageName, "%s", msg))
		}
	}
	if s.Redis.Mode == RedisValkey && s.Redis.Valkey.Image != "" {
		if msg := ImageProblem(s.Redis.Valkey.Image, false); msg != "" {
			errs = append(errs, invalid(spec.Child("redis", "valkey", "image"), s.Redis.Valkey.Image, "%s", msg))
		}
	}
	return errs
}

// ImageProblem says what is wrong with an image reference, "" when
// nothing is: it must parse, name a version (a tag other than latest, or
// a digest) and, in production, carry a digest. The policy rule
// image-pinned and config validation share it.
func ImageProblem(image string, production bool) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Sprintf("image %q is not a valid reference: %v", image, err)
	}
	tagged, hasTag := named.(reference.Tagged)
	_, hasDigest := named.(reference.Digested)
	switch {
	case hasTag && tagged.Tag() == "latest":
		return fmt.Sprintf("image %q uses :latest, which moves: every node may run another build, and a rollback goes nowhere; pin a version", image)
	case !hasTag && !hasDigest:
		return fmt.Sprintf("image %q has no tag, which means :latest; pin a version", image)
	case production && !hasDigest:
		return fmt.Sprintf("image %q is not pinned by digest in production: the tag can be pushed again and the cluster would run what it did not review; pin it as %s@sha256:<digest>", image, image)
	}
	return ""
}

// credentialName matches variable and key names that carry credentials.
var credentialName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|LICENSE_?KEY|CREDENTIAL|_KEY$)`)

// credentialValue matches values that are credentials whatever their
// name: a PEM private key, an AWS access key ID, GitHub, GitLab and Slack
// tokens, and a URL with a password in it.
var credentialValue = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}|\bglpat-[A-Za-z0-9_-]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)

// LooksLikeCredential says whether a name and a value written in the
// clear look like a credential, and why. Flags, counts and file paths
// are harmless under any name. Config validation (spec.env) and the
// policy rule secrets share it.
func LooksLikeCredential(name, value string) (string, bool) {
	if credentialValue.MatchString(value) {
		return "its value has the shape of a credential", true
	}
	if credentialName.MatchString(name) && !harmless(value) {
		return "its name says it holds a credential", true
	}
	return "", false
}

func harmless(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || v == "true" || v == "false" || strings.HasPrefix(v, "/") {
		return true
	}
	return strings.Trim(v, "0123456789") == ""
}

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
