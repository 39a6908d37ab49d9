package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Object is what Render returns: a typed Kubernetes object, from k8s.io/api
// or one of discoursegen's mirrors of a third-party CRD.
type Object interface {
	metav1.Object
	GetObjectKind() schema.ObjectKind
}

// site is a config that has been defaulted and validated. Every builder is
// a method of it, so no builder can see a raw config: the pointers Default
// fills are set, and every value a builder parses or indexes was checked.
type site struct {
	v1alpha1.Discourse
}

// newSite is the only constructor of site. It works on a deep copy, so the
// caller's config is never changed.
func newSite(cfg *v1alpha1.Discourse) (*site, field.ErrorList) {
	d := &site{Discourse: *cfg.DeepCopy()}
	d.Default()
	if errs := d.Validate(); len(errs) > 0 {
		return nil, errs
	}
	// Only a valid site can be rendered, and only a rendered one says
	// what its quota must hold.
	if errs := d.budgetErrors(); len(errs) > 0 {
		return nil, errs
	}
	return d, nil
}

// Render defaults and validates a copy of cfg and returns every object of
// the site, in a fixed order, so the output is too. The only way it fails
// is an invalid config: then it returns every problem, each with its field
// path, and no objects.
func Render(cfg v1alpha1.Discourse) ([]Object, field.ErrorList) {
	d, errs := newSite(&cfg)
	if errs != nil {
		return nil, errs
	}
	return d.objects(), nil
}

// objects assembles the site, stage by stage.
func (d *site) objects() []Object {
	s := &d.Spec
	objs := []Object{d.namespace(), d.serviceAccount(), d.configMap()}
	if s.Uploads.Store == v1alpha1.UploadsVolume {
		objs = append(objs, d.uploadsClaim())
	}
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		if s.UsesObjectStore() {
			objs = append(objs, d.objectStore())
		}
		objs = append(objs, d.cnpgCluster(), d.cnpgDatabase())
		if d.backsUp() {
			objs = append(objs, d.scheduledBackup())
		}
		if *s.Postgres.CNPG.Pooler.Enabled {
			objs = append(objs, d.cnpgPooler())
		}
	}
	if s.Redis.Mode == v1alpha1.RedisValkey {
		objs = append(objs, d.valkeyStatefulSet())
		objs = appendAll(objs, d.valkeyServices())
	}
	if *s.NetworkPolicy.Enabled {
		objs = appendAll(objs, d.networkPolicies())
	}
	objs = appendAll(objs, d.migrationJobs())
	objs = append(objs, d.webDeployment(), d.webService())
	if *s.Admin.Enabled {
		objs = append(objs, d.adminJob())
	}
	if *s.Ingress.Enabled {
		objs = append(objs, d.webIngress())
	}
	if *s.Web.Autoscaling.Enabled {
		objs = append(objs, d.webAutoscaler())
	}
	// A budget on a single pod either blocks every drain or protects
	// nothing (policy rule disruption-budget).
	budgets := *s.PodDisruptionBudgets
	if budgets && s.WebMaxReplicas() > 1 {
		objs = append(objs, d.podDisruptionBudget(d.webName(), componentWeb))
	}
	if s.HasWorkers() {
		objs = append(objs, d.workerDeployment(), d.schedulerDeployment())
		if budgets && s.WorkerMaxReplicas() > 1 {
			objs = append(objs, d.podDisruptionBudget(d.workerName(), componentSidekiq))
		}
		if *s.Sidekiq.Workers.Autoscaling.Enabled {
			objs = append(objs, d.workerScaledObject(), d.workerTriggerAuthentication())
		}
	}
	if *s.Monitoring.Enabled {
		objs = appendAll(objs, d.podMonitors())
		objs = append(objs, d.alerts())
		if *s.Monitoring.Dashboard {
			objs = append(objs, d.dashboard())
		}
	}
	// Last of the workloads: the quota is sized from every pod above.
	if *s.ResourceQuota.Enabled {
		objs = append(objs, d.namespaceBudget(objs)...)
	}
	if *s.GitOps.Enabled {
		objs = appendAll(objs, d.fluxKustomizations())
	}
	if !*s.NetworkPolicy.Enabled {
		waiveNetworkPolicy(objs)
	}
	return objs
}

// waiveNetworkPolicy marks every object that runs pods as exempt from the
// policy rule network-policy, with the config's own reason: a site that
// turns discoursegen's NetworkPolicies off has its network isolated some
// other way (a CNI's own policies, a mesh), which the rule cannot see.
// The waiver shows in the output and on every build.
func waiveNetworkPolicy(objs []Object) {
	for _, o := range objs {
		switch o.GetObjectKind().GroupVersionKind().Kind {
		case "Deployment", "StatefulSet", "Job", "Cluster", "Pooler":
			a := o.GetAnnotations()
			if a == nil {
				a = map[string]string{}
			}
			a[waiverPrefix+"network-policy"] = "spec.networkPolicy.enabled is false: the site's network is isolated outside discoursegen, which renders no NetworkPolicy"
			o.SetAnnotations(a)
		}
	}
}

func appendAll[T Object](objs []Object, more []T) []Object {
	for _, o := range more {
		objs = append(objs, o)
	}
	return objs
}
