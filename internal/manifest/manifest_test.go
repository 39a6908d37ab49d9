package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// TestYAML11NonStringMatchesKyaml: the fast check quotes exactly the
// strings kyaml's own check quotes, for every string in golden/ and for
// words chosen to sit at the edge of the fast path.
func TestYAML11NonStringMatchesKyaml(t *testing.T) {
	values := []string{
		"y", "Y", "yes", "YES", "yEs", "n", "No", "true", "False", "on", "OFF", "null", "Null", "~",
		"yes-no", "onion", "nullable", "Infinity", "NaN", ".nan", ".inf", "e1", "E5", "x1e5",
		"0x1F", "1_000", "1:20", "2001-12-14", "a/b", "a.b", "a_b", "a-b", "a b", "a: b", "a #b",
		"-a", "a-", "_a", "/a", "a=b", "a,b", "[a]", "{a}", "*a", "&a", "!a", "%a", "@a", "`a",
		"a\tb", "é", "aé", "", " a", "a ",
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "golden", "*", "*", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files in golden/")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj any
		if err := yaml.Unmarshal(data, &obj); err != nil {
			t.Fatal(err)
		}
		values = appendStrings(values, obj)
	}
	checked := 0
	for _, v := range values {
		n := &kyaml.Node{Kind: kyaml.ScalarNode, Tag: kyaml.NodeTagString, Value: v}
		if got, want := yaml11NonString(n), kyaml.IsYaml1_1NonString(n); got != want {
			t.Errorf("%q: fast check says non-string %v, kyaml says %v", v, got, want)
		}
		if plainWord(v) {
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("only %d values took the fast path; the test would not notice it going wrong", checked)
	}
}

func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case string:
		out = append(append(out, strings.Split(v, "\n")...), v)
	case map[string]any:
		for k, e := range v {
			out = appendStrings(append(out, k), e)
		}
	case []any:
		for _, e := range v {
			out = appendStrings(out, e)
		}
	}
	return out
}
