package policy

import (
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHexEqual checks the allocation-free comparison against
// hex.EncodeToString on random digests, their upper-case spelling, every
// one-character change and wrong lengths.
func TestHexEqual(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		d := make([]byte, 1+rng.IntN(64))
		for i := range d {
			d[i] = byte(rng.IntN(256))
		}
		v := hex.EncodeToString(d)
		for _, c := range []string{v, strings.ToUpper(v), v[1:], v + "0", "", v[:len(v)-1] + "g"} {
			if got, want := hexEqual(d, c), hex.EncodeToString(d) == c; got != want {
				t.Fatalf("hexEqual(%x, %q) = %v, want %v", d, c, got, want)
			}
		}
		for i := range v {
			b := []byte(v)
			b[i] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", v[i])+1)%16]
			if hexEqual(d, string(b)) {
				t.Fatalf("hexEqual(%x, %q) = true after changing position %d", d, b, i)
			}
		}
	}
}
