package engine

import (
	"regexp"
	"sync"
)

// Table is a set of compiled schemas sharing one store of nodes. Identical
// subtrees are stored once, so PodSpec is one run of nodes however many
// kinds embed it. Everything refers to everything else by index, which is
// what lets hack/schemacompile write a Table as a static Go composite
// literal: the linker lays it out, and loading it costs nothing.
//
// A Table is read-only once built; the only state that changes is the
// cache of compiled patterns, which is safe for concurrent use.
type Table struct {
	// Nodes holds every schema node; children come before their parents.
	Nodes []Node
	// Props holds the properties of every node, each node's a run sorted
	// by name (see Node.Props).
	Props []Prop
	// Names holds the required property names of every node, each node's
	// a run in schema order, which is the order they are reported in.
	Names []string
	// Enums holds the enum values of every node, each node's a run in
	// schema order, which is the order they are listed in a message.
	Enums []EnumValue
	// Branches holds the node indices of every oneOf and anyOf, each a run
	// in schema order.
	Branches []uint32
	// Numbers holds the minimum and maximum bounds, as written in the
	// schema.
	Numbers []string
	// Patterns holds every distinct pattern, compiled on first use.
	Patterns []string
	// Kinds maps each kind to its root node, sorted by "apiVersion kind"
	// (GVK.String order), which is the order Kinds() lists them in.
	Kinds []Kind

	// patterns caches Patterns compiled; allocated on first use so a
	// Table literal needs no initialisation code.
	patternsOnce sync.Once
	compiled     []compiledPattern
}

// compiledPattern is one lazily compiled entry of Table.Patterns.
type compiledPattern struct {
	once sync.Once
	re   *regexp.Regexp
}

// Kind is one kind a Table has a schema for.
type Kind struct {
	APIVersion, Kind string
	// File is the schema file the kind came from, relative to the schema
	// directory, for messages.
	File string
	Root uint32
}

// Span is a run [Span[0], Span[1]) of one of the Table's shared slices.
// It is an array rather than a struct so generated literals can stay
// short (engine.Span{3, 7}) without vet's complaint about unkeyed fields.
type Span [2]uint32

// Prop is one entry of "properties": a name and its schema.
type Prop struct {
	Name string
	Node uint32
}

// EnumValue is one entry of "enum". Our schemas only list strings and
// null (nullable enums); the compiler refuses anything else.
type EnumValue struct {
	Null bool
	Str  string
}

// Node is one compiled schema object. Fields whose keyword is absent are
// zero; Has says which of the numeric keywords are present, since 0 is a
// meaningful maxItems.
type Node struct {
	// Types lists the accepted JSON types in schema order, four bits per
	// type code (TypeNull...TypeInteger), first type in the lowest bits; 0
	// means no "type" keyword. The order matters: it is the order of the
	// message "expected string or null".
	Types uint32
	// Has flags the keywords below that are present (HasMinimum...).
	Has uint16
	// Format is the format code (FormatByte...), 0 for none.
	Format uint8
	// Props is the run of Table.Props; Required the run of Table.Names;
	// Enum the run of Table.Enums; AnyOf and OneOf runs of Table.Branches.
	Props, Required, Enum, AnyOf, OneOf Span
	// Items is the schema of array items, as node index + 1; 0 for none.
	Items uint32
	// Additional is additionalProperties: AdditionalAny (absent, or
	// true), AdditionalNone (false), or a node index + AdditionalSchema.
	Additional uint32
	// Pattern is an index + 1 into Table.Patterns; 0 for none.
	Pattern uint32
	// Minimum and Maximum are indices into Table.Numbers, valid when Has
	// says so.
	Minimum, Maximum uint32
	// The size limits, valid when Has says so.
	MinLength, MaxLength, MinItems, MaxItems, MaxProperties uint32
}

// The values of Node.Additional.
const (
	AdditionalAny    = 0
	AdditionalNone   = 1
	AdditionalSchema = 2 // plus the node index
)

// The bits of Node.Has.
const (
	HasMinimum uint16 = 1 << iota
	HasMaximum
	HasMinLength
	HasMaxLength
	HasMinItems
	HasMaxItems
	HasMaxProperties
)

// JSON type codes, as packed into Node.Types.
const (
	TypeNull = 1 + iota
	TypeBoolean
	TypeObject
	TypeArray
	TypeNumber
	TypeString
	TypeInteger
)

// typeNames are the JSON schema names of the type codes.
var typeNames = [...]string{
	TypeNull:    "null",
	TypeBoolean: "boolean",
	TypeObject:  "object",
	TypeArray:   "array",
	TypeNumber:  "number",
	TypeString:  "string",
	TypeInteger: "integer",
}

// Format codes, for Node.Format.
const (
	FormatByte = 1 + iota
	FormatInt32
	FormatInt64
	FormatDateTime
	FormatDuration
)

// formatKeywords are the values of "format" that the engine asserts, by
// code. Any other format makes the compiler fail.
var formatKeywords = [...]string{
	FormatByte:     "byte",
	FormatInt32:    "int32",
	FormatInt64:    "int64",
	FormatDateTime: "date-time",
	FormatDuration: "duration",
}

// pattern returns Patterns[i] compiled, compiling it on first use. The
// compiler checked that every pattern compiles.
func (t *Table) pattern(i uint32) *regexp.Regexp {
	t.patternsOnce.Do(func() { t.compiled = make([]compiledPattern, len(t.Patterns)) })
	p := &t.compiled[i]
	p.once.Do(func() { p.re = regexp.MustCompile(t.Patterns[i]) })
	return p.re
}

// CompilePatterns compiles every pattern now rather than on first use.
func (t *Table) CompilePatterns() {
	for i := range t.Patterns {
		t.pattern(uint32(i))
	}
}
