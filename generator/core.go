package generator

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// namespace is the site's namespace with Pod Security labels. It enforces
// baseline, because the upstream web image needs root (runit, su, nginx on
// :80); it warns and audits at restricted so that everything else, which
// is restricted, stays that way.
func (d *site) namespace() *corev1.Namespace {
	const psa = "pod-security.kubernetes.io/"
	labels := d.labels(componentNone)
	labels[psa+"enforce"] = "baseline"
	labels[psa+"enforce-version"] = "latest"
	labels[psa+"warn"] = "restricted"
	labels[psa+"warn-version"] = "latest"
	labels[psa+"audit"] = "restricted"
	labels[psa+"audit-version"] = "latest"
	ns := &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        d.Spec.Namespace,
			Labels:      labels,
			Annotations: map[string]string{AnnotationStage: string(StageData), AnnotationProfile: string(d.Spec.Profile)},
		},
	}
	// Deleting the namespace deletes the database with it.
	keepOnPrune(&ns.ObjectMeta)
	return ns
}

// serviceAccount is shared by the Discourse pods. No token is mounted: no
// Discourse process talks to the Kubernetes API, and a mounted token is a
// credential for whoever breaks into the pod.
func (d *site) serviceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   d.objectMeta(d.serviceAccountName(), componentWeb, StageData),
		AutomountServiceAccountToken: ptr.To(false),
	}
}

// configMap holds the non-secret DISCOURSE_* settings. It is in the data
// stage because the migration Job reads it before the app exists.
func (d *site) configMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: d.objectMeta(d.configMapName(), componentWeb, StageData),
		Data:       d.settings(),
	}
}
