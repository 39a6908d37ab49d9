package schemas

import (
	"fmt"
	"io/fs"

	"discoursegen.dev/discoursegen/schemas/engine"
)

// GVK identifies a kind the validator has a schema for.
type GVK struct {
	APIVersion string
	Kind       string
}

// String renders the GVK as "apps/v1 Deployment".
func (g GVK) String() string { return g.APIVersion + " " + g.Kind }

// Validator validates Kubernetes objects against a set of compiled
// schemas. It is safe for concurrent use.
type Validator struct {
	table *engine.Table
}

// defaultValidator validates against defaultTable, the schemas of this
// directory compiled by hack/schemacompile into table_gen.go.
var defaultValidator = &Validator{table: &defaultTable}

// Default returns the validator over the embedded schemas, shared by the
// whole process. It reads no file and parses nothing: the schemas were
// compiled when the binary was built, into a table the linker laid out as
// static data, so the first validation of a kind costs what every other
// one does.
func Default() (*Validator, error) {
	return defaultValidator, nil
}

// New returns a validator over every *.json file in fsys whose root has
// x-kubernetes-group-version-kind, compiled now with the compiler that
// made Default's table. It fails, naming the file and JSON pointer, on a
// keyword the validator does not implement (rather than skip a check
// silently), and when two files claim the same kind, since either choice
// would silently ignore the other.
func New(fsys fs.FS) (*Validator, error) {
	t, err := engine.Compile(fsys)
	if err != nil {
		return nil, fmt.Errorf("compile schemas: %w", err)
	}
	return &Validator{table: t}, nil
}

// Known reports whether the validator has a schema for apiVersion/kind.
func (v *Validator) Known(apiVersion, kind string) bool {
	_, ok := v.root(GVK{apiVersion, kind})
	return ok
}

// Kinds lists every kind the validator has a schema for, sorted.
func (v *Validator) Kinds() []GVK {
	out := make([]GVK, len(v.table.Kinds))
	for i, k := range v.table.Kinds {
		out[i] = GVK{APIVersion: k.APIVersion, Kind: k.Kind}
	}
	return out
}

// root returns the root node of g's schema. A linear scan of a few dozen
// kinds costs less than one property lookup in the object after it.
func (v *Validator) root(g GVK) (uint32, bool) {
	for _, k := range v.table.Kinds {
		if k.Kind == g.Kind && k.APIVersion == g.APIVersion {
			return k.Root, true
		}
	}
	return 0, false
}

// CompileAll front-loads what would otherwise happen on first use. The
// schemas themselves are always compiled ahead (Default's when the binary
// is built, New's in New), so what is left is compiling each regular
// expression of a pattern keyword, which is otherwise done the first
// time a value meets it. The error is always nil; it stays for callers
// written when compiling could fail here.
func (v *Validator) CompileAll() error {
	v.table.CompilePatterns()
	return nil
}
