package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// intelSGXRootCA is the Intel SGX Root CA certificate (CN "Intel SGX Root
// CA", O "Intel Corporation", valid 2018-05-21 to 2049-12-31, SHA-256
// fingerprint IntelRootSHA256), the root of every PCK chain: the
// certificate go-tdx-guest v0.3.1 embeds (verify/trusted_root.pem) and the
// last certificate of the PCK chain in its real Sapphire Rapids quote (both
// compared in the tests).
const intelSGXRootCA = `-----BEGIN CERTIFICATE-----
MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIw
aDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENv
cnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ
BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgG
A1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0
aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT
AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi7
1OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOB
uzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ
MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50
ZWwuY29tL0ludGVsU0dYUm9vdENBLmRlcjAdBgNVHQ4EFgQUImUM1lqdNInzg7SV
Ur9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI
KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwg
AiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZUGOdRQ7cvqRXaqI=
-----END CERTIFICATE-----
`

// IntelRootSHA256 is the SHA-256 fingerprint (of the DER certificate) of
// the Intel SGX Root CA that [IntelRoots] returns.
const IntelRootSHA256 = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"

// maxRoots bounds the certificates of one [ParseRoots] bundle.
const maxRoots = 16

// Roots are the root certificates a [Verifier] trusts for PCK chains. They
// are immutable once built and safe for concurrent use. Trust never comes
// from the evidence: the root certificate a quote carries at the end of
// its PCK chain is ignored.
type Roots struct {
	certs []*x509.Certificate
	pool  *x509.CertPool
}

// IntelRoots returns the Intel SGX Root CA, pinned in this package (see
// [IntelRootSHA256]). It is the only root of genuine TDX quotes.
func IntelRoots() (*Roots, error) {
	return ParseRoots([]byte(intelSGXRootCA))
}

// ParseRoots builds Roots from PEM "CERTIFICATE" blocks (at most 16). Each
// must be a CA certificate with an ECDSA P-256 key, as Intel's PCK profile
// requires. Errors wrap ErrMalformed, ErrTooLarge or ErrNoTrustRoots.
func ParseRoots(pemBytes []byte) (*Roots, error) {
	if len(pemBytes) > maxRoots*2*limits.MaxTEECertificateBytes {
		return nil, fmt.Errorf("%w: roots bundle of %d bytes", ErrTooLarge, len(pemBytes))
	}
	r := &Roots{pool: x509.NewCertPool()}
	rest := pemBytes
	for len(bytes.TrimSpace(rest)) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: roots: not a PEM CERTIFICATE block", ErrMalformed)
		}
		if len(r.certs) == maxRoots {
			return nil, fmt.Errorf("%w: more than %d roots", ErrTooLarge, maxRoots)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: root: %v", ErrMalformed, err)
		}
		if !c.IsCA {
			return nil, fmt.Errorf("%w: root %q is not a CA", ErrMalformed, c.Subject.CommonName)
		}
		if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: root %q key is not ECDSA P-256", ErrMalformed, c.Subject.CommonName)
		}
		r.certs = append(r.certs, c)
		r.pool.AddCert(c)
	}
	if len(r.certs) == 0 {
		return nil, ErrNoTrustRoots
	}
	return r, nil
}

// Certificates returns the trusted root certificates.
func (r *Roots) Certificates() []*x509.Certificate {
	return append([]*x509.Certificate(nil), r.certs...)
}

// Pool returns a new certificate pool holding the roots, as go-tdx-guest's
// verify.Options.TrustedRoots wants it.
func (r *Roots) Pool() *x509.CertPool {
	return r.pool.Clone()
}

func (r *Roots) find(c *x509.Certificate) *x509.Certificate {
	for _, x := range r.certs {
		if x.Equal(c) {
			return x
		}
	}
	return nil
}

func validAt(c *x509.Certificate, now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}
