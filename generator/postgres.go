package generator

import (
	"fmt"
	"maps"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	cnpgv1 "discoursegen.dev/discoursegen/internal/thirdparty/cnpg/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// cnpgCluster is the site's PostgreSQL cluster. Flux never prunes it: a
// renamed site or a removed line must not delete the database.
func (d *site) cnpgCluster() *cnpgv1.Cluster {
	s := &d.Spec
	c := &s.Postgres.CNPG
	params := map[string]string{"max_connections": fmt.Sprint(s.MaxConnections())}
	maps.Copy(params, c.Parameters)
	// The same list in both: the spec promises extraExtensions in
	// template1 and the app database alike.
	var extensionSQL []string
	for _, e := range s.Extensions() {
		extensionSQL = append(extensionSQL, createExtension(e))
	}
	antiAffinity := cnpgv1.PodAntiAffinityTypePreferred
	if *c.Instances > 1 && c.PodAntiAffinityType == v1alpha1.PodAntiAffinityRequired {
		// With one instance there is nothing to keep apart.
		antiAffinity = cnpgv1.PodAntiAffinityTypeRequired
	}
	sc := &s.Scheduling
	cluster := &cnpgv1.Cluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: cnpgv1.GroupVersion, Kind: "Cluster"},
		ObjectMeta: d.objectMeta(d.databaseClusterName(), componentDatabase, StageData),
		Spec: cnpgv1.ClusterSpec{
			Instances: *c.Instances,
			ImageName: c.ImageName,
			// The operator switches over to an updated replica first.
			PrimaryUpdateStrategy: cnpgv1.PrimaryUpdateStrategyUnsupervised,
			PostgresConfiguration: cnpgv1.PostgresConfiguration{Parameters: params},
			Bootstrap: &cnpgv1.BootstrapConfiguration{InitDB: &cnpgv1.BootstrapInitDB{
				Database:               s.Postgres.Database,
				Owner:                  s.Postgres.Username,
				PostInitTemplateSQL:    extensionSQL,
				PostInitApplicationSQL: extensionSQL,
			}},
			StorageConfiguration: storage(c.Storage),
			// The operator builds the instance pods itself, so the user's
			// scheduling goes through its AffinityConfiguration: node
			// selector, tolerations and any affinity terms are added to
			// the anti-affinity it generates.
			Affinity: cnpgv1.AffinityConfiguration{
				EnablePodAntiAffinity: ptr.To(true),
				TopologyKey:           "kubernetes.io/hostname",
				PodAntiAffinityType:   antiAffinity,
				NodeSelector:          sc.NodeSelector,
				Tolerations:           sc.Tolerations,
			},
			Resources:         c.Resources,
			PriorityClassName: sc.PriorityClassName,
		},
	}
	if a := sc.Affinity; a != nil {
		cluster.Spec.Affinity.NodeAffinity = a.NodeAffinity.DeepCopy()
		cluster.Spec.Affinity.AdditionalPodAffinity = a.PodAffinity.DeepCopy()
		cluster.Spec.Affinity.AdditionalPodAntiAffinity = a.PodAntiAffinity.DeepCopy()
	}
	cluster.Spec.TopologySpreadConstraints = d.topologySpread(map[string]string{cnpgv1.ClusterLabelName: d.databaseClusterName()})
	for _, name := range s.Image.PullSecrets {
		cluster.Spec.ImagePullSecrets = append(cluster.Spec.ImagePullSecrets, cnpgv1.LocalObjectReference{Name: name})
	}
	if c.WALStorage != nil {
		wal := storage(*c.WALStorage)
		cluster.Spec.WalStorage = &wal
	}
	if d.backsUp() {
		cluster.Spec.Plugins = []cnpgv1.PluginConfiguration{d.walArchiver()}
	}
	if c.Restore != nil {
		d.recover(&cluster.Spec)
	}
	keepOnPrune(&cluster.ObjectMeta)
	return cluster
}

// cnpgDatabase keeps the extensions present in the app database.
func (d *site) cnpgDatabase() *cnpgv1.Database {
	s := &d.Spec
	var exts []cnpgv1.ExtensionSpec
	for _, e := range s.Extensions() {
		exts = append(exts, cnpgv1.ExtensionSpec{Name: e, Ensure: cnpgv1.EnsurePresent})
	}
	db := &cnpgv1.Database{
		TypeMeta:   metav1.TypeMeta{APIVersion: cnpgv1.GroupVersion, Kind: "Database"},
		ObjectMeta: d.objectMeta(d.databaseName(), componentDatabase, StageData),
		Spec: cnpgv1.DatabaseSpec{
			ClusterRef: cnpgv1.LocalObjectReference{Name: d.databaseClusterName()},
			Name:       s.Postgres.Database,
			Owner:      s.Postgres.Username,
			// Deleting the object never drops the data.
			ReclaimPolicy: cnpgv1.DatabaseReclaimRetain,
			Extensions:    exts,
		},
	}
	keepOnPrune(&db.ObjectMeta)
	return db
}

// cnpgPooler is PgBouncer in front of the primary, for web and Sidekiq.
func (d *site) cnpgPooler() *cnpgv1.Pooler {
	s := &d.Spec
	p := &s.Postgres.CNPG.Pooler
	// A Service spreads connections, not load: every client may land on
	// the same instance, so each instance takes every pooled client and,
	// in session mode, holds a server connection for each of them. The
	// server side never exceeds the clients, which max_connections fits.
	clients := s.PooledConnections()
	return &cnpgv1.Pooler{
		TypeMeta:   metav1.TypeMeta{APIVersion: cnpgv1.GroupVersion, Kind: "Pooler"},
		ObjectMeta: d.objectMeta(d.poolerName(), componentPooler, StageData),
		Spec: cnpgv1.PoolerSpec{
			Cluster:   cnpgv1.LocalObjectReference{Name: d.databaseClusterName()},
			Type:      cnpgv1.PoolerTypeRW,
			Instances: p.Instances,
			PgBouncer: &cnpgv1.PgBouncerSpec{
				PoolMode: cnpgv1.PgBouncerPoolMode(p.PoolMode),
				Parameters: map[string]string{
					"max_client_conn":   fmt.Sprint(clients),
					"default_pool_size": fmt.Sprint(clients),
				},
			},
		},
	}
}

// storage is a CNPG volume template; Validate has checked the size.
func storage(v v1alpha1.Volume) cnpgv1.StorageConfiguration {
	sc := cnpgv1.StorageConfiguration{Size: v.Size.String()}
	if v.StorageClass != "" {
		sc.StorageClass = &v.StorageClass
	}
	return sc
}

func createExtension(name string) string {
	return fmt.Sprintf("CREATE EXTENSION IF NOT EXISTS %q", name)
}
