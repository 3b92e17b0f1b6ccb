package scai_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/threat"
)

func seedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func signer(t testing.TB, k ed25519.PrivateKey) (*buildtrust.KeySigner, *buildtrust.PublicKey) {
	t.Helper()
	s, err := buildtrust.NewSigner(k, buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s, s.PublicKey()
}

func hexDigest(c string) buildtrust.DigestSet {
	return buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat(c, 64)}
}

func sign(t testing.TB, st *buildtrust.Statement, s buildtrust.Signer) []byte {
	t.Helper()
	env, err := buildtrust.SignStatement(context.Background(), st, s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SCAI-2…8: form rules of ParsePredicate, on our own adversarial inputs.
func TestParsePredicate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
		attrs   []string
	}{
		{"minimal", `{"attributes":[{"attribute":"A"}]}`, nil, []string{"A"}},
		{"unknown fields ignored (SCAI-8)", `{"attributes":[{"attribute":"A","x":1}],"future":true}`, nil, []string{"A"}},
		{"full", `{"attributes":[{"attribute":"A","target":{"uri":"https://t"},"conditions":{"k":"v"},"evidence":{"digest":{"sha256":"` + strings.Repeat("a", 64) + `"}}}],"producer":{"uri":"https://p"}}`, nil, []string{"A"}},
		{"no attributes (SCAI-2)", `{"attributes":[]}`, buildtrust.ErrMalformed, nil},
		{"attributes missing", `{"producer":{"uri":"https://p"}}`, buildtrust.ErrMalformed, nil},
		{"empty attribute (SCAI-3)", `{"attributes":[{"attribute":""}]}`, buildtrust.ErrMalformed, nil},
		{"control character", `{"attributes":[{"attribute":"A\u0000"}]}`, buildtrust.ErrMalformed, nil},
		{"conditions not an object (SCAI-5)", `{"attributes":[{"attribute":"A","conditions":[1]}]}`, buildtrust.ErrMalformed, nil},
		{"target without uri, digest or content (ITE-RD-1)", `{"attributes":[{"attribute":"A","target":{"name":"x"}}]}`, buildtrust.ErrMalformed, nil},
		{"upper-case hex digest", `{"attributes":[{"attribute":"A","evidence":{"digest":{"sha256":"` + strings.Repeat("A", 64) + `"}}}]}`, buildtrust.ErrMalformed, nil},
		{"duplicate key", `{"attributes":[{"attribute":"A","attribute":"B"}]}`, strictjson.ErrDuplicateKey, nil},
		{"case-folded key alone is an unknown field", `{"Attributes":[{"attribute":"A"}]}`, buildtrust.ErrMalformed, nil},
		{"case-folded key next to the real one", `{"attributes":[{"attribute":"A"}],"Attributes":[{"attribute":"B"}]}`, strictjson.ErrCaseMismatch, nil},
		{"invalid UTF-8", "{\"attributes\":[{\"attribute\":\"\xff\"}]}", strictjson.ErrInvalidUTF8, nil},
		{"wrong type", `{"attributes":{"attribute":"A"}}`, strictjson.ErrWrongType, nil},
		{"trailing data", `{"attributes":[{"attribute":"A"}]} {}`, strictjson.ErrTrailingData, nil},
		{"too many attributes", `{"attributes":[` + strings.Repeat(`{"attribute":"A"},`, 1024) + `{"attribute":"A"}]}`, buildtrust.ErrTooLarge, nil},
		{"attribute too long", `{"attributes":[{"attribute":"` + strings.Repeat("A", 1025) + `"}]}`, buildtrust.ErrTooLarge, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := scai.ParsePredicate([]byte(tc.in))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Names(); strings.Join(got, ",") != strings.Join(tc.attrs, ",") {
				t.Errorf("attributes %v, want %v", got, tc.attrs)
			}
		})
	}
}

// SCAI-1: both type URIs read; others rejected with ErrPredicateType.
func TestParsePredicateTypes(t *testing.T) {
	pred := []byte(`{"attributes":[{"attribute":"A"}]}`)
	for _, pt := range []string{scai.PredicateTypeV03, scai.PredicateTypeV02} {
		st := &buildtrust.Statement{Type: buildtrust.StatementTypeV1, Subject: []buildtrust.ResourceDescriptor{{Digest: hexDigest("a")}}, PredicateType: pt, Predicate: pred}
		if r, err := scai.Parse(st); err != nil || r.PredicateType != pt {
			t.Errorf("%s: %v", pt, err)
		}
	}
	for _, pt := range []string{"https://in-toto.io/attestation/scai/attribute-report/v0.1", "https://in-toto.io/attestation/scai/v0.3/", "https://slsa.dev/provenance/v1"} {
		st := &buildtrust.Statement{Type: buildtrust.StatementTypeV1, Subject: []buildtrust.ResourceDescriptor{{Digest: hexDigest("a")}}, PredicateType: pt, Predicate: pred}
		var ce *buildtrust.CheckError
		if _, err := scai.Parse(st); !errors.Is(err, scai.ErrPredicateType) || !errors.As(err, &ce) || ce.Check != scai.CheckPredicateType {
			t.Errorf("%s: err = %v", pt, err)
		}
	}
	st := &buildtrust.Statement{Type: buildtrust.StatementTypeV1, Subject: []buildtrust.ResourceDescriptor{{Digest: hexDigest("a")}}, PredicateType: scai.PredicateTypeV03}
	if _, err := scai.Parse(st); !errors.Is(err, buildtrust.ErrMalformed) {
		t.Errorf("no predicate: %v", err)
	}
}

// Round trip for the generic producer: New/NewV02 → sign → Verify → same
// report; and lookup helpers.
func TestRoundTripReport(t *testing.T) {
	s, pub := signer(t, seedKey(1))
	rep := scai.AttributeReport{
		Attributes: []scai.AttributeAssertion{
			{Attribute: "WITH_STACK_PROTECTION", Conditions: json.RawMessage(`{"flags":"-fstack-protector*"}`)},
			{Attribute: "REPRODUCIBLE", Evidence: &buildtrust.ResourceDescriptor{Name: "rebuild.json", Digest: hexDigest("b"), MediaType: "application/x.dsse+json"}},
		},
		Producer: &buildtrust.ResourceDescriptor{URI: "file:///usr/bin/gcc", Digest: hexDigest("c")},
	}
	for _, mk := range []func(scai.AttributeReport, ...buildtrust.ResourceDescriptor) (*buildtrust.Statement, error){scai.New, scai.NewV02} {
		st, err := mk(rep, buildtrust.ResourceDescriptor{Name: "my-app", Digest: hexDigest("d")})
		if err != nil {
			t.Fatal(err)
		}
		v, err := scai.Verify(sign(t, st, s), scai.VerifyOptions{Keys: []*buildtrust.PublicKey{pub}, Subject: hexDigest("d")})
		if err != nil {
			t.Fatal(err)
		}
		got := v.Report.Predicate
		if !got.Has("REPRODUCIBLE") || got.Has("reproducible") || len(got.Find("WITH_STACK_PROTECTION")) != 1 {
			t.Errorf("lookup failed: %v", got.Names())
		}
		a, err := got.Require("REPRODUCIBLE")
		if err != nil || a.Evidence.Name != "rebuild.json" {
			t.Errorf("Require: %v", err)
		}
		if _, err := got.Require("HERMETIC", threat.E9); !errors.Is(err, scai.ErrAttribute) || !errors.Is(err, threat.E9) {
			t.Errorf("Require missing: %v", err)
		}
		if string(got.Attributes[0].Conditions) != `{"flags":"-fstack-protector*"}` || got.Producer.URI != "file:///usr/bin/gcc" {
			t.Errorf("fields lost: %+v", got)
		}
		// Deterministic: the same report gives the same bytes.
		st2, _ := mk(rep, buildtrust.ResourceDescriptor{Name: "my-app", Digest: hexDigest("d")})
		b1, _ := st.Marshal()
		b2, _ := st2.Marshal()
		if !bytes.Equal(b1, b2) {
			t.Error("New is not deterministic")
		}
	}
	if _, err := scai.New(scai.AttributeReport{}, buildtrust.ResourceDescriptor{Digest: hexDigest("d")}); !errors.Is(err, buildtrust.ErrMalformed) {
		t.Errorf("empty report accepted: %v", err)
	}
}

// Verify: fail closed on missing trust input, wrong key, tampered payload
// (F4/G6), wrong subject (F3/G5), wrong predicate type.
func TestVerifyRejects(t *testing.T) {
	s, pub := signer(t, seedKey(1))
	_, other := signer(t, seedKey(2))
	st, err := scai.New(scai.AttributeReport{Attributes: []scai.AttributeAssertion{{Attribute: "A"}}}, buildtrust.ResourceDescriptor{Digest: hexDigest("d")})
	if err != nil {
		t.Fatal(err)
	}
	good := sign(t, st, s)
	prov, _ := buildtrust.NewStatement("https://slsa.dev/provenance/v1", nil, buildtrust.ResourceDescriptor{Digest: hexDigest("d")})
	tampered := func() []byte {
		var env map[string]any
		_ = json.Unmarshal(good, &env)
		payload, _ := st.Marshal()
		env["payload"] = bytes.Replace(payload, []byte(`"A"`), []byte(`"B"`), 1)
		out, _ := json.Marshal(env)
		return out
	}()
	keys := []*buildtrust.PublicKey{pub}
	tests := []struct {
		name     string
		env      []byte
		opts     scai.VerifyOptions
		wantErr  error
		wantThr  threat.ID
		wantChck string
	}{
		{"no keys", good, scai.VerifyOptions{Subject: hexDigest("d")}, scai.ErrNoTrustedKeys, "", ""},
		{"no subject", good, scai.VerifyOptions{Keys: keys}, scai.ErrNoSubject, "", ""},
		{"untrusted key", good, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{other}, Subject: hexDigest("d")}, buildtrust.ErrSignature, threat.G6, buildtrust.CheckEnvelopeSignature},
		{"tampered payload", tampered, scai.VerifyOptions{Keys: keys, Subject: hexDigest("d")}, buildtrust.ErrSignature, threat.F4, buildtrust.CheckEnvelopeSignature},
		{"wrong subject", good, scai.VerifyOptions{Keys: keys, Subject: hexDigest("e")}, buildtrust.ErrSubjectMismatch, threat.G5, scai.CheckSubject},
		{"not SCAI", sign(t, prov, s), scai.VerifyOptions{Keys: keys, Subject: hexDigest("d")}, scai.ErrPredicateType, "", scai.CheckPredicateType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scai.Verify(tc.env, tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantThr != "" && !errors.Is(err, tc.wantThr) {
				t.Errorf("err %v does not name threat %s", err, tc.wantThr)
			}
			var ce *buildtrust.CheckError
			if tc.wantChck != "" && (!errors.As(err, &ce) || ce.Check != tc.wantChck) {
				t.Errorf("check = %v, want %s", err, tc.wantChck)
			}
		})
	}
	v, err := scai.Verify(good, scai.VerifyOptions{Keys: keys, InsecureSkipSubject: true})
	if err != nil || v.Checks[2].Outcome != buildtrust.NotApplicable {
		t.Errorf("InsecureSkipSubject: %v %+v", err, v)
	}
}

// SCAI-6, BENV-EV-2: evidence is inline when small, by digest and location
// otherwise, and its digest is always checked against the bytes.
func TestEvidence(t *testing.T) {
	small := bytes.Repeat([]byte{1}, scai.InlineMaxBytes)
	large := bytes.Repeat([]byte{2}, scai.InlineMaxBytes+1)
	rd, err := scai.NewEvidence("quote", scai.MediaTypeTPMQuote, small, "")
	if err != nil || !bytes.Equal(rd.Content, small) {
		t.Fatalf("inline: %v", err)
	}
	if got, err := scai.CheckEvidence(&rd, nil, buildtrust.DigestPolicy{}); err != nil || !bytes.Equal(got, small) {
		t.Errorf("inline check: %v", err)
	}
	if _, err := scai.NewEvidence("log", scai.MediaTypeTCGEventLog, large, ""); !errors.Is(err, scai.ErrEvidence) {
		t.Errorf("large without location: %v", err)
	}
	big, err := scai.NewEvidence("log", scai.MediaTypeTCGEventLog, large, "https://evidence.example/log")
	if err != nil || big.Content != nil || big.DownloadLocation == "" {
		t.Fatalf("by reference: %v %+v", err, big)
	}
	if _, err := scai.CheckEvidence(&big, large, buildtrust.DigestPolicy{}); err != nil {
		t.Errorf("by reference check: %v", err)
	}
	flipped := bytes.Clone(large)
	flipped[7] ^= 1
	tests := []struct {
		name     string
		rd       *buildtrust.ResourceDescriptor
		supplied []byte
		wantErr  error
		wantThr  threat.ID
	}{
		{"tampered TPM event log (E9)", &big, flipped, scai.ErrEvidence, threat.E9},
		{"nothing supplied, nothing inline", &big, nil, scai.ErrEvidence, threat.E9},
		{"supplied differs from inline", &rd, large, scai.ErrEvidence, threat.E9},
		{"TEE report swapped (E10)", &buildtrust.ResourceDescriptor{Digest: hexDigest("a"), MediaType: scai.MediaTypeSEVSNPReport}, small, scai.ErrEvidence, threat.E10},
		{"no digest to check", &buildtrust.ResourceDescriptor{Content: small, MediaType: scai.MediaTypeTDXQuote}, nil, scai.ErrEvidence, threat.E10},
		{"only a weak digest", &buildtrust.ResourceDescriptor{Digest: buildtrust.DigestSet{"sha1": strings.Repeat("a", 40)}}, small, scai.ErrEvidence, ""},
		{"only an uncomputable digest", &buildtrust.ResourceDescriptor{Digest: buildtrust.DigestSet{"sm3": strings.Repeat("a", 64)}}, small, scai.ErrEvidence, ""},
		{"nil descriptor", nil, small, scai.ErrEvidence, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scai.CheckEvidence(tc.rd, tc.supplied, buildtrust.DigestPolicy{})
			var ce *buildtrust.CheckError
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &ce) || ce.Check != scai.CheckEvidenceDigest {
				t.Fatalf("err = %v", err)
			}
			if tc.wantThr != "" && !errors.Is(err, tc.wantThr) {
				t.Errorf("err %v does not name %s", err, tc.wantThr)
			}
		})
	}
	if _, err := scai.NewEvidence("x", "", nil, ""); !errors.Is(err, scai.ErrEvidence) {
		t.Errorf("empty evidence: %v", err)
	}
}
