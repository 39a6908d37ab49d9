package jsonyaml

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// maxKeyChars bounds a key's length once JSON-escaped, quotes included.
// yaml.v2's parser stops treating a scalar as a key when its ":" comes more
// than 1024 characters after the key's start, which changes what it reads;
// such keys take the slow path.
const maxKeyChars = 1000

// sortEntries sorts the entries of one mapping by key into yaml.v2's order
// (keyLess). anyDigit says whether a key holds a digit (hasDigit). It
// returns slowKeyOrder for a set of keys that keyLess does not order
// consistently: yaml.v2 sorts them with sort.Sort starting from Go's random
// map order, so its output is not determined.
func sortEntries(entries []entry, anyDigit bool) error {
	if len(entries) <= 12 {
		// Insertion sort, as slices.SortFunc does for short slices, without
		// the three-way comparison.
		for i := 1; i < len(entries); i++ {
			for j := i; j > 0 && keyLess(entries[j].key, entries[j-1].key); j-- {
				entries[j], entries[j-1] = entries[j-1], entries[j]
			}
		}
	} else {
		slices.SortFunc(entries, func(a, b entry) int { return compareKeys(a.key, b.key) })
	}
	// Without digits keyLess is a lexicographic order on characters, so
	// consistent; with them it compares numbers, except where a digit meets
	// a letter, and can go round in a circle ("10" < "1a" < "2" < "10").
	// A sorted list that keyLess agrees with for every pair is the one
	// order all sorts produce.
	if anyDigit && len(entries) > 2 {
		for i := range entries {
			for j := i + 1; j < len(entries); j++ {
				if !keyLess(entries[i].key, entries[j].key) {
					return slowKeyOrder
				}
			}
		}
	}
	return nil
}

// hasDigit reports whether k holds a digit as unicode.IsDigit sees it;
// ascii says k is all ASCII.
func hasDigit(k string, ascii bool) bool {
	if ascii {
		for i := 0; i < len(k); i++ {
			if k[i] >= '0' && k[i] <= '9' {
				return true
			}
		}
		return false
	}
	for _, r := range k {
		if isDigit(r) {
			return true
		}
	}
	return false
}

// keyTooLong reports keys longer than maxKeyChars once JSON-escaped.
func keyTooLong(k string) bool {
	// No character takes more than 6 once escaped.
	return 2+6*len(k) > maxKeyChars && jsonQuotedLen(k) > maxKeyChars
}

// jsonQuotedLen is how many characters json.Marshal writes for the valid
// UTF-8 string k, quotes included.
func jsonQuotedLen(k string) int {
	n := 2
	for _, r := range k {
		switch {
		case r == 0x2028 || r == 0x2029:
			n += 6
		case r < utf8.RuneSelf:
			n += jsonEscapedLen(byte(r))
		default:
			n++
		}
	}
	return n
}

// jsonEscapedLen is how many characters json.Marshal writes for the ASCII
// byte c inside a string.
func jsonEscapedLen(c byte) int {
	switch c {
	case '"', '\\', '\n', '\r', '\t', '\b', '\f':
		return 2
	case '<', '>', '&':
		return 6
	}
	if c < 0x20 {
		return 6
	}
	return 1
}

// compareKeys is keyLess as a three-way comparison.
func compareKeys(a, b string) int {
	if len(a) == len(b) && a == b {
		return 0
	}
	if keyLess(a, b) {
		return -1
	}
	return 1
}

// keyLess is yaml.v2's order for string map keys (keyList.Less in its
// sorter.go), on valid UTF-8. At the first character where a and b differ:
// two letters compare as characters; a letter sorts after anything else;
// otherwise the runs of digits starting there compare as numbers (a run
// that continues a non-zero run of the common prefix counts its leading
// zeros), then by length, then the characters themselves. A prefix sorts
// first. For any two different keys exactly one of keyLess(a, b) and
// keyLess(b, a) holds.
func keyLess(a, b string) bool {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	// Back up to the start of the character the two differ in.
	for i > 0 && i < len(a) && !utf8.RuneStart(a[i]) {
		i--
	}
	if i == len(a) || i == len(b) {
		return len(a) < len(b)
	}
	ra, _ := decodeRune(a, i)
	rb, _ := decodeRune(b, i)
	al, bl := isLetter(ra), isLetter(rb)
	if al && bl {
		return ra < rb
	}
	if al || bl {
		return bl
	}
	var an, bn int64
	if ra == '0' || rb == '0' {
		for j := i; j > 0; {
			r, w := utf8.DecodeLastRuneInString(a[:j])
			if !isDigit(r) {
				break
			}
			if r != '0' {
				an, bn = 1, 1
				break
			}
			j -= w
		}
	}
	// Accumulate as yaml.v2 does, overflow and non-ASCII digits included.
	ai, bi := 0, 0
	for j := i; j < len(a); ai++ {
		r, w := decodeRune(a, j)
		if !isDigit(r) {
			break
		}
		an = an*10 + int64(r-'0')
		j += w
	}
	for j := i; j < len(b); bi++ {
		r, w := decodeRune(b, j)
		if !isDigit(r) {
			break
		}
		bn = bn*10 + int64(r-'0')
		j += w
	}
	if an != bn {
		return an < bn
	}
	if ai != bi {
		return ai < bi
	}
	return ra < rb
}

func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r)
}

func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return unicode.IsDigit(r)
}
