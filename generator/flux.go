package generator

import (
	"path"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The Flux types below mirror kustomize.toolkit.fluxcd.io/v1 of
// kustomize-controller v1.9.5 (api/v1/kustomization_types.go), reduced to
// what discoursegen sets.

// FluxKustomization is kustomize.toolkit.fluxcd.io/v1 Kustomization.
type FluxKustomization struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              FluxKustomizationSpec `json:"spec"`
}

// FluxKustomizationSpec is the subset of Flux's spec discoursegen sets.
type FluxKustomizationSpec struct {
	Interval         string            `json:"interval"`
	RetryInterval    string            `json:"retryInterval,omitempty"`
	Timeout          string            `json:"timeout,omitempty"`
	Path             string            `json:"path"`
	Prune            bool              `json:"prune"`
	Wait             bool              `json:"wait,omitempty"`
	SourceRef        FluxSourceRef     `json:"sourceRef"`
	DependsOn        []FluxDependency  `json:"dependsOn,omitempty"`
	HealthCheckExprs []FluxHealthCheck `json:"healthCheckExprs,omitempty"`
}

// FluxSourceRef names the source artifact.
type FluxSourceRef struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// FluxDependency is a Kustomization that must be ready first.
type FluxDependency struct {
	Name string `json:"name"`
}

// FluxHealthCheck is a CEL health check for a custom resource.
type FluxHealthCheck struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Current    string `json:"current"`
	Failed     string `json:"failed,omitempty"`
}

// FluxKustomizations chain the stages: data (namespace, database, Valkey,
// policies), then migrate (the Job; Flux waits until it completes), then
// app. Ordering exists only between Flux Kustomizations, never inside one,
// so this chain is what makes "migrations before rollout" true: if the Job
// fails, the app stage is not applied and the old pods keep serving.
//
// Flux applies only the committed output; it never runs discoursegen
// (kustomize-controller disables plugins), so what a pull request showed is
// what the cluster gets.
func FluxKustomizations(d *Discourse) []*FluxKustomization {
	g := &d.Spec.GitOps
	stage := func(name, timeout string, deps ...string) *FluxKustomization {
		k := &FluxKustomization{
			TypeMeta: metav1.TypeMeta{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization"},
			ObjectMeta: metav1.ObjectMeta{
				Name:        d.site() + "-" + name,
				Namespace:   g.Namespace,
				Labels:      d.Labels("gitops"),
				Annotations: map[string]string{AnnotationStage: StageFlux},
			},
			Spec: FluxKustomizationSpec{
				Interval:      g.Interval,
				RetryInterval: "2m",
				Timeout:       timeout,
				Path:          "./" + path.Join(g.Path, name),
				Prune:         true,
				Wait:          true,
				SourceRef:     FluxSourceRef{Kind: g.SourceRef.Kind, Name: g.SourceRef.Name, Namespace: g.Namespace},
			},
		}
		for _, dep := range deps {
			k.Spec.DependsOn = append(k.Spec.DependsOn, FluxDependency{Name: d.site() + "-" + dep})
		}
		return k
	}
	data := stage(StageData, "15m")
	if d.Spec.Postgres.Mode == DatabaseCNPG {
		// A CNPG Cluster has no observedGeneration, so kstatus cannot judge
		// it; its Ready condition can.
		data.Spec.HealthCheckExprs = []FluxHealthCheck{{
			APIVersion: "postgresql.cnpg.io/v1",
			Kind:       "Cluster",
			Current:    "status.conditions.exists(e, e.type == 'Ready' && e.status == 'True')",
		}}
	}
	stages := []*FluxKustomization{data}
	if d.Spec.Migrations.Mode == MigrationsJob {
		stages = append(stages, stage(StageMigrate, g.MigrationTimeout, StageData), stage(StageApp, "15m", StageMigrate))
	} else {
		stages = append(stages, stage(StageApp, "15m", StageData))
	}
	return stages
}
