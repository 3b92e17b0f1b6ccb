package scai

import (
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors. Every error of this package wraps one of them (or a root
// sentinel such as buildtrust.ErrMalformed, ErrSignature or ErrTooLarge), so
// callers branch with errors.Is, never on message text.
var (
	// ErrPredicateType: the statement is not a SCAI v0.2 or v0.3 attribute
	// report (SCAI-1).
	ErrPredicateType = errors.New("scai: not a SCAI attribute report")

	// ErrAttribute: a required attribute is absent from the report, or a
	// BuildEnv attribute is malformed.
	ErrAttribute = errors.New("scai: attribute missing or malformed")

	// ErrEvidence: evidence bytes are missing, too large, or do not match the
	// digest of their descriptor.
	ErrEvidence = errors.New("scai: evidence does not match its descriptor")

	// ErrBinding: a BuildEnv attestation's binding does not commit to its
	// subject, or a dispatch names another build or environment.
	ErrBinding = errors.New("scai: binding mismatch")

	// ErrNoTrustedKeys: verification was asked for without trusted keys.
	ErrNoTrustedKeys = buildtrust.ErrNoTrustedKeys

	// ErrNoSubject: verification was asked for without the digest of the
	// subject the caller expects, and without InsecureSkipSubject.
	ErrNoSubject = errors.New("scai: no expected subject digest")
)

// Check IDs of the checks this package performs (buildtrust.Check.ID). The
// threats each guards are listed on the check.
const (
	// CheckPredicateType: the statement is a SCAI report (SCAI-1).
	CheckPredicateType = "scai.predicateType"
	// CheckSubject: the report's subject is the artifact or environment the
	// caller asked about (ITE-VAL-2).
	CheckSubject = "scai.subject"
	// CheckAttribute: a required attribute is present (SCAI-3).
	CheckAttribute = "scai.attribute"
	// CheckEvidenceDigest: the evidence bytes supplied hash to the digest of
	// the evidence descriptor (SCAI-6, BENV-EV-2).
	CheckEvidenceDigest = "scai.evidence.digest"
	// CheckBinding: a launch or dispatch attestation binds what it claims to
	// bind (BENV-H-4, BENV-H-5, BENV-L2-4).
	CheckBinding = "scai.binding"
	// CheckDispatchBuildID: a dispatch attestation names the expected build
	// ID (BENV-L2-4, BENV-H-5).
	CheckDispatchBuildID = "scai.dispatch.buildId"
)

func checkErr(check string, threats []threat.ID, sentinel error, format string, args ...any) *buildtrust.CheckError {
	return &buildtrust.CheckError{
		Check:   check,
		Threats: threats,
		Err:     fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)),
	}
}

// malformed wraps buildtrust.ErrMalformed; format may use %w.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: scai: "+format, append([]any{buildtrust.ErrMalformed}, args...)...)
}
