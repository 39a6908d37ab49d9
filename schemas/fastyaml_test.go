package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// compareDecoders decodes doc both ways. The fast decoder may decline a
// document; when it accepts one, the exact path must accept it too, with
// the same values.
func compareDecoders(t *testing.T, label string, doc []byte) (accepted bool) {
	t.Helper()
	fast, ok := parseFast(doc)
	if !ok {
		return false
	}
	exact, problem := decodeExact(doc)
	if problem != "" {
		t.Errorf("%s: the fast decoder accepts what the exact path refuses (%s):\n%s", label, problem, doc)
		return true
	}
	if !reflect.DeepEqual(fast, exact) {
		t.Errorf("%s: decoders differ:\nfast:  %#v\nexact: %#v\ndocument:\n%s", label, fast, exact, doc)
	}
	return true
}

// corpusDocuments returns the raw documents of the differential corpus.
func corpusDocuments(t *testing.T) (labels []string, docs [][]byte) {
	t.Helper()
	files, errs := collectFiles(diffCorpusDirs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range splitDocuments(data) {
			labels = append(labels, fmt.Sprintf("%s#%d", f, i))
			docs = append(docs, d.data)
		}
	}
	return labels, docs
}

// TestFastDecodeMatchesYAML runs both decoders on every document of the
// corpus and on line-level edits of each: every line removed, indented by
// one more space, given a trailing comment, a tab, a colon, quotes, a
// block scalar indicator and so on. Most edits break the document or
// leave the subset; the test only asks that whatever the fast decoder
// accepts, it decodes as the exact path does. It also checks that the
// fast decoder accepts the manifests we generate, which is the point of
// having it.
func TestFastDecodeMatchesYAML(t *testing.T) {
	t.Parallel()
	labels, docs := corpusDocuments(t)
	accepted := 0
	for i, doc := range docs {
		if compareDecoders(t, labels[i], doc) {
			accepted++
		} else if strings.HasPrefix(labels[i], filepath.Join("..", "golden")+string(filepath.Separator)) {
			// Hand-written YAML (flow style, mostly) may take the exact
			// path; what we generate should not.
			t.Errorf("%s: the fast decoder declines a generated manifest", labels[i])
		}
	}
	t.Logf("fast decoder accepted %d of %d documents", accepted, len(docs))

	edits := []func(line string) string{
		func(string) string { return "" },
		func(l string) string { return " " + l },
		func(l string) string { return strings.TrimPrefix(l, " ") },
		func(l string) string { return l + " # comment" },
		func(l string) string { return l + "#x" },
		func(l string) string { return l + ":" },
		func(l string) string { return l + ": x" },
		func(l string) string { return l + "\t" },
		func(l string) string { return l + " " },
		func(l string) string { return l + "'" },
		func(l string) string { return l + "\"" },
		func(l string) string { return strings.Replace(l, ": ", ": |\n", 1) },
		func(l string) string { return strings.Replace(l, ": ", ": |-\n  ", 1) },
		func(l string) string { return strings.Replace(l, ": ", ": '", 1) + "'" },
		func(l string) string { return strings.Replace(l, ": ", ": \"", 1) + "\"" },
		func(l string) string { return strings.Replace(l, ": ", ": \"\\u00e9\\x41\\t", 1) + "\"" },
		func(l string) string { return strings.Replace(l, ": ", ":\n", 1) },
		func(l string) string { return strings.Replace(l, ": ", ": - ", 1) },
		func(l string) string { return strings.Replace(l, "- ", "-\n  ", 1) },
		func(l string) string { return strings.Replace(l, "- ", "- - ", 1) },
		func(l string) string { return strings.Replace(l, ": ", ": &a ", 1) },
		func(l string) string { return strings.Replace(l, ": ", ": []", 1) },
		func(l string) string { return strings.Replace(l, ": ", ": {}", 1) },
		func(l string) string { return l + "\n" + l },
	}
	values := []string{"yes", "No", "on", "~", "null", "0777", "0x1F", "1_000", "+5", "-0", "1e3", "1.0", ".5", ".inf", "1e400",
		"9223372036854775808", "18446744073709551616", "2024-01-02", "2024-01-02T03:04:05Z", "0b101", "-0b1", "<<", "=",
		"'it''s'", `"a\"b"`, `"\N\_\L\P"`, `"\x80"`, `"\ud800"`, `"\/"`, "a: b", "a #b", "a#b", "[a]", "{a: 1}", "|+", ">", "|2",
		"!!str 1", "*a", "-", "- a", "?", "%x", "@x", "`x", "'", `"`, "1.5Gi", "500m", "true", "False", "é", "\u2028"}
	// Every line of every document would take minutes (the exact path
	// is the slow one); an even spread of positions over all of them
	// covers every kind of line.
	type position struct{ doc, line int }
	var positions []position
	split := make([][]string, len(docs))
	for i, doc := range docs {
		split[i] = strings.Split(string(doc), "\n")
		for j := range split[i] {
			positions = append(positions, position{i, j})
		}
	}
	want := 150
	if testing.Short() {
		want = 50
	}
	stride := max(1, len(positions)/want)
	edited := 0
	for n := 0; n < len(positions); n += stride {
		i, j := positions[n].doc, positions[n].line
		lines := split[i]
		with := func(line string) []byte {
			out := append(append(append([]string{}, lines[:j]...), line), lines[j+1:]...)
			return []byte(strings.Join(out, "\n"))
		}
		for k, edit := range edits {
			if compareDecoders(t, fmt.Sprintf("%s line %d edit %d", labels[i], j+1, k), with(edit(lines[j]))) {
				edited++
			}
		}
		if key, _, ok := strings.Cut(lines[j], ": "); ok {
			for _, v := range values {
				if compareDecoders(t, fmt.Sprintf("%s line %d value %s", labels[i], j+1, v), with(key+": "+v)) {
					edited++
				}
			}
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d edited documents accepted by the fast decoder and compared", edited)
}

// TestFastDecodeContinuationIndicators: a multi-line plain scalar whose
// continuation line starts with an indicator character, as the encoder
// wraps a long PromQL expression ("> 0.02", "/ sum"), decodes as the exact
// path decodes it, or not at all; and the wrapped expressions discoursegen
// renders stay on the fast path.
func TestFastDecodeContinuationIndicators(t *testing.T) {
	for _, c := range "!&*|>'\"%@`[]{},?:#-=/<~" {
		for _, rest := range []string{"y", " y", "", " y: z", "y #c"} {
			doc := []byte("a:\n  b: x\n    " + string(c) + rest + "\n  c: d\n")
			compareDecoders(t, fmt.Sprintf("continuation %q", string(c)+rest), doc)
		}
	}
	wrapped := []byte("expr: sum(rate(x[5m]))\n  / sum(rate(y[5m]))\n  > 0.02\nfor: 10m\n")
	if !compareDecoders(t, "wrapped PromQL", wrapped) {
		t.Error("the fast decoder declines a wrapped PromQL expression")
	}
}
