package tee_test

import (
	"crypto/sha256"
	"fmt"

	"github.com/buildtrust/buildtrust/tee"
)

// The environment computes the report data it asks its TEE to sign from its
// identity key; the verifier computes the same value and expects it.
func ExampleBind() {
	spki := []byte("DER SubjectPublicKeyInfo of the environment identity key")
	payload := sha256.Sum256(spki)
	rd, err := tee.Bind(tee.PurposeLaunch, payload[:])
	if err != nil {
		panic(err)
	}
	fmt.Printf("REPORT_DATA %d bytes, starts %x\n", len(rd), rd[:4])
	// Output: REPORT_DATA 64 bytes, starts 355157ff
}
