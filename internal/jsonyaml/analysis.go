package jsonyaml

import (
	"strings"
	"unicode/utf8"
)

// scalarStyle is how a string is written.
type scalarStyle uint8

const (
	stylePlain scalarStyle = iota
	styleSingleQuoted
	styleDoubleQuoted
	styleLiteral
)

// chooseStyle picks the style yaml.v2 writes s in, given its analysis a,
// in a block collection (sigs.k8s.io/yaml never writes a non-empty flow
// collection). simpleKey is true for a key written as "key:".
//
// yaml.v2 decides in two steps: its encoder asks for a literal block when
// s holds "\n", for plain when s would read back as a string, and for
// double quotes otherwise; its emitter then falls back from plain to
// single quotes, and from single quotes or a literal block to double
// quotes, when the characters of s do not allow the style asked for.
func chooseStyle(s string, a analysis, simpleKey bool) scalarStyle {
	var st scalarStyle
	switch {
	case a.newline:
		st = styleLiteral
	case plainReadsAsString(s):
		st = stylePlain
	default:
		st = styleDoubleQuoted
	}
	if simpleKey && a.multiline {
		st = styleDoubleQuoted
	}
	if st == stylePlain && (!a.blockPlainAllowed || s == "" && simpleKey) {
		st = styleSingleQuoted
	}
	if st == styleSingleQuoted && !a.singleQuotedAllowed {
		st = styleDoubleQuoted
	}
	if st == styleLiteral && (!a.blockAllowed || simpleKey) {
		st = styleDoubleQuoted
	}
	return st
}

// analysis is what yaml.v2's yaml_emitter_analyze_scalar finds out about
// a scalar, reduced to what matters outside flow collections.
type analysis struct {
	ascii               bool // every character is ASCII, so a byte is a column
	newline             bool // holds "\n"
	multiline           bool // holds any YAML line break: \n \r U+0085 U+2028 U+2029
	blockPlainAllowed   bool
	singleQuotedAllowed bool
	blockAllowed        bool
}

// analyze classifies s as yaml.v2 does. It returns a slowPath error for
// characters the fast path does not reproduce (see doc.go).
func analyze(s string) (analysis, error) {
	if s == "" {
		return analysis{ascii: true, blockPlainAllowed: true, singleQuotedAllowed: true}, nil
	}
	// Most keys and many values are one word of printable ASCII; only
	// their first characters matter.
	if ordinary[s[0]] {
		i := 1
		for i < len(s) && ordinary[s[i]] {
			i++
		}
		if i == len(s) {
			return analysis{
				ascii:               true,
				blockPlainAllowed:   !startsWithIndicator(s),
				singleQuotedAllowed: true,
				blockAllowed:        true,
			}, nil
		}
	}
	var (
		blockIndicators = strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...")
		lineBreaks      bool
		ascii           = true
		newline         bool
		special         bool
		leadingSpace    bool
		leadingBreak    bool
		trailingSpace   bool
		trailingBreak   bool
		breakSpace      bool
		spaceBreak      bool
		previousSpace   bool
		previousBreak   bool
		// yaml.v2 counts NUL as whitespace here (is_blankz).
		precededByWhitespace = true
	)
	for i, w := 0, 0; i < len(s); i += w {
		c := s[i]
		if i > 0 && ordinary[c] {
			// A run of characters that change nothing but the "previous"
			// flags, which they clear.
			j := i + 1
			for j < len(s) && ordinary[s[j]] {
				j++
			}
			w = j - i
			previousSpace, previousBreak, precededByWhitespace = false, false, false
			continue
		}
		if i > 0 && c == ' ' {
			w = 1
			if i+1 == len(s) {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak, precededByWhitespace = true, false, true
			continue
		}
		r := rune(c)
		w = 1
		if c >= utf8.RuneSelf {
			ascii = false
			r, w = utf8.DecodeRuneInString(s[i:])
			if slowRune(r, w) {
				return analysis{}, slowPath("character outside the fast path")
			}
		} else if c == 0x7f {
			return analysis{}, slowPath("character outside the fast path")
		}
		followedByWhitespace := i+w >= len(s) || s[i+w] == ' ' || s[i+w] == '\t'
		if i == 0 {
			switch c {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				blockIndicators = true
			case '?', ':', '-':
				if followedByWhitespace {
					blockIndicators = true
				}
			}
		} else {
			switch c {
			case ':':
				if followedByWhitespace {
					blockIndicators = true
				}
			case '#':
				if precededByWhitespace {
					blockIndicators = true
				}
			}
		}
		if !printable(r) {
			special = true
		}
		brk := isBreak(r)
		switch {
		case c == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i+w == len(s) {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak = true, false
		case brk:
			lineBreaks = true
			if c == '\n' {
				newline = true
			}
			if i == 0 {
				leadingBreak = true
			}
			if i+w == len(s) {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = c == ' ' || c == '\t' || c == 0 || brk
	}

	a := analysis{
		ascii:               ascii,
		newline:             newline,
		multiline:           lineBreaks,
		blockPlainAllowed:   true,
		singleQuotedAllowed: true,
		blockAllowed:        true,
	}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || blockIndicators {
		a.blockPlainAllowed = false
	}
	if trailingSpace {
		a.blockAllowed = false
	}
	if breakSpace {
		a.blockPlainAllowed = false
		a.singleQuotedAllowed = false
	}
	if spaceBreak || special {
		a.blockPlainAllowed = false
		a.singleQuotedAllowed = false
		a.blockAllowed = false
	}
	return a, nil
}

// startsWithIndicator reports whether s, a run of ordinary characters,
// starts with what yaml.v2 takes for an indicator in block context.
func startsWithIndicator(s string) bool {
	switch s[0] {
	case ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return true
	case '?', '-':
		// Followed by whitespace: only the end of s can be.
		return len(s) == 1 || strings.HasPrefix(s, "---")
	case '.':
		return strings.HasPrefix(s, "...")
	}
	return false
}

// ordinary marks the printable ASCII characters that, after the first
// position, neither are whitespace nor can start an indicator (":" and
// "#" can).
var ordinary = func() (t [256]bool) {
	for c := 0x21; c <= 0x7e; c++ {
		t[c] = c != ':' && c != '#'
	}
	return t
}()

// slowRune reports characters that make sigs.k8s.io/yaml's round trip do
// more than the emitter: bytes that are not UTF-8 (JSON turns them into
// U+FFFD), C1 controls (its YAML parser rejects them in the JSON text, or
// reads U+0085 as a line break inside the quoted string), and U+FFFE and
// U+FFFF (rejected). r, w are utf8.DecodeRuneInString's results for a
// non-ASCII byte; U+007F is checked by the callers.
func slowRune(r rune, w int) bool {
	return r == utf8.RuneError && w == 1 || r >= 0x80 && r <= 0x9f || r == 0xfffe || r == 0xffff
}

// printable is yaml.v2's is_printable: characters the emitter writes
// as they are. Tabs, CR, other C0 controls, U+FEFF and everything outside
// the Basic Multilingual Plane are not printable.
func printable(r rune) bool {
	switch {
	case r < 0x80:
		return r == '\n' || r >= 0x20 && r <= 0x7e
	case r < 0xa0:
		return false
	case r <= 0xd7ff:
		return true
	case r < 0xe000:
		return false
	default:
		return r <= 0xfffd && r != 0xfeff
	}
}

// isBreak reports YAML 1.1 line breaks.
func isBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// wordKey is the common case of a key, decided in one pass: up to
// maxSimpleKey ASCII letters, digits, ".", "/", "_" and "-", starting
// with a letter (spec, app.kubernetes.io/name, DISCOURSE_DB_HOST). Such a
// key is plain unless it is a YAML 1.1 word like "on" or "no". ok is
// false for any other key.
func wordKey(k string) (st scalarStyle, digit, ok bool) {
	if k == "" || len(k) > maxSimpleKey || wordChar[k[0]] != wordLetter {
		return 0, false, false
	}
	var classes byte
	for i := 1; i < len(k); i++ {
		c := wordChar[k[i]]
		if c == 0 {
			return 0, false, false
		}
		classes |= c
	}
	if isSpecial(k) {
		return styleDoubleQuoted, false, true
	}
	return stylePlain, classes&wordDigit != 0, true
}

// Classes of the characters wordKey accepts.
const (
	wordLetter = 1 << iota
	wordDigit
	wordPunct
)

var wordChar = func() (t [256]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = wordLetter
		t[c-'a'+'A'] = wordLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = wordDigit
	}
	for _, c := range "./_-" {
		t[c] = wordPunct
	}
	return t
}()
