package generator

import (
	"path"
	"time"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	cnpgv1 "discoursegen.dev/discoursegen/internal/thirdparty/cnpg/v1"
	kustomizev1 "discoursegen.dev/discoursegen/internal/thirdparty/fluxkustomize/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fluxKustomizations chain the stages in ApplyOrder: data (namespace,
// database, Valkey, policies), then migrate (the Job; Flux waits until it
// completes), then app, then post-migrate. Ordering exists only between
// Flux Kustomizations, never inside one, so this chain is what makes
// "migrations before rollout" true: if the Job fails, the app stage is not
// applied and the old pods keep serving. The app stage waits until every
// pod runs the release (wait: true, kstatus: a Deployment is Current once
// its rollout completed), so the post-deploy migrations never run under
// old code. Without a migration Job there is no migrate stage and app
// follows data.
//
// Flux applies only the committed output; it never runs discoursegen
// (kustomize-controller disables plugins), so what a pull request showed is
// what the cluster gets.
func (d *site) fluxKustomizations() []*kustomizev1.Kustomization {
	var out []*kustomizev1.Kustomization
	var previous *kustomizev1.Kustomization
	for _, stage := range ApplyOrder {
		if !d.hasStage(stage) {
			continue
		}
		k := d.fluxKustomization(stage)
		if previous != nil {
			k.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: previous.Name}}
		}
		out = append(out, k)
		previous = k
	}
	return out
}

// hasStage says whether the site renders anything into a stage: the
// migration stages hold the Jobs of its migration phases.
func (d *site) hasStage(stage Stage) bool {
	if stage != StageMigrate && stage != StagePostMigrate {
		return true
	}
	for _, phase := range d.migrationPhases() {
		if phase.stage() == stage {
			return true
		}
	}
	return false
}

// fluxKustomization applies one stage of the site and waits for it.
func (d *site) fluxKustomization(stage Stage) *kustomizev1.Kustomization {
	g := &d.Spec.GitOps
	timeout := &metav1.Duration{Duration: 15 * time.Minute}
	if stage == StageMigrate || stage == StagePostMigrate {
		timeout = g.MigrationTimeout
	}
	k := &kustomizev1.Kustomization{
		TypeMeta: metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion, Kind: "Kustomization"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        d.fluxKustomizationName(stage),
			Namespace:   g.Namespace,
			Labels:      d.labels(componentGitOps),
			Annotations: map[string]string{AnnotationStage: string(StageFlux)},
		},
		Spec: kustomizev1.KustomizationSpec{
			Interval:      *g.Interval,
			RetryInterval: &metav1.Duration{Duration: 2 * time.Minute},
			Timeout:       timeout,
			Path:          FluxPath(d.name(), stage),
			Prune:         true,
			Wait:          true,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{
				Kind: string(g.SourceRef.Kind), Name: g.SourceRef.Name, Namespace: g.Namespace,
			},
		},
	}
	if stage == StageData && d.Spec.Postgres.Mode == v1alpha1.DatabaseCNPG {
		// A CNPG Cluster has no observedGeneration, so kstatus cannot judge
		// it; its Ready condition can.
		k.Spec.HealthCheckExprs = []kustomizev1.CustomHealthCheck{{
			APIVersion: cnpgv1.GroupVersion,
			Kind:       "Cluster",
			Current:    "status.conditions.exists(e, e.type == 'Ready' && e.status == 'True')",
		}}
	}
	return k
}

// FluxPath is the spec.path the generator renders for the Flux
// Kustomization of one stage of a site: the stage's directory relative to
// the environment's output, ./<site>/<stage>. Where the environment's
// output is in the repository is the writer's knowledge, not the site's:
// `discoursegen generate` writes the stage to golden/<env>/<site>/<stage>
// and makes this path ./golden/<env>/<site>/<stage>
// (internal/golden.Layout), so nobody types a path and Flux cannot watch a
// directory nobody writes.
func FluxPath(site string, stage Stage) string {
	return "./" + path.Join(site, string(stage))
}
