package schemas

import (
	"os"
	"path/filepath"
	"testing"
)

// fixtureDir is a production-like render of ~20 objects (Deployments, Job,
// PDBs, NetworkPolicies, HPA, Services, Ingress, ConfigMap, StatefulSet,
// CNPG Cluster, ScaledObject, ServiceMonitor, kustomizations).
var fixtureDir = filepath.Join("testdata", "production")

// goldenDir is the committed production render.
var goldenDir = filepath.Join("..", "golden", "production")

// benchValidatePaths measures end-to-end throughput (read, split, decode,
// validate, in parallel across files) over dir, in objects per second.
// Schemas are compiled before the timer starts: compile cost is measured
// separately by BenchmarkCompileAll.
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

// BenchmarkCompileAll measures a cold start: indexing the embedded files
// and compiling every schema from scratch.
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

// BenchmarkIndex measures what Default() costs before any compilation.
func BenchmarkIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(FS()); err != nil {
			b.Fatal(err)
		}
	}
}
