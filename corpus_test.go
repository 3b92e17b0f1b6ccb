package buildtrust

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// Envelopes signed by in-toto/scai-demos (corpus README oracles): RSA-PSS
// SHA-256 over PAE with a keyid, and ECDSA P-256 ASN.1 DER over PAE with an
// empty keyid carrying a legacy Statement v0.1 with SLSA v0.2 provenance.
func TestCorpusSCAIDemosEnvelopes(t *testing.T) {
	keys := corpustest.LayoutKeys(t, corpustest.File(t, "scai-demos/layouts/pdo_client_wawaka.yml"))
	rsaKey, err := PublicKeyFromSSLib(keys["1f57509240de3e7921e29a896553e7cf912441e17fe8cbd675457c7ba45bcee6"])
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := PublicKeyFromSSLib(keys["452e628a9a052784761275fe2eed15d7c0c8c8599bf1977879f130a568af5d8c"])
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file          string
		key           *PublicKey
		statementType string
		predicateType string
		attribute     string
	}{
		// The corpus README names IsHermeticBuild for build and NonHermeticBuild
		// for bad-build; the signed payloads say the opposite, and the
		// signature is what counts.
		{"scai-demos/examples/hermetic-evidence/metadata/attestations/build.1f575092.json", rsaKey,
			StatementTypeV1, "https://in-toto.io/attestation/scai/attribute-report/v0.2", "NonHermeticBuild"},
		{"scai-demos/examples/hermetic-evidence/metadata/attestations/bad-build.1f575092.json", rsaKey,
			StatementTypeV1, "https://in-toto.io/attestation/scai/attribute-report/v0.2", "IsHermeticBuild"},
		{"scai-demos/examples/sbom+slsa/metadata/attestations/evidence-collection.1f575092.json", rsaKey,
			StatementTypeV1, "https://in-toto.io/attestation/scai/attribute-report/v0.2", "HasSLSA"},
		{"scai-demos/examples/sbom+slsa/metadata/attestations/build.452e628a.json", ecKey,
			StatementTypeV01, "https://slsa.dev/provenance/v0.2", ""},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			data := corpustest.File(t, tc.file)
			vs, err := VerifyStatement(data, VerifyOptions{Keys: []*PublicKey{tc.key}})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if vs.Statement.Type != tc.statementType || vs.Statement.PredicateType != tc.predicateType {
				t.Errorf("got %s / %s", vs.Statement.Type, vs.Statement.PredicateType)
			}
			if tc.attribute != "" && !regexp.MustCompile(`"attribute":"`+tc.attribute+`"`).Match(vs.Statement.Predicate) {
				t.Errorf("predicate lacks attribute %s", tc.attribute)
			}
			// The other functionary's key must not verify it.
			other := ecKey
			if tc.key == ecKey {
				other = rsaKey
			}
			if _, err := VerifyStatement(data, VerifyOptions{Keys: []*PublicKey{other}}); !errors.Is(err, ErrSignature) {
				t.Errorf("verified with the wrong functionary key: %v", err)
			}
		})
	}
}

// gcbEnvelope pulls the DSSE envelope of provenance entry i out of a
// `gcloud artifacts docker images describe --show-provenance` document.
func gcbEnvelope(t *testing.T, doc []byte, i int) []byte {
	t.Helper()
	var d struct {
		ProvenanceSummary struct {
			Provenance []struct {
				Envelope json.RawMessage `json:"envelope"`
			} `json:"provenance"`
		} `json:"provenance_summary"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if i >= len(d.ProvenanceSummary.Provenance) {
		t.Fatalf("no provenance entry %d", i)
	}
	return d.ProvenanceSummary.Provenance[i].Envelope
}

func gcbKey(t *testing.T, name string, keyID string) *PublicKey {
	t.Helper()
	k, err := ParsePublicKey(corpustest.File(t, "slsa-verifier/verifiers/internal/gcb/keys/materials/"+name), KeyOptions{KeyIDs: []string{keyID}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Google Cloud Build provenance (slsa-verifier testdata; corpus README
// oracles): the provenanceSigner and google-hosted-worker keys sign the DSSE
// PAE with base64url ASN.1 DER signatures; the regional builtByGCB keys sign
// the raw payload instead, which is not DSSE and must not verify as DSSE.
func TestCorpusGoogleCloudBuildEnvelopes(t *testing.T) {
	const base = "slsa-verifier/verifiers/internal/gcb/testdata/"
	const kms = "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/"
	provenanceSigner := gcbKey(t, "global-pae-provenanceSigner_1.key", kms+"provenanceSigner/cryptoKeyVersions/1")
	hostedWorker := gcbKey(t, "global-pae-google-hosted-worker_1.key", kms+"google-hosted-worker/cryptoKeyVersions/1")
	builtByGCB := gcbKey(t, "global.key", kms+"builtByGCB/cryptoKeyVersions/1")
	usWest2 := gcbKey(t, "us-west2.key", "")

	t.Run("provenanceSigner PAE", func(t *testing.T) {
		env := gcbEnvelope(t, corpustest.File(t, base+"gcloud-container-global-pae-signing-key-successful.json"), 0)
		vs, err := VerifyStatement(env, VerifyOptions{Keys: []*PublicKey{provenanceSigner}})
		if err != nil {
			t.Fatal(err)
		}
		if vs.Statement.Type != StatementTypeV01 {
			t.Errorf("statement type %s", vs.Statement.Type)
		}
	})
	t.Run("v1 google-hosted-worker PAE", func(t *testing.T) {
		doc := corpustest.File(t, base+"v1.0-gcloud-container-github.json")
		vs, err := VerifyStatement(gcbEnvelope(t, doc, 0), VerifyOptions{Keys: []*PublicKey{hostedWorker}})
		if err != nil {
			t.Fatal(err)
		}
		want := DigestSet{SHA256: "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"}
		if _, err := vs.MatchSubjects(want, DigestPolicy{}); err != nil {
			t.Errorf("subject: %v", err)
		}
		want[SHA256] = "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e4"
		if _, err := vs.MatchSubjects(want, DigestPolicy{}); !errors.Is(err, ErrSubjectMismatch) {
			t.Errorf("wrong digest matched: %v", err)
		}
		// Entry 1 carries two signatures: provenanceSigner over PAE and the
		// us-west2 builtByGCB key over the raw payload. Only the former is DSSE.
		env1 := gcbEnvelope(t, doc, 1)
		if _, err := VerifyStatement(env1, VerifyOptions{Keys: []*PublicKey{provenanceSigner}}); err != nil {
			t.Errorf("v0.1 entry, provenanceSigner: %v", err)
		}
		if _, err := VerifyStatement(env1, VerifyOptions{Keys: []*PublicKey{usWest2}}); !errors.Is(err, ErrSignature) {
			t.Errorf("raw-payload signature accepted as DSSE: %v", err)
		}
	})
	t.Run("builtByGCB raw payload is not DSSE", func(t *testing.T) {
		env := gcbEnvelope(t, corpustest.File(t, base+"gcloud-container-github.json"), 0)
		if _, err := VerifyStatement(env, VerifyOptions{Keys: []*PublicKey{builtByGCB}}); !errors.Is(err, ErrSignature) {
			t.Fatalf("raw-payload signature accepted as DSSE: %v", err)
		}
	})
}

// The in-toto spec's own ResourceDescriptor examples (corpus, DERIVED from
// in-toto/attestation spec/v1/resource_descriptor.md) decode strictly. Those
// with complete digests are valid; three abbreviate their digests ("7f4714fd...")
// and must be rejected for exactly that reason.
func TestCorpusResourceDescriptorExamples(t *testing.T) {
	dir := corpustest.Path(t, "in-toto-attestation/spec/v1/resource_descriptor.md-json-blocks")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skip("corpus resource descriptor examples not present")
	}
	valid := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rd ResourceDescriptor
		if err := strictjson.Unmarshal(data, &rd, strictjson.Options{}); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		abbreviated := false
		for _, v := range rd.Digest {
			abbreviated = abbreviated || strings.HasSuffix(v, "...")
		}
		err = rd.Validate()
		switch {
		case abbreviated && !errors.Is(err, ErrMalformed):
			t.Errorf("%s: abbreviated digest accepted: %v", filepath.Base(f), err)
		case !abbreviated && err != nil:
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
		if !abbreviated {
			valid++
		}
	}
	if valid != 2 {
		t.Errorf("%d complete examples validated, want 2", valid)
	}
}
