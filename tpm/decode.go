package tpm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// ParseQuote parses a TPMS_ATTEST (the bytes the TPM signed, i.e. the
// contents of TPM2B_ATTEST without its size) and a TPMT_SIGNATURE (TPM 2.0
// Part 2 §10.12.12, §11.3.4). Both must be canonical encodings with no
// trailing bytes; values are copied, never aliased. ParseQuote does not
// check magic, type, nonce, PCRs or signature: that is [VerifyQuote].
//
// The decoder is our own, small and bounded: go-tpm's reflection decoder
// costs more than the signature check itself, and quotes are verified on
// every admission. TestParseQuoteMatchesGoTPM and FuzzParseQuote check that
// it agrees with go-tpm's tpm2.Unmarshal (strict: re-encoding gives the
// input back) on every input: same acceptance, same values.
func ParseQuote(attest, signature []byte) (*Quote, error) {
	if len(attest) > limits.MaxAttestBytes {
		return nil, limits.TooLarge("TPMS_ATTEST", limits.MaxAttestBytes)
	}
	if len(signature) > limits.MaxTPMSignatureBytes {
		return nil, limits.TooLarge("TPMT_SIGNATURE", limits.MaxTPMSignatureBytes)
	}
	r := reader{b: attest}
	q := &Quote{}
	q.Magic = r.u32()
	q.Type = r.u16()
	q.QualifiedSigner = r.tpm2b()
	q.ExtraData = r.tpm2b()
	q.Clock = r.u64()
	q.ResetCount = r.u32()
	q.RestartCount = r.u32()
	switch r.u8() {
	case 0:
	case 1:
		q.Safe = true
	default:
		r.fail("TPMS_CLOCK_INFO.safe is not 0 or 1")
	}
	q.FirmwareVersion = r.u64()
	if q.Type == AttestQuote {
		n := r.u32()
		if n > limits.MaxPCRBanks {
			return nil, limits.TooLarge("PCR selection banks", limits.MaxPCRBanks)
		}
		for i := uint32(0); i < n && r.err == nil; i++ {
			alg := r.u16()
			bitmap := r.bytes(int(r.u8()))
			idx, err := decodeSelect(bitmap)
			if err != nil {
				return nil, err
			}
			q.Selection = append(q.Selection, PCRSelection{Alg: alg, Hash: hashFromAlg(alg), PCRs: idx})
		}
		q.PCRDigest = r.tpm2b()
	} else if err := otherAttest(attest); err != nil {
		return nil, malformed("TPMS_ATTEST: %v", err)
	} else {
		// Other attestation types are decoded by go-tpm only to validate
		// them; Verify rejects them by type after the signature check.
		r.b = r.b[len(r.b):]
	}
	if err := r.done("TPMS_ATTEST"); err != nil {
		return nil, err
	}
	q.attest = slices.Clone(attest)

	s := reader{b: signature}
	q.Signature.Scheme = s.u16()
	q.Signature.HashAlg = s.u16()
	switch q.Signature.Scheme {
	case SigRSASSA, SigRSAPSS:
		q.Signature.RSA = s.tpm2b()
	case SigECDSA:
		q.Signature.R = s.tpm2b()
		q.Signature.S = s.tpm2b()
	default:
		if s.err == nil {
			return nil, malformed("signature scheme 0x%04x is not RSASSA, RSAPSS or ECDSA", q.Signature.Scheme)
		}
	}
	if err := s.done("TPMT_SIGNATURE"); err != nil {
		return nil, err
	}
	return q, nil
}

// reader decodes big-endian TPM structures; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.fail("truncated")
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if v := r.bytes(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.bytes(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// tpm2b reads a TPM2B (uint16 size, then the bytes) and copies it.
func (r *reader) tpm2b() []byte {
	n := r.u16()
	return slices.Clone(r.bytes(int(n)))
}

func (r *reader) done(what string) error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.b))
	}
	if r.err != nil {
		return malformed("%s: %v", what, r.err)
	}
	return nil
}
