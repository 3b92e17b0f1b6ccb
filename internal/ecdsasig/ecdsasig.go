// Package ecdsasig verifies ECDSA signatures that arrive as two big-endian
// integers (TPM, SEV-SNP, TDX and raw r‖s DSSE signatures) without the
// big.Int round trip of ecdsa.Verify: the DER form VerifyASN1 takes is
// written into a stack buffer. It accepts and rejects exactly what
// ecdsa.Verify does for the same integers.
package ecdsasig

import "crypto/ecdsa"

// maxInt is the longest integer encoded here: a P-521 scalar (66 bytes)
// plus the 0x00 that keeps it positive. Longer values cannot be valid
// signature components of any curve crypto/ecdsa verifies.
const maxInt = 67

// Verify reports whether r and s (big-endian, leading zeros allowed) are a
// valid signature of digest under pub. Zero or over-long components are
// rejected, as ecdsa.Verify rejects them.
func Verify(pub *ecdsa.PublicKey, digest, r, s []byte) bool {
	var buf [3 + 2*(2+maxInt)]byte // SEQUENCE header (three bytes for P-521) + two INTEGERs
	sig, ok := AppendDER(buf[:0], r, s)
	return ok && ecdsa.VerifyASN1(pub, digest, sig)
}

// AppendDER appends the DER SEQUENCE { INTEGER r, INTEGER s } to dst. It
// returns false when either component is zero or longer than a P-521
// scalar.
func AppendDER(dst, r, s []byte) ([]byte, bool) {
	r, s = trim(r), trim(s)
	if len(r) == 0 || len(s) == 0 || len(r) >= maxInt || len(s) >= maxInt {
		return dst, false
	}
	body := intLen(r) + intLen(s)
	dst = append(dst, 0x30) // SEQUENCE
	if body >= 0x80 {
		dst = append(dst, 0x81) // long form: one length byte follows
	}
	dst = append(dst, byte(body))
	return appendInt(appendInt(dst, r), s), true
}

func trim(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// intLen is the encoded size of a positive INTEGER with no leading zeros.
func intLen(b []byte) int {
	n := 2 + len(b)
	if b[0]&0x80 != 0 {
		n++
	}
	return n
}

func appendInt(dst, b []byte) []byte {
	pad := b[0]&0x80 != 0
	n := len(b)
	if pad {
		n++
	}
	dst = append(dst, 0x02, byte(n)) // INTEGER, short-form length (n < 0x80)
	if pad {
		dst = append(dst, 0)
	}
	return append(dst, b...)
}
