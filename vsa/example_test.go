package vsa_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

// exampleKey is the RFC 8032 §7.1 TEST 1 key: fixed, so the examples are
// reproducible. Never use a published key for real.
func exampleKey() ed25519.PrivateKey {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	return ed25519.NewKeyFromSeed(seed)
}

// A verifier summarizes its decision as a VSA; the predicate is
// deterministic JSON.
func ExampleNew() {
	st, _ := vsa.New(vsa.Predicate{
		Verifier:           vsa.Verifier{ID: "https://verifier.example/publication_verifier", Version: map[string]string{"buildtrust": "v0.1.0"}},
		TimeVerified:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		ResourceURI:        "https://registry.example/example-1.2.3.tar.gz",
		Policy:             buildtrust.ResourceDescriptor{URI: "https://verifier.example/policy.json", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("12", 32)}},
		VerificationResult: vsa.Passed,
		VerifiedLevels:     []string{"SLSA_BUILD_LEVEL_3", vsa.BuildEnvLevel(2)},
		DependencyLevels:   map[string]uint64{},
		SlsaVersion:        "1.2",
	}, buildtrust.ResourceDescriptor{Name: "example-1.2.3.tar.gz", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ab", 32)}})
	var b bytes.Buffer
	_ = json.Indent(&b, st.Predicate, "", "  ")
	fmt.Println(b.String())
	// Output:
	// {
	//   "dependencyLevels": {},
	//   "policy": {
	//     "digest": {
	//       "sha256": "1212121212121212121212121212121212121212121212121212121212121212"
	//     },
	//     "uri": "https://verifier.example/policy.json"
	//   },
	//   "resourceUri": "https://registry.example/example-1.2.3.tar.gz",
	//   "slsaVersion": "1.2",
	//   "timeVerified": "2026-03-01T12:00:00Z",
	//   "verificationResult": "PASSED",
	//   "verifiedLevels": [
	//     "SLSA_BUILD_LEVEL_3",
	//     "SLSA_BUILDENV_LEVEL_2"
	//   ],
	//   "verifier": {
	//     "id": "https://verifier.example/publication_verifier",
	//     "version": {
	//       "buildtrust": "v0.1.0"
	//     }
	//   }
	// }
}

// A consumer accepts a VSA only from a trusted (signer, verifier) pair, for
// the resource it requested, at the level it needs.
func ExampleVerify() {
	const verifierID = "https://verifier.example/publication_verifier"
	artifact := buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ab", 32)}
	st, _ := vsa.New(vsa.Predicate{
		Verifier:           vsa.Verifier{ID: verifierID},
		TimeVerified:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		ResourceURI:        "https://registry.example/example-1.2.3.tar.gz",
		Policy:             buildtrust.ResourceDescriptor{URI: "https://verifier.example/policy.json"},
		VerificationResult: vsa.Passed,
		VerifiedLevels:     []string{"SLSA_BUILD_LEVEL_3"},
	}, buildtrust.ResourceDescriptor{Digest: artifact})
	signer, _ := buildtrust.NewSigner(exampleKey(), buildtrust.KeyOptions{})
	env, _ := buildtrust.SignStatement(context.Background(), st, signer)
	envelope, _ := json.Marshal(env)

	key, _ := buildtrust.NewPublicKey(exampleKey().Public(), buildtrust.KeyOptions{})
	opts := vsa.Options{
		Verifiers:      map[string][]*buildtrust.PublicKey{verifierID: {key}},
		Subject:        artifact,
		ResourceURI:    "https://registry.example/example-1.2.3.tar.gz",
		RequiredLevels: []string{"SLSA_BUILD_LEVEL_2"},
		MaxAge:         7 * 24 * time.Hour,
		Now:            time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
	}
	v, err := vsa.Verify(envelope, opts)
	fmt.Println(v.Verifier, err)

	// The same VSA presented for another package is a replacement (G4).
	opts.ResourceURI = "https://registry.example/other-9.9.9.tar.gz"
	_, err = vsa.Verify(envelope, opts)
	fmt.Println(errors.Is(err, vsa.ErrResourceURI), errors.Is(err, threat.G4))
	// Output:
	// https://verifier.example/publication_verifier <nil>
	// true true
}

// An SVR v0.2, the result format of the BuildEnv draft (PR #1596), e.g. for
// an environment admitted at BuildEnv L2.
func ExampleNewSVR() {
	st, _ := vsa.NewSVR(vsa.SVR{
		Verifier:    vsa.SVRVerifier{ID: "https://control-plane.example/admission/v1"},
		TimeCreated: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Properties:  []string{vsa.BuildEnvLevel(2)},
	}, buildtrust.ResourceDescriptor{Name: "environment-identity", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("cd", 32)}})
	fmt.Println(string(st.Predicate))
	s, _ := vsa.ParseSVR(st)
	fmt.Println(s.Has(vsa.BuildEnvLevel(1)), s.Has(vsa.BuildEnvLevel(3)))
	// Output:
	// {"properties":["SLSA_BUILDENV_LEVEL_2"],"timeCreated":"2026-03-01T12:00:00Z","verifier":{"id":"https://control-plane.example/admission/v1","policies":[]}}
	// true false
}
