// Package spki parses DER SubjectPublicKeyInfo, as x509.ParsePKIXPublicKey
// does, with a fast path for the keys that every evaluation parses: an
// Ed25519 key has exactly one DER encoding (a fixed 12-byte header and the
// 32-byte key), recognized by comparison instead of a reflective ASN.1
// decode.
package spki

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
)

// ed25519Header is the DER of SEQUENCE { SEQUENCE { OID 1.3.101.112 },
// BIT STRING (33 bytes, no unused bits) } up to the key itself (RFC 8410).
var ed25519Header = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}

// Parse returns the public key der encodes: what x509.ParsePKIXPublicKey
// returns, with the same errors.
func Parse(der []byte) (crypto.PublicKey, error) {
	if len(der) == len(ed25519Header)+ed25519.PublicKeySize && bytes.HasPrefix(der, ed25519Header) {
		return ed25519.PublicKey(bytes.Clone(der[len(ed25519Header):])), nil
	}
	return x509.ParsePKIXPublicKey(der)
}
