package tpmtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sync"
	"time"
)

// CA is a test certificate authority that issues AK certificates, the way a
// cloud provider or TPM manufacturer certifies attestation keys. It is safe
// for concurrent use.
type CA struct {
	// Certificate is the self-signed root; put it in the verifier's roots.
	Certificate *x509.Certificate
	key         *ecdsa.PrivateKey
	mu          sync.Mutex
	serial      int64
}

// NewCA makes a root CA valid from notBefore to notAfter.
func NewCA(name string, notBefore, notAfter time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Certificate: cert, key: key, serial: 1}, nil
}

// oidAIKCertificate is tcg-kp-AIKCertificate (TCG EK Credential Profile).
var oidAIKCertificate = asn1.ObjectIdentifier{2, 23, 133, 8, 3}

// IssueAK certifies an AK public key for the given validity window and
// returns the DER certificate.
func (ca *CA) IssueAK(ak crypto.PublicKey, notBefore, notAfter time.Time) ([]byte, error) {
	ca.mu.Lock()
	ca.serial++
	serial := ca.serial
	ca.mu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(serial),
		Subject:            pkix.Name{CommonName: "tpmtest AK"},
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidAIKCertificate},
	}
	return x509.CreateCertificate(rand.Reader, tmpl, ca.Certificate, ak, ca.key)
}
