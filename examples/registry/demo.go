package main

import (
	_ "embed"
	"fmt"
	"regexp"
	"time"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
)

// The demonstration deployment: the test world of internal/buildenvtest plays
// the builder, the image producer and the attested environment, offline and
// without hardware; the registry trusts its parties through policy.yaml.

//go:embed policy.yaml
var policyTemplate string

var placeholder = regexp.MustCompile(`\$\{[A-Z_]+\}`)

// Names the demonstration registry uses.
const (
	demoVerifierID   = "https://registry.example.com/admission/v1"
	demoResourceBase = "https://registry.example.com/files/"
)

// demoPolicy fills the policy template with the world's public keys and
// roots, and compiles it.
func demoPolicy(w *buildenvtest.World) (*policy.Policy, error) {
	text := w.FillPolicy([]byte(policyTemplate))
	if m := placeholder.Find(text); m != nil {
		return nil, fmt.Errorf("policy template: %s is not filled", m)
	}
	return policy.Parse(text)
}

// demoOptions are the handler options of the demonstration: the world's
// verifier key signs VSAs, and the clock is pinned to World.Now because the
// test world's certificates and TDX collateral are valid only around it.
// A real registry passes time.Now.
func demoOptions(w *buildenvtest.World, store Store) (Options, error) {
	pol, err := demoPolicy(w)
	if err != nil {
		return Options{}, err
	}
	now := w.Now
	return Options{
		Policy:          pol,
		Store:           store,
		Signer:          w.Verifier.Signer,
		Clock:           func() time.Time { return now },
		ResourceBase:    demoResourceBase,
		VerifierVersion: map[string]string{"buildtrust-registry-example": "v0"},
	}, nil
}
