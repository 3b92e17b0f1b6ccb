package scai

import (
	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

// VerifyOptions say whose signature a SCAI attestation needs and what it
// must be about.
type VerifyOptions struct {
	// Keys are the trusted signing keys. Required: with none, Verify fails
	// with ErrNoTrustedKeys. For a dispatch attestation this is the
	// environment identity key taken from a verified launch attestation
	// (Launch.IdentityKey); for reference values, the image producer's key.
	Keys []*buildtrust.PublicKey

	// Threshold is how many distinct trusted keys must have signed
	// (ITE-ENV-7). Zero means 1.
	Threshold int

	// Subject is the digest of the artifact, image or identity key the
	// caller asks about; some subject of the statement must match it
	// (ITE-VAL-2). Required unless InsecureSkipSubject is set: zero fails
	// with ErrNoSubject.
	Subject buildtrust.DigestSet

	// DigestPolicy decides which digest algorithms count when matching the
	// subject. The zero value accepts collision-resistant algorithms only.
	DigestPolicy buildtrust.DigestPolicy

	// InsecureSkipSubject accepts the statement whatever its subject. Without
	// the subject check an attacker can present a validly signed report about
	// a different artifact (THREAT-F3/G5). Set it only when the subject is
	// bound another way — a launch attestation's subject (the environment
	// identity key) is bound by its hardware evidence, which policy checks —
	// or in tests.
	InsecureSkipSubject bool
}

// Verified is a SCAI attestation whose envelope verified: only signed data.
type Verified struct {
	// Statement is the signed statement; Report its SCAI content.
	Statement *buildtrust.Statement
	Report    *Report
	// Signers are the trusted keys whose signatures verified.
	Signers []*buildtrust.PublicKey
	// Checks lists the checks that ran, all passed or not applicable.
	Checks []buildtrust.Check
}

// Verify verifies a DSSE envelope holding a SCAI report: signatures first
// (buildtrust.VerifyStatement, ITE-ENV-5…7), then the predicate type
// (SCAI-1, v0.2 or v0.3), the predicate (ParsePredicate) and the subject
// (ITE-VAL-2). Only then is anything returned.
//
// Failures are *buildtrust.CheckError values naming the check and its
// threats (envelope.signature: F4/G6; scai.subject: F3/G5), or errors
// wrapping buildtrust.ErrMalformed for malformed input.
func Verify(envelope []byte, opts VerifyOptions) (*Verified, error) {
	if len(opts.Keys) == 0 {
		return nil, ErrNoTrustedKeys
	}
	if len(opts.Subject) == 0 && !opts.InsecureSkipSubject {
		return nil, ErrNoSubject
	}
	vs, err := buildtrust.VerifyStatement(envelope, buildtrust.VerifyOptions{Keys: opts.Keys, Threshold: opts.Threshold})
	if err != nil {
		return nil, err
	}
	checks := []buildtrust.Check{{ID: buildtrust.CheckEnvelopeSignature, Threats: []threat.ID{threat.F4, threat.G6}, Outcome: buildtrust.Pass}}
	rep, err := Parse(vs.Statement)
	if err != nil {
		return nil, err
	}
	checks = append(checks, buildtrust.Check{ID: CheckPredicateType, Outcome: buildtrust.Pass, Actual: rep.PredicateType})
	subject := buildtrust.Check{ID: CheckSubject, Threats: []threat.ID{threat.F3, threat.G5}}
	if opts.InsecureSkipSubject {
		subject.Outcome, subject.Message = buildtrust.NotApplicable, "subject check skipped (InsecureSkipSubject)"
	} else {
		if _, err := vs.MatchSubjects(opts.Subject, opts.DigestPolicy); err != nil {
			return nil, &buildtrust.CheckError{Check: CheckSubject, Threats: subject.Threats, Err: err}
		}
		subject.Outcome = buildtrust.Pass
	}
	checks = append(checks, subject)
	return &Verified{Statement: vs.Statement, Report: rep, Signers: vs.Signers, Checks: checks}, nil
}
