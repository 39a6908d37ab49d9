// Package v1 mirrors postgresql.cnpg.io/v1 of CloudNativePG v1.27.4
// (api/v1/cluster_types.go, cluster_plugins.go, pooler_types.go,
// database_types.go, scheduledbackup_types.go), reduced to
// the fields discoursegen sets. Type, field and constant names are
// upstream's, so a reader can look each one up there.
package v1
