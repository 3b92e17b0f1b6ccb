package main

import "github.com/buildtrust/buildtrust/internal/limits"

// Limits bound what one upload may cost the registry. Every limit of the
// handler is here, in one place, each with the reason for its default.
// A zero field takes the default of DefaultLimits.
//
// The artifact is streamed (hashed and staged without being held in memory),
// so MaxArtifactBytes bounds the store, not the handler's memory. Attestations,
// evidence and form fields are held in memory until the policy has decided,
// so MaxAttachedBytes bounds the memory of one request; bound the number of
// concurrent uploads in the server to bound the total.
type Limits struct {
	// MaxRequestBytes bounds the whole request body, enforced with
	// http.MaxBytesReader. Zero: MaxArtifactBytes + MaxAttachedBytes +
	// MaxOverheadBytes, so that any upload within the other limits fits.
	MaxRequestBytes int64
	// MaxArtifactBytes bounds the artifact part.
	MaxArtifactBytes int64
	// MaxAttestationBytes bounds one attestation part (a DSSE envelope or a
	// JSON Lines bundle).
	MaxAttestationBytes int64
	// MaxEvidenceBytes bounds one evidence part.
	MaxEvidenceBytes int64
	// MaxAttachedBytes bounds all attestation and evidence parts together:
	// the bytes the handler holds in memory for one request.
	MaxAttachedBytes int64
	// MaxFieldBytes bounds the name and purl fields.
	MaxFieldBytes int64
	// MaxParts bounds the parts of the multipart form.
	MaxParts int
}

// Defaults. The library has no artifact size limit (it hashes artifacts
// streaming, whatever their size), so the example chooses the artifact and
// overhead budgets; the rest come from internal/limits, the library's single
// place for input bounds, so the handler accepts exactly what policy.Evaluate
// can take.
const (
	// DefaultMaxArtifactBytes is 100 MiB: PyPI's default per-file upload
	// limit, and enough for the release archives of most packages. A
	// registry of container images or ML models raises it.
	DefaultMaxArtifactBytes = 100 << 20

	// DefaultMaxAttestationBytes: an attestation part may be a whole JSON
	// Lines bundle, which the policy package reads up to MaxBundleBytes.
	DefaultMaxAttestationBytes = limits.MaxBundleBytes

	// DefaultMaxEvidenceBytes: the evidence bound of the scai package (TCG
	// event logs, TDX quotes with collateral are far smaller).
	DefaultMaxEvidenceBytes = limits.MaxEvidenceBytes

	// DefaultMaxAttachedBytes: one maximal bundle, or a genuine BuildEnv L3
	// upload (about a hundred KiB) many hundred times over. It is the
	// memory one request may hold.
	DefaultMaxAttachedBytes = limits.MaxBundleBytes

	// DefaultMaxFieldBytes: a purl is a URI, bounded like every URI the
	// library reads.
	DefaultMaxFieldBytes = limits.MaxTypeURIBytes

	// DefaultMaxParts: the inputs (attestation files and evidence blobs)
	// one evaluation accepts, plus the artifact, name and purl parts.
	DefaultMaxParts = limits.MaxPolicyInputs + 3

	// MaxOverheadBytes is the body budget for multipart boundaries and part
	// headers beyond the part contents: a few hundred bytes per part.
	MaxOverheadBytes = 1 << 20
)

// DefaultLimits returns the limits a zero Limits stands for.
func DefaultLimits() Limits {
	return Limits{}.withDefaults()
}

func (l Limits) withDefaults() Limits {
	set := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&l.MaxArtifactBytes, DefaultMaxArtifactBytes)
	set(&l.MaxAttestationBytes, DefaultMaxAttestationBytes)
	set(&l.MaxEvidenceBytes, DefaultMaxEvidenceBytes)
	set(&l.MaxAttachedBytes, DefaultMaxAttachedBytes)
	set(&l.MaxFieldBytes, DefaultMaxFieldBytes)
	set(&l.MaxRequestBytes, l.MaxArtifactBytes+l.MaxAttachedBytes+MaxOverheadBytes)
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	return l
}
