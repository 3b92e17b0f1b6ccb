package sevsnptest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/sevsnp/sevsnptest"
)

// TestDefaults: a default report parses back with the fields it was made
// with, debug off, and verifies under the signer's roots but not AMD's.
func TestDefaults(t *testing.T) {
	s, err := sevsnptest.New(sevsnptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Report()
	r.GuestSVN, r.HostData[0], r.FamilyID[1] = 7, 0x11, 0x22
	raw, err := s.Sign(r)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sevsnp.ParseReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 3 || p.GuestSVN != 7 || p.HostData[0] != 0x11 || p.FamilyID[1] != 0x22 || p.Policy&sevsnptest.PolicyDebug != 0 || p.SigningKey != tee.VCEK {
		t.Errorf("parsed %+v", p)
	}
	now := sevsnptest.DefaultCreated.Add(time.Hour)
	for _, tt := range []struct {
		roots func() (*sevsnp.Roots, error)
		want  error
	}{
		{func() (*sevsnp.Roots, error) { return s.Roots(), nil }, nil},
		{sevsnp.EmbeddedRoots, sevsnp.ErrChain},
	} {
		roots, err := tt.roots()
		if err != nil {
			t.Fatal(err)
		}
		v, err := sevsnp.NewVerifier(sevsnp.Options{Roots: roots, InsecureAnyMeasurement: true, InsecureSkipReportData: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.VerifyEvidence(sevsnp.Evidence{Report: raw, CertTable: s.CertTable()}, now, nil)
		if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
			t.Errorf("err = %v, want %v", err, tt.want)
		}
	}
	if _, err := s.SignRaw(raw[:10]); err == nil {
		t.Error("SignRaw accepted a short report")
	}
	if _, err := sevsnptest.New(sevsnptest.Options{Product: "Milan-Z9"}); err == nil {
		t.Error("unknown product accepted")
	}
}
