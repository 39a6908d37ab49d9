package engine

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
)

// TestDecimalMatchesBigRat holds the digit arithmetic to math/big, which
// the library used: integer test, order, and which literals math/big
// accepts at all.
func TestDecimalMatchesBigRat(t *testing.T) {
	literals := []string{
		"0", "-0", "0.0", "0e5", "1", "-1", "10", "1.0", "1.50", "3.0", "1e3", "1E3", "1e+3", "1e-3",
		"15e-1", "0.15e1", "100e-2", "-0.0e-7", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "2147483647", "2147483648", "2.147483648e9",
		"21474836470e-1", "1e19", "1e20", "1e21", "123456789012345678901234567890",
		"1e999999", "1e1000000", "1e1000001", "1.5e1000000", "10e-1000001", "1e-1000000",
		"0e99999999999999999999", "1e99999999999999999999", "1e-99999999999999999999",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		if r.IntN(3) == 0 {
			b.WriteByte('-')
		}
		b.WriteString(fmt.Sprint(r.IntN(3000)))
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, ".%0*d", 1+r.IntN(4), r.IntN(1000))
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "e%d", r.IntN(30)-15)
		}
		literals = append(literals, b.String())
	}
	parsed := make([]decimal, len(literals))
	rats := make([]*big.Rat, len(literals))
	for i, s := range literals {
		d, ok := parseDecimal(s)
		if !ok {
			t.Fatalf("parseDecimal(%q) failed", s)
		}
		rat, ratOK := new(big.Rat).SetString(s)
		if d.bigOK != ratOK {
			t.Errorf("%s: bigOK = %v, math/big accepts it: %v", s, d.bigOK, ratOK)
		}
		if ratOK && d.isInt() != rat.IsInt() {
			t.Errorf("%s: isInt = %v, math/big says %v", s, d.isInt(), rat.IsInt())
		}
		parsed[i] = d
		if ratOK && len(s) < 40 && !strings.Contains(s, "e99") && !strings.Contains(s, "e1000") && !strings.Contains(s, "e-1000") {
			rats[i] = rat
		}
	}
	for i := range literals {
		for j := range literals {
			if rats[i] == nil || rats[j] == nil || (i%7 != 0 && j%7 != 0) {
				continue
			}
			if got, want := parsed[i].cmp(parsed[j]), rats[i].Cmp(rats[j]); got != want {
				t.Fatalf("cmp(%s, %s) = %d, math/big says %d", literals[i], literals[j], got, want)
			}
		}
	}
	// The far-out literals order by magnitude too.
	order := []string{"-1e99999999999999999999", "-1e1000001", "-1", "1e-99999999999999999999", "1e-1000001", "1", "1e1000001", "1e99999999999999999999"}
	for i := 1; i < len(order); i++ {
		a, _ := parseDecimal(order[i-1])
		b, _ := parseDecimal(order[i])
		if a.cmp(b) != -1 || b.cmp(a) != 1 {
			t.Errorf("%s < %s does not hold", order[i-1], order[i])
		}
	}
}

// TestCompileRefuses checks that a schema the engine cannot check fully
// is refused, with the file and pointer of the offending keyword.
func TestCompileRefuses(t *testing.T) {
	tests := []struct {
		name, schema, want string
	}{
		{"unknown keyword", `{"properties": {"spec": {"type": "object", "allOf": [{"type": "object"}]}}}`,
			`k.json: /properties/spec/allOf: unsupported keyword "allOf"`},
		{"misspelt keyword", `{"properties": {"a": {"maxLenght": 3}}}`,
			`k.json: /properties/a/maxLenght: unsupported keyword "maxLenght"`},
		{"nullable", `{"nullable": true}`, `k.json: /nullable: unsupported keyword "nullable"`},
		{"keyword no schema of ours uses", `{"minProperties": 1}`, `k.json: /minProperties: unsupported keyword "minProperties"`},
		{"ref", `{"items": {"$ref": "#/definitions/x"}}`, `k.json: /items/$ref: unsupported keyword "$ref"`},
		{"unknown format", `{"format": "email"}`, `k.json: /format: unsupported format email`},
		{"tuple items", `{"items": [{"type": "string"}]}`, `k.json: /items: items as a list of schemas`},
		{"number enum", `{"enum": ["a", 1]}`, `k.json: /enum/1: enum values must be strings or null`},
		{"duplicate enum", `{"enum": ["a", "a"]}`, `k.json: /enum/1: enum values must be distinct`},
		{"bad type", `{"type": "str"}`, `k.json: /type: unknown type "str"`},
		{"empty required", `{"required": []}`, `k.json: /required: required must be a non-empty list`},
		{"negative limit", `{"maxItems": -1}`, `k.json: /maxItems: maxItems must be a non-negative integer`},
		{"fractional limit", `{"maxLength": 1.5}`, `k.json: /maxLength: maxLength must be a non-negative integer`},
		{"bad pattern", `{"pattern": "(("}`, `k.json: /pattern: pattern is not a Go regular expression`},
		{"other draft", `{"$schema": "http://json-schema.org/draft-07/schema#"}`, `k.json: /$schema: only JSON schema draft 4`},
		{"property named like a keyword", `{"properties": {"oneOf": {}}}`, `k.json: /properties/oneOf: a property named "oneOf" is not supported`},
		{"schema not an object", `{"properties": {"a": true}}`, `k.json: /properties/a: a schema must be an object`},
		{"escaped pointer", `{"properties": {"a/b~c": {"minimum": "1"}}}`, `k.json: /properties/a~1b~0c/minimum: minimum must be a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema := `{"x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "K"}],` + strings.TrimPrefix(tt.schema, "{")
			_, err := Compile(fstest.MapFS{"k.json": {Data: []byte(schema)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestCompileSharesSubtrees checks the hash-consing: equal subtrees are one
// node, whatever their annotations, across files.
func TestCompileSharesSubtrees(t *testing.T) {
	container := `{"type": "object", "description": "%s", "x-kubernetes-list-type": "atomic", "properties": {"name": {"type": "string", "description": "%s"}}}`
	file := func(kind, desc string) []byte {
		return []byte(fmt.Sprintf(`{"x-kubernetes-group-version-kind": [{"version": "v1", "kind": %q}], "type": "object", "properties": {"a": %s, "b": %s}}`,
			kind, fmt.Sprintf(container, desc, desc), fmt.Sprintf(container, desc+"!", "other")))
	}
	tab, err := Compile(fstest.MapFS{"a.json": {Data: file("A", "one")}, "b.json": {Data: file("B", "two")}})
	if err != nil {
		t.Fatal(err)
	}
	// name's string, the container, and one root for the two kinds
	// (their roots differ only in descriptions too).
	if len(tab.Nodes) != 3 || tab.Kinds[0].Root != tab.Kinds[1].Root {
		t.Errorf("got %d nodes and roots %d, %d; want 3 nodes and one root", len(tab.Nodes), tab.Kinds[0].Root, tab.Kinds[1].Root)
	}
}

// TestGoSourceIsStable renders the same table twice.
func TestGoSourceIsStable(t *testing.T) {
	fsys := fstest.MapFS{"k.json": {Data: []byte(`{"x-kubernetes-group-version-kind": [{"version": "v1", "kind": "K"}],
		"type": "object", "required": ["a"], "properties": {"a": {"type": ["string", "null"], "enum": ["x", null], "pattern": "^x$"},
		"n": {"type": "integer", "minimum": 0, "maximum": 10, "format": "int32"}, "l": {"type": "array", "maxItems": 0, "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}}`)}}
	var out [2][]byte
	for i := range out {
		tab, err := Compile(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = tab.GoSource("p", "v", "test"); err != nil {
			t.Fatal(err)
		}
	}
	if string(out[0]) != string(out[1]) {
		t.Error("two renderings differ")
	}
	for _, want := range []string{"MaxItems: 0", "`^x$`", "{Null: true}", "Has: 0x3, Format: 2, Maximum: 1"} {
		if !strings.Contains(string(out[0]), want) {
			t.Errorf("source lacks %q:\n%s", want, out[0])
		}
	}
}

// TestDecimalInt64 checks the int64 conversion at the edges of the range.
func TestDecimalInt64(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"-9223372036854775809", "92233720368547758070e-1", "9.223372036854775807e18", "1e18", "1e19", "-1e19", "123e2", "12300e-2"} {
		d, _ := parseDecimal(s)
		got, ok := d.int64()
		r, _ := new(big.Rat).SetString(s)
		want := r.Num()
		if ok != want.IsInt64() || (ok && got != want.Int64()) {
			t.Errorf("int64(%s) = %d, %v; want %v, %v", s, got, ok, want, want.IsInt64())
		}
	}
}
