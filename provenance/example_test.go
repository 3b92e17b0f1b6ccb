package provenance_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

// builderKey is the RFC 8032 §7.1 TEST 1 key: fixed so the example output is
// stable. Never use a published key for real.
func builderKey() *buildtrust.KeySigner {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	s, _ := buildtrust.NewSigner(ed25519.NewKeyFromSeed(seed), buildtrust.KeyOptions{Name: "example-builder"})
	return s
}

func exampleProvenance() provenance.Provenance {
	started := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	finished := started.Add(3 * time.Minute)
	return provenance.Provenance{
		BuildDefinition: provenance.BuildDefinition{
			BuildType: "https://actions.github.io/buildtypes/workflow/v1",
			ExternalParameters: map[string]any{"workflow": map[string]any{
				"repository": "https://github.com/example/app", "ref": "refs/tags/v1.4.0", "path": ".github/workflows/release.yml"}},
		},
		RunDetails: provenance.RunDetails{
			Builder:  provenance.Builder{ID: "https://github.com/example/builders/.github/workflows/slsa3.yml@refs/tags/v2.1.0"},
			Metadata: &provenance.BuildMetadata{InvocationID: "run-42", StartedOn: &started, FinishedOn: &finished},
		},
	}
}

// A builder describes its output and signs the provenance.
func ExampleSign() {
	artifact := buildtrust.DigestSet{buildtrust.SHA256: "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"}
	env, err := provenance.Sign(context.Background(), exampleProvenance(),
		[]buildtrust.ResourceDescriptor{{Name: "app-v1.4.0.tar.gz", Digest: artifact}}, builderKey())
	if err != nil {
		fmt.Println(err)
		return
	}
	st, _ := buildtrust.ParseStatement(env.Payload)
	fmt.Println(env.PayloadType, st.PredicateType, st.Subject[0].Name)
	// Output: application/vnd.in-toto+json https://slsa.dev/provenance/v1 app-v1.4.0.tar.gz
}

// A registry verifies uploaded provenance against the expectations for the
// package, and explains every check.
func ExampleVerify() {
	artifact := buildtrust.DigestSet{buildtrust.SHA256: "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"}
	env, _ := provenance.Sign(context.Background(), exampleProvenance(),
		[]buildtrust.ResourceDescriptor{{Name: "app-v1.4.0.tar.gz", Digest: artifact}}, builderKey())
	envelope, _ := json.Marshal(env)

	builder := "https://github.com/example/builders/.github/workflows/slsa3.yml"
	opts := provenance.Options{
		TrustRoot: []provenance.TrustedBuilder{{ID: builder, Signers: []provenance.SignerRule{provenance.SignedBy(builderKey().PublicKey())}, MaxLevel: 3}},
		Now:       time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
	}
	exp := provenance.Expectations{
		Artifact:           artifact,
		BuilderIDs:         []string{builder},
		SourceRepository:   "github.com/example/app",
		SourceVersionedTag: "v1.4",
		ConfigPath:         ".github/workflows/release.yml",
		MinBuildLevel:      3,
	}
	res, err := provenance.Verify(envelope, exp, opts)
	fmt.Println("accepted:", err == nil, "level:", res.BuildLevel)
	for _, c := range res.Checks {
		fmt.Printf("%-15s %s\n", c.Outcome, c.ID)
	}

	// The same provenance for a build from a fork is rejected, naming the threat.
	exp.SourceRepository = "github.com/attacker/app"
	_, err = provenance.Verify(envelope, exp, opts)
	fmt.Println("fork rejected:", errors.Is(err, threat.D1))
	// Output:
	// accepted: true level: 3
	// PASS            provenance.predicateType
	// PASS            provenance.subject
	// PASS            provenance.builder.id
	// PASS            provenance.builder.signer
	// PASS            provenance.level
	// NOT_APPLICABLE  provenance.buildType
	// PASS            provenance.source.repo
	// PASS            provenance.source.ref
	// NOT_APPLICABLE  provenance.source.commit
	// PASS            provenance.configPath
	// PASS            provenance.parameters
	// NOT_APPLICABLE  provenance.dependencies
	// PASS            provenance.time
	// fork rejected: true
}
