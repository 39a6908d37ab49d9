package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/schemas"
)

// TestConfigSchemaIsCurrent: the committed schema is what the Go types say.
func TestConfigSchemaIsCurrent(t *testing.T) {
	want, err := configSchema()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "schemas", filepath.FromSlash(schemas.ConfigSchemaFile(v1alpha1.GroupVersionKind)))
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s is stale: run make schemas", path)
	}
}
