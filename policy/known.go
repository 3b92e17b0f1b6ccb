package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/tee"
)

// knownBytes remembers the SHA-256 of inputs that recur between
// evaluations — a build image's attestations, a chip's certificates — so
// that meeting the same bytes again costs a comparison rather than a hash.
// An entry is found by a seeded non-cryptographic hash of the bytes and
// then compared with them in full: equal bytes have the digest that was
// computed for them. Only inputs that verified under the policy's trust
// are kept (a copy), so untrusted input cannot fill or churn it. Bounded,
// and safe for concurrent use.
type knownBytes struct {
	seed  maphash.Seed
	cache *tee.Cache[*knownEntry]
}

type knownEntry struct {
	data []byte
	sum  [32]byte
}

func newKnownBytes() *knownBytes {
	return &knownBytes{seed: maphash.MakeSeed(), cache: tee.NewCache[*knownEntry](limits.KnownInputCacheEntries)}
}

func (k *knownBytes) key(b []byte) tee.CacheKey {
	var key tee.CacheKey
	binary.LittleEndian.PutUint64(key[:8], maphash.Bytes(k.seed, b))
	binary.LittleEndian.PutUint64(key[8:16], uint64(len(b)))
	return key
}

// sha256 returns the SHA-256 of b, and whether it was remembered (the
// same bytes were kept) rather than computed. A nil knownBytes (a Policy
// not built by Compile) remembers nothing.
func (k *knownBytes) sha256(b []byte) (sum [32]byte, known bool) {
	if k != nil {
		if e, ok := k.cache.Get(k.key(b)); ok && bytes.Equal(e.data, b) {
			return e.sum, true
		}
	}
	return sha256.Sum256(b), false
}

// keep remembers a copy of b, whose SHA-256 is sum (hex), unless it is
// already kept or too large. Callers that know b was just recognized
// (sha256 said known) skip the call.
func (k *knownBytes) keep(b []byte, sum string) {
	if k == nil || len(b) > limits.MaxCachedEnvelopeBytes {
		return
	}
	key := k.key(b)
	if e, ok := k.cache.Get(key); ok && bytes.Equal(e.data, b) {
		return
	}
	e := &knownEntry{data: bytes.Clone(b)}
	if n, err := hex.Decode(e.sum[:], []byte(sum)); err != nil || n != len(e.sum) {
		return
	}
	k.cache.Put(key, e)
}
