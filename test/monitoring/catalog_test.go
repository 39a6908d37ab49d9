package monitoring

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// catalogFile holds the generator's metric catalog.
var catalogFile = filepath.Join("..", "..", "generator", "metrics.go")

// Mirrors of generator/metrics.go's types, filled from its source.
type metricSource struct {
	Name, Type, Exporter, Module, Version, Sum, Suffix string
	Parts                                              []namePart
	Joins                                              []sourceText
}

type namePart struct{ Text, File, Written string }

type sourceText struct{ File, Text string }

// loadCatalog reads metricCatalog from the generator's source. The table
// holds only literals and package-level variables of literals, which this
// evaluates; anything else is an error, so the table cannot grow a shape
// the test does not read.
func loadCatalog(t *testing.T) []metricSource {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), catalogFile, nil, 0)
	if err != nil {
		t.Fatalf("parsing the catalog: %v", err)
	}
	vars := map[string]ast.Expr{}
	for _, decl := range f.Decls {
		if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						vars[name.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	expr, ok := vars["metricCatalog"]
	if !ok {
		t.Fatalf("%s has no var metricCatalog", catalogFile)
	}
	value, err := evalLiteral(expr, vars)
	if err != nil {
		t.Fatalf("metricCatalog: %v", err)
	}
	// Through JSON into the mirror types: field names are the keys.
	raw, _ := json.Marshal(value)
	var catalog []metricSource
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&catalog); err != nil {
		t.Fatalf("metricCatalog does not fit the test's mirror of its types: %v", err)
	}
	if len(catalog) == 0 {
		t.Fatal("metricCatalog is empty")
	}
	return catalog
}

// evalLiteral turns a composite literal of strings into maps (keyed
// elements) and slices (unkeyed ones), resolving identifiers to the
// package-level variables in vars.
func evalLiteral(e ast.Expr, vars map[string]ast.Expr) (any, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return nil, fmt.Errorf("literal %s is not a string", e.Value)
		}
		return strconv.Unquote(e.Value)
	case *ast.Ident:
		v, ok := vars[e.Name]
		if !ok {
			return nil, fmt.Errorf("%s is not a package-level variable of the catalog's file", e.Name)
		}
		return evalLiteral(v, vars)
	case *ast.CompositeLit:
		if len(e.Elts) > 0 {
			if _, keyed := e.Elts[0].(*ast.KeyValueExpr); keyed {
				m := map[string]any{}
				for _, el := range e.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						return nil, fmt.Errorf("mixed keyed and unkeyed elements")
					}
					key, ok := kv.Key.(*ast.Ident)
					if !ok {
						return nil, fmt.Errorf("key is not a field name")
					}
					v, err := evalLiteral(kv.Value, vars)
					if err != nil {
						return nil, fmt.Errorf("%s: %w", key.Name, err)
					}
					m[key.Name] = v
				}
				return m, nil
			}
		}
		if _, isArray := e.Type.(*ast.ArrayType); !isArray && e.Type != nil {
			// An empty struct literal.
			return map[string]any{}, nil
		}
		list := []any{}
		for i, el := range e.Elts {
			v, err := evalLiteral(el, vars)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			list = append(list, v)
		}
		return list, nil
	}
	return nil, fmt.Errorf("%T is not a literal the test reads", e)
}

// discourseRepo is the one exporter that is not a Go module.
const discourseRepo = "github.com/discourse/discourse-prometheus"

// discourseList is the checked-in list of the plugin's names.
var discourseList = filepath.Join("testdata", "discourse-prometheus.txt")

// moduleDirs caches go mod download's answers.
var moduleDirs sync.Map

// moduleDir downloads module@version into the module cache (or finds it
// there) and returns its directory.
func moduleDir(module, version, sum string) (string, error) {
	key := module + "@" + version
	if d, ok := moduleDirs.Load(key); ok {
		return d.(string), nil
	}
	cmd := exec.Command("go", "mod", "download", "-json", key)
	// The catalog's modules are not this module's dependencies: no go.sum
	// line can vouch for them, so the checksum database does, or, for a
	// module it does not know, the hash the catalog pins (Sum).
	if sum != "" {
		cmd.Env = append(os.Environ(), "GONOSUMDB="+module)
	}
	out, err := cmd.Output()
	var info struct{ Dir, Sum, Error string }
	_ = json.Unmarshal(out, &info)
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", key, info.Error)
	}
	if err != nil || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %v", key, err)
	}
	if sum != "" && info.Sum != sum {
		return "", fmt.Errorf("go mod download %s: hash %s, but the catalog pins %s", key, info.Sum, sum)
	}
	moduleDirs.Store(key, info.Dir)
	return info.Dir, nil
}

// discourseNames reads the checked-in list: "# commit <sha>" and lines of
// "<file><TAB><text as written>".
func discourseNames(t *testing.T) (commit string, written map[string]map[string]bool) {
	t.Helper()
	f, err := os.Open(discourseList)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	written = map[string]map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "# commit "); ok {
			commit = strings.TrimSpace(c)
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: want <file><TAB><text>", discourseList, n)
		}
		if written[file] == nil {
			written[file] = map[string]bool{}
		}
		written[file][text] = true
	}
	if commit == "" {
		t.Fatalf("%s names no commit", discourseList)
	}
	return commit, written
}

// writtenAs is how a part appears in its file.
func writtenAs(p namePart) string {
	if p.Written != "" {
		return p.Written
	}
	return strconv.Quote(p.Text)
}

// TestCatalogNamesAreComposedOfTheirParts: each name is its parts joined
// with "_", then the suffix; a suffix only on a histogram.
func TestCatalogNamesAreComposedOfTheirParts(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range loadCatalog(t) {
		if seen[m.Name] {
			t.Errorf("%s: listed twice", m.Name)
		}
		seen[m.Name] = true
		var texts []string
		for _, p := range m.Parts {
			texts = append(texts, p.Text)
		}
		if got := strings.Join(texts, "_") + m.Suffix; got != m.Name {
			t.Errorf("%s: parts and suffix spell %q", m.Name, got)
		}
		switch {
		case m.Suffix != "" && m.Type != "histogram":
			t.Errorf("%s: suffix %q on a %s; the exposition format adds suffixes to histograms", m.Name, m.Suffix, m.Type)
		case m.Type == "histogram" && m.Suffix != "_bucket" && m.Suffix != "_sum" && m.Suffix != "_count":
			t.Errorf("%s: a histogram's series end in _bucket, _sum or _count", m.Name)
		}
		if len(m.Parts) > 1 && len(m.Joins) == 0 && m.Module != discourseRepo {
			t.Errorf("%s: a composed name must cite where the exporter joins its parts", m.Name)
		}
	}
}

// TestCatalogNamesAreInTheExportersSource finds every part and join in
// the cited file of the exporter at the pinned version.
func TestCatalogNamesAreInTheExportersSource(t *testing.T) {
	catalog := loadCatalog(t)
	commit, listed := discourseNames(t)
	files := map[string]string{} // dir/file -> content
	read := func(dir, file string) (string, error) {
		path := filepath.Join(dir, filepath.FromSlash(file))
		if c, ok := files[path]; ok {
			return c, nil
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return string(b), err
	}
	for _, m := range catalog {
		t.Run(m.Name, func(t *testing.T) {
			if m.Module == discourseRepo {
				if m.Version != commit {
					t.Fatalf("cites commit %s; %s lists %s", m.Version, discourseList, commit)
				}
				for _, p := range m.Parts {
					if !listed[p.File][writtenAs(p)] {
						t.Errorf("%s does not list %s\t%s", discourseList, p.File, writtenAs(p))
					}
				}
				return
			}
			dir, err := moduleDir(m.Module, m.Version, m.Sum)
			if err != nil {
				t.Fatal(err)
			}
			check := func(file, text string) {
				content, err := read(dir, file)
				if err != nil {
					t.Errorf("%s@%s: %v", m.Module, m.Version, err)
					return
				}
				if !strings.Contains(content, text) {
					t.Errorf("%s@%s %s does not contain %q", m.Module, m.Version, file, text)
				}
			}
			for _, p := range m.Parts {
				check(p.File, writtenAs(p))
			}
			for _, j := range m.Joins {
				check(j.File, j.Text)
			}
		})
	}
}

// TestDiscourseListMatchesSource checks the checked-in list against a
// checkout of the plugin at the listed commit, when DISCOURSE_PROMETHEUS_DIR
// names one (the module proxy does not serve Ruby).
func TestDiscourseListMatchesSource(t *testing.T) {
	dir := os.Getenv("DISCOURSE_PROMETHEUS_DIR")
	if dir == "" {
		t.Skip("DISCOURSE_PROMETHEUS_DIR not set: the list of discourse-prometheus names is trusted as checked in")
	}
	commit, listed := discourseNames(t)
	head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse in %s: %v", dir, err)
	}
	if got := strings.TrimSpace(string(head)); got != commit {
		t.Fatalf("%s is at %s; the list is of %s", dir, got, commit)
	}
	for _, file := range sortedKeys(listed) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Error(err)
			continue
		}
		for _, text := range sortedKeys(listed[file]) {
			if !strings.Contains(string(b), text) {
				t.Errorf("%s at %s does not contain %q", file, commit, text)
			}
		}
	}
}
