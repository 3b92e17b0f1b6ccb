package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// TCB statuses of Intel's TCB info and QE identity (Intel PCS API v4).
const (
	StatusUpToDate                          = "UpToDate"
	StatusSWHardeningNeeded                 = "SWHardeningNeeded"
	StatusConfigurationNeeded               = "ConfigurationNeeded"
	StatusConfigurationAndSWHardeningNeeded = "ConfigurationAndSWHardeningNeeded"
	StatusOutOfDate                         = "OutOfDate"
	StatusOutOfDateConfigurationNeeded      = "OutOfDateConfigurationNeeded"
	// StatusRevoked is never accepted.
	StatusRevoked = "Revoked"
)

// knownStatuses are the statuses an accepted set may name.
var knownStatuses = []string{StatusUpToDate, StatusSWHardeningNeeded, StatusConfigurationNeeded, StatusConfigurationAndSWHardeningNeeded, StatusOutOfDate, StatusOutOfDateConfigurationNeeded}

// Subject common name of the certificate that signs TCB info and QE
// identity (Intel PCS).
const cnTCBSigning = "Intel SGX TCB Signing"

// maxIssuerChainCerts bounds the PEM certificates of one issuer chain
// (Intel's: TCB signing certificate and root).
const maxIssuerChainCerts = 3

// CollateralBundle is the offline collateral of one TDX platform (one
// FMSPC), as Intel PCS (or a PCCS caching it) serves it, in one JSON
// document: the JSON form read by [ParseCollateral] and written by
// [CollateralBundle.Marshal]. The caller fetches and stores it; this
// package never goes online.
type CollateralBundle struct {
	// TCBInfo is the body of the PCS TDX TCB info response
	// (GET /tdx/certification/v4/tcb?fmspc=…), byte for byte:
	// {"tcbInfo":{…},"signature":"<hex r‖s>"}. It is a JSON string here
	// so that re-formatting the bundle cannot break Intel's signature,
	// which covers the exact bytes of the inner tcbInfo object.
	TCBInfo string `json:"tcbInfo"`
	// TCBInfoIssuerChain is the response's Tcb-Info-Issuer-Chain header:
	// PEM certificates, the TCB signing certificate first (URL-escaped as
	// served, or plain PEM).
	TCBInfoIssuerChain string `json:"tcbInfoIssuerChain"`
	// QEIdentity is the body of the PCS TDX QE identity response
	// (GET /tdx/certification/v4/qe/identity), byte for byte:
	// {"enclaveIdentity":{…},"signature":"<hex r‖s>"}.
	QEIdentity string `json:"qeIdentity"`
	// QEIdentityIssuerChain is the response's
	// Sgx-Enclave-Identity-Issuer-Chain header, as TCBInfoIssuerChain.
	QEIdentityIssuerChain string `json:"qeIdentityIssuerChain"`
	// PCKCRL is the CRL of the PCK's issuing CA (GET
	// /sgx/certification/v4/pckcrl?ca=platform|processor&encoding=der), DER
	// or PEM; base64 in JSON.
	PCKCRL []byte `json:"pckCrl"`
	// RootCRL is the Intel SGX Root CA's CRL (the root's CRL distribution
	// point, IntelSGXRootCA.der), DER or PEM; base64 in JSON.
	RootCRL []byte `json:"rootCrl"`
}

// Marshal returns the bundle's JSON form.
func (b CollateralBundle) Marshal() ([]byte, error) { return json.Marshal(b) }

// HexBytes is a byte string written in hexadecimal (either case) in
// Intel's collateral JSON.
type HexBytes []byte

// UnmarshalJSON decodes a JSON hex string.
func (h *HexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// MarshalJSON encodes upper-case hex, as Intel PCS does.
func (h HexBytes) MarshalJSON() ([]byte, error) {
	return json.Marshal(strings.ToUpper(hex.EncodeToString(h)))
}

// TCBInfo is Intel's TDX TCB info (version 3) for one FMSPC.
type TCBInfo struct {
	ID                      string              `json:"id"`
	Version                 int                 `json:"version"`
	IssueDate               time.Time           `json:"issueDate"`
	NextUpdate              time.Time           `json:"nextUpdate"`
	FMSPC                   string              `json:"fmspc"`
	PCEID                   string              `json:"pceId"`
	TCBType                 int                 `json:"tcbType"`
	TCBEvaluationDataNumber int                 `json:"tcbEvaluationDataNumber"`
	TDXModule               *TDXModule          `json:"tdxModule"`
	TDXModuleIdentities     []TDXModuleIdentity `json:"tdxModuleIdentities,omitempty"`
	TCBLevels               []TCBLevel          `json:"tcbLevels"`
}

// TDXModule is the expected signer and attributes of the TDX module
// (compared with MRSIGNERSEAM and SEAM_ATTRIBUTES).
type TDXModule struct {
	MRSIGNER       HexBytes `json:"mrsigner"`
	Attributes     HexBytes `json:"attributes"`
	AttributesMask HexBytes `json:"attributesMask"`
}

// TDXModuleIdentity is a TDX module identity ("TDX_01", …) with its own
// TCB levels, used when TEE_TCB_SVN[1] (the module's major version) is
// not zero.
type TDXModuleIdentity struct {
	ID             string     `json:"id"`
	MRSIGNER       HexBytes   `json:"mrsigner"`
	Attributes     HexBytes   `json:"attributes"`
	AttributesMask HexBytes   `json:"attributesMask"`
	TCBLevels      []TCBLevel `json:"tcbLevels"`
}

// TCBLevel is one TCB level of a TCB info, QE identity or module identity.
type TCBLevel struct {
	TCB         TCBLevelSVNs `json:"tcb"`
	TCBDate     string       `json:"tcbDate"`
	TCBStatus   string       `json:"tcbStatus"`
	AdvisoryIDs []string     `json:"advisoryIDs,omitempty"`
}

// TCBLevelSVNs are a level's SVNs: the SGX and TDX components and PCE SVN
// (TCB info) or the ISV SVN (QE and module identities).
type TCBLevelSVNs struct {
	SGXTCBComponents []TCBComponent `json:"sgxtcbcomponents,omitempty"`
	PCESVN           uint16         `json:"pcesvn,omitempty"`
	TDXTCBComponents []TCBComponent `json:"tdxtcbcomponents,omitempty"`
	ISVSVN           uint16         `json:"isvsvn,omitempty"`
}

// TCBComponent is one SVN component of a TCB level.
type TCBComponent struct {
	SVN      uint8  `json:"svn"`
	Category string `json:"category,omitempty"`
	Type     string `json:"type,omitempty"`
}

// EnclaveIdentity is Intel's TDX QE identity (id "TD_QE", version 2).
type EnclaveIdentity struct {
	ID                      string     `json:"id"`
	Version                 int        `json:"version"`
	IssueDate               time.Time  `json:"issueDate"`
	NextUpdate              time.Time  `json:"nextUpdate"`
	TCBEvaluationDataNumber int        `json:"tcbEvaluationDataNumber"`
	MiscSelect              HexBytes   `json:"miscselect"`
	MiscSelectMask          HexBytes   `json:"miscselectMask"`
	Attributes              HexBytes   `json:"attributes"`
	AttributesMask          HexBytes   `json:"attributesMask"`
	MRSIGNER                HexBytes   `json:"mrsigner"`
	ISVProdID               uint16     `json:"isvprodid"`
	TCBLevels               []TCBLevel `json:"tcbLevels"`
}

// Collateral is a parsed collateral bundle: well formed, nothing verified.
// Only a [Verifier] checks signatures, validity and revocation.
type Collateral struct {
	// TCBInfo and QEIdentity are the decoded signed objects.
	TCBInfo    TCBInfo
	QEIdentity EnclaveIdentity
	// PCKCRL and RootCRL are the parsed CRLs.
	PCKCRL, RootCRL *x509.RevocationList

	tcbInfoRaw, tcbInfoSig []byte
	qeIDRaw, qeIDSig       []byte
	tcbSigner, qeSigner    *x509.Certificate
}

// ParseCollateral parses a collateral bundle (the JSON of
// [CollateralBundle], at most limits.MaxTDXCollateralBytes) strictly:
// no duplicate or unknown keys, every part present, TCB info id "TDX"
// version 3 with 16 SGX and 16 TDX components per level, QE identity id
// "TD_QE" version 2, field sizes as Intel specifies, at most
// limits.MaxTDXTCBLevels levels, 64-byte signatures, issuer chains of PEM
// certificates and CRLs in DER or PEM. Nothing is verified. Errors wrap
// ErrTooLarge or ErrMalformed.
func ParseCollateral(data []byte) (*Collateral, error) {
	if len(data) > limits.MaxTDXCollateralBytes {
		return nil, fmt.Errorf("%w: collateral of %d bytes", ErrTooLarge, len(data))
	}
	var b CollateralBundle
	if err := strictjson.Unmarshal(data, &b, strictjson.Options{MaxBytes: limits.MaxTDXCollateralBytes, DisallowUnknownFields: true}); err != nil {
		return nil, fmt.Errorf("%w: collateral bundle: %v", ErrMalformed, err)
	}
	c := &Collateral{}
	var err error
	if c.tcbInfoRaw, c.tcbInfoSig, err = signedBody([]byte(b.TCBInfo), "tcbInfo"); err != nil {
		return nil, err
	}
	if err := decodeStrict(c.tcbInfoRaw, &c.TCBInfo, "tcbInfo"); err != nil {
		return nil, err
	}
	if err := checkTCBInfoForm(&c.TCBInfo); err != nil {
		return nil, err
	}
	if c.qeIDRaw, c.qeIDSig, err = signedBody([]byte(b.QEIdentity), "enclaveIdentity"); err != nil {
		return nil, err
	}
	if err := decodeStrict(c.qeIDRaw, &c.QEIdentity, "enclaveIdentity"); err != nil {
		return nil, err
	}
	if err := checkQEIdentityForm(&c.QEIdentity); err != nil {
		return nil, err
	}
	if c.tcbSigner, err = issuerChain(b.TCBInfoIssuerChain, "TCB info"); err != nil {
		return nil, err
	}
	if c.qeSigner, err = issuerChain(b.QEIdentityIssuerChain, "QE identity"); err != nil {
		return nil, err
	}
	if c.PCKCRL, err = parseCRL(b.PCKCRL, "PCK"); err != nil {
		return nil, err
	}
	if c.RootCRL, err = parseCRL(b.RootCRL, "root"); err != nil {
		return nil, err
	}
	return c, nil
}

// signedBody splits a PCS response body {"<name>":{…},"signature":"hex"}
// into the exact bytes of the signed object and the raw r ‖ s signature.
func signedBody(body []byte, name string) (raw, sig []byte, err error) {
	if len(body) == 0 {
		return nil, nil, fmt.Errorf("%w: collateral: no %s", ErrMalformed, name)
	}
	r, err := strictjson.NewReader(body, strictjson.Options{MaxBytes: limits.MaxTDXCollateralBytes, DisallowUnknownFields: true})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s response: %v", ErrMalformed, name, err)
	}
	var sigHex string
	err = r.Object([]string{name, "signature"}, func(key string) error {
		var err error
		if key == name {
			raw, err = r.Raw()
		} else {
			sigHex, err = r.String()
		}
		return err
	})
	if err == nil {
		err = r.Close()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s response: %v", ErrMalformed, name, err)
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, nil, fmt.Errorf("%w: %s response: no %s object", ErrMalformed, name, name)
	}
	if sig, err = hex.DecodeString(sigHex); err != nil || len(sig) != 64 {
		return nil, nil, fmt.Errorf("%w: %s response: signature is not 64 bytes of hex", ErrMalformed, name)
	}
	return raw, sig, nil
}

func decodeStrict(raw []byte, v any, name string) error {
	if err := strictjson.Unmarshal(raw, v, strictjson.Options{MaxBytes: limits.MaxTDXCollateralBytes, DisallowUnknownFields: true}); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	return nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: collateral: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func hexLen(s string, n int) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == n
}

func checkLevels(levels []TCBLevel, what string, tdx bool) error {
	if len(levels) == 0 || len(levels) > limits.MaxTDXTCBLevels {
		return malformed("%s has %d TCB levels (1 to %d)", what, len(levels), limits.MaxTDXTCBLevels)
	}
	for i, l := range levels {
		if l.TCBStatus == "" {
			return malformed("%s level %d has no status", what, i)
		}
		if len(l.AdvisoryIDs) > limits.MaxTDXTCBLevels {
			return malformed("%s level %d lists %d advisories", what, i, len(l.AdvisoryIDs))
		}
		if tdx && (len(l.TCB.SGXTCBComponents) != 16 || len(l.TCB.TDXTCBComponents) != 16) {
			return malformed("%s level %d has %d SGX and %d TDX components, want 16 each", what, i, len(l.TCB.SGXTCBComponents), len(l.TCB.TDXTCBComponents))
		}
	}
	return nil
}

func checkTCBInfoForm(t *TCBInfo) error {
	switch {
	case t.ID != "TDX" || t.Version != 3:
		return malformed("TCB info id %q version %d, want TDX version 3", t.ID, t.Version)
	case t.IssueDate.IsZero() || t.NextUpdate.IsZero():
		return malformed("TCB info without issueDate or nextUpdate")
	case !hexLen(t.FMSPC, 6) || !hexLen(t.PCEID, 2):
		return malformed("TCB info fmspc %q or pceId %q malformed", t.FMSPC, t.PCEID)
	case t.TCBType != 0:
		return malformed("TCB info tcbType %d, want 0", t.TCBType)
	case t.TDXModule == nil || len(t.TDXModule.MRSIGNER) != 48 || len(t.TDXModule.Attributes) != 8 || len(t.TDXModule.AttributesMask) != 8:
		return malformed("TCB info tdxModule missing or of wrong sizes")
	case len(t.TDXModuleIdentities) > limits.MaxTDXTCBLevels:
		return malformed("TCB info has %d module identities", len(t.TDXModuleIdentities))
	}
	for i, m := range t.TDXModuleIdentities {
		if len(m.MRSIGNER) != 48 || len(m.Attributes) != 8 || len(m.AttributesMask) != 8 {
			return malformed("TDX module identity %d of wrong sizes", i)
		}
		if err := checkLevels(m.TCBLevels, "TDX module identity "+strconv.Quote(m.ID), false); err != nil {
			return err
		}
	}
	return checkLevels(t.TCBLevels, "TCB info", true)
}

func checkQEIdentityForm(e *EnclaveIdentity) error {
	switch {
	case e.ID != "TD_QE" || e.Version != 2:
		return malformed("QE identity id %q version %d, want TD_QE version 2", e.ID, e.Version)
	case e.IssueDate.IsZero() || e.NextUpdate.IsZero():
		return malformed("QE identity without issueDate or nextUpdate")
	case len(e.MiscSelect) != 4 || len(e.MiscSelectMask) != 4 || len(e.Attributes) != 16 || len(e.AttributesMask) != 16 || len(e.MRSIGNER) != 32:
		return malformed("QE identity fields of wrong sizes")
	}
	return checkLevels(e.TCBLevels, "QE identity", false)
}

// issuerChain parses an issuer chain (URL-escaped or plain PEM, 1 to 3
// certificates) and returns its first certificate, the signer. The other
// certificates are ignored: trust comes from the verifier's roots.
func issuerChain(s, what string) (*x509.Certificate, error) {
	if !strings.Contains(s, "\n") { // PEM has line breaks, URL-escaped PEM none
		u, err := url.QueryUnescape(s)
		if err != nil {
			return nil, malformed("%s issuer chain: %v", what, err)
		}
		s = u
	}
	rest := []byte(s)
	var first *x509.Certificate
	for n := 0; len(bytes.TrimSpace(rest)) > 0; n++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" || n == maxIssuerChainCerts {
			return nil, malformed("%s issuer chain: want 1 to %d PEM certificates", what, maxIssuerChainCerts)
		}
		if n > 0 {
			continue
		}
		if len(b.Bytes) > limits.MaxTEECertificateBytes {
			return nil, fmt.Errorf("%w: %s signing certificate of %d bytes", ErrTooLarge, what, len(b.Bytes))
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, malformed("%s signing certificate: %v", what, err)
		}
		first = c
	}
	if first == nil {
		return nil, malformed("no %s issuer chain", what)
	}
	return first, nil
}

func parseCRL(b []byte, what string) (*x509.RevocationList, error) {
	if len(b) == 0 {
		return nil, malformed("no %s CRL", what)
	}
	if p, _ := pem.Decode(b); p != nil {
		if p.Type != "X509 CRL" {
			return nil, malformed("%s CRL PEM block %q", what, p.Type)
		}
		b = p.Bytes
	}
	c, err := x509.ParseRevocationList(b)
	if err != nil {
		return nil, malformed("%s CRL: %v", what, err)
	}
	return c, nil
}

// tcbVerdict is what verified collateral says about a platform.
type tcbVerdict struct {
	status, date string
	advisories   []string
}

// verifySigned checks a TCB info or QE identity signature: the signer is
// an "Intel SGX TCB Signing" ECDSA P-256 certificate issued by a trusted
// root, valid at now, and signs raw (ECDSA P-256, SHA-256).
func (v *Verifier) verifySigned(check string, signer *x509.Certificate, raw, sig []byte, now time.Time, what string, w *window) error {
	k, ok := signer.PublicKey.(*ecdsa.PublicKey)
	if signer.Subject.CommonName != cnTCBSigning || !ok || k.Curve != elliptic.P256() || signer.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		return checkErr(check, ErrChain, "%s signer %q is not an %q ECDSA P-256/SHA-256 certificate", what, signer.Subject.CommonName, cnTCBSigning)
	}
	if !validAt(signer, now) {
		return checkErr(check, ErrExpired, "%s signing certificate valid %s to %s, verification time %s", what, signer.NotBefore.Format(time.RFC3339), signer.NotAfter.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	chains, err := signer.Verify(x509.VerifyOptions{Roots: v.o.Roots.pool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return checkErr(check, ErrChain, "%s signing certificate: %v", what, err)
	}
	if !verifyP256(k, raw, sig) {
		return checkErr(check, ErrSignature, "%s signature does not verify under %q", what, cnTCBSigning)
	}
	for _, c := range chains[0] {
		w.narrow(c.NotBefore, c.NotAfter)
	}
	return nil
}

// window is the time range in which verified collateral stays valid: the
// intersection of every certificate, signed object and CRL it rests on.
type window struct{ notBefore, notAfter time.Time }

func (w *window) narrow(from, to time.Time) {
	if w.notBefore.IsZero() || from.After(w.notBefore) {
		w.notBefore = from
	}
	if w.notAfter.IsZero() || to.Before(w.notAfter) {
		w.notAfter = to
	}
}

func (w *window) contains(now time.Time) bool {
	return !now.Before(w.notBefore) && !now.After(w.notAfter)
}

// verifiedCollateral is a collateral bundle whose signatures, issuer
// chains and CRL signatures were verified for one PCK chain, valid in w.
type verifiedCollateral struct {
	c *Collateral
	w window
}

func windowErr(check, what string, from, to, now time.Time) error {
	if now.Before(from) || now.After(to) {
		return checkErr(check, ErrExpired, "%s valid %s to %s, verification time %s", what, from.Format(time.RFC3339), to.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return nil
}

func (v *Verifier) accepted(status string) bool {
	return status != StatusRevoked && slices.Contains(v.o.AcceptedTCBStatuses, status)
}

// verifyCRL checks a CRL's issuer, signature and validity at now.
func verifyCRL(crl *x509.RevocationList, issuer *x509.Certificate, now time.Time, what string, w *window) error {
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return checkErr(CheckCollateralCRL, ErrSignature, "%s CRL issuer is not %q", what, issuer.Subject.CommonName)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return checkErr(CheckCollateralCRL, ErrSignature, "%s CRL signature: %v", what, err)
	}
	if crl.NextUpdate.IsZero() {
		return checkErr(CheckCollateralCRL, ErrMalformed, "%s CRL has no nextUpdate", what)
	}
	if err := windowErr(CheckCollateralCRL, what+" CRL", crl.ThisUpdate, crl.NextUpdate, now); err != nil {
		return err
	}
	w.narrow(crl.ThisUpdate, crl.NextUpdate)
	return nil
}

// revoked fails if crl lists one of the serials.
func revoked(crl *x509.RevocationList, what string, serials map[string]*big.Int) error {
	for _, e := range crl.RevokedCertificateEntries {
		for name, s := range serials {
			if e.SerialNumber != nil && e.SerialNumber.Cmp(s) == 0 {
				return checkErr(CheckCollateralCRL, ErrRevoked, "%s (serial %x) revoked at %s by the %s CRL", name, s, e.RevocationTime.Format(time.RFC3339), what)
			}
		}
	}
	return nil
}

// verifyCollateral verifies, at now, what in parsed collateral does not
// depend on the quote beyond its PCK chain p: the TCB info and QE identity
// signatures, their signing certificates' chains to a trusted root and
// every validity window, the root CRL's signature by p's root and the PCK
// CRL's by p's CA. The result is cached with the intersection of those
// windows. [Verifier.evaluate] then checks the quote against it.
func (v *Verifier) verifyCollateral(c *Collateral, p *platform, now time.Time) (*verifiedCollateral, error) {
	vc := &verifiedCollateral{c: c}
	ti, qe := &c.TCBInfo, &c.QEIdentity
	if err := v.verifySigned(CheckCollateralTCBInfo, c.tcbSigner, c.tcbInfoRaw, c.tcbInfoSig, now, "TCB info", &vc.w); err != nil {
		return nil, err
	}
	if err := windowErr(CheckCollateralTCBInfo, "TCB info", ti.IssueDate, ti.NextUpdate, now); err != nil {
		return nil, err
	}
	vc.w.narrow(ti.IssueDate, ti.NextUpdate)
	if err := v.verifySigned(CheckCollateralQEIdentity, c.qeSigner, c.qeIDRaw, c.qeIDSig, now, "QE identity", &vc.w); err != nil {
		return nil, err
	}
	if err := windowErr(CheckCollateralQEIdentity, "QE identity", qe.IssueDate, qe.NextUpdate, now); err != nil {
		return nil, err
	}
	vc.w.narrow(qe.IssueDate, qe.NextUpdate)
	if err := verifyCRL(c.RootCRL, p.root, now, "root", &vc.w); err != nil {
		return nil, err
	}
	if err := verifyCRL(c.PCKCRL, p.inter, now, "PCK CA", &vc.w); err != nil {
		return nil, err
	}
	return vc, nil
}

// evaluate checks a quote against collateral that [Verifier.verifyCollateral]
// verified for its PCK chain, appending a passed check per step, and
// returns the TCB verdict.
func (v *Verifier) evaluate(c *Collateral, q *Quote, p *platform, pass func(id, expected, actual string)) (*tcbVerdict, error) {
	ti := &c.TCBInfo
	if !strings.EqualFold(ti.FMSPC, p.fmspc) || !strings.EqualFold(ti.PCEID, p.pceid) {
		return nil, checkErr(CheckCollateralTCBInfo, ErrProduct, "TCB info for FMSPC %s PCE-ID %s, PCK has FMSPC %s PCE-ID %s", ti.FMSPC, ti.PCEID, p.fmspc, p.pceid)
	}
	pass(CheckCollateralTCBInfo, "signed by "+cnTCBSigning+", valid, FMSPC "+p.fmspc, fmt.Sprintf("issued %s, next update %s, evaluation data number %d", ti.IssueDate.Format(time.RFC3339), ti.NextUpdate.Format(time.RFC3339), ti.TCBEvaluationDataNumber))

	// QE identity.
	qe := &c.QEIdentity
	rep := q.QEReport[:]
	mrsigner, prodID, isvsvn := rep[0x80:0xa0], uint16(rep[0x100])|uint16(rep[0x101])<<8, uint16(rep[0x102])|uint16(rep[0x103])<<8
	if !bytes.Equal(mrsigner, qe.MRSIGNER) {
		return nil, checkErr(CheckCollateralQEIdentity, ErrIdentity, "QE MRSIGNER %x, QE identity %x", mrsigner, []byte(qe.MRSIGNER))
	}
	if prodID != qe.ISVProdID {
		return nil, checkErr(CheckCollateralQEIdentity, ErrIdentity, "QE ISVPRODID %d, QE identity %d", prodID, qe.ISVProdID)
	}
	if !maskedEqual(rep[0x10:0x14], qe.MiscSelectMask, qe.MiscSelect) || !maskedEqual(rep[0x30:0x40], qe.AttributesMask, qe.Attributes) {
		return nil, checkErr(CheckCollateralQEIdentity, ErrIdentity, "QE MISCSELECT %x / ATTRIBUTES %x do not match the QE identity under its masks", rep[0x10:0x14], rep[0x30:0x40])
	}
	qeLevel := isvLevel(qe.TCBLevels, isvsvn)
	if qeLevel == nil {
		return nil, checkErr(CheckCollateralQEIdentity, ErrTCB, "QE ISVSVN %d is below every QE identity TCB level", isvsvn)
	}
	if !v.accepted(qeLevel.TCBStatus) {
		return nil, checkErr(CheckCollateralQEIdentity, ErrTCB, "QE ISVSVN %d has status %q, accepted %v", isvsvn, qeLevel.TCBStatus, v.o.AcceptedTCBStatuses)
	}
	pass(CheckCollateralQEIdentity, fmt.Sprintf("MRSIGNER %x, ISVPRODID %d", []byte(qe.MRSIGNER), qe.ISVProdID), fmt.Sprintf("QE ISVSVN %d: %s", isvsvn, qeLevel.TCBStatus))

	// CRLs: the root's revokes the PCK CA and the TCB signing
	// certificates, the PCK CA's the PCK.
	rootSerials := map[string]*big.Int{p.inter.Subject.CommonName: p.inter.SerialNumber}
	for _, s := range []*x509.Certificate{c.tcbSigner, c.qeSigner} {
		if bytes.Equal(s.RawIssuer, p.root.RawSubject) {
			rootSerials[s.Subject.CommonName+" "+s.SerialNumber.Text(16)] = s.SerialNumber
		}
	}
	if err := revoked(c.RootCRL, "root", rootSerials); err != nil {
		return nil, err
	}
	if err := revoked(c.PCKCRL, "PCK CA", map[string]*big.Int{cnPCK: p.leafSerial}); err != nil {
		return nil, err
	}
	pass(CheckCollateralCRL, "PCK, PCK CA and TCB signing certificates not revoked", fmt.Sprintf("PCK CRL %d entries, root CRL %d entries", len(c.PCKCRL.RevokedCertificateEntries), len(c.RootCRL.RevokedCertificateEntries)))

	// TDX module: MRSIGNERSEAM and SEAM_ATTRIBUTES, from the module
	// identity of TEE_TCB_SVN[1] when that is not zero.
	var seamAttr [8]byte
	for i := range seamAttr {
		seamAttr[i] = byte(q.SEAMAttributes >> (8 * i))
	}
	var modLevel *TCBLevel
	mod := *ti.TDXModule
	modName := "tdxModule"
	if q.TEETCBSVN[1] > 0 {
		id := fmt.Sprintf("TDX_%02X", q.TEETCBSVN[1])
		var found *TDXModuleIdentity
		for i := range ti.TDXModuleIdentities {
			if strings.EqualFold(ti.TDXModuleIdentities[i].ID, id) {
				found = &ti.TDXModuleIdentities[i]
				break
			}
		}
		if found == nil {
			return nil, checkErr(CheckCollateralModule, ErrTCB, "TEE_TCB_SVN[1] = %d but the TCB info has no module identity %s", q.TEETCBSVN[1], id)
		}
		mod = TDXModule{MRSIGNER: found.MRSIGNER, Attributes: found.Attributes, AttributesMask: found.AttributesMask}
		modName = id
		if modLevel = isvLevel(found.TCBLevels, uint16(q.TEETCBSVN[0])); modLevel == nil {
			return nil, checkErr(CheckCollateralModule, ErrTCB, "TEE_TCB_SVN[0] = %d is below every level of %s", q.TEETCBSVN[0], id)
		}
		if !v.accepted(modLevel.TCBStatus) {
			return nil, checkErr(CheckCollateralModule, ErrTCB, "%s level for TEE_TCB_SVN[0] = %d has status %q, accepted %v", id, q.TEETCBSVN[0], modLevel.TCBStatus, v.o.AcceptedTCBStatuses)
		}
	}
	if !bytes.Equal(q.MRSIGNERSEAM[:], mod.MRSIGNER) {
		return nil, checkErr(CheckCollateralModule, ErrIdentity, "MRSIGNERSEAM %x, %s MRSIGNER %x", q.MRSIGNERSEAM, modName, []byte(mod.MRSIGNER))
	}
	if !maskedEqual(seamAttr[:], mod.AttributesMask, mod.Attributes) {
		return nil, checkErr(CheckCollateralModule, ErrPolicy, "SEAM_ATTRIBUTES %x do not match %s attributes %x under mask %x", seamAttr, modName, []byte(mod.Attributes), []byte(mod.AttributesMask))
	}
	pass(CheckCollateralModule, modName, fmt.Sprintf("MRSIGNERSEAM %x", q.MRSIGNERSEAM[:8]))

	// The platform's TCB level: the first whose SGX components and PCE SVN
	// the PCK's TCB and whose TDX components TEE_TCB_SVN reach (from index
	// 2 when a module identity judged indices 0 and 1).
	first := 0
	if q.TEETCBSVN[1] > 0 {
		first = 2
	}
	var level *TCBLevel
	for i := range ti.TCBLevels {
		l := &ti.TCBLevels[i]
		if l.TCB.PCESVN > p.pcesvn {
			continue
		}
		ok := true
		for j := range 16 {
			if l.TCB.SGXTCBComponents[j].SVN > p.cpusvn[j] || (j >= first && l.TCB.TDXTCBComponents[j].SVN > q.TEETCBSVN[j]) {
				ok = false
				break
			}
		}
		if ok {
			level = l
			break
		}
	}
	if level == nil {
		return nil, checkErr(CheckTCB, ErrTCB, "no matching TCB level: PCK CPUSVN %x PCESVN %d, TEE_TCB_SVN %x are below every level of the TCB info for FMSPC %s", p.cpusvn, p.pcesvn, q.TEETCBSVN, p.fmspc)
	}
	if level.TCB.TDXTCBComponents[1].SVN != q.TEETCBSVN[1] {
		return nil, checkErr(CheckTCB, ErrTCB, "matching TCB level has TDX component 1 = %d, TEE_TCB_SVN[1] = %d: TCB info not for this platform configuration", level.TCB.TDXTCBComponents[1].SVN, q.TEETCBSVN[1])
	}
	if !v.accepted(level.TCBStatus) {
		return nil, checkErr(CheckTCB, ErrTCB, "TCB status %q (TCB date %s, advisories %v), accepted %v", level.TCBStatus, level.TCBDate, level.AdvisoryIDs, v.o.AcceptedTCBStatuses)
	}
	var adv []string
	for _, l := range []*TCBLevel{level, qeLevel, modLevel} {
		if l == nil {
			continue
		}
		for _, a := range l.AdvisoryIDs {
			if !slices.Contains(adv, a) {
				adv = append(adv, a)
			}
		}
	}
	return &tcbVerdict{status: level.TCBStatus, date: level.TCBDate, advisories: adv}, nil
}

// maskedEqual reports whether got & mask == want (equal lengths).
func maskedEqual(got, mask, want []byte) bool {
	if len(got) != len(mask) || len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i]&mask[i] != want[i] {
			return false
		}
	}
	return true
}

// isvLevel returns the level with the highest ISVSVN not above svn, or nil.
func isvLevel(levels []TCBLevel, svn uint16) *TCBLevel {
	var best *TCBLevel
	for i := range levels {
		l := &levels[i]
		if l.TCB.ISVSVN <= svn && (best == nil || l.TCB.ISVSVN > best.TCB.ISVSVN) {
			best = l
		}
	}
	return best
}
