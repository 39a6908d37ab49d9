package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"
)

// runsScheduler says whether a Sidekiq container of w starts MiniScheduler,
// which Discourse does when UNICORN_SCHEDULER_HOSTNAME is unset or lists
// the process's hostname (discourse/discourse
// config/initializers/100-sidekiq.rb: if !scheduler_hostname ||
// scheduler_hostname.split(",").include?(Discourse.os_hostname)). A pod's
// hostname is spec.hostname when set, else its name: random for a
// Deployment's pods, <name>-<ordinal> for a StatefulSet's.
func runsScheduler(w *workload, v envValue) bool {
	if !v.set {
		return true
	}
	listed := strings.Split(v.value, ",")
	if w.pod.Hostname != "" {
		return slices.Contains(listed, w.pod.Hostname)
	}
	if w.kind == "StatefulSet" {
		// Parse the listed names rather than enumerate the ordinals: a
		// replica count is the input's to choose.
		for _, host := range listed {
			ordinal, ok := strings.CutPrefix(host, w.ref.Name+"-")
			n, err := strconv.ParseInt(ordinal, 10, 32)
			if ok && err == nil && n >= 0 && int32(n) < w.ceiling() && strconv.FormatInt(n, 10) == ordinal {
				return true
			}
		}
	}
	return false
}

func checkSingleScheduler(s *site) []Finding {
	var fs []Finding
	var runners, sidekiqs []*workload
	for _, w := range s.workloads {
		if w.job != nil {
			continue
		}
		for i := range w.pod.Containers {
			c := &w.pod.Containers[i]
			if s.sidekiqs(w, c) == 0 {
				continue
			}
			sidekiqs = append(sidekiqs, w)
			v := s.env(w, c, "UNICORN_SCHEDULER_HOSTNAME")
			field := fmt.Sprintf("%s.containers[%d].env", w.podField, i)
			switch {
			case v.set && !v.literal:
				fs = append(fs, Finding{Object: w.ref, Field: field,
					Message: "UNICORN_SCHEDULER_HOSTNAME comes from a Secret or field reference, so nobody can tell from the manifests which pod runs the Sidekiq scheduler; write it as a value"})
			case runsScheduler(w, v):
				if !v.set {
					fs = append(fs, Finding{Object: w.ref, Field: field,
						Message: fmt.Sprintf("container %s runs Sidekiq without UNICORN_SCHEDULER_HOSTNAME, so every one of its pods starts the scheduler; set it to a value no hostname has, such as scheduler_runs_elsewhere", c.Name)})
				}
				if !slices.Contains(runners, w) {
					runners = append(runners, w)
				}
			}
		}
	}
	if len(sidekiqs) > 0 && len(runners) == 0 {
		fs = append(fs, Finding{Object: sidekiqs[0].ref,
			Message: "no pod runs the Sidekiq scheduler: no Sidekiq pod's hostname is in its UNICORN_SCHEDULER_HOSTNAME, so scheduled jobs (digests, cleanups, backups) never run; give one single-replica Deployment a fixed spec.template.spec.hostname equal to its UNICORN_SCHEDULER_HOSTNAME"})
	}
	if len(runners) > 1 {
		names := make([]string, len(runners))
		for i, w := range runners {
			names[i] = w.ref.Name
		}
		for _, w := range runners {
			fs = append(fs, Finding{Object: w.ref,
				Message: fmt.Sprintf("runs the Sidekiq scheduler, and so do %d workloads in all (%s): every scheduled job runs once per scheduler; exactly one may", len(runners), strings.Join(names, ", "))})
		}
	}
	for _, w := range runners {
		if n := w.maxPods(); n > 1 {
			field := "spec.replicas"
			if w.scaler != nil {
				field = ""
			}
			fs = append(fs, Finding{Object: w.ref, Field: field,
				Message: fmt.Sprintf("runs the Sidekiq scheduler in up to %d pods at once (%s): every scheduled job would run in each of them; the scheduler needs exactly 1 replica, no autoscaler and the Recreate strategy", n, podCount(w))})
		}
		if w.kind == "Deployment" && !w.recreate {
			fs = append(fs, Finding{Object: w.ref, Field: "spec.strategy.type",
				Message: "runs the Sidekiq scheduler with a RollingUpdate: the new pod starts while the old one is still running its jobs, so both schedule; use Recreate"})
		}
		if w.kind == "Deployment" && w.pod.Hostname == "" {
			fs = append(fs, Finding{Object: w.ref, Field: w.podField + ".hostname",
				Message: "runs the Sidekiq scheduler without a fixed hostname; set spec.template.spec.hostname and the same value in UNICORN_SCHEDULER_HOSTNAME, so that exactly this pod schedules"})
		}
	}
	return fs
}

// podCount explains maxPods.
func podCount(w *workload) string {
	var parts []string
	switch {
	case w.job != nil:
		parts = append(parts, fmt.Sprintf("parallelism %d", w.ceiling()))
	case w.scaler != nil:
		parts = append(parts, fmt.Sprintf("%s max %d", w.scaler.ref, w.scaler.max))
	default:
		parts = append(parts, fmt.Sprintf("%d replicas", w.ceiling()))
	}
	if n := w.surge(); n > 0 {
		parts = append(parts, fmt.Sprintf("+ %d rollout surge", n))
	}
	return strings.Join(parts, " ")
}

// bootTaskOn says whether a boot variable is on for a container. The
// upstream unicorn run script runs db:migrate when MIGRATE_ON_BOOT = "1"
// and assets:precompile when PRECOMPILE_ON_BOOT = "1", and treats an
// unset PRECOMPILE_ON_BOOT as 1 (discourse_docker
// templates/web.template.yml, /etc/service/unicorn/run); only a container
// that runs the image's /sbin/boot goes through that script.
func (s *site) bootTaskOn(w *workload, c *corev1.Container, name string) bool {
	v := s.env(w, c, name)
	if v.set {
		return v.literal && strings.TrimSpace(v.value) == "1"
	}
	return name == "PRECOMPILE_ON_BOOT" && runsBoot(c)
}

// runsBoot says whether a container starts the image's runit /sbin/boot:
// its command says so, or it sets none and the upstream image's default
// runs it.
func runsBoot(c *corev1.Container) bool {
	return len(c.Command) == 0 && len(c.Args) == 0 || len(c.Command) > 0 && c.Command[0] == "/sbin/boot"
}

func checkBootTasks(s *site) []Finding {
	var total int32
	var counts []string
	for _, w := range s.workloads {
		if _, ok := s.discourse(w); ok {
			total += w.maxPods()
			counts = append(counts, fmt.Sprintf("%s %s: %s", w.kind, w.ref.Name, podCount(w)))
		}
	}
	if total <= 1 {
		return nil
	}
	var fs []Finding
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			if s.roleOf(w, fc.c) == roleNone {
				continue
			}
			for _, name := range []string{"MIGRATE_ON_BOOT", "PRECOMPILE_ON_BOOT"} {
				if s.bootTaskOn(w, fc.c, name) {
					fs = append(fs, Finding{Object: w.ref, Field: fc.field + ".env",
						Message: fmt.Sprintf("container %s has %s on, but up to %d Discourse pods can run at once (%s): each would run its boot task at the same time as the others; set %s=0 and run the task in the migration Job", fc.c.Name, name, total, strings.Join(counts, "; "), name)})
				}
			}
		}
	}
	return fs
}

func checkAutoscaling(s *site) []Finding {
	var fs []Finding
	for _, w := range s.workloads {
		if w.scaler == nil {
			continue
		}
		if w.replicas != nil {
			fs = append(fs, Finding{Object: w.ref, Field: "spec.replicas",
				Message: fmt.Sprintf("is set to %d while %s owns the count: every Flux reconcile resets it, undoing the autoscaler; remove spec.replicas", *w.replicas, w.scaler.ref)})
		}
		if w.scaler.min > w.scaler.max {
			fs = append(fs, Finding{Object: w.scaler.ref,
				Message: fmt.Sprintf("its minimum (%d) is above its maximum (%d)", w.scaler.min, w.scaler.max)})
		}
	}
	return fs
}

func checkDisruptionBudget(s *site) []Finding {
	var fs []Finding
	for _, p := range s.pdbs {
		sel, err := metav1.LabelSelectorAsSelector(p.v.Spec.Selector)
		if err != nil || p.v.Spec.Selector == nil {
			fs = append(fs, Finding{Object: p.obj.Ref, Field: "spec.selector", Message: "has no valid selector, so it protects nothing"})
			continue
		}
		for _, w := range s.workloads {
			if w.job != nil || w.ref.Namespace != p.obj.Ref.Namespace || !sel.Matches(labels.Set(w.podMeta.Labels)) {
				continue
			}
			if w.ceiling() <= 1 {
				fs = append(fs, Finding{Object: p.obj.Ref,
					Message: fmt.Sprintf("selects %s %s, which runs a single pod: a budget either blocks every drain of its node or allows the only pod's eviction; remove it", w.kind, w.ref.Name)})
				continue
			}
			floor := w.floor()
			if floor < 1 {
				continue
			}
			allowed, field := int32(0), ""
			switch {
			case p.v.Spec.MaxUnavailable != nil:
				field = "spec.maxUnavailable"
				n, err := intstr.GetScaledValueFromIntOrPercent(p.v.Spec.MaxUnavailable, int(floor), true)
				if err == nil {
					allowed = int32(n)
				}
			case p.v.Spec.MinAvailable != nil:
				field = "spec.minAvailable"
				n, err := intstr.GetScaledValueFromIntOrPercent(p.v.Spec.MinAvailable, int(floor), true)
				if err == nil {
					allowed = floor - int32(n)
				}
			default:
				continue
			}
			if allowed < 1 {
				fs = append(fs, Finding{Object: p.obj.Ref, Field: field,
					Message: fmt.Sprintf("allows %d evictions of %s %s at its minimum scale of %d pods: node drains and cluster upgrades wait forever; allow at least one", max(allowed, 0), w.kind, w.ref.Name, floor)})
			}
		}
	}
	return fs
}

// Boot budgets a startupProbe must cover, in seconds. Discourse boots Rails
// before it answers /srv/status or beats in Redis; with boot tasks on, the
// upstream run script migrates and precompiles first. Bitnami users saw
// 7 to 15 minute starts (bitnami/charts#4912).
const (
	bootSeconds          = 300
	bootSecondsWithTasks = 600
)

func checkStartupProbe(s *site) []Finding {
	var fs []Finding
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			c := fc.c
			if c.LivenessProbe == nil {
				continue
			}
			if c.StartupProbe == nil {
				fs = append(fs, Finding{Object: w.ref, Field: fc.field + ".startupProbe",
					Message: fmt.Sprintf("container %s has a livenessProbe and no startupProbe: the liveness probe starts at once and kills a pod that is still starting; add a startupProbe that covers the boot", c.Name)})
				continue
			}
			if s.roleOf(w, c) == roleNone || s.roleOf(w, c) == roleRake {
				continue
			}
			need := int32(bootSeconds)
			if s.bootTaskOn(w, c, "MIGRATE_ON_BOOT") || s.bootTaskOn(w, c, "PRECOMPILE_ON_BOOT") {
				need = bootSecondsWithTasks
			}
			if got := probeBudget(c.StartupProbe); got < need {
				fs = append(fs, Finding{Object: w.ref, Field: fc.field + ".startupProbe",
					Message: fmt.Sprintf("container %s's startupProbe gives up after %d s (initialDelaySeconds + failureThreshold x periodSeconds), less than the %d s a Discourse boot can take; raise failureThreshold", c.Name, got, need)})
			}
		}
	}
	return fs
}

// probeBudget is how long a probe waits before it fails the container,
// with the API's defaults (periodSeconds 10, failureThreshold 3).
func probeBudget(p *corev1.Probe) int32 {
	period, threshold := p.PeriodSeconds, p.FailureThreshold
	if period == 0 {
		period = 10
	}
	if threshold == 0 {
		threshold = 3
	}
	return p.InitialDelaySeconds + period*threshold
}

func checkResources(s *site) []Finding {
	var fs []Finding
	for _, w := range s.workloads {
		for _, fc := range w.containers() {
			r := fc.c.Resources
			var missing []string
			if _, ok := r.Requests[corev1.ResourceCPU]; !ok {
				missing = append(missing, "requests.cpu")
			}
			if _, ok := r.Requests[corev1.ResourceMemory]; !ok {
				missing = append(missing, "requests.memory")
			}
			if _, ok := r.Limits[corev1.ResourceMemory]; !ok {
				missing = append(missing, "limits.memory")
			}
			if len(missing) > 0 {
				fs = append(fs, Finding{Object: w.ref, Field: fc.field + ".resources",
					Message: fmt.Sprintf("container %s has no %s: without requests the scheduler overcommits the node, without a memory limit one leak starves every pod on it", fc.c.Name, strings.Join(missing, ", "))})
			}
		}
	}
	return fs
}

// psaEvaluator is Kubernetes' own Pod Security admission check.
var psaEvaluator = func() psapolicy.Evaluator {
	e, err := psapolicy.NewEvaluator(psapolicy.DefaultChecks())
	if err != nil {
		panic(err) // the built-in checks are static
	}
	return e
}()

// upstreamWeb says whether a container is the upstream Discourse web
// container: it runs the image's /sbin/boot, whose runit, su and nginx on
// :80 need root, so it can meet baseline at best.
func (s *site) upstreamWeb(w *workload, c *corev1.Container) bool {
	return s.roleOf(w, c) == roleWeb && runsBoot(c)
}

func checkPodSecurity(s *site) []Finding {
	var fs []Finding
	for _, w := range s.workloads {
		if ns := s.namespaces[w.ref.Namespace]; ns != nil {
			if lv, ok := enforced(ns); ok {
				res := psapolicy.AggregateCheckResults(psaEvaluator.EvaluatePod(lv, &w.podMeta, &w.pod))
				if !res.Allowed {
					fs = append(fs, Finding{Object: w.ref, Field: w.podField,
						Message: fmt.Sprintf("namespace %s enforces Pod Security %q and would refuse its pods: %s", ns.Name, lv.Level, res.ForbiddenDetail())})
				}
			}
		}
	}
	return fs
}

func checkRestricted(s *site) []Finding {
	var fs []Finding
	for _, w := range s.workloads {
		// Everything but the upstream web container meets restricted:
		// judge the pod without it.
		pod := w.pod.DeepCopy()
		var exempt []string
		pod.Containers = slices.DeleteFunc(pod.Containers, func(c corev1.Container) bool {
			if s.upstreamWeb(w, &c) {
				exempt = append(exempt, c.Name)
				return true
			}
			return false
		})
		restricted := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
		res := psapolicy.AggregateCheckResults(psaEvaluator.EvaluatePod(restricted, &w.podMeta, pod))
		if !res.Allowed {
			msg := "does not meet Pod Security \"restricted\": " + res.ForbiddenDetail()
			if len(exempt) > 0 {
				msg += fmt.Sprintf(" (the upstream web container %s is exempt; the rest of the pod is not)", strings.Join(exempt, ", "))
			}
			fs = append(fs, Finding{Object: w.ref, Field: w.podField, Message: msg})
		}
	}
	return fs
}

// enforced is the Pod Security level a namespace enforces, from its
// pod-security.kubernetes.io labels.
func enforced(ns *corev1.Namespace) (psaapi.LevelVersion, bool) {
	level, ok := ns.Labels[psaapi.EnforceLevelLabel]
	if !ok {
		return psaapi.LevelVersion{}, false
	}
	lv := psaapi.LevelVersion{Version: psaapi.LatestVersion()}
	l, err := psaapi.ParseLevel(level)
	if err != nil {
		return psaapi.LevelVersion{}, false
	}
	lv.Level = l
	if v, ok := ns.Labels[psaapi.EnforceVersionLabel]; ok {
		if pv, err := psaapi.ParseVersion(v); err == nil {
			lv.Version = pv
		}
	}
	return lv, true
}
