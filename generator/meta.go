package generator

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Stage is a step of a rollout. Flux applies each stage as one
// Kustomization and waits for it before the next.
type Stage string

// The stages. StageFlux holds the Flux Kustomizations themselves: it is not
// part of the rollout, the cluster's Flux applies it once.
const (
	StageData        Stage = "data"
	StageMigrate     Stage = "migrate"
	StageApp         Stage = "app"
	StagePostMigrate Stage = "post-migrate"
	StageFlux        Stage = "flux"
)

// ApplyOrder is the order Flux applies the stages in: data (namespace,
// database, Valkey, policies, config), then the (pre-deploy) migration
// Job, then the app, then the post-deploy migration Job. The writer lists
// each site's stages in this order and the Flux Kustomizations chain their
// dependsOn in it, so the two cannot disagree.
var ApplyOrder = []Stage{StageData, StageMigrate, StageApp, StagePostMigrate}

// LabelInstance names the site an object belongs to: every object the
// generator renders carries it with the site's metadata.name, and the
// writer gives each site its own directories by it.
const LabelInstance = "app.kubernetes.io/instance"

// AnnotationStage tells the writer which stage an object belongs to. It
// stays on the object so that kustomize's output and the committed golden
// files are the same bytes; objects without it (added by a user's own
// patches) go to the app stage.
const AnnotationStage = "discoursegen.dev/stage"

// component is the value of the app.kubernetes.io/component label.
// Selectors and NetworkPolicies select on it, so it is a type with a fixed
// set of values, never a literal.
type component string

const (
	componentWeb       component = "web"
	componentSidekiq   component = "sidekiq"
	componentScheduler component = "scheduler"
	componentMigrate   component = "migrate"
	componentAdmin     component = "admin"
	componentValkey    component = "valkey"
	componentDatabase  component = "database"
	componentPooler    component = "pooler"
	componentNetwork   component = "network"
	componentGitOps    component = "gitops"
	// componentNone is for the Namespace, which belongs to every
	// component: it carries no component label.
	componentNone component = ""
)

// Label keys. Selectors use only name, instance and component: the version
// label changes every release, and a Deployment's selector is immutable.
const (
	labelName      = "app.kubernetes.io/name"
	labelComponent = "app.kubernetes.io/component"
	labelPartOf    = "app.kubernetes.io/part-of"
	labelManagedBy = "app.kubernetes.io/managed-by"
	labelVersion   = "app.kubernetes.io/version"
	// labelDiscourse marks every pod that runs Discourse code and therefore
	// needs the database and Redis; NetworkPolicies select on it.
	labelDiscourse = "discoursegen.dev/discourse"
)

// Annotations the policy (package policy) reads to judge what it cannot
// tell from the objects alone.
const (
	// AnnotationProfile on the Namespace names the site's profile:
	// production turns on the production-only rules (digests, three
	// database instances).
	AnnotationProfile = "discoursegen.dev/profile"
	// AnnotationUploadSize on the Ingress is the site's upload size, which
	// the proxy body size must allow.
	AnnotationUploadSize = "discoursegen.dev/upload-size"
	// waiverPrefix + a rule ID waives that policy rule on an object; the
	// value says why.
	waiverPrefix = "waive.discoursegen.dev/"
)

// Annotation keys the generator writes besides AnnotationStage.
const (
	// annotationConfigHash on a pod template carries the hash of the env
	// ConfigMap, so a settings change rolls the pods.
	annotationConfigHash = "discoursegen.dev/config-hash"
	// annotationFluxPrune set to "disabled" keeps Flux from deleting the
	// object when it leaves the rendered output (a rename, a typo).
	annotationFluxPrune = "kustomize.toolkit.fluxcd.io/prune"
)

// objectMeta is the metadata of every namespaced object of the site.
func (d *site) objectMeta(name string, c component, stage Stage) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   d.Spec.Namespace,
		Labels:      d.labels(c),
		Annotations: map[string]string{AnnotationStage: string(stage)},
	}
}

// keepOnPrune marks an object Flux must never delete, even when it leaves
// the rendered output: the database, its claims, the namespace.
func keepOnPrune(meta *metav1.ObjectMeta) {
	meta.Annotations[annotationFluxPrune] = "disabled"
}

// selectorLabels select the pods of one component.
func (d *site) selectorLabels(c component) map[string]string {
	l := map[string]string{
		labelName:     "discourse",
		LabelInstance: d.name(),
	}
	if c != componentNone {
		l[labelComponent] = string(c)
	}
	return l
}

// labels are the full label set of an object of one component: the user's
// metadata.labels (Validate keeps them off the keys below), then
// discoursegen's own. They carry no version: an object that does not run
// the release must not change when the release does, so that a release
// pull request shows only what rolls.
func (d *site) labels(c component) map[string]string {
	l := d.selectorLabels(c)
	maps.Copy(l, d.Metadata.Labels)
	l[labelPartOf] = "discourse"
	l[labelManagedBy] = "discoursegen"
	return l
}

// releaseMeta is the metadata of a workload that runs the release (the
// Deployments and migration Jobs that run the Discourse image): the version
// label says which release it runs, where `kubectl get -L` and dashboards
// look for it.
func (d *site) releaseMeta(name string, c component, stage Stage) metav1.ObjectMeta {
	meta := d.objectMeta(name, c, stage)
	d.addVersionLabel(meta.Labels)
	return meta
}

// addVersionLabel sets app.kubernetes.io/version to the release.
func (d *site) addVersionLabel(l map[string]string) {
	if d.Spec.Release != "" {
		l[labelVersion] = labelValue(d.Spec.Release)
	}
}

// withLabels adds extra labels (monitoring's selector labels) to an
// object's own.
func withLabels(meta *metav1.ObjectMeta, extra map[string]string) {
	maps.Copy(meta.Labels, extra)
}
