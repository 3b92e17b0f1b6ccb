package tdx_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-tdx-guest/testing/testdata"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
)

// FuzzParseQuote: no input panics ParseQuote (or go-tdx-guest's parser
// under it); a parsed quote is version 4 and round-trips through Raw.
func FuzzParseQuote(f *testing.F) {
	f.Add(testdata.RawQuote)
	f.Add(make([]byte, 0x400))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := tdx.ParseQuote(b)
		if err != nil {
			return
		}
		if q.Version != tdx.QuoteVersion || !bytes.Equal(q.Raw(), b) {
			t.Fatalf("accepted version %d", q.Version)
		}
	})
}

// FuzzVerifyQuote: a mutated real quote never panics the verifier (warm
// cache) and is accepted only if its signed bytes are the original's.
func FuzzVerifyQuote(f *testing.F) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		f.Fatal(err)
	}
	o := realOptions(f, q)
	o.InsecureSkipReportData = true
	v, err := tdx.NewVerifier(o)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(testdata.RawQuote)
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := v.VerifyQuote(raw, sprTime, nil)
		if err == nil && !bytes.Equal(raw[:tdx.SignedSize], testdata.RawQuote[:tdx.SignedSize]) {
			t.Fatal("accepted a quote whose signed bytes changed")
		}
	})
}

// FuzzParseCollateral: no input panics ParseCollateral; a parsed bundle
// has its parts (two signers, two CRLs, TCB levels within limits).
func FuzzParseCollateral(f *testing.F) {
	f.Add(marshal(f, realCollateral(f)))
	f.Add([]byte(`{"tcbInfo":"{\"tcbInfo\":{},\"signature\":\"00\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := tdx.ParseCollateral(b)
		if err != nil {
			if !errors.Is(err, tdx.ErrMalformed) && !errors.Is(err, tdx.ErrTooLarge) {
				t.Fatalf("error without sentinel: %v", err)
			}
			return
		}
		if c.PCKCRL == nil || c.RootCRL == nil || len(c.TCBInfo.TCBLevels) == 0 || len(c.TCBInfo.TCBLevels) > limits.MaxTDXTCBLevels || len(c.QEIdentity.MRSIGNER) != 32 {
			t.Fatalf("accepted an incomplete bundle")
		}
	})
}

// FuzzVerifyCollateral: a mutated valid bundle never panics the verifier
// and never passes with a changed TCB info or QE identity body.
func FuzzVerifyCollateral(f *testing.F) {
	s, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		f.Fatal(err)
	}
	q := goodQuote(s)
	raw, err := s.Sign(q)
	if err != nil {
		f.Fatal(err)
	}
	good, err := s.CollateralBundle(tdxtest.Collateral{})
	if err != nil {
		f.Fatal(err)
	}
	v, err := tdx.NewVerifier(strictOptions(s, q))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(marshal(f, good))
	f.Fuzz(func(t *testing.T, col []byte) {
		if _, err := v.VerifyQuoteCollateral(raw, col, testNow, q.ReportData[:]); err != nil {
			return
		}
		c, err := tdx.ParseCollateral(col)
		if err != nil {
			t.Fatalf("verified but does not parse: %v", err)
		}
		g, _ := tdx.ParseCollateral(marshal(t, good))
		if c.TCBInfo.TCBEvaluationDataNumber != g.TCBInfo.TCBEvaluationDataNumber || len(c.TCBInfo.TCBLevels) != len(g.TCBInfo.TCBLevels) || c.TCBInfo.TCBLevels[0].TCBStatus != g.TCBInfo.TCBLevels[0].TCBStatus || !bytes.Equal(c.QEIdentity.MRSIGNER, g.QEIdentity.MRSIGNER) {
			t.Fatal("accepted changed signed collateral")
		}
	})
}
