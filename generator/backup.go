package generator

import (
	"time"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	barmanv1 "discoursegen.dev/discoursegen/internal/thirdparty/barmancloud/v1"
	cnpgv1 "discoursegen.dev/discoursegen/internal/thirdparty/cnpg/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Backups and restores go through CloudNativePG's Barman Cloud plugin
// v0.7.0 (github.com/cloudnative-pg/plugin-barman-cloud), the way its
// web/docs/usage.md describes: an ObjectStore holds the bucket and the
// credentials, the Cluster's spec.plugins makes the plugin its WAL
// archiver, a ScheduledBackup with method plugin takes the base backups,
// and a recovery reads another cluster's backups through an external
// cluster served by the same plugin.

// backsUp says whether the site archives its database.
func (d *site) backsUp() bool {
	return d.Spec.Postgres.Mode == v1alpha1.DatabaseCNPG && *d.Spec.Postgres.CNPG.Backup.Enabled
}

// backupInterval is the longest gap between two scheduled base backups,
// or zero when the site takes none. Validate has parsed the schedule.
func (d *site) backupInterval() time.Duration {
	if !d.backsUp() {
		return 0
	}
	interval, _ := d.Spec.Postgres.CNPG.Backup.BackupInterval()
	return interval
}

// objectStore is the bucket the cluster archives to and restores from.
// Flux never prunes it: a cluster kept after a rename (Flux does not
// prune databases either) still archives through it.
func (d *site) objectStore() *barmanv1.ObjectStore {
	b := &d.Spec.Postgres.CNPG.Backup
	cfg := barmanv1.BarmanObjectStoreConfiguration{
		DestinationPath: b.DestinationPath,
		EndpointURL:     b.Endpoint,
		S3Credentials:   &barmanv1.S3Credentials{InheritFromIAMRole: *b.Credentials.InheritFromIAMRole},
		Wal:             &barmanv1.WalBackupConfiguration{Compression: b.WALCompression},
		Data:            &barmanv1.DataBackupConfiguration{Compression: b.DataCompression},
	}
	if !*b.Credentials.InheritFromIAMRole {
		cfg.S3Credentials.AccessKeyIDReference = &barmanv1.SecretKeySelector{Name: b.Credentials.SecretName, Key: b.Credentials.AccessKeyIDKey}
		cfg.S3Credentials.SecretAccessKeyReference = &barmanv1.SecretKeySelector{Name: b.Credentials.SecretName, Key: b.Credentials.SecretAccessKeyKey}
	}
	sidecar := barmanv1.InstanceSidecarConfiguration{
		// Set, not left to the plugin: the namespace's ResourceQuota
		// counts this container in every instance pod, and the plugin
		// copies these into the sidecar it injects
		// (internal/cnpgi/operator/lifecycle_resources.go).
		// barman-cloud-wal-archive runs once per WAL segment; a base
		// backup streams and compresses the whole data directory, so the
		// limit leaves room for that.
		Resources: &corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("100m"),
				corev1.ResourceMemory: resource.MustParse("128Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
		},
	}
	if b.Region != "" {
		// The store's s3Credentials.region is a Secret reference only; a
		// region is no secret, so it goes to the sidecar's environment,
		// which the plugin appends to the container it injects
		// (internal/cnpgi/operator/lifecycle_envs.go) and which
		// barman-cloud's boto3 client reads.
		sidecar.Env = []corev1.EnvVar{{Name: "AWS_DEFAULT_REGION", Value: b.Region}}
	}
	store := &barmanv1.ObjectStore{
		TypeMeta:   metav1.TypeMeta{APIVersion: barmanv1.GroupVersion, Kind: "ObjectStore"},
		ObjectMeta: d.objectMeta(d.objectStoreName(), componentDatabase, StageData),
		Spec: barmanv1.ObjectStoreSpec{
			Configuration:                cfg,
			RetentionPolicy:              b.Retention,
			InstanceSidecarConfiguration: sidecar,
		},
	}
	keepOnPrune(&store.ObjectMeta)
	return store
}

// walArchiver makes the plugin archive the cluster's WAL into the store,
// under the cluster's own name. The name is explicit although it is the
// plugin's default: a restored cluster must never write under the name of
// the cluster it came from.
func (d *site) walArchiver() cnpgv1.PluginConfiguration {
	return cnpgv1.PluginConfiguration{
		Name:          barmanv1.PluginName,
		IsWALArchiver: ptr.To(true),
		Parameters: map[string]string{
			"barmanObjectName": d.objectStoreName(),
			"serverName":       d.databaseClusterName(),
		},
	}
}

// scheduledBackup takes the base backups. immediate: a new cluster gets
// its first base backup at once, so a point-in-time recovery is possible
// from the start rather than from the first scheduled run.
func (d *site) scheduledBackup() *cnpgv1.ScheduledBackup {
	return &cnpgv1.ScheduledBackup{
		TypeMeta:   metav1.TypeMeta{APIVersion: cnpgv1.GroupVersion, Kind: "ScheduledBackup"},
		ObjectMeta: d.objectMeta(d.databaseClusterName(), componentDatabase, StageData),
		Spec: cnpgv1.ScheduledBackupSpec{
			Schedule: d.Spec.Postgres.CNPG.Backup.Schedule,
			Cluster:  cnpgv1.LocalObjectReference{Name: d.databaseClusterName()},
			// Each Backup object belongs to this schedule; the backups
			// themselves live in the bucket under the store's retention.
			BackupOwnerReference: "self",
			// CloudNativePG defaults the method to barmanObjectStore,
			// which the plugin does not serve (usage.md).
			Method:              cnpgv1.BackupMethodPlugin,
			PluginConfiguration: &cnpgv1.BackupPluginConfiguration{Name: barmanv1.PluginName},
			Immediate:           ptr.To(true),
		},
	}
}

// recover bootstraps the cluster from another cluster's backups in the
// same store. The external cluster's serverName must be the source's: in
// a recovery the plugin would default it to the new cluster's name
// (web/docs/usage.md), where there is nothing to restore.
func (d *site) recover(spec *cnpgv1.ClusterSpec) {
	s := &d.Spec
	r := s.Postgres.CNPG.Restore
	recovery := &cnpgv1.BootstrapRecovery{
		Source:   r.ServerName,
		Database: s.Postgres.Database,
		Owner:    s.Postgres.Username,
	}
	if r.TargetTime != "" {
		recovery.RecoveryTarget = &cnpgv1.RecoveryTarget{TargetTime: r.TargetTime}
	}
	spec.Bootstrap = &cnpgv1.BootstrapConfiguration{Recovery: recovery}
	spec.ExternalClusters = []cnpgv1.ExternalCluster{{
		Name: r.ServerName,
		Plugin: &cnpgv1.PluginConfiguration{
			Name: barmanv1.PluginName,
			Parameters: map[string]string{
				"barmanObjectName": d.objectStoreName(),
				"serverName":       r.ServerName,
			},
		},
	}}
}
