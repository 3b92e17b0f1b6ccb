package policy_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/internal/docdecode"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/threat"
)

// The table tests of policy are data: testdata/cases/*.txtar, each a policy
// (or the base policy), an input scenario of the test world and the
// expected result. A case file holds sections "-- name --":
//
//	policy.yaml  optional; default testdata/cases/base-policy.yaml. ${…}
//	             are replaced with the world's keys and roots.
//	input.yaml   the scenario: platform, tampers, response, name, purl,
//	             resourceUri, drop (attestation roles to leave out),
//	             extra (more scenarios whose attestations are added),
//	             timeOffset (a Go duration added to the world's time)
//	want.yaml    verdict, buildLevel, buildEnvLevel, checks (ID → outcome,
//	             "ADVISORY-FAIL" for a failed advisory check), open and
//	             mitigated (threat IDs that must, or must not, be open)
//
// The first line of a case file (before any section) is its description.

type caseInput struct {
	Platform    string         `json:"platform,omitempty"`
	Tampers     []string       `json:"tampers,omitempty"`
	Response    bool           `json:"response,omitempty"`
	Name        string         `json:"name,omitempty"`
	PURL        string         `json:"purl,omitempty"`
	ResourceURI string         `json:"resourceUri,omitempty"`
	Drop        []string       `json:"drop,omitempty"`
	Extra       []caseScenario `json:"extra,omitempty"`
	TimeOffset  string         `json:"timeOffset,omitempty"`
	NoEvidence  bool           `json:"noEvidence,omitempty"`
}

type caseScenario struct {
	Platform string   `json:"platform,omitempty"`
	Tampers  []string `json:"tampers,omitempty"`
	Roles    []string `json:"roles,omitempty"`
}

type caseWant struct {
	Verdict       string            `json:"verdict"`
	BuildLevel    *int              `json:"buildLevel,omitempty"`
	BuildEnvLevel *int              `json:"buildEnvLevel,omitempty"`
	Checks        map[string]string `json:"checks,omitempty"`
	Open          []string          `json:"open,omitempty"`
	Mitigated     []string          `json:"mitigated,omitempty"`
}

func testWorld(t testing.TB) *buildenvtest.World { return buildenvtest.Shared(t) }

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fillPolicy replaces the ${…} placeholders of a policy template with the
// world's keys and roots (World.FillPolicy), and ${OTHER_ECDSA_PEM} with a
// key of a type the world does not use.
func fillPolicy(t testing.TB, w *buildenvtest.World, text string) []byte {
	text = strings.ReplaceAll(text, "${OTHER_ECDSA_PEM}", jsonString(otherECDSAPEM()))
	return w.FillPolicy([]byte(text))
}

// txtar splits a case file into its description and sections.
func txtar(data []byte) (string, map[string][]byte) {
	files := map[string][]byte{}
	var desc strings.Builder
	var cur string
	var buf bytes.Buffer
	flush := func() {
		if cur != "" {
			files[cur] = bytes.Clone(buf.Bytes())
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			flush()
			cur = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			continue
		}
		if cur == "" {
			desc.WriteString(line)
		} else {
			buf.WriteString(line)
		}
	}
	flush()
	return strings.TrimSpace(desc.String()), files
}

// decodeYAML reads a harness file with the strict decoder policies use, so
// that a typo in an expectation is an error, not a silently absent check.
func decodeYAML(t *testing.T, data []byte, v any) {
	t.Helper()
	if _, err := docdecode.Decode(data, docdecode.YAML, v); err != nil {
		t.Fatalf("harness file: %v", err)
	}
}

// scenario builds the input of a case.
func scenario(t testing.TB, w *buildenvtest.World, ci caseInput) policy.Input {
	t.Helper()
	b, err := w.Build(buildenvtest.Options{Platform: ci.Platform, Tampers: ci.Tampers, Response: ci.Response})
	if err != nil {
		t.Fatalf("build scenario: %v", err)
	}
	roles := map[string][]byte{"provenance": b.Provenance, "image-provenance": b.ImageProvenance,
		"reference-values": b.ReferenceValues, "launch": b.Launch, "dispatch": b.Dispatch}
	drop := map[string]bool{}
	for _, r := range ci.Drop {
		if _, ok := roles[r]; !ok {
			t.Fatalf("unknown role %q to drop", r)
		}
		drop[string(roles[r])] = true
	}
	in := policy.Input{Name: firstOr(ci.Name, w.ArtifactName), PURL: ci.PURL, Artifact: b.ArtifactDigest,
		ResourceURI: ci.ResourceURI, Time: w.Now}
	if ci.Name == "-" {
		in.Name = ""
	}
	for _, a := range b.Attestations {
		if !drop[string(a)] {
			in.Attestations = append(in.Attestations, a)
		}
	}
	if !ci.NoEvidence {
		in.Evidence = b.Evidence
	}
	for _, x := range ci.Extra {
		eb, err := w.Build(buildenvtest.Options{Platform: x.Platform, Tampers: x.Tampers})
		if err != nil {
			t.Fatalf("build extra scenario: %v", err)
		}
		eroles := map[string][]byte{"provenance": eb.Provenance, "image-provenance": eb.ImageProvenance,
			"reference-values": eb.ReferenceValues, "launch": eb.Launch, "dispatch": eb.Dispatch}
		for _, r := range x.Roles {
			if eroles[r] != nil {
				in.Attestations = append(in.Attestations, eroles[r])
			}
		}
		in.Evidence = append(in.Evidence, eb.Evidence...)
	}
	if ci.TimeOffset != "" {
		d, err := time.ParseDuration(ci.TimeOffset)
		if err != nil {
			t.Fatal(err)
		}
		in.Time = in.Time.Add(d)
	}
	return in
}

func firstOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestCases(t *testing.T) {
	w := testWorld(t)
	base, err := os.ReadFile(filepath.Join("testdata", "cases", "base-policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	if len(files) < 20 {
		t.Fatalf("only %d case files", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			desc, sec := txtar(data)
			if desc == "" {
				t.Error("case has no description")
			}
			policyText := base
			if p, ok := sec["policy.yaml"]; ok {
				policyText = p
			}
			pol, err := policy.Parse(fillPolicy(t, w, string(policyText)))
			if err != nil {
				t.Fatalf("policy: %v", err)
			}
			var ci caseInput
			if in, ok := sec["input.yaml"]; ok {
				decodeYAML(t, in, &ci)
			}
			var want caseWant
			wantText, ok := sec["want.yaml"]
			if !ok {
				t.Fatal("case has no want.yaml")
			}
			decodeYAML(t, wantText, &want)
			res, err := pol.Evaluate(context.Background(), scenario(t, w, ci))
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			checkResult(t, res, want)
		})
	}
}

func checkResult(t *testing.T, res *policy.Result, want caseWant) {
	t.Helper()
	dump := func() string { return describe(res) }
	if string(res.Verdict) != want.Verdict {
		t.Errorf("verdict %s, want %s\n%s", res.Verdict, want.Verdict, dump())
	}
	if want.BuildLevel != nil && res.BuildLevel != *want.BuildLevel {
		t.Errorf("buildLevel %d, want %d", res.BuildLevel, *want.BuildLevel)
	}
	if want.BuildEnvLevel != nil && res.BuildEnvLevel != *want.BuildEnvLevel {
		t.Errorf("buildEnvLevel %d, want %d\n%s", res.BuildEnvLevel, *want.BuildEnvLevel, dump())
	}
	for id, outcome := range want.Checks {
		got := outcomes(res, id)
		if len(got) == 0 {
			t.Errorf("check %s not reported, want %s\n%s", id, outcome, dump())
			continue
		}
		found := false
		for _, g := range got {
			found = found || g == outcome
		}
		if !found {
			t.Errorf("check %s = %v, want %s\n%s", id, got, outcome, dump())
		}
	}
	open := map[threat.ID]bool{}
	for _, id := range res.OpenThreats {
		open[id] = true
	}
	for _, id := range want.Open {
		if !open[threat.ID(id)] {
			t.Errorf("threat %s should be open; open: %v", id, res.OpenThreats)
		}
	}
	for _, id := range want.Mitigated {
		if open[threat.ID(id)] {
			t.Errorf("threat %s should be mitigated; open: %v", id, res.OpenThreats)
		}
	}
	// Every result explains itself: a FAILED verdict has a failed required
	// check, a PASSED one has none.
	if (res.Verdict == policy.Failed) != (len(res.Failures()) > 0) {
		t.Errorf("verdict %s with %d failures", res.Verdict, len(res.Failures()))
	}
}

func outcomes(res *policy.Result, id string) []string {
	var out []string
	for _, c := range res.Checks {
		if c.ID != id {
			continue
		}
		o := string(c.Outcome)
		if c.Advisory && c.Outcome == buildtrust.Fail {
			o = "ADVISORY-FAIL"
		}
		out = append(out, o)
	}
	return out
}

func describe(res *policy.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict %s build L%d buildenv L%d\n", res.Verdict, res.BuildLevel, res.BuildEnvLevel)
	for _, c := range res.Checks {
		adv := ""
		if c.Advisory {
			adv = " (advisory)"
		}
		fmt.Fprintf(&b, "  %-14s %s%s %s %s\n", c.Outcome, c.ID, adv, c.Actual, c.Message)
	}
	ids := make([]string, 0)
	for _, i := range res.Ignored {
		ids = append(ids, i.Source+": "+i.Reason)
	}
	sort.Strings(ids)
	for _, s := range ids {
		fmt.Fprintf(&b, "  ignored %s\n", s)
	}
	return b.String()
}

// otherECDSAPEM is an ECDSA P-256 key nobody uses, for an untrusted AK.
func otherECDSAPEM() string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
