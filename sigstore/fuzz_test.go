package sigstore

import (
	"testing"

	"github.com/buildtrust/buildtrust/provenance"
)

// FuzzVerify: no input panics the bundle / envelope verifier, and nothing
// unverified comes out (every fuzzed input is unsigned or tampered, so a
// success would be a forgery).
func FuzzVerify(f *testing.F) {
	v := newVerifier(f, Options{InsecureAllowNoTransparencyLog: true})
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AA==","cert":"-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := v.Verify(data)
		if err == nil {
			t.Fatalf("fuzzed input verified: %+v", r.Identity)
		}
	})
}

// FuzzParseIdentity: identity IDs round-trip, and AcceptsSigner never
// panics.
func FuzzParseIdentity(f *testing.F) {
	f.Add(ghID.String())
	f.Add(`{"issuer":"x","san":"y","san":"z"}`)
	m := IdentityRule{Issuer: GitHubActionsIssuer, SANRegexp: `https://github\.com/.*`}.MustCompile()
	f.Fuzz(func(t *testing.T, s string) {
		id := provenance.Identity{Kind: IdentityKind, ID: s}
		c, err := ParseIdentity(id)
		if err == nil && c.String() != s {
			t.Fatalf("non-canonical identity accepted: %q", s)
		}
		_ = m.AcceptsSigner(id)
	})
}
