package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
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
	var roots []map[string]string
	for _, b := range w.SNPRootBundles {
		roots = append(roots, map[string]string{"productLine": b.ProductLine, "pem": string(b.PEM)})
	}
	rootsJSON, err := json.Marshal(roots)
	if err != nil {
		return nil, err
	}
	// JSON strings are YAML flow scalars, so a quoted PEM fits on one line.
	quote := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	text := strings.NewReplacer(
		"${BUILDER_PEM}", quote(w.Builder.PEM),
		"${IMAGE_BUILDER_PEM}", quote(w.ImageBuilder.PEM),
		"${IMAGE_PRODUCER_PEM}", quote(w.ImageProducer.PEM),
		"${LAUNCH_SIGNER_PEM}", quote(w.LaunchSigner.PEM),
		"${AK_PEM}", quote(w.AKPEM),
		"${SNP_ROOTS}", string(rootsJSON),
		"${TDX_ROOTS_PEM}", quote(string(w.TDXRootsPEM)),
	).Replace(policyTemplate)
	if m := placeholder.FindString(text); m != "" {
		return nil, fmt.Errorf("policy template: %s is not filled", m)
	}
	return policy.Parse([]byte(text))
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
