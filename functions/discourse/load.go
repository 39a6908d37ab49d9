package discourse

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/schemas"
	"sigs.k8s.io/yaml"
)

// Problem is one thing wrong with a config, tied to its field path.
type Problem struct {
	// Path is dotted, as users write YAML: spec.web.replicas,
	// spec.env[2].name. Empty when the problem concerns the whole document.
	Path    string
	Message string
}

// ConfigError lists every problem of one config, so a user fixes them all
// in one round instead of one per run.
type ConfigError struct {
	Source   string
	Problems []Problem
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: invalid Discourse config (%d problem", e.Source, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// Supported lists the config versions this function understands.
var Supported = []string{generator.APIVersion + " " + generator.Kind}

// Load parses one config document and checks it in two layers: first the
// JSON schema (types, enums, ranges, unknown fields) through the same
// validator that checks rendered output, then a strict decode into the Go
// types. Semantic checks run later, in generator.Render. source names the
// config in messages.
func Load(source string, data []byte) (*generator.Discourse, error) {
	var obj map[string]any
	if err := yaml.UnmarshalStrict(data, &obj); err != nil {
		return nil, &ConfigError{Source: source, Problems: []Problem{{Message: "not a YAML object: " + err.Error()}}}
	}
	if obj == nil {
		return nil, &ConfigError{Source: source, Problems: []Problem{{Message: "empty document; expected a Discourse config"}}}
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion != generator.APIVersion || kind != generator.Kind {
		return nil, &ConfigError{Source: source, Problems: []Problem{{
			Path:    "apiVersion",
			Message: fmt.Sprintf("unsupported apiVersion %q kind %q; supported: %s", apiVersion, kind, strings.Join(Supported, ", ")),
		}}}
	}
	v, err := schemas.Default()
	if err != nil {
		return nil, fmt.Errorf("loading schemas: %w", err)
	}
	violations, err := v.ValidateObject(source, 0, obj)
	if err != nil {
		return nil, fmt.Errorf("validating %s: %w", source, err)
	}
	if len(violations) > 0 {
		cerr := &ConfigError{Source: source}
		for _, viol := range violations {
			msg := viol.Reason
			if strings.HasPrefix(msg, "unknown field") {
				if allowed := allowedFields(viol.Pointer); len(allowed) > 0 {
					msg += "; allowed: " + strings.Join(allowed, ", ")
				}
			}
			cerr.Problems = append(cerr.Problems, Problem{Path: dotted(viol.Pointer), Message: msg})
		}
		return nil, cerr
	}
	var d generator.Discourse
	if err := yaml.UnmarshalStrict(data, &d); err != nil {
		// The schema is derived from these types, so this is a backstop for
		// a drift the schema test would also catch.
		return nil, &ConfigError{Source: source, Problems: []Problem{{Message: err.Error()}}}
	}
	return &d, nil
}

// Render loads a config and renders it: all problems, schema or semantic,
// come back as one ConfigError.
func Render(source string, data []byte) ([]generator.Object, error) {
	d, err := Load(source, data)
	if err != nil {
		return nil, err
	}
	objs, err := generator.Render(d)
	if err != nil {
		return nil, asConfigError(source, err)
	}
	return objs, nil
}

// asConfigError turns the generator's joined field errors into Problems.
func asConfigError(source string, err error) error {
	var joined interface{ Unwrap() []error }
	errs := []error{err}
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	cerr := &ConfigError{Source: source}
	for _, e := range errs {
		var fe *generator.FieldError
		if !errors.As(e, &fe) {
			return fmt.Errorf("rendering %s: %w", source, err)
		}
		cerr.Problems = append(cerr.Problems, Problem{Path: fe.Path, Message: fe.Message})
	}
	sort.SliceStable(cerr.Problems, func(i, j int) bool { return cerr.Problems[i].Path < cerr.Problems[j].Path })
	return cerr
}

// allowedFields lists the fields the config schema allows next to the
// unknown field at pointer, so a typo's message shows the right spelling.
func allowedFields(pointer string) []string {
	raw, err := generator.ConfigSchema()
	if err != nil {
		return nil
	}
	var node map[string]any
	if json.Unmarshal(raw, &node) != nil {
		return nil
	}
	tokens := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for _, tok := range tokens[:len(tokens)-1] {
		if items, ok := node["items"].(map[string]any); ok {
			node = items
			continue
		}
		props, _ := node["properties"].(map[string]any)
		next, ok := props[tok].(map[string]any)
		if !ok {
			return nil
		}
		node = next
	}
	props, _ := node["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// dotted turns a JSON pointer (/spec/env/2/name) into the path users
// write (spec.env[2].name).
func dotted(pointer string) string {
	if pointer == "" {
		return ""
	}
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteString(".")
		}
		b.WriteString(tok)
	}
	return b.String()
}
