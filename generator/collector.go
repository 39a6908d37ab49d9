package generator

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// collectorStart runs the discourse-prometheus collector on its own, as a
// sidecar of a Sidekiq or scheduler pod. Every Rails process of the plugin
// reports to a collector on localhost (its client's host is fixed), but
// only a Unicorn master starts one (lib/collector_demon.rb, from
// config/unicorn.conf.rb), and these pods run `sidekiq` directly, so
// without a sidecar their job metrics go nowhere. Sidekiq's job
// middleware still reports each job it runs to localhost:9405
// (config/initializers/100-sidekiq.rb, :sidekiq_job_ran), which is this
// container, in the same network namespace.
//
// bin/collector takes <port> <bind> [parent pid] [pid file]. No parent
// pid: its watchdog would stop it unless a pid file held its own pid; the
// kubelet stops it with the pod instead. It loads the prometheus_exporter
// gem the plugin installed, by the version in PROMETHEUS_EXPORTER_VERSION,
// which collector_demon.rb sets from the loaded gem; here it is read from
// the installed gem's specification (bin/collector loads
// gems/<RUBY_VERSION>/specifications/prometheus_exporter-<version>.gemspec),
// so an image with another version of the plugin works too. $VAR, not
// ${VAR}: Flux's strict postBuild substitution rejects the braces.
const collectorStart = `cd plugins/discourse-prometheus || { echo "collector: the image has no plugins/discourse-prometheus; set spec.monitoring.discoursePrometheus to false" >&2; exit 1; }
PROMETHEUS_EXPORTER_VERSION=$(ruby -e 'spec = Dir["gems/#{RUBY_VERSION}/specifications/prometheus_exporter-*.gemspec"].min or abort "collector: no prometheus_exporter gem under plugins/discourse-prometheus/gems/#{RUBY_VERSION}: the plugin was not installed when the image was built"
print File.basename(spec, ".gemspec").delete_prefix("prometheus_exporter-")') || exit 1
export PROMETHEUS_EXPORTER_VERSION
cd ../..
exec bundle exec ruby plugins/discourse-prometheus/bin/collector "$COLLECTOR_PORT" 0.0.0.0`

// collectorContainer is the discourse-prometheus collector beside Sidekiq.
// No probes: the pod has no Service, and a failing collector must not
// hold up a rollout of the workers.
func (d *site) collectorContainer() corev1.Container {
	s := &d.Spec
	c := corev1.Container{
		Name:            "collector",
		Image:           d.imageRef(),
		ImagePullPolicy: s.Image.PullPolicy,
		Command:         []string{"sh", "-c", collectorStart},
		WorkingDir:      appRoot,
		Env:             []corev1.EnvVar{{Name: "COLLECTOR_PORT", Value: itoa(metricsPort)}},
		Ports:           []corev1.ContainerPort{{Name: metricsPortName, ContainerPort: metricsPort, Protocol: corev1.ProtocolTCP}},
		// One Ruby process that aggregates the metrics of one pod.
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("20m"),
				corev1.ResourceMemory: resource.MustParse("128Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
		},
		SecurityContext: restrictedContainer(),
	}
	return c
}
