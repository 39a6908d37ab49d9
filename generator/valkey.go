package generator

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// valkeyUID is the valkey user of the official image. Running as it from
// the start skips the entrypoint's chown-and-setpriv path, which needs root.
const valkeyUID = 999

// valkeyStart writes the password into a config file in an emptyDir rather
// than passing --requirepass, which would show it in every process listing.
// $VAR, not ${VAR}: Flux's strict postBuild substitution rejects the braces.
//
// --maxmemory with noeviction: at the limit Valkey refuses writes with an
// error Discourse reports, instead of growing into the container's memory
// limit and being OOM-killed (and replaying its append-only file on every
// restart). noeviction because Sidekiq's queues live here and evicting a
// queued job loses it (Sidekiq warns on any other policy:
// sidekiq/sidekiq lib/sidekiq/cli.rb). Upstream's templates/redis.template.yml
// sets no maxmemory, but upstream runs Redis without a cgroup limit.
const valkeyStart = `printf 'requirepass "%s"\n' "$VALKEY_PASSWORD" > /run/valkey/auth.conf
exec valkey-server /run/valkey/auth.conf --dir /data --appendonly "$APPENDONLY" --save "" --protected-mode no --maxmemory "$MAXMEMORY" --maxmemory-policy noeviction`

// valkeyMaxMemory leaves a quarter of the container's memory limit for
// what maxmemory does not count: the copy-on-write pages of an append-only
// file rewrite, client buffers and fragmentation.
func valkeyMaxMemory(res corev1.ResourceRequirements) string {
	limit, ok := res.Limits[corev1.ResourceMemory]
	if !ok {
		return "0" // no limit to stay under: Valkey's own default
	}
	return fmt.Sprint(limit.Value() * 3 / 4)
}

// valkeyStatefulSet is Discourse's Redis. With persistence on, the
// append-only file survives restarts, so queued Sidekiq jobs are not lost.
func (d *site) valkeyStatefulSet() *appsv1.StatefulSet {
	s := &d.Spec
	v := &s.Redis.Valkey
	persistent := *v.Persistence.Enabled
	appendOnly := "no"
	if persistent {
		appendOnly = "yes"
	}
	ping := &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{
			"sh", "-c", `valkey-cli -a "$VALKEY_PASSWORD" --no-auth-warning ping | grep -q PONG`,
		}}},
		PeriodSeconds: 10, TimeoutSeconds: 3, FailureThreshold: 3,
	}
	c := corev1.Container{
		Name:    "valkey",
		Image:   v.Image,
		Command: []string{"sh", "-c", valkeyStart},
		Ports:   []corev1.ContainerPort{{Name: "redis", ContainerPort: valkeyPort, Protocol: corev1.ProtocolTCP}},
		Env: []corev1.EnvVar{
			secretKeyEnv("VALKEY_PASSWORD", s.Secrets.Name, s.Secrets.Keys.RedisPassword, false),
			{Name: "APPENDONLY", Value: appendOnly},
			{Name: "MAXMEMORY", Value: valkeyMaxMemory(*v.Resources)},
		},
		Resources:      *v.Resources,
		ReadinessProbe: ping,
		LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("redis")}}, PeriodSeconds: 20, FailureThreshold: 3},
		// Valkey replays its append-only file before it answers, which
		// takes minutes for a large queue; until then the liveness probe
		// must not count (policy rule startup-probe).
		StartupProbe:    &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("redis")}}, PeriodSeconds: 10, FailureThreshold: 30},
		SecurityContext: restrictedContainer(),
		VolumeMounts: []corev1.VolumeMount{
			{Name: "data", MountPath: "/data"},
			{Name: "run", MountPath: "/run/valkey"},
		},
	}
	c.SecurityContext.ReadOnlyRootFilesystem = ptr.To(true)
	containers := []corev1.Container{c}
	if *s.Monitoring.Enabled {
		containers = append(containers, d.redisExporter())
	}
	volumes := []corev1.Volume{{Name: "run", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}}
	sts := &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: d.objectMeta(d.valkeyName(), componentValkey, StageData),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    v.Replicas,
			ServiceName: d.valkeyHeadlessName(),
			Selector:    &metav1.LabelSelector{MatchLabels: d.selectorLabels(componentValkey)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: d.labels(componentValkey)},
				Spec: corev1.PodSpec{
					ServiceAccountName:           d.serviceAccountName(),
					AutomountServiceAccountToken: ptr.To(false),
					EnableServiceLinks:           ptr.To(false),
					Containers:                   containers,
					Volumes:                      volumes,
					SecurityContext:              nonRootPod(valkeyUID),
					NodeSelector:                 s.Scheduling.NodeSelector,
					Tolerations:                  s.Scheduling.Tolerations,
					PriorityClassName:            s.Scheduling.PriorityClassName,
					TopologySpreadConstraints:    d.topologySpread(d.selectorLabels(componentValkey)),
				},
			},
		},
	}
	if a := s.Scheduling.Affinity; a != nil {
		sts.Spec.Template.Spec.Affinity = a.DeepCopy()
	}
	for _, name := range s.Image.PullSecrets {
		sts.Spec.Template.Spec.ImagePullSecrets = append(sts.Spec.Template.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: name})
	}
	if persistent {
		claim := corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: "data"},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: *v.Persistence.Size}},
			},
		}
		if v.Persistence.StorageClass != "" {
			claim.Spec.StorageClassName = ptr.To(v.Persistence.StorageClass)
		}
		sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{claim}
		// Scaling down or deleting the StatefulSet keeps the queue data.
		sts.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
			WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
		}
	} else {
		sts.Spec.Template.Spec.Volumes = append(sts.Spec.Template.Spec.Volumes,
			corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	return sts
}

// redisExporter is oliver006/redis_exporter beside Valkey, which it
// supports, reading INFO over loopback (REDIS_ADDR) with the same
// password. Its options are environment variables (main.go: REDIS_ADDR,
// REDIS_PASSWORD; REDIS_PASSWORD_FILE is a JSON map of address to
// password, not a plain file). It has no probes on purpose: a readiness
// probe failing would take the Valkey pod, and so Discourse's Redis, out
// of its Service for a metrics problem.
func (d *site) redisExporter() corev1.Container {
	s := &d.Spec
	c := corev1.Container{
		Name:  "exporter",
		Image: s.Redis.Valkey.ExporterImage,
		Ports: []corev1.ContainerPort{{Name: metricsPortName, ContainerPort: redisExporterPort, Protocol: corev1.ProtocolTCP}},
		Env: []corev1.EnvVar{
			{Name: "REDIS_ADDR", Value: fmt.Sprintf("redis://localhost:%d", valkeyPort)},
			secretKeyEnv("REDIS_PASSWORD", s.Secrets.Name, s.Secrets.Keys.RedisPassword, false),
		},
		// A Go binary that holds one connection and the last scrape.
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("10m"),
				corev1.ResourceMemory: resource.MustParse("32Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
		},
		SecurityContext: restrictedContainer(),
	}
	c.SecurityContext.ReadOnlyRootFilesystem = ptr.To(true)
	return c
}

// valkeyServices are the client Service Discourse connects to and the
// headless Service that gives the StatefulSet's pod its stable DNS name.
func (d *site) valkeyServices() []*corev1.Service {
	svc := func(name string, headless bool) *corev1.Service {
		s := &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: d.objectMeta(name, componentValkey, StageData),
			Spec: corev1.ServiceSpec{
				Selector: d.selectorLabels(componentValkey),
				Ports: []corev1.ServicePort{{
					Name: "redis", Port: valkeyPort, TargetPort: intstr.FromString("redis"), Protocol: corev1.ProtocolTCP,
				}},
			},
		}
		if headless {
			s.Spec.ClusterIP = corev1.ClusterIPNone
			s.Spec.PublishNotReadyAddresses = true
		} else {
			s.Spec.Type = corev1.ServiceTypeClusterIP
		}
		return s
	}
	return []*corev1.Service{svc(d.valkeyName(), false), svc(d.valkeyHeadlessName(), true)}
}
