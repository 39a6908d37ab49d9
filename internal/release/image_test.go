package release

import (
	"strings"
	"testing"
)

const (
	testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	testImage  = "registry.example.org/discourse:v2099.1.0-abc123def456@" + testDigest
)

func TestParseImage(t *testing.T) {
	valid := map[string]struct {
		in   string
		want Image
	}{
		"registry, tag and digest": {testImage, Image{"registry.example.org/discourse", "v2099.1.0-abc123def456", testDigest}},
		"registry with port":       {"registry.example.org:5000/acme/discourse:v1", Image{"registry.example.org:5000/acme/discourse", "v1", ""}},
		"localhost with port":      {"localhost:5000/discourse:v1@" + testDigest, Image{"localhost:5000/discourse", "v1", testDigest}},
		// Kept as written: not expanded to docker.io/discourse/discourse.
		"docker hub short":       {"discourse/discourse:2026.1.0", Image{"discourse/discourse", "2026.1.0", ""}},
		"single component":       {"discourse:v1", Image{"discourse", "v1", ""}},
		"separators in the path": {"ghcr.io/acme-forums/my_discourse__web.x:V1_rc.2", Image{"ghcr.io/acme-forums/my_discourse__web.x", "V1_rc.2", ""}},
		"tag of 128 characters":  {"r/d:" + strings.Repeat("a", 128), Image{"r/d", strings.Repeat("a", 128), ""}},
	}
	for name, c := range valid {
		t.Run(name, func(t *testing.T) {
			got, err := ParseImage(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
			if got.String() != c.in {
				t.Errorf("String() = %q, want the input back", got.String())
			}
		})
	}

	// Each message must quote the input, say what is wrong and show the
	// accepted form.
	invalid := map[string]struct{ in, wrong string }{
		"empty":                {"", "is empty"},
		"spaces":               {"registry.example.org/discourse: v1", "contains whitespace"},
		"no tag":               {"registry.example.org/discourse", "has no tag"},
		"digest but no tag":    {"registry.example.org/discourse@" + testDigest, "has no tag"},
		"latest":               {"discourse/discourse:latest", "tag latest moves"},
		"uppercase":            {"Registry/Discourse:v1", "repository must be lowercase"},
		"digest too short":     {"r/d:v1@" + testDigest[:len(testDigest)-1], "has 64 hex characters, this one has 63"},
		"digest far too short": {"r/d:v1@sha256:abc", "has 64 hex characters, this one has 3"},
		"algorithm uppercase":  {"r/d:v1@" + strings.ToUpper(testDigest), "sha256 only"},
		"digest hex uppercase": {"r/d:v1@sha256:" + strings.ToUpper(testDigest[7:]), "lowercase hex"},
		"digest not sha256":    {"r/d:v1@sha512:" + strings.Repeat("ab", 64), "sha256 only"},
		"empty tag":            {"r/d:", "tag is empty"},
		"tag starts with dot":  {"r/d:.v1", `tag ".v1" must be`},
		"tag too long":         {"r/d:" + strings.Repeat("a", 129), "at most 128"},
		"double slash":         {"r//d:v1", `repository "r//d" must be`},
		"trailing separator":   {"r/d-:v1", `repository "r/d-" must be`},
		"url":                  {"https://registry.example.org/discourse:v1", "is a URL"},
	}
	for name, c := range invalid {
		t.Run(name, func(t *testing.T) {
			got, err := ParseImage(c.in)
			if err == nil {
				t.Fatalf("accepted as %+v", got)
			}
			for _, want := range []string{`"` + c.in + `": `, c.wrong, "; want " + Form} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q: %v", want, err)
				}
			}
		})
	}
}
