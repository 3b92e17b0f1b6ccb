package policy_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

var updateThreats = flag.Bool("update-threats", false, "rewrite THREATS.md from the conformance suite")

// The threat conformance suite: for every catalog threat that a check of
// this library mitigates, the attack is built with the producer APIs and
// the fake hardware of internal/buildenvtest, evaluated by a policy that
// requires what the threat's mitigation needs, and must be rejected by a
// required check that names the threat. THREATS.md is generated from this
// table (go test ./policy -run TestThreatConformance -update-threats).
type conformanceCase struct {
	threat threat.ID
	attack string
	// check is the check that must fail naming the threat.
	check string
	build func(t *testing.T) (*policy.Policy, policy.Input)
}

// conformanceCases lists the attacks. Several threats share a mechanism
// (the Build-level threats E1, E3–E6 are all stopped by trusting a builder
// only at the level it was assessed at); each still has its own case.
func conformanceCases() []conformanceCase {
	prov := func(edit func(*provenance.Provenance, *[]buildtrust.ResourceDescriptor)) func(t *testing.T) (*policy.Policy, policy.Input) {
		return func(t *testing.T) (*policy.Policy, policy.Input) {
			return provenanceOnlyPolicy(t, nil), provenanceInput(t, edit, nil)
		}
	}
	levelTwo := func(t *testing.T) (*policy.Policy, policy.Input) {
		p := provenanceOnlyPolicy(t, func(s string) string {
			return strings.Replace(s, "keys: [builder]\n      maxLevel: 3", "keys: [builder]\n      maxLevel: 2", 1)
		})
		return p, provenanceInput(t, nil, nil)
	}
	env := func(tamper string) func(t *testing.T) (*policy.Policy, policy.Input) {
		return func(t *testing.T) (*policy.Policy, policy.Input) {
			return basePolicy(t, nil), genuine(t, buildenvtest.Options{Tampers: []string{tamper}})
		}
	}
	other := func(t *testing.T) buildtrust.Signer { return testWorld(t).Other.Signer }
	return []conformanceCase{
		{threat.D1, "the trusted builder built a fork: externalParameters.source names git.example.com/mallory/app",
			provenance.CheckSourceRepo, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.BuildDefinition.ExternalParameters["source"] = "git+https://git.example.com/mallory/app@" + buildenvtest.SourceRef
			})},
		{threat.D2, "the build ran from an unofficial branch (refs/heads/experiment) of the right repository",
			provenance.CheckSourceRef, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.BuildDefinition.ExternalParameters["source"] = "git+https://" + buildenvtest.SourceRepo + "@refs/heads/experiment"
			})},
		{threat.D3, "the build followed another build file (build/debug.mk) than the policy's",
			provenance.CheckConfigPath, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.BuildDefinition.ExternalParameters["config"] = "build/debug.mk"
			})},
		{threat.D4, "the build took an extra, unexpected parameter (cflags: -DBACKDOOR)",
			provenance.CheckParameters, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.BuildDefinition.ExternalParameters["cflags"] = "-DBACKDOOR"
			})},
		{threat.D5, "the build ran from a local, modifiable checkout (file:///workspace/app) instead of the repository",
			provenance.CheckSourceRepo, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.BuildDefinition.ExternalParameters["source"] = "git+file:///workspace/app@" + buildenvtest.SourceRef
			})},
		{threat.E1, "provenance from a builder the policy trusts only at Build L2, whose tenants could forge provenance values",
			policy.CheckBuildLevel, levelTwo},
		{threat.E3, "provenance from a Build L2 builder, where the project owner can influence the build platform",
			policy.CheckBuildLevel, levelTwo},
		{threat.E4, "provenance from a Build L2 builder, without isolation from other builds",
			policy.CheckBuildLevel, levelTwo},
		{threat.E5, "provenance from a Build L2 builder, whose signing secrets the build may reach",
			policy.CheckBuildLevel, levelTwo},
		{threat.E6, "provenance from a Build L2 builder, with a build cache other builds can poison",
			policy.CheckBuildLevel, levelTwo},
		{threat.E7, "the control plane dispatched the build to another environment: the dispatch names another build ID",
			policy.CheckEnvDispatchBuildID, env("dispatch-other-build")},
		{threat.E8, "the environment booted an image nobody attested (another image digest)",
			policy.CheckEnvImage, env("wrong-image")},
		{threat.E9, "the image's kernel was replaced at rest: the TPM measured a kernel other than the reference value",
			policy.CheckEnvBootComponent + "kernel", env("kernel")},
		{threat.E10, "the TEE guest runs with debugging enabled: the host can read and write its memory",
			"tee.sevsnp.debug", env("debug-tee")},
		{threat.DEP_2, "the build used another compiler than the one the policy pins (resolvedDependencies names another digest)",
			provenance.CheckDependencies, pinnedCase("https://toolchains.example.com/gcc-14.2.tar.xz", strings.Repeat("66", 32))},
		{threat.DEP_3, "a library fetched during the build is not the pinned release (another digest at the same URI)",
			provenance.CheckDependencies, pinnedCase("https://deps.example.com/libfoo-1.4.tar.gz", strings.Repeat("77", 32))},
		{threat.F1, "provenance signed with a trusted key but naming a builder the policy does not trust",
			provenance.CheckBuilderID, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.RunDetails.Builder.ID = "https://ci.attacker.example/runner/v1"
			})},
		{threat.F2, "the artifact comes with no provenance at all",
			policy.CheckProvenance, func(t *testing.T) (*policy.Policy, policy.Input) {
				in := provenanceInput(t, nil, nil)
				in.Attestations = nil
				return provenanceOnlyPolicy(t, nil), in
			}},
		{threat.F3, "the artifact was swapped after the build: the genuine provenance is about other bytes",
			provenance.CheckSubject, func(t *testing.T) (*policy.Policy, policy.Input) {
				in := provenanceInput(t, nil, nil)
				in.Artifact = digestOf(t, []byte("app 1.0.0 — with a backdoor"))
				return provenanceOnlyPolicy(t, nil), in
			}},
		{threat.F4, "the provenance was edited after signing (its payload no longer matches the signature)",
			provenance.CheckBuilderSigner, func(t *testing.T) (*policy.Policy, policy.Input) {
				in := provenanceInput(t, nil, nil)
				in.Attestations = [][]byte{editPayload(t, in.Attestations[0], "build/release.mk", "build/evil.mk")}
				return provenanceOnlyPolicy(t, nil), in
			}},
		{threat.G1, "the package was built by untrusted CI/CD: its provenance names a builder the registry does not trust",
			provenance.CheckBuilderID, prov(func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
				p.RunDetails.Builder.ID = "https://ci.attacker.example/runner/v1"
			})},
		{threat.G2, "a VSA for the artifact issued by a verifier the policy does not trust",
			vsa.CheckSignature, vsaCase(other, "")},
		{threat.G3, "the package is uploaded with neither provenance nor a VSA",
			policy.CheckProvenance, func(t *testing.T) (*policy.Policy, policy.Input) {
				in := provenanceInput(t, nil, nil)
				in.Attestations = nil
				return provenanceOnlyPolicy(t, nil), in
			}},
		{threat.G4, "a genuine VSA of another package (another resourceUri) is presented with this one",
			vsa.CheckResourceURI, vsaCase(nil, "https://registry.example.com/acme/other-1.0.0.tar.gz")},
		{threat.G5, "the package was replaced after upload: the provenance served with it is about other bytes",
			provenance.CheckSubject, func(t *testing.T) (*policy.Policy, policy.Input) {
				in := provenanceInput(t, nil, nil)
				in.Artifact = digestOf(t, []byte("a replaced package"))
				return provenanceOnlyPolicy(t, nil), in
			}},
		{threat.G6, "the provenance served with the package was tampered with after signing",
			provenance.CheckBuilderSigner, func(t *testing.T) (*policy.Policy, policy.Input) {
				in := provenanceInput(t, nil, nil)
				in.Attestations = [][]byte{editPayload(t, in.Attestations[0], buildenvtest.SourceRepo, "git.example.com/mallory/app")}
				return provenanceOnlyPolicy(t, nil), in
			}},
		{threat.V2, "the provenance names the artifact by SHA-1 only, a digest open to collisions",
			provenance.CheckSubject, func(t *testing.T) (*policy.Policy, policy.Input) {
				art := []byte("app 1.0.0")
				sum := sha1.Sum(art)
				sha1Hex := hex.EncodeToString(sum[:])
				in := provenanceInput(t, func(_ *provenance.Provenance, subjects *[]buildtrust.ResourceDescriptor) {
					(*subjects)[0].Digest = buildtrust.DigestSet{"sha1": sha1Hex}
				}, art)
				in.Artifact["sha1"] = sha1Hex // the consumer knows it too: still not enough
				return provenanceOnlyPolicy(t, nil), in
			}},
	}
}

// pinnedCase is a policy pinning a toolchain and a library by digest, and
// a build whose resolvedDependencies list uri with digest instead (uri "":
// every dependency as pinned).
func pinnedCase(uri, digest string) func(t *testing.T) (*policy.Policy, policy.Input) {
	return func(t *testing.T) (*policy.Policy, policy.Input) {
		p := provenanceOnlyPolicy(t, func(s string) string {
			return strings.Replace(s, "      configPath: build/release.mk\n", "      configPath: build/release.mk\n"+pinnedDependencies, 1)
		})
		return p, provenanceInput(t, func(p *provenance.Provenance, _ *[]buildtrust.ResourceDescriptor) {
			deps := []buildtrust.ResourceDescriptor{
				{URI: "https://toolchains.example.com/gcc-14.2.tar.xz", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("11", 32)}},
				{URI: "https://deps.example.com/libfoo-1.4.tar.gz", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("22", 32)}},
			}
			for i := range deps {
				if deps[i].URI == uri {
					deps[i].Digest = buildtrust.DigestSet{buildtrust.SHA256: digest}
				}
			}
			p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies, deps...)
		}, nil)
	}
}

// pinnedDependencies are the dependency expectations of the DEP cases.
const pinnedDependencies = `      dependencies:
        - {uri: "https://toolchains.example.com/*", digests: [{sha256: "1111111111111111111111111111111111111111111111111111111111111111"}], required: true}
        - {uri: "https://deps.example.com/libfoo-*", digests: [{sha256: "2222222222222222222222222222222222222222222222222222222222222222"}]}
`

// outOfScope are the catalog threats no check of this library mitigates,
// with the reason. TestThreatConformance requires every catalog threat to
// be in exactly one of the two lists.
var outOfScope = map[string]string{
	"A1":    "source threats (A–C) are mitigated by the source platform's controls (SLSA Source track), not by verifying a build: out of scope",
	"B":     "source review and change-management threats: the SLSA Source track; a policy can only pin repository, ref and commit (D1, D2)",
	"C1":    "source platform (SCM) compromise: outside what build attestations can show",
	"C2":    "source platform (SCM) compromise: outside what build attestations can show",
	"E2":    "SLSA lists it as not a problem: the consumer computes the artifact's digest itself, so a forged output digest fails to match (provenance.subject, as in the F3 case)",
	"H1":    "package selection (dependency confusion) happens in the consumer's resolver before verification; Artifact.Match pins names but does not resolve",
	"H2":    "typosquatting is a consumer's choice of name: out of scope",
	"I1":    "improper usage of a correct artifact: out of scope",
	"DEP-1": "a vulnerable dependency is a matter of vulnerability data, not of how the artifact was built: out of scope",
	"DEP-4": "dependencies used at run time are outside the build: out of scope",
	"AV":    "availability threats (deleted code, de-listed artifacts or provenance) cannot be shown by signatures: out of scope",
	"V1":    "tampering with the recorded expectations is guarded by how the policy is distributed; the VSA records the policy's digest so a change is visible, but no check can detect it",
}

func outOfScopeReason(id threat.ID) (string, bool) {
	s := string(id)
	if r, ok := outOfScope[s]; ok {
		return r, true
	}
	for _, prefix := range []string{"B", "AV"} {
		if strings.HasPrefix(s, prefix) && (len(s) == len(prefix) || s[len(prefix)] == '-' || (s[len(prefix)] >= '0' && s[len(prefix)] <= '9')) {
			return outOfScope[prefix], true
		}
	}
	return "", false
}

// TestThreatConformance runs the suite and checks that THREATS.md is the
// table it generates.
func TestThreatConformance(t *testing.T) {
	// The scenarios the attacks start from pass: each attack, not its
	// setting, is what gets rejected.
	for name, build := range map[string]func(*testing.T) (*policy.Policy, policy.Input){
		"genuine provenance": func(t *testing.T) (*policy.Policy, policy.Input) {
			return provenanceOnlyPolicy(t, nil), provenanceInput(t, nil, nil)
		},
		"genuine BuildEnv L3": func(t *testing.T) (*policy.Policy, policy.Input) {
			return basePolicy(t, nil), genuine(t, buildenvtest.Options{})
		},
		"genuine VSA":                 vsaCase(nil, ""),
		"genuine pinned dependencies": pinnedCase("", ""),
	} {
		t.Run(name, func(t *testing.T) {
			p, in := build(t)
			res, err := p.Evaluate(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed() {
				t.Fatalf("not accepted:\n%s", describe(res))
			}
		})
	}

	cases := conformanceCases()
	fired := map[threat.ID][]string{} // threat → IDs of failed checks naming it
	for _, c := range cases {
		t.Run(string(c.threat), func(t *testing.T) {
			p, in := c.build(t)
			res, err := p.Evaluate(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed() {
				t.Fatalf("%s: attack accepted", c.attack)
			}
			var named []string
			for _, f := range res.Failures() {
				if slices.Contains(f.Threats, c.threat) {
					named = append(named, f.ID)
				}
			}
			if !slices.Contains(named, c.check) {
				t.Fatalf("%s: no failed %s naming %s; checks naming it: %v\n%s", c.attack, c.check, c.threat, named, describe(res))
			}
			fired[c.threat] = named
		})
	}

	// Every catalog threat is either tested here or out of scope, not both.
	tested := map[threat.ID]bool{}
	for _, c := range cases {
		if tested[c.threat] {
			t.Errorf("%s has two cases", c.threat)
		}
		tested[c.threat] = true
	}
	for _, th := range threat.All() {
		_, out := outOfScopeReason(th.ID)
		switch {
		case tested[th.ID] && out:
			t.Errorf("%s is tested and listed as out of scope", th.ID)
		case !tested[th.ID] && !out:
			t.Errorf("%s (%s) is neither tested nor out of scope", th.ID, th.Title)
		}
	}
	if t.Failed() {
		return
	}

	table := threatTable(cases, fired)
	path := filepath.Join("..", "THREATS.md")
	readmePath := filepath.Join("..", "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	newReadme, ok := replaceBlock(readme, readmeThreatSummary(cases))
	if !ok {
		t.Fatalf("README.md lacks the %s … %s block", readmeBegin, readmeEnd)
	}
	if *updateThreats {
		if err := os.WriteFile(path, table, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(readmePath, newReadme, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, table) {
		t.Errorf("THREATS.md is not the table the suite generates; run: go test ./policy -run TestThreatConformance -update-threats")
	}
	if !bytes.Equal(readme, newReadme) {
		t.Errorf("README.md's threat summary is not the suite's; run: go test ./policy -run TestThreatConformance -update-threats")
	}
}

const (
	readmeBegin = "<!-- threat-summary: generated by policy/conformance_test.go -->\n"
	readmeEnd   = "<!-- end threat-summary -->\n"
)

// readmeThreatSummary is the README's short table: each tested threat and
// the check that stops it.
func readmeThreatSummary(cases []conformanceCase) []byte {
	var b bytes.Buffer
	b.WriteString("| threat | stopped by |\n|---|---|\n")
	for _, c := range cases {
		th, _ := c.threat.Threat()
		fmt.Fprintf(&b, "| %s %s | `%s` |\n", string(c.threat), th.Title, c.check)
	}
	return b.Bytes()
}

// replaceBlock replaces what lies between the README markers.
func replaceBlock(doc, block []byte) ([]byte, bool) {
	i := bytes.Index(doc, []byte(readmeBegin))
	j := bytes.Index(doc, []byte(readmeEnd))
	if i < 0 || j < i {
		return nil, false
	}
	out := slices.Clone(doc[:i+len(readmeBegin)])
	out = append(out, block...)
	return append(out, doc[j:]...), true
}

// threatTable renders THREATS.md: threat → attack → the check that stopped
// it (and every other failed check naming it) → the test; then the threats
// out of scope with the reason.
func threatTable(cases []conformanceCase, fired map[threat.ID][]string) []byte {
	var b bytes.Buffer
	b.WriteString("# Threat coverage\n\n")
	b.WriteString("Generated by the threat conformance suite (`policy/conformance_test.go`,\n")
	b.WriteString("`go test ./policy -run TestThreatConformance -update-threats`); do not edit.\n\n")
	b.WriteString("Each row is an attack built with the library's producer APIs and the simulated\n")
	b.WriteString("hardware of `internal/buildenvtest`, evaluated by a policy, and rejected by a\n")
	b.WriteString("required check that names the threat. Threat IDs are those of the `threat`\n")
	b.WriteString("package (SLSA threats & mitigations; E7–E10 from the draft BuildEnv track).\n\n")
	b.WriteString("| threat | title | attack | stopped by | test |\n|---|---|---|---|---|\n")
	for _, c := range cases {
		th, _ := c.threat.Threat()
		others := slices.DeleteFunc(slices.Clone(fired[c.threat]), func(id string) bool { return id == c.check })
		slices.Sort(others)
		others = slices.Compact(others)
		stopped := "`" + c.check + "`"
		if len(others) > 0 {
			stopped += " (also " + "`" + strings.Join(others, "`, `") + "`)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | `TestThreatConformance/%s` |\n", string(c.threat), th.Title, c.attack, stopped, string(c.threat))
	}
	b.WriteString("\n## Out of scope\n\n| threat | title | why |\n|---|---|---|\n")
	for _, th := range threat.All() {
		if r, ok := outOfScopeReason(th.ID); ok {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", string(th.ID), th.Title, r)
		}
	}
	return b.Bytes()
}

// provenanceOnlyPolicy is the base policy without BuildEnv requirements:
// the attacks on provenance need no environment.
func provenanceOnlyPolicy(t *testing.T, edit func(string) string) *policy.Policy {
	t.Helper()
	return basePolicy(t, func(s string) string {
		s = strings.Replace(s, "    buildEnvLevel: 3\n    environment: attested\n", "", 1)
		if edit != nil {
			s = edit(s)
		}
		return s
	})
}

// provenanceInput signs SLSA provenance like the world's builder does
// (internal/buildenvtest), edited by edit, for art (default: "app 1.0.0").
func provenanceInput(t *testing.T, edit func(*provenance.Provenance, *[]buildtrust.ResourceDescriptor), art []byte) policy.Input {
	t.Helper()
	w := testWorld(t)
	if art == nil {
		art = []byte("app 1.0.0")
	}
	digest := digestOf(t, art)
	started := w.Now.Add(-2 * time.Hour)
	finished := started.Add(20 * time.Minute)
	source := "git+https://" + buildenvtest.SourceRepo + "@" + buildenvtest.SourceRef
	p := provenance.Provenance{
		BuildDefinition: provenance.BuildDefinition{
			BuildType:          buildenvtest.BuildType,
			ExternalParameters: map[string]any{"source": source, "config": buildenvtest.ConfigPath},
			ResolvedDependencies: []buildtrust.ResourceDescriptor{{URI: source,
				Digest: buildtrust.DigestSet{buildtrust.GitCommit: buildenvtest.SourceCommit}}},
		},
		RunDetails: provenance.RunDetails{
			Builder:  provenance.Builder{ID: buildenvtest.BuilderID},
			Metadata: &provenance.BuildMetadata{InvocationID: buildenvtest.BuildID, StartedOn: &started, FinishedOn: &finished},
		},
	}
	subjects := []buildtrust.ResourceDescriptor{{Name: w.ArtifactName, Digest: digest}}
	if edit != nil {
		edit(&p, &subjects)
	}
	env, err := provenance.Sign(context.Background(), p, subjects, w.Builder.Signer)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return policy.Input{Name: w.ArtifactName, Artifact: digest, Attestations: [][]byte{raw}, Time: w.Now}
}

func digestOf(t *testing.T, b []byte) buildtrust.DigestSet {
	t.Helper()
	d, _, err := buildtrust.Digest(bytes.NewReader(b), buildtrust.SHA256, buildtrust.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// editPayload rewrites the signed payload of an envelope, keeping its
// signatures: what a man in the middle can do.
func editPayload(t *testing.T, raw []byte, from, to string) []byte {
	t.Helper()
	env, err := buildtrust.ParseEnvelope(raw)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(env.Payload, []byte(from), []byte(to), 1)
	if bytes.Equal(edited, env.Payload) {
		t.Fatalf("payload has no %q to edit", from)
	}
	env.Payload = edited
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// vsaCase evaluates a VSA-accepting policy with a VSA of the genuine
// BuildEnv L3 bundle, signed by signer (default: the trusted verifier) and,
// when uri is set, issued for another resourceUri than the one requested.
func vsaCase(signer func(*testing.T) buildtrust.Signer, uri string) func(t *testing.T) (*policy.Policy, policy.Input) {
	return func(t *testing.T) (*policy.Policy, policy.Input) {
		w := testWorld(t)
		upstream := basePolicy(t, nil)
		in := genuine(t, buildenvtest.Options{})
		in.ResourceURI = "https://registry.example.com/acme/" + w.ArtifactName
		res, err := upstream.Evaluate(context.Background(), in)
		if err != nil || !res.Passed() {
			t.Fatalf("upstream evaluation: %v %v", err, res.Err())
		}
		var s buildtrust.Signer = w.Verifier.Signer
		if signer != nil {
			s = signer(t)
		}
		opts := policy.VSAOptions{}
		if uri != "" {
			opts.ResourceURI = uri
		}
		env, err := upstream.SignVSA(context.Background(), res, opts, s)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		downstream := basePolicy(t, func(s string) string {
			i := strings.Index(s, "artifacts:")
			j := strings.Index(s, "environments:")
			return s[:i] + "artifacts:\n  - match: {names: [\"app-*.tar.gz\"]}\n    acceptVSAs: {maxAge: 24h}\n    buildLevel: 3\n    buildEnvLevel: 3\n    environment: attested\n" + s[j:]
		})
		return downstream, policy.Input{Name: w.ArtifactName, Artifact: in.Artifact, ResourceURI: in.ResourceURI,
			Attestations: [][]byte{raw}, Time: w.Now.Add(time.Hour)}
	}
}
