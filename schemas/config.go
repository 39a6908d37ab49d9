package schemas

import (
	"io/fs"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ConfigSchemaFile is where the JSON schema of one version of a function
// config lives, relative to this directory and inside FS(). The layout is
// the CRD schemas', so one validator serves both; hack/configschema writes
// the file from the Go types.
func ConfigSchemaFile(gvk schema.GroupVersionKind) string {
	return path.Join("config", gvk.Group, strings.ToLower(gvk.Kind)+"_"+gvk.Version+".json")
}

// ConfigSchema is the embedded JSON schema of a function config.
func ConfigSchema(gvk schema.GroupVersionKind) ([]byte, error) {
	return fs.ReadFile(embedded, ConfigSchemaFile(gvk))
}
