package sevsnp_test

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/sevsnp/sevsnptest"
)

// A verifier that trusts a test chain checks a report bound to an
// environment identity key. In production, Roots is sevsnp.EmbeddedRoots()
// and the measurements come from the image producer's reference values.
func ExampleVerifier_VerifyEvidence() {
	signer, err := sevsnptest.New(sevsnptest.Options{Product: "Genoa-B1"})
	if err != nil {
		panic(err)
	}
	// The environment binds its identity key into REPORT_DATA.
	identity := sha256.Sum256([]byte("identity key SPKI"))
	binding, _ := tee.Bind(tee.PurposeLaunch, identity[:])
	report := signer.Report()
	report.Measurement = [48]byte{0: 0x42}
	report.ReportData = binding
	evidence, err := signer.Evidence(report)
	if err != nil {
		panic(err)
	}

	v, err := sevsnp.NewVerifier(sevsnp.Options{
		Roots:        signer.Roots(),
		Measurements: [][]byte{report.Measurement[:]},
		Product:      sevsnp.Genoa,
	})
	if err != nil {
		panic(err)
	}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	claims, err := v.VerifyEvidence(evidence, now, binding[:])
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Platform, claims.Product, claims.SigningKey, "debug:", claims.Debug)
	for _, c := range claims.Checks[:4] {
		fmt.Println(c.ID, c.Outcome)
	}
	// Output:
	// sev-snp Genoa-B1 VCEK debug: false
	// tee.sevsnp.parse PASS
	// tee.sevsnp.signingKey PASS
	// tee.sevsnp.chain PASS
	// tee.sevsnp.signature PASS
}

// AMD's roots, embedded in go-sev-guest, for the three product lines.
func ExampleEmbeddedRoots() {
	roots, err := sevsnp.EmbeddedRoots()
	if err != nil {
		panic(err)
	}
	fmt.Println(roots.ProductLines())
	// Output: [Genoa Milan Turin]
}
