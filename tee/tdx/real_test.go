package tdx_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	gtesting "github.com/google/go-tdx-guest/testing"
	"github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tdx-guest/verify"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
	"github.com/buildtrust/buildtrust/threat"
)

// sprTime is go-tdx-guest's own pinned time for its real Sapphire Rapids
// quote, inside the PCK chain's validity 2022-09-20 … 2029-09-20
// (EVIDENCE.md §1.2, §4; P-TDX-6).
var sprTime = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)

func intel(t testing.TB) *tdx.Roots {
	t.Helper()
	r, err := tdx.IntelRoots()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// realOptions accept go-tdx-guest's sample quote: Intel's root, its MRTD,
// no collateral (the sample's collateral can never pass, P-TDX-13).
func realOptions(t testing.TB, q *tdx.Quote) tdx.Options {
	return tdx.Options{Roots: intel(t), MRTDs: [][]byte{q.MRTD[:]}, InsecureSkipCollateral: true}
}

func wantCheck(t *testing.T, err error, check string, sentinel error) {
	t.Helper()
	var ce *buildtrust.CheckError
	if !errors.As(err, &ce) || ce.Check != check || !errors.Is(err, sentinel) || !errors.Is(err, threat.E10) {
		t.Fatalf("err = %v, want check %s, %v, threat E10", err, check, sentinel)
	}
}

// TestRealSapphireRapidsQuote verifies go-tdx-guest's real Sapphire Rapids
// E4 production quote (testing/testdata.RawQuote) offline against the
// pinned Intel SGX Root CA at go-tdx-guest's pinned time, with the values
// EVIDENCE.md §1.2 lists: quote v4, FMSPC 50806f000000, TEE_TCB_SVN
// 03 00 04…, TD_ATTRIBUTES 0000004000000000 (no debug), MRTD 6363b804…
// (BENV-L3-1, BENV-L3-3, THREAT-E10).
func TestRealSapphireRapidsQuote(t *testing.T) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tdx.NewVerifier(realOptions(t, q))
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.VerifyQuote(testdata.RawQuote, sprTime, q.ReportData[:])
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform != tee.TDX || c.Version != 4 || c.Product != "50806f000000" || c.SigningKey != tee.PCK || c.Debug || len(c.ChipID) != 16 {
		t.Errorf("claims: %s v%d product %s key %s debug %t chipID %x", c.Platform, c.Version, c.Product, c.SigningKey, c.Debug, c.ChipID)
	}
	if !strings.HasPrefix(hex.EncodeToString(c.Measurement), "6363b804") {
		t.Errorf("MRTD %x", c.Measurement[:4])
	}
	if !strings.HasPrefix(hex.EncodeToString(c.TCB.Raw), "030004") || c.TCB.Status != "" {
		t.Errorf("TCB %x status %q", c.TCB.Raw, c.TCB.Status)
	}
	if c.Policy != 0x0000000040000000 || len(c.RuntimeMeasurements) != 4 {
		t.Errorf("TD_ATTRIBUTES %#x, %d RTMRs", c.Policy, len(c.RuntimeMeasurements))
	}
	// The QE binding and both signatures ran; collateral did not.
	outcome := map[string]buildtrust.Outcome{}
	for _, ch := range c.Checks {
		outcome[ch.ID] = ch.Outcome
	}
	for _, id := range []string{tdx.CheckChain, tdx.CheckQEReport, tdx.CheckQEBinding, tdx.CheckSignature, tdx.CheckMeasurement, tdx.CheckReportData} {
		if outcome[id] != buildtrust.Pass {
			t.Errorf("%s: %s", id, outcome[id])
		}
	}
	if outcome[tdx.CheckCollateral] != buildtrust.NotApplicable {
		t.Errorf("collateral: %s", outcome[tdx.CheckCollateral])
	}
	// go-tdx-guest agrees at the same time with the same root.
	if err := verify.RawTdxQuote(testdata.RawQuote, &verify.Options{TrustedRoots: intel(t).Pool(), Now: sprTime}); err != nil {
		t.Fatalf("go-tdx-guest: %v", err)
	}
}

// TestRealQuoteDefaultsFailClosed: with the default options the real quote
// gets no verdict, because no collateral gives it a TCB status (P-TDX-4).
func TestRealQuoteDefaultsFailClosed(t *testing.T) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	o := realOptions(t, q)
	o.InsecureSkipCollateral = false
	v, err := tdx.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.VerifyQuote(testdata.RawQuote, sprTime, q.ReportData[:])
	wantCheck(t, err, tdx.CheckCollateral, tdx.ErrMissingCertificate)
}

// TestIntelRootPinned: the pinned root is the one go-tdx-guest embeds and
// the one ending the real quote's PCK chain.
func TestIntelRootPinned(t *testing.T) {
	r := intel(t).Certificates()
	if len(r) != 1 {
		t.Fatal(len(r))
	}
	if fp := sha256.Sum256(r[0].Raw); hex.EncodeToString(fp[:]) != tdx.IntelRootSHA256 {
		t.Errorf("fingerprint %x", fp)
	}
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	rest := q.PCKChain
	var last *pem.Block
	for {
		b, r := pem.Decode(rest)
		if b == nil {
			break
		}
		last, rest = b, r
	}
	if last == nil || !bytes.Equal(last.Bytes, r[0].Raw) {
		t.Error("the real quote's chain does not end at the pinned root")
	}
}

// TestRealQuoteAdversarial: the real quote under attack — expired chain,
// a different root, wrong MRTD, report-data replay, a debug requirement —
// is rejected with the check and E10 named (BENV-L3-3, THREAT-E10).
func TestRealQuoteAdversarial(t *testing.T) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	fake, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	otherBinding, _ := tee.Bind(tee.PurposeLaunch, make([]byte, 32))
	tests := []struct {
		name     string
		mod      func(*tdx.Options)
		now      time.Time
		rd       []byte
		check    string
		sentinel error
	}{
		{"chain expired (2053)", nil, time.Date(2053, 1, 1, 0, 0, 0, 0, time.UTC), q.ReportData[:], tdx.CheckChain, tdx.ErrExpired},
		{"before PCK validity", nil, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), q.ReportData[:], tdx.CheckChain, tdx.ErrExpired},
		{"wrong root", func(o *tdx.Options) { o.Roots = fake.Roots() }, sprTime, q.ReportData[:], tdx.CheckChain, tdx.ErrChain},
		{"wrong MRTD", func(o *tdx.Options) { o.MRTDs = [][]byte{make([]byte, 48)} }, sprTime, q.ReportData[:], tdx.CheckMeasurement, tdx.ErrMeasurement},
		{"report-data replay", nil, sprTime, otherBinding[:], tdx.CheckReportData, tdx.ErrReportData},
		{"wrong RTMR1", func(o *tdx.Options) { o.RTMRs[1] = make([]byte, 48) }, sprTime, q.ReportData[:], tdx.CheckRTMR, tdx.ErrMeasurement},
		{"wrong MRCONFIGID", func(o *tdx.Options) { o.MRCONFIGID = bytes.Repeat([]byte{1}, 48) }, sprTime, q.ReportData[:], tdx.CheckHostData, tdx.ErrHostData},
		{"TEE_TCB_SVN rollback", func(o *tdx.Options) { o.MinimumTEETCBSVN = [16]byte{3, 0, 5} }, sprTime, q.ReportData[:], tdx.CheckTCB, tdx.ErrTCB},
		{"XFAM", func(o *tdx.Options) { x := q.XFAM ^ 1; o.XFAM = &x }, sprTime, q.ReportData[:], tdx.CheckAttributes, tdx.ErrPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := realOptions(t, q)
			if tt.mod != nil {
				tt.mod(&o)
			}
			v, err := tdx.NewVerifier(o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.VerifyQuote(testdata.RawQuote, tt.now, tt.rd)
			wantCheck(t, err, tt.check, tt.sentinel)
		})
	}
}

// TestRealQuoteByteFlips flips one bit in each region of the real quote;
// every flip in signed or certified bytes is rejected (THREAT-E10).
func TestRealQuoteByteFlips(t *testing.T) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	o := realOptions(t, q)
	o.InsecureSkipReportData = true
	o.InsecureAnyMeasurement = true
	o.MRTDs = nil
	v, err := tdx.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyQuote(testdata.RawQuote, sprTime, nil); err != nil {
		t.Fatal(err)
	}
	chainAt := bytes.Index(testdata.RawQuote, []byte("-----BEGIN CERTIFICATE-----"))
	tests := []struct {
		name string
		off  int
	}{
		{"header QE vendor ID", 0x0c},
		{"header user data", 0x1c},
		{"TEE_TCB_SVN", 0x30},
		{"MRSEAM", 0x40},
		{"TD_ATTRIBUTES", 0x30 + 0x78},
		{"MRTD", 0x30 + 0x88},
		{"RTMR3", 0x30 + 0x1d8},
		{"REPORT_DATA", 0x30 + 0x208},
		{"quote signature", 0x27c + 5},
		{"attestation key", 0x2bc + 7},
		{"QE report CPUSVN", 0x302},
		{"QE report MRSIGNER", 0x302 + 0x80},
		{"QE report data", 0x302 + 0x140},
		{"QE report signature", 0x482 + 3},
		{"QE auth data", 0x4c2 + 2},
		{"PCK leaf body", chainAt + 200},
		{"PCK leaf signature", chainAt + 900},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := bytes.Clone(testdata.RawQuote)
			raw[tt.off] ^= 0x01
			_, err := v.VerifyQuote(raw, sprTime, nil)
			if err == nil {
				t.Fatalf("flip at %#x accepted", tt.off)
			}
			if !errors.Is(err, threat.E10) {
				t.Errorf("err = %v, want threat E10", err)
			}
		})
	}
}

// realCollateral is go-tdx-guest's canned Intel PCS collateral for the
// real quote's FMSPC 50806f000000 (testing/testdata and the issuer-chain
// headers of its testing package), as one bundle (EVIDENCE.md §1.2).
func realCollateral(t testing.TB) tdx.CollateralBundle {
	return tdx.CollateralBundle{
		TCBInfo:               string(testdata.TcbInfoBody),
		TCBInfoIssuerChain:    gtesting.TcbInfoHeader["Tcb-Info-Issuer-Chain"][0],
		QEIdentity:            string(testdata.QeIdentityBody),
		QEIdentityIssuerChain: gtesting.QeIdentityHeader["Sgx-Enclave-Identity-Issuer-Chain"][0],
		PCKCRL:                testdata.PckCrlBody,
		RootCRL:               testdata.RootCrlBody,
	}
}

func marshal(t testing.TB, b tdx.CollateralBundle) []byte {
	t.Helper()
	out, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRealCollateral: Intel's real collateral for the real quote, at
// go-tdx-guest's pinned time 2023-07-01. Its signatures, validity,
// revocation lists, QE identity and TDX module all verify, and the TCB
// evaluation finds no matching level — the sample platform is below every
// level (PCK CPUSVN 03 03 02 02 02 01 00 02 vs 05 05 02 02 03 01 00 03;
// TEE_TCB_SVN 03 00 04 vs 03 00 05) — so the quote is rejected at
// CheckTCB, as go-tdx-guest rejects it ("no matching TCB level found",
// EVIDENCE.md §1.2, DEPENDENCIES.md P-TDX-6, P-TDX-13). Even OutOfDate
// accepted cannot pass it. At 2023-07-10 the QE identity has expired; in
// 2026 the TCB signing certificate (to 2025-05-21) has.
func TestRealCollateral(t *testing.T) {
	q, err := tdx.ParseQuote(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	col := marshal(t, realCollateral(t))
	c, err := tdx.ParseCollateral(col)
	if err != nil {
		t.Fatal(err)
	}
	if c.TCBInfo.FMSPC != "50806f000000" || len(c.TCBInfo.TCBLevels) != 2 || c.TCBInfo.TCBLevels[1].TCBStatus != tdx.StatusOutOfDate || c.QEIdentity.ISVProdID != 2 || !c.TCBInfo.NextUpdate.Equal(time.Date(2023, 7, 18, 8, 42, 58, 0, time.UTC)) {
		t.Errorf("parsed %+v", c.TCBInfo)
	}
	o := realOptions(t, q)
	o.InsecureSkipCollateral = false
	v, err := tdx.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.VerifyQuoteCollateral(testdata.RawQuote, col, sprTime, q.ReportData[:])
	wantCheck(t, err, tdx.CheckTCB, tdx.ErrTCB)
	if !strings.Contains(err.Error(), "no matching TCB level") {
		t.Errorf("err = %v", err)
	}
	o.AcceptedTCBStatuses = []string{tdx.StatusUpToDate, tdx.StatusOutOfDate}
	vAll, err := tdx.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = vAll.VerifyQuoteCollateral(testdata.RawQuote, col, sprTime, q.ReportData[:])
	wantCheck(t, err, tdx.CheckTCB, tdx.ErrTCB)

	// go-tdx-guest agrees: its full collateral check fails on the TCB level.
	err = verify.TdxQuote(protoOf(t), &verify.Options{GetCollateral: true, CheckRevocations: true, Getter: gtesting.TestGetter, TrustedRoots: intel(t).Pool(), Now: sprTime})
	if err == nil || !strings.Contains(err.Error(), "no matching TCB level found") {
		t.Errorf("go-tdx-guest: %v", err)
	}

	tampered := realCollateral(t)
	tampered.TCBInfo = strings.Replace(tampered.TCBInfo, `"tcbEvaluationDataNumber":15`, `"tcbEvaluationDataNumber":16`, 1)
	tamperedQE := realCollateral(t)
	tamperedQE.QEIdentity = strings.Replace(tamperedQE.QEIdentity, `"isvsvn":4`, `"isvsvn":3`, 1)
	wrongChain := realCollateral(t)
	wrongChain.TCBInfoIssuerChain = gtesting.PckCrlHeader["Sgx-Pck-Crl-Issuer-Chain"][0]
	swapCRL := realCollateral(t)
	swapCRL.PCKCRL, swapCRL.RootCRL = swapCRL.RootCRL, swapCRL.PCKCRL
	fake, err := tdxtest.New(tdxtest.Options{Now: sprTime})
	if err != nil {
		t.Fatal(err)
	}
	fakeCol, err := fake.CollateralBundle(tdxtest.Collateral{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		b        tdx.CollateralBundle
		now      time.Time
		check    string
		sentinel error
	}{
		{"QE identity expired (2023-07-10)", realCollateral(t), time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC), tdx.CheckCollateralQEIdentity, tdx.ErrExpired},
		{"TCB info expired (2023-07-20)", realCollateral(t), time.Date(2023, 7, 20, 0, 0, 0, 0, time.UTC), tdx.CheckCollateralTCBInfo, tdx.ErrExpired},
		{"TCB signing certificate expired (2026)", realCollateral(t), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), tdx.CheckCollateralTCBInfo, tdx.ErrExpired},
		{"TCB info tampered", tampered, sprTime, tdx.CheckCollateralTCBInfo, tdx.ErrSignature},
		{"QE identity tampered", tamperedQE, sprTime, tdx.CheckCollateralQEIdentity, tdx.ErrSignature},
		{"TCB info signer is not the TCB signing certificate", wrongChain, sprTime, tdx.CheckCollateralTCBInfo, tdx.ErrChain},
		{"CRLs swapped", swapCRL, sprTime, tdx.CheckCollateralCRL, tdx.ErrSignature},
		{"fake collateral for the real quote", fakeCol, sprTime, tdx.CheckCollateralTCBInfo, tdx.ErrChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.VerifyQuoteCollateral(testdata.RawQuote, marshal(t, tt.b), tt.now, q.ReportData[:])
			wantCheck(t, err, tt.check, tt.sentinel)
		})
	}
}

func protoOf(t testing.TB) any {
	t.Helper()
	p, err := abi.QuoteToProto(testdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
