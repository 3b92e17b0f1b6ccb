package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"

	"github.com/google/go-tdx-guest/pcs"
	"github.com/google/go-tdx-guest/verify"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/ecdsasig"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/tee"
)

// Subject common names of Intel's PCK certificate profile.
const (
	cnPlatformCA  = "Intel SGX PCK Platform CA"
	cnProcessorCA = "Intel SGX PCK Processor CA"
	cnPCK         = "Intel SGX PCK Certificate"
)

// Options configure a [Verifier]: what is trusted and what the quote must
// show. The zero value of each field is documented; required fields fail
// closed when missing. Slices are copied by [NewVerifier].
type Options struct {
	// Roots are the trusted roots of PCK chains. Required: nil fails with
	// ErrNoTrustRoots. Use [IntelRoots] for the Intel SGX Root CA or
	// [ParseRoots] for the caller's (tests: tdxtest.Signer.Roots).
	Roots *Roots

	// MRTDs is the allow-list of accepted MRTD values (48 bytes each): the
	// TD's initial memory and firmware, usually the image producer's
	// reference values (BENV-L2-2, BENV-L3-3). Required unless
	// InsecureAnyMeasurement: empty fails with ErrNoMeasurements.
	MRTDs [][]byte
	// InsecureAnyMeasurement accepts any MRTD. The verifier then proves
	// only that some TD ran on genuine hardware, not which firmware it
	// booted: an attacker who can launch their own TD passes. For tests and
	// for callers that compare Claims.Measurement themselves.
	InsecureAnyMeasurement bool
	// RTMRs, if an entry is non-nil, are the expected RTMR0–RTMR3 (48
	// bytes each). A nil entry is not checked.
	RTMRs [4][]byte

	// MRCONFIGID, MROWNER and MROWNERCONFIG, if non-nil, are the expected
	// values of those fields (48 bytes each), which the host or owner set at
	// TD creation. nil: not checked.
	MRCONFIGID, MROWNER, MROWNERCONFIG []byte

	// TDAttributes, if non-nil, is the exact expected TD_ATTRIBUTES (as a
	// little-endian number). nil: only the DEBUG bit is checked.
	TDAttributes *uint64
	// XFAM, if non-nil, is the exact expected XFAM. nil: not checked.
	XFAM *uint64
	// MinimumTEETCBSVN is the component-wise minimum of TEE_TCB_SVN (the
	// TDX module's SVNs). The zero value sets no minimum. Without
	// collateral this is the only defence against a rolled-back TDX module.
	MinimumTEETCBSVN [16]byte

	// InsecureAllowDebug accepts TDs whose TD_ATTRIBUTES.DEBUG bit is set.
	// The host can read and write a debug TD's memory and registers, so its
	// quote proves nothing about what runs in it (THREAT-E10, P-TDX-3:
	// go-tdx-guest v0.3.1 does not check it). false (the default) rejects
	// them.
	InsecureAllowDebug bool
	// InsecureSkipReportData lets a request omit the expected report data.
	// A quote that binds nothing can be replayed by anyone who saw it. For
	// tests and for callers that compare Claims.ReportData themselves.
	InsecureSkipReportData bool
	// AcceptedTCBStatuses are the TCB statuses (Status… constants) that
	// pass, for the platform's TCB level, the quoting enclave's level and
	// the TDX module identity's level. nil means {StatusUpToDate}. Adding
	// StatusSWHardeningNeeded or StatusConfigurationNeeded accepts
	// platforms that Intel says need software mitigations or a BIOS
	// configuration; StatusOutOfDate accepts platforms with known,
	// published vulnerabilities (the advisory IDs are reported in
	// Claims.TCB.Advisories). StatusRevoked is never accepted (ErrOptions).
	AcceptedTCBStatuses []string

	// InsecureSkipCollateral accepts quotes verified without Intel
	// collateral (TCB info, QE identity, PCK and root CRLs) when the caller
	// supplies none. Without collateral nothing says whether the
	// platform's TCB is current or whether Intel revoked the PCK: a
	// platform with a known, exploited microcode or TDX module
	// vulnerability, or a PCK whose key leaked, passes, and the quoting
	// enclave's identity (MRSIGNER, ISVSVN) is not checked (P-TDX-4).
	// Claims.TCB.Status stays empty. false (the default) rejects every
	// quote without collateral: a TDX verdict never passes without a TCB
	// status. Collateral that is supplied is always verified.
	InsecureSkipCollateral bool

	// CacheSize bounds the verified PCK chains remembered, and separately
	// the verified collateral bundles (per PCK chain): 0 means
	// limits.DefaultTEECacheEntries, a negative value disables the caches.
	CacheSize int
}

// Verifier verifies TDX quotes. It is immutable after [NewVerifier], safe
// for concurrent use, and implements tee.Verifier.
type Verifier struct {
	o        Options
	cache    *tee.Cache[*platform]
	colCache *tee.Cache[*verifiedCollateral]
}

var _ tee.Verifier = (*Verifier)(nil)

// platform is a verified PCK chain: the PCK and what its certificate
// states, valid between notBefore and notAfter (the intersection of every
// certificate's validity on the verified chain).
type platform struct {
	pck                 *ecdsa.PublicKey
	ca                  string // issuing CA's common name
	fmspc, ppid, pceid  string // hexadecimal
	cpusvn              [16]byte
	pcesvn              uint16
	leafSerial          *big.Int
	inter, root         *x509.Certificate // the PCK's CA and the trusted root
	notBefore, notAfter time.Time
}

// NewVerifier checks opts and returns a Verifier. Errors wrap
// ErrNoTrustRoots, ErrNoMeasurements, ErrTooLarge or ErrOptions.
func NewVerifier(opts Options) (*Verifier, error) {
	if opts.Roots == nil || len(opts.Roots.certs) == 0 {
		return nil, ErrNoTrustRoots
	}
	if len(opts.MRTDs) == 0 && !opts.InsecureAnyMeasurement {
		return nil, ErrNoMeasurements
	}
	if len(opts.MRTDs) > limits.MaxTEEMeasurements {
		return nil, fmt.Errorf("%w: more than %d accepted MRTDs", ErrTooLarge, limits.MaxTEEMeasurements)
	}
	for i, m := range opts.MRTDs {
		if len(m) != 48 {
			return nil, fmt.Errorf("%w: MRTD %d is %d bytes, want 48", ErrOptions, i, len(m))
		}
	}
	for i, f := range [][]byte{opts.RTMRs[0], opts.RTMRs[1], opts.RTMRs[2], opts.RTMRs[3], opts.MRCONFIGID, opts.MROWNER, opts.MROWNERCONFIG} {
		if f != nil && len(f) != 48 {
			return nil, fmt.Errorf("%w: field %d (RTMR0-3, MRCONFIGID, MROWNER, MROWNERCONFIG) is %d bytes, want 48", ErrOptions, i, len(f))
		}
	}
	if opts.TDAttributes != nil && *opts.TDAttributes&tdAttrDebugBit != 0 && !opts.InsecureAllowDebug {
		return nil, fmt.Errorf("%w: TDAttributes requires DEBUG without InsecureAllowDebug", ErrOptions)
	}
	if len(opts.AcceptedTCBStatuses) > len(knownStatuses) {
		return nil, fmt.Errorf("%w: %d accepted TCB statuses", ErrOptions, len(opts.AcceptedTCBStatuses))
	}
	for _, st := range opts.AcceptedTCBStatuses {
		if !slices.Contains(knownStatuses, st) {
			return nil, fmt.Errorf("%w: accepted TCB status %q is not one of %v", ErrOptions, st, knownStatuses)
		}
	}
	o := opts
	o.AcceptedTCBStatuses = slices.Clone(opts.AcceptedTCBStatuses)
	if len(o.AcceptedTCBStatuses) == 0 {
		o.AcceptedTCBStatuses = []string{StatusUpToDate}
	}
	o.MRTDs = make([][]byte, len(opts.MRTDs))
	for i, m := range opts.MRTDs {
		o.MRTDs[i] = bytes.Clone(m)
	}
	for i := range o.RTMRs {
		o.RTMRs[i] = bytes.Clone(opts.RTMRs[i])
	}
	o.MRCONFIGID, o.MROWNER, o.MROWNERCONFIG = bytes.Clone(opts.MRCONFIGID), bytes.Clone(opts.MROWNER), bytes.Clone(opts.MROWNERCONFIG)
	if opts.TDAttributes != nil {
		v := *opts.TDAttributes
		o.TDAttributes = &v
	}
	if opts.XFAM != nil {
		v := *opts.XFAM
		o.XFAM = &v
	}
	return &Verifier{o: o, cache: tee.NewCache[*platform](opts.CacheSize), colCache: tee.NewCache[*verifiedCollateral](opts.CacheSize)}, nil
}

// Platform returns tee.TDX.
func (v *Verifier) Platform() tee.Platform { return tee.TDX }

// Verify implements tee.Verifier: req.Evidence.Report is the quote and
// req.Evidence.Collateral the collateral bundle (JSON of
// [CollateralBundle]; may be empty only with InsecureSkipCollateral).
// Evidence carrying Certificates is rejected with ErrOptions: a TDX quote
// embeds its PCK chain. See [Verifier.VerifyQuoteCollateral].
func (v *Verifier) Verify(req tee.Request) (*tee.Claims, error) {
	if req.Evidence.Platform != tee.TDX {
		return nil, fmt.Errorf("%w: evidence for %q, verifier for %q", ErrPlatform, req.Evidence.Platform, tee.TDX)
	}
	if len(req.Evidence.Certificates) != 0 {
		return nil, fmt.Errorf("%w: TDX evidence carries a certificate table, which TDX does not use", ErrOptions)
	}
	return v.VerifyQuoteCollateral(req.Evidence.Report, req.Evidence.Collateral, req.Now, req.ReportData)
}

// VerifyQuote verifies a quote without collateral: it is
// VerifyQuoteCollateral(raw, nil, now, reportData), which fails closed at
// [CheckCollateral] unless Options.InsecureSkipCollateral is set.
func (v *Verifier) VerifyQuote(raw []byte, now time.Time, reportData []byte) (*tee.Claims, error) {
	return v.VerifyQuoteCollateral(raw, nil, now, reportData)
}

// VerifyQuoteCollateral verifies a raw TDX quote with its collateral bundle
// (JSON of [CollateralBundle]) at time now and checks it against the
// verifier's options and the expected report data (64 bytes, usually
// tee.Bind of a purpose and payload). In order: form and limits; the PCK
// chain to a trusted root, valid at now (Platform or Processor CA; on the
// first sight of a Platform-CA chain go-tdx-guest's verify.TdxQuote also
// checks it, offline, with fresh options and the trusted roots); the QE
// report signature by the PCK; the QE report's binding of the attestation
// key; the quote signature; the collateral (see the Check… constants:
// bundle, TCB info, QE identity, CRLs, TDX module — an empty bundle fails
// closed unless Options.InsecureSkipCollateral); the TCB level's status
// and the minimum TEE_TCB_SVN; debug; TD
// attributes and XFAM; MRTD; RTMRs; report data; MRCONFIGID, MROWNER,
// MROWNERCONFIG. The checks are listed, in that order, in Claims.Checks.
//
// On failure the error is a *buildtrust.CheckError with one of the Check…
// IDs, unwrapping to a sentinel and threat.E10; missing inputs (time,
// report data) fail with ErrNoTime or ErrNoReportData.
func (v *Verifier) VerifyQuoteCollateral(raw, collateral []byte, now time.Time, reportData []byte) (*tee.Claims, error) {
	if now.IsZero() {
		return nil, ErrNoTime
	}
	if reportData == nil && !v.o.InsecureSkipReportData {
		return nil, ErrNoReportData
	}
	if reportData != nil && len(reportData) != 64 {
		return nil, fmt.Errorf("%w: expected report data is %d bytes, want 64", ErrOptions, len(reportData))
	}
	checks := make([]buildtrust.Check, 0, numChecks)
	pass := func(id, expected, actual string) {
		checks = append(checks, buildtrust.Check{ID: id, Threats: threatsOf(id), Outcome: buildtrust.Pass, Expected: expected, Actual: actual})
	}
	na := func(id, msg string) {
		checks = append(checks, buildtrust.Check{ID: id, Threats: threatsOf(id), Outcome: buildtrust.NotApplicable, Message: msg})
	}

	// The fast parse finds the chain; a chain seen and verified before (the
	// key is the digest of its exact bytes) needs neither go-tdx-guest's
	// conversion nor the PEM split again, since both ran on those bytes.
	q, err := parseQuoteFast(raw)
	if err != nil {
		if _, perr := ParseQuote(raw); perr != nil {
			err = perr // worded as ParseQuote words it
		}
		return nil, checkErr(CheckParse, err, "quote")
	}
	key := cacheKey(q.PCKChain)
	p, ok := v.cache.Get(key)
	cold := !ok || now.Before(p.notBefore) || now.After(p.notAfter)
	if cold {
		// A new chain: the full parse, as every call made before the
		// cache, and the key of exactly the bytes verified.
		if q, err = ParseQuote(raw); err != nil {
			return nil, checkErr(CheckParse, err, "quote")
		}
		key = cacheKey(q.PCKChain)
	}
	pass(CheckParse, "", "quote v"+strconv.Itoa(int(q.Version))+", "+strconv.Itoa(len(raw))+" bytes")

	// Chain: from the cache while now is inside the verified window, else
	// verified in full.
	if cold {
		if p, err = v.verifyChain(q, now); err != nil {
			return nil, err
		}
	}
	pass(CheckChain, "", "PCK → "+p.ca+" → trusted root")

	// Two P-256 verifications and a SHA-256 per quote.
	if !verifyP256(p.pck, q.QEReport[:], q.QEReportSig[:]) {
		return nil, checkErr(CheckQEReport, ErrSignature, "QE report signature does not verify under the PCK")
	}
	pass(CheckQEReport, "", "ECDSA P-256")
	bind := sha256.New()
	bind.Write(q.AttestationKey[:])
	bind.Write(q.QEAuthData)
	var want [64]byte
	bind.Sum(want[:0])
	if subtle.ConstantTimeCompare(want[:], q.QEReport[QEReportSize-64:]) != 1 {
		return nil, checkErr(CheckQEBinding, ErrSignature, "QE report data does not bind the attestation key")
	}
	pass(CheckQEBinding, "", "SHA-256(attestation key ‖ QE auth data)")
	ak, err := p256Key(q.AttestationKey[:])
	if err != nil {
		return nil, checkErr(CheckSignature, ErrSignature, "attestation key: %v", err)
	}
	if !verifyP256(ak, q.raw[:SignedSize], q.Signature[:]) {
		return nil, checkErr(CheckSignature, ErrSignature, "quote signature does not verify under the attestation key")
	}
	pass(CheckSignature, "", "ECDSA P-256")
	if cold {
		if p.ca == cnPlatformCA {
			if err := v.crossCheck(q, now); err != nil {
				return nil, err
			}
		}
		v.cache.Put(key, p)
	}

	var verdict *tcbVerdict
	if len(collateral) == 0 {
		if !v.o.InsecureSkipCollateral {
			return nil, checkErr(CheckCollateral, ErrMissingCertificate, "no collateral supplied: no verified TCB status; InsecureSkipCollateral not set")
		}
		na(CheckCollateral, "InsecureSkipCollateral: no TCB status, no revocation, no QE identity")
	} else {
		// Signatures, chains and windows: from the cache while now is
		// inside the verified window, else parsed and verified in full.
		ckey := collateralKey(key, collateral)
		vc, ok := v.colCache.Get(ckey)
		if !ok || !vc.w.contains(now) {
			col, err := ParseCollateral(collateral)
			if err != nil {
				return nil, checkErr(CheckCollateral, err, "collateral bundle")
			}
			if vc, err = v.verifyCollateral(col, p, now); err != nil {
				return nil, err
			}
			v.colCache.Put(ckey, vc)
		}
		pass(CheckCollateral, "", "bundle of "+strconv.Itoa(len(collateral))+" bytes")
		if verdict, err = v.evaluate(vc.c, q, p, pass); err != nil {
			return nil, err
		}
	}

	for i, m := range v.o.MinimumTEETCBSVN {
		if q.TEETCBSVN[i] < m {
			return nil, checkErr(CheckTCB, ErrTCB, "TEE_TCB_SVN[%d] = %d is below the minimum %d", i, q.TEETCBSVN[i], m)
		}
	}
	if verdict != nil {
		pass(CheckTCB, fmt.Sprintf("status in %v, TEE_TCB_SVN ≥ %x", v.o.AcceptedTCBStatuses, v.o.MinimumTEETCBSVN), fmt.Sprintf("%s (TCB date %s, advisories %v), TEE_TCB_SVN %x", verdict.status, verdict.date, verdict.advisories, q.TEETCBSVN))
	} else {
		pass(CheckTCB, "≥ "+hex.EncodeToString(v.o.MinimumTEETCBSVN[:]), hex.EncodeToString(q.TEETCBSVN[:]))
	}

	if q.Debug() && !v.o.InsecureAllowDebug {
		return nil, checkErr(CheckDebug, ErrDebug, "TD_ATTRIBUTES %016x has DEBUG set", q.TDAttributes)
	}
	pass(CheckDebug, "debug off", "debug="+strconv.FormatBool(q.Debug()))
	if v.o.TDAttributes != nil && q.TDAttributes != *v.o.TDAttributes {
		return nil, checkErr(CheckAttributes, ErrPolicy, "TD_ATTRIBUTES %#016x, want %#016x", q.TDAttributes, *v.o.TDAttributes)
	}
	if v.o.XFAM != nil && q.XFAM != *v.o.XFAM {
		return nil, checkErr(CheckAttributes, ErrPolicy, "XFAM %#016x, want %#016x", q.XFAM, *v.o.XFAM)
	}
	if v.o.TDAttributes == nil && v.o.XFAM == nil {
		na(CheckAttributes, "no expected TD_ATTRIBUTES or XFAM")
	} else {
		pass(CheckAttributes, "", fmt.Sprintf("TD_ATTRIBUTES=%#016x XFAM=%#016x", q.TDAttributes, q.XFAM))
	}

	if v.o.InsecureAnyMeasurement && len(v.o.MRTDs) == 0 {
		na(CheckMeasurement, "InsecureAnyMeasurement")
	} else if !containsBytes(v.o.MRTDs, q.MRTD[:]) {
		return nil, checkErr(CheckMeasurement, ErrMeasurement, "MRTD %x is not accepted", q.MRTD)
	} else {
		pass(CheckMeasurement, "one of "+strconv.Itoa(len(v.o.MRTDs)), hex.EncodeToString(q.MRTD[:]))
	}
	checkedRTMR := 0
	for i, want := range v.o.RTMRs {
		if want == nil {
			continue
		}
		if !bytes.Equal(want, q.RTMR[i][:]) {
			return nil, checkErr(CheckRTMR, ErrMeasurement, "RTMR%d %x, want %x", i, q.RTMR[i], want)
		}
		checkedRTMR++
	}
	if checkedRTMR == 0 {
		na(CheckRTMR, "no expected RTMR")
	} else {
		pass(CheckRTMR, fmt.Sprintf("%d RTMRs", checkedRTMR), "equal")
	}

	if reportData == nil {
		na(CheckReportData, "InsecureSkipReportData")
	} else if subtle.ConstantTimeCompare(reportData, q.ReportData[:]) != 1 {
		return nil, checkErr(CheckReportData, ErrReportData, "REPORT_DATA %x…, want %x…", q.ReportData[:8], reportData[:8])
	} else {
		pass(CheckReportData, hex.EncodeToString(reportData), hex.EncodeToString(q.ReportData[:]))
	}

	host := 0
	for _, f := range []struct {
		name      string
		want, got []byte
	}{{"MRCONFIGID", v.o.MRCONFIGID, q.MRCONFIGID[:]}, {"MROWNER", v.o.MROWNER, q.MROWNER[:]}, {"MROWNERCONFIG", v.o.MROWNERCONFIG, q.MROWNERCONFIG[:]}} {
		if f.want == nil {
			continue
		}
		if !bytes.Equal(f.want, f.got) {
			return nil, checkErr(CheckHostData, ErrHostData, "%s %x, want %x", f.name, f.got, f.want)
		}
		host++
	}
	if host == 0 {
		na(CheckHostData, "no expected MRCONFIGID, MROWNER or MROWNERCONFIG")
	} else {
		pass(CheckHostData, fmt.Sprintf("%d fields", host), "equal")
	}

	ppid, _ := hex.DecodeString(p.ppid)
	svns := make([]tee.SVN, 16)
	for i, s := range q.TEETCBSVN {
		svns[i] = tee.SVN{Name: "tee_tcb_svn[" + strconv.Itoa(i) + "]", Value: s}
	}
	tcb := tee.TCB{Raw: bytes.Clone(q.TEETCBSVN[:]), Components: svns}
	if verdict != nil {
		tcb.Status, tcb.Advisories = verdict.status, verdict.advisories
	}
	rtmrs := make([][]byte, 4)
	for i := range rtmrs {
		rtmrs[i] = bytes.Clone(q.RTMR[i][:])
	}
	return &tee.Claims{
		Platform:            tee.TDX,
		Version:             uint32(q.Version),
		Measurement:         bytes.Clone(q.MRTD[:]),
		RuntimeMeasurements: rtmrs,
		ReportData:          q.ReportData,
		HostData:            bytes.Clone(q.MRCONFIGID[:]),
		TCB:                 tcb,
		Debug:               q.Debug(),
		Policy:              q.TDAttributes,
		ChipID:              ppid,
		Product:             p.fmspc,
		SigningKey:          tee.PCK,
		Checks:              checks,
	}, nil
}

// numChecks is the number of checks VerifyQuoteCollateral lists.
const numChecks = 20

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// collateralKey binds a collateral bundle to the PCK chain (by its cache
// key) it was verified for: the CRLs are checked against that chain's CA
// and root.
func collateralKey(chain tee.CacheKey, collateral []byte) tee.CacheKey {
	h := sha256.New()
	h.Write([]byte("buildtrust/tee/tdx/collateral/v1\x00"))
	h.Write(chain[:])
	h.Write(collateral)
	var k tee.CacheKey
	h.Sum(k[:0])
	return k
}

func cacheKey(chain []byte) tee.CacheKey {
	h := sha256.New()
	h.Write([]byte("buildtrust/tee/tdx/pck-chain/v1\x00"))
	h.Write(chain)
	var k tee.CacheKey
	h.Sum(k[:0])
	return k
}

// verifyChain verifies the quote's PCK chain to a trusted root at now
// (Intel's PCK certificate profile: leaf "Intel SGX PCK Certificate" issued
// by "Intel SGX PCK Platform CA" or "Intel SGX PCK Processor CA", ECDSA
// P-256 with SHA-256 throughout, the SGX extension parsable) and returns
// the verified PCK.
func (v *Verifier) verifyChain(q *Quote, now time.Time) (*platform, error) {
	leaf, inter, err := parseChain(q.PCKChain)
	if err != nil {
		return nil, checkErr(CheckChain, err, "PCK chain")
	}
	if leaf.Subject.CommonName != cnPCK {
		return nil, checkErr(CheckChain, ErrChain, "leaf subject %q, want %q", leaf.Subject.CommonName, cnPCK)
	}
	ca := inter.Subject.CommonName
	if ca != cnPlatformCA && ca != cnProcessorCA {
		return nil, checkErr(CheckChain, ErrChain, "PCK issuer %q is neither %q nor %q", ca, cnPlatformCA, cnProcessorCA)
	}
	for _, c := range []*x509.Certificate{leaf, inter} {
		k, ok := c.PublicKey.(*ecdsa.PublicKey)
		if c.Version != 3 || c.SignatureAlgorithm != x509.ECDSAWithSHA256 || !ok || k.Curve != elliptic.P256() {
			return nil, checkErr(CheckChain, ErrChain, "%q is not an x509 v3 ECDSA P-256/SHA-256 certificate", c.Subject.CommonName)
		}
	}
	if !inter.IsCA {
		return nil, checkErr(CheckChain, ErrChain, "%q is not a CA", ca)
	}
	exts, err := pcs.PckCertificateExtensions(leaf)
	if err != nil {
		return nil, checkErr(CheckChain, ErrChain, "PCK SGX extensions: %v", err)
	}
	for _, c := range []*x509.Certificate{leaf, inter} {
		if !validAt(c, now) {
			return nil, checkErr(CheckChain, ErrExpired, "%q valid %s to %s, verification time %s", c.Subject.CommonName, c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), now.Format(time.RFC3339))
		}
	}
	inters := x509.NewCertPool()
	inters.AddCert(inter)
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: v.o.Roots.pool, Intermediates: inters, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		for _, r := range v.o.Roots.certs {
			if inter.CheckSignatureFrom(r) == nil && !validAt(r, now) {
				return nil, checkErr(CheckChain, ErrExpired, "root %q not valid at %s", r.Subject.CommonName, now.Format(time.RFC3339))
			}
		}
		return nil, checkErr(CheckChain, ErrChain, "%v", err)
	}
	if len(exts.TCB.CPUSvnComponents) != 16 {
		return nil, checkErr(CheckChain, ErrChain, "PCK TCB extension has %d CPUSVN components, want 16", len(exts.TCB.CPUSvnComponents))
	}
	p := &platform{pck: leaf.PublicKey.(*ecdsa.PublicKey), ca: ca, fmspc: exts.FMSPC, ppid: exts.PPID, pceid: exts.PCEID, pcesvn: exts.TCB.PCESvn, leafSerial: leaf.SerialNumber, inter: inter, notBefore: leaf.NotBefore, notAfter: leaf.NotAfter}
	copy(p.cpusvn[:], exts.TCB.CPUSvnComponents)
	for _, c := range chains[0] {
		if c.NotBefore.After(p.notBefore) {
			p.notBefore = c.NotBefore
		}
		if c.NotAfter.Before(p.notAfter) {
			p.notAfter = c.NotAfter
		}
	}
	root := chains[0][len(chains[0])-1]
	if p.root = v.o.Roots.find(root); p.root == nil {
		return nil, checkErr(CheckChain, ErrChain, "chain ends at an untrusted certificate")
	}
	return p, nil
}

// crossCheck runs go-tdx-guest's own verification of the chain and the
// signatures, offline, with fresh options (P-TDX-2), the trusted roots
// (never its embedded root or its stdout warning, P-TDX-1) and the explicit
// time. It runs once per chain, for Platform-CA chains only: v0.3.1
// rejects Processor-CA chains (P-TDX-12).
func (v *Verifier) crossCheck(q *Quote, now time.Time) error {
	if err := verify.TdxQuote(q.proto, &verify.Options{TrustedRoots: v.o.Roots.Pool(), Now: now}); err != nil {
		return checkErr(CheckChain, ErrChain, "go-tdx-guest: %v", err)
	}
	return nil
}

// p256Key decodes a raw P-256 public key X ‖ Y (32 bytes each, big-endian).
func p256Key(b []byte) (*ecdsa.PublicKey, error) {
	unc := append([]byte{4}, b...)
	// ecdsa.ParseUncompressedPublicKey checks the point is on the curve.
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), unc)
}

// verifyP256 checks a raw r ‖ s (32 bytes each, big-endian) ECDSA
// signature over SHA-256(msg).
func verifyP256(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	d := sha256.Sum256(msg)
	return ecdsasig.Verify(pub, d[:], sig[:32], sig[32:64])
}
