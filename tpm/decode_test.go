package tpm

import (
	"bytes"
	"testing"

	"github.com/google/go-tpm/tpm2"
)

// agreeWithGoTPM checks the differential property of ParseQuote: whatever
// it accepts, go-tpm's strict decode accepts too, with the same values.
// (ParseQuote is stricter in documented ways: at most MaxPCRBanks banks and
// MaxPCRSelectBytes per bitmap, signature schemes RSASSA/RSAPSS/ECDSA only.)
func agreeWithGoTPM(t *testing.T, attest, sig []byte) {
	q, err := ParseQuote(attest, sig)
	if err != nil {
		return
	}
	att, err := strictUnmarshal[tpm2.TPMSAttest](attest)
	if err != nil {
		t.Fatalf("ParseQuote accepted a TPMS_ATTEST go-tpm rejects: %v", err)
	}
	s, err := strictUnmarshal[tpm2.TPMTSignature](sig)
	if err != nil {
		t.Fatalf("ParseQuote accepted a TPMT_SIGNATURE go-tpm rejects: %v", err)
	}
	if uint32(att.Magic) != q.Magic || uint16(att.Type) != q.Type || !bytes.Equal(att.ExtraData.Buffer, q.ExtraData) ||
		!bytes.Equal(att.QualifiedSigner.Buffer, q.QualifiedSigner) || att.ClockInfo.Clock != q.Clock ||
		att.ClockInfo.Safe != q.Safe || att.FirmwareVersion != q.FirmwareVersion {
		t.Fatalf("TPMS_ATTEST header differs from go-tpm's decoding")
	}
	if q.Type == AttestQuote {
		qi, err := att.Attested.Quote()
		if err != nil || !bytes.Equal(qi.PCRDigest.Buffer, q.PCRDigest) || len(qi.PCRSelect.PCRSelections) != len(q.Selection) {
			t.Fatalf("quote info differs from go-tpm's decoding")
		}
		for i, sel := range qi.PCRSelect.PCRSelections {
			if uint16(sel.Hash) != q.Selection[i].Alg || !bytes.Equal(sel.PCRSelect, encodeSelectSize(q.Selection[i].PCRs, len(sel.PCRSelect))) {
				t.Fatalf("selection %d differs from go-tpm's decoding", i)
			}
		}
	}
	if uint16(s.SigAlg) != q.Signature.Scheme {
		t.Fatalf("signature scheme differs")
	}
	switch q.Signature.Scheme {
	case SigECDSA:
		e, err := s.Signature.ECDSA()
		if err != nil || uint16(e.Hash) != q.Signature.HashAlg || !bytes.Equal(e.SignatureR.Buffer, q.Signature.R) || !bytes.Equal(e.SignatureS.Buffer, q.Signature.S) {
			t.Fatalf("ECDSA signature differs")
		}
	case SigRSASSA:
		r, err := s.Signature.RSASSA()
		if err != nil || uint16(r.Hash) != q.Signature.HashAlg || !bytes.Equal(r.Sig.Buffer, q.Signature.RSA) {
			t.Fatalf("RSASSA signature differs")
		}
	case SigRSAPSS:
		r, err := s.Signature.RSAPSS()
		if err != nil || uint16(r.Hash) != q.Signature.HashAlg || !bytes.Equal(r.Sig.Buffer, q.Signature.RSA) {
			t.Fatalf("RSAPSS signature differs")
		}
	}
}

func encodeSelectSize(pcrs []int, size int) []byte {
	out := make([]byte, size)
	for _, i := range pcrs {
		out[i/8] |= 1 << (i % 8)
	}
	return out
}

// TestParseQuoteMatchesGoTPM: quotes built with go-tpm's marshaller parse to
// the same values, and corruptions are rejected by both.
func TestParseQuoteMatchesGoTPM(t *testing.T) {
	att := tpm2.TPMSAttest{
		Magic: tpm2.TPMGeneratedValue, Type: tpm2.TPMSTAttestQuote,
		QualifiedSigner: tpm2.TPM2BName{Buffer: []byte{0, 11, 1, 2, 3}},
		ExtraData:       tpm2.TPM2BData{Buffer: []byte("nonce")},
		ClockInfo:       tpm2.TPMSClockInfo{Clock: 7, ResetCount: 2, RestartCount: 3, Safe: true},
		FirmwareVersion: 42,
		Attested: tpm2.NewTPMUAttest(tpm2.TPMSTAttestQuote, &tpm2.TPMSQuoteInfo{
			PCRSelect: tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{
				{Hash: tpm2.TPMAlgSHA256, PCRSelect: []byte{0xff, 0x03, 0x00}},
				{Hash: tpm2.TPMAlgSHA384, PCRSelect: []byte{0x81, 0x00, 0x80}},
			}},
			PCRDigest: tpm2.TPM2BDigest{Buffer: bytes.Repeat([]byte{9}, 32)},
		}),
	}
	sigs := [][]byte{
		tpm2.Marshal(tpm2.TPMTSignature{SigAlg: tpm2.TPMAlgECDSA, Signature: tpm2.NewTPMUSignature(tpm2.TPMAlgECDSA,
			&tpm2.TPMSSignatureECC{Hash: tpm2.TPMAlgSHA256, SignatureR: tpm2.TPM2BECCParameter{Buffer: []byte{1, 2}}, SignatureS: tpm2.TPM2BECCParameter{Buffer: []byte{3}}})}),
		tpm2.Marshal(tpm2.TPMTSignature{SigAlg: tpm2.TPMAlgRSASSA, Signature: tpm2.NewTPMUSignature(tpm2.TPMAlgRSASSA,
			&tpm2.TPMSSignatureRSA{Hash: tpm2.TPMAlgSHA384, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: []byte{4, 5, 6}}})}),
		tpm2.Marshal(tpm2.TPMTSignature{SigAlg: tpm2.TPMAlgRSAPSS, Signature: tpm2.NewTPMUSignature(tpm2.TPMAlgRSAPSS,
			&tpm2.TPMSSignatureRSA{Hash: tpm2.TPMAlgSHA256, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: []byte{7}}})}),
	}
	attest := tpm2.Marshal(att)
	for _, sig := range sigs {
		q, err := ParseQuote(attest, sig)
		if err != nil {
			t.Fatalf("ParseQuote: %v", err)
		}
		if len(q.Selection) != 2 || len(q.Selection[0].PCRs) != 10 || q.Selection[1].PCRs[2] != 23 {
			t.Fatalf("selection = %+v", q.Selection)
		}
		agreeWithGoTPM(t, attest, sig)
		for cut := 0; cut < len(attest); cut++ {
			if _, err := ParseQuote(attest[:cut], sig); err == nil {
				t.Fatalf("truncated TPMS_ATTEST (%d bytes) accepted", cut)
			}
		}
	}
	bad := bytes.Clone(attest)
	bad[4+2+7+7+8+8] = 2 // safe = 2
	if _, err := ParseQuote(bad, sigs[0]); err == nil {
		t.Fatal("non-canonical safe accepted")
	}
}

// FuzzParseQuoteGoTPM: differential fuzzing of ParseQuote against go-tpm.
func FuzzParseQuoteGoTPM(f *testing.F) {
	f.Fuzz(func(t *testing.T, attest, sig []byte) {
		agreeWithGoTPM(t, attest, sig)
	})
}
