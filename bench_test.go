package buildtrust

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
)

// benchStatement is a GitHub-Actions-shaped SLSA v1 statement of about 3 KB:
// 8 subjects, 4 resolved dependencies, 2 byproducts (the shape of the
// DEPENDENCIES.md §5 baseline).
func benchStatement(b *testing.B) *Statement {
	b.Helper()
	var subjects []ResourceDescriptor
	for i := range 8 {
		subjects = append(subjects, ResourceDescriptor{
			Name:   fmt.Sprintf("dist/app-%d-linux-amd64.tar.gz", i),
			Digest: DigestSet{SHA256: strings.Repeat(fmt.Sprintf("%02x", i+1), 32)},
		})
	}
	var deps []map[string]any
	for i := range 4 {
		deps = append(deps, map[string]any{
			"uri":    fmt.Sprintf("git+https://github.com/example/dependency-%d@refs/heads/main", i),
			"digest": map[string]string{"gitCommit": strings.Repeat(fmt.Sprintf("%x", i+10), 40)},
		})
	}
	pred := map[string]any{
		"buildDefinition": map[string]any{
			"buildType": "https://actions.github.io/buildtypes/workflow/v1",
			"externalParameters": map[string]any{"workflow": map[string]any{
				"ref": "refs/tags/v1.2.3", "repository": "https://github.com/example/app", "path": ".github/workflows/release.yml"}},
			"internalParameters": map[string]any{"github": map[string]any{
				"event_name": "push", "repository_id": "123456789", "repository_owner_id": "987654321"}},
			"resolvedDependencies": deps,
		},
		"runDetails": map[string]any{
			"builder":  map[string]any{"id": "https://github.com/actions/runner/github-hosted"},
			"metadata": map[string]any{"invocationId": "https://github.com/example/app/actions/runs/1234567890/attempts/1", "startedOn": "2026-11-23T10:00:00Z", "finishedOn": "2026-11-23T10:04:00Z"},
			"byproducts": []map[string]any{
				{"name": "build.log", "digest": map[string]string{"sha256": strings.Repeat("ee", 32)}},
				{"name": "sbom.spdx.json", "digest": map[string]string{"sha256": strings.Repeat("ff", 32)}},
			},
		},
	}
	st, err := NewStatement("https://slsa.dev/provenance/v1", pred, subjects...)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func benchEnvelope(b *testing.B, key string) (*Envelope, []byte, *PublicKey) {
	s := newSigner(b, key, KeyOptions{})
	env, err := SignStatement(context.Background(), benchStatement(b), s)
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(env)
	return env, data, s.PublicKey()
}

// BenchmarkDSSE compares the cost of DSSE verification with the signature
// check that cannot be avoided (the floor): SHA-256 of the same PAE bytes
// plus one ECDSA P-256 verification.
func BenchmarkDSSE(b *testing.B) {
	env, data, key := benchEnvelope(b, "p256")
	opts := VerifyOptions{Keys: []*PublicKey{key}}
	b.Logf("statement %d bytes, envelope %d bytes", len(env.Payload), len(data))

	b.Run("floor/P256-raw-verify", func(b *testing.B) {
		pae := PAE(env.PayloadType, env.Payload)
		pub := key.Public().(*ecdsa.PublicKey)
		sig := env.Signatures[0].Sig
		for b.Loop() {
			d := sha256.Sum256(pae)
			if !ecdsa.VerifyASN1(pub, d[:], sig) {
				b.Fatal("raw verify failed")
			}
		}
	})
	b.Run("Envelope.Verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := env.Verify(opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyStatement", func(b *testing.B) { // parse + verify + statement parse
		for b.Loop() {
			if _, err := VerifyStatement(data, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Peer on the same bytes: go-securesystemslib's DSSE verifier
	// (encoding/json decode + VerifyAndDecode), which checks no statement.
	b.Run("peer/go-securesystemslib", func(b *testing.B) {
		sv, err := signerverifier.NewECDSASignerVerifierFromSSLibKey(&signerverifier.SSLibKey{
			KeyType: "ecdsa", Scheme: "ecdsa-sha2-nistp256", KeyID: env.Signatures[0].KeyID,
			KeyVal: signerverifier.KeyVal{Public: string(pemPublic(b, "p256"))}})
		if err != nil {
			b.Fatal(err)
		}
		ev, err := dsse.NewEnvelopeVerifier(sv)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for b.Loop() {
			var e dsse.Envelope
			if err := json.Unmarshal(data, &e); err != nil {
				b.Fatal(err)
			}
			if _, _, err := ev.VerifyAndDecode(ctx, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseEnvelope", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseEnvelope(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseStatement", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseStatement(env.Payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDigest64MiB compares streaming Digest with crypto/sha256 over the
// same 64 MiB; -benchmem shows allocations independent of size.
func BenchmarkDigest64MiB(b *testing.B) {
	data := bytes.Repeat([]byte{0x5a}, 64<<20)
	b.Run("floor/sha256-io.Copy", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			h := sha256.New()
			if _, err := io.Copy(h, bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
			h.Sum(nil)
		}
	})
	b.Run("floor/sha256-Sum256", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sha256.Sum256(data)
		}
	})
	b.Run("Digest-sha256", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, _, err := Digest(bytes.NewReader(data), SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Digest-sha256-plain-reader", func(b *testing.B) { // no WriterTo: the buffered path
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, _, err := Digest(struct{ io.Reader }{bytes.NewReader(data)}, SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Digest-sha256+sha512", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, _, err := Digest(bytes.NewReader(data), SHA256, SHA512); err != nil {
				b.Fatal(err)
			}
		}
	})
}
