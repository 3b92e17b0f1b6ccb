package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

const imageURI = "https://images.example.com/builder-image.qcow2"

// imageVSA signs a VSA about the world's build image.
func imageVSA(t *testing.T, digest buildtrust.DigestSet, uri string, level int, s buildtrust.Signer) []byte {
	t.Helper()
	w := testWorld(t)
	st, err := vsa.New(vsa.Predicate{
		Verifier:           vsa.Verifier{ID: "https://verifier.example.com/registry-admission/v1"},
		TimeVerified:       w.Now.Add(-time.Hour),
		ResourceURI:        uri,
		Policy:             buildtrust.ResourceDescriptor{URI: "https://policies.example.com/images.yaml"},
		VerificationResult: vsa.Passed,
		VerifiedLevels:     []string{vsa.LevelToken(vsa.TrackBuild, level)},
	}, buildtrust.ResourceDescriptor{Name: buildenvtest.ImageName, Digest: digest})
	if err != nil {
		t.Fatal(err)
	}
	env, err := buildtrust.SignStatement(context.Background(), st, s)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// A VSA from a trusted verifier about the build image stands in for the
// image's provenance when the environment accepts image VSAs (BENV-L1-2);
// one from anybody else, for another image or resource, or below the level
// the chain needs does not, and the failure names E8.
func TestImageVSA(t *testing.T) {
	w := testWorld(t)
	b, err := w.Build(buildenvtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	accepting := basePolicy(t, func(s string) string {
		return strings.Replace(s, "  attested:\n", "  attested:\n    acceptImageVSAs: {resourceUri: \""+imageURI+"\", maxAge: 720h}\n", 1)
	})
	evaluate := func(t *testing.T, p *policy.Policy, extra []byte) *policy.Result {
		t.Helper()
		in := policy.Input{Name: w.ArtifactName, Artifact: b.ArtifactDigest, Evidence: b.Evidence, Time: w.Now}
		for _, a := range b.Attestations {
			if !bytes.Equal(a, b.ImageProvenance) { // the VSA replaces it
				in.Attestations = append(in.Attestations, a)
			}
		}
		if extra != nil {
			in.Attestations = append(in.Attestations, extra)
		}
		res, err := p.Evaluate(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	t.Run("trusted", func(t *testing.T) {
		res := evaluate(t, accepting, imageVSA(t, b.ImageDigest, imageURI, 3, w.Verifier.Signer))
		if !res.Passed() || res.BuildEnvLevel != 3 {
			t.Fatalf("not accepted:\n%s", describe(res))
		}
		used := false
		for _, a := range res.Attestations {
			used = used || a.Role == "image-vsa"
		}
		if !used {
			t.Errorf("the image VSA is not listed among the inputs used: %+v", res.Attestations)
		}
	})
	for _, tc := range []struct {
		name  string
		p     *policy.Policy
		vsa   []byte
		check string
		level int
	}{
		{"not accepted by the environment", basePolicy(t, nil), imageVSA(t, b.ImageDigest, imageURI, 3, w.Verifier.Signer), policy.CheckEnvImage, 0},
		{"untrusted verifier", accepting, imageVSA(t, b.ImageDigest, imageURI, 3, w.Other.Signer), policy.CheckEnvImage, 0},
		{"another resource", accepting, imageVSA(t, b.ImageDigest, "https://images.example.com/other.qcow2", 3, w.Verifier.Signer), policy.CheckEnvImage, 0},
		{"another image", accepting, imageVSA(t, buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ab", 32)}, imageURI, 3, w.Verifier.Signer), policy.CheckEnvImage, 0},
		{"image only at Build L2", accepting, imageVSA(t, b.ImageDigest, imageURI, 2, w.Verifier.Signer), policy.CheckEnvImageLevel, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, tc.p, tc.vsa)
			if res.Passed() || res.BuildEnvLevel != tc.level {
				t.Fatalf("passed=%v BuildEnv L%d, want FAILED at L%d:\n%s", res.Passed(), res.BuildEnvLevel, tc.level, describe(res))
			}
			if c := failedCheck(res, tc.check); c == nil || !slices.Contains(c.Threats, threat.E8) {
				t.Fatalf("no failed %s naming E8:\n%s", tc.check, describe(res))
			}
			if !errors.Is(res.Err(), threat.E8) {
				t.Errorf("Err() does not name E8")
			}
		})
	}
}

// An environment that accepts image VSAs needs trust.verifiers, and then
// no trust.imageBuilders.
func TestImageVSACompile(t *testing.T) {
	text := basePolicyText(t)
	text = strings.Replace(text, "  attested:\n", "  attested:\n    acceptImageVSAs: {resourceUri: \""+imageURI+"\"}\n", 1)
	noVerifiers := strings.Replace(text, "  verifiers:\n    - id: https://verifier.example.com/registry-admission/v1\n      keys: [verifier]\n", "", 1)
	_, err := policy.Parse(fillPolicy(t, testWorld(t), noVerifiers))
	var ps policy.Problems
	if !errors.As(err, &ps) || !slices.ContainsFunc(ps, func(p policy.Problem) bool { return p.Path == "/environments/attested/acceptImageVSAs" }) {
		t.Fatalf("err = %v, want a problem at /environments/attested/acceptImageVSAs", err)
	}
	noImageBuilders := strings.Replace(text, "  imageBuilders:\n    - id: https://images.example.com/image-builder/v2\n      keys: [image-builder]\n      maxLevel: 3\n", "", 1)
	if _, err := policy.Parse(fillPolicy(t, testWorld(t), noImageBuilders)); err != nil {
		t.Fatalf("image VSAs without image builders: %v", err)
	}
}
