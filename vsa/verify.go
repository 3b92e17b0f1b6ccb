package vsa

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/threat"
)

// Options say which VSAs a consumer accepts (VSA-VER-1…8). Trust inputs and
// the expectations the spec makes mandatory fail closed when missing.
type Options struct {
	// Verifiers maps each trusted verifier ID (verifier.id) to the keys
	// allowed to sign for it: the (signer, verifier) pairs of VSA-VER-4. A
	// VSA signed by a key trusted only for another verifier ID is rejected.
	// Required: with none, Verify fails with ErrNoTrustedVerifiers.
	Verifiers map[string][]*buildtrust.PublicKey

	// Threshold is how many distinct keys of the claimed verifier must have
	// signed (ITE-ENV-7). Zero means 1.
	Threshold int

	// Subject is the digest of the artifact the consumer has (VSA-VER-2).
	// Required: zero fails with ErrMissingExpectation.
	Subject buildtrust.DigestSet

	// DigestPolicy decides which digest algorithms count when matching the
	// subject. The zero value accepts collision-resistant algorithms only.
	DigestPolicy buildtrust.DigestPolicy

	// ResourceURI is the URI of the resource the consumer requested — not
	// the one it happened to receive (VSA-VER-5, THREAT-G4). Compared
	// exactly. Required: "" fails with ErrMissingExpectation.
	ResourceURI string

	// RequiredLevels are SlsaResults that verifiedLevels must satisfy, all
	// of them (VSA-VER-7); a level implies lower levels of its track.
	// Required: empty fails with ErrMissingExpectation.
	RequiredLevels []string

	// PolicyURI and PolicyDigest, when set, must equal the VSA's policy.uri
	// and match its policy.digest (VSA-VER-8). Zero: not checked.
	PolicyURI    string
	PolicyDigest buildtrust.DigestSet

	// MaxAge, when positive, is the oldest timeVerified accepted, measured
	// from Now; a VSA without timeVerified, or dated after Now, then fails
	// (VSA-VER-8). Zero: freshness not checked.
	MaxAge time.Duration

	// Now is the verification time for MaxAge. Zero means time.Now().
	Now time.Time

	// BuildImage says the VSA is about a build image (BENV-L1-2,
	// BENV-L1-4): every failure then also names threat E8. Zero: an ordinary
	// artifact.
	BuildImage bool
}

// Verified is a VSA that passed every check: only verified data.
type Verified struct {
	// Statement is the signed statement; Predicate its decoded VSA.
	Statement *buildtrust.Statement
	Predicate *Predicate
	// Verifier is the trusted verifier ID whose keys signed.
	Verifier string
	// Signers are the keys whose signatures verified.
	Signers []*buildtrust.PublicKey
	// Checks lists every check in order: passed or not applicable.
	Checks []buildtrust.Check
}

func (o Options) validate() error {
	if len(o.Verifiers) == 0 {
		return ErrNoTrustedVerifiers
	}
	if len(o.Verifiers) > limits.MaxVSATrustedVerifiers {
		return limits.TooLarge("trusted VSA verifiers", limits.MaxVSATrustedVerifiers)
	}
	for id, keys := range o.Verifiers {
		if id == "" || len(keys) == 0 {
			return fmt.Errorf("%w: verifier %q has no keys", ErrNoTrustedVerifiers, id)
		}
	}
	switch {
	case len(o.Subject) == 0:
		return fmt.Errorf("%w: subject digest (VSA-VER-2)", ErrMissingExpectation)
	case o.ResourceURI == "":
		return fmt.Errorf("%w: resourceUri (VSA-VER-5)", ErrMissingExpectation)
	case len(o.RequiredLevels) == 0:
		return fmt.Errorf("%w: required level (VSA-VER-7)", ErrMissingExpectation)
	}
	return nil
}

// verifying accumulates checks and builds failures.
type verifying struct {
	opts   Options
	checks []buildtrust.Check
}

func (v *verifying) threats(base []threat.ID) []threat.ID {
	if !v.opts.BuildImage {
		return base
	}
	return append(slices.Clone(base), threat.E8)
}

func (v *verifying) pass(id string, threats []threat.ID, expected, actual string) {
	v.checks = append(v.checks, buildtrust.Check{ID: id, Threats: v.threats(threats), Outcome: buildtrust.Pass, Expected: expected, Actual: actual})
}

func (v *verifying) notApplicable(id string, threats []threat.ID, why string) {
	v.checks = append(v.checks, buildtrust.Check{ID: id, Threats: v.threats(threats), Outcome: buildtrust.NotApplicable, Message: why})
}

func (v *verifying) fail(id string, threats []threat.ID, sentinel error, format string, args ...any) error {
	return &buildtrust.CheckError{Check: id, Threats: v.threats(threats),
		Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))}
}

// Verify checks a VSA envelope as a consumer, following the SLSA procedure
// (VSA-VER-1…8) in order, and returns only verified data:
//
//  1. vsa.signature: the envelope is signed by the keys of some trusted
//     verifier (VSA-VER-1). Threats G6, G2.
//  2. vsa.predicateType: the statement is a VSA v1 (VSA-VER-3).
//  3. vsa.verifier: verifier.id is a trusted verifier whose own keys signed
//     — a (signer, verifier) pair the consumer trusts (VSA-VER-4). Threat G2.
//  4. vsa.subject: a subject matches the artifact digest (VSA-VER-2).
//     Threat G5.
//  5. vsa.resourceUri: resourceUri equals the requested URI (VSA-VER-5).
//     Threat G4.
//  6. vsa.result: verificationResult is PASSED (VSA-VER-6). Threat G1.
//  7. vsa.level: verifiedLevels satisfy every required level (VSA-VER-7).
//     Threat G1.
//  8. vsa.policy, vsa.fresh: optional policy and timeVerified checks
//     (VSA-VER-8). Threat G4 for freshness.
//
// A failure is a *buildtrust.CheckError naming the check and its threats
// (plus E8 with Options.BuildImage); the signature check keeps the root
// package's sentinel (buildtrust.ErrSignature).
func Verify(envelope []byte, opts Options) (*Verified, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	env, err := buildtrust.ParseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	v := &verifying{opts: opts}

	// 1. Signature, per trusted verifier: the payload is not read before
	// some verifier's keys verified it (ITE-ENV-5).
	ids := make([]string, 0, len(opts.Verifiers))
	for id := range opts.Verifiers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	signedBy := map[string]*buildtrust.VerifiedStatement{}
	var vs *buildtrust.VerifiedStatement
	for _, id := range ids {
		s, err := env.VerifyStatement(buildtrust.VerifyOptions{Keys: opts.Verifiers[id], Threshold: opts.Threshold})
		switch {
		case err == nil:
			signedBy[id] = s
			if vs == nil {
				vs = s
			}
		case errors.Is(err, buildtrust.ErrSignature), errors.Is(err, buildtrust.ErrNoTrustedKeys):
			// Not this verifier's signature (or a threshold its keys cannot meet).
		default:
			return nil, err // payload type, malformed statement, limits
		}
	}
	if vs == nil {
		return nil, v.fail(CheckSignature, signatureThreats, buildtrust.ErrSignature,
			"no trusted verifier's keys signed the envelope")
	}
	v.pass(CheckSignature, signatureThreats, "", strings.Join(keysOf(signedBy), ","))

	// 2. Predicate type.
	if vs.Statement.PredicateType != PredicateType {
		return nil, v.fail(CheckPredicateType, nil, ErrPredicateType, "%q", vs.Statement.PredicateType)
	}
	v.pass(CheckPredicateType, nil, PredicateType, vs.Statement.PredicateType)
	a, err := Parse(vs.Statement)
	if err != nil {
		return nil, err
	}
	p := &a.Predicate

	// 3. Verifier: the claimed verifier's own keys must have signed.
	s, ok := signedBy[p.Verifier.ID]
	if !ok {
		return nil, v.fail(CheckVerifier, verifierThreats, ErrUntrustedVerifier,
			"verifier.id %q is not a trusted verifier whose keys signed this VSA (signed for: %s)", p.Verifier.ID, strings.Join(keysOf(signedBy), ","))
	}
	v.pass(CheckVerifier, verifierThreats, p.Verifier.ID, p.Verifier.ID)

	// 4. Subject.
	if _, err := s.MatchSubjects(opts.Subject, opts.DigestPolicy); err != nil {
		return nil, &buildtrust.CheckError{Check: CheckSubject, Threats: v.threats(subjectThreats), Err: err}
	}
	v.pass(CheckSubject, subjectThreats, "", "")

	// 5. resourceUri, compared exactly: the resource requested.
	if p.ResourceURI != opts.ResourceURI {
		return nil, v.fail(CheckResourceURI, resourceThreats, ErrResourceURI, "got %q, requested %q", p.ResourceURI, opts.ResourceURI)
	}
	v.pass(CheckResourceURI, resourceThreats, opts.ResourceURI, p.ResourceURI)

	// 6. Result.
	if p.VerificationResult != Passed {
		return nil, v.fail(CheckResult, resultThreats, ErrFailed, "%q", p.VerificationResult)
	}
	v.pass(CheckResult, resultThreats, string(Passed), string(p.VerificationResult))

	// 7. Levels.
	for _, want := range opts.RequiredLevels {
		if !Satisfies(p.VerifiedLevels, want) {
			return nil, v.fail(CheckLevel, resultThreats, ErrLevel, "%s not in %v", want, p.VerifiedLevels)
		}
	}
	v.pass(CheckLevel, resultThreats, strings.Join(opts.RequiredLevels, ","), strings.Join(p.VerifiedLevels, ","))

	// 8. Policy and freshness (optional).
	if opts.PolicyURI == "" && len(opts.PolicyDigest) == 0 {
		v.notApplicable(CheckPolicy, nil, "no expected policy")
	} else {
		if opts.PolicyURI != "" && p.Policy.URI != opts.PolicyURI {
			return nil, v.fail(CheckPolicy, nil, ErrPolicy, "policy.uri %q, want %q", p.Policy.URI, opts.PolicyURI)
		}
		if len(opts.PolicyDigest) > 0 {
			if err := opts.DigestPolicy.Match(p.Policy.Digest, opts.PolicyDigest); err != nil {
				return nil, v.fail(CheckPolicy, nil, ErrPolicy, "policy.digest: %v", err)
			}
		}
		v.pass(CheckPolicy, nil, opts.PolicyURI, p.Policy.URI)
	}
	if opts.MaxAge <= 0 {
		v.notApplicable(CheckFresh, freshThreats, "no maximum age")
	} else {
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		switch {
		case p.TimeVerified.IsZero():
			return nil, v.fail(CheckFresh, freshThreats, ErrStale, "VSA has no timeVerified")
		case p.TimeVerified.After(now):
			return nil, v.fail(CheckFresh, freshThreats, ErrStale, "timeVerified %s is after now (%s)", formatTime(p.TimeVerified), formatTime(now))
		case now.Sub(p.TimeVerified) > opts.MaxAge:
			return nil, v.fail(CheckFresh, freshThreats, ErrStale, "verified %s ago, more than %s", now.Sub(p.TimeVerified), opts.MaxAge)
		}
		v.pass(CheckFresh, freshThreats, "≤ "+opts.MaxAge.String(), formatTime(p.TimeVerified))
	}
	return &Verified{Statement: s.Statement, Predicate: p, Verifier: p.Verifier.ID, Signers: s.Signers, Checks: v.checks}, nil
}

func keysOf(m map[string]*buildtrust.VerifiedStatement) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
