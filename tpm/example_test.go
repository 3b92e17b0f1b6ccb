package tpm_test

import (
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// A control plane verifies an environment's quote and boot log before
// admitting it (BENV-L2-6). The software TPM stands in for the vTPM.
func ExampleVerify() {
	vtpm, _ := tpmtest.New(tpmtest.Options{Key: fixedAK()})
	vtpm.Measure(0, uint32(tpm.EvSCRTMVersion), []byte("firmware 1.0"))
	vtpm.Measure(4, uint32(tpm.EvEFIAction), []byte("Calling EFI Application from Boot Option"))
	vtpm.Measure(7, uint32(tpm.EvSeparator), []byte{0, 0, 0, 0})

	challenge := []byte("fresh nonce from the control plane")
	evidence, _ := vtpm.Evidence(challenge, tpmtest.Selection{Hash: crypto.SHA256, PCRs: []int{0, 4, 7}})

	res, err := tpm.Verify(evidence, tpm.Options{
		AK:             tpm.AKTrust{Keys: []crypto.PublicKey{vtpm.AK()}},
		QualifyingData: challenge,
	})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	for _, c := range res.Checks {
		fmt.Println(c.ID, c.Outcome)
	}
	fmt.Println("verified events:", len(res.Boot.Events))

	// The same quote replayed to another verifier is rejected.
	_, err = tpm.Verify(evidence, tpm.Options{
		AK:             tpm.AKTrust{Keys: []crypto.PublicKey{vtpm.AK()}},
		QualifyingData: []byte("another nonce"),
	})
	fmt.Println(errors.Is(err, tpm.ErrQualifyingData), errors.Is(err, threat.E9))
	// Output:
	// tpm.ak.trust PASS
	// tpm.quote.signature PASS
	// tpm.quote.magic PASS
	// tpm.quote.type PASS
	// tpm.quote.nonce PASS
	// tpm.quote.pcrSelection PASS
	// tpm.quote.pcrDigest PASS
	// tpm.eventlog.replay PASS
	// tpm.eventlog.extract PASS
	// verified events: 3
	// true true
}

// The image producer publishes reference values; the verifier checks the
// verified boot against them, one result per entry (BENV-L2-2).
func ExampleReferenceValues_Check() {
	vtpm, _ := tpmtest.New(tpmtest.Options{Key: fixedAK()})
	firmware := []byte("firmware 1.0")
	vtpm.Measure(0, uint32(tpm.EvSCRTMVersion), firmware)
	vtpm.Measure(0, uint32(tpm.EvSeparator), []byte{0, 0, 0, 0})
	evidence, _ := vtpm.Evidence([]byte("nonce"), tpmtest.Selection{Hash: crypto.SHA256, PCRs: []int{0}})
	res, _ := tpm.Verify(evidence, tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{vtpm.AK()}}, QualifyingData: []byte("nonce")})

	fw := crypto.SHA256.New()
	fw.Write(firmware)
	rv, err := tpm.ParseReferenceValues([]byte(`{
		"type": "https://buildtrust.dev/tpm/reference-values/v1",
		"components": [
			{"name": "firmware", "digests": [{"sha256": "` + hex.EncodeToString(fw.Sum(nil)) + `"}]},
			{"name": "bootloader", "digests": [{"sha256": "` + hex.EncodeToString(make([]byte, 32)) + `"}]}
		]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	checks, err := rv.Check(res.Quote, res.Boot)
	for _, c := range checks {
		fmt.Println(c.ID, c.Outcome, c.Actual)
	}
	fmt.Println(errors.Is(err, tpm.ErrReferenceValue), errors.Is(err, threat.E9))
	// Output:
	// tpm.refvalue.firmware PASS sha256:572c1cd681aee50f4f24ec0a8bc11b1842300c1073f0ab48c4c28f9bb04d88d0
	// tpm.refvalue.bootloader FAIL absent
	// true true
}
