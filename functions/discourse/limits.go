package discourse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"discoursegen.dev/discoursegen/api/v1alpha1"
	"discoursegen.dev/discoursegen/schemas"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// MaxConfigBytes is the largest config discoursegen reads: 1 MiB. A real
// Discourse config is a few KB, and a Kubernetes object (a config is one,
// kustomize handles it as one) cannot exceed about 1.5 MiB in etcd. A
// larger file is refused before anything parses it: YAML parsers hold
// tens of times the input in memory, and a 21 MB config with 300,000 env
// entries took 2 GB and 35 seconds to render into 129 MB of Deployments
// the API server would refuse.
const MaxConfigBytes = 1 << 20

// MaxConfigValues is the most YAML values (every mapping, list and
// scalar, keys included, each alias counted as what it stands for) one
// config file may hold. A real config has one to a few hundred. Bytes
// alone do not bound the work: 1 MiB of "[1,1,1,...]" is half a million
// values, which took kustomize 0.8 GB to read as a patch (and a render of
// it 9 GB); an alias bomb of a few hundred bytes stands for billions, and
// took kustomize 17 GB in 20 seconds. Ten thousand values cost kustomize
// about 25 MB.
const MaxConfigValues = 10_000

// SizeError refuses a config for its size, before it is parsed.
type SizeError struct {
	// Size is the size in bytes; with AtLeast, reading stopped there.
	Size    int64
	AtLeast bool
}

func (e *SizeError) Error() string {
	if e.AtLeast {
		return "more than 1 MiB, over the limit for a config file; a Discourse config is a few KB"
	}
	return formatBytes(e.Size) + " is over the 1 MiB limit for a config file; a Discourse config is a few KB"
}

// CheckSize refuses a config of size bytes when it is over
// MaxConfigBytes; atLeast says that the size is only known to be at
// least that (a stream read up to the limit).
func CheckSize(size int64, atLeast bool) error {
	if size <= MaxConfigBytes {
		return nil
	}
	return &SizeError{Size: size, AtLeast: atLeast}
}

// formatBytes shows sizes near the limit to the byte, larger ones in MiB.
func formatBytes(n int64) string {
	if n < 2<<20 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// CheckYAML reads every document of a YAML file (or JSON) into a node
// tree, decoding nothing, and refuses what would make a later decode
// expensive or wrong: a syntax error, a duplicate key (one parser keeps
// the first, another the last), and more than MaxConfigValues values in
// all, aliases expanded. It returns how many documents hold something.
// The file must already be within MaxConfigBytes, which bounds the node
// tree too (about 100 MB at worst).
func CheckYAML(data []byte) (documents int, err error) {
	documents, errs := scanYAML(data)
	if len(errs) > 0 {
		return documents, errors.New(describeShort(errs))
	}
	return documents, nil
}

// CheckDocument refuses a config file for what Render refuses before
// decoding it: its size, what CheckYAML refuses, and anything but exactly
// one document. For a file another reader parses, such as kyaml's
// `discoursegen fn CONFIG.yaml`, which takes the first document of
// several and drops the rest.
func CheckDocument(data []byte) error {
	if err := CheckSize(int64(len(data)), false); err != nil {
		return err
	}
	if errs := documentProblems(data); len(errs) > 0 {
		return errors.New(describeShort(errs))
	}
	return nil
}

// documentProblems is what load refuses before it decodes anything.
func documentProblems(data []byte) field.ErrorList {
	switch documents, errs := scanYAML(data); {
	case len(errs) > 0:
		return errs
	case documents == 0:
		return field.ErrorList{problem("empty document; expected a Discourse config")}
	case documents > 1:
		// Decoding would silently take the first and drop the others.
		return field.ErrorList{problem(fmt.Sprintf("%d YAML documents; a config file holds one site's config (give each site its own file)", documents))}
	}
	return nil
}

// describeShort formats problems as "path: detail", one per line.
func describeShort(errs field.ErrorList) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Detail
		if e.Field != "" {
			lines[i] = e.Field + ": " + e.Detail
		}
	}
	return strings.Join(lines, "\n")
}

func scanYAML(data []byte) (int, field.ErrorList) {
	dec := kyaml.NewDecoder(bytes.NewReader(data))
	c := newCounter()
	documents := 0
	for {
		var doc kyaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			return documents, nil
		}
		if err != nil {
			return documents, field.ErrorList{problem("not valid YAML: " + err.Error())}
		}
		if !isEmpty(&doc) {
			documents++
		}
		if errs := c.document(&doc); len(errs) > 0 {
			return documents, errs
		}
	}
}

// checkNode is CheckYAML for a document kyaml has already parsed (the
// function's functionConfig).
func checkNode(n *kyaml.Node) field.ErrorList {
	return newCounter().document(n)
}

// isEmpty is true for a document with nothing in it ("---" alone, or only
// comments).
func isEmpty(doc *kyaml.Node) bool {
	n := doc
	if n.Kind == kyaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		n = n.Content[0]
	}
	return n.Kind == kyaml.ScalarNode && n.Tag == "!!null" && n.Value == ""
}

// counter walks node trees, counting values with aliases expanded, and
// stops at the first problem: it never expands an alias, it adds the size
// of the anchored node, measured once, so a billion laughs cost as much
// as their text.
type counter struct {
	values int
	// text counts the values written out, without expansion, to tell an
	// alias bomb from a document that is simply too long.
	text int
	// sizes are the expanded sizes of the anchored nodes seen so far;
	// open are the ones being measured (an alias inside its own anchor).
	sizes map[*kyaml.Node]int
	open  map[*kyaml.Node]bool
	// longest is the longest list or map, to point at in the message.
	longest     string
	longestLen  int
	longestLine int
	path        []string
	errs        field.ErrorList
}

func newCounter() *counter {
	return &counter{sizes: map[*kyaml.Node]int{}, open: map[*kyaml.Node]bool{}}
}

func (c *counter) document(n *kyaml.Node) field.ErrorList {
	if n.Kind == kyaml.DocumentNode {
		for _, child := range n.Content {
			c.walk(child)
		}
	} else {
		c.walk(n)
	}
	switch {
	case len(c.errs) > 0:
		return c.errs
	case c.values <= MaxConfigValues:
		return nil
	case c.text <= MaxConfigValues:
		return field.ErrorList{problem(fmt.Sprintf("YAML aliases expand this to more than %d values, over the limit for a config (a Discourse config has a few hundred, and needs no aliases)", MaxConfigValues))}
	}
	detail := fmt.Sprintf("more than %d YAML values, over the limit for a config (a Discourse config has a few hundred)", MaxConfigValues)
	if c.longest != "" {
		detail += fmt.Sprintf("; the longest list is %s (line %d), with %d entries", c.longest, c.longestLine, c.longestLen)
	}
	return field.ErrorList{problem(detail)}
}

// stop says whether the walk is over: a problem found, or the budget
// spent (counting further would only cost time).
func (c *counter) stop() bool {
	return len(c.errs) > 0 || c.values > MaxConfigValues
}

func (c *counter) walk(n *kyaml.Node) {
	if c.stop() {
		return
	}
	if n.Kind == kyaml.AliasNode {
		c.text++
		target := n.Alias
		if target == nil || c.open[target] {
			c.errs = append(c.errs, problem(fmt.Sprintf("line %d: the alias *%s refers to a node that contains it", n.Line, n.Value)))
			return
		}
		c.values += c.sizes[target]
		return
	}
	start := c.values
	if n.Anchor != "" {
		c.open[n] = true
		defer func() {
			delete(c.open, n)
			c.sizes[n] = c.values - start
		}()
	}
	c.values++
	c.text++
	switch n.Kind {
	case kyaml.SequenceNode:
		c.noteLength(n, len(n.Content))
		for i, child := range n.Content {
			c.path = append(c.path, "["+strconv.Itoa(i)+"]")
			c.walk(child)
			c.path = c.path[:len(c.path)-1]
			if c.stop() {
				return
			}
		}
	case kyaml.MappingNode:
		c.noteLength(n, len(n.Content)/2)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			c.walk(key)
			if key.Kind == kyaml.ScalarNode && key.Tag != "!!merge" {
				if first, dup := seen[key.Value]; dup {
					c.errs = append(c.errs, &field.Error{Type: field.ErrorTypeDuplicate, Field: c.pathString(key.Value),
						Detail: fmt.Sprintf("duplicate key at line %d (first at line %d); one of the two would be silently dropped", key.Line, first)})
					return
				}
				seen[key.Value] = key.Line
			}
			c.path = append(c.path, key.Value)
			c.walk(value)
			c.path = c.path[:len(c.path)-1]
			if c.stop() {
				return
			}
		}
	}
}

func (c *counter) noteLength(n *kyaml.Node, length int) {
	if length > c.longestLen {
		c.longest, c.longestLen, c.longestLine = c.pathString(""), length, n.Line
	}
}

// pathString is the field path of the node being walked (spec.env[3]),
// with child appended when it is not empty.
func (c *counter) pathString(child string) string {
	var b strings.Builder
	for _, p := range append(c.path, child) {
		switch {
		case p == "":
		case strings.HasPrefix(p, "["):
			b.WriteString(p)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	if b.Len() == 0 {
		return "<root>"
	}
	return b.String()
}

// configSchemas caches each config schema as a tree, for listLimits.
var configSchemas sync.Map // schema.GroupVersionKind -> map[string]any

// listLimits checks every list and map of a decoded config against the
// maxItems and maxProperties of its schema. It runs before the schema
// validator, which would also judge every entry of a list that is refused
// as a whole; a list over its limit is reported once, with its count.
func listLimits(gvk schema.GroupVersionKind, obj map[string]any) (field.ErrorList, error) {
	s, ok := configSchemas.Load(gvk)
	if !ok {
		b, err := schemas.ConfigSchema(gvk)
		if err != nil {
			return nil, err
		}
		var tree map[string]any
		if err := json.Unmarshal(b, &tree); err != nil {
			return nil, err
		}
		s, _ = configSchemas.LoadOrStore(gvk, tree)
	}
	var errs field.ErrorList
	limits(s.(map[string]any), obj, nil, &errs)
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs, nil
}

func limits(s map[string]any, v any, path *field.Path, errs *field.ErrorList) {
	if s == nil {
		return
	}
	switch v := v.(type) {
	case []any:
		if limit, ok := s["maxItems"].(float64); ok && len(v) > int(limit) {
			*errs = append(*errs, v1alpha1.TooMany(path, len(v), int(limit)))
			return
		}
		items, _ := s["items"].(map[string]any)
		for i, e := range v {
			limits(items, e, path.Index(i), errs)
		}
	case map[string]any:
		if limit, ok := s["maxProperties"].(float64); ok && len(v) > int(limit) {
			*errs = append(*errs, v1alpha1.TooMany(path, len(v), int(limit)))
			return
		}
		props, _ := s["properties"].(map[string]any)
		values, _ := s["additionalProperties"].(map[string]any)
		for k, e := range v {
			sub, ok := props[k].(map[string]any)
			if !ok {
				sub = values
			}
			child := field.NewPath(k)
			if path != nil {
				child = path.Child(k)
			}
			limits(sub, e, child, errs)
		}
	}
}
