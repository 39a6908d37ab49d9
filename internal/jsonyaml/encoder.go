package jsonyaml

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"

	sigsyaml "sigs.k8s.io/yaml"
)

// Marshal returns v as YAML, identical to sigs.k8s.io/yaml.Marshal(v).
// v holds values as encoding/json decodes them (with UseNumber or without).
func Marshal(v map[string]any) ([]byte, error) {
	e := encoderPool.Get().(*encoder)
	defer encoderPool.Put(e)
	out, err := e.encode(e.scratch[:0], v)
	if err != nil {
		return appendSlow(nil, v)
	}
	// Written into a reused buffer, returned in one allocation of the
	// right size.
	if cap(out) <= maxScratch {
		e.scratch = out[:0]
	}
	return bytes.Clone(out), nil
}

// maxScratch bounds the buffer a pooled encoder keeps between calls.
const maxScratch = 1 << 20

// Append appends v as YAML to dst, identical to what
// sigs.k8s.io/yaml.Marshal(v) returns. On error dst is returned unchanged.
func Append(dst []byte, v map[string]any) ([]byte, error) {
	e := encoderPool.Get().(*encoder)
	defer encoderPool.Put(e)
	out, err := e.encode(dst, v)
	if err != nil {
		// The fast path may have written past len(dst) in dst's backing
		// array; dst itself is intact.
		return appendSlow(dst, v)
	}
	return out, nil
}

// appendSlow is the slow path: sigs.k8s.io/yaml itself, for the inputs
// doc.go lists.
func appendSlow(dst []byte, v map[string]any) ([]byte, error) {
	y, err := sigsyaml.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, y...), nil
}

// slowPath is why the fast path gave up on an input; Append then asks
// sigs.k8s.io/yaml.
type slowPath string

func (s slowPath) Error() string { return "jsonyaml: slow path: " + string(s) }

const (
	// slowKeyOrder marks keys yaml.v2 cannot order consistently; its output
	// for them varies from run to run.
	slowKeyOrder slowPath = "keys without a consistent order"
	// maxDepth is far below the nesting at which yaml.v2's parser fails
	// (10000) and json.Marshal starts looking for cycles (1000 pointer
	// levels); deeper input, including a cyclic one, takes the slow path so
	// that its errors are the library's.
	maxDepth = 1000
	// bestWidth and bestIndent are yaml.v2's defaults, which
	// sigs.k8s.io/yaml does not change.
	bestWidth  = 80
	bestIndent = 2
	// maxSimpleKey is the longest key (in bytes) yaml.v2 writes as "key:";
	// longer ones get "? key".
	maxSimpleKey = 128
)

// appendFast is the fast path alone, for tests.
func appendFast(dst []byte, v map[string]any) ([]byte, error) {
	e := encoderPool.Get().(*encoder)
	defer encoderPool.Put(e)
	return e.encode(dst, v)
}

// encode appends v to dst, or reports a slowPath error for input the fast
// path does not reproduce.
func (e *encoder) encode(dst []byte, v map[string]any) ([]byte, error) {
	e.reset(dst)
	if v == nil {
		// json.Marshal writes a nil map as null.
		e.writeToken("null")
	} else if err := e.mapping(v); err != nil {
		e.buf = nil
		// Drop the references to v's values the abandoned mappings left.
		clear(e.entries[:cap(e.entries)])
		return nil, err
	}
	// End of document: yaml.v2 finishes the last line.
	e.writeIndent(0)
	out := e.buf
	e.buf = nil
	return out, nil
}

var encoderPool = sync.Pool{New: func() any { return new(encoder) }}

// encoder mirrors the parts of yaml.v2's emitter state that decide its
// output: the column (in characters), the current indentation, whether the
// last thing written was whitespace, and whether the line holds only
// indentation and indicators so far.
type encoder struct {
	buf        []byte
	scratch    []byte // Marshal's buffer, kept between calls
	column     int
	indent     int
	whitespace bool
	indention  bool
	depth      int
	// entries is a stack of every open mapping's sorted entries, reused
	// across calls; a mapping uses entries[start:] and truncates it when
	// done.
	entries []entry
}

func (e *encoder) reset(dst []byte) {
	e.buf = dst
	e.column = 0
	e.indent = -1
	e.whitespace = true
	e.indention = true
	e.depth = 0
	e.entries = e.entries[:0]
}

// value writes one JSON value. inMapping is yaml.v2's mapping context:
// the value belongs to a mapping key, which is what makes a block
// sequence under it indentless.
func (e *encoder) value(v any, inMapping bool) error {
	switch v := v.(type) {
	case nil:
		e.writeToken("null")
	case string:
		return e.stringValue(v)
	case json.Number:
		s := string(v)
		if s == "" {
			// json.Marshal writes an empty Number as 0.
			s = "0"
		}
		if !validJSONNumber(s) {
			return slowPath("invalid json.Number")
		}
		e.writeToken(resolveNumber(s))
	case bool:
		if v {
			e.writeToken("true")
		} else {
			e.writeToken("false")
		}
	case map[string]any:
		if v == nil {
			e.writeToken("null")
			return nil
		}
		return e.mapping(v)
	case []any:
		if v == nil {
			e.writeToken("null")
			return nil
		}
		return e.sequence(v, inMapping)
	case float64:
		return e.float(v, 64)
	case float32:
		return e.float(float64(v), 32)
	case int:
		e.writeInt(int64(v))
	case int64:
		e.writeInt(v)
	case int32:
		e.writeInt(int64(v))
	case int16:
		e.writeInt(int64(v))
	case int8:
		e.writeInt(int64(v))
	case uint:
		e.writeUint(uint64(v))
	case uint64:
		e.writeUint(v)
	case uint32:
		e.writeUint(uint64(v))
	case uint16:
		e.writeUint(uint64(v))
	case uint8:
		e.writeUint(uint64(v))
	default:
		return slowPath("unsupported type")
	}
	return nil
}

func (e *encoder) writeInt(i int64) {
	e.beginToken()
	n := len(e.buf)
	e.buf = strconv.AppendInt(e.buf, i, 10)
	e.endToken(len(e.buf) - n)
}

func (e *encoder) writeUint(u uint64) {
	e.beginToken()
	n := len(e.buf)
	e.buf = strconv.AppendUint(e.buf, u, 10)
	e.endToken(len(e.buf) - n)
}

func (e *encoder) float(f float64, bits int) error {
	var b [32]byte
	s, ok := jsonFloat(b[:0], f, bits)
	if !ok {
		return slowPath("NaN or infinite float")
	}
	e.writeToken(resolveNumber(string(s)))
	return nil
}

// mapping writes a non-nil map as a block mapping, or {} when empty.
func (e *encoder) mapping(m map[string]any) error {
	if len(m) == 0 {
		e.writeIndicator("{", true, true, false)
		e.writeIndicator("}", false, false, false)
		return nil
	}
	if e.depth++; e.depth > maxDepth {
		return slowPath("nesting too deep")
	}
	start := len(e.entries)
	anyDigit := false
	for k, v := range m {
		if st, digit, ok := wordKey(k); ok {
			anyDigit = anyDigit || digit
			e.entries = append(e.entries, entry{key: k, value: v, style: st, simple: true, ascii: true})
			continue
		}
		a, err := analyze(k)
		if err != nil {
			return err
		}
		if keyTooLong(k) {
			return slowPath("key too long")
		}
		simple := len(k) <= maxSimpleKey && !a.multiline
		anyDigit = anyDigit || hasDigit(k, a.ascii)
		e.entries = append(e.entries, entry{
			key: k, value: v, style: chooseStyle(k, a, simple), simple: simple, ascii: a.ascii,
		})
	}
	end := len(e.entries)
	if err := sortEntries(e.entries[start:end], anyDigit); err != nil {
		return err
	}

	saved := e.indent
	e.increaseIndent(false, false)
	for i := start; i < end; i++ {
		// Index e.entries afresh: nested mappings may have grown it.
		en := e.entries[i]
		e.writeIndent(e.indent)
		if en.simple {
			e.scalar(en.key, en.style, en.ascii, false)
			e.writeIndicator(":", false, false, false)
		} else {
			e.writeIndicator("?", true, false, true)
			e.scalar(en.key, en.style, en.ascii, true)
			e.writeIndent(e.indent)
			e.writeIndicator(":", true, false, true)
		}
		if err := e.value(en.value, true); err != nil {
			return err
		}
	}
	e.indent = saved
	// Drop the references to v's values before the encoder is pooled.
	clear(e.entries[start:end])
	e.entries = e.entries[:start]
	e.depth--
	return nil
}

// entry is one key of a mapping being written, with its value and how
// the key is written.
type entry struct {
	key    string
	value  any
	style  scalarStyle
	simple bool // "key:" rather than "? key\n:"
	ascii  bool
}

// sequence writes a non-nil slice as a block sequence, or [] when empty.
func (e *encoder) sequence(s []any, inMapping bool) error {
	if len(s) == 0 {
		e.writeIndicator("[", true, true, false)
		e.writeIndicator("]", false, false, false)
		return nil
	}
	if e.depth++; e.depth > maxDepth {
		return slowPath("nesting too deep")
	}
	saved := e.indent
	// Right after "key:" the sequence is not indented ("key:\n- a"); after
	// "? key\n:" or "- " it is.
	e.increaseIndent(false, inMapping && !e.indention)
	for _, item := range s {
		e.writeIndent(e.indent)
		e.writeIndicator("-", true, false, true)
		if err := e.value(item, false); err != nil {
			return err
		}
	}
	e.indent = saved
	e.depth--
	return nil
}

// increaseIndent is yaml.v2's yaml_emitter_increase_indent; callers restore
// the previous indent themselves.
func (e *encoder) increaseIndent(flow, indentless bool) {
	switch {
	case e.indent < 0 && flow:
		e.indent = bestIndent
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += bestIndent
	}
}

// writeIndent starts a new line unless the current one holds only
// indentation up to indent, then pads to indent.
func (e *encoder) writeIndent(indent int) {
	if indent < 0 {
		indent = 0
	}
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.putBreak()
	}
	for e.column < indent {
		n := min(indent-e.column, len(spaces))
		e.buf = append(e.buf, spaces[:n]...)
		e.column += n
	}
	e.whitespace = true
	e.indention = true
}

const spaces = "                                                                "

// writeIndicator writes an ASCII indicator such as ":", "-", "?" or "|".
func (e *encoder) writeIndicator(ind string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.buf = append(e.buf, ' ')
		e.column++
	}
	e.buf = append(e.buf, ind...)
	e.column += len(ind)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

func (e *encoder) putBreak() {
	e.buf = append(e.buf, '\n')
	e.column = 0
}

// writeToken writes a plain scalar that needs no analysis: null, a bool
// or a number, none of which contains a space.
func (e *encoder) writeToken(s string) {
	e.beginToken()
	e.buf = append(e.buf, s...)
	e.endToken(len(s))
}

func (e *encoder) beginToken() {
	if !e.whitespace {
		e.buf = append(e.buf, ' ')
		e.column++
	}
}

// endToken finishes a token of n ASCII characters.
func (e *encoder) endToken(n int) {
	e.column += n
	e.whitespace = false
	e.indention = false
}
