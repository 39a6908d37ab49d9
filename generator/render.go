package generator

import (
	"bytes"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// Object is what every builder returns: a typed Kubernetes object, from
// k8s.io/api or one of this package's CRD mirrors.
type Object interface {
	metav1.Object
	GetObjectKind() schema.ObjectKind
}

// Render defaults and validates d (in place) and returns every object of
// the site. The order is fixed, so the output is too.
func Render(d *Discourse) ([]Object, error) {
	d.Default()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	s := &d.Spec
	objs := []Object{Namespace(d), ServiceAccount(d), ConfigMap(d)}
	if s.Uploads.Store == UploadsVolume {
		objs = append(objs, UploadsClaim(d))
	}
	if s.Postgres.Mode == DatabaseCNPG {
		objs = append(objs, CNPGCluster(d), CNPGDatabase(d))
		if *s.Postgres.CNPG.Pooler.Enabled {
			objs = append(objs, CNPGPooler(d))
		}
	}
	if s.Redis.Mode == RedisValkey {
		objs = append(objs, ValkeyStatefulSet(d))
		for _, svc := range ValkeyServices(d) {
			objs = append(objs, svc)
		}
	}
	if *s.NetworkPolicy.Enabled {
		for _, np := range NetworkPolicies(d) {
			objs = append(objs, np)
		}
	}
	if s.Migrations.Mode == MigrationsJob {
		objs = append(objs, MigrationJob(d))
	}
	objs = append(objs, WebDeployment(d), WebService(d))
	if *s.Ingress.Enabled {
		objs = append(objs, WebIngress(d))
	}
	if *s.Web.Autoscaling.Enabled {
		objs = append(objs, WebAutoscaler(d))
	}
	budgets := *s.PodDisruptionBudgets
	if budgets {
		objs = append(objs, PodDisruptionBudget(d, d.WebName(), ComponentWeb))
	}
	if hasWorkers(d) {
		objs = append(objs, WorkerDeployment(d), SchedulerDeployment(d))
		if budgets {
			objs = append(objs, PodDisruptionBudget(d, d.WorkerName(), ComponentSidekiq))
		}
		if *s.Sidekiq.Workers.Autoscaling.Enabled {
			objs = append(objs, WorkerScaledObject(d), WorkerTriggerAuthentication(d))
		}
	}
	if d.scrapesDiscourse() {
		objs = append(objs, WebPodMonitor(d))
	}
	if *s.Monitoring.Enabled {
		objs = append(objs, Alerts(d))
	}
	if *s.GitOps.Enabled {
		for _, k := range FluxKustomizations(d) {
			objs = append(objs, k)
		}
	}
	return objs, nil
}

// hasWorkers says whether the layout has worker and scheduler Deployments.
func hasWorkers(d *Discourse) bool { return d.Spec.Sidekiq.Layout != SidekiqUnified }

// ToMap converts an object to its JSON form without the fields the API
// server owns: a committed creationTimestamp: null or status: {} would be
// noise in every diff and is not something Flux should apply.
func ToMap(o Object) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("serialising %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	delete(m, "status")
	// An empty spec (a Namespace's) is the API's default, not a choice.
	if spec, ok := m["spec"].(map[string]any); ok && len(spec) == 0 {
		delete(m, "spec")
	}
	stripCreationTimestamps(m)
	return m, nil
}

// stripCreationTimestamps removes the null creationTimestamp that
// metav1.ObjectMeta serialises, at every level (pod templates, claim
// templates).
func stripCreationTimestamps(v any) {
	switch t := v.(type) {
	case map[string]any:
		if ts, ok := t["creationTimestamp"]; ok && ts == nil {
			delete(t, "creationTimestamp")
		}
		for k, child := range t {
			if k == "metadata" || k == "template" || k == "spec" || k == "volumeClaimTemplates" || k == "jobTemplate" {
				stripCreationTimestamps(child)
			}
		}
		if st, ok := t["status"].(map[string]any); ok && len(st) == 0 {
			delete(t, "status")
		}
	case []any:
		for _, child := range t {
			stripCreationTimestamps(child)
		}
	}
}

// ToYAML renders objects as one YAML stream, keys sorted, the way
// kustomize prints them.
func ToYAML(objs []Object) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		m, err := ToMap(o)
		if err != nil {
			return nil, err
		}
		b, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}
