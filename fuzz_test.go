package buildtrust

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/buildtrust/buildtrust/internal/corpustest"
)

// Seeds live in testdata/fuzz/<Target>/; these add the real-world files of
// the shared corpus when it is present (read in place, never copied).
func addCorpusSeeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		for _, file := range corpustest.Glob(p) {
			if data, err := os.ReadFile(file); err == nil && len(data) < 1<<20 {
				f.Add(data)
			}
		}
	}
}

// fuzzKey is the RFC 8032 TEST 1 Ed25519 key, which signed the envelope
// seeds in testdata/fuzz, so fuzzed envelopes reach signature verification.
func fuzzKey(f *testing.F) *PublicKey { return ed25519Key(f, rfc8032PublicA) }

func FuzzParseEnvelope(f *testing.F) {
	addCorpusSeeds(f, "scai-demos/examples/*/metadata/attestations/*.json", "slsa-verifier/cli/slsa-verifier/testdata/*.intoto.jsonl")
	key := fuzzKey(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEnvelopeAgrees(t, data)
		env, err := ParseEnvelope(data)
		if err != nil {
			return
		}
		// A parsed envelope re-encodes and parses to the same content.
		again, err := json.Marshal(env)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		env2, err := ParseEnvelope(again)
		if err != nil {
			t.Fatalf("re-parse of our own encoding: %v", err)
		}
		if env2.PayloadType != env.PayloadType || !bytes.Equal(env2.Payload, env.Payload) || len(env2.Signatures) != len(env.Signatures) {
			t.Fatal("round trip changed the envelope")
		}
		if v, err := env.VerifyStatement(VerifyOptions{Keys: []*PublicKey{key}}); err == nil && len(v.Signers) == 0 {
			t.Fatal("verified without a signer")
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	addCorpusSeeds(f, "scai-demos/examples/*/metadata/*.json", "slsa-spec/docs/*/examples/*/example.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStatementAgrees(t, data)
		st, err := ParseStatement(data)
		// The sharing parse of Envelope.Statement decides alike and reads
		// the same statement.
		shared, errShared := (&Envelope{Payload: data}).Statement()
		if (err == nil) != (errShared == nil) || err == nil && !reflect.DeepEqual(st, shared) {
			t.Fatalf("Envelope.Statement = %+v, %v; ParseStatement = %+v, %v", shared, errShared, st, err)
		}
		if err != nil {
			return
		}
		// Accessors and re-encoding must work on anything that parsed.
		out, err := st.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := ParseStatement(out); err != nil {
			t.Fatalf("re-parse of our own encoding: %v\n%s", err, out)
		}
		_, _ = st.MatchSubjects(DigestSet{SHA256: "00"}, DigestPolicy{})
		// Conversion may fail (protobuf cannot hold numbers beyond float64,
		// such as 1e400) but only with ErrMalformed, never a panic.
		if _, err := st.ToProto(); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("ToProto: %v", err)
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	addCorpusSeeds(f, "slsa-verifier/cli/slsa-verifier/testdata/*.intoto.jsonl")
	key := fuzzKey(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data)
		if err != nil {
			return
		}
		res := b.Verify(VerifyOptions{Keys: []*PublicKey{key}})
		if len(res.Verified)+len(res.Ignored) != b.Len() {
			t.Fatalf("%d verified + %d ignored != %d lines", len(res.Verified), len(res.Ignored), b.Len())
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	addCorpusSeeds(f, "slsa-verifier/verifiers/internal/gcb/keys/materials/*.key")
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePublicKey(data, KeyOptions{})
		if err != nil {
			return
		}
		if k.ID() == "" || k.Scheme() == "" {
			t.Fatal("parsed key without ID or scheme")
		}
		_ = k.Verify([]byte("m"), []byte("sig"))
	})
}
