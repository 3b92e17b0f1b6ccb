package sigstore_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/sigstore"
)

// Verify a slsa-github-generator BYOB bundle offline and check it with a
// Sigstore identity in the provenance trust root.
func Example() {
	trJSON, err1 := os.ReadFile("../../shared/corpus/sigstore-go/examples/trusted-root-public-good.json")
	bundle, err2 := os.ReadFile("../../shared/corpus/slsa-verifier/cli/slsa-verifier/testdata/gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa")
	if err := errors.Join(err1, err2); err != nil {
		fmt.Println("corpus not available") // keep the example runnable without it
		return
	}
	tr, err := sigstore.ParseTrustedRoot(trJSON)
	if err != nil {
		panic(err)
	}
	v, err := sigstore.NewVerifier(tr, sigstore.Options{})
	if err != nil {
		panic(err)
	}
	res, err := v.Verify(bundle)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Identity.SAN)
	fmt.Println(res.SigningTime.UTC())

	const builder = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml"
	delegator := sigstore.IdentityRule{
		Issuer: sigstore.GitHubActionsIssuer,
		SAN:    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0",
	}.MustCompile()
	out, err := provenance.Check(res.Attestation(), provenance.Expectations{
		InsecureSkipSubject: true, // the artifact is matched in the package tests
		BuilderIDs:          []string{builder},
		SourceRepository:    "github.com/slsa-framework/example-package",
		SourceVersionedTag:  "v14",
		IgnoreParameters:    []string{"/inputs", "/vars"},
	}, provenance.Options{TrustRoot: []provenance.TrustedBuilder{{ID: builder, Signers: []provenance.SignerRule{delegator}, MaxLevel: 3}}})
	fmt.Println(err, out.BuildLevel)
	// Output:
	// https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0
	// 2025-02-25 21:12:14 +0000 UTC
	// <nil> 3
}
