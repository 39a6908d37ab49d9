// Package engine is the JSON schema validator behind package schemas: a
// compiled form of the schemas and a validator that walks it.
//
// Compile turns a directory of draft-4 JSON schema files into a Table: the
// nodes of every schema in one slice, identical subtrees stored once
// (hash-consing, after dropping the annotation keywords), and the root node
// of each kind. Table.GoSource writes a Table as a Go composite literal,
// which is how hack/schemacompile makes schemas/table_gen.go: static data
// the linker lays out, nothing to load at run time.
//
// The engine implements exactly the keywords our schemas use: type,
// properties, additionalProperties, required, items, enum (strings and
// null), format (int32, int64, byte, date-time, duration, with the
// meanings the apiserver gives them), pattern (Go regular expressions,
// compiled once, on first use), minimum, maximum, minLength, maxLength,
// minItems, maxItems, maxProperties, oneOf and anyOf; no more, since a
// keyword no schema uses would be code no schema tests. The
// annotation keywords it ignores are listed (compile.go); anything else
// makes Compile fail with the file and JSON pointer.
//
// Table.Validate checks a decoded JSON value in one pass that allocates
// nothing while the value is valid, and walks it a second time to collect
// Findings only when it is not. Findings carry the exact wording
// discoursegen has always printed, once the jsonschema v5 library's
// messages flattened leaf by leaf; the differential tests of package
// schemas compare the two on every manifest in the repository.
package engine
