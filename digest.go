package buildtrust

import (
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// DigestSet maps a digest algorithm name to the lowercase hex digest of one
// immutable resource (ITE-DS-1). Non-cryptographic immutable identifiers,
// such as a cloud image ID, may appear under names of their own (ITE-DS-4);
// they only ever match when a DigestPolicy names them.
type DigestSet map[string]string

// Digest algorithm names defined by the in-toto DigestSet spec that this
// package computes (Digest) or gives special treatment.
const (
	SHA256     = "sha256"
	SHA384     = "sha384"
	SHA512     = "sha512"
	SHA224     = "sha224"
	SHA512_224 = "sha512_224"
	SHA512_256 = "sha512_256"
	SHA3_224   = "sha3_224"
	SHA3_256   = "sha3_256"
	SHA3_384   = "sha3_384"
	SHA3_512   = "sha3_512"
	GitCommit  = "gitCommit"
)

// algorithm describes one DigestSet algorithm name of the spec (ITE-DS-1).
type algorithm struct {
	hexLens  []int            // accepted lengths in hex characters; nil = variable (even, ≤ maxHex)
	maxHex   int              // for variable-length algorithms
	strong   func(n int) bool // collision resistant at this hex length
	newHash  func() hash.Hash // nil when this package cannot compute it
	sha1Like bool             // 40-hex git object IDs are SHA-1
}

func always(int) bool { return true }
func never(int) bool  { return false }

// atLeast256 accepts variable-length outputs of at least 256 bits.
func atLeast256(n int) bool { return n >= 64 }

var algorithms = map[string]algorithm{
	"sha256":     {hexLens: []int{64}, strong: always, newHash: sha256.New},
	"sha384":     {hexLens: []int{96}, strong: always, newHash: sha512.New384},
	"sha512":     {hexLens: []int{128}, strong: always, newHash: sha512.New},
	"sha224":     {hexLens: []int{56}, strong: always, newHash: sha256.New224},
	"sha512_224": {hexLens: []int{56}, strong: always, newHash: sha512.New512_224},
	"sha512_256": {hexLens: []int{64}, strong: always, newHash: sha512.New512_256},
	"sha3_224":   {hexLens: []int{56}, strong: always, newHash: func() hash.Hash { return sha3.New224() }},
	"sha3_256":   {hexLens: []int{64}, strong: always, newHash: func() hash.Hash { return sha3.New256() }},
	"sha3_384":   {hexLens: []int{96}, strong: always, newHash: func() hash.Hash { return sha3.New384() }},
	"sha3_512":   {hexLens: []int{128}, strong: always, newHash: func() hash.Hash { return sha3.New512() }},
	"shake128":   {maxHex: 256, strong: never}, // at most 128-bit security by construction
	"shake256":   {maxHex: 256, strong: atLeast256},
	"blake2b":    {maxHex: 128, strong: atLeast256},
	"blake2s":    {maxHex: 64, strong: atLeast256},
	"sm3":        {hexLens: []int{64}, strong: always},
	"gost":       {hexLens: []int{64, 128}, strong: always},
	"ripemd160":  {hexLens: []int{40}, strong: never},
	"sha1":       {hexLens: []int{40}, strong: never},
	"md5":        {hexLens: []int{32}, strong: never},
	"dirHash":    {hexLens: []int{64}, strong: always}, // SHA-256 based (golang.org/x/mod dirhash)
	// Git object IDs: SHA-1 (40 hex) or SHA-256 (64 hex) repositories.
	"gitCommit": {hexLens: []int{40, 64}, strong: atLeast256, sha1Like: true},
	"gitTree":   {hexLens: []int{40, 64}, strong: atLeast256, sha1Like: true},
	"gitBlob":   {hexLens: []int{40, 64}, strong: atLeast256, sha1Like: true},
	"gitTag":    {hexLens: []int{40, 64}, strong: atLeast256, sha1Like: true},
}

// Validate checks the DigestSet rules of the spec: at least one entry, at
// most MaxDigestsPerSet, and for every algorithm the spec defines a lowercase
// hex value of a valid length. Values under other names (immutable IDs,
// ITE-DS-4) must be non-empty. Validate says nothing about strength: that is
// DigestPolicy's job.
func (d DigestSet) Validate() error {
	if len(d) == 0 {
		return fmt.Errorf("%w: empty digest set", ErrMalformed)
	}
	if len(d) > limits.MaxDigestsPerSet {
		return limits.TooLarge("digest set", limits.MaxDigestsPerSet)
	}
	for name, value := range d { // success needs no order, nor the sorted copy
		if validateDigest(name, value) != nil {
			return d.validateSorted()
		}
	}
	return nil
}

// validateSorted reports the first invalid digest in algorithm order, so
// that the error does not depend on map iteration order.
func (d DigestSet) validateSorted() error {
	for _, name := range d.algorithms() {
		if err := validateDigest(name, d[name]); err != nil {
			return err
		}
	}
	return nil
}

func validateDigest(name, value string) error {
	if name == "" {
		return fmt.Errorf("%w: empty digest algorithm name", ErrMalformed)
	}
	if value == "" {
		return fmt.Errorf("%w: empty %s digest", ErrMalformed, name)
	}
	if len(value) > limits.MaxDigestValueBytes {
		return limits.TooLarge(name+" digest", limits.MaxDigestValueBytes)
	}
	alg, known := algorithms[name]
	if !known {
		return nil
	}
	if !isLowerHex(value) {
		return fmt.Errorf("%w: %s digest is not lowercase hex", ErrMalformed, name)
	}
	if alg.hexLens != nil && !slices.Contains(alg.hexLens, len(value)) {
		return fmt.Errorf("%w: %s digest has %d hex characters, want %v", ErrMalformed, name, len(value), alg.hexLens)
	}
	if alg.hexLens == nil && (len(value)%2 != 0 || len(value) > alg.maxHex) {
		return fmt.Errorf("%w: %s digest has invalid length %d", ErrMalformed, name, len(value))
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// algorithms returns the set's algorithm names in sorted order, so that
// errors and iteration are deterministic.
func (d DigestSet) algorithms() []string {
	names := make([]string, 0, len(d))
	for name := range d {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// String renders d as "alg:hex" pairs joined by commas, algorithms in
// sorted order, for messages and check values.
func (d DigestSet) String() string {
	parts := make([]string, 0, len(d))
	for _, alg := range d.algorithms() {
		parts = append(parts, alg+":"+d[alg])
	}
	return strings.Join(parts, ",")
}

// Clone returns a copy of d.
func (d DigestSet) Clone() DigestSet {
	if d == nil {
		return nil
	}
	c := make(DigestSet, len(d))
	for k, v := range d {
		c[k] = v
	}
	return c
}

// DigestPolicy says which digest algorithms count when matching DigestSets.
// The zero value accepts every collision-resistant algorithm the spec defines
// (SHA-2, SHA-3, BLAKE2 and SHAKE256 of at least 256 bits, SM3, GOST, dirHash,
// SHA-256 git object IDs) and nothing else: MD5, SHA-1, RIPEMD-160 and 40-hex
// (SHA-1) git IDs never match (THREAT-V2).
type DigestPolicy struct {
	// Algorithms, when non-empty, restricts matching to these names. A name
	// the spec does not define (an immutable ID such as a cloud image ARN,
	// ITE-DS-4) is accepted only when listed here. Weak algorithms listed
	// here still do not count unless InsecureAllowWeakDigests is set.
	Algorithms []string

	// InsecureAllowWeakDigests lets MD5, SHA-1, RIPEMD-160 and SHA-1 git IDs
	// match. Collisions for MD5 and SHA-1 can be computed, so an attacker can
	// make two different artifacts with the same weak digest and swap them
	// after signing. For reading legacy data only.
	InsecureAllowWeakDigests bool
}

// Accepts reports whether a digest of this algorithm and value counts under
// the policy.
func (p DigestPolicy) Accepts(name, value string) bool {
	listed := len(p.Algorithms) == 0 || slices.Contains(p.Algorithms, name)
	if !listed {
		return false
	}
	alg, known := algorithms[name]
	if !known {
		return len(p.Algorithms) > 0 // only explicitly named immutable IDs
	}
	return p.InsecureAllowWeakDigests || alg.strong(len(value))
}

// Match compares two DigestSets under the policy (ITE-DS-3): they match when
// at least one accepted algorithm appears in both with the same value and no
// accepted algorithm appears in both with different values. The second rule
// is stricter than the spec's "any entry matches": a set that agrees on
// SHA-256 but disagrees on SHA-512 describes two different things and is
// rejected rather than trusted.
//
// Match returns nil, an error wrapping ErrSubjectMismatch, or one wrapping
// ErrWeakDigest when the sets share only algorithms the policy does not accept.
func (p DigestPolicy) Match(a, b DigestSet) error {
	if r, _ := p.compare(a, b, nil); r == digestsMatch { // success needs no order
		return nil
	}
	return p.match(a, b, a.algorithms()) // name the first differing algorithm deterministically
}

// match compares a and b over names (all of a's, in map order, when nil).
func (p DigestPolicy) match(a, b DigestSet, names []string) error {
	switch r, name := p.compare(a, b, names); r {
	case digestsMatch:
		return nil
	case digestsDiffer:
		return fmt.Errorf("%w: %s differs", ErrSubjectMismatch, name)
	case digestsWeak:
		return fmt.Errorf("%w: the digest sets share no accepted algorithm", ErrWeakDigest)
	default:
		return fmt.Errorf("%w: %w", ErrSubjectMismatch, errNoCommonAlgorithm)
	}
}

// digestComparison is the outcome of DigestPolicy.compare; match turns it
// into an error, MatchSubjects uses it as is (it compares every subject,
// and most of them differ).
type digestComparison int

const (
	digestsMatch     digestComparison = iota
	digestsDiffer                     // an accepted algorithm in both with different values
	digestsWeak                       // shared algorithms, none accepted
	digestsNoOverlap                  // no algorithm in both
)

// compare is match without building errors; name is the algorithm that
// differs when the outcome is digestsDiffer.
func (p DigestPolicy) compare(a, b DigestSet, names []string) (digestComparison, string) {
	matched, sharedUnaccepted := false, false
	check := func(name, av string) bool { // false: the values differ
		bv, ok := b[name]
		if !ok {
			return true
		}
		if !p.Accepts(name, av) || !p.Accepts(name, bv) {
			sharedUnaccepted = true
			return true
		}
		if av != bv {
			return false
		}
		matched = true
		return true
	}
	if names == nil {
		for name, av := range a {
			if !check(name, av) {
				return digestsDiffer, name
			}
		}
	} else {
		for _, name := range names {
			if !check(name, a[name]) {
				return digestsDiffer, name
			}
		}
	}
	switch {
	case matched:
		return digestsMatch, ""
	case sharedUnaccepted:
		return digestsWeak, ""
	default:
		return digestsNoOverlap, ""
	}
}

// errNoCommonAlgorithm distinguishes "nothing to compare" from "compared and
// differed" inside ErrSubjectMismatch.
var errNoCommonAlgorithm = errors.New("no common digest algorithm")

// digestBufferSize is the read buffer of Digest: large enough that the
// per-read overhead is negligible next to hashing, small enough to stay in
// cache.
const digestBufferSize = 256 << 10

// Digest reads r to EOF and returns the digests of its bytes under each
// named algorithm (SHA-256 when none is named), with the number of bytes read.
// It makes one pass with a fixed-size buffer, so memory use does not depend
// on the input size. Supported: sha224, sha256, sha384, sha512, sha512_224,
// sha512_256, sha3_224, sha3_256, sha3_384, sha3_512.
func Digest(r io.Reader, algs ...string) (DigestSet, int64, error) {
	if len(algs) == 0 {
		algs = []string{SHA256}
	}
	hashes := make([]hash.Hash, len(algs))
	for i, name := range algs {
		alg, ok := algorithms[name]
		if !ok || alg.newHash == nil {
			return nil, 0, fmt.Errorf("%w: cannot compute %q digests", ErrWeakDigest, name)
		}
		hashes[i] = alg.newHash()
	}
	var w io.Writer = hashes[0]
	if len(hashes) > 1 {
		w = multiHash(hashes)
	}
	// A reader with WriteTo (bytes.Reader, bufio.Reader) hashes from its own
	// buffer, so none is allocated: evidence and statements are hashed from
	// memory many times per evaluation. Otherwise memory stays bounded by
	// one buffer.
	var n int64
	var err error
	if wt, ok := r.(io.WriterTo); ok {
		n, err = wt.WriteTo(w)
	} else {
		n, err = io.CopyBuffer(w, r, make([]byte, digestBufferSize))
	}
	if err != nil {
		return nil, n, fmt.Errorf("buildtrust: reading artifact: %w", err)
	}
	set := make(DigestSet, len(algs))
	for i, name := range algs {
		set[name] = hex.EncodeToString(hashes[i].Sum(nil))
	}
	return set, n, nil
}

type multiHash []hash.Hash

func (m multiHash) Write(p []byte) (int, error) {
	for _, h := range m {
		h.Write(p) // hash.Hash.Write never returns an error
	}
	return len(p), nil
}
