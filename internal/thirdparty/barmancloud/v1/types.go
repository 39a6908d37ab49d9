package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GroupVersion is the apiVersion of ObjectStore.
const GroupVersion = "barmancloud.cnpg.io/v1"

// PluginName is the name a Cluster, ScheduledBackup or external cluster
// uses to select the plugin (plugin-barman-cloud internal/cnpgi/metadata
// PluginName).
const PluginName = "barman-cloud.cloudnative-pg.io"

// ObjectStore is where the plugin archives a cluster's WAL and base
// backups.
type ObjectStore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ObjectStoreSpec `json:"spec"`
}

// ObjectStoreSpec is the store, the retention and the sidecar's settings.
type ObjectStoreSpec struct {
	Configuration BarmanObjectStoreConfiguration `json:"configuration"`
	// RetentionPolicy is barman's "RECOVERY WINDOW OF <n> DAYS|WEEKS|MONTHS"
	// written as <n>d, <n>w or <n>m.
	RetentionPolicy              string                       `json:"retentionPolicy,omitempty"`
	InstanceSidecarConfiguration InstanceSidecarConfiguration `json:"instanceSidecarConfiguration,omitempty"`
}

// BarmanObjectStoreConfiguration is barman-cloud's store configuration.
// There is no server name here: the Cluster passes it as a plugin
// parameter, so one store serves many clusters.
type BarmanObjectStoreConfiguration struct {
	DestinationPath string                   `json:"destinationPath"`
	EndpointURL     string                   `json:"endpointURL,omitempty"`
	S3Credentials   *S3Credentials           `json:"s3Credentials,omitempty"`
	Wal             *WalBackupConfiguration  `json:"wal,omitempty"`
	Data            *DataBackupConfiguration `json:"data,omitempty"`
}

// S3Credentials are Secret references, or the pod's cloud identity.
type S3Credentials struct {
	AccessKeyIDReference     *SecretKeySelector `json:"accessKeyId,omitempty"`
	SecretAccessKeyReference *SecretKeySelector `json:"secretAccessKey,omitempty"`
	InheritFromIAMRole       bool               `json:"inheritFromIAMRole,omitempty"`
}

// SecretKeySelector is one key of a Secret in the same namespace.
type SecretKeySelector struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// WalBackupConfiguration is how WAL segments are archived.
type WalBackupConfiguration struct {
	Compression string `json:"compression,omitempty"`
}

// DataBackupConfiguration is how base backups are taken.
type DataBackupConfiguration struct {
	Compression string `json:"compression,omitempty"`
}

// InstanceSidecarConfiguration configures the plugin's sidecar in every
// instance pod.
type InstanceSidecarConfiguration struct {
	Env       []corev1.EnvVar              `json:"env,omitempty"`
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
}
