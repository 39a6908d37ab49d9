package policy

import (
	"fmt"
	"sort"
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// literalSecret is config validation's test (v1alpha1.LooksLikeCredential):
// what the config refuses in spec.env, the policy refuses anywhere in the
// output.
var literalSecret = v1alpha1.LooksLikeCredential

func checkSecrets(s *site) []Finding {
	var fs []Finding
	for _, o := range s.objs {
		switch groupKind(o) {
		case "Secret":
			for _, field := range []string{"data", "stringData"} {
				if m, _ := o.Raw[field].(map[string]any); len(m) > 0 {
					fs = append(fs, Finding{Object: o.Ref, Field: field,
						Message: "a Secret with data in the rendered output is committed to Git, where everyone who can read the repository reads it; create the Secret in the cluster (External Secrets, Sealed Secrets, SOPS) and reference it by name"})
				}
			}
		case "ConfigMap":
			data := o.stringMap("data")
			for _, k := range sortedKeys(data) {
				if why, ok := literalSecret(k, data[k]); ok {
					fs = append(fs, Finding{Object: o.Ref, Field: "data." + k,
						Message: fmt.Sprintf("looks like a credential in a ConfigMap (%s): it is committed to Git and readable by anyone who can read the namespace's ConfigMaps; put it in a Secret and reference it", why)})
				}
			}
		}
	}
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			for i, e := range fc.c.Env {
				if e.ValueFrom != nil {
					continue
				}
				if why, ok := literalSecret(e.Name, e.Value); ok {
					fs = append(fs, Finding{Object: w.ref, Field: fmt.Sprintf("%s.env[%d].value", fc.field, i),
						Message: fmt.Sprintf("%s is written in the clear and %s: it is committed to Git; use valueFrom.secretKeyRef", e.Name, why)})
				}
			}
		}
	}
	return fs
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func checkImagePinned(s *site) []Finding {
	var fs []Finding
	production := s.profile() == string(v1alpha1.ProfileProduction)
	judge := func(ref Ref, field, image string) {
		if msg := imageProblem(image, production); msg != "" {
			fs = append(fs, Finding{Object: ref, Field: field, Message: msg})
		}
	}
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			judge(w.ref, fc.field+".image", fc.c.Image)
		}
	}
	for _, c := range s.clusters {
		// Without imageName the operator picks its default image, which
		// its own release pins.
		if image := nestedString(c.Raw, "spec", "imageName"); image != "" {
			judge(c.Ref, "spec.imageName", image)
		}
	}
	return fs
}

// imageProblem is config validation's test (v1alpha1.ImageProblem).
var imageProblem = v1alpha1.ImageProblem

// Placeholders upstream's own build refuses (discourse_docker
// templates/web.template.yml: "Aborting! Domain is not configured!" for
// discourse.example.com, "Mail is not configured!" for smtp.example.com,
// "CDN must have a protocol specified" for a CDN URL starting with //).
const (
	placeholderHost = "discourse.example.com"
	placeholderSMTP = "smtp.example.com"
)

// UploadSizeAnnotation on the Ingress records the site's upload size, which
// the body size must allow; without it, upstream's upload_size of 10m
// (discourse_docker templates/web.template.yml) is the one to allow.
const UploadSizeAnnotation = "discoursegen.dev/upload-size"

const bodySizeAnnotation = "nginx.ingress.kubernetes.io/proxy-body-size"

func checkUpstreamGuards(s *site) []Finding {
	var fs []Finding
	seen := map[string]bool{}
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			if s.roleOf(w, fc.c) == roleNone {
				continue
			}
			settings := map[string]envValue{}
			for _, name := range []string{"DISCOURSE_HOSTNAME", "DISCOURSE_SMTP_ADDRESS", "DISCOURSE_CDN_URL", "DISCOURSE_S3_CDN_URL"} {
				settings[name] = s.env(w, fc.c, name)
			}
			report := func(msg string) {
				if !seen[w.ref.String()+msg] {
					seen[w.ref.String()+msg] = true
					fs = append(fs, Finding{Object: w.ref, Field: fc.field + ".env", Message: msg})
				}
			}
			if v := settings["DISCOURSE_HOSTNAME"]; v.literal && isPlaceholder(v.value, placeholderHost) {
				report(fmt.Sprintf("DISCOURSE_HOSTNAME is %q, a placeholder: upstream's build aborts with \"Domain is not configured!\"", v.value))
			}
			if v := settings["DISCOURSE_SMTP_ADDRESS"]; v.literal && isPlaceholder(v.value, placeholderSMTP) {
				report(fmt.Sprintf("DISCOURSE_SMTP_ADDRESS is %q, a placeholder: no mail would ever leave, and upstream's build aborts with \"Mail is not configured!\"", v.value))
			}
			for _, name := range []string{"DISCOURSE_CDN_URL", "DISCOURSE_S3_CDN_URL"} {
				if v := settings[name]; v.literal && v.value != "" && !strings.HasPrefix(v.value, "https://") && !strings.HasPrefix(v.value, "http://") {
					report(fmt.Sprintf("%s is %q, without a protocol: posts get links that break on other schemes, and upstream's build aborts with \"CDN must have a protocol specified\"; write https://", name, v.value))
				}
			}
		}
	}
	for _, in := range s.ingresses {
		body, ok := in.v.Annotations[bodySizeAnnotation]
		if !ok {
			continue // ingress-nginx's own default, 1m, is judged below
		}
		want := in.v.Annotations[UploadSizeAnnotation]
		if want == "" {
			want = "10m"
		}
		b, errB := nginxSize(body)
		u, errU := nginxSize(want)
		switch {
		case errB != nil:
			fs = append(fs, Finding{Object: in.obj.Ref, Field: "metadata.annotations." + bodySizeAnnotation, Message: errB.Error()})
		case errU != nil:
			fs = append(fs, Finding{Object: in.obj.Ref, Field: "metadata.annotations." + UploadSizeAnnotation, Message: errU.Error()})
		case b != 0 && b < u:
			fs = append(fs, Finding{Object: in.obj.Ref, Field: "metadata.annotations." + bodySizeAnnotation,
				Message: fmt.Sprintf("the ingress accepts bodies up to %s, less than the site's upload size %s: larger uploads fail with a bare 413 from nginx instead of Discourse's own message; raise it to at least %s", body, want, want)})
		}
	}
	return fs
}

// isPlaceholder matches a placeholder host, ignoring case and a port.
func isPlaceholder(v, placeholder string) bool {
	host, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(v)), ":")
	return host == placeholder
}

// nginxSize parses an nginx size (10m, 512k, 1g, bytes); 0 means no
// limit, as client_max_body_size 0 does.
func nginxSize(v string) (int64, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "k"):
		mult, v = 1<<10, strings.TrimSuffix(v, "k")
	case strings.HasSuffix(v, "m"):
		mult, v = 1<<20, strings.TrimSuffix(v, "m")
	case strings.HasSuffix(v, "g"):
		mult, v = 1<<30, strings.TrimSuffix(v, "g")
	}
	var n int64
	if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != v {
		return 0, fmt.Errorf("%q is not an nginx size (a number with an optional k, m or g)", v)
	}
	return n * mult, nil
}

// The API server's limits: etcd refuses a request over 1.5 MiB (its
// default --max-request-bytes), and ConfigMap validation refuses data and
// binaryData over 1 MiB together (k8s.io/api core/v1 MaxSecretSize, which
// the ConfigMap check reuses).
const (
	maxObjectBytes    = 3 << 19 // 1.5 MiB
	maxConfigMapBytes = 1 << 20
)

func checkObjectSize(s *site) []Finding {
	var fs []Finding
	for _, o := range s.objs {
		if o.Size > maxObjectBytes {
			fs = append(fs, Finding{Object: o.Ref,
				Message: fmt.Sprintf("is %s as JSON, over the 1.5 MiB the API server and etcd accept for one object", human(int64(o.Size)))})
		}
		if groupKind(o) != "ConfigMap" {
			continue
		}
		var n int64
		for _, field := range []string{"data", "binaryData"} {
			m, _ := o.Raw[field].(map[string]any)
			for k, v := range m {
				sv, _ := v.(string)
				n += int64(len(k) + len(sv))
			}
		}
		if n > maxConfigMapBytes {
			fs = append(fs, Finding{Object: o.Ref, Field: "data",
				Message: fmt.Sprintf("holds %s of data, over the 1 MiB a ConfigMap may hold", human(n))})
		}
	}
	return fs
}

func human(n int64) string {
	return resource.NewQuantity(n, resource.BinarySI).String() + fmt.Sprintf(" (%d bytes)", n)
}
