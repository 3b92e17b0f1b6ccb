package vsa_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	vsapb "github.com/in-toto/attestation/go/predicates/vsa/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/vsa"
)

var trailingComma = regexp.MustCompile(`,(\s*[}\]])`)

// jsoncToJSON turns a VSA example block of the SLSA spec pages into JSON.
// The blocks are jsonc fragments: the test strips whole-line // comments,
// wraps the top-level fields in braces and removes trailing commas. Their
// digests are abbreviated ("5678..."), which the DigestSet rules reject;
// expand pads them to 64 hex characters with '0' when set.
func jsoncToJSON(b []byte, expand bool) []byte {
	b = corpustest.StripLineComments(b)
	b = append(append([]byte("{"), b...), '}')
	b = trailingComma.ReplaceAll(b, []byte("$1"))
	if expand {
		b = corpustest.ExpandAbbreviatedDigests(b)
	}
	return b
}

// The VSA examples of SLSA v1.0, v1.1 and main (spec/verification_summary.md,
// "Example" section): after normalization each parses as VSA v1, with the
// 1.1 verifier.version where the page has it.
func TestCorpusSpecExamples(t *testing.T) {
	tests := []struct {
		file     string
		versions int
	}{
		{"slsa-spec/docs/spec/v1.0/verification_summary.md-json-blocks/block02.txt", 0},
		{"slsa-spec/docs/spec/v1.1/verification_summary.md-json-blocks/block02.txt", 2},
		{"slsa-spec/spec/verification_summary.md-json-blocks/block02.txt", 2},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			raw := corpustest.File(t, tc.file)
			if _, err := buildtrust.ParseStatement(raw); err == nil {
				t.Fatal("jsonc accepted as JSON")
			}
			if _, err := buildtrust.ParseStatement(jsoncToJSON(raw, false)); !errors.Is(err, buildtrust.ErrMalformed) {
				t.Fatalf("abbreviated digests accepted: %v", err)
			}
			st, err := buildtrust.ParseStatement(jsoncToJSON(raw, true))
			if err != nil {
				t.Fatal(err)
			}
			got, err := vsa.Parse(st)
			if err != nil {
				t.Fatal(err)
			}
			p := got.Predicate
			checks := []struct {
				what string
				ok   bool
			}{
				{"verifier.id", p.Verifier.ID == "https://example.com/publication_verifier"},
				{"verifier.version", len(p.Verifier.Version) == tc.versions && (tc.versions == 0 || p.Verifier.Version["slsa-verifier-linux-amd64"] == "v2.3.0")},
				{"timeVerified", p.TimeVerified.Equal(time.Date(1985, 4, 12, 23, 20, 50, 520000000, time.UTC))},
				{"resourceUri", p.ResourceURI == "https://example.com/example-1.2.3.tar.gz"},
				{"policy", p.Policy.URI == "https://example.com/example_tarball.policy" && len(p.Policy.Digest) == 1},
				{"inputAttestations", len(p.InputAttestations) == 1 && strings.HasSuffix(p.InputAttestations[0].URI, ".intoto.jsonl")},
				{"verificationResult", p.VerificationResult == vsa.Passed},
				{"verifiedLevels", len(p.VerifiedLevels) == 1 && p.VerifiedLevels[0] == "SLSA_BUILD_LEVEL_3"},
				{"dependencyLevels", len(p.DependencyLevels) == 3 && p.DependencyLevels["SLSA_BUILD_LEVEL_3"] == 5 && p.DependencyLevels["SLSA_BUILD_LEVEL_2"] == 7 && p.DependencyLevels["SLSA_BUILD_LEVEL_1"] == 1},
				{"slsaVersion", p.SlsaVersion == "1.0"},
				{"subject", got.Subject[0].Name == "out/example-1.2.3.tar.gz"},
			}
			for _, c := range checks {
				if !c.ok {
					t.Errorf("%s wrong: %+v", c.what, p)
				}
			}
			// Re-encoding and re-parsing keeps every field.
			again, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := vsa.ParsePredicate(again)
			if err != nil {
				t.Fatal(err)
			}
			if a, _ := json.Marshal(p2); !bytes.Equal(a, again) {
				t.Errorf("re-encoding differs:\n%s\n%s", a, again)
			}
		})
	}
}

// The in-toto Go binding (vsa/v1) writes dependencyLevels as JSON strings
// and has no verifier.version (P-JSON-6/7, GAP-3): its output parses here,
// and this package's output reads back into the binding only with unknown
// fields discarded.
func TestInTotoBindingInterop(t *testing.T) {
	pb := &vsapb.VerificationSummary{
		Verifier:           &vsapb.VerificationSummary_Verifier{Id: "https://example.com/publication_verifier"},
		TimeVerified:       timestamppb.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		ResourceUri:        "https://example.com/example-1.2.3.tar.gz",
		Policy:             &vsapb.VerificationSummary_Policy{Uri: "https://example.com/policy", Digest: map[string]string{"sha256": strings.Repeat("a", 64)}},
		InputAttestations:  []*vsapb.VerificationSummary_InputAttestation{{Uri: "https://example.com/att", Digest: map[string]string{"sha256": strings.Repeat("b", 64)}}},
		VerificationResult: "PASSED",
		VerifiedLevels:     []string{"SLSA_BUILD_LEVEL_3"},
		DependencyLevels:   map[string]uint64{"SLSA_BUILD_LEVEL_3": 5},
		SlsaVersion:        "1.0",
	}
	raw, err := protojson.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"5"`)) {
		t.Logf("binding no longer writes counts as strings: %s", raw)
	}
	p, err := vsa.ParsePredicate(raw)
	if err != nil {
		t.Fatalf("binding output rejected: %v\n%s", err, raw)
	}
	if p.DependencyLevels["SLSA_BUILD_LEVEL_3"] != 5 || !p.TimeVerified.Equal(pb.TimeVerified.AsTime()) || p.Policy.URI != pb.Policy.Uri {
		t.Errorf("parsed %+v", p)
	}

	p.Verifier.Version = map[string]string{"buildtrust": "v0.1.0"}
	ours, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back vsapb.VerificationSummary
	if err := protojson.Unmarshal(ours, &back); err == nil {
		t.Error("binding accepted verifier.version; GAP-3 may be closed")
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(ours, &back); err != nil {
		t.Fatal(err)
	}
	if back.GetDependencyLevels()["SLSA_BUILD_LEVEL_3"] != 5 || back.GetResourceUri() != pb.ResourceUri {
		t.Errorf("binding read %v", &back)
	}
}
