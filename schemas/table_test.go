package schemas

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"discoursegen.dev/discoursegen/schemas/engine"
)

// TestTableIsFresh checks that table_gen.go is what the committed schema
// files compile to, the same check `make verify` does after
// `make schemas`, but without the module cache or make.
func TestTableIsFresh(t *testing.T) {
	want, err := engine.TableSource(FS())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(engine.TableFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run `make schemas` (or `go run ./%s`)", engine.TableFile, engine.TableGenerator)
	}
}

// TestDefaultLoadsNothing checks that Default costs nothing: no file is
// read and nothing is parsed or built, so nothing is allocated.
func TestDefaultLoadsNothing(t *testing.T) {
	if allocs := testing.AllocsPerRun(100, func() {
		if _, err := Default(); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("Default() allocates %v times; it should only return the compiled table", allocs)
	}
}

// TestDefaultMatchesNew checks that the compiled-in table and a runtime
// compilation of the embedded files know the same kinds.
func TestDefaultMatchesNew(t *testing.T) {
	v, err := New(FS())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mustDefault(t).Kinds(), v.Kinds(); !slices.Equal(got, want) {
		t.Errorf("Default() knows %v, New(FS()) %v", got, want)
	}
}
