package jsonyaml

import (
	"strings"
	"unicode/utf8"
)

// stringValue writes a string value in the style yaml.v2 chooses.
func (e *encoder) stringValue(s string) error {
	a, err := analyze(s)
	if err != nil {
		return err
	}
	e.scalar(s, chooseStyle(s, a, false), a.ascii, true)
	return nil
}

// scalar writes s in style st; ascii says s is all ASCII. Values and "? "
// keys are folded at bestWidth (allowBreaks), "key:" keys are not.
func (e *encoder) scalar(s string, st scalarStyle, ascii, allowBreaks bool) {
	saved := e.indent
	// The scalar's continuation lines are indented one step deeper.
	e.increaseIndent(true, false)
	switch st {
	case stylePlain:
		e.writePlain(s, ascii, allowBreaks)
	case styleSingleQuoted:
		e.writeSingleQuoted(s, allowBreaks)
	case styleDoubleQuoted:
		e.writeDoubleQuoted(s, allowBreaks)
	case styleLiteral:
		e.writeLiteral(s, ascii)
	}
	e.indent = saved
}

// writeRun copies s, which holds no space or line break, advancing the
// column by its characters.
func (e *encoder) writeRun(s string, ascii bool) {
	e.buf = append(e.buf, s...)
	if ascii {
		e.column += len(s)
	} else {
		e.column += utf8.RuneCountInString(s)
	}
}

// writePlain writes s unquoted, breaking the line at a single space once
// the column is past bestWidth. s holds no line break.
func (e *encoder) writePlain(s string, ascii, allowBreaks bool) {
	if !e.whitespace {
		e.buf = append(e.buf, ' ')
		e.column++
	}
	spaces := false
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			if allowBreaks && !spaces && e.column > bestWidth && i+1 < len(s) && s[i+1] != ' ' {
				e.writeIndent(e.indent)
			} else {
				e.buf = append(e.buf, ' ')
				e.column++
			}
			i++
			spaces = true
			continue
		}
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s)
		} else {
			j += i
		}
		e.writeRun(s[i:j], ascii)
		i = j
		spaces = false
	}
	e.whitespace = false
	e.indention = false
}

// writeSingleQuoted writes s in single quotes, doubling quotes inside and
// breaking lines as writePlain does (but never at the first or last
// character). Line breaks other than "\n" (only U+2028 and U+2029 get
// here) are copied as they are and the text after them indented.
func (e *encoder) writeSingleQuoted(s string, allowBreaks bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	for i := 0; i < len(s); {
		c := s[i]
		r, w := rune(c), 1
		if c >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case c == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i > 0 && i < len(s)-1 && s[i+1] != ' ' {
				e.writeIndent(e.indent)
			} else {
				e.buf = append(e.buf, ' ')
				e.column++
			}
			i++
			spaces = true
		case isBreak(r):
			if !breaks && c == '\n' {
				e.putBreak()
			}
			e.writeBreak(s[i : i+w])
			i += w
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent(e.indent)
			}
			if c == '\'' {
				e.buf = append(e.buf, '\'')
				e.column++
			}
			e.buf = append(e.buf, s[i:i+w]...)
			e.column++
			i += w
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.writeIndicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

// writeBreak writes one line break character: "\n" as a new line, any
// other as it is, after which yaml.v2 counts columns from 0 again.
func (e *encoder) writeBreak(b string) {
	if b == "\n" {
		e.putBreak()
		return
	}
	e.buf = append(e.buf, b...)
	e.column = 0
}

// writeDoubleQuoted writes s in double quotes with yaml.v2's escapes,
// breaking lines at a space past bestWidth; a space that starts the
// continuation line is kept with "\".
func (e *encoder) writeDoubleQuoted(s string, allowBreaks bool) {
	e.writeIndicator(`"`, true, false, false)
	// yaml.v2's is_bom looks at the start of the value, not at the current
	// character, so a leading U+FEFF makes it escape every character.
	escapeAll := strings.HasPrefix(s, "\ufeff")
	spaces := false
	for i := 0; i < len(s); {
		c := s[i]
		r, w := rune(c), 1
		if c >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case escapeAll || !printable(r) || isBreak(r) || c == '"' || c == '\\':
			e.writeEscape(r)
			i += w
			spaces = false
		case c == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i > 0 && i < len(s)-1 {
				e.writeIndent(e.indent)
				if s[i+1] == ' ' {
					e.buf = append(e.buf, '\\')
					e.column++
				}
			} else {
				e.buf = append(e.buf, ' ')
				e.column++
			}
			i++
			spaces = true
		default:
			e.buf = append(e.buf, s[i:i+w]...)
			e.column++
			i += w
			spaces = false
		}
	}
	e.writeIndicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}

// shortEscapes are the one-letter escapes yaml.v2 writes in a
// double-quoted scalar; writeEscape writes every other rune in hex.
var shortEscapes = map[rune]byte{
	0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v',
	0x0c: 'f', 0x0d: 'r', 0x1b: 'e', '"': '"', '\\': '\\',
	0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
}

// writeEscape writes r as a double-quoted escape sequence, yaml.v2's way:
// the short forms, else \xXX, \uXXXX or \UXXXXXXXX in upper-case hex.
func (e *encoder) writeEscape(r rune) {
	start := len(e.buf)
	e.buf = append(e.buf, '\\')
	if c, ok := shortEscapes[r]; ok {
		e.buf = append(e.buf, c)
		e.column += len(e.buf) - start
		return
	}
	digits := 8
	switch {
	case r <= 0xff:
		e.buf = append(e.buf, 'x')
		digits = 2
	case r <= 0xffff:
		e.buf = append(e.buf, 'u')
		digits = 4
	default:
		e.buf = append(e.buf, 'U')
	}
	for k := (digits - 1) * 4; k >= 0; k -= 4 {
		e.buf = append(e.buf, "0123456789ABCDEF"[(r>>uint(k))&0xf])
	}
	e.column += len(e.buf) - start
}

// writeLiteral writes s, which holds "\n", as a literal block: "|" with an
// indentation indicator when s starts with a space or line break, "-" when
// s does not end in a line break and "+" when it ends in two (or is one),
// then each line indented, empty lines left empty.
func (e *encoder) writeLiteral(s string, ascii bool) {
	e.writeIndicator("|", true, false, false)
	first, _ := utf8.DecodeRuneInString(s)
	if first == ' ' || isBreak(first) {
		e.writeIndicator(string(rune('0'+bestIndent)), false, false, false)
	}
	last, lastSize := utf8.DecodeLastRuneInString(s)
	switch {
	case !isBreak(last):
		e.writeIndicator("-", false, false, false)
	case lastSize == len(s):
		e.writeIndicator("+", false, false, false)
	default:
		if prev, _ := utf8.DecodeLastRuneInString(s[:len(s)-lastSize]); isBreak(prev) {
			e.writeIndicator("+", false, false, false)
		}
	}
	e.putBreak()
	e.indention = true
	e.whitespace = true
	breaks := true
	for i := 0; i < len(s); {
		r, w := rune(s[i]), 1
		if s[i] >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		if isBreak(r) {
			e.writeBreak(s[i : i+w])
			i += w
			e.indention = true
			breaks = true
			continue
		}
		if breaks {
			e.writeIndent(e.indent)
		}
		// Copy up to the next line break.
		j := i + w
		for j < len(s) && s[j] != '\n' && s[j] != '\r' && s[j] != 0xc2 && s[j] != 0xe2 {
			j++
		}
		e.writeRun(s[i:j], ascii)
		i = j
		e.indention = false
		breaks = false
	}
}
