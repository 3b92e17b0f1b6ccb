package scai_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/threat"

	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
)

// SCAI-10: the official v0.3 examples of in-toto/attestation spec/predicates/scai.md
// (blocks 02 and 03; the other blocks are not JSON even after stripping).
func TestCorpusSpecExamplesV03(t *testing.T) {
	tests := []struct {
		file      string
		subject   string
		attrs     []string
		producer  string
		evidences []string
	}{
		{"block02.json", "gcc9.3.0", []string{"WITH_STACK_PROTECTION", "REPRODUCIBLE"}, "", []string{"", "gcc_9.3.0-1ubuntu2_amd64.json"}},
		{"block03.json", "my-app", []string{"WITH_STACK_PROTECTION"}, "file:///usr/bin/gcc", []string{"gcc9.3.0-attribute-report.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			raw := corpustest.StripLineComments(corpustest.File(t, "in-toto-attestation/spec/predicates/scai.md-json-blocks/"+tc.file))
			// As published, the abbreviated digests are not valid DigestSets.
			if _, err := buildtrust.ParseStatement(raw); !errors.Is(err, buildtrust.ErrMalformed) {
				t.Fatalf("abbreviated digests accepted: %v", err)
			}
			st, err := buildtrust.ParseStatement(corpustest.ExpandAbbreviatedDigests(raw))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := scai.Parse(st)
			if err != nil {
				t.Fatal(err)
			}
			if rep.PredicateType != scai.PredicateTypeV03 || rep.Subject[0].Name != tc.subject {
				t.Errorf("type %s subject %s", rep.PredicateType, rep.Subject[0].Name)
			}
			if got := rep.Predicate.Names(); strings.Join(got, ",") != strings.Join(tc.attrs, ",") {
				t.Errorf("attributes %v, want %v", got, tc.attrs)
			}
			for i, ev := range tc.evidences {
				a := rep.Predicate.Attributes[i]
				if (a.Evidence == nil) != (ev == "") || (a.Evidence != nil && (a.Evidence.Name != ev || a.Evidence.MediaType != "application/x.dsse+json")) {
					t.Errorf("attribute %d evidence %+v, want %q", i, a.Evidence, ev)
				}
			}
			if string(rep.Predicate.Attributes[0].Conditions) != `{ "flags": "-fstack-protector*" }` {
				t.Errorf("conditions %s", rep.Predicate.Attributes[0].Conditions)
			}
			if (rep.Predicate.Producer == nil) != (tc.producer == "") || (tc.producer != "" && rep.Predicate.Producer.URI != tc.producer) {
				t.Errorf("producer %+v", rep.Predicate.Producer)
			}
		})
	}
}

// SCAI-11, SCAI-12: the unsigned scai-demos statements (SCAI v0.2) parse,
// and where the corpus holds the bytes a descriptor names, the digest
// check binds them (and rejects other bytes).
func TestCorpusSCAIDemosStatements(t *testing.T) {
	const ex = "scai-demos/examples/"
	tests := []struct {
		file  string
		attrs []string
	}{
		{"gcc-helloworld/metadata/hello-world.scai.json", []string{"HAS_STACK_PROTECTION"}},
		{"hermetic-evidence/metadata/hermetic-build.scai.json", []string{"IsHermeticBuild"}},
		{"hermetic-evidence/metadata/non-hermetic-build.scai.json", []string{"NonHermeticBuild"}},
		{"sbom+slsa/metadata/evidence-collection.scai.json", []string{"HasSBOM", "HasSLSA"}},
		{"secure-boot/metadata/secure-boot.scai.json", []string{"TAMPER-EVIDENT BUILD PLATFORM"}},
		{"secure-boot/metadata/tpm-ref-value.scai.json", []string{"TPM2.0_REFERENCE_STATE"}},
		{"vuln-scan/metadata/no-vuln.scai.json", []string{"NO KNOWN VULNERABILITIES"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			st, err := buildtrust.ParseStatement(corpustest.File(t, ex+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := scai.Parse(st)
			if err != nil {
				t.Fatal(err)
			}
			if rep.PredicateType != scai.PredicateTypeV02 {
				t.Errorf("type %s", rep.PredicateType)
			}
			if got := rep.Predicate.Names(); strings.Join(got, ",") != strings.Join(tc.attrs, ",") {
				t.Errorf("attributes %v, want %v", got, tc.attrs)
			}
		})
	}

	t.Run("secure-boot evidence is keylime_quote.json", func(t *testing.T) {
		st, err := buildtrust.ParseStatement(corpustest.File(t, ex+"secure-boot/metadata/secure-boot.scai.json"))
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := scai.Parse(st)
		a, err := rep.Predicate.Require("TAMPER-EVIDENT BUILD PLATFORM")
		if err != nil {
			t.Fatal(err)
		}
		quote := corpustest.File(t, ex+"secure-boot/metadata/keylime_quote.json")
		if _, err := scai.CheckEvidence(a.Evidence, quote, buildtrust.DigestPolicy{}); err != nil {
			t.Errorf("real quote rejected: %v", err)
		}
		other := corpustest.File(t, ex+"secure-boot/metadata/measured_boot_reference_state.json")
		if _, err := scai.CheckEvidence(a.Evidence, other, buildtrust.DigestPolicy{}); !errors.Is(err, scai.ErrEvidence) {
			t.Errorf("other bytes accepted as the quote: %v", err)
		}
		// The separate descriptor file describes the same evidence.
		var desc buildtrust.ResourceDescriptor
		if err := desc.UnmarshalJSON(corpustest.File(t, ex+"secure-boot/metadata/tpm-quote-desc.json")); err != nil {
			t.Fatal(err)
		}
		if _, err := scai.CheckEvidence(&desc, quote, buildtrust.DigestPolicy{}); err != nil {
			t.Errorf("tpm-quote-desc.json: %v", err)
		}
	})

	t.Run("reference state is inline in tpm-ref-value", func(t *testing.T) {
		st, err := buildtrust.ParseStatement(corpustest.File(t, ex+"secure-boot/metadata/tpm-ref-value.scai.json"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := scai.CheckEvidence(&st.Subject[0], nil, buildtrust.DigestPolicy{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, corpustest.File(t, ex+"secure-boot/metadata/measured_boot_reference_state.json")) {
			t.Error("inline reference state differs from measured_boot_reference_state.json")
		}
	})
}

// publicKeys converts the layout's functionary keys to verification keys.
func publicKeys(t *testing.T, ssl map[string]*signerverifier.SSLibKey) map[string]*buildtrust.PublicKey {
	t.Helper()
	keys := map[string]*buildtrust.PublicKey{}
	for id, k := range ssl {
		pk, err := buildtrust.PublicKeyFromSSLib(k)
		if err != nil {
			t.Fatal(err)
		}
		keys[id] = pk
	}
	return keys
}

// The signed scai-demos envelopes (SCAI-12): signature, parse, attribute
// checks, and the negative hermetic example. Note (corpus README): the
// README swaps the attributes of build and bad-build; the signed payloads
// say build = NonHermeticBuild, bad-build = IsHermeticBuild, and the
// signature is what counts.
func TestCorpusSCAIDemosSigned(t *testing.T) {
	keys := publicKeys(t, corpustest.LayoutKeys(t, corpustest.File(t, "scai-demos/layouts/pdo_client_wawaka.yml")))
	rsa := keys["1f57509240de3e7921e29a896553e7cf912441e17fe8cbd675457c7ba45bcee6"]
	ec := keys["452e628a9a052784761275fe2eed15d7c0c8c8599bf1977879f130a568af5d8c"]
	if rsa == nil || ec == nil {
		t.Fatal("layout keys missing")
	}
	// The subject is pdo_client_wawaka; the binary is not in the corpus,
	// its digest is the one the consumer would compute.
	subject := buildtrust.DigestSet{buildtrust.SHA256: "9fb7ef552298f8fbad84604d06100e760b7b8c4cb4d6c4b727865f1f285d06ac"}
	const dir = "scai-demos/examples/"
	provenance := corpustest.File(t, dir+"sbom+slsa/metadata/attestations/build.452e628a.json")
	verify := func(t *testing.T, file string) *scai.Verified {
		v, err := scai.Verify(corpustest.File(t, dir+file), scai.VerifyOptions{Keys: []*buildtrust.PublicKey{rsa}, Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		if v.Report.PredicateType != scai.PredicateTypeV02 || len(v.Signers) != 1 || v.Signers[0] != rsa {
			t.Fatalf("verified %s signers %v", v.Report.PredicateType, v.Signers)
		}
		return v
	}

	t.Run("build: NonHermeticBuild", func(t *testing.T) {
		v := verify(t, "hermetic-evidence/metadata/attestations/build.1f575092.json")
		a, err := v.Report.Predicate.Require("NonHermeticBuild")
		if err != nil {
			t.Fatal(err)
		}
		// A consumer that requires a hermetic build rejects it.
		if _, err := v.Report.Predicate.Require("IsHermeticBuild"); !errors.Is(err, scai.ErrAttribute) {
			t.Errorf("IsHermeticBuild found: %v", err)
		}
		// The target is the signed provenance envelope in the corpus.
		if _, err := scai.CheckEvidence(a.Target, provenance, buildtrust.DigestPolicy{}); err != nil {
			t.Errorf("target is not build.452e628a.json: %v", err)
		}
	})

	t.Run("bad-build: IsHermeticBuild, evidence cannot back it", func(t *testing.T) {
		v := verify(t, "hermetic-evidence/metadata/attestations/bad-build.1f575092.json")
		a, err := v.Report.Predicate.Require("IsHermeticBuild")
		if err != nil {
			t.Fatal(err)
		}
		// The negative example: the claim is signed, but its evidence (an
		// strace log showing network access, annotated expectedResult=fail)
		// is not supplied. A consumer that insists on evidence fails closed,
		// and the provenance bytes do not pass for the strace log.
		if a.Evidence == nil || a.Evidence.Name != "strace.log" || a.Evidence.Annotations["expectedResult"] != "fail" {
			t.Fatalf("evidence %+v", a.Evidence)
		}
		if _, err := scai.CheckEvidence(a.Evidence, nil, buildtrust.DigestPolicy{}); !errors.Is(err, scai.ErrEvidence) {
			t.Errorf("missing strace log accepted: %v", err)
		}
		if _, err := scai.CheckEvidence(a.Evidence, provenance, buildtrust.DigestPolicy{}); !errors.Is(err, scai.ErrEvidence) {
			t.Errorf("wrong bytes accepted as the strace log: %v", err)
		}
	})

	t.Run("evidence collection: HasSLSA is build.452e628a.json", func(t *testing.T) {
		v := verify(t, "sbom+slsa/metadata/attestations/evidence-collection.1f575092.json")
		slsa, err := v.Report.Predicate.Require("HasSLSA")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := scai.CheckEvidence(slsa.Evidence, provenance, buildtrust.DigestPolicy{}); err != nil {
			t.Errorf("HasSLSA evidence: %v", err)
		}
		// That evidence is itself a signed envelope, by the other functionary.
		if _, err := buildtrust.VerifyStatement(provenance, buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{ec}}); err != nil {
			t.Errorf("evidence envelope: %v", err)
		}
		sbom, err := v.Report.Predicate.Require("HasSBOM")
		if err != nil || sbom.Evidence.MediaType != "application/spdx+json" {
			t.Fatalf("HasSBOM: %v", err)
		}
	})

	t.Run("rejections", func(t *testing.T) {
		env := corpustest.File(t, dir+"hermetic-evidence/metadata/attestations/build.1f575092.json")
		if _, err := scai.Verify(env, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{ec}, Subject: subject}); !errors.Is(err, buildtrust.ErrSignature) || !errors.Is(err, threat.F4) {
			t.Errorf("other functionary's key: %v", err)
		}
		other := buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("0", 64)}
		if _, err := scai.Verify(env, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{rsa}, Subject: other}); !errors.Is(err, buildtrust.ErrSubjectMismatch) || !errors.Is(err, threat.G5) {
			t.Errorf("wrong subject: %v", err)
		}
		// A signed provenance is not a SCAI report.
		if _, err := scai.Verify(provenance, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{ec}, InsecureSkipSubject: true}); !errors.Is(err, scai.ErrPredicateType) {
			t.Errorf("provenance read as SCAI: %v", err)
		}
		// One flipped payload character breaks the RSA-PSS signature (G6).
		tampered := bytes.Replace(env, []byte(`"payload":"eyJ`), []byte(`"payload":"eyK`), 1)
		if bytes.Equal(tampered, env) {
			t.Fatal("tamper did not apply")
		}
		if _, err := scai.Verify(tampered, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{rsa}, Subject: subject}); !errors.Is(err, threat.G6) {
			t.Errorf("tampered envelope: %v", err)
		}
	})
}
