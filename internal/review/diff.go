package review

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Change says what happened to an object between the two sides.
type Change int

// The order of the constants is the order a report lists objects in:
// what disappears first, then what is new, then what is different.
const (
	Removed Change = iota
	Added
	Changed
)

func (c Change) String() string {
	switch c {
	case Removed:
		return "removed"
	case Added:
		return "added"
	case Changed:
		return "changed"
	}
	return "change(" + strconv.Itoa(int(c)) + ")"
}

// ObjectChange is one object that differs between the two sides.
type ObjectChange struct {
	ID     ID
	Change Change
	// Base is the object on the base side, nil when it was added; Head is
	// the object on the head side, nil when it was removed.
	Base, Head *Object
	// Fields are the changed fields of a Changed object (see Fields for
	// their order); empty for an added or removed one.
	Fields []FieldChange
	// Risks are why applying this change needs a careful look; empty for
	// most changes.
	Risks []Risk
}

// FieldChange is one field that differs. A field that exists on one side
// only is reported once, with its whole value, not leaf by leaf: a new
// container is one line, not twenty.
type FieldChange struct {
	// Path locates the field: map keys joined with dots (a key that is not
	// an identifier is quoted: metadata.labels["app.kubernetes.io/name"]),
	// list items by name when every item of the list is a map with a
	// unique string name (containers[web], env[DISCOURSE_DB_HOST]),
	// otherwise by index (args[2]). A named list whose items only moved
	// is reported at the list's path with " (order)" appended and the
	// lists of names as values.
	Path string
	// Old and New are the field's values; OldMissing or NewMissing is set
	// when the field does not exist on that side (a null value does).
	Old, New               any
	OldMissing, NewMissing bool
}

// EnvReport is the comparison of one environment.
type EnvReport struct {
	Env string
	// Production is whether the environment runs production; it decides
	// the production image risk.
	Production bool
	// Changes are sorted: removed, added, changed, each by kind,
	// namespace and name.
	Changes []ObjectChange
}

// Counts are the number of removed, added and changed objects, and how
// many of them carry a risk.
func (e EnvReport) Counts() (removed, added, changed, risky int) {
	for _, c := range e.Changes {
		switch c.Change {
		case Removed:
			removed++
		case Added:
			added++
		case Changed:
			changed++
		}
		if len(c.Risks) > 0 {
			risky++
		}
	}
	return removed, added, changed, risky
}

// Report is the comparison of every environment found on either side,
// sorted by name; an environment without changes is listed with none.
type Report struct {
	Envs []EnvReport
}

// Changed reports whether any object differs.
func (r Report) Changed() bool {
	for _, e := range r.Envs {
		if len(e.Changes) > 0 {
			return true
		}
	}
	return false
}

// Compare pairs the objects of base and head by ID and reports every
// difference with its risks. production lists the environments that run
// production (missing means no); how an environment is known to be
// production is the caller's knowledge, not the objects'.
func Compare(base, head []Object, production map[string]bool) Report {
	byID := func(objs []Object) map[ID]*Object {
		m := make(map[ID]*Object, len(objs))
		for i := range objs {
			m[objs[i].ID] = &objs[i]
		}
		return m
	}
	before, after := byID(base), byID(head)
	envs := map[string]*EnvReport{}
	env := func(name string) *EnvReport {
		if envs[name] == nil {
			envs[name] = &EnvReport{Env: name, Production: production[name]}
		}
		return envs[name]
	}
	for id, old := range before {
		e := env(id.Env)
		if _, kept := after[id]; !kept {
			e.Changes = append(e.Changes, ObjectChange{ID: id, Change: Removed, Base: old})
		}
	}
	for id, updated := range after {
		e := env(id.Env)
		old, existed := before[id]
		if !existed {
			e.Changes = append(e.Changes, ObjectChange{ID: id, Change: Added, Head: updated})
			continue
		}
		if fields := Fields(old.Content, updated.Content); len(fields) > 0 {
			e.Changes = append(e.Changes, ObjectChange{ID: id, Change: Changed, Base: old, Head: updated, Fields: fields})
		}
	}
	var r Report
	for _, e := range envs {
		for i := range e.Changes {
			e.Changes[i].Risks = assess(e.Changes[i], e.Production)
		}
		slices.SortFunc(e.Changes, func(a, b ObjectChange) int {
			if a.Change != b.Change {
				return int(a.Change) - int(b.Change)
			}
			return a.ID.compare(b.ID)
		})
		r.Envs = append(r.Envs, *e)
	}
	slices.SortFunc(r.Envs, func(a, b EnvReport) int { return strings.Compare(a.Env, b.Env) })
	return r
}

// Fields lists every difference between two decoded objects (or any two
// decoded YAML values): map keys in sorted order, named list items by
// sorted name, then a reorder of them, other list items by index. It is
// empty exactly when the two are equal.
func Fields(old, new any) []FieldChange {
	var out []FieldChange
	diffValues("", old, new, &out)
	return out
}

func diffValues(at string, old, new any, out *[]FieldChange) {
	switch o := old.(type) {
	case map[string]any:
		if n, ok := new.(map[string]any); ok {
			diffMaps(at, o, n, out)
			return
		}
	case []any:
		if n, ok := new.([]any); ok {
			diffLists(at, o, n, out)
			return
		}
	}
	if !sameScalar(old, new) {
		*out = append(*out, FieldChange{Path: at, Old: old, New: new})
	}
}

// sameScalar compares two values that are not both maps or both lists.
// YAML's .nan equals itself here: the same file on both sides is no
// change.
func sameScalar(old, new any) bool {
	if o, ok := old.(float64); ok && math.IsNaN(o) {
		n, ok := new.(float64)
		return ok && math.IsNaN(n)
	}
	return reflect.DeepEqual(old, new)
}

func diffMaps(at string, old, new map[string]any, out *[]FieldChange) {
	keys := make([]string, 0, len(old)+len(new))
	for k := range old {
		keys = append(keys, k)
	}
	for k := range new {
		if _, both := old[k]; !both {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := keyPath(at, k)
		o, inOld := old[k]
		n, inNew := new[k]
		switch {
		case !inOld:
			*out = append(*out, FieldChange{Path: p, New: n, OldMissing: true})
		case !inNew:
			*out = append(*out, FieldChange{Path: p, Old: o, NewMissing: true})
		default:
			diffValues(p, o, n, out)
		}
	}
}

func diffLists(at string, old, new []any, out *[]FieldChange) {
	oldNames, oldNamed := names(old)
	newNames, newNamed := names(new)
	if !oldNamed || !newNamed {
		for i := range max(len(old), len(new)) {
			p := at + "[" + strconv.Itoa(i) + "]"
			switch {
			case i >= len(old):
				*out = append(*out, FieldChange{Path: p, New: new[i], OldMissing: true})
			case i >= len(new):
				*out = append(*out, FieldChange{Path: p, Old: old[i], NewMissing: true})
			default:
				diffValues(p, old[i], new[i], out)
			}
		}
		return
	}
	oldByName := map[string]any{}
	for i, name := range oldNames {
		oldByName[name] = old[i]
	}
	newByName := map[string]any{}
	for i, name := range newNames {
		newByName[name] = new[i]
	}
	all := slices.Concat(oldNames, newNames)
	slices.Sort(all)
	all = slices.Compact(all)
	for _, name := range all {
		p := at + "[" + bracketed(name) + "]"
		o, inOld := oldByName[name]
		n, inNew := newByName[name]
		switch {
		case !inOld:
			*out = append(*out, FieldChange{Path: p, New: n, OldMissing: true})
		case !inNew:
			*out = append(*out, FieldChange{Path: p, Old: o, NewMissing: true})
		default:
			diffValues(p, o, n, out)
		}
	}
	// Order matters in a named list too (an env var can refer to an
	// earlier one; initContainers run in order), so items that only
	// moved are a change.
	kept := func(names []string, other map[string]any) []any {
		var out []any
		for _, n := range names {
			if _, ok := other[n]; ok {
				out = append(out, n)
			}
		}
		return out
	}
	oldOrder, newOrder := kept(oldNames, newByName), kept(newNames, oldByName)
	if !slices.Equal(toStrings(oldOrder), toStrings(newOrder)) {
		*out = append(*out, FieldChange{Path: at + " (order)", Old: oldOrder, New: newOrder})
	}
}

func toStrings(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i], _ = v.(string)
	}
	return out
}

// names returns the name of every item when each is a map with a string
// name and no two share one: the lists Kubernetes merges by name
// (containers, env, volumes, ports, volumeMounts...). An empty list
// qualifies, so adding the first container is keyed by its name.
func names(list []any) ([]string, bool) {
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, false
		}
		name, ok := m["name"].(string)
		if !ok || seen[name] {
			return nil, false
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, true
}

// identifier is a map key that needs no quoting in a path.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func keyPath(at, key string) string {
	if !identifier.MatchString(key) {
		return at + "[" + strconv.Quote(key) + "]"
	}
	if at == "" {
		return key
	}
	return at + "." + key
}

// bracketed is a list item's name as written between brackets: as is,
// unless it could be misread as an index, a quoted key or the end of the
// brackets.
func bracketed(name string) string {
	if name == "" || strings.ContainsAny(name, "[]\"\n") || strings.TrimLeft(name, "0123456789") == "" {
		return strconv.Quote(name)
	}
	return name
}
