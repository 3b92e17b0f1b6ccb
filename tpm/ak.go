package tpm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/spki"
)

// AKVerifier decides whether an attestation key is trusted on evidence
// outside the TPM. It is the hook for vTPMs in confidential VMs, where the
// AK is bound by a TEE report (e.g. REPORT_DATA covering the AK public key)
// rather than certified by a CA; the policy package supplies the
// implementation that checks that binding. VerifyAK gets the parsed key and
// the exact AKPublic bytes of the evidence, and returns nil only if it
// trusts them. Implementations must be safe for concurrent use.
type AKVerifier interface {
	VerifyAK(ak crypto.PublicKey, akPublic []byte) error
}

// AKTrust says how the attestation key (AK) that signs quotes is trusted.
// Exactly one of Keys, Roots or Verifier must be set: none fails with
// ErrNoTrustRoots, several with ErrOptions.
type AKTrust struct {
	// Keys are pinned AK public keys (*ecdsa.PublicKey P-256/P-384 or
	// *rsa.PublicKey 2048–8192 bits). Empty: not used. Evidence.AKPublic
	// is ignored in this mode: each key is tried (at most
	// MaxSignatureChecks) and the one whose signature verifies is the AK.
	Keys []crypto.PublicKey

	// Roots are the CA certificates an AK certificate must chain to, at
	// Options.Time. Nil: not used. The chain is Evidence.AKCertificates
	// (leaf first, then intermediates).
	Roots *x509.CertPool

	// Verifier accepts or refuses Evidence.AKPublic on evidence from outside
	// the TPM (TEE-bound AKs). Nil: not used.
	Verifier AKVerifier
}

// trustedAK establishes the AK public key that may sign the quote, per the
// single configured trust mode. It returns the candidate keys (more than one
// only for pinned keys without AKPublic) and the verified AK certificate when
// the certificate path was used.
func trustedAK(ev Evidence, opts Options) ([]crypto.PublicKey, *x509.Certificate, error) {
	modes := 0
	if len(opts.AK.Keys) > 0 {
		modes++
	}
	if opts.AK.Roots != nil {
		modes++
	}
	if opts.AK.Verifier != nil {
		modes++
	}
	switch {
	case modes == 0:
		return nil, nil, ErrNoTrustRoots
	case modes > 1:
		return nil, nil, fmt.Errorf("%w: set exactly one of AK.Keys, AK.Roots, AK.Verifier", ErrOptions)
	}
	if len(opts.AK.Keys) > limits.MaxTrustedKeys {
		return nil, nil, limits.TooLarge("pinned AK keys", limits.MaxTrustedKeys)
	}

	if len(opts.AK.Keys) > 0 {
		// Pinned keys: the evidence's AKPublic is not needed (and not
		// parsed); the signature decides which pinned key signed.
		for _, k := range opts.AK.Keys {
			if err := checkAKKey(k); err != nil {
				return nil, nil, fmt.Errorf("%w: pinned AK: %v", ErrOptions, err)
			}
		}
		return opts.AK.Keys, nil, nil
	}

	var evidenceKey crypto.PublicKey
	if len(ev.AKPublic) > 0 {
		k, err := ParseAKPublic(ev.AKPublic)
		if err != nil {
			return nil, nil, checkErr(CheckAKTrust, bootThreats, ErrUntrustedAK, "AK public key: %v", err)
		}
		evidenceKey = k
	}

	switch {
	case opts.AK.Roots != nil:
		if opts.Time.IsZero() {
			return nil, nil, ErrNoTime
		}
		cert, err := verifyAKChain(ev.AKCertificates, opts.AK.Roots, opts.Time)
		if err != nil {
			return nil, nil, checkErr(CheckAKTrust, bootThreats, ErrUntrustedAK, "%v", err)
		}
		if evidenceKey != nil && !keyEqual(cert.PublicKey, evidenceKey) {
			return nil, nil, checkErr(CheckAKTrust, bootThreats, ErrUntrustedAK, "AK public key differs from the AK certificate's key")
		}
		return []crypto.PublicKey{cert.PublicKey}, cert, nil

	default:
		if evidenceKey == nil {
			return nil, nil, checkErr(CheckAKTrust, bootThreats, ErrUntrustedAK, "AK verifier needs Evidence.AKPublic")
		}
		if err := opts.AK.Verifier.VerifyAK(evidenceKey, ev.AKPublic); err != nil {
			return nil, nil, &wrapped{checkErr(CheckAKTrust, bootThreats, ErrUntrustedAK, "AK verifier refused the key"), err}
		}
		return []crypto.PublicKey{evidenceKey}, nil, nil
	}
}

// wrapped is a CheckError that also unwraps to the error of an AKVerifier,
// so a policy can branch on its own sentinels too.
type wrapped struct {
	check interface {
		error
		Unwrap() []error
	}
	cause error
}

func (w *wrapped) Error() string   { return w.check.Error() + ": " + w.cause.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.check, w.cause} }

func verifyAKChain(ders [][]byte, roots *x509.CertPool, at time.Time) (*x509.Certificate, error) {
	if len(ders) == 0 {
		return nil, fmt.Errorf("no AK certificate in the evidence")
	}
	if len(ders) > limits.MaxAKCertificates {
		return nil, limits.TooLarge("AK certificate chain", limits.MaxAKCertificates)
	}
	inter := x509.NewCertPool()
	var leaf *x509.Certificate
	for i, der := range ders {
		if len(der) > limits.MaxAKCertificateBytes {
			return nil, limits.TooLarge("AK certificate", limits.MaxAKCertificateBytes)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: AK certificate %d: %v", ErrMalformed, i, err)
		}
		if i == 0 {
			leaf = c
		} else {
			inter.AddCert(c)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		// TCG AK certificates carry tcg-kp-AIKCertificate (2.23.133.8.3) or
		// no EKU at all; the chain, not the EKU, carries the trust.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}); err != nil {
		return nil, fmt.Errorf("AK certificate chain: %v", err)
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, fmt.Errorf("AK certificate does not allow digitalSignature")
	}
	if err := checkAKKey(leaf.PublicKey); err != nil {
		return nil, err
	}
	return leaf, nil
}

// ParseAKPublic parses an attestation key's public part, given either as a
// TPMT_PUBLIC (what TPM2_CreatePrimary / TPM2_ReadPublic return) or as a
// PKIX DER SubjectPublicKeyInfo. Only keys usable for quotes are accepted:
// ECDSA P-256/P-384 and RSA 2048–8192 bits.
func ParseAKPublic(data []byte) (crypto.PublicKey, error) {
	if len(data) > limits.MaxAKPublicBytes {
		return nil, limits.TooLarge("AK public key", limits.MaxAKPublicBytes)
	}
	var key crypto.PublicKey
	if pub, err := strictUnmarshal[tpm2.TPMTPublic](data); err == nil {
		k, err := tpmPub(pub)
		if err != nil {
			return nil, malformed("TPMT_PUBLIC: %v", err)
		}
		key = k
	} else if k, err := spki.Parse(data); err == nil {
		key = k
	} else {
		return nil, malformed("AK public key is neither TPMT_PUBLIC nor PKIX DER")
	}
	if err := checkAKKey(key); err != nil {
		return nil, err
	}
	return key, nil
}

// tpmPub converts a TPMT_PUBLIC, guarding go-tpm against hostile values.
func tpmPub(pub *tpm2.TPMTPublic) (k crypto.PublicKey, err error) {
	defer func() {
		if r := recover(); r != nil {
			k, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	return tpm2.Pub(*pub)
}

// checkAKKey accepts the key types a quote may be verified with.
func checkAKKey(k crypto.PublicKey) error {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Errorf("%w: ECDSA AK must use P-256 or P-384", ErrMalformed)
		}
		if k.X == nil || k.Y == nil {
			return fmt.Errorf("%w: ECDSA AK has no point", ErrMalformed)
		}
		// A point off the curve is not checked here: ecdsa.Verify rejects
		// such a key on every signature, and converting the key to learn it
		// earlier cost about a tenth of the quote's own check.
	case *rsa.PublicKey:
		if k.N == nil || k.N.BitLen() < limits.MinRSABits || k.N.BitLen() > limits.MaxRSABits {
			return fmt.Errorf("%w: RSA AK must have %d–%d bits", ErrMalformed, limits.MinRSABits, limits.MaxRSABits)
		}
		if k.E < 3 || k.E%2 == 0 {
			return fmt.Errorf("%w: RSA AK exponent %d", ErrMalformed, k.E)
		}
	default:
		return fmt.Errorf("%w: AK key type %T is not ECDSA or RSA", ErrMalformed, k)
	}
	return nil
}

func keyEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
