package policy_test

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
)

// freshBuild is the input of a new build in w: a new environment, launch,
// dispatch, provenance and TEE report, on the same image (the same image
// provenance and reference values) and the same chip.
func freshBuild(t testing.TB, w *buildenvtest.World) policy.Input {
	t.Helper()
	b, err := w.Build(buildenvtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return policy.Input{Name: w.ArtifactName, Artifact: b.ArtifactDigest, Attestations: b.Attestations,
		Evidence: b.Evidence, Time: w.Now}
}

// A policy keeps the image attestations parsed, and nothing else; a build
// evaluated with them kept gets exactly the Result a new policy gives.
func TestImageAttestationsKeptParsed(t *testing.T) {
	w := testWorld(t)
	warm := basePolicy(t, nil)
	for i := range 5 {
		in := freshBuild(t, w)
		got, err := warm.Evaluate(context.Background(), in)
		if err != nil || !got.Passed() {
			t.Fatalf("build %d: %v\n%s", i, err, describe(got))
		}
		if n := policy.KeptParsed(warm); n != 2 {
			t.Fatalf("build %d: %d envelopes kept, want the image provenance and the reference values", i, n)
		}
		want, err := basePolicy(t, nil).Evaluate(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("build %d: the Result with kept image attestations differs:\n%s\nwant:\n%s", i, describe(got), describe(want))
		}
	}
}

// Image attestations that did not verify are not kept: an attacker's
// envelopes neither fill the cache nor stand in for the genuine ones.
func TestUntrustedImageAttestationsNotKept(t *testing.T) {
	w := testWorld(t)
	p := basePolicy(t, nil)
	for tamper, untrusted := range map[string]func(*buildenvtest.Bundle) []byte{
		"image-untrusted":     func(b *buildenvtest.Bundle) []byte { return b.ImageProvenance },
		"refvalues-untrusted": func(b *buildenvtest.Bundle) []byte { return b.ReferenceValues },
	} {
		b, err := w.Build(buildenvtest.Options{Tampers: []string{tamper}})
		if err != nil {
			t.Fatal(err)
		}
		in := policy.Input{Name: w.ArtifactName, Artifact: b.ArtifactDigest, Attestations: b.Attestations, Evidence: b.Evidence, Time: w.Now}
		for range 2 { // the second time, with the genuine half kept
			res, err := p.Evaluate(context.Background(), in)
			if err != nil || res.Passed() || res.BuildEnvLevel == 3 {
				t.Fatalf("%s: passed=%v level=%d err=%v", tamper, res.Passed(), res.BuildEnvLevel, err)
			}
			if policy.IsKeptParsed(p, untrusted(b)) {
				t.Fatalf("%s: the untrusted envelope was kept", tamper)
			}
		}
	}
	if n := policy.KeptParsed(p); n != 2 {
		t.Errorf("%d envelopes kept, want the genuine image provenance and reference values", n)
	}
	b, err := w.Build(buildenvtest.Options{Tampers: []string{"wrong-image"}})
	if err != nil {
		t.Fatal(err)
	}
	fresh := basePolicy(t, nil)
	res, err := fresh.Evaluate(context.Background(), policy.Input{Name: w.ArtifactName, Artifact: b.ArtifactDigest, Attestations: b.Attestations, Evidence: b.Evidence, Time: w.Now})
	if err != nil || res.Passed() {
		t.Fatalf("wrong-image: passed=%v err=%v", res.Passed(), err)
	}
	if n := policy.KeptParsed(fresh); n != 0 {
		t.Errorf("wrong-image: %d envelopes kept, but they are about another image than the launch names", n)
	}
}

// Evaluations share the kept parses concurrently (run with -race).
func TestEvaluateConcurrently(t *testing.T) {
	w := testWorld(t)
	p := basePolicy(t, nil)
	inputs := make([]policy.Input, 6)
	for i := range inputs {
		inputs[i] = freshBuild(t, w)
	}
	var wg sync.WaitGroup
	for i := range inputs {
		wg.Go(func() {
			for range 3 {
				res, err := p.Evaluate(context.Background(), inputs[i])
				if err != nil || !res.Passed() || res.BuildEnvLevel != 3 {
					t.Errorf("input %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A Policy that Compile did not build keeps nothing and, as before, fails
// closed instead of panicking.
func TestZeroPolicyEvaluates(t *testing.T) {
	w := testWorld(t)
	var p policy.Policy
	res, err := p.Evaluate(context.Background(), freshBuild(t, w))
	if err == nil && (res == nil || res.Passed()) {
		t.Fatalf("zero Policy: passed=%v", res != nil && res.Passed())
	}
	if policy.KeptParsed(&p) != 0 {
		t.Fatal("zero Policy kept a parse")
	}
}

// Bundles (.intoto.jsonl) are read line by line, and their image
// attestations are kept and used like separate files.
func TestKeptParsedFromBundles(t *testing.T) {
	w := testWorld(t)
	warm := basePolicy(t, nil)
	for i := range 3 {
		b, err := w.Build(buildenvtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		in := policy.Input{Name: w.ArtifactName, Artifact: b.ArtifactDigest, Attestations: [][]byte{b.JSONL()}, Evidence: b.Evidence, Time: w.Now}
		got, err := warm.Evaluate(context.Background(), in)
		if err != nil || !got.Passed() || got.BuildEnvLevel != 3 {
			t.Fatalf("bundle %d: %v\n%s", i, err, describe(got))
		}
		if !policy.IsKeptParsed(warm, b.ImageProvenance) || !policy.IsKeptParsed(warm, b.ReferenceValues) {
			t.Fatalf("bundle %d: the image attestations of a bundle were not kept", i)
		}
		want, err := basePolicy(t, nil).Evaluate(context.Background(), in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("bundle %d: the Result with kept image attestations differs (%v)", i, err)
		}
	}
}
