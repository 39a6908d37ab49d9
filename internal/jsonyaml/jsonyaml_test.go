package jsonyaml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// corpusRoots are the repository's YAML files the tests convert: every
// rendered object, the generator's golden streams and the schema fixtures.
var corpusRoots = []string{
	"../../golden",
	"../../generator/testdata",
	"../../schemas/testdata",
}

// corpusObject is one YAML document of the corpus, decoded as kustomize
// holds it before printing.
type corpusObject struct {
	name string
	v    map[string]any
}

// loadCorpus decodes every document of every .yaml file under roots that
// is a mapping; documents that are not YAML or not mappings are skipped
// (some fixtures are invalid on purpose).
func loadCorpus(tb testing.TB, roots ...string) []corpusObject {
	tb.Helper()
	var objs []corpusObject
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			text := strings.TrimPrefix(string(data), "---\n")
			for i, doc := range strings.Split(text, "\n---\n") {
				v, ok := decodeYAMLObject([]byte(doc))
				if !ok {
					continue
				}
				objs = append(objs, corpusObject{name: fmt.Sprintf("%s#%d", path, i), v: v})
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return objs
}

// decodeYAMLObject decodes a YAML mapping as kustomize's resources hold
// it: YAML to JSON, then JSON with UseNumber.
func decodeYAMLObject(doc []byte) (map[string]any, bool) {
	j, err := sigsyaml.YAMLToJSON(doc)
	if err != nil {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil || v == nil {
		return nil, false
	}
	return v, true
}

// checkSame asserts that Marshal(v) is what sigs.k8s.io/yaml.Marshal(v)
// returns, byte for byte (or that both fail). It reports whether v went
// through the fast path.
//
// On the slow path Marshal's output is sigs.k8s.io/yaml's by construction,
// and may differ from one call to the next: keys that yaml.v2 does not
// order consistently come out in an order that depends on Go's map
// iteration, and the fast path may give up on such a mapping for another
// reason first (a key that is not UTF-8, say). So there only the errors
// are compared.
func checkSame(t *testing.T, name string, v map[string]any) (fast bool) {
	t.Helper()
	want, wantErr := sigsyaml.Marshal(v)
	got, err := Marshal(v)
	_, fastErr := appendFast(nil, v)
	if (err != nil) != (wantErr != nil) {
		t.Errorf("%s: error %v, sigs.k8s.io/yaml's %v", name, err, wantErr)
		return fastErr == nil
	}
	if fastErr != nil {
		return false
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: output differs from sigs.k8s.io/yaml's (fast path: %v)\n got: %q\nwant: %q\n%s",
			name, fastErr == nil, got, want, firstDifference(got, want))
	}
	return fastErr == nil
}

// firstDifference shows the lines around the first byte that differs.
func firstDifference(got, want []byte) string {
	n := 0
	for n < len(got) && n < len(want) && got[n] == want[n] {
		n++
	}
	from := bytes.LastIndexByte(got[:n], '\n') + 1
	return fmt.Sprintf("first difference at byte %d:\n got line: %q\nwant line: %q", n,
		lineAt(got, from), lineAt(want, from))
}

func lineAt(b []byte, from int) []byte {
	if from > len(b) {
		return nil
	}
	b = b[from:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return b
}

func TestMarshalMatchesYAMLOnCorpus(t *testing.T) {
	objs := loadCorpus(t, corpusRoots...)
	if len(objs) < 100 {
		t.Fatalf("only %d objects in the corpus; are the roots right?", len(objs))
	}
	for _, o := range objs {
		if !checkSame(t, o.name, o.v) {
			t.Errorf("%s: took the slow path; every object the tool renders should be fast", o.name)
		}
	}
}

// trickyStrings exercise each rule of yaml.v2's choice of style and its
// line folding.
var trickyStrings = []string{
	"", " ", "  ", "a", "-", "--", "---", "----", "--- a", "...", "....", "... a", "- a", "-a", "a -", "a - b",
	"?", "? a", "?a", "a?", ":", ": a", ":a", "a:", "a: b", "a:b", "a :b", "a:\tb", "a :", "http://x",
	"#", "# a", "#a", "a#", "a #b", "a#b", "a\t#b", ",", ",a", "a,b", "[", "[a]", "a[b]", "]", "{", "{}", "a{b}", "}",
	"&", "&a", "a&b", "*", "*a", "!", "!a", "!!str", "|", "|a", ">", ">a", "'", "'a'", "a'b", "it's", "''",
	`"`, `"a"`, `a"b`, `\`, `a\b`, "%", "%a", "@", "@a", "`", "`a", "a`",
	" a", "a ", " a ", "a  b", "a   b ", "\ta", "a\t", "a\tb", "a\r", "a\rb", "\r\n", "a\x00b", "\x01", "\x1b[0m",
	"\x08\x0b\x0c\x07", "a\u00a0b", "\u00a0", "\ufeff", "\ufeffa b", "a\ufeff", "\u2028", "a\u2028b", "a\u2029", "\u2028a",
	"a \u2028b", "a\u2028 b", "é", "café", "日本語", "日本 語 ", "😀", "a😀b", "\U0010ffff", "\ue000", "\ufffd", "\ufffc",
	"y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "tRue", "false", "False",
	"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "nULL", "~", "~a", "<<", "=", "t", "f", "o",
	"0", "1", "-1", "+1", "01", "0777", "0o17", "0O17", "0x1F", "0X1f", "0b101", "0B101", "-0b101", "0b-1", "0b+1", "+0x1f",
	"1_000", "_1", "1_", "0x_1f", "1__0", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "1.5", "-1.5", "+1.5", ".5", "-.5", "5.", "1e3", "1E3", "1e+3",
	"1e-3", "1.5e3", ".5e3", ".", "..", ".e3", "1e", "e3", "1e400", ".1e400", "1.2.3", "1-2", "1+2", "1e3e3",
	".inf", ".Inf", ".INF", ".iNf", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", "inf", "-inf", "NaN", "Infinity",
	"1:20", "1:20:30", "-1:20", "+1:20.5", "1:2", "1:60", "1:5_", "1_0:20", "1:20.", "1:20._5", "1:2:", ":1:20", "1::20",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-1-1",
	"2001-12-14 21:59:43.10 -5", "2001-13-14", "20011-12-14", "2001-12", "2001-", "200-12-14", "2001-12-14x",
	"100m", "1Gi", "10s", "250m", "0.5", "1.0", "v1", "v2026.1.0", "sha256:abc", "1.2.3.4", "127.0.0.1:80", "8080",
	"app.kubernetes.io/name", "a/b", "a=b", "a;b", "a|b", "a>b", "a<b", "a%b", "a@b", "a!b", "a*b", "a&b",
	"a\n", "a\nb", "a\nb\n", "a\nb\n\n", "\n", "\n\n", "\na", " a\nb", "a\n b", "a \nb", "a\n\nb", "\n\na\n\n",
	"a\nb ", "a\n\tb", "a\r\nb", "#!/bin/sh\nset -eu\necho hi\n", "line1\n  indented\nline3\n", "a\u2028\n",
	"a\n\u2028", "\u2028\n", "x\n" + strings.Repeat("long line ", 20) + "\n",
	strings.Repeat("a", 200), strings.Repeat("word ", 30), strings.Repeat("word  ", 30), strings.Repeat("wörd ", 30),
	strings.Repeat("日本語 ", 30), strings.Repeat("w ", 60) + " ", "a " + strings.Repeat("b", 100) + " c d",
	strings.Repeat("x", 79) + " y", strings.Repeat("x", 80) + " y", strings.Repeat("x", 81) + " y", strings.Repeat("x", 82) + " y z",
	"Deploys the forum: web, Sidekiq and the scheduler; see https://example.com/docs for the runbook and the on-call rota.",
	"it's a long sentence that needs single quotes: because of the colon and space, and it is longer than eighty columns",
	"a sentence with\ta tab that is long enough to be folded by the emitter when it is written in double quotes ok",
	strings.Repeat("ab ", 40) + "\t", strings.Repeat("ab  ", 40) + "\t", "x" + strings.Repeat(" ", 100) + "y\t",
	"\ufeff" + strings.Repeat("ab ", 40), strings.Repeat("é ", 50) + "\u2028" + strings.Repeat("ü ", 50),
	strings.Repeat("a ", 45) + "\"quoted\" " + strings.Repeat("b ", 30) + "\t",
	"true " + strings.Repeat("z ", 50), "- " + strings.Repeat("item ", 30), strings.Repeat("'q' ", 40),
}

// shapes embed a string at several depths and positions, so that lines
// fold at different columns and keys take each form.
func shapes(s string) map[string]map[string]any {
	return map[string]map[string]any{
		"value":          {"k": s},
		"key":            {s: "v"},
		"key and value":  {s: s, "other": s},
		"deep value":     {"a": map[string]any{"bb": map[string]any{"ccc": map[string]any{"dddd": s}}}},
		"deep key":       {"a": map[string]any{"bb": map[string]any{s: []any{s}}}},
		"sequence":       {"list": []any{s, map[string]any{"k": s, s: s}, []any{s, []any{s}}}},
		"nested lists":   {"a": []any{[]any{map[string]any{s: []any{s}}}}},
		"key of a list":  {s: []any{"x", s}, "z": map[string]any{s: map[string]any{}}},
		"key of map":     {s: map[string]any{"x": s}},
		"empty siblings": {s: []any{}, "k": map[string]any{}, "l": []any{map[string]any{}, []any{}}},
		"long key":       {"some_rather_long_key_name_that_moves_the_column": s},
	}
}

func TestMarshalMatchesYAMLOnTrickyStrings(t *testing.T) {
	for _, s := range trickyStrings {
		for shape, v := range shapes(s) {
			checkSame(t, fmt.Sprintf("%q as %s", s, shape), v)
		}
	}
}

func TestMarshalMatchesYAMLOnNumbers(t *testing.T) {
	numbers := []any{
		json.Number("0"), json.Number("-0"), json.Number("1"), json.Number("-1"), json.Number("1.0"), json.Number("-0.0"),
		json.Number("1e3"), json.Number("1E3"), json.Number("1e+3"), json.Number("1e-3"), json.Number("1.5e300"),
		json.Number("1e400"), json.Number("-1e400"), json.Number("1e-400"), json.Number("0.1"), json.Number("123456789012345678"),
		json.Number("1234567890123456789"), json.Number("9223372036854775807"), json.Number("9223372036854775808"),
		json.Number("-9223372036854775808"), json.Number("-9223372036854775809"), json.Number("18446744073709551615"),
		json.Number("18446744073709551616"), json.Number("1e6"), json.Number("1e21"), json.Number("1e20"),
		json.Number("100000000000000000000"), json.Number("0.000001"), json.Number("0.0000001"), json.Number(""),
		json.Number("1.7976931348623157e308"), json.Number("5e-324"), json.Number("3.14159265358979323846"),
		json.Number("01"), json.Number("1."), json.Number("abc"), json.Number("+1"),
		0.0, math.Copysign(0, -1), 1.0, 1.5, 1e6, 1e20, 1e21, 1e-6, 1e-7, 123456789.0, 1e19, 9.3e18, -1e300, 0.1,
		float32(0.1), float32(1e21), float32(3.4e38), float32(1e-7),
		0, 1, -1, int64(9223372036854775807), int64(-9223372036854775808), uint64(18446744073709551615),
		int8(-8), int16(16), int32(32), uint(7), uint8(8), uint16(16), uint32(32),
		true, false, nil, []any(nil), map[string]any(nil), []any{}, map[string]any{},
	}
	for _, n := range numbers {
		checkSame(t, fmt.Sprintf("%T %v", n, n), map[string]any{"n": n, "list": []any{n}})
	}
}

func TestMarshalMatchesYAMLOnRoots(t *testing.T) {
	for name, v := range map[string]map[string]any{
		"empty": {},
		"nil":   nil,
		"one":   {"": ""},
	} {
		if !checkSame(t, name, v) {
			t.Errorf("%s: took the slow path", name)
		}
	}
}

func TestMarshalMatchesYAMLOnKeyOrder(t *testing.T) {
	keySets := [][]string{
		{"b", "a", "c", "B", "A", "_", "-", ".", "0", "9", "10", "é", "z", "Z", "日"},
		{"a1", "a2", "a10", "a01", "a001", "a0", "a00", "a", "a-", "a_", "a~"},
		{"1", "2", "10", "11", "100", "01", "001", "0", "00"},
		{"x10y", "x9y", "x10", "x9", "x1y", "x010", "x10a"},
		{"v1alpha1", "v1beta1", "v1", "v2", "v10", "v1beta2"},
		{"port80", "port8080", "port443", "port9"},
		{"10", "1a", "2"}, // keyLess goes round in a circle here
		{"99999999999999999999", "1", "2"},
		{"\u0661", "\u0662", "1", "a"},
		{"a\u0660", "a0", "a1", "a\u0661"},
		{"ab", "aB", "Ab", "AB", "a b", "a-b", "a.b", "a/b", "a0b"},
	}
	for _, keys := range keySets {
		v := map[string]any{}
		for i, k := range keys {
			v[k] = i
		}
		for range 5 { // map iteration order varies between runs
			checkSame(t, fmt.Sprintf("keys %q", keys), v)
		}
	}
}

func TestSlowPathInputs(t *testing.T) {
	deep := map[string]any{}
	cur := deep
	for range maxDepth + 5 {
		next := map[string]any{}
		cur["k"] = next
		cur = next
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	cases := map[string]map[string]any{
		"invalid UTF-8 value":      {"k": "a\xffb"},
		"invalid UTF-8 keys merge": {"\xfe": 1, "\xff": 2},
		"DEL":                      {"k": "a\x7fb"},
		"NEL":                      {"k": "a\u0085b"},
		"C1 control":               {"k": "\u0090"},
		"noncharacter":             {"k": "\uffff"},
		"long key":                 {strings.Repeat("k", 1200): 1},
		"long escaped key":         {strings.Repeat("<", 200): 1},
		"too deep":                 deep,
		"cycle":                    cyclic,
		"NaN":                      {"k": math.NaN()},
		"infinity":                 {"k": float32(math.Inf(-1))},
		"unsupported type":         {"k": []string{"a"}},
		"invalid number":           {"k": json.Number("1.")},
	}
	for name, v := range cases {
		if _, err := appendFast(nil, v); !errors.As(err, new(slowPath)) {
			t.Errorf("%s: fast path error %v, want a slowPath", name, err)
		}
		if name == "cycle" {
			if _, err := Marshal(v); err == nil {
				t.Errorf("%s: no error", name)
			}
			continue
		}
		checkSame(t, name, v)
	}
}

func TestAppendKeepsDst(t *testing.T) {
	v := map[string]any{"a": "b"}
	out, err := Append([]byte("# header\n"), v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "# header\na: b\n" {
		t.Errorf("got %q", out)
	}
	// The slow path appends too.
	out, err = Append([]byte("# header\n"), map[string]any{"a": []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "# header\na:\n- x\n" {
		t.Errorf("slow path: got %q", out)
	}
}
