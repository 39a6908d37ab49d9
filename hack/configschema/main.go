// Command configschema writes the JSON schema of the Discourse config,
// derived from the Go types, to schemas/config/. `make schemas` runs it
// next to hack/schemagen; a test fails when the committed file is stale.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"discoursegen.dev/discoursegen/generator"
)

func main() {
	b, err := generator.ConfigSchema()
	if err == nil {
		err = os.MkdirAll(filepath.Dir(generator.ConfigSchemaPath), 0o755)
	}
	if err == nil {
		err = os.WriteFile(generator.ConfigSchemaPath, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "configschema:", err)
		os.Exit(1)
	}
}
