// Package v1alpha1 mirrors keda.sh/v1alpha1 of KEDA v2.21.0
// (apis/keda/v1alpha1/scaledobject_types.go, scaletriggers_types.go,
// triggerauthentication_types.go), reduced to the fields discoursegen
// sets, with upstream's type and field names.
package v1alpha1
