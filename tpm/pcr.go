package tpm

import (
	"crypto"
	_ "crypto/sha1" // SHA-1 PCR banks, behind InsecureAllowSHA1
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// TPM algorithm IDs of the hash algorithms this package knows (TCG Algorithm
// Registry).
const (
	algSHA1   uint16 = 0x0004
	algSHA256 uint16 = 0x000B
	algSHA384 uint16 = 0x000C
	algSHA512 uint16 = 0x000D
)

// hashFromAlg maps a TPM_ALG_ID to a crypto.Hash; 0 when unknown.
func hashFromAlg(alg uint16) crypto.Hash {
	switch alg {
	case algSHA1:
		return crypto.SHA1
	case algSHA256:
		return crypto.SHA256
	case algSHA384:
		return crypto.SHA384
	case algSHA512:
		return crypto.SHA512
	}
	return 0
}

// algOf is the inverse of hashFromAlg; 0 for other hashes.
func algOf(h crypto.Hash) uint16 {
	switch h {
	case crypto.SHA1:
		return algSHA1
	case crypto.SHA256:
		return algSHA256
	case crypto.SHA384:
		return algSHA384
	case crypto.SHA512:
		return algSHA512
	}
	return 0
}

// HashName returns the DigestSet name of a PCR bank or digest algorithm
// ("sha1", "sha256", "sha384", "sha512"), or "" for any other hash.
func HashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA1:
		return "sha1"
	case crypto.SHA256:
		return "sha256"
	case crypto.SHA384:
		return "sha384"
	case crypto.SHA512:
		return "sha512"
	}
	return ""
}

// hashByName is the inverse of HashName.
func hashByName(name string) crypto.Hash {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		if HashName(h) == name {
			return h
		}
	}
	return 0
}

// PCRBank is one bank of PCR values: the hash algorithm of the bank and the
// value of each PCR by index. A bank passed to a verifier holds values
// claimed by the evidence; a bank returned by a verifier holds only values
// the quote covers.
type PCRBank struct {
	// Hash is the bank's algorithm (crypto.SHA1, SHA256, SHA384, SHA512).
	Hash crypto.Hash
	// PCRs maps a PCR index to its value (Hash.Size() bytes).
	PCRs map[int][]byte
}

// Indices returns the PCR indices of the bank in ascending order.
func (b PCRBank) Indices() []int {
	idx := make([]int, 0, len(b.PCRs))
	for i := range b.PCRs {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return idx
}

// Clone returns a deep copy of the bank.
func (b PCRBank) Clone() PCRBank {
	out := PCRBank{Hash: b.Hash, PCRs: make(map[int][]byte, len(b.PCRs))}
	for i, v := range b.PCRs {
		out.PCRs[i] = slices.Clone(v)
	}
	return out
}

// String renders the bank as "sha256:{0:ab12…,4:…}" for messages.
func (b PCRBank) String() string {
	s := HashName(b.Hash) + ":{"
	for n, i := range b.Indices() {
		if n > 0 {
			s += ","
		}
		s += strconv.Itoa(i) + ":" + hex.EncodeToString(b.PCRs[i])
	}
	return s + "}"
}

// PCRSelection is one TPMS_PCR_SELECTION of a quote: a bank and the PCRs
// selected in it, in ascending order (the order the PCR digest uses).
type PCRSelection struct {
	// Alg is the bank's TPM_ALG_ID as it appears in the quote.
	Alg uint16
	// Hash is the bank as a crypto.Hash, 0 if Alg is not a known hash.
	Hash crypto.Hash
	// PCRs are the selected indices, ascending.
	PCRs []int
}

// decodeSelect turns a pcrSelect bitmap into PCR indices (bit n of byte k
// selects PCR 8k+n; TPM 2.0 Part 2 §10.6.1).
func decodeSelect(bitmap []byte) ([]int, error) {
	if len(bitmap) > limits.MaxPCRSelectBytes {
		return nil, fmt.Errorf("%w: sizeofSelect %d > %d", ErrTooLarge, len(bitmap), limits.MaxPCRSelectBytes)
	}
	var idx []int
	for k, b := range bitmap {
		for n := 0; n < 8; n++ {
			if b&(1<<n) != 0 {
				idx = append(idx, 8*k+n)
			}
		}
	}
	return idx, nil
}

// initialPCR returns the value of PCR index after TPM2_Startup, before any
// extend: all zero, except PCRs 17–22 which the PC Client Platform TPM
// Profile resets to all ones until a dynamic launch, and PCR0, whose last
// byte is the startup locality when the log records one.
func initialPCR(h crypto.Hash, index int, locality byte) []byte {
	v := make([]byte, h.Size())
	setInitialPCR(v, index, locality)
	return v
}

// setInitialPCR writes initialPCR's value into the zeroed v.
func setInitialPCR(v []byte, index int, locality byte) {
	switch {
	case index >= 17 && index <= 22:
		for i := range v {
			v[i] = 0xff
		}
	case index == 0:
		v[len(v)-1] = locality
	}
}
