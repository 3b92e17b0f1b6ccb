package vsa_test

import (
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/vsa"
)

// BenchmarkVerify measures the whole consumer procedure; BenchmarkFloor the
// part no verifier can avoid (DSSE parse and one Ed25519 signature check
// over the same envelope). Their ratio is the overhead of the VSA checks.
func BenchmarkVerify(b *testing.B) {
	s, pub := newSigner(b, 1)
	env := signVSA(b, predicate(), digest("a"), s)
	opts := vsa.Options{
		Verifiers:      map[string][]*buildtrust.PublicKey{"https://verifier-a.example/publication_verifier": {pub}},
		Subject:        digest("a"),
		ResourceURI:    "https://registry.example/pkg/example-1.2.3.tar.gz",
		RequiredLevels: []string{"SLSA_BUILD_LEVEL_3"},
		MaxAge:         time.Hour,
		Now:            verifiedAt,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vsa.Verify(env, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloor(b *testing.B) {
	s, pub := newSigner(b, 1)
	env := signVSA(b, predicate(), digest("a"), s)
	b.ReportAllocs()
	for b.Loop() {
		e, err := buildtrust.ParseEnvelope(env)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Verify(buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{pub}}); err != nil {
			b.Fatal(err)
		}
	}
}
