package engine

import "io/fs"

// The compiled form of the schemas that package schemas embeds, and how it
// is made. hack/schemacompile writes it, and a test of package schemas
// compares it with what the committed schemas compile to; both call
// TableSource, so they cannot disagree on how.
const (
	// TableFile is the generated file, in the schemas directory.
	TableFile = "table_gen.go"
	// TableVar is the variable it declares in package schemas.
	TableVar = "defaultTable"
	// TableGenerator is the command that writes it.
	TableGenerator = "hack/schemacompile"
)

// SchemaDirs are the directories of the schemas directory that package
// schemas embeds (see schemas/embed.go); the table covers exactly them.
var SchemaDirs = []string{"config", "crds", "kubernetes"}

// TableSource compiles the schemas below SchemaDirs of fsys, which is the
// schemas directory, into the source of TableFile.
func TableSource(fsys fs.FS) ([]byte, error) {
	t, err := Compile(fsys, SchemaDirs...)
	if err != nil {
		return nil, err
	}
	return t.GoSource("schemas", TableVar, TableGenerator)
}
