package limits

// Limits of the scai and vsa packages. Predicates arrive inside a Statement
// already bounded by MaxPayloadBytes; these bound the counts inside them, so
// that a hostile predicate costs a bounded number of allocations and
// comparisons before it is rejected.
const (
	// MaxSCAIAttributes bounds the attribute assertions in one SCAI report.
	// The largest real report seen (scai-demos, chkimes/image-attestation)
	// has a handful; a launch attestation with every evidence piece of a TPM
	// and a TEE has under 20; an image with reference values for every PCR of
	// two banks and every measured file stays well below 1024.
	MaxSCAIAttributes = 1024

	// MaxSCAIAttributeBytes bounds one attribute string. Attributes are
	// short identifiers ("IsHermeticBuild", "VALID_ENCLAVE"); 1 KiB leaves
	// room for URI-style names.
	MaxSCAIAttributeBytes = 1024

	// MaxEvidenceBytes bounds the evidence bytes a caller hands to the scai
	// evidence check (they are hashed in memory). The largest evidence a
	// BuildEnv chain carries is a TCG event log (real logs in the corpus are
	// under 100 KiB) or a TDX quote with its collateral (tens of KiB); 16 MiB
	// is far above both.
	MaxEvidenceBytes = 16 << 20

	// MaxBuildIDBytes bounds the build ID of a dispatch attestation
	// (BENV-T-1: a UUID, a CI job ID or URL).
	MaxBuildIDBytes = 1024

	// MaxVSALevels bounds verifiedLevels of one VSA (VSA-9: at most one
	// level per track plus verified properties; SLSA defines three tracks
	// and two properties).
	MaxVSALevels = 64

	// MaxVSADependencyLevels bounds the keys of dependencyLevels (VSA-10:
	// one per SlsaResult).
	MaxVSADependencyLevels = 64

	// MaxVSAVerifierVersions bounds verifier.version entries (VSA-3: one per
	// verifier component; the spec example has two).
	MaxVSAVerifierVersions = 64

	// MaxVSAInputAttestations bounds inputAttestations (VSA-7: every
	// attestation used). A release verified with provenance for thousands of
	// dependencies still fits; it matches MaxBundleLines.
	MaxVSAInputAttestations = MaxBundleLines

	// MaxSVRProperties bounds the properties of one SVR (SVR-1); real ones
	// list a few scoped property names.
	MaxSVRProperties = 1024

	// MaxSVRPolicies bounds verifier.policies of one SVR (SVR-1).
	MaxSVRPolicies = 256

	// MaxVSATrustedVerifiers bounds the verifier IDs a consumer may trust in
	// one verification (each maps to keys, themselves bounded by
	// MaxTrustedKeys in total).
	MaxVSATrustedVerifiers = 256
)
