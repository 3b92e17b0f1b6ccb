package sigstore

import (
	"io"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
)

// JSONLines is a JSON Lines file of Sigstore bundles, one per line, as
// `gh attestation download` writes (<digest>.jsonl); lines may also be
// slsa-github-generator's bare DSSE envelopes. Like the core's
// buildtrust.Bundle, the file as a whole is not authenticated — lines can
// be deleted, replayed or injected — so every line is verified on its own
// and nothing depends on line order.
type JSONLines struct {
	lines []limits.Line
}

// ReadJSONLines reads a JSON Lines file from r, bounded by
// MaxJSONLinesSize and MaxJSONLines; see ParseJSONLines.
func ReadJSONLines(r io.Reader) (*JSONLines, error) {
	data, err := limits.ReadAll(r, MaxJSONLinesSize, "JSON Lines file")
	if err != nil {
		return nil, err
	}
	return ParseJSONLines(data)
}

// ParseJSONLines splits an in-memory JSON Lines file. Blank lines are
// skipped; "\r\n" line ends are accepted. It parses nothing: each line is
// decoded and verified by VerifyJSONLines. More than MaxJSONLinesSize bytes
// or MaxJSONLines non-blank lines fail with buildtrust.ErrTooLarge.
func ParseJSONLines(data []byte) (*JSONLines, error) {
	lines, err := limits.SplitLines(data, MaxJSONLinesSize, MaxJSONLines, "JSON Lines file")
	if err != nil {
		return nil, err
	}
	return &JSONLines{lines: lines}, nil
}

// Len returns the number of non-blank lines.
func (l *JSONLines) Len() int { return len(l.lines) }

// JSONLinesEntry is one verified line.
type JSONLinesEntry struct {
	Line int // 1-based line number
	*Result
}

// JSONLinesResult is the outcome of verifying every line. A line that does
// not verify (not a bundle, tampered, wrong trusted root, not an in-toto
// Statement, a forged provenance field) is ignored and listed in Ignored
// with the reason — a *buildtrust.CheckError inside the
// buildtrust.LineError — so that a user can see why.
type JSONLinesResult struct {
	Verified []JSONLinesEntry
	Ignored  []buildtrust.LineError
}

// VerifyJSONLines verifies each line independently with Verify (a bundle,
// or a bare DSSE envelope under the Verifier's Options). It never fails as
// a whole: policy decides whether the attestations that verified are
// enough, and must not depend on their order. Identity rules are not
// applied here: match each entry's Identity, or give Attestation() to
// provenance.Check.
func (v *Verifier) VerifyJSONLines(l *JSONLines) JSONLinesResult {
	var res JSONLinesResult
	if l == nil {
		return res
	}
	for _, line := range l.lines {
		r, err := v.Verify(line.Data)
		if err != nil {
			res.Ignored = append(res.Ignored, buildtrust.LineError{Line: line.Number, Err: err})
			continue
		}
		res.Verified = append(res.Verified, JSONLinesEntry{Line: line.Number, Result: r})
	}
	return res
}
