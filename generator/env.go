package generator

import (
	"crypto/sha256"
	"discoursegen.dev/discoursegen/api/v1alpha1"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// noSchedulerHost is UNICORN_SCHEDULER_HOSTNAME for every pod that must not
// run the scheduler. Discourse starts MiniScheduler in a Sidekiq process when
// the variable is unset or lists the pod's hostname, so it must be set, to a
// value no pod can have: Kubernetes hostnames are DNS labels, which never
// contain '_'.
const noSchedulerHost = "scheduler_runs_elsewhere"

// settings returns the non-secret DISCOURSE_* settings shared by every
// Discourse container, as the ConfigMap's data. Names are upstream's
// (discourse_defaults.conf with the DISCOURSE_ prefix), not Bitnami's.
func (d *site) settings() map[string]string {
	s := &d.Spec
	m := map[string]string{
		"RAILS_ENV":                 "production",
		"DISCOURSE_HOSTNAME":        s.Hostname,
		"DISCOURSE_DB_HOST":         d.databaseHost(),
		"DISCOURSE_DB_PORT":         itoa(d.databasePort()),
		"DISCOURSE_DB_NAME":         s.Postgres.Database,
		"DISCOURSE_DB_USERNAME":     s.Postgres.Username,
		"DISCOURSE_DB_POOL":         itoa(*s.Postgres.Pool),
		"DISCOURSE_DB_SOCKET":       "",
		"DISCOURSE_REDIS_HOST":      d.redisHost(),
		"DISCOURSE_REDIS_PORT":      itoa(d.redisPort()),
		"DISCOURSE_SIDEKIQ_WORKERS": itoa(*s.Sidekiq.Concurrency),
		// Upstream web.template's Ruby GC tuning.
		"RUBY_GC_HEAP_GROWTH_MAX_SLOTS":       "40000",
		"RUBY_GC_HEAP_INIT_SLOTS":             "400000",
		"RUBY_GC_HEAP_OLDOBJECT_LIMIT_FACTOR": "1.5",
		"RUBY_GC_HEAP_FREE_SLOTS_MIN_RATIO":   "0.11",
		"RUBY_GC_HEAP_FREE_SLOTS_GOAL_RATIO":  "0.22",
		// Logs go to stdout for the cluster's log pipeline, not /shared/log.
		"RAILS_LOG_TO_STDOUT": "1",
	}
	if *s.Redis.UseTLS {
		m["DISCOURSE_REDIS_USE_SSL"] = "true"
	}
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG && *s.Postgres.CNPG.Instances > 1 {
		// The replicas, so the forum stays readable while the primary
		// fails over: Discourse's rails_failover sends reads to the
		// replica and turns read-only mode on when the primary fails, and
		// back when it returns. Both settings are needed: the railtie
		// skips failover unless replica_host and replica_port are both
		// set (discourse/discourse config/discourse_defaults.conf
		// db_replica_host, db_replica_port; rails_failover
		// lib/rails_failover/active_record/railtie.rb). The -ro Service
		// selects only replicas, and the NetworkPolicies already let
		// Discourse pods reach every instance of the cluster on 5432.
		m["DISCOURSE_DB_REPLICA_HOST"] = d.databaseROService()
		m["DISCOURSE_DB_REPLICA_PORT"] = itoa(postgresPort)
	}
	if d.scrapesDiscourse() {
		// The discourse-prometheus collector binds to localhost by default;
		// Prometheus scrapes it from outside the pod. The NetworkPolicy
		// admits only the monitoring namespace.
		m["DISCOURSE_PROMETHEUS_WEBSERVER_BIND"] = "0.0.0.0"
	}
	if s.SMTP.Address != "" {
		m["DISCOURSE_SMTP_ADDRESS"] = s.SMTP.Address
		m["DISCOURSE_SMTP_PORT"] = itoa(*s.SMTP.Port)
		m["DISCOURSE_SMTP_ENABLE_START_TLS"] = strconv.FormatBool(*s.SMTP.EnableStartTLS)
		if s.SMTP.Username != "" {
			m["DISCOURSE_SMTP_USER_NAME"] = s.SMTP.Username
		}
		if s.SMTP.Domain != "" {
			m["DISCOURSE_SMTP_DOMAIN"] = s.SMTP.Domain
		}
	}
	if len(s.SMTP.DeveloperEmails) > 0 {
		m["DISCOURSE_DEVELOPER_EMAILS"] = strings.Join(s.SMTP.DeveloperEmails, ",")
	}
	if s.CDN.URL != "" {
		m["DISCOURSE_CDN_URL"] = s.CDN.URL
	}
	if s.Uploads.Store == v1alpha1.UploadsS3 {
		m["DISCOURSE_USE_S3"] = "true"
		m["DISCOURSE_S3_BUCKET"] = s.S3.Bucket
		m["DISCOURSE_S3_REGION"] = s.S3.Region
		if s.S3.Endpoint != "" {
			m["DISCOURSE_S3_ENDPOINT"] = s.S3.Endpoint
		}
		if s.S3.CDNURL != "" {
			m["DISCOURSE_S3_CDN_URL"] = s.S3.CDNURL
		}
		if *s.S3.UseIAMProfile {
			m["DISCOURSE_S3_USE_IAM_PROFILE"] = "true"
		}
		if s.S3.BackupBucket != "" {
			m["DISCOURSE_S3_BACKUP_BUCKET"] = s.S3.BackupBucket
			m["DISCOURSE_BACKUP_LOCATION"] = "s3"
		}
	}
	return m
}

// configHash is the checksum annotation of every Discourse pod template:
// the ConfigMap keeps its name (so kustomize patches can target it) and a
// settings change still rolls the pods.
func (d *site) configHash() string {
	return hashJSON(d.settings())[:16]
}

// secretEnv references the user's Secret (and CNPG's generated app Secret)
// key by key. No value ever passes through discoursegen.
func (d *site) secretEnv() []corev1.EnvVar {
	s := &d.Spec
	k := &s.Secrets.Keys
	user := func(name, key string, optional bool) corev1.EnvVar {
		return secretKeyEnv(name, s.Secrets.Name, key, optional)
	}
	env := []corev1.EnvVar{user("DISCOURSE_SECRET_KEY_BASE", k.SecretKeyBase, false)}
	if s.Postgres.Mode == v1alpha1.DatabaseCNPG {
		env = append(env, secretKeyEnv("DISCOURSE_DB_PASSWORD", d.databaseAppSecret(), "password", false))
	} else {
		env = append(env, user("DISCOURSE_DB_PASSWORD", k.DBPassword, false))
	}
	// An external Redis may run without a password; Valkey never does.
	env = append(env, user("DISCOURSE_REDIS_PASSWORD", k.RedisPassword, s.Redis.Mode == v1alpha1.RedisExternal))
	if s.SMTP.Username != "" {
		env = append(env, user("DISCOURSE_SMTP_PASSWORD", k.SMTPPassword, false))
	}
	if s.Uploads.Store == v1alpha1.UploadsS3 && !*s.S3.UseIAMProfile {
		env = append(env,
			user("DISCOURSE_S3_ACCESS_KEY_ID", k.S3AccessKeyID, false),
			user("DISCOURSE_S3_SECRET_ACCESS_KEY", k.S3SecretAccessKey, false))
	}
	// GeoIP lookups are optional upstream; missing keys disable them.
	// Downloads authenticate with the account id and the license key
	// together (discourse/discourse lib/discourse_ip_info.rb).
	env = append(env,
		user("DISCOURSE_MAXMIND_ACCOUNT_ID", k.MaxmindAccountID, true),
		user("DISCOURSE_MAXMIND_LICENSE_KEY", k.MaxmindLicenseKey, true))
	return env
}

func secretKeyEnv(name, secret, key string, optional bool) corev1.EnvVar {
	ref := &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key}
	if optional {
		ref.Optional = &optional
	}
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: ref}}
}

// processEnv is what differs between Discourse workloads: how many Unicorn
// and Sidekiq processes run, whether this pod may run the scheduler, and
// whether it migrates on boot.
type processEnv struct {
	unicornWorkers   int32
	sidekiqs         int32
	schedulerHost    string
	migrateOnBoot    bool
	precompileOnBoot bool
	// directRuby is a container that runs Ruby itself rather than through
	// the image's /sbin/boot, whose run scripts preload jemalloc.
	directRuby bool
}

// discourseEnv assembles a Discourse container's env: process knobs, then
// secrets, then the user's extras. The settings come from the ConfigMap via
// envFrom; `env` wins over envFrom, which lets the migration Job point
// DISCOURSE_DB_HOST at the primary.
func (d *site) discourseEnv(p processEnv, extra ...corev1.EnvVar) []corev1.EnvVar {
	env := []corev1.EnvVar{
		{Name: "UNICORN_WORKERS", Value: itoa(p.unicornWorkers)},
		{Name: "UNICORN_SIDEKIQS", Value: itoa(p.sidekiqs)},
		{Name: "UNICORN_SCHEDULER_HOSTNAME", Value: p.schedulerHost},
		{Name: "MIGRATE_ON_BOOT", Value: boolEnv(p.migrateOnBoot)},
		{Name: "PRECOMPILE_ON_BOOT", Value: boolEnv(p.precompileOnBoot)},
	}
	if p.directRuby {
		env = append(env, corev1.EnvVar{Name: "LD_PRELOAD", Value: jemalloc})
	}
	env = append(env, extra...)
	env = append(env, d.secretEnv()...)
	return append(env, d.Spec.Env...)
}

func (d *site) envFrom() []corev1.EnvFromSource {
	return []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: d.configMapName()},
	}}}
}

func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func itoa(i int32) string { return strconv.FormatInt(int64(i), 10) }

// hashJSON is a stable hash: encoding/json sorts map keys.
func hashJSON(v any) string {
	// Only maps of strings and API structs reach here, and both always
	// marshal; the error is impossible, not ignored.
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
