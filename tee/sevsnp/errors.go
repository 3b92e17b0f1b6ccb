package sevsnp

import (
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors: the shared ones of package tee, under the same names.
// Every error this package returns wraps one of them; a failed check is a
// *buildtrust.CheckError that also unwraps to the threats it guards
// (errors.Is(err, threat.E10)).
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
	ErrProduct            = tee.ErrProduct
	ErrTCB                = tee.ErrTCB
	ErrDebug              = tee.ErrDebug
	ErrPolicy             = tee.ErrPolicy
	ErrMeasurement        = tee.ErrMeasurement
	ErrReportData         = tee.ErrReportData
	ErrHostData           = tee.ErrHostData
	ErrIdentity           = tee.ErrIdentity
)

// Check IDs, in the order the checks run. Each guards threat.E10
// ("Compromise build environment in use", BuildEnv L3); the measurement
// check also guards threat.E9 (a build image altered at rest boots to a
// different measurement).
const (
	// CheckParse: report, certificate table and certificate are well formed
	// and within limits.
	CheckParse = "tee.sevsnp.parse"
	// CheckSigningKey: the report's SIGNING_KEY (VCEK or VLEK) is accepted.
	CheckSigningKey = "tee.sevsnp.signingKey"
	// CheckChain: the VCEK/VLEK certificate chains through the ASK/ASVK to a
	// trusted ARK of the report's product line, valid at the verification
	// time.
	CheckChain = "tee.sevsnp.chain"
	// CheckSignature: the report's ECDSA P-384 signature verifies under the
	// VCEK/VLEK.
	CheckSignature = "tee.sevsnp.signature"
	// CheckProduct: product line and stepping (from the report's CPUID or
	// the VCEK) are the expected ones.
	CheckProduct = "tee.sevsnp.product"
	// CheckChipID: the VCEK's HWID equals the report's CHIP_ID.
	CheckChipID = "tee.sevsnp.chipID"
	// CheckTCB: REPORTED_TCB equals the certificate's TCB, the certificate's
	// TCB is at most CURRENT_TCB, COMMITTED_TCB equals CURRENT_TCB (unless
	// provisional firmware is permitted), REPORTED_TCB is at least the
	// minimum, and the firmware version matches.
	CheckTCB = "tee.sevsnp.tcb"
	// CheckLaunchTCB: LAUNCH_TCB is at least the minimum launch TCB.
	CheckLaunchTCB = "tee.sevsnp.launchTCB"
	// CheckDebug: the guest policy does not allow debugging.
	CheckDebug = "tee.sevsnp.debug"
	// CheckPolicy: the guest policy does not allow a migration agent, nor
	// SMT when SMT is refused.
	CheckPolicy = "tee.sevsnp.policy"
	// CheckVMPL: the report was requested at the expected VMPL.
	CheckVMPL = "tee.sevsnp.vmpl"
	// CheckGuestSVN: GUEST_SVN is at least the minimum.
	CheckGuestSVN = "tee.sevsnp.guestSVN"
	// CheckMeasurement: MEASUREMENT is one of the accepted values.
	CheckMeasurement = "tee.sevsnp.measurement"
	// CheckReportData: REPORT_DATA equals the expected binding.
	CheckReportData = "tee.sevsnp.reportData"
	// CheckHostData: HOST_DATA equals the expected value.
	CheckHostData = "tee.sevsnp.hostData"
	// CheckIDBlock: FAMILY_ID, IMAGE_ID, ID_KEY_DIGEST and
	// AUTHOR_KEY_DIGEST are the expected ones.
	CheckIDBlock = "tee.sevsnp.idBlock"
)

var (
	threatsE10         = []threat.ID{threat.E10}
	threatsMeasurement = []threat.ID{threat.E10, threat.E9}
)

func threatsOf(check string) []threat.ID {
	if check == CheckMeasurement {
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
