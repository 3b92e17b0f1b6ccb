package tdx

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Sizes and offsets of the version 4 quote (Intel TDX DCAP Quote Generation
// Library and Quote Verification Library, "Quote Format", version 4).
const (
	// QuoteVersion is the only supported quote version.
	QuoteVersion = 4
	// HeaderSize and BodySize are the sizes of the quote header and the TD
	// quote body (TD report type 1, TDX 1.0); the signed message is their
	// concatenation, the first SignedSize bytes of the quote.
	HeaderSize = 0x30
	BodySize   = 0x248
	SignedSize = HeaderSize + BodySize
	// QEReportSize is the size of the quoting enclave's SGX report.
	QEReportSize = 0x180

	sigDataStart   = SignedSize + 4               // after the signed-data size
	akStart        = sigDataStart + 0x40          // attestation key after the quote signature
	qeReportStart  = akStart + 0x40 + 6           // after the key, the certification-data type and size
	qeSigStart     = qeReportStart + QEReportSize // QE report signature
	tdAttrDebugBit = 1 << 0
)

// Quote is a parsed version 4 TDX quote. Its fields are what the quote
// says, not what was verified: only a [Verifier] vouches for them. The
// byte fields are in quote order; TDAttributes, XFAM and SEAMAttributes are
// the little-endian 8-byte fields as numbers.
type Quote struct {
	raw   []byte
	proto *pb.QuoteV4

	// Header.
	Version    uint16
	QESVN      uint16
	PCESVN     uint16
	QEVendorID [16]byte
	UserData   [20]byte

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

	// Signature data.
	Signature      [64]byte // quote signature r ‖ s, big-endian
	AttestationKey [64]byte // P-256 X ‖ Y, big-endian
	QEReport       [QEReportSize]byte
	QEReportSig    [64]byte
	QEAuthData     []byte
	// PCKChain is the PEM PCK certificate chain as carried: leaf,
	// intermediate CA, root.
	PCKChain []byte
}

// ParseQuote parses a raw TDX quote (version 4) with go-tdx-guest's abi
// package and checks its form: size within limits.MaxTDXQuoteBytes, the
// header (ECDSA P-256 attestation key, TEE type TDX), the certification
// data (QE report certification data holding a PCK certificate chain), and
// the chain's three PEM certificates (leaf, intermediate, root; a trailing
// NUL tolerated). Bytes after the signed data are tolerated and ignored, as
// go-tdx-guest does; they are covered by no signature. Nothing is verified.
// Errors wrap ErrTooLarge, ErrMalformed or ErrVersion (version 5 quotes
// are not supported, DEPENDENCIES.md P-TDX-8).
func ParseQuote(raw []byte) (*Quote, error) {
	q, err := parseQuoteProto(raw)
	if err != nil {
		return nil, err
	}
	if _, _, _, err := splitChain(q.PCKChain); err != nil {
		return nil, err
	}
	return q, nil
}

// preCheck is the part of parsing both parsers share.
func preCheck(raw []byte) error {
	if len(raw) > limits.MaxTDXQuoteBytes {
		return fmt.Errorf("%w: quote of %d bytes", ErrTooLarge, len(raw))
	}
	if len(raw) < qeSigStart+0x40 {
		return fmt.Errorf("%w: quote of %d bytes", ErrMalformed, len(raw))
	}
	if v := binary.LittleEndian.Uint16(raw); v != QuoteVersion {
		return fmt.Errorf("%w: version %d", ErrVersion, v)
	}
	return nil
}

// parseQuoteProto is ParseQuote without the PEM split of the chain.
func parseQuoteProto(raw []byte) (*Quote, error) {
	if err := preCheck(raw); err != nil {
		return nil, err
	}
	p, err := toProto(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	q := &Quote{raw: bytes.Clone(raw), proto: p}
	h, b, sd := p.GetHeader(), p.GetTdQuoteBody(), p.GetSignedData()
	qe := sd.GetCertificationData().GetQeReportCertificationData()
	q.Version = uint16(h.GetVersion())
	q.QESVN = binary.LittleEndian.Uint16(h.GetQeSvn())
	q.PCESVN = binary.LittleEndian.Uint16(h.GetPceSvn())
	copy(q.QEVendorID[:], h.GetQeVendorId())
	copy(q.UserData[:], h.GetUserData())
	copy(q.TEETCBSVN[:], b.GetTeeTcbSvn())
	copy(q.MRSEAM[:], b.GetMrSeam())
	copy(q.MRSIGNERSEAM[:], b.GetMrSignerSeam())
	q.SEAMAttributes = binary.LittleEndian.Uint64(b.GetSeamAttributes())
	q.TDAttributes = binary.LittleEndian.Uint64(b.GetTdAttributes())
	q.XFAM = binary.LittleEndian.Uint64(b.GetXfam())
	copy(q.MRTD[:], b.GetMrTd())
	copy(q.MRCONFIGID[:], b.GetMrConfigId())
	copy(q.MROWNER[:], b.GetMrOwner())
	copy(q.MROWNERCONFIG[:], b.GetMrOwnerConfig())
	for i, r := range b.GetRtmrs() {
		copy(q.RTMR[i][:], r)
	}
	copy(q.ReportData[:], b.GetReportData())
	copy(q.Signature[:], sd.GetSignature())
	copy(q.AttestationKey[:], sd.GetEcdsaAttestationKey())
	copy(q.QEReport[:], raw[qeReportStart:qeSigStart])
	copy(q.QEReportSig[:], qe.GetQeReportSignature())
	q.QEAuthData = bytes.Clone(qe.GetQeAuthData().GetData())
	q.PCKChain = bytes.Clone(qe.GetPckCertificateChainData().GetPckCertChain())

	// The fixed offsets used for the signatures must be where go-tdx-guest
	// found the fields.
	if !bytes.Equal(raw[sigDataStart:akStart], sd.GetSignature()) || !bytes.Equal(raw[akStart:akStart+0x40], sd.GetEcdsaAttestationKey()) || !bytes.Equal(raw[qeSigStart:qeSigStart+0x40], qe.GetQeReportSignature()) {
		return nil, fmt.Errorf("%w: signature data not at the version 4 offsets", ErrMalformed)
	}
	return q, nil
}

// Layout of the version 4 signed data that go-tdx-guest's QuoteToProto
// checks (abi.quoteToProtoV4 and the functions it calls).
const (
	headerAKType   = 0x02 // uint16, 2: ECDSA-256 with P-256
	headerTEEType  = 0x04 // uint32, 0x81: TDX
	signedDataSize = SignedSize
	certDataStart  = akStart + 0x40 // type (uint16, 6: QE report certification data), size (uint32)
	qeAuthStart    = qeSigStart + 0x40
	teeTypeTDX     = 0x81
	akTypeP256     = 2
	certTypeQE     = 6
	certTypePCK    = 5
)

// parseQuoteFast is parseQuoteProto without go-tdx-guest's protobuf
// conversion, which the warm path does not need (it runs only for
// go-tdx-guest's own check of a new chain): it reads the fields at their
// version 4 offsets and rejects exactly the quotes QuoteToProto rejects
// (FuzzParseQuoteFast holds it to that), with QuoteToProto's conditions
// spelled out. Errors are not worded like parseQuoteProto's; callers that
// report them parse again with ParseQuote.
func parseQuoteFast(raw []byte) (*Quote, error) {
	if err := preCheck(raw); err != nil {
		return nil, err
	}
	raw = bytes.Clone(raw) // the fields below alias this private copy
	u16 := func(off int) uint16 { return binary.LittleEndian.Uint16(raw[off:]) }
	u32 := func(off int) uint32 { return binary.LittleEndian.Uint32(raw[off:]) }
	if u16(headerAKType) != akTypeP256 || u32(headerTEEType) != teeTypeTDX {
		return nil, fmt.Errorf("%w: attestation key type %d, TEE type %#x", ErrMalformed, u16(headerAKType), u32(headerTEEType))
	}
	// The signed data: signature, attestation key, certification data
	// (type and size, then exactly size bytes); bytes after it are ignored.
	sdSize := uint64(u32(signedDataSize))
	if sdSize > uint64(len(raw)-sigDataStart) || sdSize < certDataStart+6-sigDataStart {
		return nil, fmt.Errorf("%w: signed data of %d bytes", ErrMalformed, sdSize)
	}
	end := sigDataStart + int(sdSize)
	if u16(certDataStart) != certTypeQE || uint64(u32(certDataStart+2)) != uint64(end-qeReportStart) {
		return nil, fmt.Errorf("%w: certification data type %d, size %d", ErrMalformed, u16(certDataStart), u32(certDataStart+2))
	}
	// QE report certification data: report, signature, auth data (uint16
	// size, data), then the PCK chain's certification data (type 5, uint32
	// size, exactly size bytes up to the end of the signed data).
	if end < qeAuthStart+2 {
		return nil, fmt.Errorf("%w: QE report certification data of %d bytes", ErrMalformed, end-qeReportStart)
	}
	authEnd := qeAuthStart + 2 + int(u16(qeAuthStart))
	if authEnd+6 > end {
		return nil, fmt.Errorf("%w: QE auth data overruns the certification data", ErrMalformed)
	}
	if u16(authEnd) != certTypePCK || uint64(u32(authEnd+2)) != uint64(end-authEnd-6) {
		return nil, fmt.Errorf("%w: PCK certification data type %d, size %d", ErrMalformed, u16(authEnd), u32(authEnd+2))
	}

	q := &Quote{raw: raw}
	q.Version = u16(0)
	q.PCESVN = u16(0x08)
	q.QESVN = u16(0x0A)
	copy(q.QEVendorID[:], raw[0x0C:0x1C])
	copy(q.UserData[:], raw[0x1C:0x30])
	b := raw[HeaderSize:SignedSize]
	copy(q.TEETCBSVN[:], b[0x00:])
	copy(q.MRSEAM[:], b[0x10:])
	copy(q.MRSIGNERSEAM[:], b[0x40:])
	q.SEAMAttributes = binary.LittleEndian.Uint64(b[0x70:])
	q.TDAttributes = binary.LittleEndian.Uint64(b[0x78:])
	q.XFAM = binary.LittleEndian.Uint64(b[0x80:])
	copy(q.MRTD[:], b[0x88:])
	copy(q.MRCONFIGID[:], b[0xB8:])
	copy(q.MROWNER[:], b[0xE8:])
	copy(q.MROWNERCONFIG[:], b[0x118:])
	for i := range q.RTMR {
		copy(q.RTMR[i][:], b[0x148+48*i:])
	}
	copy(q.ReportData[:], b[0x208:])
	copy(q.Signature[:], raw[sigDataStart:akStart])
	copy(q.AttestationKey[:], raw[akStart:akStart+0x40])
	copy(q.QEReport[:], raw[qeReportStart:qeSigStart])
	copy(q.QEReportSig[:], raw[qeSigStart:qeSigStart+0x40])
	q.QEAuthData = raw[qeAuthStart+2 : authEnd : authEnd]
	q.PCKChain = raw[authEnd+6 : end : end]
	return q, nil
}

// toProto runs go-tdx-guest's parser, turning a panic on hostile input (a
// bug there) into an error.
func toProto(raw []byte) (q *pb.QuoteV4, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, fmt.Errorf("go-tdx-guest abi panicked: %v", r)
		}
	}()
	a, err := abi.QuoteToProto(raw)
	if err != nil {
		return nil, err
	}
	p, ok := a.(*pb.QuoteV4)
	if !ok {
		return nil, fmt.Errorf("quote type %T", a)
	}
	return p, nil
}

// Raw returns a copy of the quote bytes.
func (q *Quote) Raw() []byte { return bytes.Clone(q.raw) }

// Debug reports whether TD_ATTRIBUTES.DEBUG (bit 0) is set: the host can
// read and write the TD's memory and registers.
func (q *Quote) Debug() bool { return q.TDAttributes&tdAttrDebugBit != 0 }

// splitChain returns the leaf, intermediate and root DER certificates of a
// PEM PCK chain: exactly three CERTIFICATE blocks, optionally followed by
// one NUL byte.
func splitChain(chain []byte) (leaf, inter, root []byte, err error) {
	var ders [][]byte
	rest := chain
	for range 3 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, nil, nil, fmt.Errorf("%w: PCK chain: want 3 PEM CERTIFICATE blocks, found %d", ErrMalformed, len(ders))
		}
		if len(b.Bytes) > limits.MaxTEECertificateBytes {
			return nil, nil, nil, fmt.Errorf("%w: PCK chain certificate of %d bytes", ErrTooLarge, len(b.Bytes))
		}
		ders = append(ders, b.Bytes)
	}
	if len(rest) != 0 && !bytes.Equal(rest, []byte{0}) {
		return nil, nil, nil, fmt.Errorf("%w: PCK chain: %d trailing bytes", ErrMalformed, len(rest))
	}
	return ders[0], ders[1], ders[2], nil
}

// parseChain parses the three certificates of a PCK chain.
func parseChain(chain []byte) (leaf, inter *x509.Certificate, err error) {
	l, i, _, err := splitChain(chain)
	if err != nil {
		return nil, nil, err
	}
	if leaf, err = x509.ParseCertificate(l); err != nil {
		return nil, nil, fmt.Errorf("%w: PCK certificate: %v", ErrChain, err)
	}
	if inter, err = x509.ParseCertificate(i); err != nil {
		return nil, nil, fmt.Errorf("%w: PCK CA certificate: %v", ErrChain, err)
	}
	return leaf, inter, nil
}
