package schemas

import "testing"

// FuzzEngineMatchesLibrary feeds arbitrary YAML documents to the engine
// and to the old validator (oracle_test.go); whatever decodes to an object
// must get the same violations from both. The seed corpus
// (testdata/fuzz/FuzzEngineMatchesLibrary) holds small real objects of
// several kinds, so mutations start out valid and land on schema
// keywords rather than on YAML syntax.
func FuzzEngineMatchesLibrary(f *testing.F) {
	v, o := mustDefault(f), theOracle(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // size is not what this target is about
		}
		obj, problem := decodeObject(data)
		if problem != "" {
			return
		}
		diffObject(t, v, o, "fuzzed object", obj)
	})
}

// FuzzFastDecodeMatchesYAML feeds arbitrary documents to the fast YAML
// decoder: whatever it accepts, the exact path (sigs.k8s.io/yaml) must
// accept too, with the same values. The seed corpus
// (testdata/fuzz/FuzzFastDecodeMatchesYAML) has one small document per
// construct the fast decoder reads.
func FuzzFastDecodeMatchesYAML(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 16<<10 {
			return
		}
		compareDecoders(t, "fuzzed document", doc)
	})
}
