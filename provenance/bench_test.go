package provenance

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
)

// BenchmarkVerify measures the whole consumer path — DSSE verification,
// statement and predicate parsing, every check — on a ~3 KB GitHub-Actions
// provenance with 8 subjects, against the floor: SHA-256 and one ECDSA P-256
// verification of the same PAE bytes.
func BenchmarkVerify(b *testing.B) {
	signer := newKey(b)
	var subs []buildtrust.ResourceDescriptor
	for i := range 8 {
		d := strings.Repeat(fmt.Sprintf("%02x", i+1), 32)
		if i == 0 {
			d = artifactSHA256
		}
		subs = append(subs, buildtrust.ResourceDescriptor{Name: fmt.Sprintf("dist/app-%d-linux-amd64.tar.gz", i), Digest: buildtrust.DigestSet{buildtrust.SHA256: d}})
	}
	p := sample()
	for i := range 3 {
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies, buildtrust.ResourceDescriptor{
			URI: fmt.Sprintf("git+https://github.com/example/dependency-%d@refs/heads/main", i), Digest: buildtrust.DigestSet{buildtrust.GitCommit: strings.Repeat(fmt.Sprintf("%x", i+10), 40)}})
	}
	env, err := Sign(context.Background(), p, subs, signer)
	if err != nil {
		b.Fatal(err)
	}
	envelope, _ := json.Marshal(env)
	b.Logf("statement %d bytes, envelope %d bytes", len(env.Payload), len(envelope))
	exp, opts := expectations(), options(signer)

	b.Run("floor/P256-raw-verify", func(b *testing.B) {
		pae := buildtrust.PAE(env.PayloadType, env.Payload)
		pub := signer.PublicKey().Public().(*ecdsa.PublicKey)
		for b.Loop() {
			d := sha256.Sum256(pae)
			if !ecdsa.VerifyASN1(pub, d[:], env.Signatures[0].Sig) {
				b.Fatal("raw verify failed")
			}
		}
	})
	b.Run("Verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := Verify(envelope, exp, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	vs, _ := buildtrust.VerifyStatement(envelope, buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{signer.PublicKey()}})
	b.Run("Check", func(b *testing.B) { // parse + checks, no signature
		for b.Loop() {
			if _, err := Check(FromVerified(vs), exp, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
