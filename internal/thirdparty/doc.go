// Package thirdparty holds, one package per upstream API version, small Go
// mirrors of the custom resources discoursegen emits: CloudNativePG
// (cnpg/v1), its Barman Cloud plugin (barmancloud/v1), KEDA (keda/v1alpha1), Flux's kustomize-controller
// (fluxkustomize/v1) and Prometheus Operator (monitoring/v1).
//
// Each mirror keeps upstream's type and field names and holds only the
// fields discoursegen sets. The upstream modules are not imported: each
// would drag its controller dependencies (controller-runtime and more) into
// every user of the library. A mirror cannot drift silently: every rendered
// object is validated against the real CRD schema of the pinned version
// (schemas/crds) and admitted by a real kube-apiserver with those CRDs
// installed (test/e2e).
package thirdparty
