package tpm

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/google/go-tpm/tpm2"
)

// TPM constants checked on every quote (TPM 2.0 Part 2 §6.2, §6.9).
const (
	// GeneratedValue is TPM_GENERATED_VALUE, the magic a TPM puts at the
	// start of every structure it signs.
	GeneratedValue uint32 = 0xff544347
	// AttestQuote is TPM_ST_ATTEST_QUOTE, the type of a TPM2_Quote result.
	AttestQuote uint16 = 0x8018
)

// Signature schemes of TPMT_SIGNATURE this package verifies.
const (
	SigRSASSA uint16 = 0x0014 // TPM_ALG_RSASSA (PKCS #1 v1.5)
	SigRSAPSS uint16 = 0x0016 // TPM_ALG_RSAPSS
	SigECDSA  uint16 = 0x0018 // TPM_ALG_ECDSA
)

// Quote is a parsed TPM2_Quote result: a TPMS_ATTEST and its TPMT_SIGNATURE
// (TPM 2.0 Part 2 §10.12.12, §11.3.4; Part 3 §18.4). Nothing in it is
// trusted: ParseQuote checks form only, and [Quote.Verify] decides.
type Quote struct {
	// Magic is TPMS_ATTEST.magic; a TPM always writes GeneratedValue.
	Magic uint32
	// Type is TPMS_ATTEST.type; a quote is AttestQuote.
	Type uint16
	// QualifiedSigner is the qualified name of the signing key.
	QualifiedSigner []byte
	// ExtraData is the qualifying data (nonce or binding) the caller of
	// TPM2_Quote supplied.
	ExtraData []byte
	// Clock, ResetCount, RestartCount and Safe are TPMS_CLOCK_INFO.
	Clock        uint64
	ResetCount   uint32
	RestartCount uint32
	Safe         bool
	// FirmwareVersion is the TPM vendor's firmware version.
	FirmwareVersion uint64
	// Selection is the quoted PCR selection (TPMS_QUOTE_INFO.pcrSelect),
	// empty when Type is not AttestQuote.
	Selection []PCRSelection
	// PCRDigest is TPMS_QUOTE_INFO.pcrDigest.
	PCRDigest []byte
	// Signature is the parsed TPMT_SIGNATURE.
	Signature Signature

	attest []byte // the exact signed bytes
}

// Signature is a parsed TPMT_SIGNATURE of scheme RSASSA, RSAPSS or ECDSA.
type Signature struct {
	// Scheme is SigRSASSA, SigRSAPSS or SigECDSA.
	Scheme uint16
	// HashAlg is the TPM_ALG_ID of the digest the signature covers.
	HashAlg uint16
	// RSA is the RSA signature (RSASSA, RSAPSS).
	RSA []byte
	// R and S are the ECDSA signature values, big-endian.
	R, S []byte
}

// Attest returns a copy of the exact TPMS_ATTEST bytes the signature covers.
func (q *Quote) Attest() []byte { return slices.Clone(q.attest) }

// strictUnmarshal decodes a TPM structure with go-tpm and accepts it only if
// re-encoding gives back exactly the input: no trailing bytes, no
// non-canonical booleans, nothing go-tpm skipped. go-tpm's reflection code is
// not written for hostile input, so a panic in it is turned into an error.
func strictUnmarshal[T tpm2.Marshallable, P interface {
	*T
	tpm2.Unmarshallable
}](data []byte) (v *T, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	v, err = tpm2.Unmarshal[T, P](data)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(tpm2.Marshal(*v), data) {
		return nil, fmt.Errorf("not a canonical encoding (trailing or non-canonical bytes)")
	}
	return v, nil
}

// otherAttest validates a non-quote TPMS_ATTEST with go-tpm (strictly).
func otherAttest(attest []byte) error {
	_, err := strictUnmarshal[tpm2.TPMSAttest](attest)
	return err
}
