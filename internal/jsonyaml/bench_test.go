package jsonyaml

import (
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// BenchmarkMarshal prints every object of golden/production once per
// iteration, with this package and with sigs.k8s.io/yaml; ns/object is
// the cost of one object.
func BenchmarkMarshal(b *testing.B) {
	objs := loadCorpus(b, "../../golden/production")
	b.Run("jsonyaml", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			for _, o := range objs {
				var err error
				if buf, err = Append(buf[:0], o.v); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
	})
	b.Run("jsonyaml-Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, o := range objs {
				if _, err := Marshal(o.v); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
	})
	b.Run("sigsyaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, o := range objs {
				if _, err := sigsyaml.Marshal(o.v); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
	})
}
