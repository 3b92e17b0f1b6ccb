package policy_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

// Real data nobody on the team wrote: Google Cloud Build's SLSA v1
// provenance of a container image, signed over the DSSE PAE by Google's
// KMS keys, read in place from the shared corpus (slsa-verifier's test
// data; oracles in the corpus README: builder GoogleHostedWorker, source
// github.com/khalkie/gcb-prod-prov, image digest sha256:7e9b6e7b…).
const (
	gcbWorker = "https://cloudbuild.googleapis.com/GoogleHostedWorker"
	gcbImage  = "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"
	gcbKeys   = "slsa-verifier/verifiers/internal/gcb/keys/materials/"
)

// gcbPolicy is a policy for GCB-built images. The keys are read from the
// corpus at test time; edit rewrites the document before parsing.
func gcbPolicy(t *testing.T, edit func(string) string) *policy.Policy {
	t.Helper()
	pem := func(name string) string {
		b, err := os.ReadFile(corpustest.Path(t, gcbKeys+name))
		if err != nil {
			t.Fatal(err)
		}
		q, _ := json.Marshal(string(b))
		return string(q)
	}
	doc := `apiVersion: buildtrust.dev/policy/v1
name: gcb-images
trust:
  keys:
    worker: {pem: ` + pem("global-pae-google-hosted-worker_1.key") + `}
    signer: {pem: ` + pem("global-pae-provenanceSigner_1.key") + `}
    regional: {pem: ` + pem("us-west2.key") + `}
  builders:
    - id: ` + gcbWorker + `
      keys: [worker, signer]
      maxLevel: 3
artifacts:
  - match: {names: ["gcb-prod-prov"]}
    provenance:
      builders: [` + gcbWorker + `]
      sourceRepository: github.com/khalkie/gcb-prod-prov
      # GCB records the whole build request; the oracles constrain none of it.
      insecureAllowUnknownParameters: true
    buildLevel: 3
`
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
	data, err := os.ReadFile(corpustest.Path(t, "slsa-verifier/verifiers/internal/gcb/testdata/v1.0-gcloud-container-github.json"))
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
	corpustest.Path(t, gcbKeys)
	ctx := context.Background()

	res, err := gcbPolicy(t, nil).Evaluate(ctx, gcbInput(t, gcbImage))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() || res.BuildLevel != 3 || res.BuildEnvLevel != 0 {
		t.Fatalf("genuine: verdict %s, L%d, BuildEnv L%d: %v", res.Verdict, res.BuildLevel, res.BuildEnvLevel, res.Err())
	}
	for _, open := range []threat.ID{threat.E7, threat.E9, threat.E10} {
		if !containsThreat(res.OpenThreats, open) {
			t.Errorf("a policy without BuildEnv requirements leaves %s open; OpenThreats = %v", open, res.OpenThreats)
		}
	}

	// Monotonic (ITE-PR-4): without the attestation the verdict is FAILED.
	in := gcbInput(t, gcbImage)
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
				return strings.Replace(s, "github.com/khalkie/gcb-prod-prov", "github.com/khalkie/gcb-prod-prov2", 1)
			},
			digest: gcbImage, check: provenance.CheckSourceRepo, threat: threat.D1},
		{name: "other image digest", digest: strings.TrimSuffix(gcbImage, "3") + "4",
			check: provenance.CheckSubject, threat: threat.F3},
		{name: "only a key that signs raw payloads trusted",
			policy: func(s string) string { return strings.Replace(s, "keys: [worker, signer]", "keys: [regional]", 1) },
			digest: gcbImage, check: policy.CheckProvenance, threat: threat.F2},
		{name: "BuildEnv L1 required",
			policy: func(s string) string {
				// Trust for the environment's producers; GCB publishes none of it.
				s = strings.Replace(s, "artifacts:", `  imageBuilders:
    - {id: https://images.example.com/builder, keys: [regional], maxLevel: 3}
  launchSigners: [regional]
artifacts:`, 1)
				return s + "    buildEnvLevel: 1\n    environment: any\nenvironments:\n  any: {}\n"
			},
			digest: gcbImage, check: policy.CheckEnvLaunch, threat: threat.E7},
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
			if tt.threat != "" && !containsThreat(c.Threats, tt.threat) {
				t.Errorf("%s names %v, want %s", tt.check, c.Threats, tt.threat)
			}
		})
	}
}

func containsThreat(ids []threat.ID, id threat.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
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
