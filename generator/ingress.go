package generator

import (
	"maps"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// webIngress routes the hostname to web, with what Discourse needs from
// ingress-nginx:
//   - a sticky cookie, so a browser's long poll and its posts reach the
//     same pod and MessageBus does not re-subscribe on every request;
//   - hour-long read and send timeouts for long polling;
//   - buffering off, or message-bus updates sit in nginx's buffer;
//   - a body size equal to the app's upload size: a smaller one rejects
//     uploads with a bare 413, a larger one lets the app do it.
func (d *site) webIngress() *networkingv1.Ingress {
	s := &d.Spec
	const nginx = "nginx.ingress.kubernetes.io/"
	annotations := map[string]string{
		nginx + "affinity":                "cookie",
		nginx + "session-cookie-name":     "DISCOURSE_AFFINITY",
		nginx + "session-cookie-max-age":  "172800",
		nginx + "session-cookie-expires":  "172800",
		nginx + "proxy-read-timeout":      "3600",
		nginx + "proxy-send-timeout":      "3600",
		nginx + "proxy-buffering":         "off",
		nginx + "proxy-request-buffering": "off",
		nginx + "proxy-body-size":         strings.ToLower(s.Uploads.MaxSize),
		AnnotationUploadSize:              strings.ToLower(s.Uploads.MaxSize),
	}
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: d.objectMeta(d.webName(), componentWeb, StageApp),
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To(s.Ingress.ClassName),
			Rules: []networkingv1.IngressRule{{
				Host: s.Hostname,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     "/",
						PathType: ptr.To(networkingv1.PathTypePrefix),
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: d.webName(), Port: networkingv1.ServiceBackendPort{Name: "http"},
						}},
					}},
				}},
			}},
		},
	}
	if s.Ingress.ClusterIssuer != "" || s.Ingress.TLSSecretName != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{s.Hostname}, SecretName: d.tlsSecretName()}}
	}
	if s.Ingress.ClusterIssuer != "" {
		annotations["cert-manager.io/cluster-issuer"] = s.Ingress.ClusterIssuer
	}
	maps.Copy(annotations, s.Ingress.Annotations)
	maps.Copy(ing.Annotations, annotations)
	return ing
}
