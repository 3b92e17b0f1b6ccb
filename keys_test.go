package buildtrust

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
)

func pemPublic(t testing.TB, name string) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(testKeys()[name].Public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func TestParsePublicKey(t *testing.T) {
	for _, name := range []string{"p256", "p384", "p521", "ed25519", "rsa2048"} {
		k, err := ParsePublicKey(pemPublic(t, name), KeyOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, _ := NewPublicKey(testKeys()[name].Public(), KeyOptions{})
		if k.ID() != want.ID() || k.Scheme() != want.Scheme() {
			t.Errorf("%s: id/scheme mismatch", name)
		}
		block, _ := pem.Decode(pemPublic(t, name))
		if k2, err := ParsePublicKey(block.Bytes, KeyOptions{}); err != nil || k2.ID() != k.ID() {
			t.Errorf("%s DER: %v", name, err)
		}
	}
	rsaPub := testKeys()["rsa2048"].Public().(*rsa.PublicKey)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rsaPub)})
	if _, err := ParsePublicKey(pkcs1, KeyOptions{}); err != nil {
		t.Errorf("PKCS#1 PEM: %v", err)
	}
	privDER, _ := x509.MarshalPKCS8PrivateKey(testKeys()["p256"])
	for name, in := range map[string][]byte{
		"empty":            nil,
		"garbage":          []byte("not a key"),
		"private key PEM":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}),
		"certificate PEM":  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0}}),
		"truncated DER":    pemPublic(t, "p256")[:40],
		"two PEM blocks":   append(pemPublic(t, "p256"), pemPublic(t, "p384")...),
		"bad DER in block": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}),
		"oversize":         make([]byte, MaxKeyBytes+1),
	} {
		if _, err := ParsePublicKey(in, KeyOptions{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func sslibKey(t *testing.T, name, keyType, scheme string) *signerverifier.SSLibKey {
	t.Helper()
	k := &signerverifier.SSLibKey{KeyType: keyType, Scheme: scheme, KeyID: "keyid-" + name}
	if name == "ed25519" {
		k.KeyVal.Public = hex.EncodeToString(testKeys()[name].Public().(ed25519.PublicKey))
	} else {
		k.KeyVal.Public = string(pemPublic(t, name))
	}
	return k
}

func TestPublicKeyFromSSLib(t *testing.T) {
	ok := []struct {
		name, keyType, scheme string
		want                  Scheme
	}{
		{"p256", "ecdsa", "ecdsa-sha2-nistp256", ECDSASHA256},
		// go-securesystemslib labels P-384 keys nistp256 (P-DSSE-2); the hash follows the curve.
		{"p384", "ecdsa", "ecdsa-sha2-nistp256", ECDSASHA384},
		{"ed25519", "ed25519", "ed25519", Ed25519},
		{"rsa2048", "rsa", "rsassa-pss-sha256", RSAPSSSHA256},
	}
	for _, tc := range ok {
		k, err := PublicKeyFromSSLib(sslibKey(t, tc.name, tc.keyType, tc.scheme))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if k.Scheme() != tc.want || !k.hinted("keyid-"+tc.name) {
			t.Errorf("%s: scheme %s", tc.name, k.Scheme())
		}
	}
	// Mismatched key type and material must fail cleanly, never panic
	// (go-securesystemslib's constructors panic here, P-DSSE-1).
	bad := []*signerverifier.SSLibKey{
		nil,
		sslibKey(t, "rsa2048", "ecdsa", "ecdsa-sha2-nistp256"),
		sslibKey(t, "p256", "rsa", "rsassa-pss-sha256"),
		sslibKey(t, "p256", "ed25519", "ed25519"),
		sslibKey(t, "p256", "ecdsa", "unknown-scheme"),
		sslibKey(t, "p256", "dsa", "ecdsa-sha2-nistp256"),
	}
	for i, k := range bad {
		if _, err := PublicKeyFromSSLib(k); err == nil {
			t.Errorf("bad key %d accepted", i)
		}
	}
}

// Envelopes from go-securesystemslib's DSSE signer verify here, and ours
// verify there: the two implementations agree on PAE and encodings.
func TestInteropGoSecureSystemsLib(t *testing.T) {
	ctx := context.Background()
	payload, _ := testStatement(t).Marshal()
	for _, tc := range []struct {
		name        string
		makeSV      func(*signerverifier.SSLibKey) (dsse.SignerVerifier, error)
		keyType     string
		scheme      string
		privPEMType string
	}{
		{"p256", func(k *signerverifier.SSLibKey) (dsse.SignerVerifier, error) {
			return signerverifier.NewECDSASignerVerifierFromSSLibKey(k)
		}, "ecdsa", "ecdsa-sha2-nistp256", "PRIVATE KEY"},
		{"rsa2048", func(k *signerverifier.SSLibKey) (dsse.SignerVerifier, error) {
			return signerverifier.NewRSAPSSSignerVerifierFromSSLibKey(k)
		}, "rsa", "rsassa-pss-sha256", "PRIVATE KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			privDER, err := x509.MarshalPKCS8PrivateKey(testKeys()[tc.name])
			if err != nil {
				t.Fatal(err)
			}
			sslPriv, err := signerverifier.LoadKey(pem.EncodeToMemory(&pem.Block{Type: tc.privPEMType, Bytes: privDER}))
			if err != nil {
				t.Fatal(err)
			}
			sv, err := tc.makeSV(sslPriv)
			if err != nil {
				t.Fatal(err)
			}
			// Theirs → ours.
			es, err := dsse.NewEnvelopeSigner(sv)
			if err != nil {
				t.Fatal(err)
			}
			theirEnv, err := es.SignPayload(ctx, PayloadType, payload)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := json.Marshal(theirEnv)
			ourKey, err := NewPublicKey(testKeys()[tc.name].Public(), KeyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyStatement(data, VerifyOptions{Keys: []*PublicKey{ourKey}}); err != nil {
				t.Fatalf("their envelope rejected: %v", err)
			}
			// Ours → theirs, also with their signer plugged into our Sign.
			// go-securesystemslib skips a signature whose keyid differs from
			// its verifier's (P-DSSE-4), so our signer uses the agreed keyid.
			theirID, err := sv.KeyID()
			if err != nil {
				t.Fatal(err)
			}
			for _, signer := range []Signer{newSigner(t, tc.name, KeyOptions{KeyIDs: []string{theirID}}), sv} {
				ourEnv, err := Sign(ctx, PayloadType, payload, signer)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := json.Marshal(ourEnv)
				var parsed dsse.Envelope
				if err := json.Unmarshal(raw, &parsed); err != nil {
					t.Fatal(err)
				}
				ev, err := dsse.NewEnvelopeVerifier(sv)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ev.Verify(ctx, &parsed); err != nil {
					t.Fatalf("our envelope rejected by go-securesystemslib: %v", err)
				}
			}
		})
	}
	// Their panicking constructor is not reachable through our API: a
	// mismatched key fails with an error (checked in TestPublicKeyFromSSLib).
	if _, ok := any(testKeys()["p256"]).(*ecdsa.PrivateKey); !ok {
		t.Fatal("unexpected key type")
	}
}

func TestKeySignerRejectsNil(t *testing.T) {
	if _, err := NewSigner(nil, KeyOptions{}); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("nil signer: %v", err)
	}
	if _, err := Sign(context.Background(), PayloadType, []byte("x")); err == nil {
		t.Error("Sign without signers succeeded")
	}
}

// The Ed25519 key ID is computed from a fixed DER prefix; it must be the
// SHA-256 of what x509.MarshalPKIXPublicKey produces, for any key.
func TestEd25519KeyIDMatchesPKIX(t *testing.T) {
	for range 50 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k, err := NewPublicKey(pub, KeyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(der); k.ID() != hex.EncodeToString(sum[:]) {
			t.Fatalf("key ID %s, want SHA-256 of the PKIX encoding %x", k.ID(), sum)
		}
	}
}
