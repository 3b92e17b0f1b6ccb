package sigstore

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/buildtrust/buildtrust"

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

// FuzzVerifyNPM: no input panics the npm response parser and verifier,
// and nothing verifies (no fuzzed input carries valid signatures and
// matching Rekor entries for the trusted key).
func FuzzVerifyNPM(f *testing.F) {
	v := newVerifier(f, Options{})
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	opts := NPMOptions{RegistryKeys: []RegistryKey{{KeyID: "k", Key: &priv.PublicKey}}, InsecureSkipDigest: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := v.VerifyNPM(data, opts)
		if err == nil {
			t.Fatalf("fuzzed npm response verified: %+v", r)
		}
		var ce *buildtrust.CheckError
		if !errors.As(err, &ce) {
			t.Fatalf("not a CheckError: %v", err)
		}
		_, _, _, _ = parseNPMResponse(data)
		_, _, _ = parseNPMPurl(string(data))
	})
}

// FuzzParseJSONLines: splitting never panics, stays within bounds, keeps
// line numbers increasing and lines non-blank, and verifying the lines
// yields one outcome per line.
func FuzzParseJSONLines(f *testing.F) {
	v := newVerifier(f, Options{InsecureAllowNoTransparencyLog: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseJSONLines(data)
		if err != nil {
			if !errors.Is(err, buildtrust.ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if l.Len() > MaxJSONLines {
			t.Fatal("too many lines")
		}
		prev := 0
		for _, line := range l.lines {
			if line.Number <= prev || len(bytes.TrimSpace(line.Data)) == 0 || bytes.IndexByte(line.Data, '\n') >= 0 {
				t.Fatalf("bad line %d %q", line.Number, line.Data)
			}
			prev = line.Number
		}
		res := v.VerifyJSONLines(l)
		if len(res.Verified) != 0 {
			t.Fatal("fuzzed line verified")
		}
		if len(res.Ignored) != l.Len() {
			t.Fatalf("%d outcomes for %d lines", len(res.Ignored), l.Len())
		}
	})
}
