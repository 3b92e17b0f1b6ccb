package tdxtest_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
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
