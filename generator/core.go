package generator

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Namespace is the site's namespace with Pod Security labels. It enforces
// baseline, because the upstream web image needs root (runit, su, nginx on
// :80); it warns and audits at restricted so that everything else, which
// is restricted, stays that way.
func Namespace(d *Discourse) *corev1.Namespace {
	const psa = "pod-security.kubernetes.io/"
	labels := d.Labels("namespace")
	delete(labels, LabelComponent)
	labels[psa+"enforce"] = "baseline"
	labels[psa+"enforce-version"] = "latest"
	labels[psa+"warn"] = "restricted"
	labels[psa+"warn-version"] = "latest"
	labels[psa+"audit"] = "restricted"
	labels[psa+"audit-version"] = "latest"
	return &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   d.Spec.Namespace,
			Labels: labels,
			// Deleting the namespace deletes the database with it.
			Annotations: map[string]string{AnnotationStage: StageData, AnnotationFluxPrune: "disabled"},
		},
	}
}

// ServiceAccount is shared by the Discourse pods. No token is mounted: no
// Discourse process talks to the Kubernetes API, and a mounted token is a
// credential for whoever breaks into the pod.
func ServiceAccount(d *Discourse) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   d.objectMeta(d.ServiceAccountName(), ComponentWeb, StageData),
		AutomountServiceAccountToken: ptr.To(false),
	}
}

// ConfigMap holds the non-secret DISCOURSE_* settings. It is in the data
// stage because the migration Job reads it before the app exists.
func ConfigMap(d *Discourse) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: d.objectMeta(d.ConfigMapName(), ComponentWeb, StageData),
		Data:       d.settings(),
	}
}
