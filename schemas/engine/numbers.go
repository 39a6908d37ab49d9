package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numbers are judged exactly, on their decimal digits, the way
// jsonschema v5 judged them with math/big: 3.0 and 1e3 are integers, and
// 2147483648 is beyond int32 however it is written. Working on the digits
// instead of expanding the number matters for hostile input: math/big
// spends tens of milliseconds on each 1e999999, and the engine nothing.
//
// math/big refuses numbers whose decimal exponent (after the fraction
// digits are taken out) is beyond a million. The library panicked on
// those where it needed an integer or a comparison; the old int32/int64
// format check let them pass as "not an integer". The engine keeps that
// reading everywhere: such a number is not an integer (so an integer
// field refuses it with a type finding), and it still compares by its
// true magnitude against minimum and maximum.

// decimal is a number as sign, significant digits and exponent: the value
// is digits × 10^exp. digits has no leading or trailing zeros and is empty
// for zero.
type decimal struct {
	neg    bool
	digits string
	exp    int64
	// bigOK is whether math/big accepts the literal (see above).
	bigOK bool
}

// maxBigExponent is math/big's limit on the decimal exponent of a literal.
const maxBigExponent = 1e6

// parseDecimal parses a JSON number literal (which is also what fmt
// prints for a float64, NaN and infinities aside).
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	intEnd := digitRun(s)
	if intEnd == 0 || (s[0] == '0' && intEnd > 1) {
		return d, false
	}
	mantissa, rest := s[:intEnd], s[intEnd:]
	fraction := ""
	if strings.HasPrefix(rest, ".") {
		n := digitRun(rest[1:])
		if n == 0 {
			return d, false
		}
		fraction, rest = rest[1:1+n], rest[1+n:]
	}
	exp, expOK := int64(0), true
	if len(rest) > 0 {
		if rest[0] != 'e' && rest[0] != 'E' {
			return d, false
		}
		rest = rest[1:]
		sign := ""
		if len(rest) > 0 && (rest[0] == '+' || rest[0] == '-') {
			sign, rest = rest[:1], rest[1:]
		}
		if n := digitRun(rest); n == 0 || n != len(rest) {
			return d, false
		}
		var err error
		exp, err = strconv.ParseInt(sign+rest, 10, 64)
		if err != nil {
			// Beyond int64: keep the direction, far out of any range.
			expOK, exp = false, math.MaxInt64/4
			if sign == "-" {
				exp = -exp
			}
		}
	}
	all := strings.TrimLeft(mantissa+fraction, "0")
	trimmed := strings.TrimRight(all, "0")
	d.digits = trimmed
	d.exp = exp - int64(len(fraction)) + int64(len(all)-len(trimmed))
	if d.digits == "" {
		d.neg, d.exp = false, 0
	}
	// math/big's test, on the exponent as written less the fraction
	// digits; zero passes whatever its exponent.
	exp5 := exp - int64(len(fraction))
	d.bigOK = expOK && (d.digits == "" || (exp5 >= -maxBigExponent && exp5 <= maxBigExponent))
	return d, true
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// isInt reports whether d has no fractional part.
func (d decimal) isInt() bool { return d.digits == "" || d.exp >= 0 }

// sign is -1, 0 or +1.
func (d decimal) sign() int {
	switch {
	case d.digits == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// cmp compares two decimals exactly: -1, 0 or +1.
func (d decimal) cmp(o decimal) int {
	if sd, so := d.sign(), o.sign(); sd != so || sd == 0 {
		switch {
		case sd < so:
			return -1
		case sd > so:
			return 1
		}
		return 0
	}
	// Same sign, both non-zero: compare magnitudes, then flip for
	// negatives. The magnitude's order is the position of the leading
	// digit, then the digits themselves.
	m := 0
	switch ld, lo := int64(len(d.digits))+d.exp, int64(len(o.digits))+o.exp; {
	case ld < lo:
		m = -1
	case ld > lo:
		m = 1
	default:
		m = strings.Compare(d.digits, o.digits)
	}
	if d.neg {
		return -m
	}
	return m
}

// int64 returns an integer decimal as an int64, or false if it does
// not fit.
func (d decimal) int64() (int64, bool) {
	if d.digits == "" {
		return 0, true
	}
	if int64(len(d.digits))+d.exp > 19 {
		return 0, false
	}
	// Accumulate negatively: the int64 range reaches one further below
	// zero than above.
	var n int64
	step := func(digit int64) bool {
		if n < (math.MinInt64+digit)/10 {
			return false
		}
		n = n*10 - digit
		return true
	}
	for i := 0; i < len(d.digits); i++ {
		if !step(int64(d.digits[i] - '0')) {
			return 0, false
		}
	}
	for range d.exp {
		if !step(0) {
			return 0, false
		}
	}
	if d.neg {
		return n, true
	}
	if n == math.MinInt64 {
		return 0, false
	}
	return -n, true
}

// numberOf parses a number value; ok is false for values that are not a
// number literal (a float64 NaN, or a json.Number a program built by
// hand), which callers judge through math/big, as the library did.
func numberOf(v any) (decimal, bool) {
	return parseDecimal(numberString(v))
}

func numberString(v any) string {
	if n, ok := v.(json.Number); ok {
		return string(n)
	}
	return fmt.Sprint(v)
}

// bigRat is the library's conversion, for what parseDecimal refuses.
func bigRat(v any) (*big.Rat, bool) {
	return new(big.Rat).SetString(numberString(v))
}

// isInteger reports whether the number v has no fractional part.
func isInteger(v any) bool {
	if d, ok := numberOf(v); ok {
		return d.bigOK && d.isInt()
	}
	r, ok := bigRat(v)
	return ok && r.IsInt()
}

// compareNumber compares the number v with a bound as written in a
// schema: -1, 0 or +1. A value that is no number literal and that math/big
// cannot read either compares as equal, which passes both minimum and
// maximum.
func compareNumber(v any, bound string) int {
	b, okB := parseDecimal(bound)
	if d, ok := numberOf(v); ok && okB {
		return d.cmp(b)
	}
	r, ok := bigRat(v)
	if !ok {
		return 0
	}
	br, ok := new(big.Rat).SetString(bound)
	if !ok {
		return 0
	}
	return r.Cmp(br)
}

// boundFloat is a bound as the library printed it in messages: a float64,
// so 2147483647 reads 2.147483647e+09.
func boundFloat(bound string) float64 {
	r, ok := new(big.Rat).SetString(bound)
	if !ok {
		return 0
	}
	f, _ := r.Float64()
	return f
}

// intFits reports whether an integer fits in a signed integer of the given
// size, the meaning of the int32 and int64 formats: the Go type the field
// decodes into. Values that are not integers (and non-numbers) pass; the
// type keyword judges those.
func intFits(v any, bits int) bool {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = string(n)
	case float64:
		s = fmt.Sprint(n)
	default:
		return true
	}
	var i int64
	if d, ok := parseDecimal(s); ok {
		if !d.bigOK || !d.isInt() {
			return true
		}
		if i, ok = d.int64(); !ok {
			return false // beyond int64, so beyond int32 too
		}
	} else {
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() {
			return true
		}
		if !r.Num().IsInt64() {
			return false
		}
		i = r.Num().Int64()
	}
	return bits == 64 || (i >= math.MinInt32 && i <= math.MaxInt32)
}
