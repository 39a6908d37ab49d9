package jsonyaml

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// plainReadsAsString reports whether yaml.v2 writes s plain (when its
// characters allow): s must read back as a string, not as null, a bool, an
// int, a float or a timestamp under yaml.v2's YAML 1.1 rules (resolve.go
// there), and must not look like a YAML 1.1 base 60 float such as 1:20,
// which yaml.v2 quotes for other parsers' sake.
func plainReadsAsString(s string) bool {
	if s == "" {
		return false // null
	}
	switch c := s[0]; {
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		if isSpecial(s) {
			return false
		}
		return !isNumberOrTimestamp(s) && !isBase60Float(s)
	case c == '.':
		if isSpecial(s) {
			return false
		}
		// yaml.v2 asks strconv.ParseFloat; a string starting with "." can
		// only parse if it consists of these characters.
		if strings.Trim(s, "0123456789.eE+-_") != "" {
			return true
		}
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		return !isSpecial(s)
	}
	return true
}

// isSpecial reports whether s is one of the words yaml.v2 resolves by
// table: YAML 1.1 bools, nulls, infinities and NaN.
func isSpecial(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES",
		"n", "N", "no", "No", "NO",
		"true", "True", "TRUE",
		"false", "False", "FALSE",
		"on", "On", "ON",
		"off", "Off", "OFF",
		"~", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN",
		".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF",
		"-.inf", "-.Inf", "-.INF":
		return true
	}
	return false
}

// isNumberOrTimestamp reports whether yaml.v2 reads s, which starts with a
// sign or a digit, as a timestamp, an int or a float: it tries a timestamp,
// then strconv.ParseInt and ParseUint in base 0 (0x, 0o, 0b, leading 0 for
// octal) after dropping underscores, then a float, then a binary literal
// after "0b" or "-0b" that base 0 refused (such as 0b-1).
func isNumberOrTimestamp(s string) bool {
	if isTimestamp(s) {
		return true
	}
	// Every form below is made of these characters only; most strings that
	// start with a digit (100m, 1Gi, 10s, 2x) fail here without parsing.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' ||
			c == 'x' || c == 'X' || c == 'o' || c == 'O' || c == '+' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	plain := s
	if strings.IndexByte(s, '_') >= 0 {
		plain = strings.ReplaceAll(s, "_", "")
	}
	// strconv's errors allocate; call it only where its syntax is met, to
	// learn whether the value is in range.
	if integerSyntax(plain) {
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return true
		}
	}
	if isYAMLFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(plain, "0b"); ok {
		if binarySyntax(rest, true) {
			if _, err := strconv.ParseInt(rest, 2, 64); err == nil {
				return true
			}
		}
		if binarySyntax(rest, false) {
			if _, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return true
			}
		}
	} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok && binarySyntax("-"+rest, true) {
		if _, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
			return true
		}
	}
	return false
}

// integerSyntax reports whether strconv.ParseInt(s, 0, 64) or
// strconv.ParseUint(s, 0, 64) accepts s's syntax (s holds no
// underscores): a sign, then 0x, 0o or 0b and digits of that base, or 0
// and octal digits, or decimal digits.
func integerSyntax(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	base := byte(10)
	if s[0] == '0' && len(s) > 1 {
		switch s[1] {
		case 'x', 'X':
			base, s = 16, s[2:]
		case 'o', 'O':
			base, s = 8, s[2:]
		case 'b', 'B':
			base, s = 2, s[2:]
		default:
			base, s = 8, s[1:]
		}
		if s == "" {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		var d byte
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'z':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'Z':
			d = c - 'A' + 10
		default:
			return false
		}
		if d >= base {
			return false
		}
	}
	return true
}

// binarySyntax reports whether strconv.ParseInt(s, 2, 64) (signed) or
// strconv.ParseUint(s, 2, 64) accepts s's syntax.
func binarySyntax(s string, signed bool) bool {
	if signed && s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '0' && s[i] != '1' {
			return false
		}
	}
	return true
}

// isYAMLFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$,
// yaml.v2's float syntax.
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		n := digits(s, i)
		if n == 0 {
			return false
		}
		i += n
	} else {
		n := digits(s, i)
		if n == 0 {
			return false
		}
		i += n
		if i < len(s) && s[i] == '.' {
			i++
			i += digits(s, i)
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := digits(s, i)
		if n == 0 {
			return false
		}
		i += n
	}
	return i == len(s)
}

// digits counts the ASCII digits in s from i.
func digits(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
		n++
	}
	return n
}

// timestampLayouts are the layouts yaml.v2 tries, in its order.
var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether yaml.v2 reads s as a timestamp: four digits,
// a dash, and then something one of timestampLayouts parses.
func isTimestamp(s string) bool {
	if len(s) < 5 || digits(s, 0) != 4 || s[4] != '-' {
		return false
	}
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// isBase60Float matches ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$.
func isBase60Float(s string) bool {
	if strings.IndexByte(s, ':') < 0 {
		return false
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return false
	}
	for i++; i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_'); i++ {
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		// One digit, or two when the first is 0-5; the group must end there.
		n := digits(s, i)
		switch {
		case n == 1:
		case n == 2 && s[i] <= '5':
		default:
			return false
		}
		i += n
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_'); i++ {
		}
	}
	return i == len(s)
}

// resolveNumber returns how yaml.v2 prints the value it reads from the
// JSON number text t: as an int64 or uint64 when it is an integer in
// range, as a float64 in strconv's shortest 'g' form when it parses as
// one (1.0 is 1, 1e6 is 1e+06, -0.0 is -0), and as t itself, a string
// that needs no quotes, when even float64 overflows.
func resolveNumber(t string) string {
	// The common case: a short integer, printed as it is (except -0).
	if n := len(t); n > 0 && n <= 18 && t != "-0" {
		i := 0
		if t[0] == '-' {
			i = 1
		}
		if i < n && digits(t, i) == n-i {
			return t
		}
	}
	if i, err := strconv.ParseInt(t, 0, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	if u, err := strconv.ParseUint(t, 0, 64); err == nil {
		return strconv.FormatUint(u, 10)
	}
	// ParseFloat fails on overflow, so a float here is finite.
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return t
}

// jsonFloat appends f as encoding/json writes a float of the given bit
// size; ok is false for NaN and infinities, which json.Marshal rejects.
func jsonFloat(b []byte, f float64, bits int) (_ []byte, ok bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// Shorten e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// validJSONNumber reports whether s is a JSON number, which json.Marshal
// requires of a json.Number.
func validJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i += digits(s, i)
	default:
		return false
	}
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
		i += digits(s, i)
	}
	if i+1 < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if s[i] == '+' || s[i] == '-' {
			i++
		}
		n := digits(s, i)
		if n == 0 {
			return false
		}
		i += n
	}
	return i == len(s)
}
