package buildtrust

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestBundleVerify(t *testing.T) {
	a := newSigner(t, "p256", KeyOptions{})
	b := newSigner(t, "ed25519", KeyOptions{})
	untrusted := newSigner(t, "p384", KeyOptions{})
	st2 := testStatement(t)
	st2.PredicateType = "https://slsa.dev/verification_summary/v1"
	env2, err := SignStatement(context.Background(), st2, b)
	if err != nil {
		t.Fatal(err)
	}
	line2, _ := json.Marshal(env2)

	lines := []string{
		string(signedEnvelope(t, a)), // verified
		"",                           // blank: skipped
		`{"mediaType":"application/vnd.dev.sigstore.bundle+json"}`, // unrecognized: ignored
		string(signedEnvelope(t, untrusted)),                       // untrusted key: ignored
		string(line2) + "\r",                                       // verified, CRLF
		"not json at all",                                          // ignored
	}
	bundle, err := ReadBundle(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if bundle.Len() != 5 {
		t.Fatalf("Len = %d, want 5", bundle.Len())
	}
	opts := VerifyOptions{Keys: []*PublicKey{a.PublicKey(), b.PublicKey()}}
	res := bundle.Verify(opts)
	if got := lineNumbers(res.Verified); !slices.Equal(got, []int{1, 5}) {
		t.Errorf("verified lines %v, want [1 5]", got)
	}
	var ignored []int
	for _, le := range res.Ignored {
		ignored = append(ignored, le.Line)
	}
	if !slices.Equal(ignored, []int{3, 4, 6}) {
		t.Errorf("ignored lines %v, want [3 4 6]", ignored)
	}
	if !errors.Is(&res.Ignored[1], ErrSignature) || !errors.Is(&res.Ignored[0], ErrMalformed) {
		t.Errorf("ignored reasons: %v", res.Ignored)
	}

	// ITE-BUN-1: processing does not depend on line order.
	want := predicateTypes(res)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		shuffled, err := ParseBundle([]byte(strings.Join(lines, "\n")))
		if err != nil {
			t.Fatal(err)
		}
		if got := predicateTypes(shuffled.Verify(opts)); !slices.Equal(got, want) {
			t.Fatalf("shuffled bundle verified %v, want %v", got, want)
		}
	}
}

func lineNumbers(entries []BundleEntry) []int {
	var out []int
	for _, e := range entries {
		out = append(out, e.Line)
	}
	return out
}

func predicateTypes(res BundleResult) []string {
	var out []string
	for _, e := range res.Verified {
		out = append(out, e.Statement.PredicateType)
	}
	slices.Sort(out)
	return out
}

func TestBundleLimits(t *testing.T) {
	many := bytes.Repeat([]byte("{}\n"), MaxBundleLines+1)
	if _, err := ParseBundle(many); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many lines: %v", err)
	}
	if _, err := ReadBundle(bytes.NewReader(make([]byte, MaxBundleBytes+1))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize bundle: %v", err)
	}
	empty, err := ParseBundle([]byte("\n\n  \n"))
	if err != nil || empty.Len() != 0 || len(empty.Verify(VerifyOptions{}).Verified) != 0 {
		t.Errorf("empty bundle: %v", err)
	}
}
