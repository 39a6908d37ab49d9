// Command configschema writes the JSON schema of the Discourse config,
// derived from the Go types of api/v1alpha1, to schemas/config/. `make
// schemas` runs it next to hack/schemagen; a test fails when the committed
// file is stale.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/schemas"
)

func main() {
	b, err := configSchema()
	out := filepath.Join("schemas", filepath.FromSlash(schemas.ConfigSchemaFile(v1alpha1.GroupVersionKind)))
	if err == nil {
		err = os.MkdirAll(filepath.Dir(out), 0o755)
	}
	if err == nil {
		err = os.WriteFile(out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "configschema:", err)
		os.Exit(1)
	}
}
