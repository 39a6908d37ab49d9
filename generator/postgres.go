package generator

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The CNPG types below mirror postgresql.cnpg.io/v1 of CloudNativePG
// v1.27.4 (api/v1/cluster_types.go, pooler_types.go, database_types.go),
// reduced to the fields discoursegen sets. The operator module is not
// imported: it would drag controller-runtime into every user of the
// library, and the output is checked against the real CRD schema anyway.

// Labels CNPG puts on the pods it manages; NetworkPolicies select on them.
const (
	cnpgClusterLabel = "cnpg.io/cluster"
	cnpgPoolerLabel  = "cnpg.io/poolerName"
)

// baseExtensions are the extensions Discourse's own migrations enable:
// hstore, pg_trgm and unaccent by core, and vector by the bundled
// discourse-ai plugin (discourse/discourse
// plugins/discourse-ai/db/migrate/20230710171141_enable_pg_vector_extension.rb).
// pgvector is not a trusted extension (pgvector/pgvector vector.control has
// no "trusted = true"), so the app owner, who is not a superuser, cannot
// create it and db:migrate fails. Upstream's own database template creates
// them as superuser in template1 and in the app database
// (discourse/discourse_docker templates/postgres.template.yml: psql
// template1 -c "create extension if not exists vector;" and the same for
// $db_name); CNPG's postInit*SQL runs as superuser, so the cluster does the
// same. template1 too, so that a database created or restored later has
// them.
var baseExtensions = []string{"hstore", "pg_trgm", "unaccent", "vector"}

// PostgresCluster is postgresql.cnpg.io/v1 Cluster.
type PostgresCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PostgresClusterSpec `json:"spec"`
}

// PostgresClusterSpec is the subset of CNPG's ClusterSpec discoursegen sets.
type PostgresClusterSpec struct {
	Instances             int32                        `json:"instances"`
	ImageName             string                       `json:"imageName,omitempty"`
	PrimaryUpdateStrategy string                       `json:"primaryUpdateStrategy,omitempty"`
	PostgreSQL            PostgresConfiguration        `json:"postgresql,omitempty"`
	Bootstrap             *Bootstrap                   `json:"bootstrap,omitempty"`
	Storage               StorageConfiguration         `json:"storage"`
	WALStorage            *StorageConfiguration        `json:"walStorage,omitempty"`
	Affinity              AffinityConfiguration        `json:"affinity,omitempty"`
	Resources             *corev1.ResourceRequirements `json:"resources,omitempty"`
	PriorityClassName     string                       `json:"priorityClassName,omitempty"`
	// ImagePullSecrets and TopologySpreadConstraints are passed to the
	// instance pods.
	ImagePullSecrets          []LocalRef                        `json:"imagePullSecrets,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
}

// PostgresConfiguration holds postgresql.conf parameters.
type PostgresConfiguration struct {
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Bootstrap is how the first instance is created.
type Bootstrap struct {
	InitDB *BootstrapInitDB `json:"initdb,omitempty"`
}

// BootstrapInitDB creates a new cluster with initdb.
type BootstrapInitDB struct {
	Database               string   `json:"database"`
	Owner                  string   `json:"owner"`
	PostInitTemplateSQL    []string `json:"postInitTemplateSQL,omitempty"`
	PostInitApplicationSQL []string `json:"postInitApplicationSQL,omitempty"`
}

// StorageConfiguration is a PVC template of the instances.
type StorageConfiguration struct {
	Size         string  `json:"size"`
	StorageClass *string `json:"storageClass,omitempty"`
}

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

// PostgresPooler is postgresql.cnpg.io/v1 Pooler.
type PostgresPooler struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PostgresPoolerSpec `json:"spec"`
}

// PostgresPoolerSpec is the subset of CNPG's PoolerSpec discoursegen sets.
type PostgresPoolerSpec struct {
	Cluster   LocalRef  `json:"cluster"`
	Type      string    `json:"type"`
	Instances *int32    `json:"instances,omitempty"`
	PgBouncer PgBouncer `json:"pgbouncer"`
}

// PgBouncer configures the pooler.
type PgBouncer struct {
	PoolMode   string            `json:"poolMode,omitempty"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// LocalRef names an object in the same namespace.
type LocalRef struct {
	Name string `json:"name"`
}

// PostgresDatabase is postgresql.cnpg.io/v1 Database: the operator keeps the app
// database's extensions present, also ones added after bootstrap (initdb's
// SQL runs once, at creation).
type PostgresDatabase struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              PostgresDatabaseSpec `json:"spec"`
}

// PostgresDatabaseSpec is the subset of CNPG's DatabaseSpec discoursegen sets.
type PostgresDatabaseSpec struct {
	Cluster LocalRef `json:"cluster"`
	Name    string   `json:"name"`
	Owner   string   `json:"owner"`
	// DatabaseReclaimPolicy retain: deleting the object never drops data.
	DatabaseReclaimPolicy string          `json:"databaseReclaimPolicy"`
	Extensions            []ExtensionSpec `json:"extensions,omitempty"`
}

// ExtensionSpec declares one extension.
type ExtensionSpec struct {
	Name   string `json:"name"`
	Ensure string `json:"ensure"`
}

// extensions are the base extensions plus the user's, in a fixed order.
func (d *Discourse) extensions() []string {
	return append(slices.Clone(baseExtensions), d.Spec.Postgres.CNPG.ExtraExtensions...)
}

// connectionFormula explains requiredConnections in an error message.
func (d *Discourse) connectionFormula() string {
	s := &d.Spec
	return fmt.Sprintf("pool %d x (web %d pods x %d processes + workers %d + scheduler 1 + migration 1) + %d reserved",
		*s.Postgres.Pool, d.webMaxReplicas(), d.webProcesses(), d.workerMaxReplicas(), reservedConnections)
}

// reservedConnections covers superuser_reserved_connections, the replicas'
// streaming connections, CNPG's own and an operator's psql session.
const reservedConnections = 20

// requiredConnections is the pool-size formula: every Rails process (each
// Unicorn worker, each Sidekiq process) may open DISCOURSE_DB_POOL
// connections, at the largest scale the autoscalers allow. PgBouncer in
// session mode holds a server connection per client, so a pooler does not
// lower this.
func (d *Discourse) requiredConnections() int32 {
	s := &d.Spec
	processes := d.webMaxReplicas()*d.webProcesses() + d.workerMaxReplicas() + 2
	return *s.Postgres.Pool*processes + reservedConnections
}

// maxConnections rounds the requirement up to a multiple of 10, unless the
// user set it (Validate has checked that it fits).
func (d *Discourse) maxConnections() int32 {
	if m := d.Spec.Postgres.CNPG.MaxConnections; m != nil {
		return *m
	}
	return (d.requiredConnections() + 9) / 10 * 10
}

func (d *Discourse) webMaxReplicas() int32 {
	if *d.Spec.Web.Autoscaling.Enabled {
		return *d.Spec.Web.Autoscaling.MaxReplicas
	}
	return *d.Spec.Web.Replicas
}

// webProcesses counts the Rails processes of one web pod.
func (d *Discourse) webProcesses() int32 {
	return *d.Spec.Web.UnicornWorkers + *d.Spec.Sidekiq.WebProcesses
}

func (d *Discourse) workerMaxReplicas() int32 {
	if !hasWorkers(d) {
		return 0
	}
	w := &d.Spec.Sidekiq.Workers
	if *w.Autoscaling.Enabled {
		return *w.Autoscaling.MaxReplicas
	}
	return *w.Replicas
}

// CNPGCluster is the site's PostgreSQL cluster. Flux never prunes it: a
// renamed site or a removed line must not delete the database.
func CNPGCluster(d *Discourse) *PostgresCluster {
	s := &d.Spec
	c := &s.Postgres.CNPG
	params := map[string]string{"max_connections": fmt.Sprint(d.maxConnections())}
	for k, v := range c.Parameters {
		params[k] = v
	}
	// The same list in both: the spec promises extraExtensions in
	// template1 and the app database alike.
	var extensionSQL []string
	for _, e := range d.extensions() {
		extensionSQL = append(extensionSQL, createExtension(e))
	}
	antiAffinity := "preferred"
	if *c.Instances > 1 && s.Profile == ProfileProduction {
		// Two instances of one production cluster on one node make the
		// replica worthless when that node fails.
		antiAffinity = "required"
	}
	cluster := &PostgresCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: "postgresql.cnpg.io/v1", Kind: "Cluster"},
		ObjectMeta: d.objectMeta(d.DatabaseClusterName(), ComponentDatabase, StageData),
		Spec: PostgresClusterSpec{
			Instances: *c.Instances,
			ImageName: c.ImageName,
			// The operator switches over to an updated replica first.
			PrimaryUpdateStrategy: "unsupervised",
			PostgreSQL:            PostgresConfiguration{Parameters: params},
			Bootstrap: &Bootstrap{InitDB: &BootstrapInitDB{
				Database:               s.Postgres.Database,
				Owner:                  s.Postgres.Username,
				PostInitTemplateSQL:    extensionSQL,
				PostInitApplicationSQL: extensionSQL,
			}},
			Storage: storage(c.Storage),
			Affinity: AffinityConfiguration{
				EnablePodAntiAffinity: ptr.To(true),
				TopologyKey:           "kubernetes.io/hostname",
				PodAntiAffinityType:   antiAffinity,
				NodeSelector:          s.Scheduling.NodeSelector,
				Tolerations:           s.Scheduling.Tolerations,
			},
			Resources:         c.Resources,
			PriorityClassName: s.Scheduling.PriorityClassName,
		},
	}
	// The user's scheduling applies to the database as to every pod.
	sc := &s.Scheduling
	if a := sc.Affinity; a != nil {
		cluster.Spec.Affinity.NodeAffinity = a.NodeAffinity.DeepCopy()
		cluster.Spec.Affinity.AdditionalPodAffinity = a.PodAffinity.DeepCopy()
		cluster.Spec.Affinity.AdditionalPodAntiAffinity = a.PodAntiAffinity.DeepCopy()
	}
	cluster.Spec.TopologySpreadConstraints = d.topologySpread(map[string]string{cnpgClusterLabel: d.DatabaseClusterName()})
	for _, name := range s.Image.PullSecrets {
		cluster.Spec.ImagePullSecrets = append(cluster.Spec.ImagePullSecrets, LocalRef{Name: name})
	}
	if c.WALStorage != nil {
		wal := storage(*c.WALStorage)
		cluster.Spec.WALStorage = &wal
	}
	cluster.Annotations[AnnotationFluxPrune] = "disabled"
	return cluster
}

// CNPGDatabase keeps the extensions present in the app database.
func CNPGDatabase(d *Discourse) *PostgresDatabase {
	s := &d.Spec
	var exts []ExtensionSpec
	for _, e := range d.extensions() {
		exts = append(exts, ExtensionSpec{Name: e, Ensure: "present"})
	}
	db := &PostgresDatabase{
		TypeMeta:   metav1.TypeMeta{APIVersion: "postgresql.cnpg.io/v1", Kind: "Database"},
		ObjectMeta: d.objectMeta(d.DatabaseClusterName()+"-"+dnsLabel(s.Postgres.Database, 30), ComponentDatabase, StageData),
		Spec: PostgresDatabaseSpec{
			Cluster:               LocalRef{Name: d.DatabaseClusterName()},
			Name:                  s.Postgres.Database,
			Owner:                 s.Postgres.Username,
			DatabaseReclaimPolicy: "retain",
			Extensions:            exts,
		},
	}
	db.Annotations[AnnotationFluxPrune] = "disabled"
	return db
}

// CNPGPooler is PgBouncer in front of the primary, for web and Sidekiq.
func CNPGPooler(d *Discourse) *PostgresPooler {
	p := &d.Spec.Postgres.CNPG.Pooler
	// Each pooler instance must be able to hand every client a server
	// connection in session mode; the rest is the database's reserve.
	perInstance := (d.maxConnections() - reservedConnections) / *p.Instances
	return &PostgresPooler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "postgresql.cnpg.io/v1", Kind: "Pooler"},
		ObjectMeta: d.objectMeta(d.PoolerName(), ComponentPooler, StageData),
		Spec: PostgresPoolerSpec{
			Cluster:   LocalRef{Name: d.DatabaseClusterName()},
			Type:      "rw",
			Instances: p.Instances,
			PgBouncer: PgBouncer{
				PoolMode: p.PoolMode,
				Parameters: map[string]string{
					"max_client_conn":   fmt.Sprint(d.requiredConnections()),
					"default_pool_size": fmt.Sprint(perInstance),
				},
			},
		},
	}
}

func storage(v Volume) StorageConfiguration {
	sc := StorageConfiguration{Size: v.Size}
	if v.StorageClass != "" {
		sc.StorageClass = &v.StorageClass
	}
	return sc
}

func createExtension(name string) string {
	return fmt.Sprintf("CREATE EXTENSION IF NOT EXISTS %q", name)
}
