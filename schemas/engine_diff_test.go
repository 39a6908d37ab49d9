package schemas

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discoursegen.dev/discoursegen/schemas/engine"
)

// The differential tests hold the engine to the old validator (the oracle
// in oracle_test.go, jsonschema v5 plus the flattening of its errors):
// for every object, ValidateObject must return exactly the violations the
// oracle returns, pointer and reason strings and order included.

// diffCorpusDirs are the manifests the tests start from: every committed
// render, this package's fixtures, and the generator's and the function's
// test cases (rendered goldens, configs and invalid configs).
var diffCorpusDirs = []string{
	filepath.Join("..", "golden"),
	"testdata",
	filepath.Join("..", "generator", "testdata"),
	filepath.Join("..", "functions", "discourse", "testdata"),
}

// corpusObject is one decoded document of the corpus.
type corpusObject struct {
	label string // file and document number
	obj   map[string]any
}

// loadCorpus decodes every document of every manifest below diffCorpusDirs
// the way ValidateYAML does. Documents that do not decode to an object
// (YAML errors, lists) never reach ValidateObject and are left out.
func loadCorpus(t testing.TB) []corpusObject {
	t.Helper()
	files, errs := collectFiles(diffCorpusDirs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var out []corpusObject
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range splitDocuments(data) {
			obj, problem := decodeObject(d.data)
			if problem == "" {
				out = append(out, corpusObject{label: fmt.Sprintf("%s#%d", f, i), obj: obj})
			}
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d objects in the corpus; were the directories moved?", len(out))
	}
	return out
}

var (
	oracleOnce sync.Once
	oracleVal  *oracle
	oracleErr  error
)

// theOracle is the old validator over the embedded schema files.
func theOracle(t testing.TB) *oracle {
	t.Helper()
	oracleOnce.Do(func() { oracleVal, oracleErr = newOracle(FS()) })
	if oracleErr != nil {
		t.Fatal(oracleErr)
	}
	return oracleVal
}

// errOraclePanicked marks inputs the old validator could not judge: it
// panicked on numbers whose exponent math/big refuses to expand (1e1000001).
// The engine's answer for those is its own (see engine.isInteger).
var errOraclePanicked = fmt.Errorf("the oracle panicked")

func oracleValidate(o *oracle, obj map[string]any) (vs []Violation, err error) {
	defer func() {
		if r := recover(); r != nil {
			vs, err = nil, errOraclePanicked
		}
	}()
	return o.ValidateObject("f.yaml", 0, obj)
}

// unstableList matches the one message whose content the oracle printed in
// random order: the unknown fields of an object when one of the names
// cannot be quoted and read back (a name ending in a backslash), so the
// findings are not split per name. The engine sorts the names.
var unstableList = regexp.MustCompile(`^additionalProperties (.*) not allowed$`)

// stable makes violations comparable despite that randomness.
func stable(vs []Violation) []Violation {
	out := slices.Clone(vs)
	for i, v := range out {
		if m := unstableList.FindStringSubmatch(v.Reason); m != nil {
			names := strings.Split(strings.TrimSuffix(strings.TrimPrefix(m[1], "'"), "'"), "', '")
			slices.Sort(names)
			out[i].Reason = "additionalProperties {" + strings.Join(names, "|") + "} not allowed"
		}
	}
	return out
}

// diffObject compares engine and oracle on obj. It reports whether the
// oracle could judge obj at all.
func diffObject(t *testing.T, v *Validator, o *oracle, label string, obj map[string]any) bool {
	t.Helper()
	want, werr := oracleValidate(o, obj)
	if werr == errOraclePanicked {
		return false
	}
	got, gerr := v.ValidateObject("f.yaml", 0, obj)
	if werr != nil || gerr != nil {
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error: oracle %v, engine %v", label, werr, gerr)
		}
		return true
	}
	if diff := cmp.Diff(stable(want), stable(got)); diff != "" {
		b, _ := json.Marshal(obj)
		t.Errorf("%s: violations differ (-oracle +engine):\n%s\nobject: %s", label, diff, b)
	}
	return true
}

// TestEngineMatchesLibraryOnCorpus checks every object of the corpus as it
// is.
func TestEngineMatchesLibraryOnCorpus(t *testing.T) {
	v, o := mustDefault(t), theOracle(t)
	corpus := loadCorpus(t)
	invalid := 0
	for _, c := range corpus {
		diffObject(t, v, o, c.label, c.obj)
		if vs, _ := v.ValidateObject("", 0, c.obj); len(vs) > 0 {
			invalid++
		}
	}
	t.Logf("%d objects, %d of them with violations", len(corpus), invalid)
}

// TestEngineMatchesLibraryOnMutations breaks the corpus one value at a
// time, guided by the schema: for every map and every value, wrong types,
// null, a removed field, an unknown field, and for each keyword on the
// value's schema the values just on either side of it (minimum and
// maximum, int32 and int64 range, lengths, list sizes, pattern, enum,
// base64 and date-time). A mutation is tried once per kind and schema
// position (list indices ignored), so the three environments' copies of a
// Deployment do not triple the work.
func TestEngineMatchesLibraryOnMutations(t *testing.T) {
	t.Parallel()
	v, o := mustDefault(t), theOracle(t)
	corpus := loadCorpus(t)
	var seen sync.Map
	var mu sync.Mutex
	var total, skipped, failing int
	formsSeen := map[string]int{}
	// The objects are independent; the oracle is the slow side, so share
	// them out between the CPUs.
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for ci := w; ci < len(corpus); ci += workers {
				c := corpus[ci]
				m := &mutator{table: v.table, seen: &seen}
				root, known := v.root(GVK{APIVersion: str(c.obj["apiVersion"]), Kind: str(c.obj["kind"])})
				node := int64(-1)
				if known {
					node = int64(root)
				}
				m.kind = str(c.obj["apiVersion"]) + " " + str(c.obj["kind"])
				m.walk(c.obj, node, "", nil, func(label string) {
					judged := diffObject(t, v, o, c.label+": "+label, c.obj)
					vs, _ := v.ValidateObject("", 0, c.obj)
					mu.Lock()
					defer mu.Unlock()
					total++
					if !judged {
						skipped++
						return
					}
					if len(vs) > 0 {
						failing++
					}
					for _, vi := range vs {
						for _, f := range findingForms {
							if f.MatchString(vi.Reason) {
								formsSeen[f.String()]++
							}
						}
					}
				})
				if t.Failed() {
					return // one broken object is enough to read
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d mutations of %d objects (%d with violations, %d the oracle could not judge)", total, len(corpus), failing, skipped)
	if total < 10000 {
		t.Errorf("only %d mutations; the walk stopped early", total)
	}
	for _, f := range findingForms {
		if formsSeen[f.String()] == 0 {
			t.Errorf("no mutation produced a finding like %s; the mutations no longer reach that keyword", f)
		}
	}
}

// findingForms are the kinds of finding the mutations must produce, one
// or more per keyword the engine implements, so a change to the corpus or
// the schemas cannot quietly leave a keyword untested. The forms no
// object of the corpus can reach (a single-value enum outside apiVersion
// and kind, two oneOf branches matching at once) are covered by
// TestEngineMatchesLibraryOnCustomSchemas.
var findingForms = []*regexp.Regexp{
	regexp.MustCompile(`^unknown field "`),
	regexp.MustCompile(`^additionalProperties '.*' not allowed$`),
	regexp.MustCompile(`^missing required field "`),
	regexp.MustCompile(`^expected \w+, but got \w+$`),
	regexp.MustCompile(`^expected \w+ or \w+, but got \w+$`),
	regexp.MustCompile(`^not a valid quantity`),
	regexp.MustCompile(`^does not match pattern `),
	regexp.MustCompile(`^value must be one of `),
	regexp.MustCompile(` is not a valid base64 string$`),
	regexp.MustCompile(` is not a valid int32 \(out of range\)$`),
	regexp.MustCompile(` is not a valid int64 \(out of range\)$`),
	regexp.MustCompile(` is not a valid RFC 3339 date-time$`),
	regexp.MustCompile(`^must be >= `),
	regexp.MustCompile(`^must be <= `),
	regexp.MustCompile(`^maximum \d+ items required`),
	regexp.MustCompile(`^minimum \d+ items required`),
	regexp.MustCompile(`^length must be >= `),
	regexp.MustCompile(`^length must be <= `),
	regexp.MustCompile(`^maximum \d+ properties allowed`),
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// mutator walks an object beside its schema and changes one value at a
// time, calling check after each change and undoing it afterwards.
type mutator struct {
	table *engine.Table
	kind  string
	seen  *sync.Map
}

var indexToken = regexp.MustCompile(`/[0-9]+(/|$)`)

// try applies one mutation at ptr unless this kind has had it already.
func (m *mutator) try(ptr, label string, apply func() (undo func()), check func(string)) {
	key := m.kind + "|" + indexToken.ReplaceAllString(ptr, "/*$1") + "|" + label
	if _, dup := m.seen.LoadOrStore(key, true); dup {
		return
	}
	undo := apply()
	check(ptr + " " + label)
	undo()
}

// child returns the schema node of a property or item, or -1 when the
// position has no schema of its own (open objects, alternatives).
func (m *mutator) child(node int64, name string, item bool) int64 {
	if node < 0 {
		return -1
	}
	n := m.table.Nodes[node]
	if item {
		if n.Items == 0 {
			return -1
		}
		return int64(n.Items - 1)
	}
	props := m.table.Props[n.Props[0]:n.Props[1]]
	for _, p := range props {
		if p.Name == name {
			return int64(p.Node)
		}
	}
	if n.Additional >= engine.AdditionalSchema {
		return int64(n.Additional - engine.AdditionalSchema)
	}
	return -1
}

// walk mutates val (held by set) and everything below it.
func (m *mutator) walk(val any, node int64, ptr string, set func(any), check func(string)) {
	if set != nil {
		for _, r := range m.replacements(val, node) {
			m.try(ptr, r.label, func() func() {
				set(r.value)
				return func() { set(val) }
			}, check)
		}
	}
	switch x := val.(type) {
	case map[string]any:
		for _, name := range []string{"zzUnknown", "a/b~c", `ends\`, `it's "quoted"`} {
			m.try(ptr, "add "+strconv.Quote(name), func() func() {
				x[name] = "x"
				return func() { delete(x, name) }
			}, check)
		}
		m.try(ptr, "add two unknown", func() func() {
			x["zzA"], x[`zzB\`] = 1, 2
			return func() { delete(x, "zzA"); delete(x, `zzB\`) }
		}, check)
		// Properties the object does not set are where most keywords
		// are: add each, with the values its own keywords are about.
		if node >= 0 {
			n := m.table.Nodes[node]
			for _, p := range m.table.Props[n.Props[0]:n.Props[1]] {
				if _, set := x[p.Name]; set {
					continue
				}
				for _, r := range m.keywordValues(nil, int64(p.Node)) {
					m.try(ptr+"/"+escapeToken(p.Name), "add "+r.label, func() func() {
						x[p.Name] = r.value
						return func() { delete(x, p.Name) }
					}, check)
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			old := x[k]
			m.try(ptr+"/"+escapeToken(k), "remove", func() func() {
				delete(x, k)
				return func() { x[k] = old }
			}, check)
			m.walk(old, m.child(node, k, false), ptr+"/"+escapeToken(k), func(nv any) { x[k] = nv }, check)
		}
	case []any:
		for i, item := range x {
			if i >= 2 {
				break // later items repeat the schema of the first
			}
			m.walk(item, m.child(node, "", true), ptr+"/"+strconv.Itoa(i), func(nv any) { x[i] = nv }, check)
		}
	}
}

type replacement struct {
	label string
	value any
}

// replacements lists the values to try in place of val, whose schema is
// node (-1 for none).
func (m *mutator) replacements(val any, node int64) []replacement {
	rs := []replacement{
		{"null", nil},
		{"true", true},
		{"string", "str"},
		{"integer", json.Number("7")},
		{"fraction", json.Number("1.5")},
		{"3.0", json.Number("3.0")},
		{"1e3", json.Number("1e3")},
		{"list", []any{"a"}},
		{"object", map[string]any{"k": "v"}},
	}
	return append(rs, m.keywordValues(val, node)...)
}

// keywordValues lists the values on either side of each keyword of node,
// and for a node with a type, one value of a type it does not accept.
func (m *mutator) keywordValues(val any, node int64) []replacement {
	var rs []replacement
	if node < 0 {
		return rs
	}
	n := m.table.Nodes[node]
	if n.Types != 0 {
		if n.Types&0xf == engine.TypeString {
			rs = append(rs, replacement{"wrong type", json.Number("7")})
		} else {
			rs = append(rs, replacement{"wrong type", "str"})
		}
	}
	num := func(label, s string) { rs = append(rs, replacement{label, json.Number(s)}) }
	text := func(label, s string) { rs = append(rs, replacement{label, s}) }
	if n.Has&engine.HasMinimum != 0 {
		b := m.table.Numbers[n.Minimum]
		num("minimum", b)
		num("below minimum", addOne(b, -1))
		num("fraction below minimum", subtractHalf(b))
	}
	if n.Has&engine.HasMaximum != 0 {
		b := m.table.Numbers[n.Maximum]
		num("maximum", b)
		num("above maximum", addOne(b, 1))
		num("above maximum as float", addOne(b, 1)+".0")
	}
	switch n.Format {
	case engine.FormatInt32:
		num("int32 max", "2147483647")
		num("int32 max+1", "2147483648")
		num("int32 min-1", "-2147483649")
		num("int32 max+1 exponent", "2.147483648e9")
		num("int32 min", "-2147483648")
	case engine.FormatInt64:
		num("int64 max", "9223372036854775807")
		num("int64 max+1", "9223372036854775808")
		num("int64 min-1", "-9223372036854775809")
		num("int64 huge exponent", "1e30")
		num("int64 fraction", "9223372036854775808.5")
	case engine.FormatByte:
		text("base64", "aGVsbG8=")
		text("base64 with newline", "aGVs\nbG8=")
		text("base64 unpadded", "aGVsbG8")
		text("not base64", "hello world")
	case engine.FormatDateTime:
		text("date-time", "2024-01-02T03:04:05Z")
		text("date-time offset", "2024-01-02T03:04:05.123+01:00")
		text("leap second", "2016-12-31T23:59:60Z")
		text("leap second offset", "2017-01-01T00:59:60+01:00")
		text("wrong leap second", "2016-12-31T22:59:60Z")
		text("bad month", "2024-13-02T03:04:05Z")
		text("no zone", "2024-01-02T03:04:05")
		text("space", "2024-01-02 03:04:05Z")
		text("signed hour", "2024-01-02T+1:04:05Z")
	}
	if n.Pattern != 0 {
		text("pattern empty", "")
		text("pattern junk", "!! not valid !!")
		text("quantity with space", "1 GB")
		text("quantity decimal exponent", "1e1.5")
		text("quantity", "500m")
	}
	if n.Enum[1] > n.Enum[0] {
		text("enum miss", "NotInTheEnum")
		if e := m.table.Enums[n.Enum[0]]; !e.Null {
			text("enum hit", e.Str)
			text("enum case", strings.ToUpper(e.Str))
		}
	}
	if n.Has&engine.HasMaxLength != 0 {
		text("max length", strings.Repeat("a", int(n.MaxLength)))
		text("over max length", strings.Repeat("é", int(n.MaxLength)+1))
	}
	if n.Has&engine.HasMinLength != 0 && n.MinLength > 0 {
		text("under min length", strings.Repeat("a", int(n.MinLength)-1))
	}
	if n.Has&engine.HasMaxItems != 0 {
		items := make([]any, n.MaxItems+1)
		for i := range items {
			items[i] = "x"
			if l, ok := val.([]any); ok && len(l) > 0 {
				items[i] = l[0]
			}
		}
		rs = append(rs, replacement{"over max items", items})
	}
	if n.Has&engine.HasMinItems != 0 {
		rs = append(rs, replacement{"no items", []any{}})
	}
	if n.Has&engine.HasMaxProperties != 0 {
		obj := map[string]any{}
		for i := range int(n.MaxProperties) + 1 {
			obj[fmt.Sprintf("k%d", i)] = "v"
		}
		rs = append(rs, replacement{"over max properties", obj})
	}
	return rs
}

// addOne adds delta to an integer bound written in a schema.
func addOne(bound string, delta int64) string {
	i, err := strconv.ParseInt(bound, 10, 64)
	if err != nil {
		return bound
	}
	return strconv.FormatInt(i+delta, 10)
}

// subtractHalf is the bound minus one half, as a decimal.
func subtractHalf(bound string) string {
	i, err := strconv.ParseInt(bound, 10, 64)
	if err != nil {
		return bound
	}
	return strconv.FormatInt(i-1, 10) + ".5"
}

// customSchema uses every keyword the engine implements, in the
// combinations our schemas do not have but a future one might: two oneOf
// branches that both match, alternatives nested in alternatives, a
// single-value enum, null first in an enum, property names that need
// escaping or that the library's quoting cannot read back, bounds that are
// not integers, and keywords on a schema without a type.
const customSchema = `{
  "$schema": "http://json-schema.org/draft-04/schema#",
  "x-kubernetes-group-version-kind": [{"group": "test.dev", "version": "v1", "kind": "Widget"}],
  "type": "object",
  "required": ["apiVersion", "kind", "metadata"],
  "additionalProperties": false,
  "properties": {
    "apiVersion": {"type": "string", "enum": ["test.dev/v1"]},
    "kind": {"type": "string", "enum": ["Widget"]},
    "metadata": {"type": "object"},
    "single": {"enum": ["only"]},
    "nullFirst": {"enum": [null, "a", "b"]},
    "nullable": {"type": ["string", "null"], "enum": ["x", null]},
    "both": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    "nested": {"oneOf": [{"anyOf": [{"type": "string"}, {"type": "boolean"}]}, {"type": "array"}]},
    "mixed": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "string", "pattern": "^a+$"}]},
    "quantity": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}], "pattern": "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?[0-9]+))?$"},
    "props": {"type": "object", "maxProperties": 3, "additionalProperties": {"type": "integer"}},
    "list": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string", "minLength": 2, "maxLength": 3}},
    "dur": {"type": "string", "format": "duration"},
    "b": {"format": "byte"},
    "dt": {"format": "date-time"},
    "n": {"type": "number", "minimum": -1.5, "maximum": 1e3},
    "i32": {"type": ["integer", "null"], "format": "int32"},
    "i64": {"type": "integer", "format": "int64"},
    "weird": {"type": "object", "required": ["a\\", "b'c", "d\"e"], "additionalProperties": false,
      "properties": {"~/": {"type": "null"}, "a\\": {"type": "string"}, "b'c": {"type": "string"}, "d\"e": {"type": "string"}}},
    "untyped": {"minLength": 1, "minimum": 3, "maxItems": 0, "maxProperties": 0},
    "onlyNull": {"type": "null"},
    "int": {"type": "integer"}
  }
}`

// customInstances are the values tried for the properties of customSchema,
// as JSON.
var customInstances = map[string][]string{
	"single":    {`"only"`, `"other"`, `null`, `1`},
	"nullFirst": {`null`, `"a"`, `"c"`, `true`},
	"nullable":  {`"x"`, `null`, `"y"`, `1`},
	"both":      {`1`, `1.5`, `"1"`, `null`, `3.0`},
	"nested":    {`"s"`, `true`, `[]`, `1`, `null`, `{}`},
	"mixed":     {`3`, `0`, `6`, `"aaa"`, `"b"`, `1.5`, `true`, `null`},
	"quantity":  {`"1Gi"`, `"1 GB"`, `1`, `null`, `true`, `[]`},
	"props":     {`{"a": 1, "b": 2}`, `{"a": 1}`, `{"a": 1, "b": 2, "c": 3, "d": 4}`, `{"a": "x", "b": 1.5}`, `[]`},
	"list":      {`["ab"]`, `[]`, `["ab", "cd", "ef"]`, `["a", "abcd", 1]`, `["ééé", "éééé"]`},
	"dur":       {`"5m"`, `"1h30m"`, `"PT5M"`, `"P1D"`, `"P2W"`, `"P1DT"`, `"P1Y2M3DT4H5M6S"`, `"5 minutes"`, `"P"`, `"PT"`, `""`, `"P1W2D"`, `"PT1H1D"`},
	"b":         {`"aGVsbG8="`, `"aGVsbG8"`, `"a b"`, `"aGVs\r\nbG8="`, `1`, `""`},
	"dt": {`"2024-01-02T03:04:05Z"`, `"2024-01-02t03:04:05z"`, `"2024-01-02T03:04:05.5-23:59"`, `"2024-01-02T03:04:05."`,
		`"2024-01-02T03:04:60+00:00"`, `"2024-12-31T23:59:60Z"`, `"2024-12-31T23:59:60-00:30"`, `"2024-02-30T00:00:00Z"`,
		`"2024-01-02T03:04:05+0100"`, `"2024-01-02T-3:04:05Z"`, `"2024-01-02T03:04:05Zx"`, `"short"`, `12`},
	"n":        {`-1.5`, `-1.6`, `1000`, `1000.0001`, `1e3`, `1e4`, `-2`, `"1"`, `-1.50`, `-15e-1`, `-0.15e1`, `0.001e6`, `1e999999`, `-1e999999`, `1e-999999`},
	"i32":      {`2147483647`, `2147483648`, `-2147483648`, `-2147483649`, `2.147483648e9`, `21474836470e-1`, `1.5`, `null`, `1e1000`},
	"i64":      {`9223372036854775807`, `9223372036854775808`, `-9223372036854775809`, `1e19`, `1e18`, `0.5e1`, `-0`, `1e999999`, `1.5e-999999`, `1e1000001`, `0e99999999`, `10e-1`},
	"weird":    {`{}`, `{"~/": 1}`, `{"a\\": "x", "b'c": "y", "d\"e": "z", "~/": null}`, `{"x\\": 1, "y": 2}`, `{"\u00e9\u0000": 1}`},
	"untyped":  {`""`, `"x"`, `2`, `3`, `[]`, `[1]`, `{}`, `{"a": 1}`, `null`},
	"onlyNull": {`null`, `1`, `"x"`},
	"int":      {`1`, `1.0`, `1e2`, `1.5`, `-0.0`, `1e-2`, `100e-2`, `"1"`},
	"unknown":  {`1`},
}

// TestEngineMatchesLibraryOnCustomSchemas compares engine and oracle on
// customSchema, one property value at a time and all the bad ones at once.
func TestEngineMatchesLibraryOnCustomSchemas(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "widget.json"), []byte(customSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := New(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	o, err := newOracle(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	base := func() map[string]any {
		return map[string]any{"apiVersion": "test.dev/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}}
	}
	all := base()
	checked := 0
	for _, prop := range slices.Sorted(maps.Keys(customInstances)) {
		for _, inst := range customInstances[prop] {
			val, err := decodeJSON(inst)
			if err != nil {
				t.Fatalf("%s: %s: %v", prop, inst, err)
			}
			obj := base()
			obj[prop] = val
			if diffObject(t, v, o, prop+"="+inst, obj) {
				checked++
			}
			all[prop] = val
		}
	}
	diffObject(t, v, o, "all at once", all)
	if checked < 100 {
		t.Errorf("only %d instances judged by the oracle", checked)
	}
}

func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
