package policy

import (
	"context"
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/vsa"
)

// ErrNoVSAConfig: a VSA was asked for, but the policy has no vsa section
// (the verifier ID to write) or no URI to name itself by.
var ErrNoVSAConfig = errors.New("policy: the policy does not describe the VSA to emit")

// VSAOptions say what the output VSA carries beyond the Result.
type VSAOptions struct {
	// VerifierVersion is written as verifier.version (VSA 1.1), e.g.
	// {"buildtrust": "v0.1.0"}. Optional.
	VerifierVersion map[string]string
	// ResourceURI overrides the Result's (the input's) resourceUri. One of
	// them is required (VSA-5).
	ResourceURI string
}

// VSA turns a Result into a SLSA VSA v1 statement about the artifact (VSA-1…12):
// verifier.id from the policy's vsa section, timeVerified the evaluation
// time, the policy by URI and digest, every input attestation by digest,
// PASSED or FAILED, and the levels reached — SLSA_BUILD_LEVEL_n and, when a
// BuildEnv level was reached, SLSA_BUILDENV_LEVEL_n (a token SLSA does not
// define yet, see package vsa). A FAILED result lists FAILED as its only
// verified level. Sign the statement with buildtrust.SignStatement, or use
// SignVSA.
func (p *Policy) VSA(r *Result, opts VSAOptions) (*buildtrust.Statement, error) {
	if p.doc.VSA == nil || p.policyURI() == "" {
		return nil, ErrNoVSAConfig
	}
	uri := opts.ResourceURI
	if uri == "" {
		uri = r.Artifact.ResourceURI
	}
	if uri == "" {
		return nil, fmt.Errorf("%w: no resourceUri: set Input.ResourceURI or VSAOptions.ResourceURI (VSA-5)", ErrInput)
	}
	pred := vsa.Predicate{
		Verifier:           vsa.Verifier{ID: p.doc.VSA.Verifier, Version: opts.VerifierVersion},
		TimeVerified:       r.Time.UTC(),
		ResourceURI:        uri,
		Policy:             buildtrust.ResourceDescriptor{URI: p.policyURI(), Digest: p.source.Clone()},
		VerificationResult: vsa.Result(r.Verdict),
	}
	if len(pred.Policy.Digest) == 0 {
		pred.Policy.Digest = nil
	}
	for _, in := range r.inputs {
		pred.InputAttestations = append(pred.InputAttestations, buildtrust.ResourceDescriptor{Name: in.source, Digest: buildtrust.DigestSet{buildtrust.SHA256: in.sha256}})
	}
	if r.Verdict == Passed {
		pred.VerifiedLevels = append(pred.VerifiedLevels, vsa.LevelToken(vsa.TrackBuild, r.BuildLevel))
		if r.BuildEnvLevel > 0 {
			pred.VerifiedLevels = append(pred.VerifiedLevels, vsa.BuildEnvLevel(r.BuildEnvLevel))
		}
	} else {
		pred.VerifiedLevels = []string{vsa.FailedResult}
	}
	name := r.Artifact.Name
	if name == "" {
		name = r.Artifact.PURL
	}
	return vsa.New(pred, buildtrust.ResourceDescriptor{Name: name, Digest: r.Artifact.Digest.Clone()})
}

// SignVSA is VSA followed by buildtrust.SignStatement: the signed envelope
// of the Result's VSA.
func (p *Policy) SignVSA(ctx context.Context, r *Result, opts VSAOptions, signers ...buildtrust.Signer) (*buildtrust.Envelope, error) {
	st, err := p.VSA(r, opts)
	if err != nil {
		return nil, err
	}
	return buildtrust.SignStatement(ctx, st, signers...)
}

// SVR turns a PASSED Result into an in-toto Simple Verification Result v0.2
// (the result format of the draft BuildEnv track): the verifier and the
// policy applied, the evaluation time, and the levels reached as properties.
// A FAILED result has no SVR: an SVR lists properties that hold.
func (p *Policy) SVR(r *Result) (*buildtrust.Statement, error) {
	if p.doc.VSA == nil || p.policyURI() == "" {
		return nil, ErrNoVSAConfig
	}
	if r.Verdict != Passed {
		return nil, fmt.Errorf("%w: the result is %s; an SVR lists verified properties only", ErrInput, r.Verdict)
	}
	policy := buildtrust.ResourceDescriptor{URI: p.policyURI(), Digest: p.source.Clone()}
	if len(policy.Digest) == 0 {
		policy.Digest = nil
	}
	props := []string{vsa.LevelToken(vsa.TrackBuild, r.BuildLevel)}
	if r.BuildEnvLevel > 0 {
		props = append(props, vsa.BuildEnvLevel(r.BuildEnvLevel))
	}
	name := firstNonEmpty(r.Artifact.Name, r.Artifact.PURL)
	return vsa.NewSVR(vsa.SVR{
		Verifier:    vsa.SVRVerifier{ID: p.doc.VSA.Verifier, Policies: []buildtrust.ResourceDescriptor{policy}},
		TimeCreated: r.Time.UTC(),
		Properties:  props,
	}, buildtrust.ResourceDescriptor{Name: name, Digest: r.Artifact.Digest.Clone()})
}
