package manifests

import (
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// Workload is an object with a pod template, reduced to what the behaviour
// tests run.
type Workload struct {
	Kind, Namespace, Name, Source string
	PodLabels                     map[string]string
	Pod                           corev1.PodSpec
}

// ID names the workload the way subtests do: "deployment forum-web".
func (w Workload) ID() string {
	return fmt.Sprintf("%s %s", lower(w.Kind), w.Name)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// unmodelled are kinds that carry pods but that the tests do not read yet.
// Finding one is an error rather than a silent skip: its containers would
// go untested.
var unmodelled = map[string]bool{"Pod": true, "ReplicaSet": true, "DaemonSet": true, "CronJob": true, "ReplicationController": true}

// Workloads returns every Deployment, StatefulSet and Job in objs.
func Workloads(objs []Object) ([]Workload, error) {
	var out []Workload
	var errs []error
	for _, o := range objs {
		var tmpl corev1.PodTemplateSpec
		switch {
		case o.APIVersion == "apps/v1" && o.Kind == "Deployment":
			var d appsv1.Deployment
			if err := o.Decode(&d); err != nil {
				errs = append(errs, err)
				continue
			}
			tmpl = d.Spec.Template
		case o.APIVersion == "apps/v1" && o.Kind == "StatefulSet":
			var s appsv1.StatefulSet
			if err := o.Decode(&s); err != nil {
				errs = append(errs, err)
				continue
			}
			tmpl = s.Spec.Template
		case o.APIVersion == "batch/v1" && o.Kind == "Job":
			var j batchv1.Job
			if err := o.Decode(&j); err != nil {
				errs = append(errs, err)
				continue
			}
			tmpl = j.Spec.Template
		case unmodelled[o.Kind]:
			errs = append(errs, fmt.Errorf("%s: the behaviour tests do not model this kind yet; its containers would go untested", o))
			continue
		default:
			continue
		}
		out = append(out, Workload{
			Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Source: o.Source,
			PodLabels: tmpl.Labels, Pod: tmpl.Spec,
		})
	}
	return out, errors.Join(errs...)
}

// Identity is the uid, gid and supplementary groups a container's processes
// run as, resolved as the kubelet does from the container's and the pod's
// securityContext.
type Identity struct {
	UID    int64
	GID    *int64 // nil: not set anywhere; the runtime takes it from the image
	Groups []int64
}

// ContainerIdentity resolves who c runs as in w's pod. A container without
// runAsUser anywhere runs as the image's USER, which the manifests cannot
// tell, so that is an error.
func (w Workload) ContainerIdentity(c corev1.Container) (Identity, error) {
	var id Identity
	pod := w.Pod.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	ctr := c.SecurityContext
	if ctr == nil {
		ctr = &corev1.SecurityContext{}
	}
	switch {
	case ctr.RunAsUser != nil:
		id.UID = *ctr.RunAsUser
	case pod.RunAsUser != nil:
		id.UID = *pod.RunAsUser
	default:
		return id, fmt.Errorf("%s container %s: no runAsUser in the container's or the pod's securityContext, so it runs as the image's USER, which the manifests do not say", w.ID(), c.Name)
	}
	switch {
	case ctr.RunAsGroup != nil:
		id.GID = ctr.RunAsGroup
	case pod.RunAsGroup != nil:
		id.GID = pod.RunAsGroup
	}
	nonRoot := ctr.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = pod.RunAsNonRoot
	}
	if nonRoot != nil && *nonRoot && id.UID == 0 {
		return id, fmt.Errorf("%s container %s: runAsNonRoot with runAsUser 0; the kubelet refuses to start it", w.ID(), c.Name)
	}
	// fsGroup and supplementalGroups apply to every container of the pod:
	// the kubelet adds them to the process's supplementary groups.
	if pod.FSGroup != nil {
		id.Groups = append(id.Groups, *pod.FSGroup)
	}
	id.Groups = append(id.Groups, pod.SupplementalGroups...)
	return id, nil
}
