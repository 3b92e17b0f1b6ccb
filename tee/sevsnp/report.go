package sevsnp

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/tee"
)

// ReportSize is the size of an ATTESTATION_REPORT (SEV-SNP ABI
// specification, Table 23).
const ReportSize = limits.SNPReportBytes

// Report is a parsed ATTESTATION_REPORT (SEV-SNP Firmware ABI
// specification 56860, "ATTESTATION_REPORT Structure", versions 2 to 5).
// Parsing checks form only: a Report from [ParseReport] is NOT verified.
// Field names follow the specification.
type Report struct {
	Version         uint32
	GuestSVN        uint32
	Policy          uint64
	FamilyID        [16]byte
	ImageID         [16]byte
	VMPL            uint32
	SignatureAlgo   uint32
	CurrentTCB      uint64
	PlatformInfo    uint64
	SigningKey      tee.KeyKind // from SIGNER_INFO.SIGNING_KEY: VCEK or VLEK
	MaskChipKey     bool        // SIGNER_INFO.MASK_CHIP_KEY: CHIP_ID is zeroed
	AuthorKeyEn     bool        // SIGNER_INFO.AUTHOR_KEY_EN
	ReportData      [64]byte
	Measurement     [48]byte
	HostData        [32]byte
	IDKeyDigest     [48]byte
	AuthorKeyDigest [48]byte
	ReportID        [32]byte
	ReportIDMA      [32]byte
	ReportedTCB     uint64
	// CPUID1EAX is the masked CPUID Fn0000_0001_EAX (family, model,
	// stepping); zero in version 2 reports, which do not carry it.
	CPUID1EAX        uint32
	ChipID           [64]byte
	CommittedTCB     uint64
	CurrentBuild     uint8
	CurrentMinor     uint8
	CurrentMajor     uint8
	CommittedBuild   uint8
	CommittedMinor   uint8
	CommittedMajor   uint8
	LaunchTCB        uint64
	LaunchMitVector  uint64 // version 5
	CurrentMitVector uint64 // version 5

	raw   []byte
	proto *spb.Report
}

// ParseReport parses an ATTESTATION_REPORT of exactly [ReportSize] bytes,
// versions 2 to 5, signed with ECDSA P-384/SHA-384, with every
// must-be-zero range zero (go-sev-guest abi.ReportToProto). It does not
// verify anything. Errors wrap ErrMalformed.
func ParseReport(raw []byte) (*Report, error) {
	if len(raw) != ReportSize {
		return nil, fmt.Errorf("%w: report is %d bytes, want %d", ErrMalformed, len(raw), ReportSize)
	}
	raw = bytes.Clone(raw)
	p, err := abi.ReportToProto(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if p.Version < abi.MinSupportedReportVersion || p.Version > abi.MaxSupportedReportVersion {
		return nil, fmt.Errorf("%w: report version %d, want %d to %d", ErrMalformed, p.Version, abi.MinSupportedReportVersion, abi.MaxSupportedReportVersion)
	}
	if p.SignatureAlgo != abi.SignEcdsaP384Sha384 {
		return nil, fmt.Errorf("%w: signature algorithm %d, want 1 (ECDSA P-384 with SHA-384)", ErrMalformed, p.SignatureAlgo)
	}
	info, err := abi.ParseSignerInfo(p.SignerInfo)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	r := &Report{
		Version: p.Version, GuestSVN: p.GuestSvn, Policy: p.Policy, VMPL: p.Vmpl,
		SignatureAlgo: p.SignatureAlgo, CurrentTCB: p.CurrentTcb, PlatformInfo: p.PlatformInfo,
		MaskChipKey: info.MaskChipKey, AuthorKeyEn: info.AuthorKeyEn, ReportedTCB: p.ReportedTcb,
		CPUID1EAX: p.Cpuid1EaxFms, CommittedTCB: p.CommittedTcb,
		CurrentBuild: uint8(p.CurrentBuild), CurrentMinor: uint8(p.CurrentMinor), CurrentMajor: uint8(p.CurrentMajor),
		CommittedBuild: uint8(p.CommittedBuild), CommittedMinor: uint8(p.CommittedMinor), CommittedMajor: uint8(p.CommittedMajor),
		LaunchTCB: p.LaunchTcb, LaunchMitVector: p.LaunchMitVector, CurrentMitVector: p.CurrentMitVector,
		raw: raw, proto: p,
	}
	switch info.SigningKey {
	case abi.VcekReportSigner:
		r.SigningKey = tee.VCEK
	case abi.VlekReportSigner:
		r.SigningKey = tee.VLEK
	default:
		return nil, fmt.Errorf("%w: report signing key %v (unsigned or reserved)", ErrMalformed, info.SigningKey)
	}
	copy(r.FamilyID[:], p.FamilyId)
	copy(r.ImageID[:], p.ImageId)
	copy(r.ReportData[:], p.ReportData)
	copy(r.Measurement[:], p.Measurement)
	copy(r.HostData[:], p.HostData)
	copy(r.IDKeyDigest[:], p.IdKeyDigest)
	copy(r.AuthorKeyDigest[:], p.AuthorKeyDigest)
	copy(r.ReportID[:], p.ReportId)
	copy(r.ReportIDMA[:], p.ReportIdMa)
	copy(r.ChipID[:], p.ChipId)
	if r.Version < abi.ReportVersion5 && (r.LaunchMitVector != 0 || r.CurrentMitVector != 0) {
		return nil, fmt.Errorf("%w: mitigation vectors set in a version %d report", ErrMalformed, r.Version)
	}
	return r, nil
}

// Raw returns a copy of the report's bytes.
func (r *Report) Raw() []byte { return bytes.Clone(r.raw) }

// signed returns the bytes the signature covers: [0, 0x2A0).
func (r *Report) signed() []byte { return abi.SignedComponent(r.raw) }

// productFromCPUID returns the product line and the KDS product name
// ("Milan-B1") of a version 3+ report, or "" when the report carries no
// CPUID or an unknown one.
func (r *Report) productFromCPUID() (line, name string) {
	if r.CPUID1EAX == 0 {
		return "", ""
	}
	p := abi.SevProductFromCpuid1Eax(r.CPUID1EAX)
	if p.Name == spb.SevProduct_SEV_PRODUCT_UNKNOWN {
		return "", ""
	}
	return kds.ProductLine(p), kds.ProductName(p)
}

// TCBParts are the security patch levels of a TCB_VERSION.
type TCBParts struct {
	Bootloader uint8
	TEE        uint8
	SNP        uint8
	Microcode  uint8
	// FMC is the firmware-microcode SPL of Turin and later; always zero on
	// Milan and Genoa.
	FMC uint8
}

// DecodeTCB splits a TCB_VERSION into its parts, in the layout of the
// product line: Milan and Genoa put BOOT_LOADER, TEE, SNP and MICROCODE in
// bytes 0, 1, 6, 7; Turin puts FMC, BOOT_LOADER, TEE, SNP and MICROCODE in
// bytes 0, 1, 2, 3, 7 (SEV-SNP ABI 1.58, TCB_VERSION). go-sev-guest
// v0.15.0 knows only the first layout.
func DecodeTCB(productLine string, v uint64) TCBParts {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	if productLine == Turin {
		return TCBParts{FMC: b[0], Bootloader: b[1], TEE: b[2], SNP: b[3], Microcode: b[7]}
	}
	return TCBParts{Bootloader: b[0], TEE: b[1], SNP: b[6], Microcode: b[7]}
}

// EncodeTCB is the inverse of [DecodeTCB].
func EncodeTCB(productLine string, p TCBParts) uint64 {
	var b [8]byte
	if productLine == Turin {
		b[0], b[1], b[2], b[3], b[7] = p.FMC, p.Bootloader, p.TEE, p.SNP, p.Microcode
	} else {
		b[0], b[1], b[6], b[7] = p.Bootloader, p.TEE, p.SNP, p.Microcode
	}
	return binary.LittleEndian.Uint64(b[:])
}

// atLeast reports whether every part of p is ≥ the same part of min.
func (p TCBParts) atLeast(min TCBParts) bool {
	return p.Bootloader >= min.Bootloader && p.TEE >= min.TEE && p.SNP >= min.SNP &&
		p.Microcode >= min.Microcode && p.FMC >= min.FMC
}

func (p TCBParts) String() string {
	return fmt.Sprintf("bl=%d tee=%d snp=%d ucode=%d fmc=%d", p.Bootloader, p.TEE, p.SNP, p.Microcode, p.FMC)
}

func (p TCBParts) svns(productLine string) []tee.SVN {
	out := []tee.SVN{{Name: "bootloader", Value: p.Bootloader}, {Name: "tee", Value: p.TEE},
		{Name: "snp", Value: p.SNP}, {Name: "microcode", Value: p.Microcode}}
	if productLine == Turin {
		out = append(out, tee.SVN{Name: "fmc", Value: p.FMC})
	}
	return out
}

// GUIDs of the extended-report certificate table (GHCB specification,
// SNP Extended Guest Request), in the byte order the table stores them.
var (
	guidVCEK = mustGUID(abi.VcekGUID)
	guidVLEK = mustGUID(abi.VlekGUID)
	guidASK  = mustGUID(abi.AskGUID)
	guidARK  = mustGUID(abi.ArkGUID)
)

func mustGUID(s string) [16]byte {
	var g [16]byte
	b, err := hex.DecodeString(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36])
	if err != nil || len(b) != 16 {
		panic("sevsnp: bad GUID constant " + s)
	}
	copy(g[:], b)
	return g
}

// CertTable is a parsed extended-report certificate table. Parsing checks
// form only; nothing in it is trusted.
type CertTable struct {
	VCEK, VLEK, ASK, ARK []byte
	// Other holds entries with other GUIDs (cloud endorsements), by GUID
	// in canonical text form.
	Other map[string][]byte
}

// ParseCertTable parses the GUID table an extended guest request returns:
// 24-byte entries (GUID, offset, length, little-endian) ending with an
// all-zero entry, then the certificates. Offsets must point past the
// header and inside the table; a GUID may not repeat. It is bounded by
// limits.MaxSNPCertTableBytes and MaxSNPCertTableEntries. Errors wrap
// ErrMalformed or ErrTooLarge. (go-sev-guest's CertTable.Unmarshal is not
// used: an offset plus length that overflows 32 bits makes it panic.)
func ParseCertTable(b []byte) (*CertTable, error) {
	t := &CertTable{}
	err := walkCertTable(b, func(guid [16]byte, data []byte) {
		data = bytes.Clone(data)
		switch guid {
		case guidVCEK:
			t.VCEK = data
		case guidVLEK:
			t.VLEK = data
		case guidASK:
			t.ASK = data
		case guidARK:
			t.ARK = data
		default:
			if t.Other == nil {
				t.Other = map[string][]byte{}
			}
			g := hex.EncodeToString(guid[:])
			t.Other[g[0:8]+"-"+g[8:12]+"-"+g[12:16]+"-"+g[16:20]+"-"+g[20:]] = data
		}
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// certTableEntry returns the entry of the table with the given GUID, nil if
// there is none, as a subslice of b (not a copy: the verifier needs one
// entry, not clones of all of them). It accepts and rejects exactly the
// tables ParseCertTable does.
func certTableEntry(b []byte, guid [16]byte) ([]byte, error) {
	var found []byte
	err := walkCertTable(b, func(g [16]byte, data []byte) {
		if g == guid {
			found = data
		}
	})
	return found, err
}

// walkCertTable checks the whole table (see ParseCertTable) and then calls
// yield for each entry, in table order, with a subslice of b. It does not
// allocate: the table's entries are bounded by MaxSNPCertTableEntries.
func walkCertTable(b []byte, yield func(guid [16]byte, data []byte)) error {
	if len(b) > limits.MaxSNPCertTableBytes {
		return fmt.Errorf("%w: certificate table of %d bytes", ErrTooLarge, len(b))
	}
	type entry struct {
		guid        [16]byte
		off, length uint64
	}
	var buf [limits.MaxSNPCertTableEntries]entry
	entries := buf[:0]
	pos := 0
	for {
		if len(b)-pos < abi.CertTableEntrySize {
			return fmt.Errorf("%w: certificate table header has no terminating entry", ErrMalformed)
		}
		var e entry
		copy(e.guid[:], b[pos:pos+16])
		e.off = uint64(binary.LittleEndian.Uint32(b[pos+16:]))
		e.length = uint64(binary.LittleEndian.Uint32(b[pos+20:]))
		pos += abi.CertTableEntrySize
		if e.guid == ([16]byte{}) && e.off == 0 && e.length == 0 {
			break
		}
		if len(entries) == limits.MaxSNPCertTableEntries {
			return fmt.Errorf("%w: more than %d certificate table entries", ErrTooLarge, limits.MaxSNPCertTableEntries)
		}
		entries = append(entries, e)
	}
	for i, e := range entries {
		if e.off < uint64(pos) || e.off+e.length > uint64(len(b)) {
			return fmt.Errorf("%w: certificate table entry %d: range [%d, %d) outside the data area [%d, %d)", ErrMalformed, i, e.off, e.off+e.length, pos, len(b))
		}
		for _, prev := range entries[:i] {
			if prev.guid == e.guid {
				return fmt.Errorf("%w: certificate table entry %d repeats a GUID", ErrMalformed, i)
			}
		}
	}
	for _, e := range entries {
		yield(e.guid, b[e.off:e.off+e.length])
	}
	return nil
}
