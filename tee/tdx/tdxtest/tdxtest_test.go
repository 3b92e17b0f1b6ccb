package tdxtest_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	gtesting "github.com/google/go-tdx-guest/testing"
	"github.com/google/go-tdx-guest/verify"

	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
)

var now = tdxtest.DefaultTime.Add(24 * time.Hour)

// TestGoTdxGuestAccepts: go-tdx-guest v0.3.1 itself, not our verifier,
// accepts the signer's quotes under the test root and rejects them under
// Intel's embedded root and under a pool holding Intel's root (EVIDENCE.md
// §3.2), and sees the fields we set.
func TestGoTdxGuestAccepts(t *testing.T) {
	s, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := s.Quote()
	q.MRTD[0], q.RTMR[2][0], q.ReportData[63], q.MRCONFIGID[5] = 0xaa, 0xb2, 0xcc, 0x0c
	raw, err := s.Sign(q)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.RawTdxQuote(raw, &verify.Options{TrustedRoots: s.RootPool(), Now: now}); err != nil {
		t.Fatalf("go-tdx-guest rejects a tdxtest quote under the test root: %v", err)
	}
	intel, err := tdx.IntelRoots()
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.RawTdxQuote(raw, &verify.Options{TrustedRoots: intel.Pool(), Now: now}); err == nil {
		t.Fatal("go-tdx-guest accepts a tdxtest quote under Intel's root")
	}
	a, err := abi.QuoteToProto(raw)
	if err != nil {
		t.Fatal(err)
	}
	b := a.(*pb.QuoteV4).GetTdQuoteBody()
	if b.GetMrTd()[0] != 0xaa || b.GetRtmrs()[2][0] != 0xb2 || b.GetReportData()[63] != 0xcc || b.GetMrConfigId()[5] != 0x0c || b.GetTdAttributes()[0]&1 != 0 {
		t.Errorf("fields not as set: %x", b.GetMrTd()[:4])
	}
	// A byte of the body flipped after signing is rejected by go-tdx-guest.
	bad := bytes.Clone(raw)
	bad[0x30+0x88] ^= 1 // MRTD
	if err := verify.RawTdxQuote(bad, &verify.Options{TrustedRoots: s.RootPool(), Now: now}); err == nil {
		t.Error("go-tdx-guest accepts a tampered quote")
	}
}

// TestProcessorCA: a Processor-CA chain is a valid Intel profile that
// go-tdx-guest v0.3.1 rejects (P-TDX-12).
func TestProcessorCA(t *testing.T) {
	s, err := tdxtest.New(tdxtest.Options{ProcessorCA: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Sign(s.Quote())
	if err != nil {
		t.Fatal(err)
	}
	if s.CA.Subject.CommonName != "Intel SGX PCK Processor CA" {
		t.Fatal(s.CA.Subject.CommonName)
	}
	if err := verify.RawTdxQuote(raw, &verify.Options{TrustedRoots: s.RootPool(), Now: now}); err == nil {
		t.Error("go-tdx-guest v0.3.1 now accepts Processor-CA chains; revisit P-TDX-12")
	}
}

// getter serves a tdxtest collateral bundle to go-tdx-guest at Intel's PCS
// URLs, with the issuer-chain headers PCS sends (EVIDENCE.md §3.2.1).
func getter(t *testing.T, s *tdxtest.Signer, b tdx.CollateralBundle) *gtesting.Getter {
	t.Helper()
	pemOf := func(c *x509.Certificate) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return &gtesting.Getter{Responses: map[string]gtesting.HTTPResponse{
		pcs.TcbInfoURL("50806f000000"):  {Header: map[string][]string{"Tcb-Info-Issuer-Chain": {b.TCBInfoIssuerChain}}, Body: []byte(b.TCBInfo)},
		pcs.QeIdentityURL():             {Header: map[string][]string{"Sgx-Enclave-Identity-Issuer-Chain": {b.QEIdentityIssuerChain}}, Body: []byte(b.QEIdentity)},
		pcs.PckCrlURL("platform"):       {Header: map[string][]string{"Sgx-Pck-Crl-Issuer-Chain": {url.QueryEscape(pemOf(s.CA) + pemOf(s.Root))}}, Body: b.PCKCRL},
		s.Root.CRLDistributionPoints[0]: {Body: b.RootCRL},
	}}
}

// TestGoTdxGuestAcceptsCollateral: go-tdx-guest v0.3.1 itself accepts the
// default quote with the builder's collateral (TCB info, QE identity, PCK
// and root CRLs, revocation checked) under the test root, and rejects it
// when the builder makes the collateral wrong.
func TestGoTdxGuestAcceptsCollateral(t *testing.T) {
	s, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Sign(s.Quote())
	if err != nil {
		t.Fatal(err)
	}
	check := func(c tdxtest.Collateral) error {
		b, err := s.CollateralBundle(c)
		if err != nil {
			t.Fatal(err)
		}
		return verify.RawTdxQuote(raw, &verify.Options{GetCollateral: true, CheckRevocations: true, Getter: getter(t, s, b), TrustedRoots: s.RootPool(), Now: now})
	}
	if err := check(tdxtest.Collateral{}); err != nil {
		t.Fatalf("go-tdx-guest rejects tdxtest collateral: %v", err)
	}
	for name, c := range map[string]tdxtest.Collateral{
		"revoked PCK":        {RevokedPCK: []*big.Int{s.PCK.SerialNumber}},
		"tampered TCB info":  {TamperTCBInfo: true},
		"wrong QE MRSIGNER":  {QEMRSIGNER: [32]byte{0x44}},
		"expired":            {NextUpdate: now.Add(-time.Hour)},
		"out of date":        {Levels: []tdxtest.Level{{SGX: [16]byte{3, 3, 2, 2, 2, 1, 0, 2}, PCESVN: 11, TDX: [16]byte{3, 0, 5}, Status: tdx.StatusOutOfDate}}},
		"below every level":  {Levels: []tdxtest.Level{{SGX: [16]byte{3, 3, 2, 2, 2, 1, 0, 2}, PCESVN: 11, TDX: [16]byte{3, 0, 6}}}},
		"wrong MRSIGNERSEAM": {MRSIGNERSEAM: [48]byte{1}},
	} {
		if err := check(c); err == nil {
			t.Errorf("%s: go-tdx-guest accepts", name)
		}
	}
}
