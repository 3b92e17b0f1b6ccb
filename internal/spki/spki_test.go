package spki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKIXPublicKey(ed)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	f.Add(edDER)
	f.Add(ecDER)
	f.Add(append(append([]byte{}, ed25519Header...), make([]byte, 31)...))
	f.Fuzz(func(t *testing.T, der []byte) {
		got, err := Parse(der)
		want, wantErr := x509.ParsePKIXPublicKey(der)
		if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%x) = %v, %v; x509 = %v, %v", der, got, err, want, wantErr)
		}
	})
}

// The fast path's key is a copy: changing the input afterwards does not
// change it.
func TestParseCopies(t *testing.T) {
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(ed)
	k, err := Parse(der)
	if err != nil || !ed.Equal(k) {
		t.Fatalf("Parse = %v, %v", k, err)
	}
	der[len(der)-1] ^= 1
	if !ed.Equal(k) {
		t.Fatal("the parsed key aliases the input")
	}
}
