package tee

import (
	"time"

	"github.com/buildtrust/buildtrust"
)

// Platform names a TEE. The values are those of the scai package's
// conditions ("sev-snp", "tdx"), so that evidence descriptors and claims
// name platforms alike.
type Platform string

// Platforms.
const (
	SEVSNP Platform = "sev-snp"
	TDX    Platform = "tdx"
)

// KeyKind names the kind of key that signed a report or quote: the
// manufacturer-certified key that ties the evidence to genuine hardware.
type KeyKind string

// Signing-key kinds.
const (
	// VCEK is AMD's Versioned Chip Endorsement Key: per chip and TCB,
	// certified by the ASK, which the ARK certifies.
	VCEK KeyKind = "VCEK"
	// VLEK is AMD's Versioned Loaded Endorsement Key: per cloud provider
	// and TCB (AWS), certified by the ASVK, which the ARK certifies.
	VLEK KeyKind = "VLEK"
	// PCK is Intel's Provisioning Certification Key: per platform and TCB,
	// certified by the PCK Platform or Processor CA under the Intel SGX
	// Root CA; it certifies the quoting enclave's attestation key.
	PCK KeyKind = "PCK"
)

// SVN is one named security version number of a TCB.
type SVN struct {
	Name  string `json:"name"`
	Value uint8  `json:"value"`
}

// TCB is the trusted computing base version a report or quote claims.
type TCB struct {
	// Raw is the platform's own encoding: SEV-SNP REPORTED_TCB (8 bytes,
	// little-endian as in the report), TDX TEE_TCB_SVN (16 bytes).
	Raw []byte `json:"raw"`
	// Components are the SVNs decoded from Raw, in the platform's order:
	// SEV-SNP "bootloader", "tee", "snp", "microcode" (and "fmc" on Turin);
	// TDX "tee_tcb_svn[0]" … "tee_tcb_svn[15]".
	Components []SVN `json:"components"`
	// Status is the TCB status the manufacturer's collateral assigns
	// (TDX: "UpToDate", "SWHardeningNeeded", …). Empty when the platform
	// has no such verdict (SEV-SNP: the VCEK is issued for the exact TCB).
	Status string `json:"status,omitempty"`
	// Advisories are the security advisory IDs (e.g. "INTEL-SA-00837")
	// the collateral lists for the platform's TCB level.
	Advisories []string `json:"advisories,omitempty"`
}

// Claims is what a verified SEV-SNP report or TDX quote states about the
// environment that produced it, in terms common to both TEEs. A Claims
// value is only ever returned by a successful verification: every field was
// covered by a signature that chains to the manufacturer root given by the
// caller, and was compared with the caller's expectations.
type Claims struct {
	// Platform is the TEE.
	Platform Platform `json:"platform"`
	// Version is the report (SEV-SNP) or quote (TDX) format version.
	Version uint32 `json:"version"`
	// Measurement is the launch measurement: SEV-SNP MEASUREMENT, TDX
	// MRTD (48 bytes each).
	Measurement []byte `json:"measurement"`
	// RuntimeMeasurements are TDX RTMR0–RTMR3 (48 bytes each); nil for
	// SEV-SNP.
	RuntimeMeasurements [][]byte `json:"runtimeMeasurements,omitempty"`
	// ReportData is REPORT_DATA (64 bytes): under buildtrust's convention,
	// [Bind] of a purpose and a payload.
	ReportData [64]byte `json:"reportData"`
	// HostData is what the host or owner fixed at launch: SEV-SNP
	// HOST_DATA (32 bytes), TDX MRCONFIGID (48 bytes).
	HostData []byte `json:"hostData"`
	// TCB is the platform's TCB version.
	TCB TCB `json:"tcb"`
	// Debug is true when the guest or TD can be debugged by the host (its
	// memory read and written): SEV-SNP guest policy DEBUG, TDX
	// TD_ATTRIBUTES.DEBUG. Verification rejects it unless the caller opted
	// in.
	Debug bool `json:"debug"`
	// Policy is the raw launch policy: SEV-SNP guest POLICY, TDX
	// TD_ATTRIBUTES (little-endian, as a number).
	Policy uint64 `json:"policy"`
	// MigrationAgent is true when an SEV-SNP guest policy allows a
	// migration agent. Always false for TDX.
	MigrationAgent bool `json:"migrationAgent"`
	// SMT is true when an SEV-SNP guest policy allows simultaneous
	// multithreading. Always false for TDX.
	SMT bool `json:"smt"`
	// ChipID identifies the platform: SEV-SNP CHIP_ID (64 bytes; zero when
	// the host masked it), TDX the PCK certificate's PPID (16 bytes).
	ChipID []byte `json:"chipID,omitempty"`
	// Product names the processor: SEV-SNP "Milan", "Genoa", "Turin"
	// (with "-" stepping when known), TDX the PCK certificate's FMSPC in
	// hexadecimal.
	Product string `json:"product"`
	// SigningKey is the kind of key that signed the evidence.
	SigningKey KeyKind `json:"signingKey"`
	// Checks lists every check that ran, in order, with its outcome (PASS or
	// NOT_APPLICABLE on success).
	Checks []buildtrust.Check `json:"checks"`
}

// Evidence is hardware evidence as an environment sends it.
type Evidence struct {
	// Platform says which TEE produced it.
	Platform Platform
	// Report is the SEV-SNP ATTESTATION_REPORT (exactly 1184 bytes) or the
	// TDX quote.
	Report []byte
	// Certificates is the SEV-SNP extended-report certificate table (GUID
	// table holding at least the VCEK or VLEK). Unused for TDX, whose quote
	// embeds the PCK chain.
	Certificates []byte
	// Collateral is the TDX collateral bundle (TCB info, QE identity, PCK and
	// root CRLs; see tee/tdx.ParseCollateral), verified by tee/tdx whenever
	// it is supplied. Unused for SEV-SNP.
	Collateral []byte
}

// Request is what changes from one verification to the next: the evidence,
// the time and the binding the report data must carry. What stays the same
// (roots, expected measurements, policy) is fixed when a [Verifier] is
// built.
type Request struct {
	// Evidence is verified.
	Evidence Evidence
	// Now is the verification time: certificates and collateral must be
	// valid at it. Required: the zero value fails with ErrNoTime; there is
	// no hidden time.Now.
	Now time.Time
	// ReportData is the expected REPORT_DATA (64 bytes), usually [Bind] of
	// a purpose and a payload. Required: nil fails with ErrNoReportData
	// unless the verifier was built with an explicit Insecure opt-out.
	ReportData []byte
}

// Verifier verifies one TEE's evidence. Implementations (tee/sevsnp, tee/tdx) are immutable after construction and safe for concurrent use.
type Verifier interface {
	// Platform is the TEE the verifier accepts.
	Platform() Platform
	// Verify verifies the request's evidence — signatures up to the
	// manufacturer root, validity at req.Now, the verifier's expectations
	// and the report-data binding — and returns the verified claims. On
	// failure the error is a *buildtrust.CheckError naming the check and
	// the threats (errors.Is(err, threat.E10)).
	Verify(req Request) (*Claims, error)
}
