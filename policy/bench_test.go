package policy_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/scai"
)

// The end-to-end benchmark: a full BuildEnv L3 bundle (provenance, image
// provenance, reference values, launch with TPM quote and event log and an
// SEV-SNP report, dispatch) of a new build, evaluated with what recurs
// between builds warm (the chip's certificate chain, the image
// attestations), against the floor —
// the signature checks no verifier can skip, measured in the same run:
// five Ed25519 envelope signatures over their PAE, the TPM quote's ECDSA
// P-256 signature over its TPMS_ATTEST, and the report's ECDSA P-384
// signature over its signed part (the VCEK chain is cached, as it is for
// the evaluation). BenchmarkEvaluateOverFloor reports the ratio of the two
// measured in alternation (x-floor); on a shared machine it is steadier
// than comparing the separate benchmarks with benchstat:
//
//	go test -run XXX -bench 'OverFloor|RulesOver' -count 6 ./policy
func benchInput(b *testing.B, o buildenvtest.Options) (*policy.Policy, policy.Input) {
	b.Helper()
	p := basePolicy(b, nil)
	in := genuine(b, o)
	res, err := p.Evaluate(context.Background(), in) // warms the TEE caches
	if err != nil || !res.Passed() || res.BuildEnvLevel != 3 {
		b.Fatalf("bundle does not pass: %v", err)
	}
	return p, in
}

func BenchmarkEvaluateBuildEnvL3(b *testing.B) {
	p, in := benchInput(b, buildenvtest.Options{})
	evaluateLoop(b, p, in)
}

// evaluateLoop times the evaluation of in under p, which must pass.
func evaluateLoop(b *testing.B, p *policy.Policy, in policy.Input) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res, err := p.Evaluate(context.Background(), in); err != nil || !res.Passed() {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateBuildEnvL3Rules adds two CEL rules over the provenance
// and the environment claims.
func BenchmarkEvaluateBuildEnvL3Rules(b *testing.B) {
	p := rulesPolicy(b)
	in := genuine(b, buildenvtest.Options{})
	if res, _ := p.Evaluate(context.Background(), in); !res.Passed() {
		b.Fatal(res.Err())
	}
	evaluateLoop(b, p, in)
}

// BenchmarkRulesOverEvaluate evaluates one bundle under the policy with and
// without the two CEL rules, in alternation, and reports the ratio
// (x-without-rules).
func BenchmarkRulesOverEvaluate(b *testing.B) {
	plain, in := benchInput(b, buildenvtest.Options{})
	rules := rulesPolicy(b)
	if res, _ := rules.Evaluate(context.Background(), in); !res.Passed() {
		b.Fatal(res.Err())
	}
	var with, without time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if res, err := rules.Evaluate(context.Background(), in); err != nil || !res.Passed() {
			b.Fatal(err)
		}
		t1 := time.Now()
		if res, err := plain.Evaluate(context.Background(), in); err != nil || !res.Passed() {
			b.Fatal(err)
		}
		with, without = with+t1.Sub(t0), without+time.Since(t1)
	}
	b.ReportMetric(float64(with)/float64(without), "x-without-rules")
}

func rulesPolicy(b *testing.B) *policy.Policy {
	return basePolicy(b, func(s string) string {
		return strings.Replace(s, "    environment: attested", "    environment: attested\n    rules: [config, hardware]", 1) + `
rules:
  - name: config
    expr: provenance.buildDefinition.externalParameters.config == "build/release.mk" && buildLevel >= 3
    threats: [D3]
  - name: hardware
    expr: environment.platform == "sev-snp" && !environment.debug && environment.pcrs.sha256["0"] != ""
    threats: [E10]
`
	})
}

func BenchmarkFloorBuildEnvL3(b *testing.B) {
	w := testWorld(b)
	bundle, err := w.Build(buildenvtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	floor := signatureFloor(b, w, bundle)
	b.ResetTimer()
	for b.Loop() {
		floor()
	}
}

// BenchmarkEvaluateOverFloor times the evaluation of a bundle and the
// floor of the same bundle in alternation, iteration by iteration, and
// reports their ratio (x-floor): load from elsewhere on the machine slows
// both alike, so the ratio is steadier than two separate benchmarks. Each
// iteration is another build (16 in rotation): its own environment,
// launch, TPM quote, SEV-SNP report, dispatch and provenance, on the same
// image and chip, so what recurs is what recurs between real builds — the
// image attestations (kept parsed by the Policy, verified every time) and
// the chip's certificate chain (verified once by the SEV-SNP verifier).
func BenchmarkEvaluateOverFloor(b *testing.B) {
	w := testWorld(b)
	p := basePolicy(b, nil)
	type build struct {
		in    policy.Input
		floor func()
	}
	builds := make([]build, 16)
	for i := range builds {
		bundle, err := w.Build(buildenvtest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		in := policy.Input{Name: w.ArtifactName, Artifact: bundle.ArtifactDigest, Attestations: bundle.Attestations,
			Evidence: bundle.Evidence, Time: w.Now}
		if res, err := p.Evaluate(context.Background(), in); err != nil || !res.Passed() || res.BuildEnvLevel != 3 {
			b.Fatalf("bundle does not pass: %v", err) // and the TEE caches are warm
		}
		builds[i] = build{in, signatureFloor(b, w, bundle)}
	}
	var eval, sig time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		next := builds[i%len(builds)]
		t0 := time.Now()
		if res, err := p.Evaluate(context.Background(), next.in); err != nil || !res.Passed() {
			b.Fatal(err)
		}
		t1 := time.Now()
		next.floor()
		eval, sig = eval+t1.Sub(t0), sig+time.Since(t1)
	}
	b.ReportMetric(float64(eval.Nanoseconds())/float64(b.N), "eval-ns/op")
	b.ReportMetric(float64(sig.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(eval)/float64(sig), "x-floor")
}

// signatureFloor returns one pass over the signature checks of the bundle
// that no verifier can skip.
func signatureFloor(b *testing.B, w *buildenvtest.World, bundle *buildenvtest.Bundle) func() {
	type sigCheck struct {
		key *buildtrust.PublicKey
		msg []byte
		sig []byte
	}
	var checks []sigCheck
	keys := []*buildtrust.PublicKey{w.Builder.Public, w.ImageBuilder.Public, w.ImageProducer.Public, w.LaunchSigner.Public}
	for i, raw := range [][]byte{bundle.Provenance, bundle.ImageProvenance, bundle.ReferenceValues, bundle.Launch, bundle.Dispatch} {
		env, err := buildtrust.ParseEnvelope(raw)
		if err != nil {
			b.Fatal(err)
		}
		var key *buildtrust.PublicKey
		if i < len(keys) {
			key = keys[i]
		} else {
			st, _ := buildtrust.ParseStatement(env.Payload)
			l, err := scai.ParseDispatch(st)
			if err != nil {
				b.Fatal(err)
			}
			if key, err = buildtrust.ParsePublicKey(l.Identity.Content, buildtrust.KeyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		checks = append(checks, sigCheck{key, buildtrust.PAE(env.PayloadType, env.Payload), env.Signatures[0].Sig})
		if err := key.Verify(checks[i].msg, checks[i].sig); err != nil {
			b.Fatalf("envelope %d: %v", i, err)
		}
	}
	// Same-cost stand-ins for the hardware signatures: a P-256 signature
	// over a TPMS_ATTEST-sized message and a P-384 one over the 0x2A0
	// signed bytes of an SEV-SNP report, each hashed as the real one is.
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	attest := make([]byte, 145)
	report := make([]byte, 0x2A0)
	d256 := sha256.Sum256(attest)
	d384 := sha512.Sum384(report)
	s256, _ := ecdsa.SignASN1(rand.Reader, p256, d256[:])
	s384, _ := ecdsa.SignASN1(rand.Reader, p384, d384[:])
	return func() {
		for _, c := range checks {
			if err := c.key.Verify(c.msg, c.sig); err != nil {
				b.Fatal(err)
			}
		}
		h := sha256.Sum256(attest)
		if !ecdsa.VerifyASN1(&p256.PublicKey, h[:], s256) {
			b.Fatal("p256")
		}
		h384 := sha512.Sum384(report)
		if !ecdsa.VerifyASN1(&p384.PublicKey, h384[:], s384) {
			b.Fatal("p384")
		}
	}
}
