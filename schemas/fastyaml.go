package schemas

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeFast decodes the plain block-style YAML that generators write
// (kustomize, sigs.k8s.io/yaml, discoursegen itself) directly into JSON
// values. It exists for speed: the exact path, sigs.k8s.io/yaml, parses
// with go-yaml v2, re-encodes the result as JSON and decodes that again,
// and was four fifths of the cost of validating a manifest.
//
// It gives the same values as the exact path or none: ok is false for
// anything outside the subset it reads (anchors, aliases, tags, flow
// collections with content, folded and kept block scalars, tabs,
// timestamps, keys that are not strings, duplicate keys, any doubt), and
// decodeObject then takes the exact path, which also words the error if
// there is one. Inside the subset are block mappings and sequences,
// plain, quoted and literal scalars, multi-line ones folded as YAML folds
// them, and comments. Scalars are resolved by go-yaml v2's rules, YAML 1.1
// (yes and on are true, 0777 is octal), through the same strconv calls.
// TestFastDecodeMatchesYAML and FuzzFastDecodeMatchesYAML hold it to the
// exact path.
func decodeFast(doc []byte) (obj map[string]any, ok bool) {
	defer func() {
		// A bug here must never cost more than the exact path. The tests
		// call parseFast, where a bug panics.
		if r := recover(); r != nil {
			obj, ok = nil, false
		}
	}()
	return parseFast(doc)
}

// parseFast is decodeFast without the safety net.
func parseFast(doc []byte) (obj map[string]any, ok bool) {
	if !fastReadable(doc) {
		return nil, false
	}
	text := string(doc)
	finalNewline := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	p := &fastParser{lines: lines, finalNewline: finalNewline}
	defer func() {
		// The parser bails out by panicking with errBail, which keeps
		// every step free of ok-plumbing.
		if r := recover(); r != nil {
			if r != errBail {
				panic(r)
			}
			obj, ok = nil, false
		}
	}()
	i, ok := p.next()
	if !ok || indentOf(lines[i]) != 0 || isSeqEntry(lines[i]) {
		return nil, false
	}
	m := p.mapping(0)
	if _, more := p.next(); more {
		return nil, false
	}
	return m, true
}

// documentMarker reports whether line starts with "---" or "..." that
// YAML reads as a document marker: followed by a space or the end of the
// line.
func documentMarker(line []byte) bool {
	if len(line) < 3 || (string(line[:3]) != "---" && string(line[:3]) != "...") {
		return false
	}
	return len(line) == 3 || line[3] == ' ' || line[3] == '\n'
}

// bail is the panic value of a document outside the fast subset.
type bail struct{}

var errBail = bail{}

// fastReadable rejects documents with bytes the fast parser does not
// handle: tabs, carriage returns, control characters, invalid UTF-8,
// byte order marks, the Unicode line separators YAML honours, directives,
// and document markers ("---" and "..." at the start of a line), which
// start or end a document wherever they stand.
func fastReadable(doc []byte) bool {
	for i := 0; i < len(doc); {
		c := doc[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			if i == 0 || doc[i-1] == '\n' {
				if c == '%' || documentMarker(doc[i:]) {
					return false
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(doc[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

// fastParser reads a document line by line. pos is the next line to read.
type fastParser struct {
	lines        []string
	pos          int
	finalNewline bool
}

// bailOut abandons the fast path for the document.
func bailOut() { panic(errBail) }

func indentOf(line string) int {
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	return i
}

// isBlank reports whether a line holds nothing but spaces or a comment.
func isBlank(line string) bool {
	t := strings.TrimLeft(line, " ")
	return t == "" || t[0] == '#'
}

func isSeqEntry(line string) bool {
	t := line[indentOf(line):]
	return t == "-" || strings.HasPrefix(t, "- ")
}

// next returns the index of the next line with content, without
// consuming it.
func (p *fastParser) next() (int, bool) {
	for i := p.pos; i < len(p.lines); i++ {
		if !isBlank(p.lines[i]) {
			return i, true
		}
	}
	return 0, false
}

// mapping reads a block mapping whose keys are at column indent, starting
// at the next line with content.
func (p *fastParser) mapping(indent int) map[string]any {
	m := map[string]any{}
	for {
		i, ok := p.next()
		if !ok {
			return m
		}
		line := p.lines[i]
		ind := indentOf(line)
		if ind < indent {
			return m
		}
		if ind > indent || isSeqEntry(line) {
			bailOut()
		}
		p.pos = i + 1
		p.entry(m, line[ind:], indent)
	}
}

// entry reads one "key: value" whose key starts at column indent; content
// is the line from the key on.
func (p *fastParser) entry(m map[string]any, content string, indent int) {
	key, rest, isKey := splitKey(content)
	if !isKey {
		bailOut()
	}
	if _, dup := m[key]; dup {
		bailOut()
	}
	m[key] = p.value(rest, indent, true)
}

// splitKey splits "key: rest" into the key and what follows the colon
// and its spaces. isKey is false when content is not a mapping entry.
func splitKey(content string) (key, rest string, isKey bool) {
	if content == "" {
		return "", "", false
	}
	var after string
	switch content[0] {
	case '"', '\'':
		s, tail, ok := quoted(content)
		if !ok || !strings.HasPrefix(tail, ":") {
			return "", "", false
		}
		key, after = s, tail[1:]
	default:
		if isIndicator(content[0]) || content[0] == '-' {
			return "", "", false
		}
		colon := -1
		for i := 0; i < len(content); i++ {
			if content[i] == ':' && (i+1 == len(content) || content[i+1] == ' ') {
				colon = i
				break
			}
			if content[i] == '#' && content[i-1] == ' ' {
				return "", "", false
			}
		}
		if colon < 0 {
			return "", "", false
		}
		key, after = content[:colon], content[colon+1:]
		if strings.HasSuffix(key, " ") {
			bailOut()
		}
		if v := resolvePlain(key); v != any(key) {
			bailOut() // a key that is not a string (true, 1, null)
		}
		if key == "<<" {
			bailOut()
		}
	}
	if len(key) > 1024 || (after != "" && after[0] != ' ') {
		bailOut()
	}
	return key, strings.TrimLeft(after, " "), true
}

// isIndicator reports whether c cannot start a plain scalar (YAML's
// indicators; '-' is judged by the caller).
func isIndicator(c byte) bool {
	return strings.IndexByte("?:,[]{}#&*!|>'\"%@`", c) >= 0
}

// value reads the value of a mapping entry or sequence item: rest is the
// text after "key:" or "-", and parent the column of the key or dash.
// entry says which: only a mapping entry's value may be a sequence at the
// entry's own column.
func (p *fastParser) value(rest string, parent int, entry bool) any {
	if rest == "" || rest[0] == '#' {
		i, ok := p.next()
		if !ok {
			return nil
		}
		line := p.lines[i]
		ind := indentOf(line)
		switch {
		case ind > parent && isSeqEntry(line):
			return p.sequence(ind)
		case ind > parent:
			return p.mapping(ind)
		case ind == parent && entry && isSeqEntry(line):
			// A sequence may sit at its key's column.
			return p.sequence(ind)
		}
		return nil
	}
	var v any
	switch rest[0] {
	case '|':
		return p.literal(rest, parent)
	case '"', '\'':
		s, tail := p.flowScalar(rest, parent)
		if tail = strings.TrimLeft(tail, " "); tail != "" && tail[0] != '#' {
			bailOut()
		}
		v = s
	case '[', '{':
		switch strings.TrimRight(stripComment(rest), " ") {
		case "[]":
			v = []any{}
		case "{}":
			v = map[string]any{}
		default:
			bailOut()
		}
	default:
		v = resolvePlain(p.plainScalar(rest, parent))
	}
	// A scalar ends with its line (or its closing quote); a deeper line
	// after it would continue it (or be an error), which the exact path
	// judges.
	if i, ok := p.nextLine(); ok && indentOf(p.lines[i]) > parent {
		bailOut()
	}
	return v
}

// plainScalar reads a plain scalar that starts with first and may go on
// over the following lines deeper than parent, folded as YAML folds them:
// a line break becomes a space, and each empty line a line break. A
// comment ends it.
func (p *fastParser) plainScalar(first string, parent int) string {
	c := first[0]
	if (isIndicator(c) || c == '-') && !((c == '-' || c == '?' || c == ':') && len(first) > 1 && first[1] != ' ') {
		bailOut()
	}
	text, ended := plainLine(first)
	empty := 0
	for i := p.pos; i < len(p.lines) && !ended; i++ {
		line := p.lines[i]
		ind := indentOf(line)
		if ind == len(line) {
			empty++
			continue
		}
		if ind <= parent {
			break
		}
		more := line[ind:]
		if more[0] == '#' || more == "-" || strings.HasPrefix(more, "- ") {
			// A comment ends the scalar (and what follows would be an
			// error); a dash and a space would read as a sequence entry
			// to a careless reader, so the exact path decides. Every
			// other indicator is content on a continuation line in
			// block context (YAML 1.2 ns-plain-safe-out is any ns-char;
			// go-yaml v2's scanner checks flow indicators only inside
			// flow collections): a PromQL expression the encoder wraps
			// before "> 0.02" or "/ sum" stays on the fast path.
			bailOut()
		}
		if empty == 0 {
			text += " "
		} else {
			text += strings.Repeat("\n", empty)
		}
		var part string
		part, ended = plainLine(more)
		text += part
		empty = 0
		p.pos = i + 1
	}
	return text
}

// plainLine is one line of a plain scalar without the spaces around it
// and without a comment, which ends the scalar. A ": " inside would end
// the scalar and start a mapping, which only the exact path words.
func plainLine(s string) (text string, comment bool) {
	text = stripComment(s)
	comment = len(text) < len(s)
	text = strings.TrimRight(text, " ")
	if strings.Contains(text, ": ") || strings.HasSuffix(text, ":") {
		bailOut()
	}
	return text, comment
}

// flowScalar reads a single- or double-quoted scalar that starts rest and
// may go on over the following lines, folded as YAML folds them, and
// returns it and what follows the closing quote on its line.
func (p *fastParser) flowScalar(rest string, parent int) (string, string) {
	q := rest[0]
	var b []byte
	line := rest[1:]
	for {
		// One line: keep spaces only when something follows them on the
		// line; an escaped line break joins without a space.
		keep := len(b)
		escapedBreak := false
		i := 0
		for ; i < len(line); i++ {
			c := line[i]
			switch {
			case c == q && q == '\'' && i+1 < len(line) && line[i+1] == '\'':
				b = append(b, '\'')
				i++
			case c == q:
				return string(b), line[i+1:]
			case c == '\\' && q == '"' && i+1 == len(line):
				escapedBreak = true
			case c == '\\' && q == '"':
				var sb strings.Builder
				n, ok := escape(&sb, line[i+1:])
				if !ok {
					bailOut()
				}
				b = append(b, sb.String()...)
				i += n
			default:
				b = append(b, c)
				if c == ' ' {
					continue
				}
			}
			keep = len(b)
		}
		b = b[:keep]
		// The following lines: empty ones are line breaks, the next
		// non-empty one goes on with the scalar.
		empty := 0
		for {
			if p.pos >= len(p.lines) {
				bailOut() // not closed
			}
			next := p.lines[p.pos]
			p.pos++
			ind := indentOf(next)
			if ind == len(next) {
				empty++
				continue
			}
			if ind <= parent {
				bailOut()
			}
			line = next[ind:]
			break
		}
		switch {
		case escapedBreak:
			b = append(b, strings.Repeat("\n", empty)...)
		case empty == 0:
			b = append(b, ' ')
		default:
			b = append(b, strings.Repeat("\n", empty)...)
		}
	}
}

// nextLine returns the next line that is not empty, comments included.
func (p *fastParser) nextLine() (int, bool) {
	for i := p.pos; i < len(p.lines); i++ {
		if strings.TrimLeft(p.lines[i], " ") != "" {
			return i, true
		}
	}
	return 0, false
}

// stripComment cuts a comment (a '#' after a space) off a plain scalar.
func stripComment(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && s[i-1] == ' ' {
			return s[:i]
		}
	}
	return s
}

// sequence reads a block sequence whose dashes are at column indent.
func (p *fastParser) sequence(indent int) []any {
	list := []any{}
	for {
		i, ok := p.next()
		if !ok {
			return list
		}
		line := p.lines[i]
		ind := indentOf(line)
		if ind < indent || (ind == indent && !isSeqEntry(line)) {
			return list
		}
		if ind > indent {
			bailOut()
		}
		p.pos = i + 1
		item := line[ind+1:]
		spaces := indentOf(item)
		item = item[spaces:]
		switch {
		case strings.HasPrefix(item, "- ") || item == "-":
			bailOut() // a sequence in a sequence on one line
		case item != "" && item[0] != '#' && item[0] != '|':
			if _, _, isKey := splitKey(item); isKey {
				// "- key: value": a mapping whose keys are at the
				// column of this first key.
				col := ind + 1 + spaces
				m := map[string]any{}
				p.entry(m, item, col)
				for {
					j, ok := p.next()
					if !ok || indentOf(p.lines[j]) != col {
						if ok && indentOf(p.lines[j]) > col {
							bailOut()
						}
						break
					}
					if isSeqEntry(p.lines[j]) {
						bailOut()
					}
					p.pos = j + 1
					p.entry(m, p.lines[j][col:], col)
				}
				list = append(list, m)
				continue
			}
		}
		list = append(list, p.value(item, ind, false))
	}
}

// literal reads a literal block scalar ("|" or "|-") after the entry at
// column parent.
func (p *fastParser) literal(header string, parent int) string {
	strip := false
	switch header {
	case "|":
	case "|-":
		strip = true
	default:
		bailOut() // keep (+), indentation indicators, comments
	}
	if p.pos >= len(p.lines) {
		bailOut()
	}
	first := p.lines[p.pos]
	indent := indentOf(first)
	if strings.TrimLeft(first, " ") == "" || indent <= parent {
		bailOut() // leading empty lines, or an empty scalar
	}
	var b strings.Builder
	breaks := 0
	last := p.pos
	for p.pos < len(p.lines) {
		line := p.lines[p.pos]
		ind := indentOf(line)
		if ind == len(line) { // empty, or spaces only
			if ind > indent {
				bailOut() // spaces beyond the indentation are content
			}
			breaks++
			p.pos++
			continue
		}
		if ind < indent {
			break
		}
		if b.Len() > 0 {
			b.WriteString(strings.Repeat("\n", breaks+1))
		}
		breaks = 0
		b.WriteString(line[indent:])
		last = p.pos
		p.pos++
	}
	// Clip keeps the line break of the last line, strip drops it; there
	// is none when the document ends on that line without one.
	if !strip && (last < len(p.lines)-1 || p.finalNewline) {
		b.WriteByte('\n')
	}
	return b.String()
}

// quoted reads a single- or double-quoted scalar at the start of s that
// ends on the same line, and returns it and what follows it.
func quoted(s string) (string, string, bool) {
	q := s[0]
	var b strings.Builder
	plain := true // no escapes so far: the value is a substring
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '\'' && c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				if plain {
					b.WriteString(s[1:i])
					plain = false
				}
				b.WriteByte('\'')
				i++
				continue
			}
			if plain {
				return s[1:i], s[i+1:], true
			}
			return b.String(), s[i+1:], true
		case q == '"' && c == '"':
			if plain {
				return s[1:i], s[i+1:], true
			}
			return b.String(), s[i+1:], true
		case q == '"' && c == '\\':
			if plain {
				b.WriteString(s[1:i])
				plain = false
			}
			n, ok := escape(&b, s[i+1:])
			if !ok {
				return "", "", false
			}
			i += n
		default:
			if !plain {
				b.WriteByte(c)
			}
		}
	}
	return "", "", false // not closed on this line
}

// escape decodes one double-quoted escape (s follows the backslash) into b
// and returns its length.
func escape(b *strings.Builder, s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	digits := 0
	switch s[0] {
	case '0':
		b.WriteByte(0)
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'v':
		b.WriteByte('\v')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case ' ', '"', '\'', '\\':
		b.WriteByte(s[0])
	case 'N':
		b.WriteRune(0x85)
	case '_':
		b.WriteRune(0xa0)
	case 'L':
		b.WriteRune(0x2028)
	case 'P':
		b.WriteRune(0x2029)
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return 0, false
	}
	if digits == 0 {
		return 1, true
	}
	if len(s) < 1+digits {
		return 0, false
	}
	v, err := strconv.ParseUint(s[1:1+digits], 16, 32)
	if err != nil || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff {
		return 0, false
	}
	b.WriteRune(rune(v))
	return 1 + digits, true
}

// yamlStyleFloat is go-yaml v2's test for a float in a plain scalar.
var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolvePlain gives a plain scalar the value go-yaml v2 gives it (see
// its resolve), as the JSON value sigs.k8s.io/yaml then makes of it. It
// bails out for values the exact path turns into something else
// (timestamps) or refuses (infinities, NaN, merge keys).
func resolvePlain(in string) any {
	switch in {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true
	case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return false
	case "", "~", "null", "Null", "NULL":
		return nil
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<":
		bailOut()
	}
	switch c := in[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return jsonFloat(f)
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if len(in) > 4 && in[4] == '-' && digitsOnly(in[:4]) {
			bailOut() // possibly a timestamp
		}
		plain := strings.ReplaceAll(in, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			if canonicalInt(in, i) {
				return json.Number(in)
			}
			return json.Number(strconv.FormatInt(i, 10))
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return json.Number(strconv.FormatUint(u, 10))
		}
		if yamlStyleFloat.MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return jsonFloat(f)
			}
		}
		if strings.HasPrefix(plain, "0b") || strings.HasPrefix(plain, "-0b") {
			bailOut()
		}
	}
	return in
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalInt reports whether in is how strconv writes i, so the literal
// can be kept without formatting it again.
func canonicalInt(in string, i int64) bool {
	if in == "0" {
		return true
	}
	s := in
	if s[0] == '-' {
		s = s[1:]
	}
	return s != "" && s[0] != '0' && digitsOnly(s) && (i != 0)
}

// jsonFloat is a float as encoding/json writes it, which is what the
// exact path's JSON round trip leaves in a json.Number.
func jsonFloat(f float64) json.Number {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		bailOut() // encoding/json refuses them; the exact path words it
	}
	b, err := json.Marshal(f)
	if err != nil {
		bailOut()
	}
	return json.Number(b)
}
