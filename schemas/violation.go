package schemas

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Violation is one problem found in one object (or, for problems such as a
// YAML syntax error, in one document of a file).
type Violation struct {
	// File is the path the manifest was read from, as given by the caller.
	File string
	// Index is the 0-based position of the document in File, or -1 for
	// problems with the file as a whole (such as a file without objects).
	Index int
	// Line is the 1-based line on which the document starts in File.
	Line int
	// APIVersion, Kind, Namespace and Name identify the object as far as
	// it could be decoded; any of them may be empty.
	APIVersion, Kind, Namespace, Name string
	// Pointer is the RFC 6901 JSON pointer of the offending value, such as
	// /spec/replicas. It is empty for problems that concern the whole
	// document (unknown kind, YAML syntax).
	Pointer string
	// Reason says what is wrong, e.g. "expected integer, but got string".
	Reason string
}

// Error formats the violation as
// "FILE: KIND NAMESPACE/NAME: POINTER: REASON", leaving out empty parts.
func (v Violation) Error() string {
	parts := make([]string, 0, 4)
	if v.File != "" {
		parts = append(parts, v.File)
	}
	if obj := v.object(); obj != "" {
		parts = append(parts, obj)
	}
	if v.Pointer != "" {
		parts = append(parts, v.Pointer)
	}
	parts = append(parts, v.Reason)
	return strings.Join(parts, ": ")
}

// object names the object for humans: "Deployment discourse/web",
// "Namespace discourse", or the document position when the object has no
// name to show.
func (v Violation) object() string {
	if v.Index < 0 {
		return ""
	}
	name := v.Name
	if name != "" && v.Namespace != "" {
		name = v.Namespace + "/" + name
	}
	doc := fmt.Sprintf("document %d", v.Index+1)
	if v.Line > 0 {
		doc = fmt.Sprintf("document %d, line %d", v.Index+1, v.Line)
	}
	// The first document of a file needs no position: the file name
	// already points there.
	first := v.Index == 0 && v.Line <= 1
	switch {
	case v.Kind != "" && name != "":
		return v.Kind + " " + name
	case v.Kind != "" && first:
		return v.Kind
	case v.Kind != "":
		return v.Kind + " (" + doc + ")"
	case name != "":
		return name + " (" + doc + ")"
	default:
		return doc
	}
}

// sortViolations orders violations by file, document, pointer and reason,
// which makes validation output stable regardless of map iteration order
// and of the order files were processed in.
func sortViolations(vs []Violation) {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Index, b.Index),
			cmp.Compare(a.Pointer, b.Pointer),
			cmp.Compare(a.Reason, b.Reason),
		)
	})
}
