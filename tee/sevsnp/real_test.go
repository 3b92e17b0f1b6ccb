package sevsnp_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-sev-guest/verify/testdata"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/threat"
)

// goSevGuestTime is inside the validity of go-sev-guest's real Milan VCEK
// (2022-09-24 … 2029-09-24, EVIDENCE.md §4).
var goSevGuestTime = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)

func embedded(t testing.TB) *sevsnp.Roots {
	t.Helper()
	r, err := sevsnp.EmbeddedRoots()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRealMilanGoSevGuest verifies go-sev-guest's real Milan report
// (verify/testdata: AttestationBytes, VcekBytes) offline against AMD's
// embedded roots, with the values EVIDENCE.md §1.1 lists: report v2, guest
// policy 0xb0000 (debug allowed), REPORT_DATA 01 02 03 …, reported TCB
// bl2/tee0/snp5/ucode68, product from the VCEK (stepping 0 = Milan-B0).
// As upstream's validate rejects it by default ("found unauthorized debug
// capability"), so do we (BENV-L3-3, THREAT-E10).
func TestRealMilanGoSevGuest(t *testing.T) {
	raw := testdata.AttestationBytes[:sevsnp.ReportSize]
	r, err := sevsnp.ParseReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	ev := sevsnp.Evidence{Report: raw, Certificate: testdata.VcekBytes}
	base := sevsnp.Options{Roots: embedded(t), Measurements: [][]byte{r.Measurement[:]}}

	// Default options: debug rejected.
	v, err := sevsnp.NewVerifier(base)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.VerifyEvidence(ev, goSevGuestTime, r.ReportData[:])
	var ce *buildtrust.CheckError
	if !errors.Is(err, sevsnp.ErrDebug) || !errors.Is(err, threat.E10) || !errors.As(err, &ce) || ce.Check != sevsnp.CheckDebug {
		t.Fatalf("default options: err = %v, want %s / ErrDebug / E10", err, sevsnp.CheckDebug)
	}

	// With debug explicitly allowed, everything else verifies.
	o := base
	o.InsecureAllowDebug = true
	o.Product = "Milan-B0"
	v, err = sevsnp.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.VerifyEvidence(ev, goSevGuestTime, r.ReportData[:])
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || c.Policy != 0xb0000 || !c.Debug || c.SigningKey != tee.VCEK || c.Product != "Milan-B0" {
		t.Errorf("claims: version %d policy %#x debug %t key %s product %s", c.Version, c.Policy, c.Debug, c.SigningKey, c.Product)
	}
	if !strings.HasPrefix(hex.EncodeToString(c.ReportData[:]), "0102030405") {
		t.Errorf("REPORT_DATA %x", c.ReportData[:8])
	}
	want := []tee.SVN{{Name: "bootloader", Value: 2}, {Name: "tee", Value: 0}, {Name: "snp", Value: 5}, {Name: "microcode", Value: 68}}
	if len(c.TCB.Components) != 4 {
		t.Fatalf("TCB %v", c.TCB.Components)
	}
	for i := range want {
		if c.TCB.Components[i] != want[i] {
			t.Errorf("TCB %v, want %v", c.TCB.Components, want)
		}
	}

	// Upstream: stepping 12 is rejected (TestRealAttestationVerification).
	o.Product = "Milan-B1"
	v, _ = sevsnp.NewVerifier(o)
	if _, err := v.VerifyEvidence(ev, goSevGuestTime, r.ReportData[:]); !errors.Is(err, sevsnp.ErrProduct) {
		t.Errorf("Milan-B1: err = %v, want ErrProduct", err)
	}
	// Wrong product line: no Genoa chain for a Milan VCEK.
	o.Product = "Genoa"
	v, _ = sevsnp.NewVerifier(o)
	if _, err := v.VerifyEvidence(ev, goSevGuestTime, r.ReportData[:]); !errors.Is(err, sevsnp.ErrProduct) || !errors.Is(err, threat.E10) {
		t.Errorf("Genoa: err = %v, want ErrProduct", err)
	}
	// After the VCEK expires (2029-09-24), the chain fails.
	o.Product = ""
	v, _ = sevsnp.NewVerifier(o)
	if _, err := v.VerifyEvidence(ev, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), r.ReportData[:]); !errors.Is(err, sevsnp.ErrExpired) {
		t.Errorf("2030: err = %v, want ErrExpired", err)
	}
}

// virteeReport is virtee/sev's real Milan report (tests/certs_data, hex
// text) with its VCEK; corpus README: it verifies with vcek_milan.der,
// reported TCB bl 3, tee 0, snp 8, ucode 115 (equal to the VCEK's
// extensions); flipping report byte 21 (bit 0x80) or VCEK byte 40 breaks
// it.
func virteeEvidence(t testing.TB) (sevsnp.Evidence, *sevsnp.Report) {
	t.Helper()
	raw, err := hex.DecodeString(strings.TrimSpace(string(corpustest.File(t, "virtee-sev/tests/certs_data/report_milan.hex"))))
	if err != nil {
		t.Fatal(err)
	}
	r, err := sevsnp.ParseReport(raw)
	if err != nil {
		t.Fatal(err)
	}
	return sevsnp.Evidence{Report: raw, Certificate: corpustest.File(t, "virtee-sev/tests/certs_data/vcek_milan.der")}, r
}

// The VCEK of the virtee report is valid at this time (its validity is
// checked by the verifier; a failure would show as ErrExpired).
var virteeTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestRealMilanVirtee(t *testing.T) {
	ev, r := virteeEvidence(t)
	callerRoots, err := sevsnp.ParseRoots(sevsnp.RootBundle{ProductLine: sevsnp.Milan, PEM: corpustest.File(t, "virtee-sev/tests/certs_data/cert_chain_milan")})
	if err != nil {
		t.Fatal(err)
	}
	for name, roots := range map[string]*sevsnp.Roots{"embedded AMD roots": embedded(t), "virtee cert_chain_milan": callerRoots} {
		t.Run(name, func(t *testing.T) {
			v, err := sevsnp.NewVerifier(sevsnp.Options{Roots: roots, Measurements: [][]byte{r.Measurement[:]}, Product: sevsnp.Milan})
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.VerifyEvidence(ev, virteeTime, r.ReportData[:])
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]uint8{}
			for _, s := range c.TCB.Components {
				got[s.Name] = s.Value
			}
			if got["bootloader"] != 3 || got["tee"] != 0 || got["snp"] != 8 || got["microcode"] != 115 {
				t.Errorf("TCB %v, want bl 3 tee 0 snp 8 ucode 115", c.TCB.Components)
			}
			if c.Debug || c.Policy != 0x30000 || c.Version != 2 {
				t.Errorf("claims: debug %t policy %#x version %d", c.Debug, c.Policy, c.Version)
			}
			// Corpus negatives.
			bad := ev
			bad.Report = flip(ev.Report, 21, 0x80)
			if _, err := v.VerifyEvidence(bad, virteeTime, r.ReportData[:]); !errors.Is(err, sevsnp.ErrSignature) || !errors.Is(err, threat.E10) {
				t.Errorf("report byte 21 flipped: err = %v, want ErrSignature", err)
			}
			bad = ev
			bad.Certificate = flip(ev.Certificate, 40, 0x01)
			if _, err := v.VerifyEvidence(bad, virteeTime, r.ReportData[:]); err == nil || !errors.Is(err, threat.E10) {
				t.Errorf("VCEK byte 40 flipped: err = %v, want a rejection", err)
			}
		})
	}
}

// TestCorpusRootsMatchEmbedded: the Milan, Genoa and Turin ASK/ARK that
// virtee/sev ships (src/certs/snp/builtin) parse as roots, and so do its
// Milan and Turin chains; each verifies the same virtee report as AMD's
// roots embedded in go-sev-guest would (Milan), i.e. both sources hold the
// same AMD keys.
func TestCorpusRoots(t *testing.T) {
	for _, line := range []string{"milan", "genoa", "turin"} {
		ask := corpustest.File(t, "virtee-sev/src/certs/snp/builtin/"+line+"/ask.pem")
		ark := corpustest.File(t, "virtee-sev/src/certs/snp/builtin/"+line+"/ark.pem")
		pl := strings.ToUpper(line[:1]) + line[1:]
		if _, err := sevsnp.ParseRoots(sevsnp.RootBundle{ProductLine: pl, PEM: append(append([]byte{}, ask...), ark...)}); err != nil {
			t.Errorf("%s builtin: %v", line, err)
		}
	}
	if _, err := sevsnp.ParseRoots(sevsnp.RootBundle{ProductLine: sevsnp.Turin, PEM: corpustest.File(t, "virtee-sev/tests/certs_data/cert_chain_turin")}); err != nil {
		t.Errorf("cert_chain_turin: %v", err)
	}
	// A Milan bundle presented as Genoa is refused.
	if _, err := sevsnp.ParseRoots(sevsnp.RootBundle{ProductLine: sevsnp.Genoa, PEM: corpustest.File(t, "virtee-sev/tests/certs_data/cert_chain_milan")}); !errors.Is(err, sevsnp.ErrChain) {
		t.Errorf("Milan chain as Genoa: err = %v, want ErrChain", err)
	}
	// Genoa roots do not verify the Milan report.
	ev, r := virteeEvidence(t)
	genoa, err := sevsnp.ParseRoots(sevsnp.RootBundle{ProductLine: sevsnp.Genoa, PEM: append(corpustest.File(t, "virtee-sev/src/certs/snp/builtin/genoa/ask.pem"), corpustest.File(t, "virtee-sev/src/certs/snp/builtin/genoa/ark.pem")...)})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := sevsnp.NewVerifier(sevsnp.Options{Roots: genoa, Measurements: [][]byte{r.Measurement[:]}})
	if _, err := v.VerifyEvidence(ev, virteeTime, r.ReportData[:]); !errors.Is(err, sevsnp.ErrChain) {
		t.Errorf("Milan report under Genoa roots: err = %v, want ErrChain", err)
	}
}

func flip(b []byte, i int, bit byte) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= bit
	return c
}
