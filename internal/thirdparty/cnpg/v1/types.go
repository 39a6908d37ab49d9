package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GroupVersion is the apiVersion of every kind in this package.
const GroupVersion = "postgresql.cnpg.io/v1"

// Labels the operator puts on the pods it manages (pkg/utils/
// labels_annotations.go, outside api/v1 upstream); NetworkPolicies select
// on them.
const (
	ClusterLabelName   = "cnpg.io/cluster"
	PgbouncerNameLabel = "cnpg.io/poolerName"
	// PodRoleLabelName tells an instance pod from a pooler pod and from
	// the operator's Job pods (PodRoleInstance, PodRolePooler).
	PodRoleLabelName = "cnpg.io/podRole"
	PodRoleInstance  = "instance"
	PodRolePooler    = "pooler"
)

// Cluster is postgresql.cnpg.io/v1 Cluster.
type Cluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ClusterSpec `json:"spec"`
}

// ClusterSpec is the subset of ClusterSpec discoursegen sets.
type ClusterSpec struct {
	Instances             int32                        `json:"instances"`
	ImageName             string                       `json:"imageName,omitempty"`
	PrimaryUpdateStrategy PrimaryUpdateStrategy        `json:"primaryUpdateStrategy,omitempty"`
	PostgresConfiguration PostgresConfiguration        `json:"postgresql,omitempty"`
	Bootstrap             *BootstrapConfiguration      `json:"bootstrap,omitempty"`
	StorageConfiguration  StorageConfiguration         `json:"storage"`
	WalStorage            *StorageConfiguration        `json:"walStorage,omitempty"`
	Affinity              AffinityConfiguration        `json:"affinity,omitempty"`
	Resources             *corev1.ResourceRequirements `json:"resources,omitempty"`
	PriorityClassName     string                       `json:"priorityClassName,omitempty"`
	// ImagePullSecrets and TopologySpreadConstraints are passed to the
	// instance pods.
	ImagePullSecrets          []LocalObjectReference            `json:"imagePullSecrets,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	// Plugins are CNPG-I plugins the instances load (api/v1
	// cluster_plugins.go PluginConfiguration).
	Plugins []PluginConfiguration `json:"plugins,omitempty"`
	// ExternalClusters are other clusters this one can recover from.
	ExternalClusters []ExternalCluster `json:"externalClusters,omitempty"`
}

// PluginConfiguration enables one CNPG-I plugin for the cluster.
type PluginConfiguration struct {
	Name string `json:"name"`
	// IsWALArchiver makes the plugin archive the WAL; one plugin at most.
	IsWALArchiver *bool             `json:"isWALArchiver,omitempty"`
	Parameters    map[string]string `json:"parameters,omitempty"`
}

// ExternalCluster is a cluster known by name, here the source of a
// recovery, read through a plugin.
type ExternalCluster struct {
	Name   string               `json:"name"`
	Plugin *PluginConfiguration `json:"plugin,omitempty"`
}

// ScheduledBackup takes backups of a Cluster on a schedule.
type ScheduledBackup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ScheduledBackupSpec `json:"spec"`
}

// ScheduledBackupSpec is the subset of ScheduledBackupSpec discoursegen
// sets (api/v1/scheduledbackup_types.go).
type ScheduledBackupSpec struct {
	// Schedule is robfig/cron v1's six-field format, seconds first.
	Schedule string               `json:"schedule"`
	Cluster  LocalObjectReference `json:"cluster"`
	// BackupOwnerReference "self" makes each Backup owned by this object.
	BackupOwnerReference string                     `json:"backupOwnerReference,omitempty"`
	Method               BackupMethod               `json:"method,omitempty"`
	PluginConfiguration  *BackupPluginConfiguration `json:"pluginConfiguration,omitempty"`
	// Immediate takes the first backup when the object is created.
	Immediate *bool `json:"immediate,omitempty"`
}

// BackupMethod is how a backup is taken.
type BackupMethod string

// BackupMethodPlugin delegates the backup to a CNPG-I plugin.
const BackupMethodPlugin BackupMethod = "plugin"

// BackupPluginConfiguration names the plugin that takes the backup.
type BackupPluginConfiguration struct {
	Name       string            `json:"name"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// PrimaryUpdateStrategy says who triggers the switchover of a primary.
type PrimaryUpdateStrategy string

// PrimaryUpdateStrategyUnsupervised lets the operator switch over to an
// updated replica on its own.
const PrimaryUpdateStrategyUnsupervised PrimaryUpdateStrategy = "unsupervised"

// PostgresConfiguration holds postgresql.conf parameters.
type PostgresConfiguration struct {
	Parameters map[string]string `json:"parameters,omitempty"`
}

// BootstrapConfiguration is how the first instance is created.
type BootstrapConfiguration struct {
	InitDB   *BootstrapInitDB   `json:"initdb,omitempty"`
	Recovery *BootstrapRecovery `json:"recovery,omitempty"`
}

// BootstrapRecovery creates the cluster from an external cluster's
// backups and WAL archive.
type BootstrapRecovery struct {
	// Source names an ExternalCluster.
	Source string `json:"source,omitempty"`
	// Database and Owner are the application database and its owner; the
	// operator refreshes the owner's password Secret after the recovery.
	Database       string          `json:"database,omitempty"`
	Owner          string          `json:"owner,omitempty"`
	RecoveryTarget *RecoveryTarget `json:"recoveryTarget,omitempty"`
}

// RecoveryTarget is where a point-in-time recovery stops.
type RecoveryTarget struct {
	// TargetTime is a timestamp PostgreSQL accepts (RFC 3339 is one).
	TargetTime string `json:"targetTime,omitempty"`
}

// BootstrapInitDB creates a new cluster with initdb.
type BootstrapInitDB struct {
	Database               string   `json:"database"`
	Owner                  string   `json:"owner"`
	PostInitTemplateSQL    []string `json:"postInitTemplateSQL,omitempty"`
	PostInitApplicationSQL []string `json:"postInitApplicationSQL,omitempty"`
}

// StorageConfiguration is a PVC template of the instances. Size is a
// string upstream too.
type StorageConfiguration struct {
	Size         string  `json:"size"`
	StorageClass *string `json:"storageClass,omitempty"`
}

// The values of AffinityConfiguration.PodAntiAffinityType.
const (
	PodAntiAffinityTypeRequired  = "required"
	PodAntiAffinityTypePreferred = "preferred"
)

// AffinityConfiguration spreads the instances.
type AffinityConfiguration struct {
	EnablePodAntiAffinity *bool               `json:"enablePodAntiAffinity,omitempty"`
	TopologyKey           string              `json:"topologyKey,omitempty"`
	PodAntiAffinityType   string              `json:"podAntiAffinityType,omitempty"`
	NodeSelector          map[string]string   `json:"nodeSelector,omitempty"`
	Tolerations           []corev1.Toleration `json:"tolerations,omitempty"`
	// NodeAffinity and the additional pod (anti-)affinity terms are added
	// to what the operator generates from the fields above.
	NodeAffinity              *corev1.NodeAffinity    `json:"nodeAffinity,omitempty"`
	AdditionalPodAffinity     *corev1.PodAffinity     `json:"additionalPodAffinity,omitempty"`
	AdditionalPodAntiAffinity *corev1.PodAntiAffinity `json:"additionalPodAntiAffinity,omitempty"`
}

// LocalObjectReference names an object in the same namespace (upstream
// re-exports cloudnative-pg/machinery's type).
type LocalObjectReference struct {
	Name string `json:"name"`
}

// Pooler is postgresql.cnpg.io/v1 Pooler.
type Pooler struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PoolerSpec `json:"spec"`
}

// PoolerSpec is the subset of PoolerSpec discoursegen sets.
type PoolerSpec struct {
	Cluster   LocalObjectReference `json:"cluster"`
	Type      PoolerType           `json:"type"`
	Instances *int32               `json:"instances,omitempty"`
	PgBouncer *PgBouncerSpec       `json:"pgbouncer"`
}

// PoolerType is the service a pooler fronts.
type PoolerType string

// PoolerTypeRW fronts the primary only.
const PoolerTypeRW PoolerType = "rw"

// PgBouncerPoolMode is PgBouncer's pool_mode.
type PgBouncerPoolMode string

// PgBouncerSpec configures the pooler.
type PgBouncerSpec struct {
	PoolMode   PgBouncerPoolMode `json:"poolMode,omitempty"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Database is postgresql.cnpg.io/v1 Database: the operator keeps a
// database's extensions present, also ones added after bootstrap (initdb's
// SQL runs once, at creation).
type Database struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              DatabaseSpec `json:"spec"`
}

// DatabaseSpec is the subset of DatabaseSpec discoursegen sets.
type DatabaseSpec struct {
	ClusterRef    LocalObjectReference  `json:"cluster"`
	Name          string                `json:"name"`
	Owner         string                `json:"owner"`
	ReclaimPolicy DatabaseReclaimPolicy `json:"databaseReclaimPolicy"`
	Extensions    []ExtensionSpec       `json:"extensions,omitempty"`
}

// DatabaseReclaimPolicy is what deleting the Database object does.
type DatabaseReclaimPolicy string

// DatabaseReclaimRetain leaves the database in place when the object goes.
const DatabaseReclaimRetain DatabaseReclaimPolicy = "retain"

// ExtensionSpec declares one extension. Upstream embeds
// DatabaseObjectSpec{Name, Ensure}; the JSON is the same.
type ExtensionSpec struct {
	Name   string       `json:"name"`
	Ensure EnsureOption `json:"ensure"`
}

// EnsureOption says whether an object must exist.
type EnsureOption string

// EnsurePresent creates the object when it is missing.
const EnsurePresent EnsureOption = "present"
