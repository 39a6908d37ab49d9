// Package jsonyaml prints a decoded JSON object as YAML, byte for byte as
// sigs.k8s.io/yaml.Marshal (and so kustomize's Resource.AsYAML) prints it,
// without the round trip that makes that slow.
//
// sigs.k8s.io/yaml.Marshal encodes the value as JSON, parses the JSON with
// go.yaml.in/yaml/v2 into interface{} values, and prints those with
// yaml.v2's emitter. Marshal and Append here walk the map[string]any
// directly and reproduce what that pipeline does to each value:
//
//   - numbers become what yaml.v2 reads a JSON number as: an int64, else a
//     uint64, else a float64 printed in strconv's shortest 'g' form (so
//     1.0 prints as 1 and 1e6 as 1e+06), else, when even float64
//     overflows, the JSON text itself (resolve.go);
//   - map keys come out in yaml.v2's "natural" order, with runs of digits
//     compared as numbers (keyorder.go);
//   - each string gets the style yaml.v2 would pick: double quotes when,
//     written plain, it would read back as another type (true, no, ~,
//     0x1f, 1_000, .5, 2001-12-14, the base 60 float 1:20, ...), single
//     quotes when a YAML indicator (": ", " #", a leading "- ", "*", "{",
//     a leading or trailing space, ...) rules out plain, double quotes
//     again for non-printable characters (tabs, control characters,
//     U+FEFF, anything outside the Basic Multilingual Plane), a literal
//     block (|, |-, |+, with an indentation indicator when the text starts
//     with a space or a line break) when it holds a newline and no
//     character or trailing space that rules that out, and plain
//     otherwise; plain, single- and double-quoted values are folded at
//     the first space past column 80, as yaml.v2's emitter does
//     (analysis.go, emit.go);
//   - block mappings indented by 2, block sequences under a mapping key not
//     indented, {} and [] for empty collections, "? " keys for keys that
//     span lines or are longer than 128 bytes (encoder.go).
//
// A few inputs are handed to sigs.k8s.io/yaml.Marshal itself (the slow
// path), because its result there is an error, or depends on how its YAML
// parser reads the JSON text rather than on the emitter, or is not fully
// determined: strings or keys that are not valid UTF-8 (JSON replaces the
// bytes with U+FFFD, which can merge keys), or that contain U+007F, a C1
// control character U+0080-U+009F (the parser rejects them, or folds U+0085
// as a line break), U+FFFE or U+FFFF; keys of more than 1000 characters
// once JSON-escaped (past 1024 the parser no longer reads a key as one);
// nesting deeper than 1000; a
// json.Number that is not valid JSON, a NaN or infinite float; values of
// any type other than map[string]any, []any, string, json.Number, bool,
// nil, float64, float32 and the integer types; and a mapping whose keys
// yaml.v2's key comparison does not order consistently (for example "10",
// "1a" and "2"), where yaml.v2's own output depends on Go's map iteration
// order. The tests (and FuzzMarshalMatchesYAML) hold the fast path to the
// real library's output byte for byte.
package jsonyaml
