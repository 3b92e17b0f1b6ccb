package provenance

import (
	"fmt"

	"github.com/buildtrust/buildtrust"
)

// Verify is the whole consumer path for key-signed provenance: it verifies
// the DSSE envelope with the keys of the trust root (PROV-VER-2), then runs
// Check. Signers that are not keys (Sigstore identities) are verified by
// their own module, which then calls Check.
func Verify(envelope []byte, exp Expectations, opts Options) (*Result, error) {
	keys := trustRootKeys(opts.TrustRoot)
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys in the trust root", ErrNoTrustRoot)
	}
	vs, err := buildtrust.VerifyStatement(envelope, buildtrust.VerifyOptions{Keys: keys})
	if err != nil {
		return nil, err
	}
	return Check(FromVerified(vs), exp, opts)
}

// keyLister is a SignerRule backed by keys.
type keyLister interface {
	Keys() []*buildtrust.PublicKey
}

func trustRootKeys(root []TrustedBuilder) []*buildtrust.PublicKey {
	var keys []*buildtrust.PublicKey
	for _, tb := range root {
		for _, rule := range tb.Signers {
			if kl, ok := rule.(keyLister); ok {
				keys = append(keys, kl.Keys()...)
			}
		}
	}
	return keys
}
