package buildtrust

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/buildtrust/buildtrust/threat"
)

// testKeys are generated once per test binary; RSA generation is slow.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	must := func(k crypto.Signer, err error) crypto.Signer {
		if err != nil {
			panic(err)
		}
		return k
	}
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return map[string]crypto.Signer{
		"p256":    must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)),
		"p256b":   must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)),
		"p384":    must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)),
		"p521":    must(ecdsa.GenerateKey(elliptic.P521(), rand.Reader)),
		"ed25519": edPriv,
		"rsa2048": must(rsa.GenerateKey(rand.Reader, 2048)),
	}
})

func newSigner(t testing.TB, name string, opts KeyOptions) *KeySigner {
	t.Helper()
	s, err := NewSigner(testKeys()[name], opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testStatement(t testing.TB) *Statement {
	t.Helper()
	st, err := NewStatement("https://slsa.dev/provenance/v1",
		map[string]any{"buildDefinition": map[string]any{"buildType": "https://example.com/build/v1"}},
		ResourceDescriptor{Name: "app.tar.gz", Digest: DigestSet{SHA256: strings.Repeat("ab", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func signedEnvelope(t testing.TB, signers ...Signer) []byte {
	t.Helper()
	env, err := SignStatement(context.Background(), testStatement(t), signers...)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		key    string
		scheme Scheme
	}{
		{"p256", ""}, {"p384", ""}, {"p521", ""}, {"ed25519", ""},
		{"rsa2048", ""}, {"rsa2048", RSAPSSSHA512}, {"rsa2048", RSAPKCS1v15SHA256}, {"rsa2048", RSAPKCS1v15SHA384},
		{"p256", ECDSASHA384},
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.key, tc.scheme), func(t *testing.T) {
			s := newSigner(t, tc.key, KeyOptions{Scheme: tc.scheme, Name: "builder"})
			data := signedEnvelope(t, s)
			vs, err := VerifyStatement(data, VerifyOptions{Keys: []*PublicKey{s.PublicKey()}})
			if err != nil {
				t.Fatal(err)
			}
			if vs.Statement.PredicateType != "https://slsa.dev/provenance/v1" || len(vs.Signers) != 1 || vs.Signers[0].Name() != "builder" {
				t.Errorf("unexpected result: %+v", vs)
			}
			want, _ := testStatement(t).Marshal()
			if string(vs.Payload) != string(want) {
				t.Errorf("payload changed in round trip")
			}
		})
	}
}

// A key trusted for one RSA scheme must not accept signatures of another.
func TestSchemeIsPinned(t *testing.T) {
	pss := newSigner(t, "rsa2048", KeyOptions{Scheme: RSAPSSSHA256})
	data := signedEnvelope(t, pss)
	pkcs1Key, err := NewPublicKey(testKeys()["rsa2048"].Public(), KeyOptions{Scheme: RSAPKCS1v15SHA256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyStatement(data, VerifyOptions{Keys: []*PublicKey{pkcs1Key}}); !errors.Is(err, ErrSignature) {
		t.Fatalf("PSS signature accepted by a PKCS#1-pinned key: %v", err)
	}
}

func TestRawECDSASignature(t *testing.T) {
	priv := testKeys()["p384"].(*ecdsa.PrivateKey)
	payload := []byte(`{"_type":"https://in-toto.io/Statement/v1"}`)
	h := crypto.SHA384.New()
	h.Write(PAE(PayloadType, payload))
	r, s, err := ecdsa.Sign(rand.Reader, priv, h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 96)
	r.FillBytes(raw[:48])
	s.FillBytes(raw[48:])
	env := &Envelope{PayloadType: PayloadType, Payload: payload, Signatures: []Signature{{Sig: raw}}}
	key, _ := NewPublicKey(&priv.PublicKey, KeyOptions{})
	if _, err := env.Verify(VerifyOptions{Keys: []*PublicKey{key}}); err != nil {
		t.Fatalf("raw r||s rejected: %v", err)
	}
	// Raw signature with s+1 must fail.
	s.Add(s, big.NewInt(1)).FillBytes(raw[48:])
	if _, err := env.Verify(VerifyOptions{Keys: []*PublicKey{key}}); !errors.Is(err, ErrSignature) {
		t.Fatalf("altered raw signature: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	a := newSigner(t, "p256", KeyOptions{})
	b := newSigner(t, "p256b", KeyOptions{})
	other := newSigner(t, "ed25519", KeyOptions{})
	good := signedEnvelope(t, a)

	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	payload := func() []byte {
		env, _ := ParseEnvelope(good)
		return env.Payload
	}

	tests := []struct {
		name    string
		data    []byte
		opts    VerifyOptions
		wantErr error
	}{
		{"wrong key", good, VerifyOptions{Keys: []*PublicKey{other.PublicKey()}}, ErrSignature},
		{"no keys", good, VerifyOptions{}, ErrNoTrustedKeys},
		{"nil key only", good, VerifyOptions{Keys: []*PublicKey{nil}}, ErrNoTrustedKeys},
		{"threshold above keys", good, VerifyOptions{Keys: []*PublicKey{a.PublicKey()}, Threshold: 2}, ErrNoTrustedKeys},
		{"same key listed twice cannot meet threshold 2", good,
			VerifyOptions{Keys: []*PublicKey{a.PublicKey(), a.PublicKey()}, Threshold: 2}, ErrNoTrustedKeys},
		{"same key listed ten times cannot meet threshold 2", good, // the long-list path
			VerifyOptions{Keys: slices.Repeat([]*PublicKey{a.PublicKey()}, 10), Threshold: 2}, ErrNoTrustedKeys},
		{"duplicated signature, threshold 2", mutate(func(m map[string]any) {
			sigs := m["signatures"].([]any)
			m["signatures"] = append(sigs, sigs[0])
		}), VerifyOptions{Keys: []*PublicKey{a.PublicKey(), b.PublicKey()}, Threshold: 2}, ErrSignature},
		{"tampered payload", mutate(func(m map[string]any) {
			p := strings.Replace(string(payload()), "app.tar.gz", "evil.tar.gz", 1)
			m["payload"] = base64.StdEncoding.EncodeToString([]byte(p))
		}), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrSignature},
		{"tampered payloadType", mutate(func(m map[string]any) {
			m["payloadType"] = "application/vnd.in-toto.provenance+json"
		}), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrSignature},
		{"truncated payload base64", mutate(func(m map[string]any) {
			p := m["payload"].(string)
			m["payload"] = p[:len(p)-5]
		}), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"truncated signature base64", mutate(func(m map[string]any) {
			sig := m["signatures"].([]any)[0].(map[string]any)
			s := sig["sig"].(string)
			sig["sig"] = s[:len(s)-3]
		}), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"mixed base64 alphabets", mutate(func(m map[string]any) {
			m["payload"] = "ab+_"
		}), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"no signatures", mutate(func(m map[string]any) { m["signatures"] = []any{} }),
			VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"unknown envelope field", mutate(func(m map[string]any) { m["payloadtype2"] = "x" }),
			VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"case-folded duplicate field", []byte(strings.Replace(string(good), `"payloadType"`, `"payloadType":"x","PayloadType"`, 1)),
			VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"duplicate field", []byte(strings.Replace(string(good), `"payloadType"`, `"payloadType":"application/x","payloadType"`, 1)),
			VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"oversize", append(good, make([]byte, MaxEnvelopeBytes)...), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrTooLarge},
		{"not JSON", []byte("DSSEv1 3 abc"), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrMalformed},
		{"non in-toto payload type", mustSign(t, "application/json", payload(), a), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrPayloadType},
		{"signed non-statement", mustSign(t, PayloadType, []byte(`{"hello":"world"}`), a), VerifyOptions{Keys: []*PublicKey{a.PublicKey()}}, ErrStatementType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyStatement(tc.data, tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func mustSign(t *testing.T, payloadType string, payload []byte, s Signer) []byte {
	t.Helper()
	env, err := Sign(context.Background(), payloadType, payload, s)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(env)
	return data
}

func TestSignatureFailureNamesThreats(t *testing.T) {
	a := newSigner(t, "p256", KeyOptions{})
	b := newSigner(t, "p256b", KeyOptions{})
	_, err := VerifyStatement(signedEnvelope(t, a), VerifyOptions{Keys: []*PublicKey{b.PublicKey()}})
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Check != CheckEnvelopeSignature {
		t.Fatalf("err = %v, want *CheckError for %s", err, CheckEnvelopeSignature)
	}
	if !errors.Is(err, threat.F4) || !errors.Is(err, threat.G6) {
		t.Errorf("signature failure does not name threats F4 and G6: %v", err)
	}
	if errors.Is(err, threat.F3) {
		t.Errorf("signature failure names the subject threat F3: %v", err)
	}
}

func TestThresholds(t *testing.T) {
	a := newSigner(t, "p256", KeyOptions{})
	b := newSigner(t, "p256b", KeyOptions{})
	c := newSigner(t, "ed25519", KeyOptions{})
	both := signedEnvelope(t, a, b)
	keys := []*PublicKey{a.PublicKey(), b.PublicKey(), c.PublicKey()}
	for _, tc := range []struct {
		threshold int
		ok        bool
	}{{1, true}, {2, true}, {3, false}} {
		vs, err := VerifyStatement(both, VerifyOptions{Keys: keys, Threshold: tc.threshold})
		if tc.ok != (err == nil) {
			t.Errorf("threshold %d: err = %v", tc.threshold, err)
		}
		if err == nil && len(vs.Signers) < tc.threshold {
			t.Errorf("threshold %d met with %d signers", tc.threshold, len(vs.Signers))
		}
	}
}

// A long list of trusted keys, repeats included, counts each key once
// toward a threshold (the repeats are found by a map above eight keys and
// by a scan below).
func TestThresholdCountsDistinctKeys(t *testing.T) {
	a := newSigner(t, "p256", KeyOptions{})
	b := newSigner(t, "ed25519", KeyOptions{})
	onlyA := signedEnvelope(t, a)
	both := signedEnvelope(t, a, b)
	for _, n := range []int{2, 12} {
		keys := []*PublicKey{nil}
		for range n {
			keys = append(keys, a.PublicKey())
		}
		if _, err := VerifyStatement(onlyA, VerifyOptions{Keys: keys, Threshold: 2}); !errors.Is(err, ErrNoTrustedKeys) {
			t.Errorf("%d copies of one key meet a threshold of 2: %v", n, err)
		}
		keys = append(keys, b.PublicKey())
		vs, err := VerifyStatement(both, VerifyOptions{Keys: keys, Threshold: 2})
		if err != nil || len(vs.Signers) != 2 {
			t.Errorf("%d copies of one key and another: %v", n, err)
		}
	}
}

// Key IDs are hints: a wrong or foreign keyid must neither block a valid
// signature nor let an untrusted key through (ITE-ENV-6).
func TestKeyIDIsOnlyAHint(t *testing.T) {
	a := newSigner(t, "p256", KeyOptions{KeyIDs: []string{"projects/x/keys/not-what-the-verifier-calls-it"}})
	data := signedEnvelope(t, a)
	trusted, _ := NewPublicKey(a.PublicKey().Public(), KeyOptions{KeyIDs: []string{"local-name"}})
	if _, err := VerifyStatement(data, VerifyOptions{Keys: []*PublicKey{trusted}}); err != nil {
		t.Fatalf("mismatched keyid blocked a valid signature: %v", err)
	}
	// An untrusted key claiming the trusted key's ID is still rejected.
	impostor := newSigner(t, "p256b", KeyOptions{KeyIDs: []string{trusted.ID()}})
	if _, err := VerifyStatement(signedEnvelope(t, impostor), VerifyOptions{Keys: []*PublicKey{trusted}}); !errors.Is(err, ErrSignature) {
		t.Fatalf("impostor keyid accepted: %v", err)
	}
}

func TestSignatureCheckBudget(t *testing.T) {
	var keys []*PublicKey
	for range 20 {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		pk, _ := NewPublicKey(&k.PublicKey, KeyOptions{})
		keys = append(keys, pk)
	}
	env, err := ParseEnvelope(signedEnvelope(t, newSigner(t, "ed25519", KeyOptions{})))
	if err != nil {
		t.Fatal(err)
	}
	for len(env.Signatures) < MaxSignatures {
		env.Signatures = append(env.Signatures, env.Signatures[0])
	}
	// 64 signatures × 20 untrusted keys = 1280 checks > MaxSignatureChecks.
	if _, err := env.Verify(VerifyOptions{Keys: keys}); !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrSignature) {
		t.Fatalf("err = %v, want ErrSignature and ErrTooLarge", err)
	}
	env.Signatures = append(env.Signatures, env.Signatures[0])
	if _, err := env.Verify(VerifyOptions{Keys: keys}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("too many signatures: err = %v", err)
	}
}

func TestEnvelopeJSONRoundTrip(t *testing.T) {
	data := signedEnvelope(t, newSigner(t, "p256", KeyOptions{}))
	env, err := ParseEnvelope(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("envelope JSON changed:\n%s\n%s", data, again)
	}
	// The same envelope in URL-safe, unpadded base64 parses to the same bytes.
	w := map[string]any{}
	_ = json.Unmarshal(data, &w)
	w["payload"] = base64.RawURLEncoding.EncodeToString(env.Payload)
	alt, _ := json.Marshal(w)
	env2, err := ParseEnvelope(alt)
	if err != nil || string(env2.Payload) != string(env.Payload) {
		t.Fatalf("URL-safe payload: %v", err)
	}
	// Line breaks (escaped in the JSON string) would be another spelling of
	// the same payload: encoding/base64 skips them even in strict mode.
	b64 := base64.StdEncoding.EncodeToString(env.Payload)
	for _, br := range []string{"\n", "\r", "\r\n"} {
		w["payload"] = b64[:8] + br + b64[8:]
		alt, _ := json.Marshal(w)
		if _, err := ParseEnvelope(alt); err == nil {
			t.Errorf("payload with %q inside parsed", br)
		}
	}
}

func TestNewPublicKeyRejects(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	for name, tc := range map[string]struct {
		pub    crypto.PublicKey
		scheme Scheme
	}{
		"rsa-1024":            {&small.PublicKey, ""},
		"p224":                {&p224.PublicKey, ""},
		"ecdsa with rsa pss":  {testKeys()["p256"].Public(), RSAPSSSHA256},
		"rsa with ecdsa":      {testKeys()["rsa2048"].Public(), ECDSASHA256},
		"ed25519 with ecdsa":  {testKeys()["ed25519"].Public(), ECDSASHA256},
		"short ed25519":       {ed25519.PublicKey(make([]byte, 31)), ""},
		"nil ecdsa":           {(*ecdsa.PublicKey)(nil), ""},
		"unsupported type":    {"not a key", ""},
		"unknown scheme name": {testKeys()["rsa2048"].Public(), Scheme("rsa-md5")},
	} {
		if _, err := NewPublicKey(tc.pub, KeyOptions{Scheme: tc.scheme}); !errors.Is(err, ErrUnsupportedKey) {
			t.Errorf("%s: err = %v, want ErrUnsupportedKey", name, err)
		}
	}
}

// Envelope.Statement reads the statement ParseStatement reads, sharing the
// payload's bytes rather than copying them; appending to its predicate
// cannot overwrite the payload bytes that follow it.
func TestEnvelopeStatementShares(t *testing.T) {
	env, err := ParseEnvelope(signedEnvelope(t, newSigner(t, "ed25519", KeyOptions{})))
	if err != nil {
		t.Fatal(err)
	}
	copied, err := ParseStatement(env.Payload)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := env.Statement()
	if err != nil || !reflect.DeepEqual(shared, copied) {
		t.Fatalf("Statement() = %+v, %v; want %+v", shared, err, copied)
	}
	start := bytes.Index(env.Payload, shared.Predicate)
	if start < 0 || &env.Payload[start] != &shared.Predicate[0] {
		t.Fatal("the predicate is not a view of the payload")
	}
	if &copied.Predicate[0] == &shared.Predicate[0] {
		t.Fatal("ParseStatement shares the payload")
	}
	after := bytes.Clone(env.Payload[start+len(shared.Predicate):])
	_ = append(shared.Predicate, "overwrite?"...)
	if !bytes.Equal(env.Payload[start+len(shared.Predicate):], after) {
		t.Fatal("appending to the predicate changed the payload")
	}
	if _, err := (&Envelope{Payload: []byte(`{"_type":1}`)}).Statement(); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed payload: %v", err)
	}
}
