package schemas

import (
	"regexp"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

var quantityRE = regexp.MustCompile(QuantityPattern)

// TestQuantityPattern feeds each string to the pattern and to
// resource.ParseQuantity, which must agree, except on the digitless
// strings QuantityPattern's doc lists, where the pattern is stricter.
func TestQuantityPattern(t *testing.T) {
	tests := []struct {
		in    string
		valid bool
		// parses is set where ParseQuantity accepts what the pattern
		// deliberately rejects; the test fails if that ever changes.
		parses bool
	}{
		{in: "1", valid: true},
		{in: "0", valid: true},
		{in: "500m", valid: true},
		{in: "1.5Gi", valid: true},
		{in: "2e3", valid: true},
		{in: "1E6", valid: true},
		{in: "1e-3", valid: true},
		{in: "1E+2", valid: true},
		{in: "+1", valid: true},
		{in: "-1", valid: true},
		{in: "0.5", valid: true},
		{in: ".5", valid: true},
		{in: "1.", valid: true},
		{in: "1.G", valid: true},
		{in: "10Ki", valid: true},
		{in: "1Ei", valid: true},
		{in: "100n", valid: true},
		{in: "3u", valid: true},
		{in: "2k", valid: true},
		{in: "1E", valid: true}, // exa, not an exponent
		{in: "lots"},
		{in: "5xy"},
		{in: "1 GB"},
		{in: " 1"},
		{in: "1gb"},
		{in: "1K"}, // kilo is lower case
		{in: "1Ki3"},
		{in: "1ki"},
		{in: "1e"},
		{in: "1e+"},
		{in: "1e1.5"}, // controller-gen's pattern takes it
		{in: "1ee3"},
		{in: "1.2.3Gi"},
		{in: "+-1"},
		{in: "1-"},
		{in: "0x10"},
		{in: ""},
		{in: "Pi"},
		{in: "Gi", parses: true},
		{in: "m", parses: true},
		{in: ".", parses: true},
		{in: "+", parses: true},
		{in: "e3", parses: true},
	}
	for _, tt := range tests {
		_, err := resource.ParseQuantity(tt.in)
		if parses := err == nil; parses != (tt.valid || tt.parses) {
			t.Errorf("ParseQuantity(%q): %v; the table says it parses: %v", tt.in, err, tt.valid || tt.parses)
		}
		if got := quantityRE.MatchString(tt.in); got != tt.valid {
			t.Errorf("QuantityPattern matches %q: %v, want %v", tt.in, got, tt.valid)
		}
	}
}

// TestQuantityPatternExhaustive compares the pattern with ParseQuantity on
// every string of up to four characters over the alphabet quantities are
// made of (and two that they are not): whatever the pattern accepts must
// parse, and whatever parses must match unless its number has no digit.
func TestQuantityPatternExhaustive(t *testing.T) {
	alphabet := []byte("019.+-eEiKkMmGnuTPx ")
	hasDigit := regexp.MustCompile(`^[+-]?\.?[0-9]`)
	var walk func(s []byte)
	walk = func(s []byte) {
		in := string(s)
		_, err := resource.ParseQuantity(in)
		switch matches := quantityRE.MatchString(in); {
		case matches && err != nil:
			t.Errorf("QuantityPattern matches %q, which ParseQuantity rejects: %v", in, err)
		case !matches && err == nil && hasDigit.MatchString(in):
			t.Errorf("QuantityPattern rejects %q, which ParseQuantity accepts", in)
		}
		if len(s) == 4 {
			return
		}
		for _, c := range alphabet {
			walk(append(s, c))
		}
	}
	walk(make([]byte, 0, 4))
}
