package policy_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

// gcbPolicy is the corpus's policy for Google Cloud Build's real SLSA v1
// provenance (corpustest.GCBPolicy: GCB's KMS keys, read in place; oracles
// from the corpus README), edited by edit before parsing.
func gcbPolicy(t *testing.T, edit func(string) string) *policy.Policy {
	t.Helper()
	doc := corpustest.GCBPolicy(t)
	if edit != nil {
		doc = edit(doc)
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	return p
}

// gcbInput is the SLSA v1 envelope of the corpus file, as a registry would
// receive it, for the image digest.
func gcbInput(t *testing.T, digest string) policy.Input {
	t.Helper()
	data, err := os.ReadFile(corpustest.Path(t, corpustest.GCBProvenance))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := provenance.ParseGCloud(data)
	if err != nil || len(entries) == 0 {
		t.Fatalf("gcloud entries: %v", err)
	}
	env, err := json.Marshal(entries[0].Envelope)
	if err != nil {
		t.Fatal(err)
	}
	return policy.Input{
		Name:         "gcb-prod-prov",
		Artifact:     buildtrust.DigestSet{buildtrust.SHA256: digest},
		Attestations: [][]byte{env},
		Time:         time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	}
}

// TestCorpusGoogleCloudBuild: the genuine provenance earns Build L3 under a
// policy that trusts GCB's keys; each slsa-verifier oracle that rejects it
// (another source, another image digest) fails the named check with its
// threat; an untrusted key or a BuildEnv requirement GCB cannot meet fails,
// and ignoring the attestation never turns the verdict to PASSED.
func TestCorpusGoogleCloudBuild(t *testing.T) {
	corpustest.Path(t, corpustest.GCBKeys)
	ctx := context.Background()

	res, err := gcbPolicy(t, nil).Evaluate(ctx, gcbInput(t, corpustest.GCBImage))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() || res.BuildLevel != 3 || res.BuildEnvLevel != 0 {
		t.Fatalf("genuine: verdict %s, L%d, BuildEnv L%d: %v", res.Verdict, res.BuildLevel, res.BuildEnvLevel, res.Err())
	}
	for _, open := range []threat.ID{threat.E7, threat.E9, threat.E10} {
		if !slices.Contains(res.OpenThreats, open) {
			t.Errorf("a policy without BuildEnv requirements leaves %s open; OpenThreats = %v", open, res.OpenThreats)
		}
	}

	// Monotonic (ITE-PR-4): without the attestation the verdict is FAILED.
	in := gcbInput(t, corpustest.GCBImage)
	in.Attestations = nil
	if res, err := gcbPolicy(t, nil).Evaluate(ctx, in); err == nil && res.Passed() {
		t.Fatal("accepted without any attestation")
	}

	tests := []struct {
		name   string
		policy func(string) string
		digest string
		check  string
		threat threat.ID
	}{
		{name: "other source repository",
			policy: func(s string) string {
				return strings.Replace(s, corpustest.GCBSource, corpustest.GCBSource+"2", 1)
			},
			digest: corpustest.GCBImage, check: provenance.CheckSourceRepo, threat: threat.D1},
		{name: "other image digest", digest: strings.TrimSuffix(corpustest.GCBImage, "3") + "4",
			check: provenance.CheckSubject, threat: threat.F3},
		{name: "only a key that signs raw payloads trusted",
			policy: func(s string) string { return strings.Replace(s, "keys: [worker, signer]", "keys: [regional]", 1) },
			digest: corpustest.GCBImage, check: policy.CheckProvenance, threat: threat.F2},
		{name: "BuildEnv L1 required",
			policy: func(s string) string {
				// Trust for the environment's producers; GCB publishes none of it.
				s = strings.Replace(s, "artifacts:", `  imageBuilders:
    - {id: https://images.example.com/builder, keys: [regional], maxLevel: 3}
  launchSigners: [regional]
artifacts:`, 1)
				return s + "    buildEnvLevel: 1\n    environment: any\nenvironments:\n  any: {}\n"
			},
			digest: corpustest.GCBImage, check: policy.CheckEnvLaunch, threat: threat.E7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := gcbPolicy(t, tt.policy)
			res, err := p.Evaluate(ctx, gcbInput(t, tt.digest))
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed() {
				t.Fatal("accepted")
			}
			c := failedCheck(res, tt.check)
			if c == nil {
				t.Fatalf("no failed %s; failed: %v", tt.check, res.Err())
			}
			if tt.threat != "" && !slices.Contains(c.Threats, tt.threat) {
				t.Errorf("%s names %v, want %s", tt.check, c.Threats, tt.threat)
			}
		})
	}
}

// failedCheck returns the first required check with the ID that failed.
func failedCheck(res *policy.Result, id string) *policy.Check {
	for i, c := range res.Checks {
		if c.ID == id && c.Outcome == buildtrust.Fail && !c.Advisory {
			return &res.Checks[i]
		}
	}
	return nil
}
