package tdx_test

import (
	"bytes"
	"testing"

	"github.com/google/go-tdx-guest/testing/testdata"

	"github.com/buildtrust/buildtrust/tee/tdx"
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
