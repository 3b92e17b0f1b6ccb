package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// knownBytes answers with the digest it kept only for equal bytes: other
// bytes under the same key (a collision of its non-cryptographic hash,
// forced here) are hashed.
func TestKnownBytesComparesInFull(t *testing.T) {
	k := newKnownBytes()
	a := bytes.Repeat([]byte("certificate "), 100)
	b := bytes.Clone(a)
	b[len(b)/2] ^= 1
	sumA, sumB := sha256.Sum256(a), sha256.Sum256(b)
	if s, _ := k.sha256(a); s != sumA {
		t.Fatal("unknown bytes: wrong digest")
	}
	k.keep(a, hex.EncodeToString(sumA[:]))
	if s, known := k.sha256(a); k.cache.Len() != 1 || s != sumA || !known {
		t.Fatal("kept bytes: wrong digest")
	}
	a[0] ^= 1 // the caller's buffer changes: the kept copy does not
	if s, _ := k.sha256(bytes.Repeat([]byte("certificate "), 100)); s != sumA {
		t.Fatal("the kept entry aliases the caller's bytes")
	}
	// A forced collision: b's key holds a's entry.
	e, _ := k.cache.Get(k.key(bytes.Repeat([]byte("certificate "), 100)))
	k.cache.Put(k.key(b), e)
	if s, known := k.sha256(b); s != sumB || known {
		t.Fatal("another entry's digest answered for different bytes")
	}
	// Keeping the same bytes again stores nothing new; a bad digest is
	// not kept; a nil knownBytes hashes.
	k.keep(bytes.Repeat([]byte("certificate "), 100), hex.EncodeToString(sumA[:]))
	k.keep([]byte("x"), "not hex")
	if k.cache.Len() != 2 {
		t.Fatalf("%d entries, want 2", k.cache.Len())
	}
	var none *knownBytes
	if s, _ := none.sha256(b); s != sumB {
		t.Fatal("nil knownBytes")
	}
	none.keep(b, hex.EncodeToString(sumB[:]))
}
