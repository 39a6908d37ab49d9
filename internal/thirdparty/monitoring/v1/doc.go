// Package v1 mirrors monitoring.coreos.com/v1 of Prometheus Operator
// v0.85.0 (pkg/apis/monitoring/v1/podmonitor_types.go,
// prometheusrule_types.go), reduced to the fields discoursegen sets, with
// upstream's type and field names.
package v1
