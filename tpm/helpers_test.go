package tpm_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/hex"

	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// fixedAK is a published test key (never use it for anything real), so
// examples and fuzz seeds are reproducible.
func fixedAK() *ecdsa.PrivateKey {
	d, _ := hex.DecodeString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		panic(err)
	}
	return k
}

func tpmOptionsFixed() tpmtest.Options { return tpmtest.Options{Key: fixedAK()} }
