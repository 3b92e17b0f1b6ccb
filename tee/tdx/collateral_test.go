package tdx_test

import (
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
	"github.com/buildtrust/buildtrust/threat"
)

func collateral(t testing.TB, s *tdxtest.Signer, c tdxtest.Collateral) []byte {
	t.Helper()
	b, err := s.Collateral(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// strictOptions are goodOptions without InsecureSkipCollateral.
func strictOptions(s *tdxtest.Signer, q tdxtest.Quote) tdx.Options {
	o := goodOptions(s, q)
	o.InsecureSkipCollateral = false
	return o
}

// TestCollateralFake: with valid collateral a quote passes without
// InsecureSkipCollateral, for both PCK CA kinds, cold and warm, through
// VerifyQuoteCollateral and tee.Verifier; every collateral check passes
// in order and the TCB status is reported.
func TestCollateralFake(t *testing.T) {
	for _, processor := range []bool{false, true} {
		s := signer(t, tdxtest.Options{ProcessorCA: processor})
		q := goodQuote(s)
		v := mustVerifier(t, strictOptions(s, q))
		col := collateral(t, s, tdxtest.Collateral{})
		raw := sign(t, s, q)
		for i := range 2 {
			c, err := v.VerifyQuoteCollateral(raw, col, testNow, q.ReportData[:])
			if i == 1 {
				c, err = v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.TDX, Report: raw, Collateral: col}, Now: testNow, ReportData: q.ReportData[:]})
			}
			if err != nil {
				t.Fatalf("processor CA %t: %v", processor, err)
			}
			if c.TCB.Status != tdx.StatusUpToDate || len(c.TCB.Advisories) != 0 {
				t.Errorf("TCB %+v", c.TCB)
			}
			want := []string{tdx.CheckParse, tdx.CheckChain, tdx.CheckQEReport, tdx.CheckQEBinding, tdx.CheckSignature, tdx.CheckCollateral, tdx.CheckCollateralTCBInfo, tdx.CheckCollateralQEIdentity, tdx.CheckCollateralCRL, tdx.CheckCollateralModule, tdx.CheckTCB, tdx.CheckDebug, tdx.CheckAttributes, tdx.CheckMeasurement, tdx.CheckRTMR, tdx.CheckReportData, tdx.CheckHostData}
			var got []string
			for _, ch := range c.Checks {
				got = append(got, ch.ID)
				if ch.ID != tdx.CheckAttributes && ch.Outcome != buildtrust.Pass {
					t.Errorf("%s: %s", ch.ID, ch.Outcome)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("checks %v", got)
			}
		}
		// Without collateral the same verifier fails closed.
		_, err := v.VerifyQuote(raw, testNow, q.ReportData[:])
		wantCheck(t, err, tdx.CheckCollateral, tdx.ErrMissingCertificate)
	}
}

// TestCollateralAcceptedStatuses: a platform below the newest level is
// OutOfDate (or SWHardeningNeeded): rejected by default, accepted when the
// status is in the accepted set, with the level's advisory IDs reported.
func TestCollateralAcceptedStatuses(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	raw := sign(t, s, q)
	sgx := [16]byte{3, 3, 2, 2, 2, 1, 0, 2}
	for _, st := range []string{tdx.StatusOutOfDate, tdx.StatusSWHardeningNeeded, tdx.StatusConfigurationAndSWHardeningNeeded} {
		col := collateral(t, s, tdxtest.Collateral{Levels: []tdxtest.Level{
			{SGX: sgx, PCESVN: 11, TDX: [16]byte{3, 0, 6}},
			{SGX: sgx, PCESVN: 11, TDX: [16]byte{3, 0, 5}, Status: st, Advisories: []string{"INTEL-SA-00837", "INTEL-SA-00960"}},
		}})
		_, err := mustVerifier(t, strictOptions(s, q)).VerifyQuoteCollateral(raw, col, testNow, q.ReportData[:])
		wantCheck(t, err, tdx.CheckTCB, tdx.ErrTCB)
		if !strings.Contains(err.Error(), st) || !strings.Contains(err.Error(), "INTEL-SA-00837") {
			t.Errorf("error does not name the status and advisories: %v", err)
		}
		o := strictOptions(s, q)
		o.AcceptedTCBStatuses = []string{tdx.StatusUpToDate, st}
		c, err := mustVerifier(t, o).VerifyQuoteCollateral(raw, col, testNow, q.ReportData[:])
		if err != nil {
			t.Fatalf("%s accepted: %v", st, err)
		}
		if c.TCB.Status != st || !slices.Equal(c.TCB.Advisories, []string{"INTEL-SA-00837", "INTEL-SA-00960"}) {
			t.Errorf("TCB %+v", c.TCB)
		}
	}
	for _, bad := range [][]string{{tdx.StatusRevoked}, {"Fine"}, {"uptodate"}} {
		o := strictOptions(s, q)
		o.AcceptedTCBStatuses = bad
		if _, err := tdx.NewVerifier(o); !errors.Is(err, tdx.ErrOptions) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// TestCollateralModuleIdentity: TEE_TCB_SVN[1] > 0 needs the TCB info's
// module identity TDX_<n>, whose level for TEE_TCB_SVN[0] must be
// accepted.
func TestCollateralModuleIdentity(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	q.TEETCBSVN = [16]byte{3, 1, 5}
	raw := sign(t, s, q)
	v := mustVerifier(t, strictOptions(s, q))
	level := []tdxtest.Level{{SGX: [16]byte{3, 3, 2, 2, 2, 1, 0, 2}, PCESVN: 11, TDX: [16]byte{0, 1, 5}}}
	ok := collateral(t, s, tdxtest.Collateral{Levels: level, ModuleIdentities: []tdxtest.ModuleIdentity{{ID: "TDX_01", Levels: []tdxtest.QELevel{{ISVSVN: 2}}}}})
	c, err := v.VerifyQuoteCollateral(raw, ok, testNow, q.ReportData[:])
	if err != nil || c.TCB.Status != tdx.StatusUpToDate {
		t.Fatalf("%v", err)
	}
	tests := []struct {
		name  string
		c     tdxtest.Collateral
		check string
		err   error
	}{
		{"no module identity", tdxtest.Collateral{Levels: level}, tdx.CheckCollateralModule, tdx.ErrTCB},
		{"module below every level", tdxtest.Collateral{Levels: level, ModuleIdentities: []tdxtest.ModuleIdentity{{ID: "TDX_01", Levels: []tdxtest.QELevel{{ISVSVN: 4}}}}}, tdx.CheckCollateralModule, tdx.ErrTCB},
		{"module level out of date", tdxtest.Collateral{Levels: level, ModuleIdentities: []tdxtest.ModuleIdentity{{ID: "TDX_01", Levels: []tdxtest.QELevel{{ISVSVN: 3, Status: tdx.StatusOutOfDate}}}}}, tdx.CheckCollateralModule, tdx.ErrTCB},
		{"level for another module version", tdxtest.Collateral{Levels: []tdxtest.Level{{SGX: [16]byte{3, 3, 2, 2, 2, 1, 0, 2}, PCESVN: 11, TDX: [16]byte{3, 0, 5}}}, ModuleIdentities: []tdxtest.ModuleIdentity{{ID: "TDX_01", Levels: []tdxtest.QELevel{{ISVSVN: 2}}}}}, tdx.CheckTCB, tdx.ErrTCB},
	}
	for _, tt := range tests {
		_, err := v.VerifyQuoteCollateral(raw, collateral(t, s, tt.c), testNow, q.ReportData[:])
		t.Run(tt.name, func(t *testing.T) { wantCheck(t, err, tt.check, tt.err) })
	}
}

// TestCollateralAdversarial: each attack on the collateral is rejected by
// the check that guards it, with its sentinel and threat E10.
func TestCollateralAdversarial(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	other := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	raw := sign(t, s, q)
	sgx := [16]byte{3, 3, 2, 2, 2, 1, 0, 2}
	swap := func(mod func(b, o *tdx.CollateralBundle)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			b, err := s.CollateralBundle(tdxtest.Collateral{})
			if err != nil {
				t.Fatal(err)
			}
			ob, err := other.CollateralBundle(tdxtest.Collateral{})
			if err != nil {
				t.Fatal(err)
			}
			mod(&b, &ob)
			out, err := b.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	tests := []struct {
		name  string
		c     tdxtest.Collateral
		build func(t *testing.T) []byte
		now   time.Time
		check string
		err   error
	}{
		{name: "expired collateral", c: tdxtest.Collateral{NextUpdate: testNow.Add(-time.Hour)}, check: tdx.CheckCollateralTCBInfo, err: tdx.ErrExpired},
		{name: "collateral not yet issued", c: tdxtest.Collateral{IssueDate: testNow.Add(time.Hour)}, check: tdx.CheckCollateralTCBInfo, err: tdx.ErrExpired},
		{name: "TCB info signature tampered", c: tdxtest.Collateral{TamperTCBInfo: true}, check: tdx.CheckCollateralTCBInfo, err: tdx.ErrSignature},
		{name: "TCB info body tampered", c: tdxtest.Collateral{TamperTCBInfoBody: true}, check: tdx.CheckCollateralTCBInfo, err: tdx.ErrSignature},
		{name: "QE identity signature tampered", c: tdxtest.Collateral{TamperQEIdentity: true}, check: tdx.CheckCollateralQEIdentity, err: tdx.ErrSignature},
		{name: "TCB info for another FMSPC", c: tdxtest.Collateral{FMSPC: [6]byte{0x90, 0xc0, 0x6f}}, check: tdx.CheckCollateralTCBInfo, err: tdx.ErrProduct},
		{name: "TCB info signed under another root", build: swap(func(b, o *tdx.CollateralBundle) { b.TCBInfo, b.TCBInfoIssuerChain = o.TCBInfo, o.TCBInfoIssuerChain }), check: tdx.CheckCollateralTCBInfo, err: tdx.ErrChain},
		{name: "TCB info with another signer's chain", build: swap(func(b, o *tdx.CollateralBundle) { b.TCBInfoIssuerChain = o.TCBInfoIssuerChain }), check: tdx.CheckCollateralTCBInfo, err: tdx.ErrChain},
		{name: "QE identity signed under another root", build: swap(func(b, o *tdx.CollateralBundle) {
			b.QEIdentity, b.QEIdentityIssuerChain = o.QEIdentity, o.QEIdentityIssuerChain
		}), check: tdx.CheckCollateralQEIdentity, err: tdx.ErrChain},
		{name: "PCK CRL of another CA", build: swap(func(b, o *tdx.CollateralBundle) { b.PCKCRL = o.PCKCRL }), check: tdx.CheckCollateralCRL, err: tdx.ErrSignature},
		{name: "root CRL of another root", build: swap(func(b, o *tdx.CollateralBundle) { b.RootCRL = o.RootCRL }), check: tdx.CheckCollateralCRL, err: tdx.ErrSignature},
		{name: "TCB below every level", c: tdxtest.Collateral{Levels: []tdxtest.Level{{SGX: sgx, PCESVN: 11, TDX: [16]byte{3, 0, 6}}}}, check: tdx.CheckTCB, err: tdx.ErrTCB},
		{name: "CPUSVN below every level", c: tdxtest.Collateral{Levels: []tdxtest.Level{{SGX: [16]byte{5, 5, 2, 2, 3, 1, 0, 3}, PCESVN: 11, TDX: [16]byte{3, 0, 5}}}}, check: tdx.CheckTCB, err: tdx.ErrTCB},
		{name: "PCESVN below every level", c: tdxtest.Collateral{Levels: []tdxtest.Level{{SGX: sgx, PCESVN: 12, TDX: [16]byte{3, 0, 5}}}}, check: tdx.CheckTCB, err: tdx.ErrTCB},
		{name: "level revoked", c: tdxtest.Collateral{Levels: []tdxtest.Level{{SGX: sgx, PCESVN: 11, TDX: [16]byte{3, 0, 5}, Status: tdx.StatusRevoked}}}, check: tdx.CheckTCB, err: tdx.ErrTCB},
		{name: "revoked PCK", c: tdxtest.Collateral{RevokedPCK: []*big.Int{big.NewInt(99), s.PCK.SerialNumber}}, check: tdx.CheckCollateralCRL, err: tdx.ErrRevoked},
		{name: "revoked PCK CA", c: tdxtest.Collateral{RevokedRoot: []*big.Int{s.CA.SerialNumber}}, check: tdx.CheckCollateralCRL, err: tdx.ErrRevoked},
		{name: "revoked TCB signing certificate", c: tdxtest.Collateral{RevokedRoot: []*big.Int{s.TCBSigning.SerialNumber}}, check: tdx.CheckCollateralCRL, err: tdx.ErrRevoked},
		{name: "wrong QE MRSIGNER", c: tdxtest.Collateral{QEMRSIGNER: [32]byte{0x44}}, check: tdx.CheckCollateralQEIdentity, err: tdx.ErrIdentity},
		{name: "wrong QE ISVPRODID", c: tdxtest.Collateral{QEISVProdID: 1}, check: tdx.CheckCollateralQEIdentity, err: tdx.ErrIdentity},
		{name: "QE ISVSVN below every level", c: tdxtest.Collateral{QELevels: []tdxtest.QELevel{{ISVSVN: 9}}}, check: tdx.CheckCollateralQEIdentity, err: tdx.ErrTCB},
		{name: "QE out of date", c: tdxtest.Collateral{QELevels: []tdxtest.QELevel{{ISVSVN: 9}, {ISVSVN: 4, Status: tdx.StatusOutOfDate}}}, check: tdx.CheckCollateralQEIdentity, err: tdx.ErrTCB},
		{name: "wrong MRSIGNERSEAM", c: tdxtest.Collateral{MRSIGNERSEAM: [48]byte{1}}, check: tdx.CheckCollateralModule, err: tdx.ErrIdentity},
		{name: "wrong SEAM attributes", c: tdxtest.Collateral{SEAMAttributes: 1}, check: tdx.CheckCollateralModule, err: tdx.ErrPolicy},
		{name: "malformed bundle", build: func(*testing.T) []byte { return []byte(`{"tcbInfo":"x"}`) }, check: tdx.CheckCollateral, err: tdx.ErrMalformed},
		{name: "chain and TCB signing certificate expired (chain checked first)", c: tdxtest.Collateral{NextUpdate: tdxtest.DefaultTime.Add(20 * 365 * 24 * time.Hour)}, now: tdxtest.DefaultTime.Add(11 * 365 * 24 * time.Hour), check: tdx.CheckChain, err: tdx.ErrExpired},
	}
	v := mustVerifier(t, strictOptions(s, q))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var col []byte
			if tt.build != nil {
				col = tt.build(t)
			} else {
				col = collateral(t, s, tt.c)
			}
			now := testNow
			if !tt.now.IsZero() {
				now = tt.now
			}
			_, err := v.VerifyQuoteCollateral(raw, col, now, q.ReportData[:])
			wantCheck(t, err, tt.check, tt.err)
			if !errors.Is(err, threat.E10) {
				t.Error("not E10")
			}
		})
	}
	// A quote whose QE report differs from Intel's QE identity.
	q2 := q
	q2.QEMRSIGNER[0] ^= 1
	_, err := v.VerifyQuoteCollateral(sign(t, s, q2), collateral(t, s, tdxtest.Collateral{}), testNow, q.ReportData[:])
	wantCheck(t, err, tdx.CheckCollateralQEIdentity, tdx.ErrIdentity)
}

// TestCollateralSkipStillVerifies: collateral that is supplied is verified
// even with InsecureSkipCollateral.
func TestCollateralSkipStillVerifies(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	_, err := mustVerifier(t, goodOptions(s, q)).VerifyQuoteCollateral(sign(t, s, q), collateral(t, s, tdxtest.Collateral{TamperTCBInfo: true}), testNow, q.ReportData[:])
	wantCheck(t, err, tdx.CheckCollateralTCBInfo, tdx.ErrSignature)
}

// TestCollateralCacheDoesNotWeaken: a cached bundle is re-checked against
// the time and against each quote.
func TestCollateralCacheDoesNotWeaken(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	v := mustVerifier(t, strictOptions(s, q))
	col := collateral(t, s, tdxtest.Collateral{})
	if _, err := v.VerifyQuoteCollateral(sign(t, s, q), col, testNow, q.ReportData[:]); err != nil {
		t.Fatal(err)
	}
	_, err := v.VerifyQuoteCollateral(sign(t, s, q), col, testNow.Add(60*24*time.Hour), q.ReportData[:])
	wantCheck(t, err, tdx.CheckCollateralTCBInfo, tdx.ErrExpired)
	for _, tt := range []struct {
		name  string
		mod   func(*tdxtest.Quote)
		check string
		err   error
	}{
		{"QE MRSIGNER", func(q *tdxtest.Quote) { q.QEMRSIGNER[31] ^= 1 }, tdx.CheckCollateralQEIdentity, tdx.ErrIdentity},
		{"QE ISVSVN", func(q *tdxtest.Quote) { q.QEISVSVN = 7 }, tdx.CheckCollateralQEIdentity, tdx.ErrTCB},
		{"TEE_TCB_SVN", func(q *tdxtest.Quote) { q.TEETCBSVN[2] = 4 }, tdx.CheckTCB, tdx.ErrTCB},
		{"MRSIGNERSEAM", func(q *tdxtest.Quote) { q.MRSIGNERSEAM[0] = 1 }, tdx.CheckCollateralModule, tdx.ErrIdentity},
	} {
		q2 := q
		tt.mod(&q2)
		_, err := v.VerifyQuoteCollateral(sign(t, s, q2), col, testNow, q.ReportData[:])
		t.Run(tt.name, func(t *testing.T) { wantCheck(t, err, tt.check, tt.err) })
	}
	if _, err := v.VerifyQuoteCollateral(sign(t, s, q), col, testNow, q.ReportData[:]); err != nil {
		t.Fatal(err)
	}
}
