package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// quantity parses a constant of this package, never input: sizes from the
// config are typed (resource.Quantity) and were parsed and checked when it
// was decoded and validated.
func quantity(s string) resource.Quantity { return resource.MustParse(s) }

// discourseUID is the discourse user of the upstream image (useradd --uid
// 1000 in discourse_docker's image/base/Dockerfile). Sidekiq, the scheduler
// and migrations run as it directly, so they meet the restricted Pod
// Security level; only the web pod needs root for runit and nginx.
const discourseUID = 1000

// wwwDataGID is the www-data group of the upstream image (Debian's gid
// 33). Unicorn runs as discourse:www-data (discourse_docker
// templates/web.template.yml: chpst -u discourse:www-data).
const wwwDataGID = 33

// appRoot is where the upstream image keeps the Rails app.
const appRoot = "/var/www/discourse"

// sharedDir is upstream's /shared: the image links public/uploads,
// public/backups and log to directories under it (discourse_docker
// templates/web.template.yml: ln -s /shared/{uploads,backups} $home/public,
// and log -> /shared/log/rails).
const sharedDir = "/shared"

// railsLogDir is where the image's log symlink points.
const railsLogDir = sharedDir + "/log/rails"

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
// annotation rolls the pods when a setting changes; the version label
// says which release a pod runs.
func (d *site) podMeta(c component) metav1.ObjectMeta {
	labels := d.labels(c)
	d.addVersionLabel(labels)
	labels[labelDiscourse] = "true"
	return metav1.ObjectMeta{
		Labels:      labels,
		Annotations: map[string]string{annotationConfigHash: d.configHash()},
	}
}

// podSpec fills what every Discourse pod shares: the service account
// without a token (no Discourse process talks to the Kubernetes API),
// image pull secrets and the user's scheduling constraints.
func (d *site) podSpec(c component, spec corev1.PodSpec) corev1.PodSpec {
	sc := &d.Spec.Scheduling
	spec.ServiceAccountName = d.serviceAccountName()
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
	} else if c == componentWeb || c == componentSidekiq {
		spec.Affinity = d.spreadAcrossNodes(c)
	}
	spec.TopologySpreadConstraints = d.topologySpread(d.selectorLabels(c))
	return spec
}

// topologySpread is the user's spread constraints for the pods that
// selector matches. A constraint without a selector would count no pods;
// the natural meaning is "spread this workload", so it selects them.
func (d *site) topologySpread(selector map[string]string) []corev1.TopologySpreadConstraint {
	var out []corev1.TopologySpreadConstraint
	for _, c := range d.Spec.Scheduling.TopologySpreadConstraints {
		c := *c.DeepCopy()
		if c.LabelSelector == nil {
			c.LabelSelector = &metav1.LabelSelector{MatchLabels: selector}
		}
		out = append(out, c)
	}
	return out
}

// spreadAcrossNodes prefers one replica per node, so a node drain or
// failure takes out one pod, not the tier. Preferred, not required: a small
// cluster must still schedule every replica.
func (d *site) spreadAcrossNodes(c component) *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: d.selectorLabels(c)},
				TopologyKey:   "kubernetes.io/hostname",
			},
		}},
	}}
}

// railsVolumes are the writable paths of a Rails process: tmp (pids,
// sockets, bootsnap cache) is per pod and must never be shared.
func railsVolumes() ([]corev1.Volume, []corev1.VolumeMount) {
	return []corev1.Volume{emptyDir("tmp")}, []corev1.VolumeMount{{Name: "tmp", MountPath: appRoot + "/tmp"}}
}

// directRubyVolumes are railsVolumes plus log/ for containers that run
// Ruby themselves (Sidekiq, migrations). Not for the web pod: its image
// links log/ to /shared/log/rails, which the app-log sidecar reads.
func directRubyVolumes() ([]corev1.Volume, []corev1.VolumeMount) {
	volumes, mounts := railsVolumes()
	return append(volumes, emptyDir("log")), append(mounts, corev1.VolumeMount{Name: "log", MountPath: appRoot + "/log"})
}

// sharedVolume is a per-pod /shared. Any pod that runs Sidekiq needs it:
// a backup is always assembled in public/backups (-> /shared/backups)
// before it is uploaded (discourse/discourse lib/backup_restore/backuper.rb
// and local_backup_store.rb: FileUtils.mkdir_p(base_directory)), and
// without /shared that symlink dangles and every backup fails. An emptyDir
// is world-writable, so uid 1000 can create the directories it needs. No
// size limit: a backup archive is as large as the database, and a limit
// would evict the pod in the middle of one.
func sharedVolume() (corev1.Volume, corev1.VolumeMount) {
	return emptyDir("shared"), corev1.VolumeMount{Name: "shared", MountPath: sharedDir}
}

func emptyDir(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
}

// smallResources fit the helper containers: shell loops, chown, tail.
func smallResources() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: quantity("10m"), corev1.ResourceMemory: quantity("16Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: quantity("64Mi")},
	}
}

// asDiscourse is the restricted securityContext with the discourse uid
// set explicitly: the web pod runs as root, and other images' default
// user may be root, which runAsNonRoot would refuse.
func asDiscourse() *corev1.SecurityContext {
	sc := restrictedContainer()
	sc.RunAsUser = ptr.To(int64(discourseUID))
	sc.RunAsGroup = ptr.To(int64(discourseUID))
	return sc
}

// waitContainers block a pod until PostgreSQL accepts connections and
// Valkey answers PING. db:migrate takes a Redis mutex first, so both must be
// up; crash-looping the main container instead hides the real cause.
func (d *site) waitContainers(dbHost string) []corev1.Container {
	s := &d.Spec
	// The shell scripts use $VAR without braces: Flux's strict postBuild
	// substitution would fail on ${VAR}, and the values come from env, not
	// from the manifest.
	pg := corev1.Container{
		Name:    "wait-for-postgres",
		Image:   s.Postgres.CNPG.ImageName,
		Command: []string{"sh", "-c", `until pg_isready -q -h "$PGHOST" -p "$PGPORT" -d "$PGDATABASE"; do echo "waiting for PostgreSQL at $PGHOST:$PGPORT"; sleep 2; done`},
		Env: []corev1.EnvVar{
			{Name: "PGHOST", Value: dbHost},
			{Name: "PGPORT", Value: itoa(d.databasePort())},
			{Name: "PGDATABASE", Value: s.Postgres.Database},
			// The CNPG operand image has no passwd entry for this uid
			// (cloudnative-pg/postgres-containers Dockerfile: only
			// postgres, uid 26). Without a user name libpq cannot look
			// one up and gives up before connecting (postgres
			// src/interfaces/libpq/fe-connect.c, connectOptions2), so
			// pg_isready reports "no attempt" forever. pg_isready only
			// pings: no password is needed.
			{Name: "PGUSER", Value: s.Postgres.Username},
		},
		Resources:       smallResources(),
		SecurityContext: asDiscourse(),
	}
	redisPass := secretKeyEnv("REDISCLI_AUTH", s.Secrets.Name, s.Secrets.Keys.RedisPassword, s.Redis.Mode == v1alpha1.RedisExternal)
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
			{Name: "REDIS_HOST", Value: d.redisHost()},
			{Name: "REDIS_PORT", Value: itoa(d.redisPort())},
			redisPass,
		},
		Resources:       smallResources(),
		SecurityContext: asDiscourse(),
	}
	return []corev1.Container{pg, redis}
}
