package text

import "testing"

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
