package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust/internal/corpustest"
)

// Tests against real data nobody on this project wrote: the shared corpus
// beside the repository (its README names each file's source and what the
// source project's tests expect). The corpus is read in place, never copied,
// and the tests skip when it is absent.

// corpusFile is a corpus file (internal/corpustest finds ../shared/corpus
// beside the repository); the test skips when it is absent.
func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	return corpustest.Path(t, rel)
}

// virtee/sev's real Milan report, published as hex text. The corpus README
// states: version 2, policy 0x30000, TCB bl 3 tee 0 snp 8 ucode 115, the
// measurement below and report_data d447b55d…ebfd.
func TestCorpusSNPReport(t *testing.T) {
	in := inspectJSON(t, corpusFile(t, "virtee-sev/tests/certs_data/report_milan.hex"))
	for key, want := range map[string]string{
		"kind":        "AMD SEV-SNP attestation report",
		"encoding":    "hex text",
		"policy":      "0x30000",
		"signingKey":  "VCEK",
		"measurement": "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
	} {
		if got := getString(t, in, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if get(t, in, "version") != float64(2) {
		t.Errorf("version %v", get(t, in, "version"))
	}
	if tcb := getString(t, in, "currentTCB"); !strings.Contains(tcb, "bl=3 tee=0 snp=8 ucode=115") {
		t.Errorf("currentTCB %q", tcb)
	}
	if rd := getString(t, in, "reportData"); !strings.HasPrefix(rd, "d447b55d") || !strings.HasSuffix(rd, "ebfd") {
		t.Errorf("reportData %q", rd)
	}
}

// go-tpm-tools' seven real event logs: replaying each gives the PCR values
// the corpus lists (expected-pcrs.json, independently replayed).
func TestCorpusEventLogs(t *testing.T) {
	raw, err := os.ReadFile(corpusFile(t, "go-tpm-tools/expected-pcrs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expected struct {
		EventLogs map[string]struct {
			File     string                       `json:"file"`
			PCRBanks map[string]map[string]string `json:"pcr_banks"`
		} `json:"event_logs"`
	}
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	if len(expected.EventLogs) != 7 {
		t.Errorf("%d event logs in expected-pcrs.json, the README lists 7", len(expected.EventLogs))
	}
	for name, e := range expected.EventLogs {
		t.Run(name, func(t *testing.T) {
			in := inspectJSON(t, corpusFile(t, "go-tpm-tools/"+e.File))
			if getString(t, in, "kind") != "TCG event log" {
				t.Fatalf("kind %q", getString(t, in, "kind"))
			}
			replays := map[string]map[string]any{}
			for _, r := range get(t, in, "replayedValues").([]any) {
				m := r.(map[string]any)
				replays[strings.TrimPrefix(m["kind"].(string), "replay ")] = m
			}
			for bank, pcrs := range e.PCRBanks {
				got := replays[strings.ToLower(bank)]
				if got == nil {
					t.Errorf("no replay of bank %s", bank)
					continue
				}
				for idx, want := range pcrs {
					if v, _ := got["PCR"+idx].(string); v != want {
						t.Errorf("%s PCR%s = %q, want %q", bank, idx, v, want)
					}
				}
			}
		})
	}
	// debian-10.bin is the SHA-1-only legacy format (README).
	in := inspectJSON(t, corpusFile(t, "go-tpm-tools/internal/test/eventlogs/debian-10.bin"))
	if f := getString(t, in, "format"); !strings.HasPrefix(f, "SHA-1") {
		t.Errorf("debian-10 format %q", f)
	}
}

// A plain DSSE envelope from slsa-github-generator: SLSA v0.2 provenance
// whose subject is the artifact beside it (README: sha256 checked against
// the subject), signed with a Fulcio certificate.
func TestCorpusDSSEEnvelope(t *testing.T) {
	artifact, err := os.ReadFile(corpusFile(t, "slsa-verifier/cli/slsa-verifier/testdata/annotated-tag"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(artifact)
	if hex.EncodeToString(sum[:]) != "482ce8c8f7e867da3a3c05a9aee637703e17470ed1cf882a9e5b405e8f82619d" {
		t.Fatalf("annotated-tag is not the file the README lists")
	}
	in := inspectJSON(t, corpusFile(t, "slsa-verifier/cli/slsa-verifier/testdata/annotated-tag.intoto.jsonl"))
	if getString(t, in, "kind") != "DSSE envelope" || getString(t, in, "payloadType") != "application/vnd.in-toto+json" {
		t.Fatalf("%v", in)
	}
	if pt := getString(t, in, "statement", "predicateType"); pt != "https://slsa.dev/provenance/v0.2" {
		t.Errorf("predicateType %q", pt)
	}
	if s := getString(t, in, "statement", "subjects", "0"); !strings.Contains(s, "sha256:"+hex.EncodeToString(sum[:])) {
		t.Errorf("subject %q is not the artifact", s)
	}
	if src := string(mustJSON(t, get(t, in, "statement", "predicate", "externalParameters"))); !strings.Contains(src, "github.com/asraa/slsa-on-github-test") {
		t.Errorf("source repository not github.com/asraa/slsa-on-github-test: %s", src)
	}
	if iss := getString(t, in, "signatures", "0", "certificate", "oidcIssuer"); iss != "https://token.actions.githubusercontent.com" {
		t.Errorf("certificate issuer %q", iss)
	}
}

// Sigstore bundles: media types and statements as the README states them,
// for bundle v0.1 and v0.3 and a GitHub attestation (bcr).
func TestCorpusSigstoreBundles(t *testing.T) {
	for _, tc := range []struct {
		file, mediaType, predicateType, contains string
	}{
		{"slsa-verifier/verifiers/internal/gha/testdata/bundle/valid.intoto.sigstore",
			"application/vnd.dev.sigstore.bundle+json;version=0.1", "", ""},
		{"slsa-verifier/verifiers/internal/gha/testdata/bundle/valid-v0.3.intoto.sigstore",
			"application/vnd.dev.sigstore.bundle.v0.3+json", "https://slsa.dev/provenance/v0.2", "github.com/slsa-framework/example-package"},
		{"slsa-verifier/cli/slsa-verifier/testdata/bcr/MODULE.bazel.intoto.jsonl",
			"application/vnd.dev.sigstore.bundle.v0.3+json", "https://slsa.dev/provenance/v1", "github.com/aspect-build/rules_lint"},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			in := inspectJSON(t, corpusFile(t, tc.file))
			if getString(t, in, "kind") != "Sigstore bundle" || getString(t, in, "mediaType") != tc.mediaType {
				t.Fatalf("%v", in)
			}
			if tc.predicateType != "" {
				if pt := getString(t, in, "dsseEnvelope", "statement", "predicateType"); pt != tc.predicateType {
					t.Errorf("predicateType %q, want %q", pt, tc.predicateType)
				}
			}
			if tc.contains != "" && !strings.Contains(string(mustJSON(t, in)), tc.contains) {
				t.Errorf("output does not mention %s", tc.contains)
			}
			if len(get(t, in, "tlogEntries").([]any)) == 0 {
				t.Errorf("no transparency-log entry shown")
			}
		})
	}
	// The bcr attestation's artifact is MODULE.bazel (README: same sha256).
	in := inspectJSON(t, corpusFile(t, "slsa-verifier/cli/slsa-verifier/testdata/bcr/MODULE.bazel.intoto.jsonl"))
	if s := getString(t, in, "dsseEnvelope", "statement", "subjects", "0"); !strings.Contains(s, "sha256:06ce330900a7d6403bc8d88e5dfad6aeeb8ae40179f66bb89e69c8bf6f6b1a0b") {
		t.Errorf("bcr subject %q", s)
	}
}

// The npm registry's attestations response: a Fulcio-signed provenance and
// a publish attestation signed by the registry key with the keyid the
// README gives, both about the package by sha512.
func TestCorpusNPMAttestations(t *testing.T) {
	in := inspectJSON(t, corpusFile(t, "slsa-verifier/verifiers/internal/gha/testdata/npm-attestations.intoto.sigstore"))
	atts := get(t, in, "attestations").([]any)
	if len(atts) != 2 {
		t.Fatalf("%d attestations, want 2", len(atts))
	}
	if pt := getString(t, atts[1], "predicateType"); pt != "https://github.com/npm/attestation/tree/main/specs/publish/v0.1" {
		t.Errorf("second attestation %q", pt)
	}
	if s := getString(t, atts[1], "signer"); !strings.Contains(s, "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA") {
		t.Errorf("publish attestation signer %q", s)
	}
	for i := range atts {
		s := getString(t, atts[i], "dsseEnvelope", "statement", "subjects", "0")
		if !strings.HasPrefix(s, "pkg:npm/%40laurentsimon/provenance-npm-test@1.0.0 sha512:") {
			t.Errorf("attestation %d subject %q", i, s)
		}
	}
}

// Google Cloud Build's gcloud output carries key-signed DSSE envelopes.
func TestCorpusGCloud(t *testing.T) {
	in := inspectJSON(t, corpusFile(t, "slsa-verifier/cli/slsa-verifier/testdata/gcb_container/v0.2/gcloud-container-github.json"))
	if b := getString(t, in, "envelopes", "0", "statement", "predicate", "builder"); !strings.HasPrefix(b, "https://cloudbuild.googleapis.com/GoogleHostedWorker") {
		t.Errorf("builder %q", b)
	}
}

// Files of the corpus that are not attestations or evidence are refused
// with exit 2, never described as something they are not.
func TestCorpusUnrecognised(t *testing.T) {
	for _, rel := range []string{
		"virtee-sev/src/certs/snp/builtin/milan/ark.pem",
		"slsa-verifier/cli/slsa-verifier/testdata/bcr/rules_lint-v1.3.1.tar.gz",
		"go-tpm-tools/expected-pcrs.json",
	} {
		runCLI(t, "inspect", corpusFile(t, rel)).wantCode(t, exitUsage)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// verify on real provenance: Google Cloud Build's SLSA v1 provenance of a
// container image, as gcloud --show-provenance prints it, under a policy
// trusting GCB's KMS keys (read from the corpus; the README names builder
// GoogleHostedWorker, source github.com/khalkie/gcb-prod-prov and the image
// digest). It earns Build L3; another expected source fails
// provenance.source.repo.
func TestCorpusVerifyGoogleCloudBuild(t *testing.T) {
	prov := corpusFile(t, corpustest.GCBProvenance)
	doc := corpustest.GCBPolicy(t)
	dir := t.TempDir()
	args := func(policyDoc string) []string {
		return []string{"verify", "-policy", writeFile(t, dir, "gcb.yaml", []byte(policyDoc)), "-digest", "sha256:" + corpustest.GCBImage,
			"-name", "gcb-prod-prov", "-attestations", prov, "-time", "2026-11-01T00:00:00Z", "-format", "json"}
	}
	res := decodeResult(t, runCLI(t, args(doc)...).wantCode(t, exitOK))
	if res.Verdict != "PASSED" || res.BuildLevel != 3 || res.BuildEnvLevel != 0 {
		t.Errorf("verdict %s, Build L%d, BuildEnv L%d", res.Verdict, res.BuildLevel, res.BuildEnvLevel)
	}
	other := strings.Replace(doc, corpustest.GCBSource, corpustest.GCBSource+"2", 1)
	res = decodeResult(t, runCLI(t, args(other)...).wantCode(t, exitRejected))
	if res.outcome("provenance.source.repo") != "FAIL" {
		t.Errorf("other source: %+v", res.Checks)
	}
}

// An in-toto/scai-demos SCAI v0.2 report, signed by functionary key
// 1f5750…. The oracle is scai-demos' own policy, hermetic-evidence.yml: the
// attestation whose SHA-256 it pins must assert NonHermeticBuild with
// strace.log as evidence. (The corpus README's rows for build.* and
// bad-build.* name the two attributes the other way round; the files and
// the upstream policy agree with each other, not with the README.)
func TestCorpusSCAIReport(t *testing.T) {
	pol, err := os.ReadFile(corpusFile(t, "scai-demos/policies/hermetic-evidence.yml"))
	if err != nil {
		t.Fatal(err)
	}
	path := corpusFile(t, "scai-demos/examples/hermetic-evidence/metadata/attestations/build.1f575092.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if !strings.Contains(string(pol), `attestationID: "`+hex.EncodeToString(sum[:])+`"`) ||
		!strings.Contains(string(pol), "assertion.attribute == 'NonHermeticBuild'") {
		t.Fatalf("hermetic-evidence.yml does not pin this attestation as NonHermeticBuild")
	}
	in := inspectJSON(t, path)
	if k := getString(t, in, "signatures", "0", "keyid"); !strings.HasPrefix(k, "1f57509240de") {
		t.Errorf("keyid %q", k)
	}
	pred := get(t, in, "statement", "predicate")
	if getString(t, pred, "kind") != "SCAI attribute report v0.2" {
		t.Fatalf("predicate %v", pred)
	}
	if a := getString(t, pred, "attributes", "0", "kind"); a != "NonHermeticBuild" {
		t.Errorf("attribute %q, want NonHermeticBuild", a)
	}
	if ev := getString(t, pred, "attributes", "0", "evidence"); !strings.HasPrefix(ev, "strace.log ") {
		t.Errorf("evidence %q", ev)
	}
}
