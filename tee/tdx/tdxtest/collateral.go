package tdxtest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/buildtrust/buildtrust/tee/tdx"
)

// Level is one TCB level of the TCB info: the SGX components and PCE SVN
// the PCK's TCB must reach, the TDX components TEE_TCB_SVN must reach.
type Level struct {
	SGX        [16]byte
	PCESVN     uint16
	TDX        [16]byte
	Status     string // zero: tdx.StatusUpToDate
	Date       string // zero: "2023-02-15T00:00:00Z"
	Advisories []string
}

// QELevel is one TCB level of the QE identity.
type QELevel struct {
	ISVSVN uint16
	Status string // zero: tdx.StatusUpToDate
}

// ModuleIdentity is a TDX module identity ("TDX_01", …) of the TCB info,
// for quotes whose TEE_TCB_SVN[1] is not zero. Its MRSIGNER is
// Collateral.MRSIGNERSEAM and its attributes 0 under an all-ones mask.
type ModuleIdentity struct {
	ID     string    // e.g. "TDX_01"
	Levels []QELevel // ISVSVN compared with TEE_TCB_SVN[0]
}

// Collateral configures [Signer.Collateral]. Every zero value gives
// collateral under which the default quote ([Signer.Quote]) passes at
// DefaultTime plus a day.
type Collateral struct {
	// IssueDate and NextUpdate bound TCB info, QE identity and both CRLs
	// (thisUpdate, nextUpdate). Zero: the chain's creation time and 30
	// days later.
	IssueDate, NextUpdate time.Time
	// FMSPC of the TCB info. Zero: the chain's.
	FMSPC [6]byte
	// Levels of the TCB info, in order (the first match decides). nil: one
	// UpToDate level at the chain's CPUSVN and PCESVN and TEE_TCB_SVN
	// 03 00 05 (the default quote's).
	Levels []Level
	// MRSIGNERSEAM is the TDX module's MRSIGNER (zero, as the default
	// quote's); SEAMAttributes its attributes under an all-ones mask.
	MRSIGNERSEAM   [48]byte
	SEAMAttributes uint64
	// ModuleIdentities of the TCB info (none by default).
	ModuleIdentities []ModuleIdentity
	// QEMRSIGNER, QEISVProdID of the QE identity. Zero: IntelTDQEMRSIGNER
	// and 2, as the default quote.
	QEMRSIGNER  [32]byte
	QEISVProdID uint16
	// QELevels of the QE identity. nil: ISVSVN 8 UpToDate.
	QELevels []QELevel
	// RevokedPCK are serials the PCK CRL lists (the PCK's is
	// Signer.PCK.SerialNumber); RevokedRoot those the root CRL lists.
	RevokedPCK, RevokedRoot []*big.Int
	// TamperTCBInfo and TamperQEIdentity flip one bit of the signature.
	TamperTCBInfo, TamperQEIdentity bool
	// TamperTCBInfoBody changes the signed TCB info after signing (its
	// tcbEvaluationDataNumber), keeping the signature.
	TamperTCBInfoBody bool
}

// Collateral returns a collateral bundle (the JSON of tdx.CollateralBundle)
// for quotes of this signer's chain, signed as Intel PCS signs it.
func (s *Signer) Collateral(c Collateral) ([]byte, error) {
	b, err := s.CollateralBundle(c)
	if err != nil {
		return nil, err
	}
	return b.Marshal()
}

// CollateralBundle is [Signer.Collateral] before JSON encoding, for tests
// that replace one part.
func (s *Signer) CollateralBundle(c Collateral) (tdx.CollateralBundle, error) {
	if c.IssueDate.IsZero() {
		c.IssueDate = s.o.Now
	}
	if c.NextUpdate.IsZero() {
		c.NextUpdate = c.IssueDate.Add(30 * 24 * time.Hour)
	}
	if c.FMSPC == ([6]byte{}) {
		c.FMSPC = s.o.FMSPC
	}
	if c.Levels == nil {
		c.Levels = []Level{{SGX: s.o.CPUSVN, PCESVN: s.o.PCESVN, TDX: [16]byte{3, 0, 5}}}
	}
	if c.QEMRSIGNER == ([32]byte{}) {
		c.QEMRSIGNER = IntelTDQEMRSIGNER
	}
	if c.QEISVProdID == 0 {
		c.QEISVProdID = 2
	}
	if c.QELevels == nil {
		c.QELevels = []QELevel{{ISVSVN: 8}}
	}
	ones := tdx.HexBytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	var attr [8]byte
	for i := range attr {
		attr[i] = byte(c.SEAMAttributes >> (8 * i))
	}
	status := func(st string) string {
		if st == "" {
			return tdx.StatusUpToDate
		}
		return st
	}
	isvLevels := func(ls []QELevel) []tdx.TCBLevel {
		var out []tdx.TCBLevel
		for _, l := range ls {
			out = append(out, tdx.TCBLevel{TCB: tdx.TCBLevelSVNs{ISVSVN: l.ISVSVN}, TCBDate: "2023-02-15T00:00:00Z", TCBStatus: status(l.Status)})
		}
		return out
	}
	ti := tdx.TCBInfo{
		ID: "TDX", Version: 3, IssueDate: c.IssueDate, NextUpdate: c.NextUpdate,
		FMSPC: hex.EncodeToString(c.FMSPC[:]), PCEID: "0000", TCBEvaluationDataNumber: 15,
		TDXModule: &tdx.TDXModule{MRSIGNER: c.MRSIGNERSEAM[:], Attributes: attr[:], AttributesMask: ones},
	}
	for _, m := range c.ModuleIdentities {
		ti.TDXModuleIdentities = append(ti.TDXModuleIdentities, tdx.TDXModuleIdentity{ID: m.ID, MRSIGNER: c.MRSIGNERSEAM[:], Attributes: make([]byte, 8), AttributesMask: ones, TCBLevels: isvLevels(m.Levels)})
	}
	for _, l := range c.Levels {
		tl := tdx.TCBLevel{TCBDate: l.Date, TCBStatus: status(l.Status), AdvisoryIDs: l.Advisories}
		if tl.TCBDate == "" {
			tl.TCBDate = "2023-02-15T00:00:00Z"
		}
		tl.TCB.PCESVN = l.PCESVN
		for i := range 16 {
			tl.TCB.SGXTCBComponents = append(tl.TCB.SGXTCBComponents, tdx.TCBComponent{SVN: l.SGX[i]})
			tl.TCB.TDXTCBComponents = append(tl.TCB.TDXTCBComponents, tdx.TCBComponent{SVN: l.TDX[i]})
		}
		ti.TCBLevels = append(ti.TCBLevels, tl)
	}
	qe := tdx.EnclaveIdentity{
		ID: "TD_QE", Version: 2, IssueDate: c.IssueDate, NextUpdate: c.NextUpdate, TCBEvaluationDataNumber: 15,
		MiscSelect: make([]byte, 4), MiscSelectMask: tdx.HexBytes{0xff, 0xff, 0xff, 0xff},
		Attributes:     append(tdx.HexBytes{0x11}, make([]byte, 15)...),
		AttributesMask: append(tdx.HexBytes{0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, make([]byte, 8)...),
		MRSIGNER:       c.QEMRSIGNER[:], ISVProdID: c.QEISVProdID, TCBLevels: isvLevels(c.QELevels),
	}
	var b tdx.CollateralBundle
	var err error
	if b.TCBInfo, err = s.signedBody("tcbInfo", ti, c.TamperTCBInfo, c.TamperTCBInfoBody); err != nil {
		return b, err
	}
	if b.QEIdentity, err = s.signedBody("enclaveIdentity", qe, c.TamperQEIdentity, false); err != nil {
		return b, err
	}
	chain := url.QueryEscape(string(pemCert(s.TCBSigning)) + string(pemCert(s.Root)))
	b.TCBInfoIssuerChain, b.QEIdentityIssuerChain = chain, chain
	if b.PCKCRL, err = crl(s.CA, s.caKey, c.RevokedPCK, c.IssueDate, c.NextUpdate); err != nil {
		return b, err
	}
	if b.RootCRL, err = crl(s.Root, s.rootKey, c.RevokedRoot, c.IssueDate, c.NextUpdate); err != nil {
		return b, err
	}
	return b, nil
}

// signedBody returns {"<name>":<json>,"signature":"<hex r‖s>"}, signed
// over the exact bytes of <json> with the TCB signing key.
func (s *Signer) signedBody(name string, v any, tamperSig, tamperBody bool) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sig, err := sign(s.tcbKey, raw)
	if err != nil {
		return "", err
	}
	if tamperSig {
		sig[10] ^= 1
	}
	if tamperBody {
		var ti tdx.TCBInfo
		if err := json.Unmarshal(raw, &ti); err != nil {
			return "", err
		}
		ti.TCBEvaluationDataNumber++
		if raw, err = json.Marshal(ti); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf(`{%q:%s,"signature":%q}`, name, raw, hex.EncodeToString(sig)), nil
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// crl returns a DER CRL issued by issuer listing serials.
func crl(issuer *x509.Certificate, key *ecdsa.PrivateKey, serials []*big.Int, this, next time.Time) ([]byte, error) {
	t := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next}
	for _, sn := range serials {
		t.RevokedCertificateEntries = append(t.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: sn, RevocationTime: this})
	}
	return x509.CreateRevocationList(rand.Reader, t, issuer, key)
}
