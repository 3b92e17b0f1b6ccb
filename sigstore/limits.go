package sigstore

// Input bounds of this module (the core's internal/limits cannot be imported
// from another module). Every parser checks its input against these before
// decoding; larger inputs fail with buildtrust.ErrTooLarge.
const (
	// MaxBundleSize bounds one Sigstore bundle or DSSE envelope (JSON). The
	// largest corpus bundle is 24 KB; GitHub's limit on an attestation is
	// well below this.
	MaxBundleSize = 4 << 20
	// MaxTrustedRootSize bounds a trusted-root JSON document.
	MaxTrustedRootSize = 4 << 20
	// MaxNPMResponseSize bounds an npm attestations response.
	MaxNPMResponseSize = 8 << 20
	// MaxJSONLinesSize bounds a JSON Lines file of bundles, and
	// MaxJSONLines the number of non-empty lines in it.
	MaxJSONLinesSize = 32 << 20
	MaxJSONLines     = 1024
	// MaxJSONDepth bounds nesting in the wrapper formats this package
	// decodes itself (npm responses, JSON Lines); bundles are decoded by
	// sigstore-go after the size check.
	MaxJSONDepth = 64
	// maxSANRegexpLen bounds an identity rule's SAN regular expression.
	maxSANRegexpLen = 4096
)
