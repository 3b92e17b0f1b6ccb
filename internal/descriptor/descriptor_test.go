package descriptor

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// decodeBase64Before is DecodeBase64 as it was, with a buffer per
// alphabet, and with line breaks rejected as encoding/base64 does not: the
// reference for TestDecodeBase64.
func decodeBase64Before(src []byte) ([]byte, error) {
	if i := bytes.IndexAny(src, "\r\n"); i >= 0 {
		return nil, base64.CorruptInputError(i)
	}
	var firstErr error
	for _, enc := range [...]*base64.Encoding{
		base64.StdEncoding.Strict(), base64.URLEncoding.Strict(), base64.RawStdEncoding.Strict(), base64.RawURLEncoding.Strict(),
	} {
		dst := make([]byte, enc.DecodedLen(len(src)))
		n, err := enc.Decode(dst, src)
		if err == nil {
			return dst[:n], nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// TestDecodeBase64 compares DecodeBase64 with decodeBase64Before on every
// string of up to five characters over an alphabet that mixes both base64
// alphabets, padding and junk, and on random longer strings.
func TestDecodeBase64(t *testing.T) {
	const alphabet = "AQw/+_-=\n\r!"
	check := func(in []byte) {
		got, gotErr := DecodeBase64(in)
		want, wantErr := decodeBase64Before(in)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() || !bytes.Equal(got, want) {
			t.Fatalf("%q: got %x, %v; want %x, %v", in, got, gotErr, want, wantErr)
		}
	}
	var walk func(prefix []byte)
	walk = func(prefix []byte) {
		check(prefix)
		if len(prefix) == 5 {
			return
		}
		for i := range len(alphabet) {
			walk(append(prefix, alphabet[i]))
		}
	}
	walk(nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_="[rng.IntN(67)]
		}
		check(b)
		check([]byte(base64.StdEncoding.EncodeToString(b)))
		check([]byte(base64.RawURLEncoding.EncodeToString(b)))
	}
}
