package generator

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// quantity parses a constant of this package. Values from the spec are
// checked by Validate before any builder runs, so this cannot fail at run
// time.
func quantity(s string) resource.Quantity { return resource.MustParse(s) }

// discourseUID is the discourse user of the upstream image (useradd --uid
// 1000 in discourse_docker's image/base/Dockerfile). Sidekiq, the scheduler
// and migrations run as it directly, so they meet the restricted Pod
// Security level; only the web pod needs root for runit and nginx.
const discourseUID = 1000

// appRoot is where the upstream image keeps the Rails app.
const appRoot = "/var/www/discourse"

// restrictedContainer is the securityContext that meets the restricted Pod
// Security Standard for a process that runs as a fixed non-root user.
func restrictedContainer() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		RunAsNonRoot:             ptr.To(true),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// upstreamWebContainer is the least privilege the upstream /sbin/boot needs:
// runit starts as root, chowns /shared, drops to discourse with su/chpst
// (setuid, setgid) and nginx binds :80. That is the baseline level, never
// restricted; every other capability is dropped.
func upstreamWebContainer() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		Capabilities: &corev1.Capabilities{
			Drop: []corev1.Capability{"ALL"},
			Add: []corev1.Capability{
				"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL",
				"NET_BIND_SERVICE", "SETGID", "SETUID",
			},
		},
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// nonRootPod is the pod securityContext for workloads that run as uid.
func nonRootPod(uid int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsUser:      ptr.To(uid),
		RunAsGroup:     ptr.To(uid),
		FSGroup:        ptr.To(uid),
		RunAsNonRoot:   ptr.To(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// podMeta is the metadata of a Discourse pod template. The config hash
// annotation rolls the pods when a setting changes.
func (d *Discourse) podMeta(component string) metav1.ObjectMeta {
	labels := d.Labels(component)
	labels[LabelDiscourse] = "true"
	return metav1.ObjectMeta{
		Labels:      labels,
		Annotations: map[string]string{AnnotationConfigHash: d.configHash()},
	}
}

// podSpec fills what every Discourse pod shares: the service account
// without a token (no Discourse process talks to the Kubernetes API),
// image pull secrets and the user's scheduling constraints.
func (d *Discourse) podSpec(component string, spec corev1.PodSpec) corev1.PodSpec {
	sc := &d.Spec.Scheduling
	spec.ServiceAccountName = d.ServiceAccountName()
	spec.AutomountServiceAccountToken = ptr.To(false)
	spec.EnableServiceLinks = ptr.To(false)
	for _, name := range d.Spec.Image.PullSecrets {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: name})
	}
	spec.NodeSelector = sc.NodeSelector
	spec.Tolerations = sc.Tolerations
	spec.PriorityClassName = sc.PriorityClassName
	if sc.Affinity != nil {
		spec.Affinity = sc.Affinity.DeepCopy()
	} else if component == ComponentWeb || component == ComponentSidekiq {
		spec.Affinity = d.spreadAcrossNodes(component)
	}
	for _, c := range sc.TopologySpreadConstraints {
		c := *c.DeepCopy()
		// A constraint without a selector would count no pods; the natural
		// meaning is "spread this workload", so select it.
		if c.LabelSelector == nil {
			c.LabelSelector = &metav1.LabelSelector{MatchLabels: d.SelectorLabels(component)}
		}
		spec.TopologySpreadConstraints = append(spec.TopologySpreadConstraints, c)
	}
	return spec
}

// spreadAcrossNodes prefers one replica per node, so a node drain or
// failure takes out one pod, not the tier. Preferred, not required: a small
// cluster must still schedule every replica.
func (d *Discourse) spreadAcrossNodes(component string) *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: d.SelectorLabels(component)},
				TopologyKey:   "kubernetes.io/hostname",
			},
		}},
	}}
}

// railsVolumes are the writable paths of a Rails process: tmp (pids,
// sockets, bootsnap cache) is per pod and must never be shared.
func railsVolumes() ([]corev1.Volume, []corev1.VolumeMount) {
	return []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		[]corev1.VolumeMount{{Name: "tmp", MountPath: appRoot + "/tmp"}}
}

// waitContainers block a pod until PostgreSQL accepts connections and
// Valkey answers PING. db:migrate takes a Redis mutex first, so both must be
// up; crash-looping the main container instead hides the real cause.
func (d *Discourse) waitContainers(dbHost string) []corev1.Container {
	s := &d.Spec
	// Explicit uid: the web pod runs as root, and the Valkey image's
	// default user is root, which runAsNonRoot would refuse.
	restricted := restrictedContainer()
	restricted.RunAsUser = ptr.To(int64(discourseUID))
	restricted.RunAsGroup = ptr.To(int64(discourseUID))
	small := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: quantity("10m"), corev1.ResourceMemory: quantity("16Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: quantity("64Mi")},
	}
	// The shell scripts use $VAR without braces: Flux's strict postBuild
	// substitution would fail on ${VAR}, and the values come from env, not
	// from the manifest.
	pg := corev1.Container{
		Name:    "wait-for-postgres",
		Image:   s.Postgres.CNPG.ImageName,
		Command: []string{"sh", "-c", `until pg_isready -q -h "$PGHOST" -p "$PGPORT" -d "$PGDATABASE"; do echo "waiting for PostgreSQL at $PGHOST:$PGPORT"; sleep 2; done`},
		Env: []corev1.EnvVar{
			{Name: "PGHOST", Value: dbHost},
			{Name: "PGPORT", Value: itoa(d.DatabasePort())},
			{Name: "PGDATABASE", Value: s.Postgres.Database},
		},
		Resources:       small,
		SecurityContext: restricted,
	}
	redisPass := secretKeyEnv("REDISCLI_AUTH", s.Secrets.Name, s.Secrets.Keys.RedisPassword, s.Redis.Mode == RedisExternal)
	tls := ""
	if *s.Redis.UseTLS {
		tls = " --tls"
	}
	redis := corev1.Container{
		Name:  "wait-for-redis",
		Image: s.Redis.Valkey.Image,
		Command: []string{"sh", "-c", `until valkey-cli -h "$REDIS_HOST" -p "$REDIS_PORT"` + tls +
			` ping | grep -q PONG; do echo "waiting for Redis at $REDIS_HOST:$REDIS_PORT"; sleep 2; done`},
		Env: []corev1.EnvVar{
			{Name: "REDIS_HOST", Value: d.RedisHost()},
			{Name: "REDIS_PORT", Value: itoa(d.RedisPort())},
			redisPass,
		},
		Resources:       small,
		SecurityContext: restricted,
	}
	return []corev1.Container{pg, redis}
}
