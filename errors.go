package buildtrust

import (
	"errors"
	"fmt"
	"strings"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors. Every error returned by this package wraps one of them (or
// a strictjson/limits error for malformed input), so callers branch with
// errors.Is, never on message text.
var (
	// ErrTooLarge: an input exceeded one of the limits documented on the
	// Max… constants.
	ErrTooLarge = limits.ErrTooLarge

	// ErrMalformed: the input is not a well-formed envelope, statement,
	// descriptor, digest set, key or bundle line.
	ErrMalformed = errors.New("buildtrust: malformed input")

	// ErrNoTrustedKeys: verification was asked for without any trusted key.
	// Verification never falls back to "accept".
	ErrNoTrustedKeys = errors.New("buildtrust: no trusted keys")

	// ErrSignature: the envelope is not signed by enough distinct trusted
	// keys (ITE-ENV-7).
	ErrSignature = errors.New("buildtrust: signature verification failed")

	// ErrPayloadType: the envelope's payloadType is not an accepted in-toto
	// type (ITE-ENV-3).
	ErrPayloadType = errors.New("buildtrust: unsupported payload type")

	// ErrStatementType: the Statement's _type is not an accepted version
	// (ITE-ST-1).
	ErrStatementType = errors.New("buildtrust: unsupported statement type")

	// ErrSubjectMismatch: no subject of the statement matches the artifact's
	// digests (ITE-VAL-2, PROV-VER-3).
	ErrSubjectMismatch = errors.New("buildtrust: no subject matches the artifact")

	// ErrWeakDigest: a digest algorithm that is not collision resistant was
	// offered where a secure one is required (ITE-DS-2, THREAT-V2).
	ErrWeakDigest = errors.New("buildtrust: weak or unaccepted digest algorithm")

	// ErrUnsupportedKey: a key type, size or curve this package does not
	// accept for signatures.
	ErrUnsupportedKey = errors.New("buildtrust: unsupported key")
)

// Outcome is the result of one named check.
type Outcome string

// Outcomes of a check. A check that did not run because it did not apply is
// NotApplicable, never Pass.
const (
	Pass          Outcome = "PASS"
	Fail          Outcome = "FAIL"
	NotApplicable Outcome = "NOT_APPLICABLE"
)

// Check is the record of one named verification step: which check ran, the
// threats it guards against, what was expected and found, and the outcome.
// Verifiers in every package report their work as a list of Checks so that a
// user can see why an artifact was accepted or rejected.
type Check struct {
	// ID is stable and dotted, e.g. "envelope.signature", "statement.subject".
	ID string `json:"id"`
	// Threats are the catalog IDs the check mitigates.
	Threats []threat.ID `json:"threats,omitempty"`
	// Outcome is PASS, FAIL or NOT_APPLICABLE.
	Outcome Outcome `json:"outcome"`
	// Expected and Actual describe the compared values, when there are any.
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Message explains a failure or why the check did not apply.
	Message string `json:"message,omitempty"`
}

// CheckError is a failed check as an error. It unwraps to the underlying
// sentinel and to every threat ID the check guards, so both
// errors.Is(err, ErrSignature) and errors.Is(err, threat.F4) hold.
type CheckError struct {
	Check   string
	Threats []threat.ID
	Err     error
}

// Error implements error.
func (e *CheckError) Error() string {
	var b strings.Builder
	b.WriteString(e.Check)
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if len(e.Threats) > 0 {
		b.WriteString(" [threats")
		for _, id := range e.Threats {
			b.WriteByte(' ')
			b.WriteString(string(id))
		}
		b.WriteByte(']')
	}
	return b.String()
}

// Unwrap returns the cause followed by the threat IDs.
func (e *CheckError) Unwrap() []error {
	errs := make([]error, 0, 1+len(e.Threats))
	errs = append(errs, e.Err)
	for _, id := range e.Threats {
		errs = append(errs, id)
	}
	return errs
}

// checkErr builds a *CheckError whose cause wraps sentinel with a message.
func checkErr(check string, threats []threat.ID, sentinel error, format string, args ...any) *CheckError {
	return &CheckError{
		Check:   check,
		Threats: threats,
		Err:     fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)),
	}
}

// Check IDs of the checks this package performs, with the threats each one
// guards. Other packages define their own under their package name.
const (
	// CheckEnvelopeSignature: the envelope carries signatures from at least
	// the threshold of distinct trusted keys (ITE-ENV-5, ITE-ENV-7).
	CheckEnvelopeSignature = "envelope.signature"
	// CheckEnvelopePayloadType: payloadType is an accepted in-toto type.
	CheckEnvelopePayloadType = "envelope.payloadType"
	// CheckStatementSubject: some subject matches the artifact digest.
	CheckStatementSubject = "statement.subject"
)

// Threats guarded by the checks above (REQUIREMENTS.md §6).
var (
	signatureThreats = []threat.ID{threat.F4, threat.G6}
	subjectThreats   = []threat.ID{threat.F3, threat.G5}
	// A weak digest lets an attacker make a colliding artifact (V2).
	weakDigestThreats = []threat.ID{threat.F3, threat.G5, threat.V2}
)
