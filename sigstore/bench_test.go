package sigstore

import (
	"testing"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/provenance"
)

// Issue item 7: this package's Verify against plain sigstore-go Verify on
// the same bundle (target ≤ 1.1× for the signature part); the policy part
// (provenance.Check with a Sigstore signer rule) is measured on its own.
// Compare BenchmarkVerify/buildtrust with BenchmarkVerify/sigstore-go.
const benchBundle = sv + "gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa"

func BenchmarkVerify(b *testing.B) {
	data := corpustest.File(b, benchBundle)
	v := newVerifier(b, Options{})
	plain, err := verify.NewVerifier(publicGood(b).tr, verify.WithSignedCertificateTimestamps(1), verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sigstore-go", func(b *testing.B) {
		// Plain sigstore-go with the same thresholds; bundle parsing
		// included, as in ours.
		for b.Loop() {
			var bu bundle.Bundle
			if err := bu.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
			if _, err := plain.Verify(&bu, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithoutIdentitiesUnsafe())); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("buildtrust", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.Verify(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPolicy(b *testing.B) {
	const trw = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml"
	r, err := newVerifier(b, Options{}).Verify(corpustest.File(b, benchBundle))
	if err != nil {
		b.Fatal(err)
	}
	rule := IdentityRule{Issuer: GitHubActionsIssuer, SANRegexp: `https://github\.com/slsa-framework/slsa-github-generator/\.github/workflows/delegator_generic_slsa3\.yml@refs/tags/v[0-9.]+`}.MustCompile()
	exp := provenance.Expectations{InsecureSkipSubject: true, BuilderIDs: []string{trw}, SourceRepository: "github.com/slsa-framework/example-package", IgnoreParameters: []string{"/inputs", "/vars"}}
	opts := provenance.Options{TrustRoot: []provenance.TrustedBuilder{{ID: trw, Signers: []provenance.SignerRule{rule}, MaxLevel: 3}}}
	att := r.Attestation()
	for b.Loop() {
		if _, err := provenance.Check(att, exp, opts); err != nil {
			b.Fatal(err)
		}
	}
}
