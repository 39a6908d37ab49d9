package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"discoursegen.dev/discoursegen/schemas/engine"
	"sigs.k8s.io/yaml"
)

// Report is the outcome of validating one or more files.
type Report struct {
	// Files and Objects count what was read: every YAML document with
	// content counts as an object, valid or not.
	Files, Objects int
	// Violations is sorted by file, document and pointer.
	Violations []Violation
}

// Invalid counts the objects (documents) with at least one violation.
// Problems with a file as a whole are not objects; see FileProblems.
func (r Report) Invalid() int {
	type key struct {
		file  string
		index int
	}
	seen := map[key]bool{}
	for _, v := range r.Violations {
		if v.Index >= 0 {
			seen[key{v.File, v.Index}] = true
		}
	}
	return len(seen)
}

// FileProblems counts violations that concern a whole file rather than
// one of its objects.
func (r Report) FileProblems() int {
	n := 0
	for _, v := range r.Violations {
		if v.Index < 0 {
			n++
		}
	}
	return n
}

func (r *Report) add(o Report) {
	r.Files += o.Files
	r.Objects += o.Objects
	r.Violations = append(r.Violations, o.Violations...)
}

// ValidateObject validates one decoded object; file and index only label
// the violations. obj should hold JSON values (as produced by encoding/json
// or sigs.k8s.io/yaml); other Go values are converted through JSON first.
//
// The error is reserved for failures of the validator itself; problems
// with obj are violations. Schemas are compiled before a Validator
// exists, so today there are none.
func (v *Validator) ValidateObject(file string, index int, obj map[string]any) ([]Violation, error) {
	if !isJSONValue(obj) {
		norm, err := normalize(obj)
		if err != nil {
			return []Violation{{File: file, Index: index, Reason: err.Error()}}, nil
		}
		obj = norm
	}
	return v.validateJSON(file, index, obj), nil
}

// validateJSON is ValidateObject for an object known to hold only JSON
// values, such as one decodeObject made.
func (v *Validator) validateJSON(file string, index int, obj map[string]any) []Violation {
	base := Violation{File: file, Index: index}
	base.APIVersion, _ = obj["apiVersion"].(string)
	base.Kind, _ = obj["kind"].(string)
	if meta, ok := obj["metadata"].(map[string]any); ok {
		base.Name, _ = meta["name"].(string)
		base.Namespace, _ = meta["namespace"].(string)
	}
	var out []Violation
	for _, field := range []string{"apiVersion", "kind"} {
		switch val, ok := obj[field]; {
		case !ok || val == nil:
			out = append(out, base.with("/"+field, "missing "+field))
		case !isNonEmptyString(val):
			out = append(out, base.with("/"+field, field+" must be a non-empty string"))
		}
	}
	if len(out) > 0 {
		return out
	}
	g := GVK{APIVersion: base.APIVersion, Kind: base.Kind}
	root, ok := v.root(g)
	if !ok {
		return []Violation{base.with("", v.unknownKind(g))}
	}
	for _, f := range v.table.Validate(root, map[string]any(obj)) {
		out = append(out, base.with(f.Pointer, f.Reason))
	}
	// No schema requires a name (the API allows generateName instead), but
	// kubectl apply and Flux cannot apply an object without one, so in a
	// rendered manifest a missing name is always a bug.
	if meta, ok := obj["metadata"].(map[string]any); base.Name == "" && (!ok || meta["name"] == nil) {
		out = append(out, base.with("/metadata", `missing required field "name" (objects are applied by name)`))
		sortViolations(out)
	}
	return out
}

func (v Violation) with(pointer, reason string) Violation {
	v.Pointer, v.Reason = pointer, reason
	return v
}

func isNonEmptyString(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

// unknownKind explains a missing schema. The list of known kinds is the
// quickest way to spot a typo or a wrong apiVersion (autoscaling/v1 for an
// HPA, say).
func (v *Validator) unknownKind(g GVK) string {
	kinds := v.Kinds()
	known := make([]string, len(kinds))
	var sameKind []string
	for i, k := range kinds {
		known[i] = k.String()
		if k.Kind == g.Kind {
			sameKind = append(sameKind, k.APIVersion)
		}
	}
	hint := ""
	if len(sameKind) > 0 {
		hint = fmt.Sprintf(" (%s is known with apiVersion %s)", g.Kind, strings.Join(sameKind, ", "))
	}
	return fmt.Sprintf("no schema for apiVersion %s kind %s%s; known kinds are %s",
		g.APIVersion, g.Kind, hint, strings.Join(known, ", "))
}

// ValidateYAML validates a YAML (or JSON) stream of one or more documents.
// file labels violations; a file named kustomization.yaml (or .yml, or
// Kustomization) is validated as a kustomize Kustomization instead of as
// Kubernetes objects.
func (v *Validator) ValidateYAML(file string, data []byte) (Report, error) {
	rep := Report{Files: 1}
	if isKustomizationFile(file) {
		rep.Objects, rep.Violations = validateKustomization(file, data)
		sortViolations(rep.Violations)
		return rep, nil
	}
	docs := splitDocuments(data)
	for i, d := range docs {
		rep.Objects++
		base := Violation{File: file, Index: i, Line: d.line}
		obj, problem := decodeObject(d.data)
		if problem != "" {
			rep.Violations = append(rep.Violations, base.with("", fileLines(problem, d.line)))
			continue
		}
		for _, x := range v.validateJSON(file, i, obj) {
			x.Line = d.line
			rep.Violations = append(rep.Violations, x)
		}
	}
	if len(docs) == 0 {
		// An empty manifest usually means a generator wrote nothing where
		// it meant to write something; saying so beats counting it valid.
		rep.Violations = append(rep.Violations, Violation{File: file, Index: -1, Reason: "no objects in file"})
	}
	sortViolations(rep.Violations)
	return rep, nil
}

var yamlLine = regexp.MustCompile(`\bline (\d+)`)

// fileLines makes a YAML error fit on one line and turns its line numbers,
// which count from the start of the document, into file line numbers.
func fileLines(msg string, docLine int) string {
	if docLine > 1 {
		msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
			n, err := strconv.Atoi(strings.TrimPrefix(m, "line "))
			if err != nil {
				return m
			}
			return "line " + strconv.Itoa(n+docLine-1)
		})
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(msg, ":\n", ":")), " ")
}

// decodeObject strictly decodes one YAML document into JSON values. A
// non-empty problem means the document is not a valid object.
func decodeObject(doc []byte) (map[string]any, string) {
	if obj, ok := decodeFast(doc); ok {
		return obj, ""
	}
	return decodeExact(doc)
}

// decodeExact is decodeObject through sigs.k8s.io/yaml, which reads all
// of YAML and words its errors; decodeFast reads only a common subset,
// faster, to the same values.
func decodeExact(doc []byte) (map[string]any, string) {
	// YAMLToJSONStrict rejects duplicate keys, which plain decoding would
	// resolve silently in favour of the last one.
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, "invalid YAML: " + strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber() // keep 3 and 3.0 apart, and large integers exact
	var val any
	if err := dec.Decode(&val); err != nil {
		return nil, "invalid YAML: " + err.Error()
	}
	obj, ok := val.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("document is %s, not an object", engine.Describe(val))
	}
	return obj, ""
}

// document is one YAML document of a stream and the line it starts on.
type document struct {
	data []byte
	line int
}

// splitDocuments splits a YAML stream at document markers ("---" and
// "..." at the start of a line) and drops documents that hold only
// comments or whitespace. A marker in column 0 always ends a document in
// YAML, even inside a block scalar, so a line scan is exact here. Splitting
// ourselves matters: a YAML decoder handed the whole stream would read the
// first document and silently drop the rest. Documents are slices of data
// (no copy) except one that starts on its marker line.
func splitDocuments(data []byte) []document {
	var docs []document
	// A document is a run of the input, data[from:to], except when it
	// starts on its marker line ("--- a: 1"), whose rest is then prefix.
	var prefix []byte
	from, to := 0, 0
	start, lineNo := 1, 0
	flush := func(next int) {
		cur := data[from:to]
		if prefix != nil {
			cur = append(prefix, cur...)
		}
		if hasContent(cur) {
			docs = append(docs, document{data: cur, line: start})
		}
		prefix, start = nil, next
	}
	for pos := 0; pos < len(data); {
		lineNo++
		end, next := len(data), len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		t := bytes.TrimRight(data[pos:end], "\r")
		switch {
		case isMarker(t, "---"):
			flush(lineNo)
			// Content after "--- " belongs to the new document.
			if rest := bytes.TrimLeft(t[3:], " \t"); len(rest) > 0 {
				prefix = append(append([]byte(nil), rest...), '\n')
			} else {
				start = lineNo + 1
			}
			from, to = next, next
		case isMarker(t, "..."):
			flush(lineNo + 1)
			from, to = next, next
		default:
			to = next
		}
		pos = next
	}
	flush(lineNo + 1)
	return docs
}

func isMarker(line []byte, m string) bool {
	if !bytes.HasPrefix(line, []byte(m)) {
		return false
	}
	rest := line[len(m):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t'
}

// hasContent reports whether a document has anything but blank lines,
// comments and directives.
func hasContent(doc []byte) bool {
	for len(doc) > 0 {
		line := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			line, doc = doc[:i], doc[i+1:]
		} else {
			doc = nil
		}
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' && t[0] != '%' {
			return true
		}
	}
	return false
}

// isJSONValue reports whether v consists only of the types encoding/json
// produces, which is what the schema library accepts.
func isJSONValue(v any) bool {
	switch x := v.(type) {
	case nil, bool, string, json.Number, float64:
		return true
	case map[string]any:
		for _, e := range x {
			if !isJSONValue(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !isJSONValue(e) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// normalize converts arbitrary Go values (ints, typed slices, structs) into
// JSON values by a JSON round trip.
func normalize(obj map[string]any) (map[string]any, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("object cannot be represented as JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("object cannot be represented as JSON: %w", err)
	}
	return out, nil
}

func isKustomizationFile(file string) bool {
	switch filepath.Base(file) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}
