package policy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

func basePolicyText(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cases", "base-policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func basePolicy(t testing.TB, edit func(string) string) *policy.Policy {
	t.Helper()
	text := basePolicyText(t)
	if edit != nil {
		text = edit(text)
	}
	p, err := policy.Parse(fillPolicy(t, testWorld(t), text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func genuine(t testing.TB, o buildenvtest.Options) policy.Input {
	t.Helper()
	return scenario(t, testWorld(t), caseInput{Platform: o.Platform, Tampers: o.Tampers, Response: o.Response})
}

// Decoding reports every problem at once, each at its line and column.
func TestDecodeReportsEveryProblem(t *testing.T) {
	doc := `apiVersion: buildtrust.dev/policy/v1
trust:
  keyz: {}
  builders:
    - id: https://b.example/v1
      keys: [k]
      maxLevel: three
artifacts:
  - match: {names: ["*"]}
    buildLevel: 2
    buildLevel: 3
`
	_, err := policy.Decode([]byte(doc))
	var ps policy.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v", err)
	}
	want := []struct {
		line int
		err  error
	}{{3, policy.ErrUnknownField}, {7, policy.ErrType}, {11, policy.ErrDuplicateKey}}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for i, w := range want {
		if ps[i].Line != w.line || !errors.Is(ps[i].Err, w.err) {
			t.Errorf("problem %d = %v (line %d), want line %d %v", i, ps[i], ps[i].Line, w.line, w.err)
		}
	}
	if !errors.Is(err, policy.ErrInvalid) {
		t.Error("Problems does not unwrap to ErrInvalid")
	}
}

// Compile checks the document as a whole and reports every semantic
// problem, with its location when the policy came from text.
func TestCompileReportsEveryProblem(t *testing.T) {
	doc := `apiVersion: buildtrust.dev/policy/v2
trust:
  keys:
    k: {pem: "not a key"}
  builders:
    - id: https://b.example/v1
      keys: [missing]
      maxLevel: 5
artifacts:
  - match: {names: ["*"]}
    provenance:
      builders: [https://other.example/v1]
    buildLevel: 3
    buildEnvLevel: 2
    rules: [nope]
rules:
  - name: bad
    expr: "provenance.x +"
    threats: [Z9]
`
	_, err := policy.Parse([]byte(doc))
	var ps policy.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v", err)
	}
	wantPaths := []string{"/apiVersion", "/trust/keys/k/pem", "/trust/builders/0/keys/0", "/trust/builders/0/maxLevel",
		"/artifacts/0/provenance/builders/0", "/artifacts/0/provenance/sourceRepository", "/artifacts/0/environment",
		"/artifacts/0/rules/0", "/rules/0/threats/0", "/rules/0/expr"}
	got := map[string]policy.Problem{}
	for _, p := range ps {
		got[p.Path] = p
	}
	for _, w := range wantPaths {
		p, ok := got[w]
		if !ok {
			t.Errorf("no problem at %s; got:\n%v", w, err)
			continue
		}
		if p.Line == 0 {
			t.Errorf("problem at %s has no line", w)
		}
	}
	// Problems come in document order.
	for i := 1; i < len(ps); i++ {
		if ps[i].Line < ps[i-1].Line {
			t.Errorf("problems out of order: %v before %v", ps[i-1], ps[i])
		}
	}
}

// AK roots that do not all parse as certificates are a problem, never
// silently dropped.
func TestAKRootsMustParse(t *testing.T) {
	w := testWorld(t)
	for name, roots := range map[string]string{
		"garbage":       "not pem",
		"bad cert":      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"cert then key": string(w.AKRootPEM) + w.AKPEM,
	} {
		text := strings.Replace(basePolicyText(t), "    akKeys: [ak]", "    akRootsPEM: "+jsonString(roots), 1)
		_, err := policy.Parse(fillPolicy(t, w, text))
		var ps policy.Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "/trust/tpm/akRootsPEM" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A JSON policy decodes like its YAML twin.
func TestJSONPolicy(t *testing.T) {
	yamlPol := basePolicy(t, nil)
	doc := yamlPol.Document()
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(js)
	if err != nil {
		t.Fatalf("JSON policy: %v", err)
	}
	res, err := p.Evaluate(context.Background(), genuine(t, buildenvtest.Options{}))
	if err != nil || !res.Passed() || res.BuildEnvLevel != 3 {
		t.Fatalf("JSON policy: %v %+v", err, res)
	}
}

func TestEvaluateInput(t *testing.T) {
	p := basePolicy(t, nil)
	in := genuine(t, buildenvtest.Options{})
	for name, mutate := range map[string]func(*policy.Input){
		"no time":     func(in *policy.Input) { in.Time = time.Time{} },
		"no digest":   func(in *policy.Input) { in.Artifact = nil },
		"bad digest":  func(in *policy.Input) { in.Artifact = buildtrust.DigestSet{"sha256": "xyz"} },
		"many inputs": func(in *policy.Input) { in.Evidence = make([][]byte, 5000) },
		"too many bytes together": func(in *policy.Input) {
			big := make([]byte, 48<<20) // one buffer, three times: over 128 MiB in all
			in.Evidence = [][]byte{big, big, big}
		},
	} {
		x := in
		mutate(&x)
		if _, err := p.Evaluate(context.Background(), x); !errors.Is(err, policy.ErrInput) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Garbage attestations are ignored with a reason, never fatal.
	in.Attestations = append(in.Attestations, []byte("not json"), []byte(`{"payloadType":"x","payload":"","signatures":[{"sig":"AA=="}]}`))
	res, err := p.Evaluate(context.Background(), in)
	if err != nil || !res.Passed() {
		t.Fatalf("%v %v", err, res.Err())
	}
	if len(res.Ignored) < 2 {
		t.Errorf("ignored = %+v", res.Ignored)
	}
	// The artifact swapped after the build: no provenance matches it (F3).
	in.Artifact = buildtrust.DigestSet{"sha256": strings.Repeat("ab", 32)}
	res, _ = p.Evaluate(context.Background(), in)
	if res.Passed() || !errors.Is(res.Err(), threat.F2) {
		t.Errorf("swapped artifact: %v", res.Err())
	}
}

// The Result becomes a VSA that the vsa package's consumer procedure
// accepts, naming the policy and every input (VSA-VER-1…8).
func TestVSAOut(t *testing.T) {
	w := testWorld(t)
	p := basePolicy(t, nil)
	in := genuine(t, buildenvtest.Options{})
	in.ResourceURI = "https://registry.example.com/acme/app-1.0.0-linux-amd64.tar.gz"
	res, err := p.Evaluate(context.Background(), in)
	if err != nil || !res.Passed() {
		t.Fatal(err, res.Err())
	}
	env, err := p.SignVSA(context.Background(), res, policy.VSAOptions{VerifierVersion: map[string]string{"buildtrust": "test"}}, w.Verifier.Signer)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(env)
	v, err := vsa.Verify(raw, vsa.Options{
		Verifiers:      map[string][]*buildtrust.PublicKey{"https://verifier.example.com/registry-admission/v1": {w.Verifier.Public}},
		Subject:        in.Artifact,
		ResourceURI:    in.ResourceURI,
		RequiredLevels: []string{"SLSA_BUILD_LEVEL_3", vsa.BuildEnvLevel(3)},
		PolicyURI:      "https://policies.example.com/acme-release.yaml",
		PolicyDigest:   p.Digest(),
	})
	if err != nil {
		t.Fatalf("vsa.Verify: %v", err)
	}
	if got := len(v.Predicate.InputAttestations); got != len(in.Attestations) {
		t.Errorf("%d input attestations, want %d", got, len(in.Attestations))
	}
	if !v.Predicate.TimeVerified.Equal(in.Time) {
		t.Errorf("timeVerified %v", v.Predicate.TimeVerified)
	}
	svr, err := p.SVR(res)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := vsa.ParseSVR(svr)
	if err != nil || !parsed.Has(vsa.BuildEnvLevel(3)) {
		t.Errorf("SVR: %v %+v", err, parsed)
	}

	// A failed evaluation makes a FAILED VSA, and no SVR.
	in.Attestations = in.Attestations[1:]
	res, _ = p.Evaluate(context.Background(), in)
	st, err := p.VSA(res, policy.VSAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pv, _ := vsa.Parse(st)
	if pv.Predicate.VerificationResult != vsa.Failed || len(pv.Predicate.VerifiedLevels) != 1 || pv.Predicate.VerifiedLevels[0] != vsa.FailedResult {
		t.Errorf("failed VSA: %+v", pv.Predicate)
	}
	if _, err := p.SVR(res); err == nil {
		t.Error("SVR of a failed result")
	}
	// No resourceUri: no VSA (VSA-5).
	res.Artifact.ResourceURI = ""
	if _, err := p.VSA(res, policy.VSAOptions{}); !errors.Is(err, policy.ErrInput) {
		t.Errorf("VSA without resourceUri: %v", err)
	}
}

// A VSA from a trusted verifier stands in for provenance and environment
// checks; one from anybody else does not (THREAT-G2), nor one for another
// resource (THREAT-G4).
func TestVSAStandIn(t *testing.T) {
	w := testWorld(t)
	full := basePolicy(t, nil)
	in := genuine(t, buildenvtest.Options{})
	in.ResourceURI = "https://registry.example.com/app.tar.gz"
	res, err := full.Evaluate(context.Background(), in)
	if err != nil || !res.Passed() {
		t.Fatal(err, res.Err())
	}
	sign := func(s buildtrust.Signer) []byte {
		env, err := full.SignVSA(context.Background(), res, policy.VSAOptions{}, s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(env)
		return b
	}
	downstream := basePolicy(t, func(s string) string {
		i := strings.Index(s, "artifacts:")
		j := strings.Index(s, "environments:")
		return s[:i] + `artifacts:
  - match: {names: ["app-*.tar.gz"]}
    acceptVSAs: {maxAge: 24h}
    buildLevel: 3
    buildEnvLevel: 3
    environment: attested
` + s[j:]
	})
	for _, tc := range []struct {
		name   string
		vsa    []byte
		uri    string
		passed bool
		threat threat.ID
	}{
		{"trusted", sign(w.Verifier.Signer), in.ResourceURI, true, ""},
		{"untrusted verifier", sign(w.Other.Signer), in.ResourceURI, false, threat.G2},
		{"other resource", sign(w.Verifier.Signer), "https://registry.example.com/other.tar.gz", false, threat.G4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := downstream.Evaluate(context.Background(), policy.Input{Name: w.ArtifactName, Artifact: in.Artifact,
				ResourceURI: tc.uri, Attestations: [][]byte{tc.vsa}, Time: w.Now.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if r.Passed() != tc.passed {
				t.Fatalf("passed = %v\n%s", r.Passed(), describe(r))
			}
			if tc.passed && (r.BuildLevel != 3 || r.BuildEnvLevel != 3) {
				t.Errorf("levels %d/%d", r.BuildLevel, r.BuildEnvLevel)
			}
			if !tc.passed && !errors.Is(r.Err(), tc.threat) {
				t.Errorf("err %v does not name %s", r.Err(), tc.threat)
			}
		})
	}
}

// Builder assessments: the complete Build L3 assessment keeps the builder at
// L3; the incomplete, expired, self-attested or untrusted ones cap it at L2
// (PROV-VER-10, ASSESS-H1).
func TestAssessments(t *testing.T) {
	w := testWorld(t)
	p := basePolicy(t, func(s string) string {
		s = strings.Replace(s, "      maxLevel: 3\n  imageBuilders:", "      maxLevel: 3\n      assessment: {thirdParty: true}\n  imageBuilders:", 1)
		s = strings.Replace(s, "    verifier: {pem: ${VERIFIER_PEM}}", "    verifier: {pem: ${VERIFIER_PEM}}\n    assessor: {pem: ${OTHER_PEM}}", 1)
		return strings.Replace(s, "  launchSigners:", "  assessors:\n    - id: https://assessor.example.com/slsa-audits\n      keys: [assessor]\n  launchSigners:", 1)
	})
	read := func(name string) policy.AssessmentPredicate {
		b, err := os.ReadFile(filepath.Join("testdata", "assessments", name))
		if err != nil {
			t.Fatal(err)
		}
		var a policy.AssessmentPredicate
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	// signRaw signs a predicate without NewAssessment's checks, as a sloppy
	// or hostile assessor could.
	signRaw := func(a policy.AssessmentPredicate, s buildtrust.Signer) []byte {
		sum, _, _ := buildtrust.Digest(strings.NewReader(a.Builder.ID))
		st, err := buildtrust.NewStatement(policy.AssessmentPredicateType, a, buildtrust.ResourceDescriptor{URI: a.Builder.ID, Digest: sum})
		if err != nil {
			t.Fatal(err)
		}
		env, err := buildtrust.SignStatement(context.Background(), st, s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(env)
		return b
	}
	complete := read("build-l3-complete.json")
	if _, err := policy.NewAssessment(read("build-l3-incomplete.json")); !errors.Is(err, threat.ErrUnansweredPrompt) {
		t.Errorf("NewAssessment(incomplete) = %v", err)
	}
	signed, err := policy.SignAssessment(context.Background(), complete, w.Other.Signer)
	if err != nil {
		t.Fatal(err)
	}
	self := complete
	self.Assessor, self.SelfAttested = nil, true
	otherBuilder := complete
	otherBuilder.Builder.ID = "https://build.example.com/other/v1"
	for _, tc := range []struct {
		name  string
		att   []byte
		level int
	}{
		{"complete", signed, 3},
		{"none", nil, 2},
		{"incomplete", signRaw(read("build-l3-incomplete.json"), w.Other.Signer), 2},
		{"untrusted assessor", signRaw(complete, w.Verifier.Signer), 2},
		{"self-attested", signRaw(self, w.Other.Signer), 2},
		{"other builder", signRaw(otherBuilder, w.Other.Signer), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := genuine(t, buildenvtest.Options{})
			if tc.att != nil {
				in.Attestations = append(in.Attestations, tc.att)
			}
			res, err := p.Evaluate(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if res.BuildLevel != tc.level || res.Passed() != (tc.level == 3) {
				t.Fatalf("level %d passed %v, want level %d\n%s", res.BuildLevel, res.Passed(), tc.level, describe(res))
			}
			if got := outcomes(res, policy.CheckAssessment); len(got) != 1 || (got[0] == "PASS") != (tc.level == 3) {
				t.Errorf("assessment check %v", got)
			}
		})
	}
	// Expired: the same complete assessment, a year later.
	in := genuine(t, buildenvtest.Options{})
	in.Attestations = append(in.Attestations, signed)
	in.Time = in.Time.AddDate(1, 0, 0)
	res, _ := p.Evaluate(context.Background(), in)
	if got := outcomes(res, policy.CheckAssessment); res.BuildLevel != 2 || len(got) != 1 || got[0] != "FAIL" {
		t.Errorf("expired assessment accepted:\n%s", describe(res))
	}
}

// A policy without BuildEnv requirements leaves E7–E10 open; the base
// policy mitigates them. The table names the checks.
func TestCoverage(t *testing.T) {
	full := basePolicy(t, nil)
	none := basePolicy(t, func(s string) string {
		return strings.Replace(strings.Replace(s, "    buildEnvLevel: 3\n", "", 1), "    environment: attested\n", "", 1)
	})
	isOpen := func(c policy.ArtifactCoverage, id threat.ID) bool {
		for _, t := range c.Open {
			if t.ID == id {
				return true
			}
		}
		return false
	}
	fc, nc := full.Coverage()[0], none.Coverage()[0]
	for _, id := range []threat.ID{threat.E7, threat.E8, threat.E9, threat.E10} {
		if isOpen(fc, id) {
			t.Errorf("%s open under the full policy", id)
		}
		if !isOpen(nc, id) {
			t.Errorf("%s mitigated without BuildEnv requirements", id)
		}
	}
	for _, id := range []threat.ID{threat.D1, threat.D2, threat.D3, threat.F3, threat.F4} {
		if isOpen(fc, id) || isOpen(nc, id) {
			t.Errorf("%s open", id)
		}
	}
	var buf bytes.Buffer
	if err := policy.WriteCoverage(&buf, full.Coverage()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"E10", "buildenv.hardware", "open", "mitigated"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("coverage table lacks %q:\n%s", want, buf.String())
		}
	}
}

// Monotonic (ITE-PR-4): adding the attestations of any broken variant to a
// genuine bundle never turns PASSED into FAILED, and a tampered bundle on
// its own never passes.
func TestMonotonic(t *testing.T) {
	w := testWorld(t)
	p := basePolicy(t, nil)
	for name := range buildenvtest.Tampers() {
		t.Run(name, func(t *testing.T) {
			bad := scenario(t, w, caseInput{Tampers: []string{name}})
			res, err := p.Evaluate(context.Background(), bad)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed() && name != "response-other" {
				t.Errorf("tamper %s passed on its own\n%s", name, describe(res))
			}
			good := genuine(t, buildenvtest.Options{})
			in := good
			in.Attestations = append(slices.Clone(good.Attestations), bad.Attestations...)
			in.Evidence = append(slices.Clone(good.Evidence), bad.Evidence...)
			res, err = p.Evaluate(context.Background(), in)
			if err != nil || !res.Passed() || res.BuildEnvLevel != 3 {
				t.Errorf("genuine + %s: passed=%v level=%d\n%s", name, res.Passed(), res.BuildEnvLevel, describe(res))
			}
			// The order of the inputs does not matter: the broken chain
			// first is replaced by the genuine one, check for check.
			first := in
			first.Attestations = append(slices.Clone(bad.Attestations), good.Attestations...)
			again, err := p.Evaluate(context.Background(), first)
			if err != nil || again.Verdict != res.Verdict || again.BuildEnvLevel != res.BuildEnvLevel || !slices.Equal(checkList(again), checkList(res)) {
				t.Errorf("%s + genuine: %v, L%d\n%s\nwant, as genuine + %[1]s:\n%s", name, again.Verdict, again.BuildEnvLevel, describe(again), describe(res))
			}
		})
	}
}

// checkList lists each check of r by ID, outcome and whether it is advisory.
func checkList(r *policy.Result) []string {
	var out []string
	for _, c := range r.Checks {
		out = append(out, fmt.Sprintf("%s %s advisory=%v", c.ID, c.Outcome, c.Advisory))
	}
	return out
}

// Every threat a BuildEnv check mitigates has an attack that the policy
// rejects naming that threat.
func TestThreatsRejected(t *testing.T) {
	w := testWorld(t)
	p := basePolicy(t, nil)
	attacks := map[threat.ID]caseInput{
		threat.E7:  {Tampers: []string{"dispatch-wrong-key"}},
		threat.E8:  {Tampers: []string{"image-untrusted"}},
		threat.E9:  {Tampers: []string{"kernel"}},
		threat.E10: {Tampers: []string{"debug-tee"}},
		threat.F2:  {Drop: []string{"provenance"}},
	}
	for id, ci := range attacks {
		res, err := p.Evaluate(context.Background(), scenario(t, w, ci))
		if err != nil {
			t.Fatal(err)
		}
		if res.Passed() || !errors.Is(res.Err(), id) {
			t.Errorf("%s: passed=%v err=%v", id, res.Passed(), res.Err())
		}
	}
}

// Evidence is found by the SHA-256 its descriptor names, computed over the
// bytes supplied: a blob changed by one bit is not the blob the launch
// attested, and the link that needs it fails (scai.evidence, E9/E10).
func TestEvidenceAlteredRejected(t *testing.T) {
	p := basePolicy(t, nil)
	in := genuine(t, buildenvtest.Options{})
	if len(in.Evidence) == 0 {
		t.Fatal("the genuine bundle supplies no evidence blobs")
	}
	// First the genuine bundle, so that the Policy knows its recurring
	// blobs (the chip's certificates): altered ones must still be hashed.
	if res, err := p.Evaluate(context.Background(), in); err != nil || !res.Passed() {
		t.Fatalf("genuine: %v\n%s", err, describe(res))
	}
	for i := range in.Evidence {
		bad := in
		bad.Evidence = slices.Clone(in.Evidence)
		bad.Evidence[i] = bytes.Clone(in.Evidence[i])
		bad.Evidence[i][len(bad.Evidence[i])/2] ^= 1
		res, err := p.Evaluate(context.Background(), bad)
		if err != nil {
			t.Fatal(err)
		}
		if res.Passed() || res.BuildEnvLevel == 3 {
			t.Errorf("blob %d altered: passed=%v level=%d", i, res.Passed(), res.BuildEnvLevel)
		}
	}
	if res, err := p.Evaluate(context.Background(), in); err != nil || !res.Passed() {
		t.Fatalf("genuine: %v\n%s", err, describe(res))
	}
}

// The Result lists every piece of evidence a passing chain relied on by its
// SHA-256: the blobs supplied beside the attestations and the content
// inlined in the launch, each exactly once.
func TestEvidenceListedByDigest(t *testing.T) {
	for _, platform := range []string{"sev-snp", "tdx"} {
		t.Run(platform, func(t *testing.T) {
			w := testWorld(t)
			b, err := w.Build(buildenvtest.Options{Platform: platform})
			if err != nil {
				t.Fatal(err)
			}
			l, err := b.LaunchAttestation()
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, rd := range append(l.MeasuredBoot.Pieces(), l.TEE.Pieces()...) {
				d := rd.Digest[buildtrust.SHA256]
				if rd.Content != nil {
					sum := sha256.Sum256(rd.Content)
					d = hex.EncodeToString(sum[:])
				}
				want[d] = true
			}
			in := policy.Input{Name: w.ArtifactName, Artifact: b.ArtifactDigest, Attestations: b.Attestations, Evidence: b.Evidence, Time: w.Now}
			res, err := basePolicy(t, nil).Evaluate(context.Background(), in)
			if err != nil || !res.Passed() {
				t.Fatalf("genuine bundle: %v", err)
			}
			got := map[string]bool{}
			for _, a := range res.Attestations {
				if a.Role == "evidence" {
					if got[a.Digest[buildtrust.SHA256]] {
						t.Errorf("evidence %s listed twice", a.Digest)
					}
					got[a.Digest[buildtrust.SHA256]] = true
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("evidence listed %v, want %v", got, want)
			}
		})
	}
}
