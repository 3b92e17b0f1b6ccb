package sevsnp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/ecdsasig"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/tee"
)

// Options configure a [Verifier]: what is trusted and what the report must
// show. The zero value of each field is documented; required fields fail
// closed when missing. Slices are copied by [NewVerifier].
type Options struct {
	// Roots are the trusted AMD roots (ARK with ASK and/or ASVK per product
	// line). Required: nil fails with ErrNoTrustRoots. Use [EmbeddedRoots]
	// for AMD's published roots or [ParseRoots] for the caller's.
	Roots *Roots

	// Product, if set, is the expected processor: a product line ("Milan",
	// "Genoa", "Turin") or a KDS product name with stepping ("Milan-B0",
	// "Genoa-B1"). "" accepts any product the roots cover. Version 3+
	// reports state the product in CPUID; version 2 reports get it from the
	// VCEK (P-SNP-4); VLEK certificates carry no stepping.
	Product string

	// SigningKeys lists the accepted signing-key kinds (tee.VCEK,
	// tee.VLEK). nil accepts both.
	SigningKeys []tee.KeyKind

	// Measurements is the allow-list of accepted MEASUREMENT values (48
	// bytes each), usually the image producer's reference values
	// (BENV-L2-2, BENV-L3-3). Required unless InsecureAnyMeasurement: empty
	// fails with ErrNoMeasurements.
	Measurements [][]byte
	// InsecureAnyMeasurement accepts any launch measurement. The verifier
	// then proves only that some SEV-SNP guest ran on genuine hardware, not
	// which firmware and kernel it booted: an attacker who can launch their
	// own guest passes. For tests and for callers that compare
	// Claims.Measurement themselves.
	InsecureAnyMeasurement bool

	// HostData, if non-nil, is the expected HOST_DATA (32 bytes). nil: not
	// checked.
	HostData []byte
	// FamilyID and ImageID, if non-nil, are the expected FAMILY_ID and
	// IMAGE_ID of the ID block (16 bytes each). nil: not checked.
	FamilyID, ImageID []byte
	// IDKeyDigests, if non-empty, lists the accepted ID_KEY_DIGEST values
	// (SHA-384 of the ID block key, 48 bytes). Empty: not checked.
	IDKeyDigests [][]byte
	// AuthorKeyDigests, if non-empty, lists the accepted AUTHOR_KEY_DIGEST
	// values (48 bytes) and requires SIGNER_INFO.AUTHOR_KEY_EN. Empty: not
	// checked.
	AuthorKeyDigests [][]byte

	// VMPL is the required VMPL of the report request. nil requires VMPL 0,
	// the most privileged level: a report requested from a lower-privileged
	// level may come from code that the guest's own firmware (an SVSM or
	// paravisor at VMPL 0) does not vouch for.
	VMPL *uint32

	// MinimumTCB is the component-wise minimum of REPORTED_TCB (the TCB the
	// VCEK is issued for). The zero value sets no minimum. A host can keep
	// reporting an old TCB; this is the defence against such a rollback.
	MinimumTCB TCBParts
	// MinimumLaunchTCB is the component-wise minimum of LAUNCH_TCB. Zero:
	// no minimum.
	MinimumLaunchTCB TCBParts
	// MinimumGuestSVN is the minimum GUEST_SVN. Zero: no minimum.
	MinimumGuestSVN uint32
	// MinimumBuild and MinimumVersion (major<<8 | minor) are the minimum
	// firmware build and API version (CURRENT_BUILD, CURRENT_MAJOR/MINOR).
	// Zero: no minimum.
	MinimumBuild   uint8
	MinimumVersion uint16
	// PermitProvisionalFirmware allows COMMITTED_TCB and the committed
	// firmware version to be lower than the current ones (firmware loaded
	// but not yet committed, which the host can still roll back). false
	// requires them to be equal.
	PermitProvisionalFirmware bool

	// RefuseSMT rejects guests whose policy allows simultaneous
	// multithreading. false accepts them: SMT side channels are out of
	// BuildEnv L3's scope (BENV-L3-8), and cloud guests allow SMT almost
	// without exception.
	RefuseSMT bool
	// InsecureAllowDebug accepts guests whose policy allows debugging. A
	// debuggable guest's memory can be read and written by the host, so its
	// report proves nothing about what runs in it (THREAT-E10). false (the
	// default) rejects them.
	InsecureAllowDebug bool
	// InsecureAllowMigrationAgent accepts guests whose policy allows a
	// migration agent, which can export the guest's memory. false (the
	// default) rejects them.
	InsecureAllowMigrationAgent bool
	// InsecureSkipReportData lets a request omit the expected report data.
	// A report that binds nothing can be replayed by anyone who saw it. For
	// tests and for callers that compare Claims.ReportData themselves.
	InsecureSkipReportData bool

	// CacheSize bounds the verified VCEK/VLEK chains remembered: 0 means
	// limits.DefaultTEECacheEntries, a negative value disables the cache.
	CacheSize int
}

// Evidence is an SEV-SNP report with the certificates to verify it.
type Evidence struct {
	// Report is the ATTESTATION_REPORT, exactly ReportSize bytes.
	Report []byte
	// CertTable is the extended report's certificate table (GUID table),
	// or nil. Only its VCEK or VLEK entry is used; its ASK and ARK are
	// ignored (trust comes from Options.Roots).
	CertTable []byte
	// Certificate is the DER VCEK or VLEK certificate, when it does not
	// come in CertTable (for example fetched from AMD's KDS and cached by
	// the caller). If both are present they must be identical.
	Certificate []byte
}

// Verifier verifies SEV-SNP reports. It is immutable after [NewVerifier],
// safe for concurrent use, and implements tee.Verifier.
type Verifier struct {
	o     Options
	cache *tee.Cache[*chip]
}

var _ tee.Verifier = (*Verifier)(nil)

// chip is a verified VCEK/VLEK chain: the signing key and what its
// certificate states, valid between notBefore and notAfter (the
// intersection of every certificate's validity on the chain).
type chip struct {
	pub                 *ecdsa.PublicKey
	kind                tee.KeyKind
	line                string // product line the chain was verified for
	certProductName     string
	tcb                 TCBParts // from the certificate: bootloader, tee, snp, microcode
	hwid                []byte
	notBefore, notAfter time.Time
}

// NewVerifier checks opts and returns a Verifier. Errors wrap
// ErrNoTrustRoots, ErrNoMeasurements or ErrOptions.
func NewVerifier(opts Options) (*Verifier, error) {
	if opts.Roots == nil || len(opts.Roots.m) == 0 {
		return nil, ErrNoTrustRoots
	}
	if len(opts.Measurements) == 0 && !opts.InsecureAnyMeasurement {
		return nil, ErrNoMeasurements
	}
	if len(opts.Measurements) > limits.MaxTEEMeasurements || len(opts.IDKeyDigests) > limits.MaxTEEMeasurements || len(opts.AuthorKeyDigests) > limits.MaxTEEMeasurements {
		return nil, fmt.Errorf("%w: more than %d accepted values", ErrTooLarge, limits.MaxTEEMeasurements)
	}
	if err := sizes("measurement", opts.Measurements, abi.MeasurementSize); err != nil {
		return nil, err
	}
	if err := sizes("ID key digest", opts.IDKeyDigests, abi.IDKeyDigestSize); err != nil {
		return nil, err
	}
	if err := sizes("author key digest", opts.AuthorKeyDigests, abi.AuthorKeyDigestSize); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		b    []byte
		n    int
	}{{"HostData", opts.HostData, abi.HostDataSize}, {"FamilyID", opts.FamilyID, abi.FamilyIDSize}, {"ImageID", opts.ImageID, abi.ImageIDSize}} {
		if f.b != nil && len(f.b) != f.n {
			return nil, fmt.Errorf("%w: %s is %d bytes, want %d", ErrOptions, f.name, len(f.b), f.n)
		}
	}
	if opts.Product != "" {
		line, _, _ := strings.Cut(opts.Product, "-")
		if _, err := productLineCheck(line); err != nil {
			return nil, fmt.Errorf("%w: Product: %v", ErrOptions, err)
		}
	}
	for _, k := range opts.SigningKeys {
		if k != tee.VCEK && k != tee.VLEK {
			return nil, fmt.Errorf("%w: signing key kind %q", ErrOptions, k)
		}
	}
	o := opts
	o.Measurements = cloneAll(opts.Measurements)
	o.IDKeyDigests = cloneAll(opts.IDKeyDigests)
	o.AuthorKeyDigests = cloneAll(opts.AuthorKeyDigests)
	o.HostData, o.FamilyID, o.ImageID = bytes.Clone(opts.HostData), bytes.Clone(opts.FamilyID), bytes.Clone(opts.ImageID)
	o.SigningKeys = slices.Clone(opts.SigningKeys)
	if opts.VMPL != nil {
		v := *opts.VMPL
		o.VMPL = &v
	}
	return &Verifier{o: o, cache: tee.NewCache[*chip](opts.CacheSize)}, nil
}

func sizes(name string, vs [][]byte, n int) error {
	for i, v := range vs {
		if len(v) != n {
			return fmt.Errorf("%w: %s %d is %d bytes, want %d", ErrOptions, name, i, len(v), n)
		}
	}
	return nil
}

func cloneAll(vs [][]byte) [][]byte {
	if vs == nil {
		return nil
	}
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = bytes.Clone(v)
	}
	return out
}

// Platform returns tee.SEVSNP.
func (v *Verifier) Platform() tee.Platform { return tee.SEVSNP }

// Verify implements tee.Verifier: req.Evidence.Report is the report and
// req.Evidence.Certificates its certificate table. See [Verifier.VerifyEvidence].
func (v *Verifier) Verify(req tee.Request) (*tee.Claims, error) {
	if req.Evidence.Platform != tee.SEVSNP {
		return nil, fmt.Errorf("%w: evidence for %q, verifier for %q", ErrPlatform, req.Evidence.Platform, tee.SEVSNP)
	}
	return v.VerifyEvidence(Evidence{Report: req.Evidence.Report, CertTable: req.Evidence.Certificates}, req.Now, req.ReportData)
}

// VerifyEvidence verifies an SEV-SNP report at time now and checks it
// against the verifier's options and the expected report data (64 bytes,
// usually tee.Bind of a purpose and payload). In order: form and limits;
// the signing key kind; the VCEK/VLEK chain to the trusted ARK of the
// report's product line, valid at now (through go-sev-guest's
// verify.SnpAttestation, offline, with the trusted roots — on a first
// sight of the certificate only; then from the cache); the report
// signature; product and stepping; CHIP_ID against the VCEK; TCB
// consistency and minimums; debug, migration agent, SMT; VMPL; GUEST_SVN;
// measurement; report data; host data; ID block. The checks are listed, in
// that order, in Claims.Checks.
//
// On failure the error is a *buildtrust.CheckError with one of the Check…
// IDs; errors.Is works with the sentinels and with threat.E10.
func (v *Verifier) VerifyEvidence(ev Evidence, now time.Time, reportData []byte) (*tee.Claims, error) {
	if now.IsZero() {
		return nil, ErrNoTime
	}
	if reportData == nil && !v.o.InsecureSkipReportData {
		return nil, ErrNoReportData
	}
	if reportData != nil && len(reportData) != abi.ReportDataSize {
		return nil, fmt.Errorf("%w: expected report data is %d bytes, want %d", ErrOptions, len(reportData), abi.ReportDataSize)
	}
	checks := make([]buildtrust.Check, 0, numChecks)
	pass := func(id, expected, actual string) {
		checks = append(checks, buildtrust.Check{ID: id, Threats: threatsOf(id), Outcome: buildtrust.Pass, Expected: expected, Actual: actual})
	}
	na := func(id, msg string) {
		checks = append(checks, buildtrust.Check{ID: id, Threats: threatsOf(id), Outcome: buildtrust.NotApplicable, Message: msg})
	}

	// Parse.
	r, err := ParseReport(ev.Report)
	if err != nil {
		return nil, checkErr(CheckParse, err, "report")
	}
	ek, err := endorsementCert(r.SigningKey, ev)
	if err != nil {
		return nil, err
	}
	pass(CheckParse, "", "report v"+strconv.FormatUint(uint64(r.Version), 10))

	if len(v.o.SigningKeys) > 0 && !slices.Contains(v.o.SigningKeys, r.SigningKey) {
		return nil, checkErr(CheckSigningKey, ErrChain, "report signed by a %s, accepted %v", r.SigningKey, v.o.SigningKeys)
	}
	pass(CheckSigningKey, "", string(r.SigningKey))

	// Chain and signature: from the cache when the certificate was verified
	// before and is still valid at now, else through go-sev-guest.
	reportLine, reportProduct := r.productFromCPUID()
	if r.Version >= abi.ReportVersion3 && reportLine == "" {
		return nil, checkErr(CheckProduct, ErrProduct, "report CPUID 0x%x names no known product", r.CPUID1EAX)
	}
	c, ok := v.cache.Get(cacheKey(r.SigningKey, reportLine, ek))
	if ok && !now.Before(c.notBefore) && !now.After(c.notAfter) {
		if !verifySignature(c.pub, r) {
			return nil, checkErr(CheckSignature, ErrSignature, "report signature does not verify under the %s", r.SigningKey)
		}
	} else {
		// A private copy, so that the key names exactly the bytes verified
		// even if the caller's buffer (perhaps the certificate table, which
		// endorsementCert does not copy) changes meanwhile.
		ek = bytes.Clone(ek)
		c, err = v.verifyChain(r, reportLine, ek, now)
		if err != nil {
			return nil, err
		}
		v.cache.Put(cacheKey(r.SigningKey, reportLine, ek), c)
	}
	pass(CheckChain, "", string(r.SigningKey)+" → "+c.line+" root")
	pass(CheckSignature, "", "ECDSA P-384")

	// Product.
	product := reportProduct
	if product == "" {
		product = c.certProductName
	}
	if want := v.o.Product; want == "" {
		na(CheckProduct, "no expected product")
	} else if strings.Contains(want, "-") && product != want || !strings.Contains(want, "-") && c.line != want {
		return nil, checkErr(CheckProduct, ErrProduct, "product %q (line %s), want %q", product, c.line, want)
	} else {
		pass(CheckProduct, want, product)
	}

	// Chip identity.
	switch {
	case r.SigningKey != tee.VCEK:
		na(CheckChipID, "VLEK certificates carry no HWID")
	case r.MaskChipKey:
		na(CheckChipID, "CHIP_ID masked by the host")
	case !bytes.Equal(c.hwid, r.ChipID[:]):
		return nil, checkErr(CheckChipID, ErrIdentity, "CHIP_ID %x is not the VCEK's HWID %x", r.ChipID[:8], c.hwid[:min(8, len(c.hwid))])
	default:
		pass(CheckChipID, "", hex.EncodeToString(r.ChipID[:8])+"…")
	}

	// TCB.
	reported := DecodeTCB(c.line, r.ReportedTCB)
	current := DecodeTCB(c.line, r.CurrentTCB)
	committed := DecodeTCB(c.line, r.CommittedTCB)
	launch := DecodeTCB(c.line, r.LaunchTCB)
	certTCB := c.tcb
	certTCB.FMC = reported.FMC // the KDS extensions of go-sev-guest v0.15.0 carry no FMC
	switch {
	case reported != certTCB:
		return nil, checkErr(CheckTCB, ErrTCB, "REPORTED_TCB %v differs from the %s certificate's TCB %v", reported, r.SigningKey, certTCB)
	case !current.atLeast(certTCB):
		return nil, checkErr(CheckTCB, ErrTCB, "CURRENT_TCB %v is below the certificate's TCB %v", current, certTCB)
	case !v.o.PermitProvisionalFirmware && committed != current:
		return nil, checkErr(CheckTCB, ErrTCB, "COMMITTED_TCB %v differs from CURRENT_TCB %v (provisional firmware)", committed, current)
	case v.o.PermitProvisionalFirmware && !current.atLeast(committed):
		return nil, checkErr(CheckTCB, ErrTCB, "COMMITTED_TCB %v above CURRENT_TCB %v", committed, current)
	case !reported.atLeast(v.o.MinimumTCB):
		return nil, checkErr(CheckTCB, ErrTCB, "REPORTED_TCB %v is below the minimum %v", reported, v.o.MinimumTCB)
	case r.CurrentBuild < v.o.MinimumBuild:
		return nil, checkErr(CheckTCB, ErrTCB, "firmware build %d is below the minimum %d", r.CurrentBuild, v.o.MinimumBuild)
	case uint16(r.CurrentMajor)<<8|uint16(r.CurrentMinor) < v.o.MinimumVersion:
		return nil, checkErr(CheckTCB, ErrTCB, "firmware API %d.%d is below the minimum %d.%d", r.CurrentMajor, r.CurrentMinor, v.o.MinimumVersion>>8, v.o.MinimumVersion&0xff)
	case !v.o.PermitProvisionalFirmware && (r.CommittedBuild != r.CurrentBuild || r.CommittedMajor != r.CurrentMajor || r.CommittedMinor != r.CurrentMinor):
		return nil, checkErr(CheckTCB, ErrTCB, "committed firmware %d.%d build %d differs from current %d.%d build %d", r.CommittedMajor, r.CommittedMinor, r.CommittedBuild, r.CurrentMajor, r.CurrentMinor, r.CurrentBuild)
	}
	pass(CheckTCB, "≥ "+v.o.MinimumTCB.String(), reported.String())
	if v.o.MinimumLaunchTCB == (TCBParts{}) {
		na(CheckLaunchTCB, "no minimum launch TCB")
	} else if !launch.atLeast(v.o.MinimumLaunchTCB) {
		return nil, checkErr(CheckLaunchTCB, ErrTCB, "LAUNCH_TCB %v is below the minimum %v", launch, v.o.MinimumLaunchTCB)
	} else {
		pass(CheckLaunchTCB, "≥ "+v.o.MinimumLaunchTCB.String(), launch.String())
	}

	// Guest policy.
	pol, err := abi.ParseSnpPolicy(r.Policy)
	if err != nil { // ParseReport checked it; kept for safety
		return nil, checkErr(CheckParse, ErrMalformed, "guest policy: %v", err)
	}
	if pol.Debug && !v.o.InsecureAllowDebug {
		return nil, checkErr(CheckDebug, ErrDebug, "guest policy 0x%x allows debugging", r.Policy)
	}
	pass(CheckDebug, "debug off", "debug="+strconv.FormatBool(pol.Debug))
	if pol.MigrateMA && !v.o.InsecureAllowMigrationAgent {
		return nil, checkErr(CheckPolicy, ErrPolicy, "guest policy 0x%x allows a migration agent", r.Policy)
	}
	if pol.SMT && v.o.RefuseSMT {
		return nil, checkErr(CheckPolicy, ErrPolicy, "guest policy 0x%x allows SMT", r.Policy)
	}
	pass(CheckPolicy, "", "policy=0x"+strconv.FormatUint(r.Policy, 16))
	wantVMPL := uint32(0)
	if v.o.VMPL != nil {
		wantVMPL = *v.o.VMPL
	}
	if r.VMPL != wantVMPL {
		return nil, checkErr(CheckVMPL, ErrPolicy, "VMPL %d, want %d", r.VMPL, wantVMPL)
	}
	pass(CheckVMPL, strconv.FormatUint(uint64(wantVMPL), 10), strconv.FormatUint(uint64(r.VMPL), 10))
	if r.GuestSVN < v.o.MinimumGuestSVN {
		return nil, checkErr(CheckGuestSVN, ErrTCB, "GUEST_SVN %d is below the minimum %d", r.GuestSVN, v.o.MinimumGuestSVN)
	}
	pass(CheckGuestSVN, "≥ "+strconv.FormatUint(uint64(v.o.MinimumGuestSVN), 10), strconv.FormatUint(uint64(r.GuestSVN), 10))

	// Measurement, binding, host data, ID block.
	if v.o.InsecureAnyMeasurement && len(v.o.Measurements) == 0 {
		na(CheckMeasurement, "InsecureAnyMeasurement")
	} else if !containsBytes(v.o.Measurements, r.Measurement[:]) {
		return nil, checkErr(CheckMeasurement, ErrMeasurement, "MEASUREMENT %x is not accepted", r.Measurement)
	} else {
		pass(CheckMeasurement, "one of "+strconv.Itoa(len(v.o.Measurements)), hex.EncodeToString(r.Measurement[:]))
	}
	if reportData == nil {
		na(CheckReportData, "InsecureSkipReportData")
	} else if subtle.ConstantTimeCompare(reportData, r.ReportData[:]) != 1 {
		return nil, checkErr(CheckReportData, ErrReportData, "REPORT_DATA %x…, want %x…", r.ReportData[:8], reportData[:8])
	} else {
		pass(CheckReportData, hex.EncodeToString(reportData), hex.EncodeToString(r.ReportData[:]))
	}
	if v.o.HostData == nil {
		na(CheckHostData, "no expected HOST_DATA")
	} else if !bytes.Equal(v.o.HostData, r.HostData[:]) {
		return nil, checkErr(CheckHostData, ErrHostData, "HOST_DATA %x, want %x", r.HostData, v.o.HostData)
	} else {
		pass(CheckHostData, hex.EncodeToString(v.o.HostData), hex.EncodeToString(r.HostData[:]))
	}
	if err := v.checkIDBlock(r); err != nil {
		return nil, err
	}
	if v.o.FamilyID == nil && v.o.ImageID == nil && len(v.o.IDKeyDigests) == 0 && len(v.o.AuthorKeyDigests) == 0 {
		na(CheckIDBlock, "no ID block expectations")
	} else {
		pass(CheckIDBlock, "", hex.EncodeToString(r.IDKeyDigest[:]))
	}

	var raw [8]byte
	binary.LittleEndian.PutUint64(raw[:], r.ReportedTCB)
	return &tee.Claims{
		Platform:       tee.SEVSNP,
		Version:        r.Version,
		Measurement:    bytes.Clone(r.Measurement[:]),
		ReportData:     r.ReportData,
		HostData:       bytes.Clone(r.HostData[:]),
		TCB:            tee.TCB{Raw: raw[:], Components: reported.svns(c.line)},
		Debug:          pol.Debug,
		Policy:         r.Policy,
		MigrationAgent: pol.MigrateMA,
		SMT:            pol.SMT,
		ChipID:         bytes.Clone(r.ChipID[:]),
		Product:        productOr(product, c.line),
		SigningKey:     r.SigningKey,
		Checks:         checks,
	}, nil
}

// numChecks is the number of checks VerifyEvidence lists.
const numChecks = 16

func productOr(p, line string) string {
	if p != "" {
		return p
	}
	return line
}

func (v *Verifier) checkIDBlock(r *Report) error {
	if v.o.FamilyID != nil && !bytes.Equal(v.o.FamilyID, r.FamilyID[:]) {
		return checkErr(CheckIDBlock, ErrIdentity, "FAMILY_ID %x, want %x", r.FamilyID, v.o.FamilyID)
	}
	if v.o.ImageID != nil && !bytes.Equal(v.o.ImageID, r.ImageID[:]) {
		return checkErr(CheckIDBlock, ErrIdentity, "IMAGE_ID %x, want %x", r.ImageID, v.o.ImageID)
	}
	if len(v.o.IDKeyDigests) > 0 && !containsBytes(v.o.IDKeyDigests, r.IDKeyDigest[:]) {
		return checkErr(CheckIDBlock, ErrIdentity, "ID_KEY_DIGEST %x is not accepted", r.IDKeyDigest)
	}
	if len(v.o.AuthorKeyDigests) > 0 {
		if !r.AuthorKeyEn {
			return checkErr(CheckIDBlock, ErrIdentity, "no author key (AUTHOR_KEY_EN clear)")
		}
		if !containsBytes(v.o.AuthorKeyDigests, r.AuthorKeyDigest[:]) {
			return checkErr(CheckIDBlock, ErrIdentity, "AUTHOR_KEY_DIGEST %x is not accepted", r.AuthorKeyDigest)
		}
	}
	return nil
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// endorsementCert picks the VCEK or VLEK certificate the report names.
func endorsementCert(kind tee.KeyKind, ev Evidence) ([]byte, error) {
	var fromTable []byte
	if ev.CertTable != nil {
		guid := guidVCEK
		if kind == tee.VLEK {
			guid = guidVLEK
		}
		var err error
		if fromTable, err = certTableEntry(ev.CertTable, guid); err != nil {
			return nil, checkErr(CheckParse, err, "certificate table")
		}
	}
	ek := ev.Certificate
	switch {
	case ek != nil && fromTable != nil && !bytes.Equal(ek, fromTable):
		return nil, checkErr(CheckParse, ErrMalformed, "the %s certificate differs from the certificate table's", kind)
	case ek == nil:
		ek = fromTable
	}
	if len(ek) == 0 {
		return nil, checkErr(CheckChain, ErrMissingCertificate, "no %s certificate in the evidence", kind)
	}
	if len(ek) > limits.MaxTEECertificateBytes {
		return nil, checkErr(CheckParse, ErrTooLarge, "%s certificate of %d bytes", kind, len(ek))
	}
	return ek, nil
}

func cacheKey(kind tee.KeyKind, line string, ek []byte) tee.CacheKey {
	h := sha256.New()
	h.Write([]byte("buildtrust/tee/sevsnp/chain/v1\x00"))
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(line))
	h.Write([]byte{0})
	h.Write(ek)
	var k tee.CacheKey
	h.Sum(k[:0])
	return k
}

// verifyChain is the cold path: go-sev-guest verifies the certificate
// against the trusted roots and the report signature; then the certificate
// is parsed once for the cache.
func (v *Verifier) verifyChain(r *Report, reportLine string, ekDER []byte, now time.Time) (*chip, error) {
	signer := abi.VcekReportSigner
	if r.SigningKey == tee.VLEK {
		signer = abi.VlekReportSigner
	}
	cert, err := x509.ParseCertificate(ekDER)
	if err != nil {
		return nil, checkErr(CheckChain, ErrChain, "%s certificate: %v", r.SigningKey, err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P384() {
		return nil, checkErr(CheckChain, ErrChain, "%s certificate key is not ECDSA P-384", r.SigningKey)
	}
	exts, err := kds.CertificateExtensions(cert, signer)
	if err != nil {
		return nil, checkErr(CheckChain, ErrChain, "%s certificate extensions: %v", r.SigningKey, err)
	}
	line := reportLine
	if line == "" { // version 2: the product comes from the certificate (P-SNP-4)
		p, err := kds.ParseProductName(exts.ProductName, signer)
		if err != nil {
			return nil, checkErr(CheckProduct, ErrProduct, "%s certificate product %q: %v", r.SigningKey, exts.ProductName, err)
		}
		line = kds.ProductLine(p)
	}
	roots := v.o.Roots.m[line]
	if len(roots) == 0 {
		return nil, checkErr(CheckChain, ErrChain, "no trusted root for product line %q", line)
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, checkErr(CheckChain, ErrExpired, "%s certificate valid %s to %s, verification time %s", r.SigningKey, cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	rootsNB, rootsNA := v.o.Roots.window(line)
	chain := &spb.CertificateChain{}
	if signer == abi.VlekReportSigner {
		chain.VlekCert = ekDER
	} else {
		chain.VcekCert = ekDER
	}
	// Fresh options and attestation per call (P-SNP-7); offline; explicit
	// roots (P-SNP-1, P-SNP-2); explicit time.
	err = verify.SnpAttestation(&spb.Attestation{Report: r.proto, CertificateChain: chain}, &verify.Options{
		DisableCertFetching: true,
		Now:                 now,
		TrustedRoots:        map[string][]*trust.AMDRootCerts{line: roots},
	})
	if err != nil {
		switch {
		case !verifySignature(pub, r):
			return nil, checkErr(CheckSignature, ErrSignature, "report signature does not verify under the %s", r.SigningKey)
		case now.Before(rootsNB) || now.After(rootsNA):
			return nil, checkErr(CheckChain, ErrExpired, "%s roots not valid at %s: %v", line, now.Format(time.RFC3339), err)
		default:
			return nil, checkErr(CheckChain, ErrChain, "%v", err)
		}
	}
	c := &chip{
		pub: pub, kind: r.SigningKey, line: line, certProductName: exts.ProductName,
		tcb:  certTCBParts(kds.DecomposeTCBVersion(exts.TCBVersion)),
		hwid: bytes.Clone(exts.HWID),
		// The chain is valid where every certificate on it is.
		notBefore: latest(cert.NotBefore, rootsNB),
		notAfter:  earliest(cert.NotAfter, rootsNA),
	}
	return c, nil
}

// certTCBParts maps the KDS certificate extensions (blSPL, teeSPL, snpSPL,
// ucodeSPL) to TCBParts; they name components, not byte positions, so this
// holds for every product line.
func certTCBParts(p kds.TCBParts) TCBParts {
	return TCBParts{Bootloader: p.BlSpl, TEE: p.TeeSpl, SNP: p.SnpSpl, Microcode: p.UcodeSpl}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// verifySignature checks the report's ECDSA P-384/SHA-384 signature: R and
// S are 72-byte little-endian fields at 0x2A0 and 0x2E8 (SEV-SNP ABI,
// Table 139), over bytes [0, 0x2A0).
func verifySignature(pub *ecdsa.PublicKey, r *Report) bool {
	sig := r.raw[0x2A0 : 0x2A0+2*0x48]
	d := sha512.Sum384(r.signed())
	var rBE, sBE [0x48]byte // the report stores R and S little-endian
	for i := range 0x48 {
		rBE[0x47-i], sBE[0x47-i] = sig[i], sig[0x48+i]
	}
	return ecdsasig.Verify(pub, d[:], rBE[:], sBE[:])
}
