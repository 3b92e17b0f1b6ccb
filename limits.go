package buildtrust

import "github.com/buildtrust/buildtrust/internal/limits"

// Limits applied to untrusted input by this package. Inputs beyond them are
// rejected with an error wrapping ErrTooLarge. The reasons for each value are
// in internal/limits.
const (
	MaxEnvelopeBytes   = limits.MaxEnvelopeBytes   // one serialized DSSE envelope
	MaxSignatures      = limits.MaxSignatures      // signatures in one envelope
	MaxSignatureChecks = limits.MaxSignatureChecks // public-key operations per envelope
	MaxSubjects        = limits.MaxSubjects        // subjects in one Statement
	MaxDigestsPerSet   = limits.MaxDigestsPerSet   // entries in one DigestSet
	MaxJSONDepth       = limits.MaxJSONDepth       // nesting of any JSON document
	MaxBundleBytes     = limits.MaxBundleBytes     // one JSON Lines bundle
	MaxBundleLines     = limits.MaxBundleLines     // attestations in one bundle
	MaxKeyBytes        = limits.MaxKeyBytes        // one PEM or DER public key
)
