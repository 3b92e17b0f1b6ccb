package vsa

import (
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors. Every error of this package wraps one of them (or a root
// sentinel such as buildtrust.ErrMalformed, ErrSignature, ErrTooLarge), so
// callers branch with errors.Is, never on message text.
var (
	// ErrPredicateType: the statement is not a VSA v1 (VSA-1, VSA-VER-3) or
	// not an SVR v0.2 (SVR-1).
	ErrPredicateType = errors.New("vsa: wrong predicate type")

	// ErrNoTrustedVerifiers: Verify was called without any (verifier ID,
	// keys) pair to trust (VSA-VER-4). Verification never falls back to
	// "accept".
	ErrNoTrustedVerifiers = errors.New("vsa: no trusted verifiers")

	// ErrMissingExpectation: Verify was called without a value the
	// consumer procedure requires: the subject digest (VSA-VER-2), the
	// requested resourceUri (VSA-VER-5) or a required level (VSA-VER-7).
	ErrMissingExpectation = errors.New("vsa: required expectation missing")

	// ErrUntrustedVerifier: the VSA's verifier.id is not trusted, or its
	// signers are not keys trusted for that verifier (VSA-VER-4).
	ErrUntrustedVerifier = errors.New("vsa: verifier not trusted for this key")

	// ErrResourceURI: resourceUri is not the resource requested (VSA-VER-5).
	ErrResourceURI = errors.New("vsa: resourceUri is not the requested resource")

	// ErrFailed: verificationResult is not PASSED (VSA-VER-6).
	ErrFailed = errors.New("vsa: verification result is not PASSED")

	// ErrLevel: verifiedLevels lacks a required level (VSA-VER-7).
	ErrLevel = errors.New("vsa: required level not verified")

	// ErrStale: timeVerified is missing, in the future, or older than the
	// accepted age (VSA-VER-8).
	ErrStale = errors.New("vsa: verification too old or undated")

	// ErrPolicy: the VSA names another policy than expected (VSA-VER-8).
	ErrPolicy = errors.New("vsa: policy is not the expected one")
)

// Check IDs of the consumer checks (VSA-VER-1…8), in the order Verify runs
// them.
const (
	CheckSignature     = "vsa.signature"     // VSA-VER-1
	CheckPredicateType = "vsa.predicateType" // VSA-VER-3
	CheckVerifier      = "vsa.verifier"      // VSA-VER-4
	CheckSubject       = "vsa.subject"       // VSA-VER-2
	CheckResourceURI   = "vsa.resourceUri"   // VSA-VER-5
	CheckResult        = "vsa.result"        // VSA-VER-6
	CheckLevel         = "vsa.level"         // VSA-VER-7
	CheckPolicy        = "vsa.policy"        // VSA-VER-8
	CheckFresh         = "vsa.fresh"         // VSA-VER-8
)

// Threats each check guards (REQUIREMENTS.md §6.1, threat catalog):
//
//   - signature: G6 (a tampered VSA no longer verifies) and G2 (only keys
//     the consumer trusts count).
//   - verifier: G2, a VSA issued by an untrusted intermediary, including one
//     signed by a key trusted for a different verifier.
//   - subject: G5, an artifact modified after its VSA was issued.
//   - resourceUri: G4, a package and its VSA replaced by another package and
//     that package's own valid VSA.
//   - result, level: G1, the artifact does not meet the consumer's bar (the
//     VSA stands in for the builder check of G1).
//   - fresh: G4, an old VSA replayed after the verifier's view changed.
//
// When Options.BuildImage is set, every failure also names E8 (a build image
// compromised in distribution, BENV-L1-2, BENV-L1-4).
var (
	signatureThreats = []threat.ID{threat.G6, threat.G2}
	verifierThreats  = []threat.ID{threat.G2}
	subjectThreats   = []threat.ID{threat.G5}
	resourceThreats  = []threat.ID{threat.G4}
	resultThreats    = []threat.ID{threat.G1}
	freshThreats     = []threat.ID{threat.G4}
)

// malformed wraps buildtrust.ErrMalformed; format may use %w.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: vsa: "+format, append([]any{buildtrust.ErrMalformed}, args...)...)
}
