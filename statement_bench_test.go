package buildtrust_test

import (
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
)

// BenchmarkParseStatementBuildEnv parses the five statements of a BuildEnv
// L3 bundle (provenance, image provenance, reference values, launch,
// dispatch), as policy evaluation does once per envelope.
func BenchmarkParseStatementBuildEnv(b *testing.B) {
	w, err := buildenvtest.NewWorld()
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := w.Build(buildenvtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var payloads [][]byte
	for _, a := range bundle.Attestations {
		env, err := buildtrust.ParseEnvelope(a)
		if err != nil {
			b.Fatal(err)
		}
		payloads = append(payloads, env.Payload)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range payloads {
			if _, err := buildtrust.ParseStatement(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
