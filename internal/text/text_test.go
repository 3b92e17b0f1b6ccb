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
