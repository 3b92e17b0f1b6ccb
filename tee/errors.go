package tee

import (
	"errors"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Sentinel errors shared by the TEE verifiers. tee/sevsnp and tee/tdx
// re-export them under the same names, so errors.Is(err, tee.ErrDebug) and
// errors.Is(err, sevsnp.ErrDebug) both hold and a policy can branch on a
// failure without knowing the TEE. A failed check is a
// *buildtrust.CheckError that unwraps to one of these and to the threats
// the check guards (mainly threat.E10).
var (
	// ErrTooLarge: an input exceeded a limit of internal/limits.
	ErrTooLarge = limits.ErrTooLarge
	// ErrMalformed: the report, quote, certificate table, certificate or
	// collateral is not well formed.
	ErrMalformed = errors.New("tee: malformed evidence")
	// ErrPurpose: a binding purpose is empty or holds a NUL byte.
	ErrPurpose = errors.New("tee: invalid binding purpose")
	// ErrPlatform: the evidence is for another TEE than the verifier's.
	ErrPlatform = errors.New("tee: wrong platform")
	// ErrNoTrustRoots: no manufacturer root was configured. Verification
	// never falls back to roots found in the evidence.
	ErrNoTrustRoots = errors.New("tee: no trusted roots")
	// ErrNoTime: no verification time was given.
	ErrNoTime = errors.New("tee: no verification time")
	// ErrNoReportData: no expected report data was given, so a recorded
	// report could be replayed.
	ErrNoReportData = errors.New("tee: no expected report data")
	// ErrNoMeasurements: no accepted measurement was configured.
	ErrNoMeasurements = errors.New("tee: no accepted measurements")
	// ErrOptions: the options are contradictory or malformed (wrong sizes).
	ErrOptions = errors.New("tee: invalid options")
	// ErrMissingCertificate: the evidence lacks the certificate (VCEK,
	// VLEK, PCK chain) or collateral needed to verify it.
	ErrMissingCertificate = errors.New("tee: missing certificate or collateral")
	// ErrChain: the signing key's certificate does not chain to a trusted
	// root, or is not a well-formed certificate of its kind.
	ErrChain = errors.New("tee: certificate chain not trusted")
	// ErrExpired: a certificate, CRL or collateral item is not valid at the
	// verification time.
	ErrExpired = errors.New("tee: not valid at the verification time")
	// ErrRevoked: a certificate of the chain is listed in a CRL.
	ErrRevoked = errors.New("tee: certificate revoked")
	// ErrSignature: the report, quote, QE report or collateral signature
	// does not verify.
	ErrSignature = errors.New("tee: signature invalid")
	// ErrProduct: the processor product or stepping is not the expected
	// one, or the evidence and certificate disagree on it.
	ErrProduct = errors.New("tee: wrong product")
	// ErrTCB: the TCB is below the minimum, inconsistent with the signing
	// key's certificate, or its status is not accepted.
	ErrTCB = errors.New("tee: TCB not acceptable")
	// ErrDebug: the guest or TD is debuggable.
	ErrDebug = errors.New("tee: debug enabled")
	// ErrPolicy: a launch policy or attribute bit is not acceptable
	// (migration agent, SMT, XFAM, TD attributes, VMPL).
	ErrPolicy = errors.New("tee: launch policy not acceptable")
	// ErrMeasurement: a measurement matches none of the accepted values.
	ErrMeasurement = errors.New("tee: measurement not accepted")
	// ErrReportData: REPORT_DATA differs from the expected binding: the
	// evidence was made for another key, build or nonce (replay).
	ErrReportData = errors.New("tee: report data does not match the binding")
	// ErrHostData: HOST_DATA or MRCONFIGID/MROWNER differ from the expected
	// values.
	ErrHostData = errors.New("tee: host data mismatch")
	// ErrIdentity: an ID-block key, author key, chip ID or platform
	// identity differs from the expected value.
	ErrIdentity = errors.New("tee: identity mismatch")
)
