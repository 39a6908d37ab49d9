package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	kedav1alpha1 "discoursegen.dev/discoursegen/internal/thirdparty/keda/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

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

// workerScaledObject scales the Sidekiq workers on queue depth: CPU says
// nothing about a backlog of jobs that wait on the network.
func (d *site) workerScaledObject() *kedav1alpha1.ScaledObject {
	s := &d.Spec
	a := s.Sidekiq.Workers.Autoscaling
	triggers := make([]kedav1alpha1.ScaleTriggers, 0, len(autoscaledQueues))
	for _, q := range autoscaledQueues {
		host := d.redisHost()
		if s.Redis.Mode == v1alpha1.RedisValkey {
			// KEDA dials from its own namespace.
			host = d.serviceAddress(host)
		}
		meta := map[string]string{
			"address":       host + ":" + itoa(d.redisPort()),
			"databaseIndex": itoa(sidekiqRedisDB),
			"listName":      "queue:" + q,
			"listLength":    itoa(*a.QueueLength),
		}
		if *s.Redis.UseTLS {
			meta["enableTLS"] = "true"
		}
		triggers = append(triggers, kedav1alpha1.ScaleTriggers{
			Type: "redis", Name: "queue-" + q, Metadata: meta,
			AuthenticationRef: &kedav1alpha1.AuthenticationRef{Name: d.workerName()},
		})
	}
	return &kedav1alpha1.ScaledObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: kedav1alpha1.GroupVersion, Kind: "ScaledObject"},
		ObjectMeta: d.objectMeta(d.workerName(), componentSidekiq, StageApp),
		Spec: kedav1alpha1.ScaledObjectSpec{
			ScaleTargetRef:  &kedav1alpha1.ScaleTarget{APIVersion: "apps/v1", Kind: "Deployment", Name: d.workerName()},
			MinReplicaCount: a.MinReplicas,
			MaxReplicaCount: a.MaxReplicas,
			CooldownPeriod:  ptr.To(int32(300)),
			Triggers:        triggers,
		},
	}
}

// workerTriggerAuthentication gives KEDA the Redis password from the site
// Secret, by reference.
func (d *site) workerTriggerAuthentication() *kedav1alpha1.TriggerAuthentication {
	s := &d.Spec
	return &kedav1alpha1.TriggerAuthentication{
		TypeMeta:   metav1.TypeMeta{APIVersion: kedav1alpha1.GroupVersion, Kind: "TriggerAuthentication"},
		ObjectMeta: d.objectMeta(d.workerName(), componentSidekiq, StageApp),
		Spec: kedav1alpha1.TriggerAuthenticationSpec{SecretTargetRef: []kedav1alpha1.AuthSecretTargetRef{{
			Parameter: "password", Name: s.Secrets.Name, Key: s.Secrets.Keys.RedisPassword,
		}}},
	}
}
