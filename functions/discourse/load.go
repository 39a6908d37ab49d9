package discourse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/generator"
	"discoursegen.dev/discoursegen/schemas"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// Config is what every version of the config API provides: kyaml's
// Defaulter and Validator conventions, with defaulting that cannot fail
// and problems as a field.ErrorList.
type Config interface {
	Default()
	Validate() field.ErrorList
}

// api is one version of the config: how to make an empty one, how to judge
// a decoded one and how to render it.
type api struct {
	new func() Config
	// validate defaults and validates a copy: the decoded config itself
	// stays as the user wrote it.
	validate func(Config) field.ErrorList
	render   func(Config) ([]generator.Object, field.ErrorList)
}

// apis is the one dispatch on apiVersion and kind (kyaml's GVKFilterMap
// idea). A v1beta1 adds an entry here, with a conversion to what the
// generator builds from; v1alpha1 configs keep working.
var apis = map[schema.GroupVersionKind]api{
	v1alpha1.GroupVersionKind: {
		new: func() Config { return &v1alpha1.Discourse{} },
		validate: func(c Config) field.ErrorList {
			d := c.(*v1alpha1.Discourse).DeepCopy()
			d.Default()
			return d.Validate()
		},
		render: func(c Config) ([]generator.Object, field.ErrorList) {
			return generator.Render(*c.(*v1alpha1.Discourse))
		},
	},
}

// supported lists the versions in apis for messages.
func supported() string {
	var out []string
	for gvk := range apis {
		out = append(out, gvk.GroupVersion().String()+" "+gvk.Kind)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// problem is a field.Error about the document as a whole, which has no
// path.
func problem(detail string) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Detail: detail}
}

// Render loads one config document (YAML or JSON) and renders it. It
// decodes the document once and reports every problem together: schema
// violations (types, enums, ranges, unknown fields) and, where the config
// decodes at all, the semantic ones of Validate, sorted by field path. A
// field the schema rejected is not judged again.
//
// The limits come first, each before the work it bounds: the size
// (MaxConfigBytes) before any parsing, the number of values
// (MaxConfigValues, aliases expanded) before any decoding, and the length
// of each list before the schema judges its entries.
func Render(data []byte) ([]generator.Object, field.ErrorList) {
	if err := CheckSize(int64(len(data)), false); err != nil {
		return nil, field.ErrorList{problem(err.Error())}
	}
	return render(data)
}

// render is Render for a config whose size is already checked: the
// function checks its functionConfig as YAML, and passes it on as JSON,
// which is larger.
func render(data []byte) ([]generator.Object, field.ErrorList) {
	cfg, v, errs := load(data)
	if cfg == nil || len(errs) > 0 {
		return nil, errs
	}
	return v.render(cfg)
}

func load(data []byte) (Config, api, field.ErrorList) {
	if errs := documentProblems(data); len(errs) > 0 {
		return nil, api{}, errs
	}
	// YAMLToJSONStrict refuses duplicate keys, which a lenient parser
	// would silently resolve to the last one. JSON input passes through.
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, api{}, field.ErrorList{problem("not a YAML object: " + err.Error())}
	}
	return loadJSON(j)
}

// renderJSON is render for one JSON object that kyaml has already parsed
// and checked (RenderNode): it is decoded once, with no YAML round trip.
func renderJSON(j []byte) ([]generator.Object, field.ErrorList) {
	cfg, v, errs := loadJSON(j)
	if cfg == nil || len(errs) > 0 {
		return nil, errs
	}
	return v.render(cfg)
}

// loadJSON decodes and judges one config given as a JSON object.
func loadJSON(j []byte) (Config, api, field.ErrorList) {
	// Numbers stay exact (json.Number) until the schema has judged them:
	// as float64, 9223372036854775807 would be reported as
	// -9223372036854775808, and 2147483647 as 2.147483647e+09.
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, api{}, field.ErrorList{problem("not a YAML object: " + err.Error())}
	}
	if obj == nil {
		return nil, api{}, field.ErrorList{problem("empty document; expected a Discourse config")}
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	v, ok := apis[schema.FromAPIVersionAndKind(apiVersion, kind)]
	if !ok {
		return nil, api{}, field.ErrorList{field.Invalid(field.NewPath("apiVersion"), apiVersion,
			fmt.Sprintf("unsupported apiVersion %q kind %q; supported: %s", apiVersion, kind, supported()))}
	}
	gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
	if errs, err := listLimits(gvk, obj); err != nil || len(errs) > 0 {
		if err != nil {
			errs = field.ErrorList{problem(err.Error())}
		}
		return nil, api{}, errs
	}
	errs, err := schemaErrors(gvk, obj)
	if err != nil {
		return nil, api{}, field.ErrorList{problem(err.Error())}
	}
	cfg := v.new()
	// The schema is derived from the Go types, so a config it accepts
	// decodes; on one it rejects, a failed decode only repeats the
	// schema's findings.
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(schemas.GoNumbers(obj).(map[string]any), cfg, true); err != nil {
		if len(errs) == 0 {
			errs = append(errs, problem(err.Error()))
		}
		return nil, api{}, errs
	}
	rejected := map[string]bool{}
	for _, e := range errs {
		rejected[e.Field] = true
		// The schema reports a missing field at its parent.
		if name, ok := strings.CutPrefix(e.Detail, "missing required field "); ok {
			if name, err := strconv.Unquote(name); err == nil {
				rejected[e.Field+"."+name] = true
			}
		}
	}
	schemaRefused := len(errs) > 0
	for _, e := range v.validate(cfg) {
		if rejected[e.Field] || schemaRefused && isRangeError(e) {
			continue
		}
		errs = append(errs, e)
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return cfg, v, errs
}

// isRangeError is true for Validate's own minimum and maximum checks
// (checkConstraints in api/v1alpha1, worded like the schema's). Once the
// schema has refused a value, these only repeat it, or report a default
// derived from it (an autoscaler's bounds taken from a refused replica
// count), which the user never wrote.
func isRangeError(e *field.Error) bool {
	return strings.HasPrefix(e.Detail, "must be >= ") || strings.HasPrefix(e.Detail, "must be <= ")
}

// schemaErrors checks the config against its JSON schema, the same
// validator that checks rendered output.
func schemaErrors(gvk schema.GroupVersionKind, obj map[string]any) (field.ErrorList, error) {
	v, err := schemas.Default()
	if err != nil {
		return nil, fmt.Errorf("loading schemas: %w", err)
	}
	violations, err := v.ValidateObject("", 0, obj)
	if err != nil {
		return nil, err
	}
	var errs field.ErrorList
	for _, viol := range violations {
		msg := integralBound(viol.Reason)
		if strings.HasPrefix(msg, "unknown field") {
			if allowed := allowedFields(gvk, viol.Pointer); len(allowed) > 0 {
				msg += "; allowed: " + strings.Join(allowed, ", ")
			}
		}
		errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, Field: fieldPath(viol.Pointer), Detail: msg})
	}
	return errs, nil
}

// rangeReason is the schema validator's message for a minimum or maximum.
var rangeReason = regexp.MustCompile(`^must be ([<>]=) (\S+) but found `)

// integralBound writes the bound of a range message as the integer it is:
// the validator prints it as a float, and 2.147483647e+09 is not how
// anyone writes the largest int32.
func integralBound(msg string) string {
	m := rangeReason.FindStringSubmatchIndex(msg)
	if m == nil {
		return msg
	}
	f, err := strconv.ParseFloat(msg[m[4]:m[5]], 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return msg
	}
	return msg[:m[4]] + strconv.FormatInt(int64(f), 10) + msg[m[5]:]
}

// allowedFields lists the fields the config schema allows next to the
// unknown field at pointer, so a typo's message shows the right spelling.
func allowedFields(gvk schema.GroupVersionKind, pointer string) []string {
	b, err := schemas.ConfigSchema(gvk)
	if err != nil {
		return nil
	}
	var node map[string]any
	if json.Unmarshal(b, &node) != nil {
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
	return slices.Sorted(maps.Keys(props))
}

// fieldPath turns a JSON pointer (/spec/env/2/name) into the field path
// users write (spec.env[2].name).
func fieldPath(pointer string) string {
	if pointer == "" {
		return ""
	}
	var p *field.Path
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		i, err := strconv.Atoi(tok)
		switch {
		case err == nil && p != nil:
			p = p.Index(i)
		case p == nil:
			p = field.NewPath(tok)
		default:
			p = p.Child(tok)
		}
	}
	return p.String()
}

// Describe formats problems the way the CLI and errors.txt show them: one
// line per problem, path first, under a line naming the source.
func Describe(source string, errs field.ErrorList) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: invalid Discourse config (%d problem", source, len(errs))
	if len(errs) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, e := range errs {
		b.WriteString("\n  ")
		if e.Field != "" {
			b.WriteString(e.Field + ": ")
		}
		b.WriteString(e.Detail)
	}
	return b.String()
}
