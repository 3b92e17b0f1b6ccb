package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

func mustVerifier(t *testing.T) *policy.Policy {
	t.Helper()
	pol, err := newVerifier()
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func evaluate(t *testing.T, pol *policy.Policy, s scenario) *policy.Result {
	t.Helper()
	artifact, envelope, err := build(context.Background(), s.name, s.edit)
	if err != nil {
		t.Fatal(err)
	}
	res, err := verify(context.Background(), pol, artifact, envelope)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func outcome(res *policy.Result, id string) buildtrust.Outcome {
	for _, c := range res.Checks {
		if c.ID == id {
			return c.Outcome
		}
	}
	return ""
}

func TestGenuineBuildPasses(t *testing.T) {
	res := evaluate(t, mustVerifier(t), scenarios[0])
	if !res.Passed() || res.BuildLevel != 3 {
		t.Fatalf("%s at L%d: %v", res.Verdict, res.BuildLevel, res.Err())
	}
	// The source checks ran, located by the profile: nothing about this
	// builder passed by being skipped.
	for _, id := range []string{"provenance.builder.signer", "provenance.source.repo", "provenance.source.ref",
		"provenance.configPath", "provenance.parameters", "policy.rule.hermetic", "policy.rule.pinned-toolchain",
		"policy.rule.isolated-cache"} {
		if got := outcome(res, id); got != buildtrust.Pass {
			t.Errorf("%s: %q, want PASS", id, got)
		}
	}
}

// Each violating build fails exactly its rule, naming the rule's threats;
// every other check still passes.
func TestEachViolationFailsItsRule(t *testing.T) {
	pol := mustVerifier(t)
	rules := map[string]policy.Rule{}
	for _, r := range pol.Document().Rules {
		rules[r.Name] = r
	}
	for _, s := range scenarios[1:] {
		t.Run(s.name, func(t *testing.T) {
			res := evaluate(t, pol, s)
			var ids []string
			for _, c := range res.Failures() {
				ids = append(ids, c.ID)
			}
			want := policy.CheckRulePrefix + s.rule
			if res.Passed() || !slices.Equal(ids, []string{want}) {
				t.Fatalf("%s, failures %v; want only %s", res.Verdict, ids, want)
			}
			rule, ok := rules[s.rule]
			if !ok {
				t.Fatalf("no rule %q in the policy", s.rule)
			}
			for _, id := range rule.Threats {
				if !errors.Is(res.Err(), threat.ID(id)) {
					t.Errorf("the failure does not name threat %s", id)
				}
			}
		})
	}
}

// Every rule the artifact entry requires has a build that violates it, so
// none of them is vacuous.
func TestEveryRuleIsExercised(t *testing.T) {
	doc := mustVerifier(t).Document()
	var exercised []string
	for _, s := range scenarios {
		if s.rule != "" {
			exercised = append(exercised, s.rule)
		}
	}
	for _, r := range doc.Artifacts[0].Rules {
		if !slices.Contains(exercised, r) {
			t.Errorf("rule %s has no violating build", r)
		}
	}
}

// The profile is what teaches the library this builder: without it, the
// source checks fail closed instead of passing unchecked.
func TestWithoutProfileSourceFailsClosed(t *testing.T) {
	doc := mustVerifier(t).Document()
	doc.Profiles = nil
	pol, err := policy.Compile(doc, policy.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := evaluate(t, pol, scenarios[0])
	if res.Passed() {
		t.Fatal("passed without a profile for the buildType")
	}
	for _, id := range []string{"provenance.source.repo", "provenance.source.ref", "provenance.configPath"} {
		if got := outcome(res, id); got != buildtrust.Fail {
			t.Errorf("%s: %q, want FAIL", id, got)
		}
	}
}

// The policy's profile is a provenance.Profile written as YAML: converted,
// it lets the provenance package verify this builder directly too.
func TestPolicyProfileIsAProvenanceProfile(t *testing.T) {
	doc := mustVerifier(t).Document()
	prof := provenance.Profile(doc.Profiles[0])
	artifact, envelope, err := build(context.Background(), "genuine", nil)
	if err != nil {
		t.Fatal(err)
	}
	digest, _, _ := buildtrust.Digest(bytes.NewReader(artifact), buildtrust.SHA256)
	key := mustPublic(t, builderKey())
	res, err := provenance.Verify(envelope, provenance.Expectations{
		Artifact:           digest,
		BuilderIDs:         []string{builderID},
		SourceRepository:   "git.acme.example/platform/widget",
		SourceVersionedTag: "v2",
		SourceCommit:       revision,
		ConfigPath:         recipeFile,
		Parameters:         map[string]provenance.ParameterRule{"/recipe/target": {Values: []any{target}}},
		IgnoreParameters:   []string{"/sandbox"},
		MinBuildLevel:      3,
	}, provenance.Options{
		TrustRoot: []provenance.TrustedBuilder{{ID: builderID, Signers: []provenance.SignerRule{provenance.SignedBy(key)}, MaxLevel: 3}},
		Profiles:  []provenance.Profile{prof},
		Now:       verifyTime,
	})
	if err != nil || !res.Passed() {
		t.Fatalf("provenance.Verify: %v", err)
	}
}

func mustPublic(t *testing.T, k ed25519.PrivateKey) *buildtrust.PublicKey {
	t.Helper()
	pub, err := buildtrust.NewPublicKey(k.Public(), buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// The key in the embedded policy is the builder's.
func TestPolicyTrustsTheBuilderKey(t *testing.T) {
	doc := mustVerifier(t).Document()
	inPolicy, err := buildtrust.ParsePublicKey([]byte(doc.Trust.Keys["hermetic-ci"].PEM), buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if inPolicy.ID() != mustPublic(t, builderKey()).ID() {
		t.Error("policy.yaml does not hold the builder's public key; regenerate it from builderKey()")
	}
}

// Provenance with the right content, signed by a key the policy does not
// trust for this builder, is no provenance (THREAT-F2).
func TestOtherSignerRejected(t *testing.T) {
	seed := sha256.Sum256([]byte("someone else"))
	signer, err := buildtrust.NewSigner(ed25519.NewKeyFromSeed(seed[:]), buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("widget, built elsewhere\n")
	digest, _, _ := buildtrust.Digest(bytes.NewReader(artifact), buildtrust.SHA256)
	env, err := provenance.Sign(context.Background(), genuineProvenance(),
		[]buildtrust.ResourceDescriptor{{Name: artifactName, Digest: digest}}, signer)
	if err != nil {
		t.Fatal(err)
	}
	envelope, _ := json.Marshal(env)
	res, err := verify(context.Background(), mustVerifier(t), artifact, envelope)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed() || outcome(res, policy.CheckProvenance) != buildtrust.Fail || !errors.Is(res.Err(), threat.F2) {
		t.Errorf("%s, policy.provenance %q: %v", res.Verdict, outcome(res, policy.CheckProvenance), res.Err())
	}
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), &out, ""); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if n := strings.Count(out.String(), "verdict: PASSED"); n != 1 {
		t.Errorf("%d passed builds, want 1:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), "verdict: FAILED"); n != len(scenarios)-1 {
		t.Errorf("%d failed builds, want %d", n, len(scenarios)-1)
	}
	out.Reset()
	if code := run(context.Background(), &out, "toolchain"); code != 0 || strings.Count(out.String(), "== ") != 1 {
		t.Errorf("-build toolchain: exit %d:\n%s", code, out.String())
	}
	if code := run(context.Background(), &out, "nonsense"); code != 2 {
		t.Errorf("unknown build: exit %d", code)
	}
}

// The toolchain rule fails closed on the layouts it does not describe: no
// dependencies at all, a toolchain without a digest, a second toolchain
// beside the approved one.
func TestPinnedToolchainEdgeCases(t *testing.T) {
	pol := mustVerifier(t)
	for name, edit := range map[string]func(*provenance.Provenance){
		"no dependencies": func(p *provenance.Provenance) { p.BuildDefinition.ResolvedDependencies = nil },
		"no digest": func(p *provenance.Provenance) {
			p.BuildDefinition.ResolvedDependencies[1].Digest = nil
		},
		"second toolchain": func(p *provenance.Provenance) {
			p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies, buildtrust.ResourceDescriptor{
				Name: "toolchain", URI: oldToolchainURI, Digest: buildtrust.DigestSet{buildtrust.SHA256: oldToolchainSHA256}})
		},
	} {
		res := evaluate(t, pol, scenario{name: name, edit: edit})
		if got := outcome(res, policy.CheckRulePrefix+"pinned-toolchain"); res.Passed() || got != buildtrust.Fail {
			t.Errorf("%s: %s, pinned-toolchain %q", name, res.Verdict, got)
		}
	}
}
