package ecdsasig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"testing"
)

// reference is what every caller did before: the big.Int round trip.
func reference(pub *ecdsa.PublicKey, digest, r, s []byte) bool {
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(r), new(big.Int).SetBytes(s))
}

func rawSignature(t testing.TB, k *ecdsa.PrivateKey, digest []byte) (r, s []byte) {
	t.Helper()
	ri, si, err := ecdsa.Sign(rand.Reader, k, digest)
	if err != nil {
		t.Fatal(err)
	}
	size := (k.Curve.Params().BitSize + 7) / 8
	return ri.FillBytes(make([]byte, size)), si.FillBytes(make([]byte, size))
}

func TestVerifyMatchesEcdsaVerify(t *testing.T) {
	digest := sha256.Sum256([]byte("buildtrust"))
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for range 16 { // some signatures have a high bit set, some a leading zero byte
			r, s := rawSignature(t, k, digest[:])
			cases := map[string][2][]byte{
				"genuine":          {r, s},
				"extra zeros":      {append([]byte{0, 0}, r...), append([]byte{0}, s...)},
				"swapped":          {s, r},
				"r flipped":        {flip(r), s},
				"s flipped":        {r, flip(s)},
				"r zero":           {make([]byte, len(r)), s},
				"s empty":          {r, nil},
				"r truncated":      {r[1:], s},
				"r over-long":      {append([]byte{1}, r...), s},
				"s far too long":   {r, make([]byte, 200)},
				"r is the order":   {curve.Params().N.Bytes(), s},
				"s beyond order":   {r, new(big.Int).Add(curve.Params().N, new(big.Int).SetBytes(s)).Bytes()},
				"r one, s one":     {{1}, {1}},
				"r all ones bytes": {bytesOf(0xff, 66), s},
			}
			for name, c := range cases {
				want := reference(&k.PublicKey, digest[:], c[0], c[1])
				if got := Verify(&k.PublicKey, digest[:], c[0], c[1]); got != want {
					t.Errorf("%s %s: Verify = %v, ecdsa.Verify = %v", curve.Params().Name, name, got, want)
				}
				if name == "genuine" && !want {
					t.Fatalf("%s: genuine signature does not verify", curve.Params().Name)
				}
			}
		}
	}
}

func flip(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)/2] ^= 1
	return c
}

func bytesOf(v byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = v
	}
	return b
}

// FuzzAppendDER checks the encoding against encoding/asn1's reading of
// it, and the verdict against ecdsa.Verify, for arbitrary components.
func FuzzAppendDER(f *testing.F) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	digest := sha256.Sum256([]byte("fuzz"))
	r, s := rawSignature(f, k, digest[:])
	f.Add(r, s)
	f.Add([]byte{0x80}, []byte{0, 0, 1})
	f.Add([]byte{}, []byte{1})
	f.Fuzz(func(t *testing.T, r, s []byte) {
		der, ok := AppendDER(nil, r, s)
		ri, si := new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)
		if ok {
			var parsed struct{ R, S *big.Int }
			if rest, err := asn1.Unmarshal(der, &parsed); err != nil || len(rest) != 0 {
				t.Fatalf("DER %x does not parse: %v", der, err)
			}
			if parsed.R.Cmp(ri) != 0 || parsed.S.Cmp(si) != 0 {
				t.Fatalf("DER %x holds %v, %v; want %v, %v", der, parsed.R, parsed.S, ri, si)
			}
		} else if ri.Sign() > 0 && si.Sign() > 0 && len(ri.Bytes()) < maxInt && len(si.Bytes()) < maxInt {
			t.Fatalf("AppendDER refused %x, %x", r, s)
		}
		if got, want := Verify(&k.PublicKey, digest[:], r, s), reference(&k.PublicKey, digest[:], r, s); got != want {
			t.Fatalf("Verify = %v, ecdsa.Verify = %v", got, want)
		}
	})
}
