package sevsnp_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/sevsnp/sevsnptest"
	"github.com/buildtrust/buildtrust/threat"
)

var (
	testNow         = sevsnptest.DefaultCreated.Add(30 * 24 * time.Hour)
	testMeasurement = [48]byte{0: 0xAA, 47: 0xAB}
)

func testBinding(t testing.TB, payload string) [64]byte {
	t.Helper()
	b, err := tee.Bind(tee.PurposeLaunch, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	signerOnce sync.Once
	signers    map[string]*sevsnptest.Signer
)

func signer(t testing.TB, product string) *sevsnptest.Signer {
	t.Helper()
	signerOnce.Do(func() {
		signers = map[string]*sevsnptest.Signer{}
		for _, p := range []string{"Milan-B0", "Genoa-B1", "Turin-B0"} {
			s, err := sevsnptest.New(sevsnptest.Options{Product: p})
			if err != nil {
				panic(err)
			}
			signers[p] = s
		}
	})
	return signers[product]
}

// goodReport is a report that passes goodOptions.
func goodReport(t testing.TB, s *sevsnptest.Signer) sevsnptest.Report {
	r := s.Report()
	r.Measurement = testMeasurement
	r.ReportData = testBinding(t, "identity")
	return r
}

func goodOptions(s *sevsnptest.Signer) sevsnp.Options {
	return sevsnp.Options{Roots: s.Roots(), Measurements: [][]byte{testMeasurement[:]}}
}

func mustVerifier(t testing.TB, o sevsnp.Options) *sevsnp.Verifier {
	t.Helper()
	v, err := sevsnp.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFakeVersionsAndProducts: reports of versions 2, 3 and 5, VCEK- and
// VLEK-signed, from Milan, Genoa and Turin test chains verify under their
// test roots, with the claims they were made with (BENV-L3-1).
func TestFakeVersionsAndProducts(t *testing.T) {
	for _, product := range []string{"Milan-B0", "Genoa-B1", "Turin-B0"} {
		s := signer(t, product)
		v := mustVerifier(t, goodOptions(s))
		for _, version := range []uint32{2, 3, 5} {
			for _, key := range []tee.KeyKind{tee.VCEK, tee.VLEK} {
				r := goodReport(t, s)
				r.Version, r.SigningKey = version, key
				if version == 5 {
					r.LaunchMitVector, r.CurrentMitVector = 1, 3
				}
				ev, err := s.Evidence(r)
				if err != nil {
					t.Fatal(err)
				}
				c, err := v.VerifyEvidence(ev, testNow, r.ReportData[:])
				if err != nil {
					t.Fatalf("%s v%d %s: %v", product, version, key, err)
				}
				if c.Version != version || c.SigningKey != key || c.Debug || c.Platform != tee.SEVSNP || c.Measurement[0] != 0xAA {
					t.Errorf("%s v%d %s: claims %+v", product, version, key, c)
				}
				if len(c.Checks) < 10 || c.Checks[0].ID != sevsnp.CheckParse {
					t.Errorf("checks: %+v", c.Checks)
				}
				wantSVNs := 4
				if s.ProductLine() == sevsnp.Turin {
					wantSVNs = 5
				}
				if len(c.TCB.Components) != wantSVNs {
					t.Errorf("TCB components %v", c.TCB.Components)
				}
			}
		}
	}
}

// TestFakeRejectedUnderAMDRoots: the test chain does not chain to AMD's
// roots (a forged chain, THREAT-E10; go-sev-guest#185).
func TestFakeRejectedUnderAMDRoots(t *testing.T) {
	s := signer(t, "Milan-B0")
	r := goodReport(t, s)
	ev, _ := s.Evidence(r)
	o := goodOptions(s)
	o.Roots = embedded(t)
	_, err := mustVerifier(t, o).VerifyEvidence(ev, testNow, r.ReportData[:])
	var ce *buildtrust.CheckError
	if !errors.Is(err, sevsnp.ErrChain) || !errors.Is(err, threat.E10) || !errors.As(err, &ce) || ce.Check != sevsnp.CheckChain {
		t.Fatalf("err = %v, want %s / ErrChain", err, sevsnp.CheckChain)
	}
}

// TestAdversarial: each attack on the report or its context is rejected
// with the check and sentinel that name it, and threat E10 (BENV-L3-3).
func TestAdversarial(t *testing.T) {
	s := signer(t, "Milan-B0")
	genoa := signer(t, "Genoa-B1")
	rd := testBinding(t, "identity")
	one := uint32(1)
	tests := []struct {
		name    string
		signer  *sevsnptest.Signer
		report  func(*sevsnptest.Report)
		opts    func(*sevsnp.Options)
		ev      func(*sevsnp.Evidence)
		now     time.Time
		rd      []byte
		check   string
		wantErr error
	}{
		{name: "debug guest", report: func(r *sevsnptest.Report) { r.Policy |= sevsnptest.PolicyDebug }, check: sevsnp.CheckDebug, wantErr: sevsnp.ErrDebug},
		{name: "migration agent", report: func(r *sevsnptest.Report) { r.Policy |= sevsnptest.PolicyMigrateMA }, check: sevsnp.CheckPolicy, wantErr: sevsnp.ErrPolicy},
		{name: "SMT refused", opts: func(o *sevsnp.Options) { o.RefuseSMT = true }, check: sevsnp.CheckPolicy, wantErr: sevsnp.ErrPolicy},
		{name: "VMPL 1", report: func(r *sevsnptest.Report) { r.VMPL = 1 }, check: sevsnp.CheckVMPL, wantErr: sevsnp.ErrPolicy},
		{name: "VMPL 0 when 1 required", opts: func(o *sevsnp.Options) { o.VMPL = &one }, check: sevsnp.CheckVMPL, wantErr: sevsnp.ErrPolicy},
		{name: "unknown measurement", report: func(r *sevsnptest.Report) { r.Measurement[5] ^= 1 }, check: sevsnp.CheckMeasurement, wantErr: sevsnp.ErrMeasurement},
		{name: "report data replay (other binding)", rd: func() []byte { b := testBinding(t, "other identity"); return b[:] }(), check: sevsnp.CheckReportData, wantErr: sevsnp.ErrReportData},
		{name: "host data", opts: func(o *sevsnp.Options) { o.HostData = make([]byte, 32); o.HostData[0] = 1 }, check: sevsnp.CheckHostData, wantErr: sevsnp.ErrHostData},
		{name: "TCB rollback: reported below certificate", report: func(r *sevsnptest.Report) { r.ReportedTCB.SNP-- }, check: sevsnp.CheckTCB, wantErr: sevsnp.ErrTCB},
		{name: "TCB rollback: below minimum", opts: func(o *sevsnp.Options) { o.MinimumTCB = sevsnp.TCBParts{SNP: 9} }, check: sevsnp.CheckTCB, wantErr: sevsnp.ErrTCB},
		{name: "current TCB below certificate", report: func(r *sevsnptest.Report) { r.CurrentTCB.Microcode--; r.CommittedTCB.Microcode-- }, check: sevsnp.CheckTCB, wantErr: sevsnp.ErrTCB},
		{name: "provisional firmware", report: func(r *sevsnptest.Report) { r.CommittedTCB.Bootloader-- }, check: sevsnp.CheckTCB, wantErr: sevsnp.ErrTCB},
		{name: "old firmware build", opts: func(o *sevsnp.Options) { o.MinimumBuild = 2 }, check: sevsnp.CheckTCB, wantErr: sevsnp.ErrTCB},
		{name: "launch TCB below minimum", report: func(r *sevsnptest.Report) { r.LaunchTCB.TEE = 0 }, opts: func(o *sevsnp.Options) { o.MinimumLaunchTCB = sevsnp.TCBParts{TEE: 1} }, check: sevsnp.CheckLaunchTCB, wantErr: sevsnp.ErrTCB},
		{name: "guest SVN rollback", opts: func(o *sevsnp.Options) { o.MinimumGuestSVN = 1 }, check: sevsnp.CheckGuestSVN, wantErr: sevsnp.ErrTCB},
		{name: "chip ID of another chip", report: func(r *sevsnptest.Report) { r.ChipID[0] ^= 1 }, check: sevsnp.CheckChipID, wantErr: sevsnp.ErrIdentity},
		{name: "ID key digest", opts: func(o *sevsnp.Options) { o.IDKeyDigests = [][]byte{make([]byte, 48)}; o.IDKeyDigests[0][0] = 1 }, check: sevsnp.CheckIDBlock, wantErr: sevsnp.ErrIdentity},
		{name: "author key required", opts: func(o *sevsnp.Options) { o.AuthorKeyDigests = [][]byte{make([]byte, 48)} }, check: sevsnp.CheckIDBlock, wantErr: sevsnp.ErrIdentity},
		{name: "image ID", opts: func(o *sevsnp.Options) { o.ImageID = make([]byte, 16); o.ImageID[0] = 1 }, check: sevsnp.CheckIDBlock, wantErr: sevsnp.ErrIdentity},
		{name: "wrong product line", signer: genoa, opts: func(o *sevsnp.Options) { o.Product = sevsnp.Milan }, check: sevsnp.CheckProduct, wantErr: sevsnp.ErrProduct},
		{name: "wrong stepping", opts: func(o *sevsnp.Options) { o.Product = "Milan-B1" }, check: sevsnp.CheckProduct, wantErr: sevsnp.ErrProduct},
		{name: "VLEK not accepted", report: func(r *sevsnptest.Report) { r.SigningKey = tee.VLEK }, opts: func(o *sevsnp.Options) { o.SigningKeys = []tee.KeyKind{tee.VCEK} }, check: sevsnp.CheckSigningKey, wantErr: sevsnp.ErrChain},
		{name: "expired chain", now: s.VCEKNotAfter().Add(time.Hour), check: sevsnp.CheckChain, wantErr: sevsnp.ErrExpired},
		{name: "chain not yet valid", now: sevsnptest.DefaultCreated.Add(-time.Hour), check: sevsnp.CheckChain, wantErr: sevsnp.ErrExpired},
		{name: "roots of another product line", opts: func(o *sevsnp.Options) { o.Roots = genoa.Roots() }, check: sevsnp.CheckChain, wantErr: sevsnp.ErrChain},
		{name: "no certificate", ev: func(e *sevsnp.Evidence) { e.CertTable = nil }, check: sevsnp.CheckChain, wantErr: sevsnp.ErrMissingCertificate},
		{name: "certificate differs from table", ev: func(e *sevsnp.Evidence) { e.Certificate = s.VLEK() }, check: sevsnp.CheckParse, wantErr: sevsnp.ErrMalformed},
		{name: "VLEK presented as VCEK", ev: func(e *sevsnp.Evidence) { e.CertTable = nil; e.Certificate = s.VLEK() }, check: sevsnp.CheckChain, wantErr: sevsnp.ErrChain},
		{name: "truncated report", ev: func(e *sevsnp.Evidence) { e.Report = e.Report[:100] }, check: sevsnp.CheckParse, wantErr: sevsnp.ErrMalformed},
		{name: "unsigned report", ev: func(e *sevsnp.Evidence) { e.Report[0x48] = 7 << 2 }, check: sevsnp.CheckParse, wantErr: sevsnp.ErrMalformed},
		{name: "report edited after signing", ev: func(e *sevsnp.Evidence) { e.Report[0x90] ^= 1 }, check: sevsnp.CheckSignature, wantErr: sevsnp.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := s
			if tt.signer != nil {
				sg = tt.signer
			}
			r := goodReport(t, sg)
			if tt.report != nil {
				tt.report(&r)
			}
			ev, err := sg.Evidence(r)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ev != nil {
				tt.ev(&ev)
			}
			o := goodOptions(sg)
			if tt.opts != nil {
				tt.opts(&o)
			}
			now := testNow
			if !tt.now.IsZero() {
				now = tt.now
			}
			want := rd[:]
			if tt.rd != nil {
				want = tt.rd
			}
			_, err = mustVerifier(t, o).VerifyEvidence(ev, now, want)
			var ce *buildtrust.CheckError
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, threat.E10) || !errors.As(err, &ce) || ce.Check != tt.check {
				t.Fatalf("err = %v, want %s / %v / E10", err, tt.check, tt.wantErr)
			}
		})
	}
}

// TestInsecureSwitches: each Insecure option admits exactly what it names.
func TestInsecureSwitches(t *testing.T) {
	s := signer(t, "Milan-B0")
	r := goodReport(t, s)
	r.Policy |= sevsnptest.PolicyDebug | sevsnptest.PolicyMigrateMA
	r.Measurement[0] = 0x55
	ev, _ := s.Evidence(r)
	o := sevsnp.Options{Roots: s.Roots(), InsecureAnyMeasurement: true, InsecureAllowDebug: true, InsecureAllowMigrationAgent: true, InsecureSkipReportData: true}
	c, err := mustVerifier(t, o).VerifyEvidence(ev, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Debug || !c.MigrationAgent {
		t.Errorf("claims debug %t MA %t", c.Debug, c.MigrationAgent)
	}
	var na int
	for _, ch := range c.Checks {
		if ch.Outcome == buildtrust.NotApplicable && (ch.ID == sevsnp.CheckMeasurement || ch.ID == sevsnp.CheckReportData) {
			na++
		}
	}
	if na != 2 {
		t.Errorf("measurement and report data should be NOT_APPLICABLE: %+v", c.Checks)
	}
}

func TestOptionsFailClosed(t *testing.T) {
	s := signer(t, "Milan-B0")
	m := [][]byte{testMeasurement[:]}
	for _, tt := range []struct {
		name string
		o    sevsnp.Options
		want error
	}{
		{"no roots", sevsnp.Options{Measurements: m}, sevsnp.ErrNoTrustRoots},
		{"no measurements", sevsnp.Options{Roots: s.Roots()}, sevsnp.ErrNoMeasurements},
		{"short measurement", sevsnp.Options{Roots: s.Roots(), Measurements: [][]byte{{1}}}, sevsnp.ErrOptions},
		{"short host data", sevsnp.Options{Roots: s.Roots(), Measurements: m, HostData: []byte{1}}, sevsnp.ErrOptions},
		{"unknown product", sevsnp.Options{Roots: s.Roots(), Measurements: m, Product: "Naples"}, sevsnp.ErrOptions},
		{"bad key kind", sevsnp.Options{Roots: s.Roots(), Measurements: m, SigningKeys: []tee.KeyKind{tee.PCK}}, sevsnp.ErrOptions},
	} {
		if _, err := sevsnp.NewVerifier(tt.o); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	v := mustVerifier(t, goodOptions(s))
	r := goodReport(t, s)
	ev, _ := s.Evidence(r)
	if _, err := v.VerifyEvidence(ev, time.Time{}, r.ReportData[:]); !errors.Is(err, sevsnp.ErrNoTime) {
		t.Errorf("zero time: %v", err)
	}
	if _, err := v.VerifyEvidence(ev, testNow, nil); !errors.Is(err, sevsnp.ErrNoReportData) {
		t.Errorf("no report data: %v", err)
	}
	if _, err := v.VerifyEvidence(ev, testNow, []byte{1}); !errors.Is(err, sevsnp.ErrOptions) {
		t.Errorf("short report data: %v", err)
	}
	if _, err := v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.TDX, Report: ev.Report}, Now: testNow, ReportData: r.ReportData[:]}); !errors.Is(err, sevsnp.ErrPlatform) {
		t.Errorf("TDX evidence: %v", err)
	}
	if _, err := sevsnp.ParseRoots(); !errors.Is(err, sevsnp.ErrNoTrustRoots) {
		t.Errorf("ParseRoots(): %v", err)
	}
}

// TestTeeInterface: the verifier works through tee.Verifier with the
// certificate table as Evidence.Certificates.
func TestTeeInterface(t *testing.T) {
	s := signer(t, "Genoa-B1")
	r := goodReport(t, s)
	ev, _ := s.Evidence(r)
	var v tee.Verifier = mustVerifier(t, goodOptions(s))
	c, err := v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.SEVSNP, Report: ev.Report, Certificates: ev.CertTable}, Now: testNow, ReportData: r.ReportData[:]})
	if err != nil {
		t.Fatal(err)
	}
	if c.Product != "Genoa-B1" || v.Platform() != tee.SEVSNP {
		t.Errorf("product %q", c.Product)
	}
}

// TestByteFlips flips every byte of the signed area and of the signature
// (bit 0x01 and 0x80) of a valid report: every flip is rejected, with
// ErrSignature, or ErrMalformed when the flip breaks the form first (a
// must-be-zero range, the policy's reserved bit) or ErrProduct / ErrChain
// when it changes the CPUID or the signer kind. Warm cache: the chain is
// verified once, so each flip costs one signature check.
func TestByteFlips(t *testing.T) {
	s := signer(t, "Milan-B0")
	r := goodReport(t, s)
	ev, _ := s.Evidence(r)
	v := mustVerifier(t, goodOptions(s))
	if _, err := v.VerifyEvidence(ev, testNow, r.ReportData[:]); err != nil {
		t.Fatal(err)
	}
	step := 1
	if testing.Short() {
		step = 7
	}
	for i := 0; i < sevsnp.ReportSize; i += step {
		for _, bit := range []byte{0x01, 0x80} {
			bad := ev
			bad.Report = flip(ev.Report, i, bit)
			_, err := v.VerifyEvidence(bad, testNow, r.ReportData[:])
			if err == nil {
				t.Fatalf("flip of byte %#x bit %#x accepted", i, bit)
			}
			if !errors.Is(err, sevsnp.ErrSignature) && !errors.Is(err, sevsnp.ErrMalformed) && !errors.Is(err, sevsnp.ErrChain) && !errors.Is(err, sevsnp.ErrMissingCertificate) && !errors.Is(err, sevsnp.ErrProduct) {
				t.Fatalf("flip of byte %#x: unexpected error %v", i, err)
			}
		}
	}
}

// TestAgreesWithGoSevGuest: on the same inputs, our cryptographic verdict
// equals go-sev-guest's verify.SnpAttestation (offline, same roots, same
// time) — for valid reports, flipped reports and the wrong roots.
func TestAgreesWithGoSevGuest(t *testing.T) {
	s := signer(t, "Milan-B0")
	r := goodReport(t, s)
	ev, _ := s.Evidence(r)
	o := goodOptions(s)
	o.InsecureAnyMeasurement, o.InsecureSkipReportData = true, true
	o.Measurements = nil
	ours := mustVerifier(t, o)
	theirs := func(report []byte, roots map[string][]*trust.AMDRootCerts) error {
		att, err := abi.ReportCertsToProto(append(append([]byte{}, report...), ev.CertTable...))
		if err != nil {
			return err
		}
		return verify.SnpAttestation(att, &verify.Options{DisableCertFetching: true, Now: testNow, TrustedRoots: roots})
	}
	fake := trust.AMDRootCertsProduct("Milan")
	fake.ProductCerts = &trust.ProductCerts{}
	if err := fake.ProductCerts.FromKDSCertBytes(s.RootBundles()[0].PEM); err != nil {
		t.Fatal(err)
	}
	fakeRoots := map[string][]*trust.AMDRootCerts{"Milan": {fake}}
	for i := 0; i < 0x2A0; i += 37 {
		report := ev.Report
		if i > 0 {
			report = flip(ev.Report, i, 0x04)
		}
		_, errOurs := ours.VerifyEvidence(sevsnp.Evidence{Report: report, CertTable: ev.CertTable}, testNow, nil)
		errTheirs := theirs(report, fakeRoots)
		if (errOurs == nil) != (errTheirs == nil) {
			t.Errorf("byte %#x: ours %v, go-sev-guest %v", i, errOurs, errTheirs)
		}
	}
}

// TestCacheReuseAndExpiry: a second report from the same chip is verified
// from the cache; a tampered report is still rejected on the warm path; and
// a verification time outside the chain's validity goes back to the full
// chain check and fails (the cache never extends validity).
func TestCacheReuseAndExpiry(t *testing.T) {
	s := signer(t, "Milan-B0")
	v := mustVerifier(t, goodOptions(s))
	for i := range 3 {
		r := goodReport(t, s)
		r.ReportData = testBinding(t, string(rune('a'+i)))
		ev, _ := s.Evidence(r)
		if _, err := v.VerifyEvidence(ev, testNow, r.ReportData[:]); err != nil {
			t.Fatal(err)
		}
		bad := ev
		bad.Report = flip(ev.Report, 0x50, 1)
		if _, err := v.VerifyEvidence(bad, testNow, r.ReportData[:]); !errors.Is(err, sevsnp.ErrSignature) {
			t.Fatalf("warm tampered: %v", err)
		}
		if _, err := v.VerifyEvidence(ev, s.VCEKNotAfter().Add(time.Minute), r.ReportData[:]); !errors.Is(err, sevsnp.ErrExpired) {
			t.Fatalf("warm expired: %v", err)
		}
	}
}

// TestConcurrent: one verifier shared by goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	s := signer(t, "Milan-B0")
	v := mustVerifier(t, goodOptions(s))
	r := goodReport(t, s)
	ev, _ := s.Evidence(r)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if _, err := v.VerifyEvidence(ev, testNow, r.ReportData[:]); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseCertTable(t *testing.T) {
	s := signer(t, "Milan-B0")
	ct, err := sevsnp.ParseCertTable(s.CertTable())
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.VCEK) == 0 || len(ct.VLEK) == 0 || len(ct.ASK) == 0 || len(ct.ARK) == 0 {
		t.Errorf("table entries missing")
	}
	bad := [][]byte{
		nil,
		make([]byte, 10),
		append(append(make([]byte, 16), 0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0), make([]byte, 24)...), // offset+length overflow
		append(append(make([]byte, 0, 48), s.CertTable()[:24]...), make([]byte, 24)...),              // entry pointing beyond the data
	}
	bad[2][0] = 1
	for i, b := range bad {
		if _, err := sevsnp.ParseCertTable(b); !errors.Is(err, sevsnp.ErrMalformed) {
			t.Errorf("case %d: err = %v", i, err)
		}
	}
	if _, err := sevsnp.ParseCertTable(make([]byte, 70<<10)); !errors.Is(err, sevsnp.ErrTooLarge) {
		t.Errorf("huge table: %v", err)
	}
}
