package buildtrust_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

// exampleKey is the RFC 8032 §7.1 TEST 1 key: fixed, so the examples'
// Ed25519 signatures are reproducible. Never use a published key for real.
func exampleKey() ed25519.PrivateKey {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	return ed25519.NewKeyFromSeed(seed)
}

// A builder hashes its artifact, describes it in a Statement and signs it.
func ExampleSignStatement() {
	digests, _, _ := buildtrust.Digest(strings.NewReader("artifact bytes"), buildtrust.SHA256)
	st, _ := buildtrust.NewStatement("https://slsa.dev/provenance/v1",
		map[string]any{"buildDefinition": map[string]any{"buildType": "https://example.com/build/v1"}},
		buildtrust.ResourceDescriptor{Name: "app.tar.gz", Digest: digests})

	signer, _ := buildtrust.NewSigner(exampleKey(), buildtrust.KeyOptions{KeyIDs: []string{"builder-2026"}})
	env, _ := buildtrust.SignStatement(context.Background(), st, signer)
	out, _ := json.Marshal(env)
	fmt.Println(env.PayloadType, env.Signatures[0].KeyID, len(out) > 0)
	// Output: application/vnd.in-toto+json builder-2026 true
}

// A consumer verifies the envelope with the keys it trusts, then binds the
// statement to the artifact it actually received.
func ExampleVerifyStatement() {
	artifact := "artifact bytes"
	signer, _ := buildtrust.NewSigner(exampleKey(), buildtrust.KeyOptions{})
	digests, _, _ := buildtrust.Digest(strings.NewReader(artifact))
	st, _ := buildtrust.NewStatement("https://slsa.dev/provenance/v1", nil,
		buildtrust.ResourceDescriptor{Name: "app.tar.gz", Digest: digests})
	env, _ := buildtrust.SignStatement(context.Background(), st, signer)
	envelopeJSON, _ := json.Marshal(env)

	trusted, _ := buildtrust.NewPublicKey(exampleKey().Public(), buildtrust.KeyOptions{Name: "example-builder"})
	vs, err := buildtrust.VerifyStatement(envelopeJSON, buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{trusted}})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	received, _, _ := buildtrust.Digest(strings.NewReader(artifact))
	subjects, err := vs.MatchSubjects(received, buildtrust.DigestPolicy{})
	fmt.Println(vs.Signers[0].Name(), vs.Statement.PredicateType, subjects[0].Name, err)

	// A swapped artifact is caught, and the error names the threat.
	swapped, _, _ := buildtrust.Digest(strings.NewReader("other bytes"))
	_, err = vs.MatchSubjects(swapped, buildtrust.DigestPolicy{})
	fmt.Println(errors.Is(err, buildtrust.ErrSubjectMismatch), errors.Is(err, threat.F3))
	// Output:
	// example-builder https://slsa.dev/provenance/v1 app.tar.gz <nil>
	// true true
}

// Digest hashes a stream once, for several algorithms, in constant memory.
func ExampleDigest() {
	set, n, _ := buildtrust.Digest(strings.NewReader("abc"), buildtrust.SHA256, buildtrust.SHA512)
	fmt.Println(n, set[buildtrust.SHA256])
	// Output: 3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
}

// A JSON Lines bundle is verified line by line; lines that do not verify are
// ignored with the reason, never fatal.
func ExampleBundle_Verify() {
	signer, line := exampleSignedVSA()

	bundle, _ := buildtrust.ParseBundle([]byte(string(line) + "\n" + `{"not":"an envelope"}` + "\n"))
	res := bundle.Verify(buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{signer.PublicKey()}})
	for _, e := range res.Verified {
		fmt.Println("line", e.Line, e.Statement.PredicateType)
	}
	for _, le := range res.Ignored {
		fmt.Println("line", le.Line, "ignored:", errors.Is(le.Err, buildtrust.ErrMalformed))
	}
	// Output:
	// line 1 https://slsa.dev/verification_summary/v1
	// line 2 ignored: true
}

// A verifier that routes envelopes by their statement before checking
// signatures (which keys may sign a VSA? a provenance?) reads the statement
// first — unverified, sharing the payload's bytes — and then verifies the
// envelope without copying its payload; nothing of the statement is trusted
// before VerifySigners accepts.
func ExampleEnvelope_VerifySigners() {
	signer, raw := exampleSignedVSA()

	env, _ := buildtrust.ParseEnvelope(raw)
	routed, _ := env.Statement() // unverified: only for choosing keys
	keys := map[string][]*buildtrust.PublicKey{"https://slsa.dev/verification_summary/v1": {signer.PublicKey()}}
	signers, err := env.VerifySigners(buildtrust.VerifyOptions{Keys: keys[routed.PredicateType]})
	fmt.Println(len(signers), err)
	// Output: 1 <nil>
}

// exampleSignedVSA returns a signer and a DSSE envelope (JSON) it signed,
// holding a VSA statement about one artifact.
func exampleSignedVSA() (*buildtrust.KeySigner, []byte) {
	signer, _ := buildtrust.NewSigner(exampleKey(), buildtrust.KeyOptions{})
	st, _ := buildtrust.NewStatement("https://slsa.dev/verification_summary/v1", nil,
		buildtrust.ResourceDescriptor{Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ab", 32)}})
	env, _ := buildtrust.SignStatement(context.Background(), st, signer)
	raw, _ := json.Marshal(env)
	return signer, raw
}
