package schemas

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// GVK identifies a kind the validator has a schema for.
type GVK struct {
	APIVersion string
	Kind       string
}

// String renders the GVK as "apps/v1 Deployment".
func (g GVK) String() string { return g.APIVersion + " " + g.Kind }

// Validator validates Kubernetes objects against a set of JSON schemas.
// It is safe for concurrent use. Schemas are compiled on first use and
// cached, so a validator is meant to be long-lived (see Default).
type Validator struct {
	fsys  fs.FS
	index map[GVK]string // schema file per kind
	kinds []GVK          // sorted, for Kinds and messages

	mu       sync.Mutex
	compiled map[GVK]*compiled
}

// compiled is the once-only compilation of one schema; concurrent first
// uses of the same kind wait for a single compilation.
type compiled struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

var (
	defaultOnce      sync.Once
	defaultValidator *Validator
	defaultErr       error
)

// Default returns the validator over the embedded schemas, shared by the
// whole process so each schema is compiled at most once.
func Default() (*Validator, error) {
	defaultOnce.Do(func() {
		defaultValidator, defaultErr = New(FS())
	})
	return defaultValidator, defaultErr
}

// New returns a validator over every *.json file in fsys whose root has
// x-kubernetes-group-version-kind. Files are only scanned here; each schema
// is compiled the first time an object of its kind is validated. Two files
// claiming the same kind are an error, since either choice would silently
// ignore the other.
func New(fsys fs.FS) (*Validator, error) {
	v := &Validator{fsys: fsys, index: map[GVK]string{}, compiled: map[GVK]*compiled{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		gvks, err := readGVKs(fsys, p)
		if err != nil {
			return err
		}
		for _, g := range gvks {
			if prev, dup := v.index[g]; dup {
				return fmt.Errorf("%s and %s both define %s", prev, p, g)
			}
			v.index[g] = p
			v.kinds = append(v.kinds, g)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index schemas: %w", err)
	}
	slices.SortFunc(v.kinds, func(a, b GVK) int {
		return strings.Compare(a.String(), b.String())
	})
	return v, nil
}

// readGVKs returns the kinds a schema file declares at its root.
func readGVKs(fsys fs.FS, p string) ([]GVK, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	var root struct {
		GVK []struct {
			Group, Version, Kind string
		} `json:"x-kubernetes-group-version-kind"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	out := make([]GVK, 0, len(root.GVK))
	for _, g := range root.GVK {
		if g.Version == "" || g.Kind == "" {
			return nil, fmt.Errorf("%s: x-kubernetes-group-version-kind entry without version or kind", p)
		}
		apiVersion := g.Version
		if g.Group != "" {
			apiVersion = g.Group + "/" + g.Version
		}
		out = append(out, GVK{APIVersion: apiVersion, Kind: g.Kind})
	}
	return out, nil
}

// Known reports whether the validator has a schema for apiVersion/kind.
func (v *Validator) Known(apiVersion, kind string) bool {
	_, ok := v.index[GVK{apiVersion, kind}]
	return ok
}

// Kinds lists every kind the validator has a schema for, sorted.
func (v *Validator) Kinds() []GVK {
	return slices.Clone(v.kinds)
}

// schemaFor returns the compiled schema of g, compiling it on first use.
func (v *Validator) schemaFor(g GVK) (*jsonschema.Schema, error) {
	p, ok := v.index[g]
	if !ok {
		return nil, nil
	}
	v.mu.Lock()
	c, ok := v.compiled[g]
	if !ok {
		c = &compiled{}
		v.compiled[g] = c
	}
	v.mu.Unlock()
	c.once.Do(func() {
		c.schema, c.err = compileFile(v.fsys, p)
	})
	return c.schema, c.err
}

// CompileAll compiles every schema now instead of on first use, reporting
// the first failure. Useful in tests and to front-load the cost.
func (v *Validator) CompileAll() error {
	for _, g := range v.kinds {
		if _, err := v.schemaFor(g); err != nil {
			return err
		}
	}
	return nil
}

// schemeURL is a made-up scheme: schemas are addressed by their path in
// the embedded tree, and nothing can ever be fetched for it.
const schemeURL = "discoursegen-schema:///"

// compileFile compiles one standalone schema file.
func compileFile(fsys fs.FS, p string) (*jsonschema.Schema, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("read schema %s: %w", p, err)
	}
	c := jsonschema.NewCompiler()
	// The files declare draft 4; this only matters for a schema that does
	// not, and then matches kubeconform's default.
	c.Draft = jsonschema.Draft4
	// Standalone schemas have no external references. Refusing to load any
	// keeps validation offline and hermetic even for a malformed schema.
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema %s references %s: external references are disabled", p, s)
	}
	for name, f := range kubernetesFormats {
		c.Formats[name] = f
	}
	url := schemeURL + p
	if err := c.AddResource(url, bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("load schema %s: %w", p, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", p, err)
	}
	return s, nil
}

// kubernetesFormats gives OpenAPI formats the meaning the apiserver gives
// them. Draft 4 asserts formats, and the library's own "duration" is ISO
// 8601 while Kubernetes operators write Go durations ("5m").
var kubernetesFormats = map[string]func(any) bool{
	// []byte fields (Secret data) are base64 in JSON; anything else fails
	// to decode on the server.
	"byte": func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return true
		}
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
		_, err := base64.StdEncoding.DecodeString(s)
		return err == nil
	},
	"int32": intRange(32),
	"int64": intRange(64),
	"duration": func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return true
		}
		if _, err := time.ParseDuration(s); err == nil {
			return true
		}
		return jsonschema.Formats["duration"](v)
	},
}

// intRange checks that an integer fits the Go type the field decodes into;
// non-integers are left to the "type" keyword.
func intRange(bits uint) func(any) bool {
	lo := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
	hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1))
	return func(v any) bool {
		var s string
		switch n := v.(type) {
		case json.Number:
			s = n.String()
		case float64:
			s = fmt.Sprint(n)
		default:
			return true
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() {
			return true
		}
		i := r.Num()
		return i.Cmp(lo) >= 0 && i.Cmp(hi) <= 0
	}
}
