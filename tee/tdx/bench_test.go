package tdx_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tdx-guest/verify"

	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
)

// Benchmarks on go-tdx-guest's real quote at its pinned time (run them in
// one invocation to compare): our verify cold (cache disabled) and warm,
// go-tdx-guest's verify.TdxQuote on the parsed quote (fresh options, the
// Intel root passed), and the floor — the two P-256 verifications every
// quote needs (QE report by the PCK, quote by the attestation key).

func benchVerifier(b *testing.B, cache int) *tdx.Verifier {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		b.Fatal(err)
	}
	o := realOptions(b, q)
	o.CacheSize = cache
	v, err := tdx.NewVerifier(o)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.VerifyQuote(testdata.RawQuote, sprTime, q.ReportData[:]); err != nil {
		b.Fatal(err)
	}
	return v
}

func BenchmarkVerifyCold(b *testing.B) {
	v := benchVerifier(b, -1)
	q, _ := tdx.ParseQuote(testdata.RawQuote)
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.VerifyQuote(testdata.RawQuote, sprTime, q.ReportData[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyWarm(b *testing.B) {
	v := benchVerifier(b, 0)
	q, _ := tdx.ParseQuote(testdata.RawQuote)
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.VerifyQuote(testdata.RawQuote, sprTime, q.ReportData[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCollateral{Cold,Warm}: a fake quote with its collateral
// bundle. Cold (caches disabled): PCK chain, bundle parse, two TCB-signing
// chains, four collateral signatures and two CRLs on every call. Warm:
// chain and bundle cached, only the quote-dependent checks run.
func BenchmarkVerifyCollateralCold(b *testing.B) { benchCollateral(b, -1) }
func BenchmarkVerifyCollateralWarm(b *testing.B) { benchCollateral(b, 0) }

func benchCollateral(b *testing.B, cache int) {
	s, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	q := goodQuote(s)
	raw := sign(b, s, q)
	col, err := s.Collateral(tdxtest.Collateral{})
	if err != nil {
		b.Fatal(err)
	}
	o := strictOptions(s, q)
	o.CacheSize = cache
	v := mustVerifier(b, o)
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.VerifyQuoteCollateral(raw, col, testNow, q.ReportData[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoTdxGuestTdxQuote(b *testing.B) {
	pool := intel(b).Pool()
	for b.Loop() {
		// Parsing is part of the work, as in ours.
		pq, err := abi.QuoteToProto(testdata.RawQuote)
		if err != nil {
			b.Fatal(err)
		}
		if err := verify.TdxQuote(pq, &verify.Options{TrustedRoots: pool, Now: sprTime}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloorTwoP256(b *testing.B) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		b.Fatal(err)
	}
	blk, _ := pem.Decode(q.PCKChain)
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	pck := leaf.PublicKey.(*ecdsa.PublicKey)
	ak, err := ecdsa.ParseUncompressedPublicKey(pck.Curve, append([]byte{4}, q.AttestationKey[:]...))
	if err != nil {
		b.Fatal(err)
	}
	raw := q.Raw()
	// Signatures in DER ahead of time: the floor is the verification alone.
	qeSig, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(q.QEReportSig[:32]), new(big.Int).SetBytes(q.QEReportSig[32:])})
	qSig, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(q.Signature[:32]), new(big.Int).SetBytes(q.Signature[32:])})
	for b.Loop() {
		d1 := sha256.Sum256(q.QEReport[:])
		d2 := sha256.Sum256(raw[:tdx.SignedSize])
		if !ecdsa.VerifyASN1(pck, d1[:], qeSig) || !ecdsa.VerifyASN1(ak, d2[:], qSig) {
			b.Fatal("floor verify failed")
		}
	}
}
