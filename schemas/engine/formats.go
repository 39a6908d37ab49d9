package engine

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// formatValid reports whether v satisfies a format. Formats give OpenAPI
// formats the meaning the apiserver gives them; each applies to one JSON
// type and passes values of any other type (the type keyword judges
// those).
func formatValid(format uint8, v any) bool {
	switch format {
	case FormatInt32:
		return intFits(v, 32)
	case FormatInt64:
		return intFits(v, 64)
	}
	s, ok := v.(string)
	if !ok {
		return true
	}
	switch format {
	case FormatByte:
		return isBase64(s)
	case FormatDateTime:
		return isDateTime(s)
	case FormatDuration:
		// Kubernetes operators write Go durations ("5m"); ISO 8601
		// ("PT5M") is what JSON schema means by the format.
		if _, err := time.ParseDuration(s); err == nil {
			return true
		}
		return isISODuration(s)
	}
	return true
}

// isBase64 reports whether s is standard, padded base64, as []byte fields
// (Secret data) are in JSON; anything else fails to decode on the server.
// Line breaks are ignored, as the decoder ignores them.
func isBase64(s string) bool {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// The date and time checks below are those of jsonschema v5 (RFC 3339,
// section 5.6, leap seconds included), kept to the letter so the findings
// do not change: the library is the oracle of the differential tests.

// isDateTime reports whether s is an RFC 3339 date-time.
func isDateTime(s string) bool {
	if len(s) < 20 { // yyyy-mm-ddThh:mm:ssZ
		return false
	}
	if s[10] != 'T' && s[10] != 't' {
		return false
	}
	return isDate(s[:10]) && isTime(s[11:])
}

// isDate reports whether s is an RFC 3339 full-date.
func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// isTime reports whether s is an RFC 3339 full-time. Go's time package
// does not accept leap seconds, hence the hand-written parser.
func isTime(str string) bool {
	// hh:mm:ss
	// 01234567
	if len(str) < 9 || str[2] != ':' || str[5] != ':' {
		return false
	}
	inRange := func(str string, lo, hi int) (int, bool) {
		n, err := strconv.Atoi(str)
		if err != nil || n < lo || n > hi {
			return 0, false
		}
		return n, true
	}
	h, ok := inRange(str[0:2], 0, 23)
	if !ok {
		return false
	}
	m, ok := inRange(str[3:5], 0, 59)
	if !ok {
		return false
	}
	s, ok := inRange(str[6:8], 0, 60)
	if !ok {
		return false
	}
	str = str[8:]

	// secfrac: a dot and at least one digit
	if str[0] == '.' {
		str = str[1:]
		digits := 0
		for str != "" && str[0] >= '0' && str[0] <= '9' {
			digits++
			str = str[1:]
		}
		if digits == 0 {
			return false
		}
	}
	if len(str) == 0 {
		return false
	}

	if str[0] == 'z' || str[0] == 'Z' {
		if len(str) != 1 {
			return false
		}
	} else {
		// time-numoffset: +hh:mm
		if len(str) != 6 || str[3] != ':' {
			return false
		}
		var sign int
		switch str[0] {
		case '+':
			sign = -1
		case '-':
			sign = +1
		default:
			return false
		}
		zh, ok := inRange(str[1:3], 0, 23)
		if !ok {
			return false
		}
		zm, ok := inRange(str[4:6], 0, 59)
		if !ok {
			return false
		}
		// A leap second is valid only at 23:59 UTC.
		hm := (h*60 + m) + sign*(zh*60+zm)
		if hm < 0 {
			hm += 24 * 60
		}
		h, m = hm/60, hm%60
	}
	if s == 60 && (h != 23 || m != 59) {
		return false
	}
	return true
}

// isISODuration reports whether s is an ISO 8601 duration as RFC 3339's
// appendix A gives it (P1D, PT5M, P2W).
func isISODuration(s string) bool {
	if len(s) == 0 || s[0] != 'P' {
		return false
	}
	s = s[1:]
	parseUnits := func() (units string, ok bool) {
		for len(s) > 0 && s[0] != 'T' {
			digits := false
			for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
				digits = true
				s = s[1:]
			}
			if !digits || len(s) == 0 {
				return units, false
			}
			units += s[:1]
			s = s[1:]
		}
		return units, true
	}
	units, ok := parseUnits()
	if !ok {
		return false
	}
	if units == "W" {
		return len(s) == 0 // P_W
	}
	if len(units) > 0 {
		if !strings.Contains("YMD", units) {
			return false
		}
		if len(s) == 0 {
			return true // P_Y_M_D
		}
	}
	if len(s) == 0 || s[0] != 'T' {
		return false
	}
	s = s[1:]
	units, ok = parseUnits()
	return ok && len(s) == 0 && len(units) > 0 && strings.Contains("HMS", units)
}
