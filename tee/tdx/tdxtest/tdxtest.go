// Package tdxtest makes Intel TDX version 4 quotes signed under a test
// chain — test root CA → test PCK CA → PCK certificate; a quoting-enclave
// report signed by the PCK that binds a fresh attestation key; the quote
// signed by that key — so that tests can produce any quote, valid or not,
// with every field settable (EVIDENCE.md §3.2). No Go project offers a TDX
// quote signer.
//
// The quotes are real-format: go-tdx-guest v0.3.1's verify.TdxQuote
// accepts them under the test root ([Signer.Roots]) and rejects them under
// Intel's root, as tee/tdx does. The certificates follow Intel's PCK
// profile (subject names, ECDSA P-256 with SHA-256, the SGX extension with
// FMSPC, PPID, PCE-ID and TCB, exactly six leaf extensions, no EKU).
// DEBUG is off in the default quote.
//
// [Signer.Collateral] makes the matching offline collateral bundle
// (EVIDENCE.md §3.2.1): a TCB signing certificate ("Intel SGX TCB
// Signing") under the test root; TCB info and QE identity JSON signed by
// it over the exact bytes of the inner object, as Intel PCS does; the PCK
// CRL signed by the PCK CA and the root CRL signed by the root. Every part
// can be made invalid (expired, tampered, revoking, below a level).
//
// It is for tests only: the keys are generated per [New] and nothing here is
// secret or persistent.
package tdxtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"

	"github.com/buildtrust/buildtrust/tee/tdx"
)

// DefaultTime is the creation time of the test chain when Options.Now is
// zero; the chain is valid from an hour before it for Options.Validity.
var DefaultTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// IntelTDQEMRSIGNER is the MRSIGNER of Intel's TD quoting enclave (as in
// Intel's TDX QE identity), the default of Quote.QEMRSIGNER and of the
// collateral's QE identity.
var IntelTDQEMRSIGNER = [32]byte{0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5}

// IntelQEVendorID is the QE vendor ID of Intel's quoting enclave, the
// default of Quote.QEVendorID.
var IntelQEVendorID = [16]byte{0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}

// Options configure the test chain. Every zero value is usable.
type Options struct {
	// Now is the chain's creation time. Zero: DefaultTime.
	Now time.Time
	// Validity is how long every certificate stays valid from an hour
	// before Now. Zero: 10 years.
	Validity time.Duration
	// ProcessorCA issues the PCK from "Intel SGX PCK Processor CA" instead
	// of "Intel SGX PCK Platform CA" (go-tdx-guest v0.3.1 rejects such
	// chains; tee/tdx accepts both, P-TDX-12).
	ProcessorCA bool
	// FMSPC goes into the PCK's SGX extension. Zero: 50806f000000 (the
	// Sapphire Rapids sample's).
	FMSPC [6]byte
	// PPID goes into the PCK's SGX extension. Zero: 16 bytes 0x01.
	PPID [16]byte
	// CPUSVN and PCESVN go into the PCK's TCB extension. Zero: the
	// sample's 03 03 02 02 02 01 00 02 00… and PCESVN 11.
	CPUSVN [16]byte
	PCESVN uint16
}

// Signer holds a test chain and signs quotes under it. It is safe for
// concurrent use.
type Signer struct {
	rootKey, caKey, pckKey, tcbKey *ecdsa.PrivateKey
	// Root, CA and PCK are the test chain's certificates.
	Root, CA, PCK *x509.Certificate
	// TCBSigning is the "Intel SGX TCB Signing" certificate, issued by
	// Root, that signs the collateral's TCB info and QE identity.
	TCBSigning *x509.Certificate
	chain      []byte
	roots      *tdx.Roots
	o          Options
}

// New creates a test chain.
func New(o Options) (*Signer, error) {
	if o.Now.IsZero() {
		o.Now = DefaultTime
	}
	if o.Validity == 0 {
		o.Validity = 10 * 365 * 24 * time.Hour
	}
	if o.FMSPC == ([6]byte{}) {
		o.FMSPC = [6]byte{0x50, 0x80, 0x6f, 0, 0, 0}
	}
	if o.PPID == ([16]byte{}) {
		o.PPID = [16]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	}
	if o.CPUSVN == ([16]byte{}) {
		o.CPUSVN = [16]byte{3, 3, 2, 2, 2, 1, 0, 2}
	}
	if o.PCESVN == 0 {
		o.PCESVN = 11
	}
	s := &Signer{o: o}
	var err error
	for _, k := range []**ecdsa.PrivateKey{&s.rootKey, &s.caKey, &s.pckKey, &s.tcbKey} {
		if *k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, err
		}
	}
	from, to := o.Now.Add(-time.Hour), o.Now.Add(o.Validity)
	name := func(cn string) pkix.Name {
		return pkix.Name{CommonName: cn, Organization: []string{"Intel Corporation"}, Locality: []string{"Santa Clara"}, Province: []string{"CA"}, Country: []string{"US"}}
	}
	rootT := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: name("Intel SGX Root CA"), NotBefore: from, NotAfter: to,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		CRLDistributionPoints: []string{"https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"},
	}
	if s.Root, err = create(rootT, rootT, &s.rootKey.PublicKey, s.rootKey); err != nil {
		return nil, err
	}
	caName, caID := "Intel SGX PCK Platform CA", "platform"
	if o.ProcessorCA {
		caName, caID = "Intel SGX PCK Processor CA", "processor"
	}
	caT := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: name(caName), NotBefore: from, NotAfter: to,
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if s.CA, err = create(caT, s.Root, &s.caKey.PublicKey, s.rootKey); err != nil {
		return nil, err
	}
	tcbT := &x509.Certificate{
		SerialNumber: big.NewInt(4), Subject: name("Intel SGX TCB Signing"), NotBefore: from, NotAfter: to,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	if s.TCBSigning, err = create(tcbT, s.Root, &s.tcbKey.PublicKey, s.rootKey); err != nil {
		return nil, err
	}
	sgx, err := sgxExtension(o)
	if err != nil {
		return nil, err
	}
	ski := sha256.Sum256(elliptic.MarshalCompressed(elliptic.P256(), s.pckKey.X, s.pckKey.Y))
	leafT := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: name("Intel SGX PCK Certificate"), NotBefore: from, NotAfter: to,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		SubjectKeyId:          ski[:20],
		CRLDistributionPoints: []string{pcs.PckCrlURL(caID)},
		ExtraExtensions:       []pkix.Extension{{Id: pcs.OidSgxExtension, Value: sgx}},
	}
	if s.PCK, err = create(leafT, s.CA, &s.pckKey.PublicKey, s.caKey); err != nil {
		return nil, err
	}
	for _, c := range []*x509.Certificate{s.PCK, s.CA, s.Root} {
		s.chain = append(s.chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if s.roots, err = tdx.ParseRoots(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Root.Raw})); err != nil {
		return nil, err
	}
	return s, nil
}

func create(t, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, t, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

type oidValue struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue
}

func pair(id asn1.ObjectIdentifier, v any) (oidValue, error) {
	b, err := asn1.Marshal(v)
	return oidValue{ID: id, Value: asn1.RawValue{FullBytes: b}}, err
}

// sgxExtension builds the SGX extension (OID 1.2.840.113741.1.13.1): PPID,
// TCB (16 CPUSVN components, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type.
func sgxExtension(o Options) ([]byte, error) {
	var tcb []oidValue
	for i := range 16 {
		p, err := pair(append(slices.Clone(pcs.OidTCB), i+1), int(o.CPUSVN[i]))
		if err != nil {
			return nil, err
		}
		tcb = append(tcb, p)
	}
	for _, x := range []struct {
		id asn1.ObjectIdentifier
		v  any
	}{{pcs.OidPCESvn, int(o.PCESVN)}, {pcs.OidCPUSvn, o.CPUSVN[:]}} {
		p, err := pair(x.id, x.v)
		if err != nil {
			return nil, err
		}
		tcb = append(tcb, p)
	}
	var outer []oidValue
	for _, x := range []struct {
		id asn1.ObjectIdentifier
		v  any
	}{{pcs.OidPPID, o.PPID[:]}, {pcs.OidTCB, tcb}, {pcs.OidPCEID, []byte{0, 0}}, {pcs.OidFMSPC, o.FMSPC[:]}, {asn1.ObjectIdentifier{1, 2, 840, 113741, 1, 13, 1, 5}, asn1.Enumerated(0)}} {
		p, err := pair(x.id, x.v)
		if err != nil {
			return nil, err
		}
		outer = append(outer, p)
	}
	return asn1.Marshal(outer)
}

// Roots returns the test root as tdx.Roots, for tdx.Options.Roots.
func (s *Signer) Roots() *tdx.Roots { return s.roots }

// RootPool returns a pool holding only the test root, for go-tdx-guest's
// verify.Options.TrustedRoots.
func (s *Signer) RootPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Root)
	return p
}

// Quote is every field of a version 4 quote that [Signer.Sign] writes.
// Byte arrays are in quote order; TDAttributes, XFAM and SEAMAttributes
// are the little-endian 8-byte fields as numbers.
type Quote struct {
	// Header.
	QESVN, PCESVN uint16
	QEVendorID    [16]byte
	UserData      [20]byte
	// TD quote body.
	TEETCBSVN      [16]byte
	MRSEAM         [48]byte
	MRSIGNERSEAM   [48]byte
	SEAMAttributes uint64
	TDAttributes   uint64
	XFAM           uint64
	MRTD           [48]byte
	MRCONFIGID     [48]byte
	MROWNER        [48]byte
	MROWNERCONFIG  [48]byte
	RTMR           [4][48]byte
	ReportData     [64]byte
	// Quoting enclave report.
	QECPUSVN     [16]byte
	QEMiscSelect uint32
	QEAttributes [16]byte
	QEMRENCLAVE  [32]byte
	QEMRSIGNER   [32]byte
	QEISVProdID  uint16
	QEISVSVN     uint16
	QEAuthData   []byte
	// AttestationKey, if non-nil, signs the quote instead of a fresh key.
	AttestationKey *ecdsa.PrivateKey
	// PCKChain, if non-nil, replaces the signer's PEM chain in the quote
	// (the QE report is still signed by the signer's PCK).
	PCKChain []byte
	// QEReportKey, if non-nil, signs the QE report instead of the PCK.
	QEReportKey *ecdsa.PrivateKey
	// UnboundQEReport leaves the QE report's REPORT_DATA zero instead of
	// binding the attestation key.
	UnboundQEReport bool
}

// Quote returns a plausible default: TEE_TCB_SVN 03 00 05…, DEBUG off
// (TD_ATTRIBUTES 0), XFAM 0xe7, Intel's QE vendor ID, QE MRSIGNER
// IntelTDQEMRSIGNER, ISVPRODID 2, ISVSVN 8, ATTRIBUTES 11 00…, QE auth
// data of 32 bytes, all measurements zero. The default [Collateral]
// accepts it.
func (s *Signer) Quote() Quote {
	q := Quote{QESVN: 8, PCESVN: 11, QEVendorID: IntelQEVendorID, XFAM: 0xe7, QEISVProdID: 2, QEISVSVN: 8, QEMRSIGNER: IntelTDQEMRSIGNER}
	q.QEAttributes[0] = 0x11
	q.TEETCBSVN = [16]byte{3, 0, 5}
	q.QECPUSVN = [16]byte{3, 3, 2, 2, 2, 1, 0, 2}
	q.QEAuthData = bytes.Repeat([]byte{0x5a}, 32)
	return q
}

// Sign returns the raw quote: the QE report signed by the PCK (or
// QEReportKey) and binding the attestation key, the header and body signed
// by the attestation key, the PCK chain embedded (EVIDENCE.md §3.2 steps
// 5–11).
func (s *Signer) Sign(q Quote) ([]byte, error) {
	ak := q.AttestationKey
	if ak == nil {
		var err error
		if ak, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, err
		}
	}
	akRaw := make([]byte, 64)
	ak.X.FillBytes(akRaw[:32])
	ak.Y.FillBytes(akRaw[32:])
	le16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	le64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	rtmrs := make([][]byte, 4)
	for i := range rtmrs {
		rtmrs[i] = bytes.Clone(q.RTMR[i][:])
	}
	header := &pb.Header{Version: 4, AttestationKeyType: 2, TeeType: abi.TeeTDX, QeSvn: le16(q.QESVN), PceSvn: le16(q.PCESVN), QeVendorId: bytes.Clone(q.QEVendorID[:]), UserData: bytes.Clone(q.UserData[:])}
	body := &pb.TDQuoteBody{
		TeeTcbSvn: bytes.Clone(q.TEETCBSVN[:]), MrSeam: bytes.Clone(q.MRSEAM[:]), MrSignerSeam: bytes.Clone(q.MRSIGNERSEAM[:]),
		SeamAttributes: le64(q.SEAMAttributes), TdAttributes: le64(q.TDAttributes), Xfam: le64(q.XFAM),
		MrTd: bytes.Clone(q.MRTD[:]), MrConfigId: bytes.Clone(q.MRCONFIGID[:]), MrOwner: bytes.Clone(q.MROWNER[:]), MrOwnerConfig: bytes.Clone(q.MROWNERCONFIG[:]),
		Rtmrs: rtmrs, ReportData: bytes.Clone(q.ReportData[:]),
	}
	qeRD := make([]byte, 64)
	if !q.UnboundQEReport {
		h := sha256.Sum256(append(bytes.Clone(akRaw), q.QEAuthData...))
		copy(qeRD, h[:])
	}
	qeReport := &pb.EnclaveReport{
		CpuSvn: bytes.Clone(q.QECPUSVN[:]), MiscSelect: q.QEMiscSelect, Reserved1: make([]byte, 0x1c), Attributes: bytes.Clone(q.QEAttributes[:]),
		MrEnclave: bytes.Clone(q.QEMRENCLAVE[:]), Reserved2: make([]byte, 0x20), MrSigner: bytes.Clone(q.QEMRSIGNER[:]), Reserved3: make([]byte, 0x60),
		IsvProdId: uint32(q.QEISVProdID), IsvSvn: uint32(q.QEISVSVN), Reserved4: make([]byte, 0x3c), ReportData: qeRD,
	}
	qeRaw, err := abi.EnclaveReportToAbiBytes(qeReport)
	if err != nil {
		return nil, err
	}
	qeKey := q.QEReportKey
	if qeKey == nil {
		qeKey = s.pckKey
	}
	qeSig, err := sign(qeKey, qeRaw)
	if err != nil {
		return nil, err
	}
	chain := s.chain
	if q.PCKChain != nil {
		chain = q.PCKChain
	}
	certSize := uint32(0x180 + 0x40 + 2 + len(q.QEAuthData) + 6 + len(chain))
	quote := &pb.QuoteV4{
		Header: header, TdQuoteBody: body, SignedDataSize: 0x80 + 6 + certSize,
		SignedData: &pb.Ecdsa256BitQuoteV4AuthData{
			Signature: make([]byte, 64), EcdsaAttestationKey: akRaw,
			CertificationData: &pb.CertificationData{
				CertificateDataType: 6, Size: certSize,
				QeReportCertificationData: &pb.QEReportCertificationData{
					QeReport: qeReport, QeReportSignature: qeSig,
					QeAuthData:              &pb.QeAuthData{ParsedDataSize: uint32(len(q.QEAuthData)), Data: bytes.Clone(q.QEAuthData)},
					PckCertificateChainData: &pb.PCKCertificateChainData{CertificateDataType: 5, Size: uint32(len(chain)), PckCertChain: bytes.Clone(chain)},
				},
			},
		},
	}
	hb, err := abi.HeaderToAbiBytes(header)
	if err != nil {
		return nil, err
	}
	bb, err := abi.TdQuoteBodyToAbiBytes(body)
	if err != nil {
		return nil, err
	}
	if quote.SignedData.Signature, err = sign(ak, append(hb, bb...)); err != nil {
		return nil, err
	}
	raw, err := abi.QuoteToAbiBytes(quote)
	if err != nil {
		return nil, fmt.Errorf("tdxtest: %v", err)
	}
	return raw, nil
}

// sign returns the raw r ‖ s (32 bytes each) ECDSA P-256 signature over
// SHA-256(msg).
func sign(k *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	d := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}
