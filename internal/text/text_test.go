package text

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPrintable(t *testing.T) {
	for s, want := range map[string]bool{
		"":                    true,
		"https://example.com": true,
		"é 世界":                true,
		"a\x00b":              false,
		"line\nbreak":         false,
		"bidi\u202e":          true, // a format character, not a control: callers that care must check it
		"\x7f":                false,
		"\xff":                false,
		"\u0085":              false, // C1 control
	} {
		if got := Printable(s); got != want {
			t.Errorf("Printable(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestAbsoluteURI(t *testing.T) {
	for s, want := range map[string]bool{
		"https://slsa.dev/provenance/v1": true, "urn:example:x": true, "pkg:npm/a@1": true,
		"": false, "/relative/path": false, "no-scheme": false, "https://a\nb": false, "%zz:x": false,
	} {
		if got := AbsoluteURI(s); got != want {
			t.Errorf("AbsoluteURI(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestIsHexOf compares IsHexOf with hex.EncodeToString(b) == s for every
// byte, every one- and two-character string over a hex-like alphabet, and
// digest-sized values.
func TestIsHexOf(t *testing.T) {
	const alphabet = "0123456789abcdefABCDEFgG \x00"
	var strs []string
	for i := range len(alphabet) {
		for j := range len(alphabet) {
			strs = append(strs, alphabet[i:i+1], alphabet[i:i+1]+alphabet[j:j+1])
		}
	}
	for b := range 256 {
		for _, s := range strs {
			in := []byte{byte(b)}
			if got, want := IsHexOf(s, in), hex.EncodeToString(in) == s; got != want {
				t.Fatalf("IsHexOf(%q, %x) = %v, want %v", s, in, got, want)
			}
		}
	}
	sum := sha256.Sum256([]byte("x"))
	h := hex.EncodeToString(sum[:])
	for _, c := range []struct {
		s    string
		b    []byte
		want bool
	}{
		{h, sum[:], true}, {strings.ToUpper(h), sum[:], false}, {h[:62], sum[:], false}, {h + "00", sum[:], false},
		{h, sum[:31], false}, {"", nil, true}, {"", []byte{0}, false}, {"00", nil, false},
	} {
		if got := IsHexOf(c.s, c.b); got != c.want {
			t.Errorf("IsHexOf(%q, %x) = %v, want %v", c.s, c.b, got, c.want)
		}
	}
}

// printableReference is the definition Printable implements faster.
func printableReference(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "https://example.com", "é 世界", "a\x00b", "\x7f", "\xff", "\u0085", "\ufffd", "\xed\xa0\x80", "\xc0\xaf", "ok\xf4\x90\x80\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Printable(s), printableReference(s); got != want {
			t.Fatalf("Printable(%q) = %v, want %v", s, got, want)
		}
	})
}
