// Package manifest is discoursegen's one encoder: it decides what a
// generated object looks like as YAML. The KRM function, `discoursegen
// render` and the tests all encode through it, so they cannot disagree.
//
// An object takes two conversions here: encoding/json writes it (the
// Kubernetes types' own JSON tags and marshalers decide field names,
// omitempty and quantities), and one decode into a generic map, with
// numbers kept exact, drops what the API server owns. For the KRM function
// the map becomes a kyaml node directly, keys sorted, with no YAML text in
// between. For `discoursegen render` and the tests it is printed the way
// kustomize prints a resource (sigs.k8s.io/yaml), so render and
// `kustomize build` print the same bytes; a test pins that.
package manifest
