// Package v1 mirrors barmancloud.cnpg.io/v1 of CloudNativePG's Barman
// Cloud plugin v0.7.0 (api/v1/objectstore_types.go, which embeds
// cloudnative-pg/barman-cloud's BarmanObjectStoreConfiguration), reduced to
// the fields discoursegen sets, with upstream's names.
package v1
