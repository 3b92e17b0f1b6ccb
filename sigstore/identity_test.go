package sigstore

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

var ghID = CertIdentity{
	Issuer:                 GitHubActionsIssuer,
	SAN:                    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0",
	SourceRepositoryURI:    "https://github.com/slsa-framework/example-package",
	SourceRepositoryDigest: "abc123",
	SourceRepositoryRef:    "refs/heads/main",
	BuildSignerURI:         "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0",
	BuildSignerDigest:      "def456",
	RunnerEnvironment:      "github-hosted",
	BuildTrigger:           "push",
}

// TestIdentityRuleMismatch is the identity mismatch table (PROV-9): each
// constrained field, when it differs, fails its own named check with its
// threats.
func TestIdentityRuleMismatch(t *testing.T) {
	ok := IdentityRule{Issuer: GitHubActionsIssuer, SAN: ghID.SAN, SourceRepositoryURI: ghID.SourceRepositoryURI, SourceRepositoryDigest: "abc123",
		SourceRepositoryRef: "refs/heads/main", BuildSignerURI: ghID.BuildSignerURI, BuildSignerDigest: "def456", RunnerEnvironment: "github-hosted", BuildTrigger: "push"}
	cases := []struct {
		name   string
		mod    func(*IdentityRule)
		check  string
		threat threat.ID
	}{
		{"pass", func(*IdentityRule) {}, "", ""},
		{"issuer", func(r *IdentityRule) { r.Issuer = "https://accounts.google.com" }, CheckIdentityIssuer, threat.G6},
		{"san", func(r *IdentityRule) { r.SAN = ghID.SAN + "x" }, CheckIdentitySAN, threat.F4},
		{"san regexp ok", func(r *IdentityRule) {
			r.SAN, r.SANRegexp = "", `https://github\.com/slsa-framework/.*@refs/tags/v2\.1\.0`
		}, "", ""},
		{"san regexp is anchored (prefix)", func(r *IdentityRule) {
			r.SAN, r.SANRegexp = "", `https://github\.com/slsa-framework/slsa-github-generator`
		}, CheckIdentitySAN, threat.F4},
		{"san regexp is anchored (fork)", func(r *IdentityRule) { r.SAN, r.SANRegexp = "", `github\.com/slsa-framework/.*` }, CheckIdentitySAN, threat.F4},
		{"source repo", func(r *IdentityRule) { r.SourceRepositoryURI = "https://github.com/attacker/example-package" }, CheckIdentitySourceRepo, threat.D1},
		{"source digest", func(r *IdentityRule) { r.SourceRepositoryDigest = "000" }, CheckIdentitySourceDigest, threat.D2},
		{"source ref", func(r *IdentityRule) { r.SourceRepositoryRef = "refs/heads/release" }, CheckIdentitySourceRef, threat.D2},
		{"build signer", func(r *IdentityRule) {
			r.BuildSignerURI = "https://github.com/x/y/.github/workflows/z.yml@refs/heads/main"
		}, CheckIdentityBuildSigner, threat.F1},
		{"build signer digest", func(r *IdentityRule) { r.BuildSignerDigest = "000" }, CheckIdentityBuildDigest, threat.F1},
		{"runner", func(r *IdentityRule) { r.RunnerEnvironment = "self-hosted" }, CheckIdentityRunnerEnv, threat.F1},
		{"trigger", func(r *IdentityRule) { r.BuildTrigger = "workflow_dispatch" }, CheckIdentityTrigger, threat.D2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.mod(&r)
			m, err := r.Compile()
			if err != nil {
				t.Fatal(err)
			}
			err = m.Check(ghID)
			accepted := m.AcceptsSigner(ghID.ProvenanceIdentity())
			if c.check == "" {
				if err != nil || !accepted {
					t.Fatalf("err = %v, accepted = %v", err, accepted)
				}
				return
			}
			wantFail(t, err, c.check, ErrIdentity)
			if !errors.Is(err, c.threat) || accepted {
				t.Fatalf("err = %v (want threat %s), accepted = %v", err, c.threat, accepted)
			}
		})
	}
}

func TestIdentityRuleInvalid(t *testing.T) {
	for _, r := range []IdentityRule{
		{},
		{SAN: "x"},
		{Issuer: GitHubActionsIssuer},
		{Issuer: GitHubActionsIssuer, SAN: "x", SANRegexp: "x"},
		{Issuer: GitHubActionsIssuer, SANRegexp: "("},
	} {
		if _, err := r.Compile(); !errors.Is(err, ErrInvalidRule) {
			t.Errorf("%+v: err = %v", r, err)
		}
	}
}

// TestAcceptsSignerOtherKinds: a sigstore rule never accepts a key signer
// or a non-canonical identity string.
func TestAcceptsSignerOtherKinds(t *testing.T) {
	m := IdentityRule{Issuer: GitHubActionsIssuer, SAN: ghID.SAN}.MustCompile()
	b, _ := json.MarshalIndent(ghID, "", " ")
	for _, id := range []provenance.Identity{
		{Kind: "key", ID: ghID.String()},
		{Kind: IdentityKind, ID: string(b)},
		{Kind: IdentityKind, ID: `{"issuer":"` + GitHubActionsIssuer + `","san":"` + ghID.SAN + `","san":"other"}`},
		{Kind: IdentityKind, ID: "not json"},
	} {
		if m.AcceptsSigner(id) {
			t.Errorf("accepted %+v", id)
		}
	}
	var nilM *Matcher
	if nilM.AcceptsSigner(ghID.ProvenanceIdentity()) {
		t.Error("nil matcher accepted")
	}
}

// TestCrossCheckForgedFields rewrites one claim at a time in real BYOB and
// GitHub-attestation provenance (verified from the corpus) and asserts the
// named forgeable-field check fails against the real certificate identity.
func TestCrossCheckForgedFields(t *testing.T) {
	v := newVerifier(t, Options{})
	type edit struct {
		name  string
		path  []string
		value any
		check string
		th    threat.ID
	}
	files := map[string][]edit{
		sv + "gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa": {
			{"source", []string{"buildDefinition", "internalParameters", "GITHUB_REPOSITORY"}, "attacker/example-package", CheckForgeableSource, threat.D1},
			{"ref", []string{"buildDefinition", "internalParameters", "GITHUB_REF"}, "refs/tags/v99", CheckForgeableRef, threat.D2},
			{"commit", []string{"buildDefinition", "internalParameters", "GITHUB_SHA"}, "0000000000000000000000000000000000000000", CheckForgeableCommit, threat.D2},
			{"trigger", []string{"buildDefinition", "internalParameters", "GITHUB_EVENT_NAME"}, "workflow_dispatch", CheckForgeableTrigger, threat.D2},
			{"workflow", []string{"buildDefinition", "internalParameters", "GITHUB_WORKFLOW_REF"}, "slsa-framework/example-package/.github/workflows/evil.yml@refs/tags/v14", CheckForgeableWorkflow, threat.F1},
			{"run", []string{"buildDefinition", "internalParameters", "GITHUB_RUN_ID"}, "1", CheckForgeableRun, threat.F4},
		},
		sv + "bcr/rules_lint-v1.3.1.tar.gz.intoto.jsonl": {
			{"builder", []string{"runDetails", "builder", "id"}, "https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml@refs/tags/v9.9.9", CheckForgeableBuilder, threat.F1},
			{"source", []string{"buildDefinition", "externalParameters", "workflow", "repository"}, "https://github.com/attacker/rules_lint", CheckForgeableSource, threat.D1},
			{"ref", []string{"buildDefinition", "externalParameters", "workflow", "ref"}, "refs/heads/main", CheckForgeableRef, threat.D2},
			{"runner", []string{"buildDefinition", "internalParameters", "github", "runner_environment"}, "self-hosted", CheckForgeableRunner, threat.F1},
			{"run", []string{"runDetails", "metadata", "invocationId"}, "https://github.com/aspect-build/rules_lint/actions/runs/1/attempts/1", CheckForgeableRun, threat.F4},
		},
	}
	for file, edits := range files {
		r, err := v.Verify(corpustest.File(t, file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CrossCheck(r.Statement, *r.Identity); err != nil {
			t.Fatalf("unmodified: %v", err)
		}
		for _, e := range edits {
			t.Run(e.name+"/"+file[len(sv):], func(t *testing.T) {
				var doc map[string]any
				if err := json.Unmarshal(r.Payload, &doc); err != nil {
					t.Fatal(err)
				}
				m := doc["predicate"].(map[string]any)
				for _, k := range e.path[:len(e.path)-1] {
					m = m[k].(map[string]any)
				}
				m[e.path[len(e.path)-1]] = e.value
				b, _ := json.Marshal(doc)
				st, err := buildtrust.ParseStatement(b)
				if err != nil {
					t.Fatal(err)
				}
				_, err = CrossCheck(st, *r.Identity)
				wantFail(t, err, e.check, ErrForgedField)
				if !errors.Is(err, e.th) {
					t.Fatalf("want threat %s: %v", e.th, err)
				}
			})
		}
	}
}
