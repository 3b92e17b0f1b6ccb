package limits

// Limits for hardware TEE evidence: AMD SEV-SNP attestation reports with
// their certificate tables, Intel TDX quotes with their collateral (packages
// tee, tee/sevsnp, tee/tdx). Each bounds what hostile evidence can cost
// before it is rejected.
const (
	// SNPReportBytes is the exact size of an SEV-SNP ATTESTATION_REPORT
	// (SEV-SNP ABI, Table 23: 0x4A0 bytes for report versions 2 to 5).
	// Anything else is rejected.
	SNPReportBytes = 0x4A0

	// MaxSNPCertTableBytes bounds an extended-report certificate table
	// (GUID table). Real tables carry ARK, ASK and VCEK (about 1.5 KiB each)
	// plus, on GCE, a UEFI endorsement of a few KiB; the guest-side buffer
	// the kernel offers is 16 KiB by default. 64 KiB is generous.
	MaxSNPCertTableBytes = 64 << 10

	// MaxSNPCertTableEntries bounds the entries of one certificate table.
	// The GHCB specification defines five GUIDs (ARK, ASK, VCEK, VLEK, ASVK);
	// clouds add one or two of their own.
	MaxSNPCertTableEntries = 16

	// MaxTEECertificateBytes bounds one DER certificate (VCEK, VLEK, ASK,
	// ARK, PCK, TCB signing). Real AMD certificates are 1.3–2 KiB; Intel's
	// under 1.5 KiB.
	MaxTEECertificateBytes = 16 << 10

	// MaxTDXQuoteBytes bounds one TDX quote. A v4 quote with its embedded
	// PCK chain is about 5 KiB (the Sapphire Rapids sample is 4974 bytes);
	// 64 KiB leaves room for long QE authentication data.
	MaxTDXQuoteBytes = 64 << 10

	// MaxTDXCollateralBytes bounds one TDX collateral bundle (TCB info, QE
	// identity, their issuer chains and two CRLs). Intel's PCS responses
	// are a few KiB each; the PCK CRL of a large fleet grows with revoked
	// serials, so 4 MiB is far above any real bundle.
	MaxTDXCollateralBytes = 4 << 20

	// MaxTDXTCBLevels bounds the TCB levels of one TCB info or QE identity.
	// Intel's current TDX TCB info for one FMSPC lists under 20.
	MaxTDXTCBLevels = 256

	// MaxTEEMeasurements bounds an allow-list of accepted measurements
	// (MEASUREMENT, MRTD, RTMR values): image producers list a few versions
	// in rollout, not thousands.
	MaxTEEMeasurements = 1024

	// DefaultTEECacheEntries is the number of verified certificate chains
	// or collateral sets a TEE verifier remembers when the caller does not
	// say. One entry per chip (SEV-SNP: VCEK at one TCB) or per platform
	// (TDX: PCK chain), about 1 KiB each.
	DefaultTEECacheEntries = 1024

	// MaxTEECacheEntries bounds the cache size a caller may ask for.
	MaxTEECacheEntries = 1 << 20
)
