package schemas

import (
	"os"
	"path/filepath"
	"testing"

	"discoursegen.dev/discoursegen/schemas/engine"
)

// fixtureDir is a production-like render of ~20 objects (Deployments, Job,
// PDBs, NetworkPolicies, HPA, Services, Ingress, ConfigMap, StatefulSet,
// CNPG Cluster, ScaledObject, ServiceMonitor, kustomizations).
var fixtureDir = filepath.Join("testdata", "production")

// goldenDir is the committed production render.
var goldenDir = filepath.Join("..", "golden", "production")

// benchValidatePaths measures end-to-end throughput (read, split, decode,
// validate, in parallel across files) over dir, in objects per second.
// Patterns are compiled before the timer starts: first-use cost is
// measured separately by BenchmarkColdDeployment.
func benchValidatePaths(b *testing.B, dir string) {
	v := mustDefault(b)
	warm, err := v.ValidatePaths(dir)
	if err != nil {
		b.Fatal(err)
	}
	if len(warm.Violations) > 0 {
		b.Fatalf("%s is not valid: %v", dir, warm.Violations[0])
	}
	b.ReportAllocs()
	b.ResetTimer()
	objects := 0
	for b.Loop() {
		rep, err := v.ValidatePaths(dir)
		if err != nil {
			b.Fatal(err)
		}
		objects += rep.Objects
	}
	b.ReportMetric(float64(objects)/b.Elapsed().Seconds(), "objects/s")
}

func BenchmarkValidatePathsFixture(b *testing.B) {
	benchValidatePaths(b, fixtureDir)
}

// BenchmarkValidatePathsGolden runs on the real, committed production
// render.
func BenchmarkValidatePathsGolden(b *testing.B) {
	if _, err := os.Stat(goldenDir); err != nil {
		b.Fatalf("%s is missing (%v): run make generate", goldenDir, err)
	}
	benchValidatePaths(b, goldenDir)
}

// BenchmarkValidateYAMLSerial measures single-goroutine validation of the
// fixture held in memory: the cost per object without I/O or parallelism.
func BenchmarkValidateYAMLSerial(b *testing.B) {
	v := mustDefault(b)
	files, errs := collectFiles([]string{fixtureDir})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	data := make([][]byte, len(files))
	for i, f := range files {
		var err error
		if data[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	validateAll := func() int {
		n := 0
		for i, f := range files {
			rep, err := v.ValidateYAML(f, data[i])
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Violations) > 0 {
				b.Fatalf("fixture is not valid: %v", rep.Violations[0])
			}
			n += rep.Objects
		}
		return n
	}
	validateAll() // compile the schemas outside the timer
	b.ReportAllocs()
	b.ResetTimer()
	objects := 0
	for b.Loop() {
		objects += validateAll()
	}
	b.ReportMetric(float64(objects)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkCompileAll measures New on the embedded files: reading,
// parsing and compiling every schema at run time, the path of a schema
// directory other than the embedded one (Default's table is compiled when
// the binary is built).
func BenchmarkCompileAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		v, err := New(FS())
		if err != nil {
			b.Fatal(err)
		}
		if err := v.CompileAll(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndex measures New(FS()), which Default() was before the table
// was compiled ahead: it then only indexed the files (see
// BenchmarkLoadDefault for Default now). New now also compiles them.
func BenchmarkIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(FS()); err != nil {
			b.Fatal(err)
		}
	}
}

// allGoldenDir is every committed render (local, staging, production).
var allGoldenDir = filepath.Join("..", "golden")

// BenchmarkValidatePathsAllGolden validates every committed render, the
// default PATH of `discoursegen validate`.
func BenchmarkValidatePathsAllGolden(b *testing.B) {
	benchValidatePaths(b, allGoldenDir)
}

// productionDeployment is the web Deployment of the committed production
// render, decoded as ValidateYAML decodes it.
func productionDeployment(b *testing.B) map[string]any {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, "forum", "app", "deployment-forum-web.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	obj, problem := decodeObject(data)
	if problem != "" {
		b.Fatal(problem)
	}
	return obj
}

// BenchmarkValidateDeployment measures one production Deployment against a
// warm validator: the steady-state cost of the biggest object we render.
func BenchmarkValidateDeployment(b *testing.B) {
	v := mustDefault(b)
	obj := productionDeployment(b)
	if vs, err := v.ValidateObject("web", 0, obj); err != nil || len(vs) > 0 {
		b.Fatalf("err = %v, violations = %v", err, vs)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.ValidateObject("web", 0, obj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadDefault measures what a fresh process pays before it can
// validate anything: getting the validator Default() returns.
func BenchmarkLoadDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdDeployment measures a fresh process's first Deployment:
// the validator plus everything the first validation of a kind costs. For
// the compiled table that is compiling the patterns the Deployment meets,
// so each round gets a table whose pattern cache is empty (the nodes are
// the same static data).
func BenchmarkColdDeployment(b *testing.B) {
	obj := productionDeployment(b)
	b.ReportAllocs()
	for b.Loop() {
		v := &Validator{table: &engine.Table{
			Nodes: defaultTable.Nodes, Props: defaultTable.Props, Names: defaultTable.Names,
			Enums: defaultTable.Enums, Branches: defaultTable.Branches, Numbers: defaultTable.Numbers,
			Patterns: defaultTable.Patterns, Kinds: defaultTable.Kinds,
		}}
		if vs, err := v.ValidateObject("web", 0, obj); err != nil || len(vs) > 0 {
			b.Fatalf("err = %v, violations = %v", err, vs)
		}
	}
}
