package tdx_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
)

var testNow = tdxtest.DefaultTime.Add(24 * time.Hour)

func signer(t testing.TB, o tdxtest.Options) *tdxtest.Signer {
	t.Helper()
	s, err := tdxtest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func goodQuote(s *tdxtest.Signer) tdxtest.Quote {
	q := s.Quote()
	q.MRTD = [48]byte{0: 0x42}
	q.RTMR[0] = [48]byte{0: 0xb0}
	q.MRCONFIGID = [48]byte{0: 0xc0}
	q.ReportData, _ = tee.Bind(tee.PurposeLaunch, make([]byte, 32))
	return q
}

func goodOptions(s *tdxtest.Signer, q tdxtest.Quote) tdx.Options {
	return tdx.Options{Roots: s.Roots(), MRTDs: [][]byte{q.MRTD[:]}, RTMRs: [4][]byte{q.RTMR[0][:]}, MRCONFIGID: q.MRCONFIGID[:], InsecureSkipCollateral: true}
}

func sign(t testing.TB, s *tdxtest.Signer, q tdxtest.Quote) []byte {
	t.Helper()
	raw, err := s.Sign(q)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustVerifier(t testing.TB, o tdx.Options) *tdx.Verifier {
	t.Helper()
	v, err := tdx.NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVerifyFake: quotes from both PCK CA kinds verify (P-TDX-12), the
// claims carry the signed values, and the checks run in order.
func TestVerifyFake(t *testing.T) {
	for _, processor := range []bool{false, true} {
		s := signer(t, tdxtest.Options{ProcessorCA: processor, FMSPC: [6]byte{0x00, 0x80, 0x6f, 0x05, 0, 0}})
		q := goodQuote(s)
		v := mustVerifier(t, goodOptions(s, q))
		for range 2 { // cold, then warm cache
			c, err := v.VerifyQuote(sign(t, s, q), testNow, q.ReportData[:])
			if err != nil {
				t.Fatalf("processor CA %t: %v", processor, err)
			}
			if !bytes.Equal(c.Measurement, q.MRTD[:]) || c.ReportData != q.ReportData || !bytes.Equal(c.HostData, q.MRCONFIGID[:]) || !bytes.Equal(c.RuntimeMeasurements[0], q.RTMR[0][:]) || c.Product != "00806f050000" || c.Debug {
				t.Errorf("claims %+v", c)
			}
			want := []string{tdx.CheckParse, tdx.CheckChain, tdx.CheckQEReport, tdx.CheckQEBinding, tdx.CheckSignature, tdx.CheckCollateral, tdx.CheckTCB, tdx.CheckDebug, tdx.CheckAttributes, tdx.CheckMeasurement, tdx.CheckRTMR, tdx.CheckReportData, tdx.CheckHostData}
			if len(c.Checks) != len(want) {
				t.Fatalf("%d checks", len(c.Checks))
			}
			for i, ch := range c.Checks {
				if ch.ID != want[i] || ch.Outcome == buildtrust.Fail {
					t.Errorf("check %d = %s %s, want %s", i, ch.ID, ch.Outcome, want[i])
				}
			}
		}
	}
}

// TestVerifyAdversarial: each attack on a fake quote is rejected with the
// check that guards it, its sentinel and threat E10 (BENV-L3-3).
func TestVerifyAdversarial(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	other := signer(t, tdxtest.Options{})
	expired := signer(t, tdxtest.Options{Now: tdxtest.DefaultTime.Add(-3 * 365 * 24 * time.Hour), Validity: 365 * 24 * time.Hour})
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tests := []struct {
		name     string
		s        *tdxtest.Signer
		mod      func(*tdxtest.Quote)
		opt      func(*tdx.Options)
		rd       func(q tdxtest.Quote) []byte
		check    string
		sentinel error
	}{
		{name: "debug TD", mod: func(q *tdxtest.Quote) { q.TDAttributes = 1 }, check: tdx.CheckDebug, sentinel: tdx.ErrDebug},
		{name: "debug among other bits", mod: func(q *tdxtest.Quote) { q.TDAttributes = 0x10000001 }, check: tdx.CheckDebug, sentinel: tdx.ErrDebug},
		{name: "expired chain", s: expired, check: tdx.CheckChain, sentinel: tdx.ErrExpired},
		{name: "untrusted root", s: other, check: tdx.CheckChain, sentinel: tdx.ErrChain},
		{name: "QE report not signed by PCK", mod: func(q *tdxtest.Quote) { q.QEReportKey = otherKey }, check: tdx.CheckQEReport, sentinel: tdx.ErrSignature},
		{name: "attestation key not bound", mod: func(q *tdxtest.Quote) { q.UnboundQEReport = true }, check: tdx.CheckQEBinding, sentinel: tdx.ErrSignature},
		{name: "wrong MRTD", mod: func(q *tdxtest.Quote) { q.MRTD[47] ^= 1 }, check: tdx.CheckMeasurement, sentinel: tdx.ErrMeasurement},
		{name: "wrong RTMR0", mod: func(q *tdxtest.Quote) { q.RTMR[0][1] = 9 }, check: tdx.CheckRTMR, sentinel: tdx.ErrMeasurement},
		{name: "report-data replay", rd: func(tdxtest.Quote) []byte { b, _ := tee.Bind(tee.PurposeDispatch, []byte("other build")); return b[:] }, check: tdx.CheckReportData, sentinel: tdx.ErrReportData},
		{name: "wrong MRCONFIGID", mod: func(q *tdxtest.Quote) { q.MRCONFIGID[0] = 0 }, check: tdx.CheckHostData, sentinel: tdx.ErrHostData},
		{name: "wrong MROWNER", opt: func(o *tdx.Options) { o.MROWNER = bytes.Repeat([]byte{7}, 48) }, check: tdx.CheckHostData, sentinel: tdx.ErrHostData},
		{name: "wrong MROWNERCONFIG", opt: func(o *tdx.Options) { o.MROWNERCONFIG = bytes.Repeat([]byte{7}, 48) }, check: tdx.CheckHostData, sentinel: tdx.ErrHostData},
		{name: "TEE TCB rollback", mod: func(q *tdxtest.Quote) { q.TEETCBSVN[2] = 4 }, opt: func(o *tdx.Options) { o.MinimumTEETCBSVN = [16]byte{3, 0, 5} }, check: tdx.CheckTCB, sentinel: tdx.ErrTCB},
		{name: "TD attributes", mod: func(q *tdxtest.Quote) { q.TDAttributes = 0x40000000 }, opt: func(o *tdx.Options) { a := uint64(0); o.TDAttributes = &a }, check: tdx.CheckAttributes, sentinel: tdx.ErrPolicy},
		{name: "XFAM", opt: func(o *tdx.Options) { x := uint64(0x3); o.XFAM = &x }, check: tdx.CheckAttributes, sentinel: tdx.ErrPolicy},
		{name: "no collateral", opt: func(o *tdx.Options) { o.InsecureSkipCollateral = false }, check: tdx.CheckCollateral, sentinel: tdx.ErrMissingCertificate},
		{name: "chain of another PCK", mod: func(q *tdxtest.Quote) { q.PCKChain = chainOf(t, other) }, opt: func(o *tdx.Options) { o.Roots = other.Roots() }, check: tdx.CheckQEReport, sentinel: tdx.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := s
			if tt.s != nil {
				sg = tt.s
			}
			q := goodQuote(sg)
			o := goodOptions(s, q) // trust s's root, expect s's values
			if tt.mod != nil {
				tt.mod(&q)
			}
			if tt.opt != nil {
				tt.opt(&o)
			}
			want := goodQuote(sg).ReportData
			rd := want[:]
			if tt.rd != nil {
				rd = tt.rd(q)
			}
			_, err := mustVerifier(t, o).VerifyQuote(sign(t, sg, q), testNow, rd)
			wantCheck(t, err, tt.check, tt.sentinel)
		})
	}
}

// chainOf returns the PEM chain another signer embeds.
func chainOf(t *testing.T, s *tdxtest.Signer) []byte {
	q, err := tdx.ParseQuote(sign(t, s, s.Quote()))
	if err != nil {
		t.Fatal(err)
	}
	return q.PCKChain
}

// TestDebugOptIn: InsecureAllowDebug accepts a debug TD and says so.
func TestDebugOptIn(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	q.TDAttributes = 1
	o := goodOptions(s, q)
	o.InsecureAllowDebug = true
	c, err := mustVerifier(t, o).VerifyQuote(sign(t, s, q), testNow, q.ReportData[:])
	if err != nil || !c.Debug || c.Policy != 1 {
		t.Fatalf("claims %v, err %v", c, err)
	}
}

// TestCacheDoesNotWeaken: after a chain is cached, a tampered quote and a
// quote at a time outside the chain's validity are still rejected.
func TestCacheDoesNotWeaken(t *testing.T) {
	s := signer(t, tdxtest.Options{Validity: 365 * 24 * time.Hour})
	q := goodQuote(s)
	v := mustVerifier(t, goodOptions(s, q))
	raw := sign(t, s, q)
	if _, err := v.VerifyQuote(raw, testNow, q.ReportData[:]); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(raw)
	bad[0x30+0x88] ^= 1
	_, err := v.VerifyQuote(bad, testNow, q.ReportData[:])
	wantCheck(t, err, tdx.CheckSignature, tdx.ErrSignature)
	_, err = v.VerifyQuote(raw, testNow.Add(2*365*24*time.Hour), q.ReportData[:])
	wantCheck(t, err, tdx.CheckChain, tdx.ErrExpired)
}

func TestMissingInputs(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	v := mustVerifier(t, goodOptions(s, q))
	raw := sign(t, s, q)
	if _, err := v.VerifyQuote(raw, time.Time{}, q.ReportData[:]); !errors.Is(err, tdx.ErrNoTime) {
		t.Errorf("no time: %v", err)
	}
	if _, err := v.VerifyQuote(raw, testNow, nil); !errors.Is(err, tdx.ErrNoReportData) {
		t.Errorf("no report data: %v", err)
	}
	if _, err := v.VerifyQuote(raw, testNow, make([]byte, 32)); !errors.Is(err, tdx.ErrOptions) {
		t.Errorf("short report data: %v", err)
	}
	if _, err := v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.SEVSNP, Report: raw}, Now: testNow, ReportData: q.ReportData[:]}); !errors.Is(err, tdx.ErrPlatform) {
		t.Errorf("platform: %v", err)
	}
	if _, err := v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.TDX, Report: raw, Collateral: []byte("{}")}, Now: testNow, ReportData: q.ReportData[:]}); !errors.Is(err, tdx.ErrMalformed) {
		t.Errorf("empty collateral bundle: %v", err)
	}
	if _, err := v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.TDX, Report: raw, Certificates: []byte{1}}, Now: testNow, ReportData: q.ReportData[:]}); !errors.Is(err, tdx.ErrOptions) {
		t.Errorf("certificate table: %v", err)
	}
	c, err := v.Verify(tee.Request{Evidence: tee.Evidence{Platform: tee.TDX, Report: raw}, Now: testNow, ReportData: q.ReportData[:]})
	if err != nil || c.Platform != tee.TDX || v.Platform() != tee.TDX {
		t.Errorf("Verify: %v", err)
	}
}

func TestNewVerifierOptions(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	attrDebug := uint64(1)
	tests := []struct {
		name string
		o    tdx.Options
		want error
	}{
		{"no roots", tdx.Options{MRTDs: [][]byte{make([]byte, 48)}}, tdx.ErrNoTrustRoots},
		{"no measurements", tdx.Options{Roots: s.Roots()}, tdx.ErrNoMeasurements},
		{"short MRTD", tdx.Options{Roots: s.Roots(), MRTDs: [][]byte{make([]byte, 32)}}, tdx.ErrOptions},
		{"short RTMR", tdx.Options{Roots: s.Roots(), InsecureAnyMeasurement: true, RTMRs: [4][]byte{3: {1}}}, tdx.ErrOptions},
		{"short MROWNER", tdx.Options{Roots: s.Roots(), InsecureAnyMeasurement: true, MROWNER: []byte{1}}, tdx.ErrOptions},
		{"debug attributes without opt-in", tdx.Options{Roots: s.Roots(), InsecureAnyMeasurement: true, TDAttributes: &attrDebug}, tdx.ErrOptions},
		{"too many MRTDs", tdx.Options{Roots: s.Roots(), MRTDs: make([][]byte, 1025)}, tdx.ErrTooLarge},
	}
	for _, tt := range tests {
		if _, err := tdx.NewVerifier(tt.o); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestParseQuoteRejects: version 5 (unsupported by go-tdx-guest v0.3.1),
// other versions, truncation and oversize inputs fail with sentinels.
func TestParseQuoteRejects(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	raw := sign(t, s, s.Quote())
	v5 := bytes.Clone(raw)
	binary.LittleEndian.PutUint16(v5, 5)
	v3 := bytes.Clone(raw)
	binary.LittleEndian.PutUint16(v3, 3)
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"v5", v5, tdx.ErrVersion},
		{"v3", v3, tdx.ErrVersion},
		{"empty", nil, tdx.ErrMalformed},
		{"truncated", raw[:len(raw)-100], tdx.ErrMalformed},
		{"header only", raw[:0x30], tdx.ErrMalformed},
		{"too large", make([]byte, 64<<10+1), tdx.ErrTooLarge},
		{"trailing junk in chain", append(bytes.Clone(raw), 'x'), nil},
	}
	for _, tt := range tests {
		_, err := tdx.ParseQuote(tt.b)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if !errors.Is(tdx.ErrVersion, tdx.ErrMalformed) {
		t.Error("ErrVersion does not wrap ErrMalformed")
	}
}

// TestConcurrentVerify: one verifier, many goroutines, under -race.
func TestConcurrentVerify(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	v := mustVerifier(t, goodOptions(s, q))
	raw := sign(t, s, q)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := v.VerifyQuote(raw, testNow, q.ReportData[:]); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

// TestWarmRejectsWhatColdRejects: the warm path (chain cached, quote parsed
// without go-tdx-guest's conversion or the PEM split) decides every
// tampered quote as the cold path (no cache) does, with the same check and
// sentinel: flips of every byte of the header, the signed data's framing
// (sizes, types, QE report, signatures, auth data) and a sample of the
// rest, truncations and appended bytes.
func TestWarmRejectsWhatColdRejects(t *testing.T) {
	s := signer(t, tdxtest.Options{})
	q := goodQuote(s)
	raw := sign(t, s, q)
	warm := mustVerifier(t, goodOptions(s, q))
	o := goodOptions(s, q)
	o.CacheSize = -1
	cold := mustVerifier(t, o)
	if _, err := warm.VerifyQuote(raw, testNow, q.ReportData[:]); err != nil {
		t.Fatal(err)
	}
	chainAt := bytes.Index(raw, []byte("-----BEGIN CERTIFICATE-----"))
	if chainAt < 0 {
		t.Fatal("no PEM chain in the quote")
	}
	var cases [][]byte
	framing := map[int]bool{}
	for _, f := range [][2]int{{0, 8}, {tdx.SignedSize, tdx.SignedSize + 4}, {0x2fc, 0x302}, {0x4c2, 0x4c4}} {
		for off := f[0]; off < f[1]; off++ {
			framing[off] = true
		}
	}
	authEnd := 0x4c4 + int(binary.LittleEndian.Uint16(raw[0x4c2:]))
	for off := authEnd; off < authEnd+6; off++ {
		framing[off] = true
	}
	for off := range raw {
		xs := []byte{0x01}
		if framing[off] {
			xs = append(xs, 0x80, 0xff)
		}
		if off < chainAt || off%97 == 0 {
			for _, x := range xs {
				b := bytes.Clone(raw)
				b[off] ^= x
				cases = append(cases, b)
			}
		}
	}
	for _, n := range []int{0, 0x30, tdx.SignedSize, chainAt, len(raw) - 1} {
		cases = append(cases, bytes.Clone(raw[:n]))
	}
	cases = append(cases, append(bytes.Clone(raw), 0), append(bytes.Clone(raw), "-----BEGIN CERTIFICATE-----"...))
	rejected := 0
	for i, b := range cases {
		_, errW := warm.VerifyQuote(b, testNow, q.ReportData[:])
		_, errC := cold.VerifyQuote(b, testNow, q.ReportData[:])
		if (errW == nil) != (errC == nil) {
			t.Fatalf("case %d: warm %v, cold %v", i, errW, errC)
		}
		if errC == nil {
			continue
		}
		rejected++
		// Same check, same sentinel, same words.
		var cw, cc *buildtrust.CheckError
		if !errors.As(errC, &cc) || !errors.As(errW, &cw) || cw.Check != cc.Check || errW.Error() != errC.Error() {
			t.Errorf("case %d: warm %v, cold %v", i, errW, errC)
		}
	}
	// Flips in signed bytes, and most framing changes, must be rejected.
	if rejected < len(cases)/2 {
		t.Fatalf("only %d of %d tampered quotes rejected", rejected, len(cases))
	}
}
