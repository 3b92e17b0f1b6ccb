package limits

const (
	// MaxCELExpressionBytes bounds the text of one CEL rule. Real rules are
	// one or two lines; cel-go's own default is 100 000 code points.
	MaxCELExpressionBytes = 16 << 10

	// MaxCELRecursion bounds the nesting of a CEL expression while parsing
	// (cel-go's default is 250; no readable rule nests past 30).
	MaxCELRecursion = 64

	// MaxCELCost bounds the cost of one rule evaluation in cel-go's cost
	// units (about one per visited value): a rule that walks every external
	// parameter of a large provenance stays far below it, a quadratic
	// comprehension over it does not.
	MaxCELCost = 1_000_000

	// MaxPolicyInputs bounds the attestation files and evidence blobs of one
	// evaluation; each attestation file may itself be a bundle of up to
	// MaxBundleLines lines.
	MaxPolicyInputs = 4096

	// MaxPolicyInputBytes bounds the attestation files and evidence blobs
	// of one evaluation together: one bundle at its limit
	// (MaxBundleBytes), and nothing next to it, is already an unusual
	// upload; without a total, MaxPolicyInputs files of the per-file
	// limits would be tens of gigabytes held in memory.
	MaxPolicyInputBytes = 128 << 20

	// MaxPolicyAttestations bounds the envelopes one evaluation verifies,
	// across all files and bundle lines: every envelope may cost a signature
	// check per trusted key set.
	MaxPolicyAttestations = 4096

	// MaxPolicyCandidates bounds the launch attestations (environment
	// chains) one evaluation follows; each costs TPM and TEE verifications.
	MaxPolicyCandidates = 16

	// ImageAttestationCacheEntries is the number of image attestations
	// (image provenance, reference values) a Policy keeps parsed: they
	// recur in every build on an image, and images roll out a few versions
	// at a time.
	ImageAttestationCacheEntries = 64

	// KnownInputCacheEntries is the number of recurring inputs (image
	// attestations, a chip's certificates) whose SHA-256 a Policy
	// remembers, to recognize them again by comparison.
	KnownInputCacheEntries = 64

	// MaxCachedEnvelopeBytes bounds an envelope a Policy keeps parsed, and
	// an input it remembers.
	// Image attestations are a few KiB.
	MaxCachedEnvelopeBytes = 1 << 20
)
