package tdx

import (
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors: the shared ones of package tee, under the same names,
// plus [ErrVersion]. Every error this package returns wraps one of them; a
// failed check is a *buildtrust.CheckError that also unwraps to the threats
// it guards (errors.Is(err, threat.E10)).
var (
	ErrTooLarge           = tee.ErrTooLarge
	ErrMalformed          = tee.ErrMalformed
	ErrPlatform           = tee.ErrPlatform
	ErrNoTrustRoots       = tee.ErrNoTrustRoots
	ErrNoTime             = tee.ErrNoTime
	ErrNoReportData       = tee.ErrNoReportData
	ErrNoMeasurements     = tee.ErrNoMeasurements
	ErrOptions            = tee.ErrOptions
	ErrMissingCertificate = tee.ErrMissingCertificate
	ErrChain              = tee.ErrChain
	ErrExpired            = tee.ErrExpired
	ErrSignature          = tee.ErrSignature
	ErrTCB                = tee.ErrTCB
	ErrDebug              = tee.ErrDebug
	ErrPolicy             = tee.ErrPolicy
	ErrMeasurement        = tee.ErrMeasurement
	ErrReportData         = tee.ErrReportData
	ErrHostData           = tee.ErrHostData
	ErrRevoked            = tee.ErrRevoked
	ErrIdentity           = tee.ErrIdentity
	ErrProduct            = tee.ErrProduct

	// ErrVersion: the quote is not a version 4 TDX quote. Version 5 quotes
	// (TDX 1.5, TD report type 2 bodies) are well formed but not supported:
	// go-tdx-guest v0.3.1, which parses quotes here, knows only version 4
	// (DEPENDENCIES.md P-TDX-8). It wraps ErrMalformed.
	ErrVersion = fmt.Errorf("%w: unsupported TDX quote version (only version 4)", tee.ErrMalformed)
)

// Check IDs, in the order the checks run. Each guards threat.E10
// ("Compromise build environment in use", BuildEnv L3: BENV-L3-1,
// BENV-L3-3, BENV-L3-4); the measurement checks also guard threat.E9 (an
// image altered at rest boots to a different MRTD or RTMR).
const (
	// CheckParse: the quote is a well-formed version 4 TDX quote within
	// limits, with a three-certificate PCK chain.
	CheckParse = "tee.tdx.parse"
	// CheckChain: the PCK certificate chains through the Intel SGX PCK
	// Platform CA or Processor CA to a trusted root, every certificate
	// valid at the verification time and of Intel's PCK profile (ECDSA
	// P-256, SHA-256, subject names, SGX extension) (P-TDX-12).
	CheckChain = "tee.tdx.chain"
	// CheckQEReport: the quoting enclave's report is signed by the PCK.
	CheckQEReport = "tee.tdx.qeReport"
	// CheckQEBinding: the QE report's REPORT_DATA is SHA-256(attestation
	// key ‖ QE authentication data) ‖ 32 zero bytes, binding the
	// attestation key to the PCK-certified quoting enclave.
	CheckQEBinding = "tee.tdx.qeBinding"
	// CheckSignature: the quote's header and TD body are signed by the
	// attestation key (ECDSA P-256, SHA-256).
	CheckSignature = "tee.tdx.signature"
	// CheckCollateral: a collateral bundle is supplied and well formed
	// ([ParseCollateral]). Without one the check fails closed with
	// ErrMissingCertificate unless Options.InsecureSkipCollateral is set,
	// and is then NOT_APPLICABLE (with the collateral.* checks skipped).
	CheckCollateral = "tee.tdx.collateral"
	// CheckCollateralTCBInfo: the TCB info is signed by an "Intel SGX TCB
	// Signing" certificate issued by a trusted root, both valid at the
	// verification time (issueDate ≤ now ≤ nextUpdate), and is for the
	// PCK's FMSPC and PCE-ID.
	CheckCollateralTCBInfo = "tee.tdx.collateral.tcbInfo"
	// CheckCollateralQEIdentity: the QE identity is signed and valid as
	// the TCB info, and the quoting enclave's report matches it: MRSIGNER,
	// ISVPRODID, MISCSELECT and ATTRIBUTES under their masks, and its
	// ISVSVN reaches a TCB level whose status is accepted.
	CheckCollateralQEIdentity = "tee.tdx.collateral.qeIdentity"
	// CheckCollateralCRL: the root CRL (signed by the PCK chain's trusted
	// root) and the PCK CRL (signed by the PCK's CA), each valid at the
	// verification time, revoke neither the PCK, its CA nor the TCB
	// signing certificates.
	CheckCollateralCRL = "tee.tdx.collateral.crl"
	// CheckCollateralModule: MRSIGNERSEAM and SEAM_ATTRIBUTES (masked)
	// match the TCB info's TDX module, or, when TEE_TCB_SVN[1] > 0, the
	// module identity "TDX_<TEE_TCB_SVN[1]>", whose TCB level for
	// TEE_TCB_SVN[0] must have an accepted status.
	CheckCollateralModule = "tee.tdx.collateral.tdxModule"
	// CheckTCB: with collateral, the platform's TCB level — the first
	// level of the TCB info whose SGX components and PCE SVN the PCK's TCB
	// reaches and whose TDX components TEE_TCB_SVN reaches — exists and
	// its status is in Options.AcceptedTCBStatuses; then TEE_TCB_SVN is at
	// least Options.MinimumTEETCBSVN, component by component.
	CheckTCB = "tee.tdx.tcb"
	// CheckDebug: TD_ATTRIBUTES.DEBUG (bit 0) is clear.
	CheckDebug = "tee.tdx.debug"
	// CheckAttributes: TD_ATTRIBUTES and XFAM are the expected values.
	CheckAttributes = "tee.tdx.attributes"
	// CheckMeasurement: MRTD is one of the accepted values.
	CheckMeasurement = "tee.tdx.measurement"
	// CheckRTMR: RTMR0–RTMR3 are the expected values.
	CheckRTMR = "tee.tdx.rtmr"
	// CheckReportData: REPORT_DATA equals the expected binding.
	CheckReportData = "tee.tdx.reportData"
	// CheckHostData: MRCONFIGID, MROWNER and MROWNERCONFIG are the
	// expected values.
	CheckHostData = "tee.tdx.hostData"
)

var (
	threatsE10         = []threat.ID{threat.E10}
	threatsMeasurement = []threat.ID{threat.E10, threat.E9}
)

func threatsOf(check string) []threat.ID {
	if check == CheckMeasurement || check == CheckRTMR {
		return threatsMeasurement
	}
	return threatsE10
}

func checkErr(check string, sentinel error, format string, args ...any) error {
	return &buildtrust.CheckError{
		Check:   check,
		Threats: threatsOf(check),
		Err:     fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)),
	}
}
