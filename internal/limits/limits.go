// Package limits holds every size, count and depth limit buildtrust applies to
// untrusted input, in one place, each with the reason for its value.
//
// A limit exists so that a hostile input costs the verifier a bounded amount
// of memory and CPU before it is rejected. Values are generous for real
// attestations (the largest real SLSA provenance seen in the shared corpus is
// under 100 KiB) and small enough that a flood of maximal inputs cannot exhaust
// a registry's upload handler. Packages that expose a limit to callers
// re-export it from here; nobody else hard-codes a bound.
package limits

const (
	// MaxEnvelopeBytes bounds one serialized DSSE envelope (JSON). Real
	// provenance envelopes are tens of KiB; 32 MiB leaves room for statements
	// listing many thousands of resolved dependencies.
	MaxEnvelopeBytes = 32 << 20

	// MaxPayloadBytes bounds the decoded DSSE payload (the Statement). Base64
	// makes the payload 3/4 of the envelope at most, so this never binds
	// before MaxEnvelopeBytes does; it bounds envelopes built in memory.
	MaxPayloadBytes = MaxEnvelopeBytes / 4 * 3

	// MaxPayloadTypeBytes bounds the DSSE payloadType. Media types are short;
	// RFC 6838 caps each name part at 127 characters.
	MaxPayloadTypeBytes = 256

	// MaxTypeURIBytes bounds a TypeURI such as a predicateType. Real ones are
	// under 100 bytes.
	MaxTypeURIBytes = 1024

	// MaxSignatures bounds the signatures one envelope may carry. DSSE allows
	// t-of-n; no real deployment uses more than a handful of signers, and
	// sumdb notes cap at 100 for the same reason ("avoid spending forever").
	MaxSignatures = 64

	// MaxSignatureBytes bounds one signature. RSA-8192 is 1 KiB; the largest
	// ECDSA DER signature (P-521) is 139 bytes.
	MaxSignatureBytes = 2048

	// MaxKeyIDBytes bounds a signature's keyid hint. Cloud KMS key paths are
	// the longest seen (about 130 bytes).
	MaxKeyIDBytes = 1024

	// MaxSignatureChecks bounds the public-key operations one envelope may
	// cost, across all its signatures and all trusted keys (x509 uses the same
	// idea: maxChainSignatureChecks).
	MaxSignatureChecks = 256

	// MaxTrustedKeys bounds the keys one verification may try.
	MaxTrustedKeys = 1024

	// MaxSubjects bounds the subjects of one Statement (sigstore-go uses the
	// same value).
	MaxSubjects = 1024

	// MaxDigestsPerSet bounds the algorithm entries in one DigestSet
	// (sigstore-go uses 32); the spec lists 23 algorithm names.
	MaxDigestsPerSet = 32

	// MaxDigestValueBytes bounds one digest value. The longest standard hex
	// digest (SHA-512, SHAKE256-512) is 128 characters; non-cryptographic
	// immutable IDs such as cloud image ARNs are allowed (ITE-DS-4) and are
	// longer, but not kilobytes.
	MaxDigestValueBytes = 1024

	// MaxJSONDepth bounds the nesting of any JSON document we decode.
	// Provenance externalParameters nest a few levels; 64 is far beyond any
	// real attestation and keeps recursive walks cheap.
	MaxJSONDepth = 64

	// MaxBundleBytes bounds a whole JSON Lines bundle (.intoto.jsonl).
	MaxBundleBytes = 64 << 20

	// MaxBundleLines bounds the lines (attestations) in one bundle. A release
	// with provenance, SBOMs, VSAs and test results for every artifact still
	// fits easily.
	MaxBundleLines = 4096

	// MaxKeyBytes bounds a public-key file (PEM or DER). An RSA-8192 public key
	// in PEM is about 1.5 KiB; certificates with chains stay well below 64 KiB.
	MaxKeyBytes = 64 << 10

	// MinRSABits is the smallest RSA modulus accepted for signatures
	// (NIST SP 800-131A: 2048 bits until 2030).
	MinRSABits = 2048

	// MaxRSABits is the largest RSA modulus accepted, bounding the cost of one
	// verification (crypto/rsa itself refuses public keys above 16384 bits).
	MaxRSABits = 8192
)
