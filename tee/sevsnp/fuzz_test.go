package sevsnp_test

import (
	"bytes"
	"testing"

	"github.com/google/go-sev-guest/verify/testdata"

	"github.com/buildtrust/buildtrust/tee/sevsnp"
)

// FuzzParseReport: no input panics ParseReport; a parsed report is exactly
// ReportSize bytes and round-trips through Raw.
func FuzzParseReport(f *testing.F) {
	f.Add(testdata.AttestationBytes[:sevsnp.ReportSize])
	f.Add(make([]byte, sevsnp.ReportSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := sevsnp.ParseReport(b)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Raw(), b) {
			t.Fatal("Raw differs from the input")
		}
		if r.Version < 2 || r.Version > 5 || r.SignatureAlgo != 1 {
			t.Fatalf("accepted version %d algo %d", r.Version, r.SignatureAlgo)
		}
	})
}

// FuzzParseCertTable: no input panics ParseCertTable (go-sev-guest's own
// parser panics on an offset+length that overflows uint32).
func FuzzParseCertTable(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 24))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := sevsnp.ParseCertTable(b)
		if err != nil {
			return
		}
		total := len(ct.VCEK) + len(ct.VLEK) + len(ct.ASK) + len(ct.ARK)
		for _, v := range ct.Other {
			total += len(v)
		}
		if total > len(b) {
			t.Fatalf("entries hold %d bytes of a %d-byte table", total, len(b))
		}
	})
}

// FuzzVerify: a mutated report from a test chain never panics the verifier
// (warm cache), and is accepted only if its signed bytes are the original's.
func FuzzVerify(f *testing.F) {
	s := signer(f, "Milan-B0")
	r := goodReport(f, s)
	ev, err := s.Evidence(r)
	if err != nil {
		f.Fatal(err)
	}
	o := goodOptions(s)
	o.InsecureSkipReportData = true
	v := mustVerifier(f, o)
	f.Add(ev.Report)
	f.Fuzz(func(t *testing.T, report []byte) {
		_, err := v.VerifyEvidence(sevsnp.Evidence{Report: report, CertTable: ev.CertTable}, testNow, nil)
		if err == nil && !bytes.Equal(report[:0x2A0], ev.Report[:0x2A0]) {
			t.Fatal("accepted a report whose signed bytes changed")
		}
	})
}
