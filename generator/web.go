package generator

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// webPort is where the upstream image's nginx listens.
const webPort = 80

// WebDeployment is the Unicorn web tier behind nginx.
func WebDeployment(d *Discourse) *appsv1.Deployment {
	s := &d.Spec
	unified := s.Sidekiq.Layout == SidekiqUnified
	p := processEnv{
		unicornWorkers:   *s.Web.UnicornWorkers,
		sidekiqs:         *s.Sidekiq.WebProcesses,
		schedulerHost:    noSchedulerHost,
		migrateOnBoot:    s.Migrations.Mode == MigrationsOnBoot,
		precompileOnBoot: !*s.Image.PrecompiledAssets,
	}
	if unified {
		p.schedulerHost = s.Sidekiq.Scheduler.Hostname
	}

	statusProbe := corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
		Path: "/srv/status", Port: intstr.FromString("http"),
		// Rails answers /srv/status only for its own hostname.
		HTTPHeaders: []corev1.HTTPHeader{{Name: "Host", Value: s.Hostname}},
	}}
	// The startup probe covers boot, which precompiles assets (and, in
	// local, migrates) before Unicorn listens: up to 15 minutes. Liveness
	// starts only after it, so a slow boot is never killed mid-migration.
	startupFailures := int32(30)
	if p.precompileOnBoot || p.migrateOnBoot {
		startupFailures = 90
	}

	volumes, mounts := railsVolumes()
	volumes = append(volumes, corev1.Volume{Name: "shared", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	mounts = append(mounts, corev1.VolumeMount{Name: "shared", MountPath: "/shared"})
	if s.Uploads.Store == UploadsVolume {
		volumes = append(volumes, corev1.Volume{Name: "uploads", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: d.UploadsClaimName()},
		}})
		mounts = append(mounts, corev1.VolumeMount{Name: "uploads", MountPath: "/shared/uploads"})
	}

	web := corev1.Container{
		Name:            "web",
		Image:           d.ImageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		// The image's /sbin/boot starts runit: nginx, Unicorn and (per
		// UNICORN_SIDEKIQS) Sidekiq.
		Command:         []string{"/sbin/boot"},
		Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: webPort, Protocol: corev1.ProtocolTCP}},
		EnvFrom:         d.envFrom(),
		Env:             d.discourseEnv(p),
		Resources:       *s.Web.Resources,
		VolumeMounts:    mounts,
		SecurityContext: upstreamWebContainer(),
		StartupProbe: &corev1.Probe{
			ProbeHandler: statusProbe, PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: startupFailures,
		},
		LivenessProbe: &corev1.Probe{
			ProbeHandler: statusProbe, PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 3,
		},
		ReadinessProbe: &corev1.Probe{
			ProbeHandler: statusProbe, PeriodSeconds: 5, TimeoutSeconds: 3, FailureThreshold: 2,
		},
		// Endpoints are removed asynchronously; keep serving until the
		// ingress controller has stopped sending, then runit drains.
		Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{
			Exec: &corev1.ExecAction{Command: []string{"sleep", "15"}},
		}},
	}

	if *s.Monitoring.Enabled {
		web.Ports = append(web.Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: metricsPort, Protocol: corev1.ProtocolTCP})
	}

	spec := d.podSpec(ComponentWeb, corev1.PodSpec{
		InitContainers:                d.waitContainers(d.DatabaseHost()),
		Containers:                    []corev1.Container{web},
		Volumes:                       volumes,
		TerminationGracePeriodSeconds: s.Web.TerminationGracePeriodSeconds,
		SecurityContext:               &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
	})
	strategy := appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		// Never go below the desired count: a rollout is not an outage.
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxUnavailable: ptr.To(intstr.FromInt32(0)),
			MaxSurge:       ptr.To(intstr.FromString("25%")),
		},
	}
	if unified || p.migrateOnBoot {
		// A single pod that runs the scheduler or migrates on boot must
		// never overlap with its successor: two schedulers, or two
		// migrations racing. Recreate trades a short outage for that.
		spec.Hostname = s.Sidekiq.Scheduler.Hostname
		strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}

	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: d.objectMeta(d.WebName(), ComponentWeb, StageApp),
		Spec: appsv1.DeploymentSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: d.SelectorLabels(ComponentWeb)},
			Strategy:             strategy,
			RevisionHistoryLimit: ptr.To(int32(5)),
			Template:             corev1.PodTemplateSpec{ObjectMeta: d.podMeta(ComponentWeb), Spec: spec},
		},
	}
	// An autoscaled Deployment has no replicas field: with one, every Flux
	// reconcile resets the HPA's choice.
	if !*s.Web.Autoscaling.Enabled {
		dep.Spec.Replicas = s.Web.Replicas
	}
	return dep
}

// WebService is the ClusterIP Service the Ingress routes to.
func WebService(d *Discourse) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: d.objectMeta(d.WebName(), ComponentWeb, StageApp),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: d.SelectorLabels(ComponentWeb),
			Ports: []corev1.ServicePort{{
				Name: "http", Port: webPort, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
}

// UploadsClaim is the ReadWriteOnce volume for uploads when there is no S3.
// It lives in the data stage and Flux never prunes it: uploads are data.
func UploadsClaim(d *Discourse) *corev1.PersistentVolumeClaim {
	v := &d.Spec.Uploads.Volume
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: d.objectMeta(d.UploadsClaimName(), ComponentWeb, StageData),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: quantity(v.Size)}},
		},
	}
	if v.StorageClass != "" {
		pvc.Spec.StorageClassName = ptr.To(v.StorageClass)
	}
	pvc.Annotations[AnnotationFluxPrune] = "disabled"
	return pvc
}

// objectMeta is the metadata of every namespaced object of the site.
func (d *Discourse) objectMeta(name, component, stage string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   d.Spec.Namespace,
		Labels:      d.Labels(component),
		Annotations: map[string]string{AnnotationStage: stage},
	}
}
