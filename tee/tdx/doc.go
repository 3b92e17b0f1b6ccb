// Package tdx verifies Intel TDX quotes — the hardware evidence of BuildEnv
// L3 (BENV-L3-1, BENV-L3-3, BENV-L3-4; THREAT-E10) — strictly, offline and
// fast, over google/go-tdx-guest v0.3.1.
//
// Specification: Intel TDX DCAP Quote Generation / Quote Verification
// Library, quote format version 4 (ECDSA-256-with-P-256 attestation key,
// certification data type 6 holding the QE report and a type 5 PCK
// certificate chain); Intel SGX PCK Certificate and CRL Profile (subject
// names, SGX extension 1.2.840.113741.1.13.1). Version 5 quotes (TDX 1.5)
// are rejected with [ErrVersion]: go-tdx-guest v0.3.1 does not parse them.
//
// # Where to start
//
// Build a [Verifier] once with [NewVerifier] and [Options]: the trusted
// roots ([IntelRoots], the pinned Intel SGX Root CA, or [ParseRoots]) and
// the accepted MRTDs. Then call [Verifier.VerifyQuote] (or Verify, the
// tee.Verifier method) per quote with the verification time and the
// expected report data, usually tee.Bind(tee.PurposeLaunch, identity key
// digest). The result is a tee.Claims holding only verified values, with
// every check that ran. [ParseQuote] checks form only. Test quotes come
// from package tdxtest.
//
// # What is checked
//
// In order, each a named check (Check… constants) guarding THREAT-E10:
// form and limits; the PCK chain — leaf "Intel SGX PCK Certificate" issued
// by the "Intel SGX PCK Platform CA" or "Processor CA" (go-tdx-guest v0.3.1
// accepts only the first, P-TDX-12), ECDSA P-256/SHA-256, SGX extension
// parsable — to a trusted root, every certificate valid at the verification
// time; the QE report's signature by the PCK; the QE report's REPORT_DATA
// binding the attestation key (SHA-256 of key ‖ QE authentication data);
// the quote signature by the attestation key over header and TD body;
// collateral (see below); minimum TEE_TCB_SVN; TD_ATTRIBUTES.DEBUG
// (rejected by default; go-tdx-guest v0.3.1 has no such check, P-TDX-3);
// exact TD_ATTRIBUTES and XFAM when configured; MRTD against an allow-list;
// RTMR0–3; REPORT_DATA against the expected binding (constant time);
// MRCONFIGID, MROWNER, MROWNERCONFIG.
//
// The first time a PCK chain is seen it is verified in full and, for
// Platform-CA chains, go-tdx-guest's verify.TdxQuote checks chain and
// signatures again, offline, with fresh options per call (P-TDX-2) and the
// trusted roots always passed (so it never falls back to its embedded root
// or prints its warning to stdout, P-TDX-1). The verified PCK key and the
// chain's validity window are then cached, keyed by the SHA-256 of the PEM
// chain; a later quote from the same platform costs two P-256 signature
// checks and a SHA-256 while the verification time is inside the window.
//
// # What is not checked
//
// Collateral: this version does not verify Intel's TCB info, QE identity,
// PCK CRL or root CRL, so it gives no TCB status (UpToDate, OutOfDate, …),
// no advisory IDs, no revocation of the PCK or its CA, and no check of the
// quoting enclave's identity (MRSIGNER, ISVPRODID, ISVSVN) or of
// MRSIGNERSEAM and SEAM attributes against the TCB info. Verification
// therefore fails closed ([CheckCollateral]) unless the caller sets
// Options.InsecureSkipCollateral; Claims.TCB.Status is then empty, never
// a pass. Not checked either: MRSEAM, the header's QE vendor ID and user
// data, the bytes after the signed data (unsigned, tolerated as
// go-tdx-guest does), and the CCEL event log behind the RTMRs.
//
// # Security considerations
//
// Trust comes only from [Options.Roots]; the root certificate at the end of
// the quote's chain is ignored. Missing roots, time, measurements or
// expected report data fail closed. Weakening switches are named Insecure…
// and say what they give away. Importing this package imports
// go-tdx-guest's verify package, whose init sends the google/logger output
// to stdout (P-TDX-1); this package never triggers output (it always
// passes TrustedRoots and sets no verbosity), but other code using that
// logger in the same process will print. Errors are *buildtrust.CheckError
// values that unwrap to the sentinels and to threat.E10, never strings to
// match.
package tdx
