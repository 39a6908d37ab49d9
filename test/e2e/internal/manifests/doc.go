// Package manifests reads the rendered YAML (golden/<env>/ or a fixture
// directory) into objects the harness can send to the apiserver.
//
// It keeps each document's bytes (converted to JSON) exactly as rendered,
// instead of round-tripping them through typed Go structs, so that the
// apiserver sees what a user would apply: unknown or misspelled fields survive
// to be rejected by the server instead of being silently dropped here.
package manifests
