package v1alpha1

import "k8s.io/apimachinery/pkg/runtime/schema"

// Group, Version and Kind identify the site config. The KRM function
// dispatches on all three, so configs of this version keep working when a
// later version is added.
const (
	Group      = "discoursegen.dev"
	Version    = "v1alpha1"
	APIVersion = Group + "/" + Version
	Kind       = "Discourse"
)

// GroupVersionKind is the config's apiVersion and kind as one value.
var GroupVersionKind = schema.GroupVersionKind{Group: Group, Version: Version, Kind: Kind}
