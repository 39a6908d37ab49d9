package generator

import (
	"discoursegen.dev/discoursegen/api/v1alpha1"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// webPort is where the upstream image's nginx listens.
const webPort = 80

// webDeployment is the Unicorn web tier behind nginx.
func (d *site) webDeployment() *appsv1.Deployment {
	s := &d.Spec
	unified := s.Sidekiq.Layout == v1alpha1.SidekiqUnified
	p := processEnv{
		unicornWorkers:   *s.Web.UnicornWorkers,
		sidekiqs:         *s.Sidekiq.WebProcesses,
		schedulerHost:    noSchedulerHost,
		migrateOnBoot:    s.Migrations.Mode == v1alpha1.MigrationsOnBoot,
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
	shared, sharedMount := sharedVolume()
	volumes = append(volumes, shared)
	mounts = append(mounts, sharedMount)
	var setup []corev1.Container
	if s.Uploads.Store == v1alpha1.UploadsVolume {
		volumes = append(volumes, corev1.Volume{Name: "uploads", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: d.uploadsClaimName()},
		}})
		uploads := corev1.VolumeMount{Name: "uploads", MountPath: uploadsDir}
		mounts = append(mounts, uploads)
		setup = append(setup, d.ownUploadsContainer(uploads))
	}
	setup = append(setup, d.waitContainers(d.databaseHost())...)
	setup = append(setup, d.logStreamContainer(sharedMount))

	web := corev1.Container{
		Name:            "web",
		Image:           d.imageRef(),
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

	if d.scrapesDiscourse() {
		web.Ports = append(web.Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: metricsPort, Protocol: corev1.ProtocolTCP})
	}

	spec := d.podSpec(componentWeb, corev1.PodSpec{
		InitContainers:                setup,
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
			MaxSurge:       ptr.To(intstr.FromString(fmt.Sprintf("%d%%", v1alpha1.WebSurgePercent))),
		},
	}
	if s.WebRecreates() {
		// A single pod that runs the scheduler or migrates on boot must
		// never overlap with its successor: two schedulers, or two
		// migrations racing. Recreate trades a short outage for that.
		spec.Hostname = s.Sidekiq.Scheduler.Hostname
		strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}

	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: d.releaseMeta(d.webName(), componentWeb, StageApp),
		Spec: appsv1.DeploymentSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: d.selectorLabels(componentWeb)},
			Strategy:             strategy,
			RevisionHistoryLimit: ptr.To(int32(5)),
			Template:             corev1.PodTemplateSpec{ObjectMeta: d.podMeta(componentWeb), Spec: spec},
		},
	}
	// An autoscaled Deployment has no replicas field: with one, every Flux
	// reconcile resets the HPA's choice.
	if !*s.Web.Autoscaling.Enabled {
		dep.Spec.Replicas = s.Web.Replicas
	}
	if s.Uploads.Store == v1alpha1.UploadsVolume {
		// The one exception to restricted besides the upstream web
		// container itself, said where a reviewer sees it.
		dep.Annotations[waiverPrefix+"restricted"] = "init container own-uploads runs as root with CHOWN alone, to hand a fresh uploads volume to discourse:www-data (upstream's boot chowns only a missing directory); the namespace enforces baseline, which allows it"
	}
	return dep
}

// uploadsDir is where the image expects local uploads.
const uploadsDir = sharedDir + "/uploads"

// ownUploadsContainer hands the uploads volume to discourse:www-data.
// Upstream's boot changes the owner only when the directory is missing
// (discourse_docker templates/web.template.yml, 00-ensure-links: if [[ !
// -d /shared/uploads ]]; then mkdir ...; chown -R discourse:www-data), but
// a freshly provisioned volume's root exists and belongs to root, so
// Unicorn could not write a single upload. Only the top directory: files
// below it are created by Unicorn as discourse already. It runs as root
// with CHOWN alone, which the baseline Pod Security level allows.
func (d *site) ownUploadsContainer(uploads corev1.VolumeMount) corev1.Container {
	return corev1.Container{
		Name:    "own-uploads",
		Image:   d.imageRef(),
		Command: []string{"chown", fmt.Sprintf("%d:%d", discourseUID, wwwDataGID), uploads.MountPath},
		SecurityContext: &corev1.SecurityContext{
			RunAsUser:      ptr.To(int64(0)),
			Capabilities:   &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"CHOWN"}},
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Resources:    smallResources(),
		VolumeMounts: []corev1.VolumeMount{uploads},
	}
}

// webLogFiles are the files the web pod's Ruby processes write. In
// production Unicorn points its own stdout and stderr at files under log/
// (discourse/discourse config/unicorn.conf.rb: stdout_path and
// stderr_path), and the Sidekiq processes it forks inherit them; log/ is
// /shared/log/rails in the image. So nothing the app says reaches the
// container log unless something copies it there.
var webLogFiles = []string{"unicorn.stdout.log", "unicorn.stderr.log", "production.log", "sidekiq.log"}

// logStreamContainer copies the web pod's application log to a container's
// stdout, so `kubectl logs <pod> -c app-log` and the cluster's log pipeline
// see it. It is a native sidecar (an init container that keeps running):
// it starts before the web container and stops after it, so no line of a
// start or a shutdown is lost. tail -F follows a file across logrotate's
// rename or truncation and waits for files that do not exist yet.
func (d *site) logStreamContainer(shared corev1.VolumeMount) corev1.Container {
	files := make([]string, len(webLogFiles))
	for i, f := range webLogFiles {
		files[i] = `"$LOG_DIR/` + f + `"`
	}
	shared.ReadOnly = true
	return corev1.Container{
		Name:            "app-log",
		Image:           d.imageRef(),
		RestartPolicy:   ptr.To(corev1.ContainerRestartPolicyAlways),
		Command:         []string{"sh", "-c", "exec tail -n +1 -q -F " + strings.Join(files, " ")},
		Env:             []corev1.EnvVar{{Name: "LOG_DIR", Value: railsLogDir}},
		Resources:       smallResources(),
		SecurityContext: asDiscourse(),
		VolumeMounts:    []corev1.VolumeMount{shared},
	}
}

// webService is the ClusterIP Service the Ingress routes to.
func (d *site) webService() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: d.objectMeta(d.webName(), componentWeb, StageApp),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: d.selectorLabels(componentWeb),
			Ports: []corev1.ServicePort{{
				Name: "http", Port: webPort, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
}

// uploadsClaim is the ReadWriteOnce volume for uploads when there is no S3.
// It lives in the data stage and Flux never prunes it: uploads are data.
func (d *site) uploadsClaim() *corev1.PersistentVolumeClaim {
	v := &d.Spec.Uploads.Volume
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: d.objectMeta(d.uploadsClaimName(), componentWeb, StageData),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: *v.Size}},
		},
	}
	if v.StorageClass != "" {
		pvc.Spec.StorageClassName = ptr.To(v.StorageClass)
	}
	pvc.Annotations[annotationFluxPrune] = "disabled"
	return pvc
}
