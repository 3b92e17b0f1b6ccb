package bench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// The signed input of the DSSE and provenance pairs: a GitHub-Actions-shaped
// SLSA v1 provenance of about 3 KB (8 subjects, 4 resolved dependencies, 2
// byproducts — the shape of the DEPENDENCIES.md §5 baseline), signed once
// with Ed25519 and once with ECDSA P-256 under fixed keys, so that every run
// verifies the same bytes.
const (
	builderID  = "https://github.com/example/builder/.github/workflows/build.yml"
	buildType  = "https://actions.github.io/buildtypes/workflow/v1"
	sourceRepo = "github.com/example/app"
	commit     = "0123456789abcdef0123456789abcdef01234567"
	configPath = ".github/workflows/release.yml"
	inToto     = "application/vnd.in-toto+json"
)

var (
	artifact   = strings.Repeat("ab", 32)
	startedOn  = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	finishedOn = startedOn.Add(4 * time.Minute)
)

func sampleProvenance() (provenance.Provenance, []buildtrust.ResourceDescriptor) {
	deps := []buildtrust.ResourceDescriptor{{
		URI: "git+https://" + sourceRepo + "@refs/tags/v1.2.3", Digest: buildtrust.DigestSet{buildtrust.GitCommit: commit}}}
	for i := range 3 {
		deps = append(deps, buildtrust.ResourceDescriptor{
			URI:    fmt.Sprintf("git+https://github.com/example/dependency-%d@refs/heads/main", i),
			Digest: buildtrust.DigestSet{buildtrust.GitCommit: strings.Repeat(fmt.Sprintf("%x", i+10), 40)}})
	}
	p := provenance.Provenance{
		BuildDefinition: provenance.BuildDefinition{
			BuildType: buildType,
			ExternalParameters: map[string]any{
				"workflow": map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://" + sourceRepo, "path": configPath},
				"inputs":   map[string]any{"release": true, "target": "linux"},
			},
			InternalParameters:   map[string]any{"github": map[string]any{"event_name": "push", "repository_id": "123456789"}},
			ResolvedDependencies: deps,
		},
		RunDetails: provenance.RunDetails{
			Builder:  provenance.Builder{ID: builderID + "@refs/tags/v2.1.0"},
			Metadata: &provenance.BuildMetadata{InvocationID: "https://github.com/example/app/actions/runs/1/attempts/1", StartedOn: &startedOn, FinishedOn: &finishedOn},
			Byproducts: []buildtrust.ResourceDescriptor{
				{Name: "build.log", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ee", 32)}},
				{Name: "sbom.spdx.json", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ff", 32)}},
			},
		},
	}
	var subjects []buildtrust.ResourceDescriptor
	for i := range 8 {
		d := strings.Repeat(fmt.Sprintf("%02x", i+1), 32)
		if i == 3 { // not the first: a verifier must search
			d = artifact
		}
		subjects = append(subjects, buildtrust.ResourceDescriptor{Name: fmt.Sprintf("dist/app-%d-linux-amd64.tar.gz", i), Digest: buildtrust.DigestSet{buildtrust.SHA256: d}})
	}
	return p, subjects
}

// fixedKey returns a fixed Ed25519 or ECDSA P-256 private key: fixed keys
// keep envelopes and key IDs the same from run to run.
func fixedKey(tb testing.TB, alg string) crypto.Signer {
	tb.Helper()
	switch alg {
	case "Ed25519":
		return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x42}, ed25519.SeedSize))
	case "P256":
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), bytes.Repeat([]byte{0x42}, 32))
		if err != nil {
			tb.Fatal(err)
		}
		return k
	}
	tb.Fatalf("unknown algorithm %s", alg)
	return nil
}

// signedInput is one signed provenance envelope and the keys of both sides.
type signedInput struct {
	alg      string
	envelope []byte                // the JSON both sides verify
	pae      []byte                // DSSE PAE of the payload, for the floor
	sig      []byte                // the signature, for the floor
	ours     *buildtrust.PublicKey // our trusted key
	peer     dsse.Verifier         // go-securesystemslib's verifier for the same key
}

func signProvenance(tb testing.TB, alg string) signedInput {
	tb.Helper()
	priv := fixedKey(tb, alg)
	s, err := buildtrust.NewSigner(priv, buildtrust.KeyOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	p, subjects := sampleProvenance()
	env, err := provenance.Sign(context.Background(), p, subjects, s)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := json.Marshal(env)
	if err != nil {
		tb.Fatal(err)
	}
	// The peer's key carries the signature's keyid: go-securesystemslib
	// skips a signature whose keyid differs from the verifier's (P-DSSE-4).
	keyID := env.Signatures[0].KeyID
	var peer dsse.Verifier
	switch pub := priv.Public().(type) {
	case ed25519.PublicKey:
		peer, err = signerverifier.NewED25519SignerVerifierFromSSLibKey(&signerverifier.SSLibKey{
			KeyType: signerverifier.ED25519KeyType, Scheme: "ed25519", KeyID: keyID,
			KeyVal: signerverifier.KeyVal{Public: hex.EncodeToString(pub)}})
	case *ecdsa.PublicKey:
		der, merr := x509.MarshalPKIXPublicKey(pub)
		if merr != nil {
			tb.Fatal(merr)
		}
		peer, err = signerverifier.NewECDSASignerVerifierFromSSLibKey(&signerverifier.SSLibKey{
			KeyType: signerverifier.ECDSAKeyType, Scheme: signerverifier.ECDSAKeyScheme, KeyID: keyID,
			KeyVal: signerverifier.KeyVal{Public: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return signedInput{alg: alg, envelope: data, pae: buildtrust.PAE(env.PayloadType, env.Payload),
		sig: env.Signatures[0].Sig, ours: s.PublicKey(), peer: peer}
}

// tamperedEnvelope changes one byte of the signed payload (through its
// base64 text, so that it still decodes): both sides must fail on the
// signature, not on parsing.
func tamperedEnvelope(tb testing.TB, data []byte) map[string][]byte {
	return map[string][]byte{"payload byte": flipBase64After(tb, data, `"payload":"`, 400)}
}

// floorFor is the signature check of one DSSE signature over the PAE: for
// ECDSA, SHA-256 of the PAE and one P-256 verification (VerifyASN1 takes a
// digest); for Ed25519, one verification (which hashes internally).
func floorFor(in signedInput) func() error {
	switch pub := in.ours.Public().(type) {
	case ed25519.PublicKey:
		return func() error {
			if !ed25519.Verify(pub, in.pae, in.sig) {
				return errors.New("floor: Ed25519 signature does not verify")
			}
			return nil
		}
	case *ecdsa.PublicKey:
		return func() error {
			d := sha256.Sum256(in.pae)
			if !ecdsa.VerifyASN1(pub, d[:], in.sig) {
				return errors.New("floor: ECDSA signature does not verify")
			}
			return nil
		}
	}
	return func() error { return errors.New("floor: unknown key type") }
}

// dssePair: our envelope parse + verify against go-securesystemslib's
// JSON decode + EnvelopeVerifier.VerifyAndDecode, on the same envelope JSON.
// Both return the verified payload; neither looks into it.
func dssePair(tb testing.TB, alg string) pair[[]byte] {
	in := signProvenance(tb, alg)
	opts := buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{in.ours}}
	ev, err := dsse.NewEnvelopeVerifier(in.peer)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	return pair[[]byte]{
		peer:     "go-securesystemslib dsse",
		genuine:  in.envelope,
		tampered: tamperedEnvelope(tb, in.envelope),
		ours: func(data []byte) error {
			env, err := buildtrust.ParseEnvelope(data)
			if err != nil {
				return err
			}
			_, err = env.Verify(opts)
			return err
		},
		theirs: func(data []byte) error {
			var e dsse.Envelope
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			_, _, err := ev.VerifyAndDecode(ctx, &e)
			return err
		},
		floor: floorFor(in),
	}
}

func BenchmarkDSSE(b *testing.B) {
	for _, alg := range []string{"Ed25519", "P256"} {
		b.Run("alg="+alg, func(b *testing.B) { dssePair(b, alg).bench(b) })
	}
}
