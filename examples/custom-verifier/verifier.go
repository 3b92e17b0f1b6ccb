package main

import (
	"bytes"
	"context"
	_ "embed"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/policy"
)

// The verifier side: everything it knows about Acme's CI is in policy.yaml —
// the key, the profile that locates the source in its provenance, and the
// rules. No code of the library changes to verify a new builder.

//go:embed policy.yaml
var policyYAML []byte

// newVerifier compiles the policy once; the Policy is safe for concurrent
// use and evaluates any number of artifacts.
func newVerifier() (*policy.Policy, error) {
	return policy.Parse(policyYAML)
}

// verify evaluates one artifact and its provenance envelope at verifyTime.
func verify(ctx context.Context, pol *policy.Policy, artifact, envelope []byte) (*policy.Result, error) {
	digest, _, err := buildtrust.Digest(bytes.NewReader(artifact), buildtrust.SHA256, buildtrust.SHA512)
	if err != nil {
		return nil, err
	}
	return pol.Evaluate(ctx, policy.Input{
		Name:         artifactName,
		Artifact:     digest,
		Attestations: [][]byte{envelope},
		Time:         verifyTime,
	})
}
