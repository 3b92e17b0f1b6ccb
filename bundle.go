package buildtrust

import (
	"fmt"
	"io"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Bundle is an in-toto JSON Lines bundle (.intoto.jsonl, ITE-BUN-1…3): one
// attestation per line. The bundle as a whole is not authenticated — lines
// can be deleted, replayed or injected (ITE-BUN-2) — so every line is
// verified on its own and nothing depends on line order.
type Bundle struct {
	lines []limits.Line
}

// ReadBundle reads a JSON Lines bundle from r, bounded by MaxBundleBytes and
// MaxBundleLines. Blank lines are skipped; "\r\n" line ends are accepted. It
// parses nothing: each line is decoded and verified by Bundle.Verify.
func ReadBundle(r io.Reader) (*Bundle, error) {
	data, err := limits.ReadAll(r, limits.MaxBundleBytes, "bundle")
	if err != nil {
		return nil, err
	}
	return ParseBundle(data)
}

// ParseBundle splits an in-memory JSON Lines bundle; see ReadBundle.
func ParseBundle(data []byte) (*Bundle, error) {
	lines, err := limits.SplitLines(data, limits.MaxBundleBytes, limits.MaxBundleLines, "bundle")
	if err != nil {
		return nil, err
	}
	return &Bundle{lines: lines}, nil
}

// Len returns the number of non-blank lines.
func (b *Bundle) Len() int { return len(b.lines) }

// BundleEntry is one verified line of a bundle.
type BundleEntry struct {
	Line int // 1-based line number
	*VerifiedStatement
}

// LineError says why one line of a bundle was not used.
type LineError struct {
	Line int
	Err  error
}

// Error implements error.
func (e *LineError) Error() string { return fmt.Sprintf("bundle line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// BundleResult is the outcome of verifying every line of a bundle. A line
// that is not a DSSE envelope, is signed by no trusted key, or carries no
// valid in-toto Statement is ignored, as the spec requires (ITE-BUN-1), and
// listed in Ignored with the reason so that a user can see why.
type BundleResult struct {
	Verified []BundleEntry
	Ignored  []LineError
}

// Verify verifies each line independently with opts (see VerifyStatement).
// It never fails as a whole: policy decides whether the attestations that
// verified are enough, and must not depend on their order (ITE-PR-4).
func (b *Bundle) Verify(opts VerifyOptions) BundleResult {
	var res BundleResult
	for _, l := range b.lines {
		vs, err := VerifyStatement(l.Data, opts)
		if err != nil {
			res.Ignored = append(res.Ignored, LineError{Line: l.Number, Err: err})
			continue
		}
		res.Verified = append(res.Verified, BundleEntry{Line: l.Number, VerifiedStatement: vs})
	}
	return res
}
