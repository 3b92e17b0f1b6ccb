package vsa_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/buildtrust/buildtrust/vsa"
)

// FuzzParsePredicate: no input panics; an accepted predicate validates and
// survives an encode/parse round trip unchanged (VSA-2…12).
func FuzzParsePredicate(f *testing.F) {
	if raw, err := json.Marshal(predicate()); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(`{"verifier":{"id":"https://v"},"resourceUri":"r","policy":{"uri":"https://p"},"verificationResult":"FAILED","verifiedLevels":["FAILED"],"dependencyLevels":{"SLSA_BUILD_LEVEL_1":"7"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := vsa.ParsePredicate(data)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed but invalid: %v", err)
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := vsa.ParsePredicate(raw)
		if err != nil {
			t.Fatalf("re-encoded predicate does not parse: %v\n%s", err, raw)
		}
		raw2, _ := json.Marshal(p2)
		if !bytes.Equal(raw, raw2) {
			t.Fatalf("encoding not stable:\n%s\n%s", raw, raw2)
		}
		for _, l := range p.VerifiedLevels {
			_ = vsa.Satisfies(p.VerifiedLevels, l)
		}
	})
}

// FuzzParseSVRPredicate: no input panics; accepted SVRs round-trip (SVR-1).
func FuzzParseSVRPredicate(f *testing.F) {
	f.Add([]byte(`{"verifier":{"id":"https://v","policies":[{"uri":"https://p"}]},"timeCreated":"2026-01-01T00:00:00Z","properties":["SLSA_BUILDENV_LEVEL_2"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := vsa.ParseSVRPredicate(data)
		if err != nil {
			return
		}
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vsa.ParseSVRPredicate(raw); err != nil {
			t.Fatalf("re-encoded SVR does not parse: %v\n%s", err, raw)
		}
	})
}
