// Command schemacompile compiles the JSON schemas under schemas/kubernetes,
// schemas/crds and schemas/config into schemas/table_gen.go, the table
// of schema nodes that schemas.Default() validates against.
//
// It is run from the repository root as `go run ./hack/schemacompile`, the
// last step of `make schemas` (after hack/schemagen and hack/configschema
// have written the JSON). The table is a Go composite literal, so loading
// it costs a process nothing; identical subtrees of all the schemas are one
// node. The compiler (schemas/engine) fails, naming the file and JSON
// pointer, on any keyword it does not implement, so a new schema can never
// be checked less strictly than it says.
//
// It imports only schemas/engine, never package schemas, so it still runs
// when a stale table_gen.go no longer compiles. The file is rewritten only
// when its bytes change; the output depends on nothing but the schema files,
// so `make verify` detects a stale table with a plain diff, and the schemas
// tests (TestTableIsFresh) do the same without make.
package main
