// Package text holds the string checks every parser applies to fields that
// reach a human or a comparison: valid UTF-8 and no control characters, so
// that a value cannot hide or reorder what a reviewer sees.
package text

import (
	"net/url"
	"unicode"
	"unicode/utf8"
)

// Printable reports whether s is valid UTF-8 without control characters.
func Printable(s string) bool {
	// ASCII, nearly every value, is judged a byte at a time; the rest is
	// decoded (an invalid sequence decodes to RuneError of width 1).
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unicode.IsControl(r) {
			return false
		}
		i += n
	}
	return true
}

// AbsoluteURI reports whether s is a printable absolute URI (RFC 3986: it
// parses and has a scheme), the form of TypeURIs and verifier IDs. Length
// bounds are the caller's.
func AbsoluteURI(s string) bool {
	if s == "" || !Printable(s) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

// IsHexOf reports whether s is the lowercase hex encoding of b — the form of
// DigestSet values — as hex.EncodeToString(b) == s does, without building
// the string: digests are compared this way many times per evaluation.
func IsHexOf(s string, b []byte) bool {
	const digits = "0123456789abcdef"
	if len(s) != 2*len(b) {
		return false
	}
	for i, c := range b {
		if s[2*i] != digits[c>>4] || s[2*i+1] != digits[c&0x0f] {
			return false
		}
	}
	return true
}
