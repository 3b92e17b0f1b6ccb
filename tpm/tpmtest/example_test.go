package tpmtest_test

import (
	"crypto"
	"fmt"

	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// A software TPM measures a boot, writes the event log and quotes the PCRs;
// package tpm verifies the result like evidence from a real vTPM.
func ExampleTPM_Evidence() {
	vtpm, err := tpmtest.New(tpmtest.Options{})
	if err != nil {
		panic(err)
	}
	vtpm.Measure(4, uint32(tpm.EvEFIBootServicesApp), []byte("bootloader image"))
	vtpm.Measure(7, uint32(tpm.EvSeparator), []byte{0, 0, 0, 0})
	ev, _ := vtpm.Evidence([]byte("nonce"), tpmtest.Selection{Hash: crypto.SHA256, PCRs: []int{4, 7}})

	res, err := tpm.Verify(ev, tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{vtpm.AK()}}, QualifyingData: []byte("nonce")})
	fmt.Println(err, len(res.Boot.Events))

	// Broken evidence: a PCR extended behind the log's back.
	_ = vtpm.Extend(crypto.SHA256, 4, make([]byte, 32))
	ev, _ = vtpm.Evidence([]byte("nonce"), tpmtest.Selection{Hash: crypto.SHA256, PCRs: []int{4, 7}})
	_, err = tpm.Verify(ev, tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{vtpm.AK()}}, QualifyingData: []byte("nonce")})
	fmt.Println(err != nil)
	// Output:
	// <nil> 2
	// true
}
