package generator

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The KEDA types below mirror keda.sh/v1alpha1 of KEDA v2.21.0
// (apis/keda/v1alpha1/scaledobject_types.go, triggerauthentication_types.go),
// reduced to the fields discoursegen sets. Importing KEDA's module would
// pull its controller dependencies into every user of this library.

// ScaledObject is keda.sh/v1alpha1 ScaledObject.
type ScaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ScaledObjectSpec `json:"spec"`
}

// ScaledObjectSpec is the subset of KEDA's spec discoursegen uses.
type ScaledObjectSpec struct {
	ScaleTargetRef  ScaleTarget    `json:"scaleTargetRef"`
	MinReplicaCount *int32         `json:"minReplicaCount,omitempty"`
	MaxReplicaCount *int32         `json:"maxReplicaCount,omitempty"`
	CooldownPeriod  *int32         `json:"cooldownPeriod,omitempty"`
	Triggers        []ScaleTrigger `json:"triggers"`
}

// ScaleTarget names the Deployment KEDA scales.
type ScaleTarget struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name"`
}

// ScaleTrigger is one KEDA scaler.
type ScaleTrigger struct {
	Type              string            `json:"type"`
	Name              string            `json:"name,omitempty"`
	Metadata          map[string]string `json:"metadata"`
	AuthenticationRef *AuthRef          `json:"authenticationRef,omitempty"`
}

// AuthRef points a trigger at a TriggerAuthentication.
type AuthRef struct {
	Name string `json:"name"`
}

// TriggerAuthentication is keda.sh/v1alpha1 TriggerAuthentication.
type TriggerAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              TriggerAuthenticationSpec `json:"spec"`
}

// TriggerAuthenticationSpec reads scaler credentials from Secrets.
type TriggerAuthenticationSpec struct {
	SecretTargetRef []SecretTarget `json:"secretTargetRef"`
}

// SecretTarget maps a scaler parameter to a Secret key.
type SecretTarget struct {
	Parameter string `json:"parameter"`
	Name      string `json:"name"`
	Key       string `json:"key"`
}

// sidekiqRedisDB is the Redis database Discourse keeps Sidekiq in. Since
// discourse/discourse PR #31543 (2025) Sidekiq no longer uses the
// "sidekiq:" key namespace of redis-namespace; it uses its own database,
// one above the app's: lib/discourse.rb sidekiq_redis_config merges
// db: config[:db].to_i + 1 into GlobalSetting.redis_config, whose db is
// redis_db (config/discourse_defaults.conf: redis_db = 0). discoursegen
// never sets DISCOURSE_REDIS_DB (validation refuses it in spec.env), so the
// queues are in database 1, as plain Sidekiq keys "queue:<name>" (Sidekiq's
// client LPUSHes to "queue:#{queue}").
const sidekiqRedisDB = 1

// autoscaledQueues are the queues whose backlog adds workers. ultra_low is
// left out on purpose: it holds work that may wait, and scaling on it
// would keep workers up for nothing.
var autoscaledQueues = []string{"critical", "default", "low"}

// WorkerScaledObject scales the Sidekiq workers on queue depth: CPU says
// nothing about a backlog of jobs that wait on the network.
func WorkerScaledObject(d *Discourse) *ScaledObject {
	s := &d.Spec
	a := s.Sidekiq.Workers.Autoscaling
	triggers := make([]ScaleTrigger, 0, len(autoscaledQueues))
	for _, q := range autoscaledQueues {
		host := d.RedisHost()
		if s.Redis.Mode == RedisValkey {
			// KEDA dials from its own namespace.
			host = d.ServiceAddress(host)
		}
		meta := map[string]string{
			"address":       host + ":" + itoa(d.RedisPort()),
			"databaseIndex": itoa(sidekiqRedisDB),
			"listName":      "queue:" + q,
			"listLength":    itoa(*a.QueueLength),
		}
		if *s.Redis.UseTLS {
			meta["enableTLS"] = strconv.FormatBool(true)
		}
		triggers = append(triggers, ScaleTrigger{
			Type: "redis", Name: "queue-" + q, Metadata: meta,
			AuthenticationRef: &AuthRef{Name: d.WorkerName()},
		})
	}
	return &ScaledObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject"},
		ObjectMeta: d.objectMeta(d.WorkerName(), ComponentSidekiq, StageApp),
		Spec: ScaledObjectSpec{
			ScaleTargetRef:  ScaleTarget{APIVersion: "apps/v1", Kind: "Deployment", Name: d.WorkerName()},
			MinReplicaCount: a.MinReplicas,
			MaxReplicaCount: a.MaxReplicas,
			CooldownPeriod:  ptr.To(int32(300)),
			Triggers:        triggers,
		},
	}
}

// WorkerTriggerAuthentication gives KEDA the Redis password from the site
// Secret, by reference.
func WorkerTriggerAuthentication(d *Discourse) *TriggerAuthentication {
	s := &d.Spec
	return &TriggerAuthentication{
		TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "TriggerAuthentication"},
		ObjectMeta: d.objectMeta(d.WorkerName(), ComponentSidekiq, StageApp),
		Spec: TriggerAuthenticationSpec{SecretTargetRef: []SecretTarget{{
			Parameter: "password", Name: s.Secrets.Name, Key: s.Secrets.Keys.RedisPassword,
		}}},
	}
}
